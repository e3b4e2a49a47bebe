// The kernel's mechanism: the process table, the scheduler's ready queues, IPC
// with MINIX's semantics, process creation and death, interrupts and ports.
// All kernel state is declared in this class; the invariants are listed below.
//
// Invariants:
// - A process is in exactly one ready queue iff its rts flags are 0.
// - A process with Rts.SENDING is in exactly one caller queue: that of the
//   process whose endpoint is its sendTo; with Rts.RECEIVING its getFrom is ANY
//   or a live endpoint, and recvBuf is where the message goes.
// - Pending-notification and pending-async bits name live processes only
//   (death clears them everywhere).
// - A free slot keeps its last endpoint so that stale endpoints are recognised;
//   the next process in the slot gets the next generation.
// - The clock only moves forward, in whole cycles, through charge() and idling.
import type { InterruptLines, PortDevice } from '../hw/bus';
import type { EventQueue } from '../core/eventQueue';
import { EventPriority } from '../core/eventQueue';
import { secondsToCycles } from '../time/time';
import { AddressSpace, PagePerm } from '../hw/mmu';
import { PAGE_BYTES, type PhysicalMemory } from '../hw/memory';
import type { TraceRecorder } from '../trace/recorder';
import { TraceKind } from '../trace/kinds';
import type { CostProfile } from './costs/costProfiles';
import {
  AMF, ANY, ASYNCM, CLOCK, Errno, GENERATION_SIZE, HARDWARE, IDLE, IpcCall, IRQ_REENABLE, KERNEL, MAX_GENERATION,
  NONE, NOTIFY_MESSAGE, NR_SCHED_QUEUES, NR_TASKS, OK, SELF, SYSTEM, USER_Q, endpointSlot, makeEndpoint,
} from './constants';
import { type Message, NotifyField } from './message';
import { FULL_PRIVILEGE, Privilege, USER_PRIVILEGE, type PrivilegeSpec } from './privilege';
import { Mf, Proc, Rts, clearBit, firstBit, getBit, setBit, type ChildEvent, type ExitReason, type ProgramArgs } from './proc';
import { GrantTable, type GrantContext } from './grants';
import type { AsyncEntry } from './asyncTable';

/** How to create a process (the simulator's SPAWN kernel call and boot-time creation). */
export interface SpawnSpec {
  /** Name of a program in the program registry. */
  readonly program: string;
  /** Process name (the service label); defaults to the program name. */
  readonly name?: string;
  readonly privilege?: PrivilegeSpec;
  /** Scheduling queue, 0 highest; default USER_Q (7). */
  readonly priority?: number;
  readonly quantumCycles?: number;
  /** Private memory mapped at USER_BASE_VADDR; default 64 KiB. */
  readonly memoryBytes?: number;
  readonly args?: ProgramArgs;
  /** Run in kernel mode (the monolithic configuration). */
  readonly kernelMode?: boolean;
  /** Who is told when the process ends; default its creator. */
  readonly supervisor?: number;
  /** Created stopped (RTS_NO_PRIV) until PRIVCTL ALLOW, as RS does. */
  readonly stopped?: boolean;
  /**
   * Take this endpoint: a dead process's, whose slot is still free (RS
   * restarting a service, which keeps its endpoint as in MINIX 3.4). EBUSY when
   * the slot is taken or the endpoint is not the one its slot last had.
   */
  readonly endpoint?: number;
}

export const USER_BASE_VADDR = 0x1000;
export const MAPPED_PHYS_BASE_VADDR = 0x4000_0000;
/** The quantum of a process spawned without one. */
export const DEFAULT_QUANTUM_SECONDS = 0.002;
export const DEFAULT_MEMORY_BYTES = 64 * 1024;
export const SIGCHLD = 20;

/** Cycles charged by category since boot, and counts of the charged operations. */
export class CostStats {
  userCycles = 0;
  kernelEntryCycles = 0;
  messageCopyCycles = 0;
  contextSwitchCycles = 0;
  interruptCycles = 0;
  kernelCallCycles = 0;
  copyCycles = 0;
  deviceCycles = 0;
  /** IOMMU work done by the CPU: page-table updates on map and unmap, IOTLB invalidations. */
  iommuCycles = 0;
  idleCycles = 0;
  kernelEntries = 0;
  messages = 0;
  contextSwitches = 0;
  addressSpaceSwitches = 0;
  interrupts = 0;
  kernelCalls = 0;
}

/** An interrupt hook set by IRQCTL (sys_irqsetpolicy). */
export interface IrqHook {
  readonly id: number;
  readonly irq: number;
  /** The owner; changes when a live update swaps it into another slot. */
  endpoint: number;
  readonly notifyId: number;
  readonly policy: number;
  /** Masked: the next interrupt waits until sys_irqenable. */
  masked: boolean;
  /** An interrupt arrived while masked. */
  pending: boolean;
}

/**
 * What the DMAMAP kernel call maps with, installed by a machine with an
 * IOMMU. Each returns OK or an error number; `paddr` is the buffer's physical
 * address, which is also its IO-virtual address.
 */
export interface DmaMapper {
  map(p: Proc, deviceId: number, paddr: number, bytes: number, write: boolean): number;
  unmap(p: Proc, deviceId: number, paddr: number, bytes: number): number;
  /** `p` is ending: every page it still has mapped is unmapped, before its memory is freed for others. */
  release(p: Proc): void;
}

/** Observers the simulator installs; the kernel calls them only when set. */
export interface KernelObservers {
  processCreated?(p: Proc, creator: number): void;
  processEnded?(p: Proc, reason: ExitReason): void;
  panic?(message: string, endpoint: number): void;
}

/** Told of every message, when someone listens (a callback per message). */
export type IpcObserver = (kind: 'send' | 'receive' | 'notify', src: number, dst: number, type: number) => void;

/** The names of the programs a process may be created from (the engine's registry). */
export interface KnownPrograms {
  has(name: string): boolean;
}

export interface KernelConfig {
  readonly clock: EventQueue;
  readonly trace: TraceRecorder;
  readonly cost: CostProfile;
  readonly memory: PhysicalMemory;
  readonly programs: KnownPrograms;
  readonly maxProcesses: number;
  /** Creates the program for a new process (the SDK's job; injected to keep the kernel free of it). */
  readonly startProgram: (p: Proc) => void;
}

export class Kernel implements GrantContext {
  readonly clock: EventQueue;
  readonly trace: TraceRecorder;
  readonly cost: CostProfile;
  readonly memory: PhysicalMemory;
  readonly programs: KnownPrograms;
  readonly stats = new CostStats();
  observers: KernelObservers = {};
  /** A plain field, not one of `observers`: the kernel tests it for every message. */
  ipcObserver: IpcObserver | null = null;

  /** The process table: index = slot + NR_TASKS; kernel tasks first. */
  readonly procs: Proc[];
  readonly readyHead: (Proc | null)[] = new Array<Proc | null>(NR_SCHED_QUEUES).fill(null);
  readonly readyTail: (Proc | null)[] = new Array<Proc | null>(NR_SCHED_QUEUES).fill(null);
  /** Bit q set iff ready queue q is not empty. */
  readyMask = 0;
  /** The process whose context the CPU holds (null at boot or after its death). */
  current: Proc | null = null;
  linkCounter = 0;
  /** The CPU is idle: nothing was runnable when the scheduler last looked. */
  idle = false;
  /**
   * SENDA entries whose queueing is in the trace: a program may hand the same
   * table to SENDA again while an entry waits, and the entry's send is recorded
   * once, when it first queues. An entry leaves the set when it is done, so a
   * reused entry records its new message.
   */
  private readonly queuedAsync = new WeakSet<AsyncEntry>();
  nextSpaceId = 1;
  readonly irqHooks: (IrqHook | null)[] = [];
  readonly ports: { base: number; count: number; device: PortDevice }[] = [];
  /** Null without an IOMMU: DMAMAP then only translates. */
  dmaMapper: DmaMapper | null = null;
  panicked: { message: string; endpoint: number; timeCycles: number } | null = null;
  /** The endpoint a kernel call acted on, for its trace record. */
  callTarget = NONE;

  readonly interrupts: InterruptLines;
  private readonly startProgram: (p: Proc) => void;
  private readonly entryCycles: number;
  private readonly messageCopyCycles: number;
  private readonly switchCycles: number;
  private readonly spaceSwitchCycles: number;
  private readonly bitmapWords: number;

  constructor(config: KernelConfig) {
    this.clock = config.clock;
    this.trace = config.trace;
    this.cost = config.cost;
    this.memory = config.memory;
    this.programs = config.programs;
    this.startProgram = config.startProgram;
    const c = config.cost;
    this.entryCycles = c.kernelEntryCycles + (c.meltdownMitigation ? c.meltdownEntryCycles : 0);
    this.messageCopyCycles = c.messageCopyCycles;
    this.switchCycles = c.contextSwitchCycles;
    this.spaceSwitchCycles = c.addressSpaceSwitchCycles + (c.pcid ? 0 : c.tlbRefillCycles);
    const slots = config.maxProcesses + NR_TASKS;
    this.bitmapWords = Math.ceil(slots / 32);
    this.procs = [];
    for (let i = 0; i < slots; i++) this.procs.push(new Proc(i - NR_TASKS, i, this.bitmapWords));
    const taskNames: Record<number, string> = { [ASYNCM]: 'asyncm', [IDLE]: 'idle', [CLOCK]: 'clock', [SYSTEM]: 'system', [KERNEL]: 'kernel' };
    const fullPriv = new Privilege(FULL_PRIVILEGE);
    for (let slot = -NR_TASKS; slot < 0; slot++) {
      const p = this.procs[slot + NR_TASKS]!;
      p.endpoint = slot;
      p.name = taskNames[slot]!;
      p.isKernelTask = true;
      p.priv = fullPriv;
      p.rts = Rts.PROC_STOP;
    }
    this.interrupts = { raise: (irq: number) => this.raiseIrq(irq) };
  }

  // ---- process table -------------------------------------------------------

  procOf(endpoint: number): Proc | undefined {
    const p = this.procs[endpointSlot(endpoint) + NR_TASKS];
    if (p === undefined || p.endpoint !== endpoint || (p.rts & Rts.SLOT_FREE) !== 0) return undefined;
    return p;
  }

  /** isokendpt: a live process has exactly this endpoint (generation included). */
  isOkEndpoint(endpoint: number): boolean {
    return this.procOf(endpoint) !== undefined;
  }

  lookup(endpoint: number): { table: GrantTable | null; magicAllowed: boolean } | undefined {
    const p = this.procOf(endpoint);
    if (p === undefined || p.isKernelTask) return undefined;
    return { table: p.grants, magicAllowed: p.priv!.magicGrants };
  }

  /** Live user processes in table order. */
  liveProcs(): Proc[] {
    return this.procs.filter((p) => !p.isFree && !p.isKernelTask);
  }

  // ---- scheduler -----------------------------------------------------------

  private enqueue(p: Proc): void {
    const q = p.priority;
    p.readyNext = null;
    const tail = this.readyTail[q];
    if (tail === null || tail === undefined) {
      this.readyHead[q] = p;
      this.readyMask |= 1 << q;
    } else {
      tail.readyNext = p;
    }
    this.readyTail[q] = p;
  }

  private dequeue(p: Proc): void {
    const q = p.priority;
    let prev: Proc | null = null;
    let x = this.readyHead[q]!;
    while (x !== null && x !== p) {
      prev = x;
      x = x.readyNext!;
    }
    if (x === null) return;
    if (prev === null) this.readyHead[q] = p.readyNext;
    else prev.readyNext = p.readyNext;
    if (this.readyTail[q] === p) this.readyTail[q] = prev;
    if (this.readyHead[q] === null) this.readyMask &= ~(1 << q);
    p.readyNext = null;
  }

  /** RTS_SET: sets flags and takes the process off its ready queue if it was runnable. */
  rtsSet(p: Proc, flags: number): void {
    const was = p.rts;
    p.rts = was | flags;
    if (was === 0 && p.rts !== 0) this.dequeue(p);
  }

  /** RTS_UNSET: clears flags and queues the process if that made it runnable. */
  rtsUnset(p: Proc, flags: number): void {
    const was = p.rts;
    p.rts = was & ~flags;
    if (was !== 0 && p.rts === 0) this.enqueue(p);
  }

  /** The head of the highest-priority non-empty queue. */
  pickProc(): Proc | null {
    const mask = this.readyMask;
    if (mask === 0) return null;
    return this.readyHead[31 - Math.clz32(mask & -mask)]!;
  }

  /** A running process used up its quantum: to the back of its queue with a fresh one. */
  quantumExpired(p: Proc): void {
    p.quantumLeftCycles = p.quantumCycles;
    if (p.rts === 0 && this.readyHead[p.priority] !== this.readyTail[p.priority]) {
      this.dequeue(p);
      this.enqueue(p);
    }
  }

  /**
   * Nothing is runnable: the CPU idles until the next event. Recorded once per
   * idle period; costs nothing (the cost model has no idle loop), and `current`
   * stays the last process loaded, whose address space is still in place.
   */
  enterIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.trace.record(this.clock.now(), TraceKind.contextSwitch, this.current === null ? NONE : this.current.endpoint, IDLE, 0, 0, 0);
  }

  /** The CPU leaves idle for the process it was last running (no switch, so nothing is charged). */
  resumeFromIdle(p: Proc): void {
    this.idle = false;
    if (!p.kernelMode) this.trace.record(this.clock.now(), TraceKind.contextSwitch, IDLE, p.endpoint, 0, 0, 0);
  }

  /** Switches the CPU to `p`, charging the switch (nothing between kernel-mode contexts). */
  switchTo(p: Proc): void {
    const from = this.current;
    const wasIdle = this.idle;
    this.current = p;
    this.idle = false;
    if (from !== null && (from.kernelMode || p.kernelMode)) return;
    let cycles = this.switchCycles;
    const spaceChange = from === null || from.space !== p.space;
    if (spaceChange) {
      cycles += this.spaceSwitchCycles;
      this.stats.addressSpaceSwitches++;
    }
    this.clock.advanceBy(cycles);
    this.stats.contextSwitchCycles += cycles;
    this.stats.contextSwitches++;
    p.kernelCycles += cycles;
    this.trace.record(this.clock.now(), TraceKind.contextSwitch, wasIdle ? IDLE : from === null ? NONE : from.endpoint, p.endpoint, cycles, spaceChange ? 1 : 0, 0);
  }

  /** Charges a kernel entry to `p`: a trap for user code, a function call for kernel-mode code. */
  chargeEntry(p: Proc): void {
    const cycles = p.kernelMode ? this.cost.functionCallCycles : this.entryCycles;
    this.clock.advanceBy(cycles);
    this.stats.kernelEntryCycles += cycles;
    this.stats.kernelEntries++;
    p.kernelCycles += cycles;
    p.quantumLeftCycles -= cycles;
  }

  /** Charges kernel work of some category to `p` (or to no process). */
  charge(p: Proc | null, cycles: number, category: 'kernelCall' | 'copy' | 'device' | 'interrupt' | 'iommu'): void {
    if (cycles <= 0) return;
    this.clock.advanceBy(cycles);
    const s = this.stats;
    if (category === 'kernelCall') s.kernelCallCycles += cycles;
    else if (category === 'copy') s.copyCycles += cycles;
    else if (category === 'device') s.deviceCycles += cycles;
    else if (category === 'iommu') s.iommuCycles += cycles;
    else s.interruptCycles += cycles;
    if (p !== null) {
      p.kernelCycles += cycles;
      p.quantumLeftCycles -= cycles;
    }
  }

  /**
   * A load or store to a device register mapped into `p`: no kernel entry, so
   * the time is the process's own: an uncached load waits for the device
   * (portIoCycles), a store is posted (postedWriteCycles).
   */
  mappedIo(p: Proc): number {
    const port = p.reqB;
    if (!Number.isInteger(port) || port < 0 || port > 0xffff || p.priv === null || !p.priv.allowsMappedIo(port, 4)) return Errno.EPERM;
    const device = this.portDevice(port);
    if (p.reqA === 0) {
      this.chargeUser(p, this.cost.portIoCycles);
      (p.reqObj as { value: number }).value = device === undefined ? 0xffffffff : device.ioRead(port, 4) >>> 0;
    } else {
      this.chargeUser(p, this.cost.postedWriteCycles);
      device?.ioWrite(port, p.reqC >>> 0, 4);
    }
    p.reqObj = null;
    return OK;
  }

  chargeUser(p: Proc, cycles: number): void {
    this.clock.advanceBy(cycles);
    this.stats.userCycles += cycles;
    p.userCycles += cycles;
    p.quantumLeftCycles -= cycles;
  }

  // ---- IPC -----------------------------------------------------------------

  /** may_send_to: the caller names the target, or the target names the caller and can reply (MINIX keeps the masks symmetric). */
  maySendTo(caller: Proc, dst: Proc): boolean {
    const cp = caller.priv!;
    if (cp.ipcToAll) return true;
    if (caller.isKernelTask) return true;
    if (cp.names(dst.name, dst.priv!.system, dst.isKernelTask)) return true;
    const dp = dst.priv!;
    return dp.names(caller.name, cp.system, false) && (dp.trapMask & ~(1 << IpcCall.RECEIVE)) !== 0;
  }

  /**
   * do_ipc for the synchronous calls: the checks in MINIX's order, then the call.
   * This and what it calls for SEND, RECEIVE and SENDREC are the simulator's hot
   * path: rare cases (notifications, asynchronous messages, queueing, errors)
   * live in separate methods so that the common ones stay small enough to inline.
   */
  ipc(caller: Proc, call: number, srcDst: number, m: Message | null): number {
    caller.ipcCount++;
    if (call === IpcCall.SENDA) return this.senda(caller);
    if (call < IpcCall.SEND || call > IpcCall.SENDNB) return Errno.EBADCALL;
    let target: Proc | null = null;
    if (srcDst === ANY) {
      if (call !== IpcCall.RECEIVE) return Errno.EINVAL;
    } else {
      const t = this.procOf(srcDst === SELF ? caller.endpoint : srcDst);
      if (t === undefined) return Errno.EDEADSRCDST;
      if (call !== IpcCall.RECEIVE && !this.maySendTo(caller, t)) return Errno.ECALLDENIED;
      target = t;
    }
    if ((caller.priv!.trapMask & (1 << call)) === 0) return Errno.ETRAPDENIED;
    if (call === IpcCall.RECEIVE) {
      if (m === null) return Errno.EFAULT;
      caller.misc &= ~Mf.REPLY_PEND;
      return this.miniReceive(caller, target === null ? ANY : target.endpoint, m, false);
    }
    // Every call but RECEIVE has a target here: ANY was refused above.
    const dst = target!;
    // As in MINIX's do_sync_ipc, a kernel task may only be called with SENDREC (or received from).
    if (dst.isKernelTask && call !== IpcCall.SENDREC) return Errno.ETRAPDENIED;
    if (call === IpcCall.NOTIFY) return this.miniNotify(caller, dst);
    if (m === null) return Errno.EFAULT;
    if (call === IpcCall.SENDREC) {
      caller.misc |= Mf.REPLY_PEND;
      caller.linkId = ++this.linkCounter;
      const r = this.miniSend(caller, dst, m, false);
      if (r !== OK) {
        caller.misc &= ~Mf.REPLY_PEND;
        return r;
      }
      if ((caller.rts & Rts.SENDING) !== 0) return this.awaitReply(caller, dst.endpoint, m);
      return this.miniReceive(caller, dst.endpoint, m, false);
    }
    return this.miniSend(caller, dst, m, call === IpcCall.SENDNB);
  }

  /** WILLRECEIVE: `dst` is blocked in a receive (not still sending) that accepts `srcEndpoint`. */
  private willReceive(srcEndpoint: number, dst: Proc): boolean {
    return (dst.rts & (Rts.RECEIVING | Rts.SENDING)) === Rts.RECEIVING && (dst.getFrom === ANY || dst.getFrom === srcEndpoint);
  }

  /** Charges one message copy unless an end is in kernel mode, and counts the message. */
  private chargeCopy(a: Proc, b: Proc): void {
    if (!a.kernelMode && !b.kernelMode) {
      const copy = this.messageCopyCycles;
      this.clock.advanceBy(copy);
      this.stats.messageCopyCycles += copy;
    }
    this.stats.messages++;
  }

  /**
   * Copies a message into a blocked receiver and wakes it with OK. The one
   * trace record (ipcSend, b=0) stands for both the send and the receive.
   */
  private deliver(sender: Proc, dst: Proc, m: Message, link: number): void {
    const buf = dst.recvBuf!;
    buf.copyFrom(m);
    buf.words[0] = sender.endpoint;
    this.chargeCopy(sender, dst);
    const type = buf.words[1]!;
    this.trace.record(this.clock.now(), TraceKind.ipcSend, sender.endpoint, dst.endpoint, type, 0, link);
    if (this.ipcObserver !== null) this.ipcObserver('send', sender.endpoint, dst.endpoint, type);
    dst.misc &= ~Mf.REPLY_PEND;
    dst.recvBuf = null;
    dst.retval = OK;
    this.rtsUnset(dst, Rts.RECEIVING);
  }

  /** mini_send. */
  miniSend(caller: Proc, dst: Proc, m: Message, nonBlocking: boolean): number {
    const link = (caller.misc & Mf.REPLY_PEND) !== 0 ? caller.linkId : (dst.misc & Mf.REPLY_PEND) !== 0 ? dst.linkId : 0;
    if (this.willReceive(caller.endpoint, dst)) {
      this.deliver(caller, dst, m, link);
      return OK;
    }
    if (nonBlocking) return Errno.ENOTREADY;
    return this.queueSender(caller, dst, m, link);
  }

  /** mini_send's blocking half: the receiver is not waiting, so the caller joins its caller queue (FIFO). */
  private queueSender(caller: Proc, dst: Proc, m: Message, link: number): number {
    if (this.deadlock(IpcCall.SEND, caller, dst.endpoint)) return Errno.ELOCKED;
    caller.sendMsg = m;
    caller.sendTo = dst.endpoint;
    caller.sendLinkId = link;
    this.rtsSet(caller, Rts.SENDING);
    caller.qNext = null;
    if (dst.callerQ === null) dst.callerQ = caller;
    else {
      let x = dst.callerQ;
      while (x.qNext !== null) x = x.qNext;
      x.qNext = caller;
    }
    const type = m.words[1]!;
    this.trace.record(this.clock.now(), TraceKind.ipcSend, caller.endpoint, dst.endpoint, type, 1, link);
    if (this.ipcObserver !== null) this.ipcObserver('send', caller.endpoint, dst.endpoint, type);
    return OK;
  }

  /** mini_receive: notifications (not in SENDREC), then asynchronous messages, then queued senders. */
  miniReceive(caller: Proc, src: number, m: Message, nonBlocking: boolean): number {
    caller.recvBuf = m;
    if ((caller.rts & Rts.SENDING) === 0) {
      if ((caller.misc & Mf.REPLY_PEND) === 0 && caller.maybeNotify && this.receiveNotification(caller, src, m)) return this.receiveDone(caller);
      if (caller.maybeAsync && this.receiveAsync(caller, src)) return this.receiveDone(caller);
      if (caller.callerQ !== null && this.receiveQueued(caller, src, m)) return this.receiveDone(caller);
    }
    if (nonBlocking) {
      caller.recvBuf = null;
      return Errno.ENOTREADY;
    }
    if (this.deadlock(IpcCall.RECEIVE, caller, src)) {
      caller.recvBuf = null;
      return Errno.ELOCKED;
    }
    caller.getFrom = src;
    this.rtsSet(caller, Rts.RECEIVING);
    // A SENDREC's wait for its reply is in its send's record (the link).
    if ((caller.misc & Mf.REPLY_PEND) === 0) this.trace.record(this.clock.now(), TraceKind.ipcWait, caller.endpoint, src, 0, 0, 0);
    return OK;
  }

  /**
   * The receive half of a SENDREC whose send half queued: the caller waits for
   * the reply. mini_receive would take nothing (a process still sending takes
   * nothing), and its deadlock check would walk the chain from `src` that the
   * send half's check has just walked: that chain does not come back to the
   * caller (a queued send that would close a cycle is ELOCKED, and the one
   * allowed pair, a receiver waiting for the caller, takes the message at once
   * instead of queueing it), and nothing on it has changed since. So this
   * skips both and blocks; the unit tests of deadlock detection cover it.
   */
  private awaitReply(caller: Proc, src: number, m: Message): number {
    caller.recvBuf = m;
    caller.getFrom = src;
    caller.rts |= Rts.RECEIVING;
    return OK;
  }

  /** A pending notification from `src` (lowest slot first for ANY) into `m`; false if there is none. */
  private receiveNotification(caller: Proc, src: number, m: Message): boolean {
    const bit = src === ANY ? firstBit(caller.notifyPending) : this.procOf(src)!.index;
    if (bit < 0) {
      caller.maybeNotify = false;
      return false;
    }
    if (!getBit(caller.notifyPending, bit)) return false;
    clearBit(caller.notifyPending, bit);
    const from = this.procs[bit]!;
    this.buildNotify(m, from, caller);
    this.trace.record(this.clock.now(), TraceKind.ipcReceive, from.endpoint, caller.endpoint, NOTIFY_MESSAGE, IpcCall.NOTIFY, 0);
    if (this.ipcObserver !== null) this.ipcObserver('receive', from.endpoint, caller.endpoint, NOTIFY_MESSAGE);
    return true;
  }

  /** A pending asynchronous message from `src` (or any sender); false if none could be taken. */
  private receiveAsync(caller: Proc, src: number): boolean {
    const asyncBit = src === ANY ? firstBit(caller.asynPending) : this.procOf(src)!.index;
    if (asyncBit < 0) {
      caller.maybeAsync = false;
      return false;
    }
    if (!getBit(caller.asynPending, asyncBit)) return false;
    let r: number = Errno.ESRCH;
    if (src !== ANY) r = this.tryOne(src, this.procs[asyncBit]!, caller);
    else {
      for (let i = 0; i < this.procs.length && r !== OK; i++) {
        if (getBit(caller.asynPending, i)) r = this.tryOne(ANY, this.procs[i]!, caller);
      }
    }
    return r === OK;
  }

  /** The first queued sender that `src` accepts: its message into `m`, and the sender's SENDING cleared. */
  private receiveQueued(caller: Proc, src: number, m: Message): boolean {
    let prev: Proc | null = null;
    for (let s = caller.callerQ; s !== null; prev = s, s = s.qNext) {
      if (src !== ANY && s.endpoint !== src) continue;
      if (prev === null) caller.callerQ = s.qNext;
      else prev.qNext = s.qNext;
      s.qNext = null;
      m.copyFrom(s.sendMsg!);
      m.words[0] = s.endpoint;
      this.chargeCopy(s, caller);
      const type = m.words[1]!;
      const call = (s.misc & Mf.REPLY_PEND) !== 0 ? IpcCall.SENDREC : IpcCall.SEND;
      this.trace.record(this.clock.now(), TraceKind.ipcReceive, s.endpoint, caller.endpoint, type, call, s.sendLinkId);
      if (this.ipcObserver !== null) this.ipcObserver('receive', s.endpoint, caller.endpoint, type);
      s.sendMsg = null;
      s.sendTo = NONE;
      if ((s.rts & Rts.RECEIVING) === 0) s.retval = OK;
      this.rtsUnset(s, Rts.SENDING);
      return true;
    }
    return false;
  }

  private receiveDone(caller: Proc): number {
    caller.misc &= ~Mf.REPLY_PEND;
    caller.recvBuf = null;
    return OK;
  }

  /** deadlock: follows the chain of blocked processes; only a direct SEND(REC)/RECEIVE pair may close a cycle. */
  private deadlock(fn: number, cp: Proc, srcDst: number): boolean {
    let groupSize = 1;
    let next = srcDst;
    while (next !== ANY) {
      const xp = this.procOf(next);
      if (xp === undefined) return false;
      groupSize++;
      next = xp.blockedOn();
      if (next === NONE) return false;
      if (next === cp.endpoint) {
        if (groupSize === 2 && ((xp.rts ^ (fn << 2)) & Rts.SENDING) !== 0) return false;
        return true;
      }
      if (groupSize > this.procs.length) return false;
    }
    return false;
  }

  /** BuildNotifyMessage: type NOTIFY_MESSAGE, a timestamp, and the pending interrupt or signal bits. */
  private buildNotify(m: Message, from: Proc, dst: Proc): void {
    const w = m.words;
    w.fill(0);
    w[0] = from.endpoint;
    w[1] = NOTIFY_MESSAGE;
    const now = this.clock.now();
    w[2 + NotifyField.timestampLo] = now % 0x100000000;
    w[2 + NotifyField.timestampHi] = Math.floor(now / 0x100000000);
    if (from.endpoint === HARDWARE) {
      w[2 + NotifyField.bits] = dst.intPending;
      dst.intPending = 0;
    } else if (from.endpoint === SYSTEM) {
      w[2 + NotifyField.bits] = dst.sigPending;
      dst.sigPending = 0;
    }
  }

  /** mini_notify: delivers at once to a receiver waiting for it (not in SENDREC), else sets a pending bit. */
  miniNotify(caller: Proc, dst: Proc): number {
    const now = this.clock.now();
    if (this.willReceive(caller.endpoint, dst) && (dst.misc & Mf.REPLY_PEND) === 0) {
      this.buildNotify(dst.recvBuf!, caller, dst);
      this.trace.record(now, TraceKind.ipcNotify, caller.endpoint, dst.endpoint, 1, 0, 0);
      this.trace.record(now, TraceKind.ipcReceive, caller.endpoint, dst.endpoint, NOTIFY_MESSAGE, IpcCall.NOTIFY, 0);
      if (this.ipcObserver !== null) this.ipcObserver('notify', caller.endpoint, dst.endpoint, NOTIFY_MESSAGE);
      dst.recvBuf = null;
      dst.retval = OK;
      this.rtsUnset(dst, Rts.RECEIVING);
      return OK;
    }
    setBit(dst.notifyPending, caller.index);
    dst.maybeNotify = true;
    this.trace.record(now, TraceKind.ipcNotify, caller.endpoint, dst.endpoint, 0, 0, 0);
    if (this.ipcObserver !== null) this.ipcObserver('notify', caller.endpoint, dst.endpoint, NOTIFY_MESSAGE);
    return OK;
  }

  /** A notification from a kernel task (HARDWARE, CLOCK, SYSTEM, ASYNCM). */
  notifyFromKernel(task: number, dst: Proc): void {
    this.miniNotify(this.procs[task + NR_TASKS]!, dst);
  }

  /** mini_senda / try_deliver_senda: delivers what it can now, leaves the rest pending at the receivers. */
  private senda(caller: Proc): number {
    const table = caller.reqObj as AsyncEntry[] | null;
    const size = caller.reqA;
    if (!caller.priv!.system) return Errno.EPERM;
    caller.asyncTable = null;
    caller.asyncEndpoint = caller.endpoint;
    if (size === 0 || table === null) return OK;
    if (size > 16 * this.procs.length || size > table.length) return Errno.EDOM;
    let doNotify = false;
    let done = true;
    for (let i = 0; i < size; i++) {
      const e = table[i]!;
      const flags = e.flags;
      // An entry its sender has cleared (AMF_VALID off) before delivery is cancelled: it is never delivered,
      // and a message later put in the same entry is a new one.
      if (flags === 0 || (flags & AMF.VALID) === 0) {
        this.queuedAsync.delete(e);
        continue;
      }
      if ((flags & ~(AMF.VALID | AMF.DONE | AMF.NOTIFY | AMF.NOREPLY | AMF.NOTIFY_ERR)) !== 0) continue;
      if ((flags & AMF.DONE) !== 0) continue;
      const dstE = e.dst === SELF ? caller.endpoint : e.dst;
      let r: number = OK;
      const dst = this.procOf(dstE);
      if (dst === undefined) r = Errno.EDEADSRCDST;
      else if (dst.isKernelTask) r = Errno.ECALLDENIED;
      else if (!this.maySendTo(caller, dst)) r = Errno.ECALLDENIED;
      if (r === OK && this.willReceive(caller.endpoint, dst!) && ((flags & AMF.NOREPLY) === 0 || (dst!.misc & Mf.REPLY_PEND) === 0)) {
        this.deliver(caller, dst!, e.msg, 0);
      } else if (r === OK) {
        setBit(dst!.asynPending, caller.index);
        dst!.maybeAsync = true;
        if (!this.queuedAsync.has(e)) {
          this.queuedAsync.add(e);
          this.trace.record(this.clock.now(), TraceKind.ipcSend, caller.endpoint, dst!.endpoint, e.msg.words[1]!, 1, 0);
        }
        done = false;
        continue;
      }
      this.queuedAsync.delete(e);
      e.result = r;
      e.flags = flags | AMF.DONE;
      if ((flags & AMF.NOTIFY) !== 0 || (r !== OK && (flags & AMF.NOTIFY_ERR) !== 0)) doNotify = true;
    }
    if (doNotify) this.notifyFromKernel(ASYNCM, caller);
    if (!done) caller.asyncTable = table;
    caller.reqObj = null;
    return OK;
  }

  /** try_one: takes one asynchronous message for `dst` from `src`'s table. */
  private tryOne(receiveFrom: number, src: Proc, dst: Proc): number {
    clearBit(dst.asynPending, src.index);
    const table = src.asyncTable;
    if (table === null || src.asyncEndpoint !== src.endpoint) return Errno.EAGAIN;
    if (!this.maySendTo(src, dst)) return Errno.ECALLDENIED;
    let r: number = Errno.EAGAIN;
    let done = true;
    let doNotify = false;
    for (let i = 0; i < table.length; i++) {
      const e = table[i]!;
      const flags = e.flags;
      if (flags === 0 || (flags & AMF.VALID) === 0 || (flags & AMF.DONE) !== 0) continue;
      done = false;
      const dstE = e.dst === SELF ? src.endpoint : e.dst;
      if (dstE !== dst.endpoint) continue;
      if ((flags & AMF.NOREPLY) !== 0 && (dst.misc & Mf.REPLY_PEND) !== 0) continue;
      if (receiveFrom !== ANY && receiveFrom !== src.endpoint) continue;
      const m = dst.recvBuf!;
      m.copyFrom(e.msg);
      m.words[0] = src.endpoint;
      this.stats.messages++;
      this.trace.record(this.clock.now(), TraceKind.ipcReceive, src.endpoint, dst.endpoint, m.words[1]!, IpcCall.SENDA, 0);
      this.queuedAsync.delete(e);
      e.result = OK;
      e.flags = flags | AMF.DONE;
      if ((flags & AMF.NOTIFY) !== 0) doNotify = true;
      r = OK;
      break;
    }
    if (doNotify) this.notifyFromKernel(ASYNCM, src);
    if (done) src.asyncTable = null;
    else {
      setBit(dst.asynPending, src.index);
      dst.maybeAsync = true;
    }
    if (r === OK) {
      // The entry just delivered may have been the last one left.
      let any = false;
      for (const e of table) if ((e.flags & AMF.VALID) !== 0 && (e.flags & AMF.DONE) === 0) any = true;
      if (!any) {
        src.asyncTable = null;
        clearBit(dst.asynPending, src.index);
      }
    }
    return r;
  }

  // ---- process creation and death ------------------------------------------

  /** Creates a process; returns its endpoint or a negative error. */
  spawn(spec: SpawnSpec, creator: number): number {
    if (!this.programs.has(spec.program)) return Errno.ESRCH;
    const priority = spec.priority ?? USER_Q;
    if (!Number.isInteger(priority) || priority < 0 || priority >= NR_SCHED_QUEUES) return Errno.EINVAL;
    const memoryBytes = spec.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    if (!Number.isInteger(memoryBytes) || memoryBytes < 0) return Errno.EINVAL;
    let priv: Privilege;
    try {
      priv = new Privilege(spec.privilege ?? USER_PRIVILEGE);
    } catch {
      return Errno.EINVAL;
    }
    let p: Proc | undefined;
    const keep = spec.endpoint;
    if (keep !== undefined) {
      if (!Number.isInteger(keep) || keep < 0) return Errno.EINVAL;
      p = this.procs[endpointSlot(keep) + NR_TASKS];
      if (p === undefined || !p.isFree || p.endpoint !== keep) return Errno.EBUSY;
    } else {
      for (let i = NR_TASKS; i < this.procs.length; i++) {
        if (this.procs[i]!.isFree) {
          p = this.procs[i]!;
          break;
        }
      }
    }
    if (p === undefined) return Errno.EAGAIN;
    const pages = Math.ceil(memoryBytes / PAGE_BYTES);
    const frames = pages === 0 ? [] : this.memory.allocFrames(pages, p.index);
    if (frames === undefined) return Errno.ENOMEM;

    const lastGeneration = Math.floor((p.endpoint - p.slot) / GENERATION_SIZE);
    const generation = keep !== undefined ? lastGeneration : p.endpoint === NONE ? 0 : (lastGeneration + 1) % (MAX_GENERATION + 1);
    p.generation = generation;
    p.endpoint = makeEndpoint(generation, p.slot);
    p.name = spec.name ?? spec.program;
    p.program = spec.program;
    p.args = spec.args ?? {};
    p.misc = 0;
    p.priority = priority;
    p.quantumCycles = spec.quantumCycles ?? Math.max(1, secondsToCycles(DEFAULT_QUANTUM_SECONDS, this.clock.hz));
    p.quantumLeftCycles = p.quantumCycles;
    p.kernelMode = spec.kernelMode ?? false;
    p.sendTo = NONE;
    p.getFrom = NONE;
    p.callerQ = null;
    p.qNext = null;
    p.readyNext = null;
    p.sendMsg = null;
    p.recvBuf = null;
    p.notifyPending.fill(0);
    p.asynPending.fill(0);
    p.maybeNotify = false;
    p.maybeAsync = false;
    p.asyncTable = null;
    p.asyncEndpoint = NONE;
    p.intPending = 0;
    p.sigPending = 0;
    p.priv = priv;
    const space = new AddressSpace(this.nextSpaceId++);
    frames.forEach((paddr, i) => space.map(USER_BASE_VADDR + i * PAGE_BYTES, paddr, PAGE_BYTES, PagePerm.read | PagePerm.write));
    p.space = space;
    p.instance = space.id;
    p.memBaseVaddr = USER_BASE_VADDR;
    p.memBytes = memoryBytes;
    p.nextMapVaddr = MAPPED_PHYS_BASE_VADDR;
    p.grants = new GrantTable(priv.grantEntries);
    p.retval = OK;
    p.reqKind = 0;
    p.reqMsg = null;
    p.reqObj = null;
    p.workLeftCycles = 0;
    p.fault = null;
    p.trapPending = false;
    p.entryLocation = undefined;
    p.entryCallers = undefined;
    p.supervisor = spec.supervisor ?? creator;
    p.childEvents.length = 0;
    p.alarmTimer = 0;
    p.alarmAtCycles = 0;
    p.userCycles = 0;
    p.kernelCycles = 0;
    p.createdAtCycles = this.clock.now();
    p.ipcCount = 0;
    p.kernelCallCount = 0;
    p.linkId = 0;
    p.sendLinkId = 0;
    p.rts = spec.stopped === true ? Rts.NO_PRIV : 0;
    this.startProgram(p);
    if (p.rts === 0) this.enqueue(p);
    this.trace.recordLabelled(this.clock.now(), TraceKind.processCreated, creator, p.endpoint, priority, p.kernelMode ? 1 : 0, 0, p.name);
    this.observers.processCreated?.(p, creator);
    return p.endpoint;
  }

  /**
   * sys_update's slot swap (MINIX 3.4's RS_SWAP): `a` and `b` trade places in
   * the process table. Each goes on running its own program, memory, grants,
   * interrupt hooks and alarm, under the other's slot and endpoint; what is
   * addressed to an endpoint stays with it: the senders queued at it and the
   * notifications pending for it. `b` may be a free slot that keeps a dead
   * process's endpoint: `a` then takes that endpoint and leaves its own slot
   * free. RS swaps only processes that wait (a stopped replica, an instance
   * blocked on RS), so neither is in the middle of a rendezvous with the other.
   */
  swapSlots(a: Proc, b: Proc): void {
    const ia = a.index;
    const ib = b.index;
    const ea = a.endpoint;
    const eb = b.endpoint;
    [a.index, b.index] = [ib, ia];
    [a.slot, b.slot] = [b.slot, a.slot];
    [a.generation, b.generation] = [b.generation, a.generation];
    a.endpoint = eb;
    b.endpoint = ea;
    this.procs[ib] = a;
    this.procs[ia] = b;
    [a.callerQ, b.callerQ] = [b.callerQ, a.callerQ];
    [a.notifyPending, b.notifyPending] = [b.notifyPending, a.notifyPending];
    [a.maybeNotify, b.maybeNotify] = [b.maybeNotify, a.maybeNotify];
    // Pending asynchronous messages are the sender's table, which moves with its program: the bits that name them move too.
    for (const p of this.procs) {
      const bitA = getBit(p.asynPending, ia);
      const bitB = getBit(p.asynPending, ib);
      if (bitA === bitB) continue;
      if (bitA) {
        clearBit(p.asynPending, ia);
        setBit(p.asynPending, ib);
      } else {
        clearBit(p.asynPending, ib);
        setBit(p.asynPending, ia);
      }
    }
    for (const p of [a, b]) if (p.asyncTable !== null) p.asyncEndpoint = p.endpoint;
    this.memory.swapOwners(ia, ib);
    for (const hook of this.irqHooks) {
      if (hook === null) continue;
      if (hook.endpoint === ea) hook.endpoint = eb;
      else if (hook.endpoint === eb) hook.endpoint = ea;
    }
    for (const p of [a, b]) if (!p.isFree && p.alarmTimer !== 0) this.setAlarm(p, p.alarmAtCycles);
    // An endpoint left to a free slot is dead: whoever waits on it learns so, as at a death.
    for (const p of [a, b]) if (p.isFree) this.releaseWaitersOf(p);
  }

  /** Everyone blocked sending to or receiving from `p`'s endpoint fails with EDEADSRCDST. */
  private releaseWaitersOf(p: Proc): void {
    for (const other of this.procs) {
      if (other.isFree || other === p) continue;
      if (other.blockedOn() === p.endpoint) {
        other.retval = Errno.EDEADSRCDST;
        this.clearIpc(other);
      }
    }
    for (let s = p.callerQ; s !== null; s = s.qNext) s.qNext = null;
    p.callerQ = null;
  }

  /** clear_ipc: takes a process out of any IPC it is blocked in. */
  private clearIpc(p: Proc): void {
    if ((p.rts & Rts.SENDING) !== 0) {
      const dst = this.procOf(p.sendTo);
      if (dst !== undefined) {
        let prev: Proc | null = null;
        for (let x = dst.callerQ; x !== null; prev = x, x = x.qNext) {
          if (x !== p) continue;
          if (prev === null) dst.callerQ = x.qNext;
          else prev.qNext = x.qNext;
          break;
        }
      }
      p.qNext = null;
      p.sendMsg = null;
      p.sendTo = NONE;
    }
    p.recvBuf = null;
    p.misc &= ~Mf.REPLY_PEND;
    this.rtsUnset(p, Rts.SENDING | Rts.RECEIVING);
  }

  /**
   * Ends a process for `reason`: unblocks everyone blocked on it with
   * EDEADSRCDST, clears its pending bits everywhere, frees its memory and slot,
   * and tells its supervisor. A kernel-mode process that crashes or faults panics the kernel.
   */
  endProcess(p: Proc, reason: ExitReason): void {
    if (p.isFree || p.isKernelTask) return;
    if (p.kernelMode && (reason.kind === 'crash' || reason.kind === 'fault')) {
      const what = reason.kind === 'crash' ? reason.message : `page fault at 0x${reason.vaddr.toString(16)}`;
      this.panic(`${p.name}: ${what}`, p.endpoint);
      return;
    }
    const now = this.clock.now();
    switch (reason.kind) {
      case 'exit':
        this.trace.record(now, TraceKind.exit, p.endpoint, NONE, reason.status, 0, 0);
        break;
      case 'crash':
        this.trace.recordLabelled(now, TraceKind.crash, p.endpoint, NONE, 0, 0, 0, reason.message);
        break;
      case 'fault':
        this.trace.recordLabelled(now, TraceKind.fault, p.endpoint, NONE, reason.vaddr | 0, reason.access === 'write' ? 1 : 0, 0, reason.reason);
        break;
      case 'signal':
        this.trace.record(now, TraceKind.kill, reason.by, p.endpoint, reason.signal, 0, 0);
        break;
      case 'panic':
        break;
    }
    if (p.rts === 0) this.dequeue(p);
    this.clearIpc(p);
    if (p.rts === 0) this.dequeue(p);
    p.rts = Rts.SLOT_FREE;
    for (const other of this.procs) {
      if (other.isFree || other === p) continue;
      clearBit(other.notifyPending, p.index);
      clearBit(other.asynPending, p.index);
    }
    this.releaseWaitersOf(p);
    if (p.alarmTimer !== 0) this.clock.cancel(p.alarmTimer);
    p.alarmTimer = 0;
    for (let i = 0; i < this.irqHooks.length; i++) if (this.irqHooks[i]?.endpoint === p.endpoint) this.irqHooks[i] = null;
    // A device may not keep reaching memory the dying process mapped for it, once that memory is someone else's.
    this.dmaMapper?.release(p);
    this.memory.freeFramesOf(p.index);
    // A program that runs outside the simulator (a user driver in its own process) lets that process go.
    (p.gen as { release?: () => void } | null)?.release?.();
    p.gen = null;
    p.space = null;
    p.grants = null;
    p.asyncTable = null;
    p.childEvents.length = 0;
    p.reqObj = null;
    p.reqMsg = null;
    if (this.current === p) this.current = null;
    this.observers.processEnded?.(p, reason);
    const sup = this.procOf(p.supervisor);
    if (sup !== undefined && !sup.isKernelTask) {
      const event: ChildEvent = { endpoint: p.endpoint, name: p.name, program: p.program, reason, timeCycles: now };
      sup.childEvents.push(event);
      sup.sigPending |= 1 << SIGCHLD;
      this.notifyFromKernel(SYSTEM, sup);
    }
  }

  panic(message: string, endpoint: number): void {
    if (this.panicked !== null) return;
    const now = this.clock.now();
    this.panicked = { message, endpoint, timeCycles: now };
    this.trace.recordLabelled(now, TraceKind.panic, endpoint, NONE, 0, 0, 0, message);
    this.observers.panic?.(message, endpoint);
  }

  // ---- interrupts and ports ------------------------------------------------

  /** An interrupt line was raised: each unmasked hook gets a HARDWARE notification and is masked unless IRQ_REENABLE. */
  raiseIrq(irq: number): void {
    if (this.panicked !== null) return;
    this.stats.interrupts++;
    this.charge(null, this.cost.interruptCycles, 'interrupt');
    let delivered = false;
    let target = NONE;
    for (const hook of this.irqHooks) {
      if (hook === null || hook.irq !== irq) continue;
      if (hook.masked) {
        hook.pending = true;
        continue;
      }
      this.fireHook(hook);
      delivered = true;
      target = hook.endpoint;
    }
    this.trace.record(this.clock.now(), TraceKind.interrupt, HARDWARE, target, irq, delivered ? 1 : 0, 0);
  }

  fireHook(hook: IrqHook): void {
    const p = this.procOf(hook.endpoint);
    if (p === undefined) return;
    if ((hook.policy & IRQ_REENABLE) === 0) hook.masked = true;
    hook.pending = false;
    p.intPending |= 1 << hook.notifyId;
    this.notifyFromKernel(HARDWARE, p);
  }

  registerPorts(base: number, count: number, device: PortDevice): void {
    for (const r of this.ports) {
      if (base < r.base + r.count && r.base < base + count) throw new RangeError(`ports ${base}+${count} overlap ${r.device.name}`);
    }
    this.ports.push({ base, count, device });
  }

  portDevice(port: number): PortDevice | undefined {
    for (const r of this.ports) if (port >= r.base && port < r.base + r.count) return r.device;
    return undefined;
  }

  // ---- memory access on behalf of processes --------------------------------

  /** Copies bytes between two processes' address spaces; EFAULT if either range is not mapped as needed. */
  copyBetween(src: Proc, srcVaddr: number, dst: Proc, dstVaddr: number, bytes: number): number {
    if (src.space === null || dst.space === null) return Errno.EFAULT;
    if (!src.space.covers(srcVaddr, bytes, PagePerm.read)) return Errno.EFAULT;
    if (!dst.space.covers(dstVaddr, bytes, PagePerm.write)) return Errno.EFAULT;
    const tmp = new Uint8Array(bytes);
    const mem = this.memory.bytes;
    src.space.forEachPiece(srcVaddr, bytes, (pa, off, len) => tmp.set(mem.subarray(pa, pa + len), off));
    dst.space.forEachPiece(dstVaddr, bytes, (pa, off, len) => mem.set(tmp.subarray(off, off + len), pa));
    return OK;
  }

  /** Schedules a CLOCK notification for `p` at `atCycles`, replacing its previous alarm. */
  setAlarm(p: Proc, atCycles: number): void {
    if (p.alarmTimer !== 0) this.clock.cancel(p.alarmTimer);
    p.alarmTimer = 0;
    p.alarmAtCycles = 0;
    if (atCycles <= 0) return;
    const endpoint = p.endpoint;
    p.alarmAtCycles = atCycles;
    p.alarmTimer = this.clock.scheduleAt(
      Math.max(atCycles, this.clock.now()),
      () => {
        const target = this.procOf(endpoint);
        if (target === undefined) return;
        target.alarmTimer = 0;
        target.alarmAtCycles = 0;
        this.trace.record(this.clock.now(), TraceKind.alarm, CLOCK, endpoint, 0, 0, 0);
        this.notifyFromKernel(CLOCK, target);
      },
      'alarm',
      EventPriority.timer,
    );
  }
}
