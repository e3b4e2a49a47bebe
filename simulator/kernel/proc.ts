// A process table entry (MINIX's struct proc): scheduling state, IPC state,
// privileges, address space, the program being run and its pending request.
import type { AddressSpace } from '../hw/mmu';
import type { MmuFault } from '../hw/mmu';
import type { TimerId } from '../hw/bus';
import { NONE } from './constants';
import type { Message } from './message';
import type { Privilege } from './privilege';
import type { GrantTable } from './grants';
import type { AsyncTable } from './asyncTable';

/** Why a process is not runnable (proc.h RTS_*); a process runs only when none is set. */
export const Rts = {
  SLOT_FREE: 0x01,
  PROC_STOP: 0x02,
  SENDING: 0x04,
  RECEIVING: 0x08,
  NO_PRIV: 0x80,
  /** Stopped at a kernel entry by the debugger. */
  DEBUG_PAUSE: 0x1000,
} as const;

/** Miscellaneous flags (proc.h MF_*). */
export const Mf = {
  REPLY_PEND: 0x01,
} as const;

/** How a process ended, as its supervisor and observers see it. */
export type ExitReason =
  | { readonly kind: 'exit'; readonly status: number }
  | { readonly kind: 'crash'; readonly message: string }
  | { readonly kind: 'fault'; readonly vaddr: number; readonly access: 'read' | 'write'; readonly reason: string }
  | { readonly kind: 'signal'; readonly signal: number; readonly by: number }
  | { readonly kind: 'panic'; readonly message: string };

/** A program's parameters, from a scenario file or its creator. */
export type ProgramArgs = Readonly<Record<string, string | number | boolean>>;

/** What the kernel reports to a supervisor about a child that ended. */
export interface ChildEvent {
  readonly endpoint: number;
  readonly name: string;
  readonly program: string;
  readonly reason: ExitReason;
  readonly timeCycles: number;
}

/** A running program as the kernel drives it: resumed with the status of its last call. */
export type ProgramGenerator = Generator<unknown, unknown, number>;

export class Proc {
  /** Index into the process table: slot + NR_TASKS. Changes only when a live update swaps two processes' slots. */
  index: number;
  slot: number;
  generation = 0;
  endpoint = NONE;
  /** A number no earlier process had: tells apart the instances of a service that kept its endpoint. */
  instance = 0;
  name = '';
  program = '';
  args: ProgramArgs = {};
  rts: number = Rts.SLOT_FREE;
  misc = 0;
  priority = 0;
  quantumCycles = 0;
  quantumLeftCycles = 0;
  kernelMode = false;
  isKernelTask = false;

  /** IPC: whom a blocked sender sends to, whom a blocked receiver receives from. */
  sendTo = NONE;
  getFrom = NONE;
  /** Head of the queue of processes blocked sending to this one. */
  callerQ: Proc | null = null;
  /** Link in the caller queue of `sendTo`. */
  qNext: Proc | null = null;
  /** Link in a ready queue. */
  readyNext: Proc | null = null;
  /** A blocked sender's message (the program's own buffer; it cannot change while blocked). */
  sendMsg: Message | null = null;
  /** Where a blocked receiver's message goes (the program's own buffer). */
  recvBuf: Message | null = null;
  /** Pending notifications and asynchronous messages, one bit per table index of the source. */
  notifyPending: Uint32Array;
  asynPending: Uint32Array;
  /** False only when both bitmaps are known to be empty: spares RECEIVE a scan. */
  maybeNotify = false;
  maybeAsync = false;
  asyncTable: AsyncTable | null = null;
  asyncEndpoint = NONE;
  /** Pending interrupt hook bits (HARDWARE) and signals (SYSTEM) for the next notification. */
  intPending = 0;
  sigPending = 0;
  /** Id linking a SENDREC request to its reply in the trace. */
  linkId = 0;
  sendLinkId = 0;

  priv: Privilege | null = null;
  space: AddressSpace | null = null;
  memBaseVaddr = 0;
  memBytes = 0;
  nextMapVaddr = 0;
  grants: GrantTable | null = null;

  gen: ProgramGenerator | null = null;
  /** The value the next resumption returns to the program. */
  retval = 0;
  /** The pending request, filled by the SDK before it yields. */
  reqKind = 0;
  reqCall = 0;
  reqA = 0;
  reqB = 0;
  reqC = 0;
  reqD = 0;
  reqE = 0;
  reqMsg: Message | null = null;
  reqObj: unknown = null;
  /** Stopped at a kernel entry by a debugger hook: the request runs when the process is next picked. */
  trapPending = false;
  /** User work still to do before the program resumes. */
  workLeftCycles = 0;
  /** Set by the MMU when the program touched memory it may not; the kernel kills it. */
  fault: MmuFault | null = null;
  /** Source location of the last kernel entry, when capture is enabled. */
  entryLocation: string | undefined = undefined;
  /** The program frames that led to `entryLocation` (helpers called by `yield*` or plainly), innermost first. */
  entryCallers: readonly string[] | undefined = undefined;

  supervisor = NONE;
  readonly childEvents: ChildEvent[] = [];
  alarmTimer: TimerId = 0;
  alarmAtCycles = 0;

  userCycles = 0;
  kernelCycles = 0;
  createdAtCycles = 0;
  ipcCount = 0;
  kernelCallCount = 0;

  constructor(slot: number, index: number, bitmapWords: number) {
    this.slot = slot;
    this.index = index;
    this.notifyPending = new Uint32Array(bitmapWords);
    this.asynPending = new Uint32Array(bitmapWords);
  }

  get isFree(): boolean {
    return (this.rts & Rts.SLOT_FREE) !== 0;
  }

  /** The endpoint this process is blocked on (P_BLOCKEDON), or NONE. */
  blockedOn(): number {
    if ((this.rts & Rts.SENDING) !== 0) return this.sendTo;
    if ((this.rts & Rts.RECEIVING) !== 0) return this.getFrom;
    return NONE;
  }
}

export function setBit(map: Uint32Array, bit: number): void {
  map[bit >>> 5]! |= 1 << (bit & 31);
}

export function clearBit(map: Uint32Array, bit: number): void {
  map[bit >>> 5]! &= ~(1 << (bit & 31));
}

export function getBit(map: Uint32Array, bit: number): boolean {
  return (map[bit >>> 5]! & (1 << (bit & 31))) !== 0;
}

/** Lowest set bit, or -1. */
export function firstBit(map: Uint32Array): number {
  for (let w = 0; w < map.length; w++) {
    const v = map[w]!;
    if (v !== 0) return (w << 5) + (31 - Math.clz32(v & -v));
  }
  return -1;
}
