// The SDK programs are written against, named after MINIX's libsys. Blocking
// calls are used as `const r = yield sys.sendrec(dst, m)`: the method records
// the request and returns a trap token; the kernel runs the request and
// resumes the program with the status (OK or a negative error). Results
// beyond the status go to out-parameters (Ref and friends), as in C.
import {
  DIO, GetInfo, IrqCtl, IpcCall, KERNEL_CALL_TRAP, KernelCall,
} from '../kernel/constants';
import type { Message } from '../kernel/message';
import type { Proc, ProgramArgs } from '../kernel/proc';
import type { AsyncTable } from '../kernel/asyncTable';
import type { GrantTable } from '../kernel/grants';
import type {
  ChildEventOut, EndpointLookup, IntegrityOut, ProcInfoOut, Ref, SpawnRequest, TimesOut,
} from '../kernel/systemCalls';
import type { PrivilegeSpec } from '../kernel/privilege';
import { MmuFault, PagePerm, faultReason } from '../hw/mmu';
import type { PhysicalMemory } from '../hw/memory';
import type { RandomStream } from '../core/random';
import { WordAccess } from './wordAccess';

declare const trapBrand: unique symbol;
/** What a program yields at each kernel entry. Only the SDK makes these. */
export type Trap = { readonly [trapBrand]: true };
const TRAP = Object.freeze({}) as Trap;

/** A program: a generator that yields traps, is resumed with their status, and may return an exit status. */
export type Program = Generator<Trap, number | void, number>;
export type ProgramMain = (sys: Sys) => Program;

/** The request kind for simulated user work: not a kernel entry. */
export const WORK_REQUEST = -1;
/** A work request's length that means: spin until the next event (sys.spin). */
export const SPIN = -1;
/** The request kind for a load or store to a mapped device register: not a kernel entry either. */
export const MAPPED_IO_REQUEST = -2;

/** What the SDK needs from the simulator hosting it. */
export interface SysHost {
  readonly memory: PhysicalMemory;
  /** The process's own seeded random stream. */
  randomFor(p: Proc): RandomStream;
  now(): number;
  /** The clock's rate in cycles per second. */
  readonly clockHz: number;
  /** Read at every kernel entry: keep it a plain field. */
  readonly settings: { captureSourceLocations: boolean };
}

/** A process's own memory, reached through its MMU. A bad access faults and the kernel kills the process. */
export class UserMemory extends WordAccess {
  private brk: number;

  constructor(
    private readonly p: Proc,
    private readonly physical: PhysicalMemory,
  ) {
    super();
    this.brk = p.memBaseVaddr;
  }

  /** First virtual address of the process's private memory. */
  get baseVaddr(): number {
    return this.p.memBaseVaddr;
  }

  get sizeBytes(): number {
    return this.p.memBytes;
  }

  /** A bump allocator over the private memory; returns a virtual address (8-byte aligned). */
  alloc(bytes: number): number {
    const vaddr = this.brk;
    const end = vaddr + Math.ceil(bytes / 8) * 8;
    if (end > this.p.memBaseVaddr + this.p.memBytes) throw new RangeError(`out of memory: ${bytes} bytes requested`);
    this.brk = end;
    return vaddr;
  }

  read(vaddr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.check(vaddr, length, PagePerm.read);
    const mem = this.physical.bytes;
    this.p.space!.forEachPiece(vaddr, length, (pa, off, len) => out.set(mem.subarray(pa, pa + len), off));
    return out;
  }

  write(vaddr: number, data: Uint8Array): void {
    this.check(vaddr, data.length, PagePerm.write);
    const mem = this.physical.bytes;
    this.p.space!.forEachPiece(vaddr, data.length, (pa, off, len) => mem.set(data.subarray(off, off + len), pa));
  }

  private check(vaddr: number, length: number, perm: number): void {
    const space = this.p.space;
    if (space !== null && space.covers(vaddr, length, perm)) return;
    let bad = vaddr;
    if (space !== null) {
      for (let a = vaddr; a < vaddr + length; a++) {
        if (space.translate(a, perm) < 0) {
          bad = a;
          break;
        }
      }
    }
    const code = space === null ? -1 : space.translate(bad, perm);
    const fault = new MmuFault(bad, perm === PagePerm.write ? 'write' : 'read', faultReason(code));
    this.p.fault = fault;
    throw fault;
  }
}

export class Sys {
  readonly mem: UserMemory;
  private rng: RandomStream | undefined;
  private readonly settings: { captureSourceLocations: boolean };

  constructor(
    private readonly p: Proc,
    private readonly host: SysHost,
  ) {
    this.mem = new UserMemory(p, host.memory);
    this.settings = host.settings;
  }

  /** This process's endpoint. */
  get endpoint(): number {
    return this.p.endpoint;
  }

  get name(): string {
    return this.p.name;
  }

  get args(): ProgramArgs {
    return this.p.args;
  }

  /** The grant table the kernel checks grants against (set at creation, replaced by sys_setgrant). */
  get grants(): GrantTable | null {
    return this.p.grants;
  }

  /** A random stream of this process, seeded from the simulator's seed and the process's name and generation. */
  get random(): RandomStream {
    return (this.rng ??= this.host.randomFor(this.p));
  }

  /** The clock as a process can read it without a kernel call (MINIX's shared kernel-info page). */
  uptimeCycles(): number {
    return this.host.now();
  }

  /** Cycles per second of the clock uptimeCycles counts (MINIX's sys_hz, for cycles): turn seconds into cycles with simulator/time (also in the SDK). */
  get clockHz(): number {
    return this.host.clockHz;
  }

  /** Whether the simulator wants each kernel entry's source location (a debugger is attached). */
  get capturesSourceLocations(): boolean {
    return this.settings.captureSourceLocations;
  }

  /**
   * For a program whose code runs outside this thread (a user driver in its own
   * thread): the program's frames at its last kernel entry, innermost first, as
   * file:line:column, found by its own side of the boundary.
   */
  setEntryFrames(frames: readonly string[]): void {
    this.p.entryLocation = frames[0];
    this.p.entryCallers = frames.length > 1 ? frames.slice(1) : undefined;
  }

  private entry(kind: number): Trap {
    const p = this.p;
    p.reqKind = kind;
    if (this.settings.captureSourceLocations) {
      const frames = programFrames(ENTRY);
      p.entryLocation = frames[0];
      p.entryCallers = frames.length > 1 ? frames.slice(1) : undefined;
    } else if (p.entryLocation !== undefined) {
      // Not captured: an entry has no location rather than the last captured one's.
      p.entryLocation = undefined;
      p.entryCallers = undefined;
    }
    return TRAP;
  }

  private ipc(call: number, srcDst: number, m: Message | null): Trap {
    const p = this.p;
    p.reqA = srcDst;
    p.reqMsg = m;
    return this.entry(call);
  }

  private call(nr: number, a = 0, b = 0, c = 0, d = 0, e = 0, obj: unknown = null): Trap {
    const p = this.p;
    p.reqCall = nr;
    p.reqA = a;
    p.reqB = b;
    p.reqC = c;
    p.reqD = d;
    p.reqE = e;
    p.reqObj = obj;
    return this.entry(KERNEL_CALL_TRAP);
  }

  // ---- IPC -----------------------------------------------------------------

  /** SEND: blocks until `dst` takes the message. */
  send(dst: number, m: Message): Trap {
    return this.ipc(IpcCall.SEND, dst, m);
  }

  /** RECEIVE from an endpoint or ANY; the message lands in `m`. */
  receive(src: number, m: Message): Trap {
    return this.ipc(IpcCall.RECEIVE, src, m);
  }

  /** SENDREC: sends `m` and waits for the reply from `dst` in `m`; notifications wait meanwhile. */
  sendrec(dst: number, m: Message): Trap {
    return this.ipc(IpcCall.SENDREC, dst, m);
  }

  /** NOTIFY: never blocks; sets a pending bit if `dst` is not waiting. */
  notify(dst: number): Trap {
    return this.ipc(IpcCall.NOTIFY, dst, null);
  }

  /** SENDNB: like SEND, but ENOTREADY instead of blocking. */
  sendnb(dst: number, m: Message): Trap {
    return this.ipc(IpcCall.SENDNB, dst, m);
  }

  /** SENDA: hands the kernel a table of asynchronous messages; results appear in the table. */
  senda(table: AsyncTable, count: number = table.length): Trap {
    const p = this.p;
    p.reqA = count;
    p.reqObj = table;
    p.reqMsg = null;
    return this.entry(IpcCall.SENDA);
  }

  /** Simulated computation: `cycles` of user work (preemptible; timers and interrupts interleave). */
  compute(cycles: number): Trap {
    if (!Number.isSafeInteger(cycles) || cycles < 0) throw new RangeError('compute() takes a non-negative integer of cycles');
    this.p.reqA = cycles;
    this.p.reqKind = WORK_REQUEST;
    return TRAP;
  }

  /**
   * Busy-waits, as a poll loop does, until something happens on the machine
   * (the simulation's next event: a device finishing work, a timer) or for at
   * most `maxCycles`: the time is the program's own, charged as user time,
   * and the program runs again to look at what changed. The simulation does
   * not step through the empty polls.
   */
  spin(maxCycles = -1): Trap {
    if (maxCycles !== -1 && (!Number.isSafeInteger(maxCycles) || maxCycles < 1)) throw new RangeError('spin() takes a positive integer of cycles');
    this.p.reqA = SPIN;
    this.p.reqB = maxCycles;
    this.p.reqKind = WORK_REQUEST;
    return TRAP;
  }

  /**
   * Reads a 32-bit device register mapped into this process (its privilege's
   * mappedIo): a load from user mode, no kernel entry. The status is EPERM for
   * a register not mapped, as a page fault would be.
   */
  reg_read(port: number, value: Ref<number>): Trap {
    this.p.reqKind = MAPPED_IO_REQUEST;
    this.p.reqA = 0;
    this.p.reqB = port;
    this.p.reqObj = value;
    return TRAP;
  }

  /** Writes a 32-bit mapped device register from user mode: a posted store, no kernel entry. */
  reg_write(port: number, value: number): Trap {
    this.p.reqKind = MAPPED_IO_REQUEST;
    this.p.reqA = 1;
    this.p.reqB = port;
    this.p.reqC = value;
    return TRAP;
  }

  // ---- kernel calls: devices and interrupts --------------------------------

  sys_inb(port: number, value: Ref<number>): Trap {
    return this.call(KernelCall.DEVIO, DIO.INPUT | DIO.BYTE, port, 0, 0, 0, value);
  }

  sys_inw(port: number, value: Ref<number>): Trap {
    return this.call(KernelCall.DEVIO, DIO.INPUT | DIO.WORD, port, 0, 0, 0, value);
  }

  sys_inl(port: number, value: Ref<number>): Trap {
    return this.call(KernelCall.DEVIO, DIO.INPUT | DIO.LONG, port, 0, 0, 0, value);
  }

  sys_outb(port: number, value: number): Trap {
    return this.call(KernelCall.DEVIO, DIO.OUTPUT | DIO.BYTE, port, value);
  }

  sys_outw(port: number, value: number): Trap {
    return this.call(KernelCall.DEVIO, DIO.OUTPUT | DIO.WORD, port, value);
  }

  sys_outl(port: number, value: number): Trap {
    return this.call(KernelCall.DEVIO, DIO.OUTPUT | DIO.LONG, port, value);
  }

  /** SDEVIO: string I/O between a port and the caller's memory; `req` is DIO.INPUT/OUTPUT | BYTE/WORD/LONG. */
  sys_sdevio(req: number, port: number, vaddr: number, bytes: number): Trap {
    return this.call(KernelCall.SDEVIO, req, port, vaddr, bytes);
  }

  sys_insb(port: number, vaddr: number, bytes: number): Trap {
    return this.sys_sdevio(DIO.INPUT | DIO.BYTE, port, vaddr, bytes);
  }

  sys_outsb(port: number, vaddr: number, bytes: number): Trap {
    return this.sys_sdevio(DIO.OUTPUT | DIO.BYTE, port, vaddr, bytes);
  }

  /** IRQCTL set policy: `hookId.value` is the bit to report in notifications; on return, the kernel's hook id. */
  sys_irqsetpolicy(irq: number, policy: number, hookId: Ref<number>): Trap {
    return this.call(KernelCall.IRQCTL, IrqCtl.SETPOLICY, irq, policy, 0, 0, hookId);
  }

  sys_irqrmpolicy(hookId: Ref<number>): Trap {
    return this.call(KernelCall.IRQCTL, IrqCtl.RMPOLICY, 0, 0, 0, 0, hookId);
  }

  sys_irqenable(hookId: Ref<number>): Trap {
    return this.call(KernelCall.IRQCTL, IrqCtl.ENABLE, 0, 0, 0, 0, hookId);
  }

  sys_irqdisable(hookId: Ref<number>): Trap {
    return this.call(KernelCall.IRQCTL, IrqCtl.DISABLE, 0, 0, 0, 0, hookId);
  }

  // ---- kernel calls: memory and grants -------------------------------------

  /**
   * DMAMAP: maps a page-aligned buffer of the caller for `deviceId` (whose
   * ports the caller must be granted) before a transfer; its IO-virtual
   * address goes to `iova`. Without an IOMMU it only translates.
   */
  sys_dmamap(deviceId: number, vaddr: number, bytes: number, write: boolean, iova: Ref<number>): Trap {
    return this.call(KernelCall.DMAMAP, 1, deviceId, vaddr, bytes, write ? 1 : 0, iova);
  }

  /** DMAMAP: unmaps a buffer sys_dmamap mapped, once the device is done with it. */
  sys_dmaunmap(deviceId: number, vaddr: number, bytes: number, iova: Ref<number>): Trap {
    return this.call(KernelCall.DMAMAP, 0, deviceId, vaddr, bytes, 0, iova);
  }

  /** UMAP: the physical address of [vaddr, vaddr+bytes) of `endpoint` (SELF allowed), if contiguous. */
  sys_umap(endpoint: number, vaddr: number, bytes: number, paddr: Ref<number>): Trap {
    return this.call(KernelCall.UMAP, endpoint, vaddr, bytes, 0, 0, paddr);
  }

  /** VIRCOPY: copies between two processes' address spaces (SELF allowed). */
  sys_vircopy(srcEndpoint: number, srcVaddr: number, dstEndpoint: number, dstVaddr: number, bytes: number): Trap {
    return this.call(KernelCall.VIRCOPY, srcEndpoint, srcVaddr, dstEndpoint, dstVaddr, bytes);
  }

  /** SAFECOPYFROM: copies from `granter`'s grant (at `offset`) to our `vaddr`. */
  sys_safecopyfrom(granter: number, grant: number, offset: number, vaddr: number, bytes: number): Trap {
    return this.call(KernelCall.SAFECOPYFROM, granter, grant, offset, vaddr, bytes);
  }

  /** SAFECOPYTO: copies from our `vaddr` into `granter`'s grant (at `offset`). */
  sys_safecopyto(granter: number, grant: number, offset: number, vaddr: number, bytes: number): Trap {
    return this.call(KernelCall.SAFECOPYTO, granter, grant, offset, vaddr, bytes);
  }

  /** SETGRANT: tells the kernel which grant table to check (null removes it). */
  sys_setgrant(table: GrantTable | null): Trap {
    return this.call(KernelCall.SETGRANT, 0, 0, 0, 0, 0, table);
  }

  /** MAPPHYS (VM's vm_map_phys): maps physical memory within the privilege's memory ranges; the address goes to `vaddr`. */
  sys_mapphys(paddr: number, bytes: number, vaddr: Ref<number>): Trap {
    return this.call(KernelCall.MAPPHYS, paddr, bytes, 0, 0, 0, vaddr);
  }

  cpf_grant_direct(whoTo: number, vaddr: number, bytes: number, access: number): number {
    return this.p.grants === null ? -1 : this.p.grants.grantDirect(whoTo, vaddr, bytes, access);
  }

  cpf_grant_indirect(whoTo: number, whoFrom: number, grant: number): number {
    return this.p.grants === null ? -1 : this.p.grants.grantIndirect(whoTo, whoFrom, grant);
  }

  cpf_grant_magic(whoTo: number, whoFrom: number, vaddr: number, bytes: number, access: number): number {
    return this.p.grants === null ? -1 : this.p.grants.grantMagic(whoTo, whoFrom, vaddr, bytes, access);
  }

  cpf_revoke(grant: number): number {
    return this.p.grants === null ? -22 : this.p.grants.revoke(grant);
  }

  // ---- kernel calls: time, processes, information --------------------------

  /** SETALARM: a CLOCK notification after `cycles` (or at `cycles` if absolute); 0 cancels. Time left of the old alarm goes to `previousLeft`. */
  sys_setalarm(cycles: number, absolute = false, previousLeft: Ref<number> | null = null): Trap {
    return this.call(KernelCall.SETALARM, cycles, absolute ? 1 : 0, 0, 0, 0, previousLeft);
  }

  sys_times(endpoint: number, out: TimesOut): Trap {
    return this.call(KernelCall.TIMES, endpoint, 0, 0, 0, 0, out);
  }

  sys_whoami(out: ProcInfoOut): Trap {
    return this.call(KernelCall.GETINFO, GetInfo.WHOAMI, 0, 0, 0, 0, out);
  }

  sys_getprocinfo(endpoint: number, out: ProcInfoOut): Trap {
    return this.call(KernelCall.GETINFO, GetInfo.PROC, endpoint, 0, 0, 0, out);
  }

  sys_getuptime(out: Ref<number>): Trap {
    return this.call(KernelCall.GETINFO, GetInfo.MONOTONIC, 0, 0, 0, 0, out);
  }

  /** GETINFO by name: a stand-in for the data store's ds_retrieve_label_endpt. */
  sys_getendpoint(lookup: EndpointLookup): Trap {
    return this.call(KernelCall.GETINFO, GetInfo.ENDPOINT, 0, 0, 0, 0, lookup);
  }

  /** PRIVCTL: PrivCtl.ALLOW lets a stopped process run, DISALLOW stops it, SET_SYS replaces its privileges. */
  sys_privctl(endpoint: number, request: number, privilege: PrivilegeSpec | null = null): Trap {
    return this.call(KernelCall.PRIVCTL, endpoint, request, 0, 0, 0, privilege);
  }

  /** KILL: SIGKILL ends the process; other signals reach system processes as notifications from SYSTEM. */
  sys_kill(endpoint: number, signal: number): Trap {
    return this.call(KernelCall.KILL, endpoint, signal);
  }

  /** EXIT: ends this process with `status`; the supervisor is told. Does not return. */
  sys_exit(status = 0): Trap {
    return this.call(KernelCall.EXIT, status);
  }

  /** GETKSIG: the next ended child of this supervisor, or null. Call after a notification from SYSTEM. */
  sys_getksig(out: ChildEventOut): Trap {
    return this.call(KernelCall.GETKSIG, 0, 0, 0, 0, 0, out);
  }

  /** SPAWN: creates a process running a registered program; its endpoint goes to `req.endpoint`. */
  sys_spawn(req: SpawnRequest): Trap {
    return this.call(KernelCall.SPAWN, 0, 0, 0, 0, 0, req);
  }

  /**
   * UPDATE (sys_update, RS_SWAP): the process at `src` takes the slot and
   * endpoint of `dst` (a live process, which takes `src`'s in turn, or a dead
   * one whose slot is still free), so a new instance of a service keeps the
   * endpoint its clients know.
   */
  sys_update(src: number, dst: number): Trap {
    return this.call(KernelCall.UPDATE, src, dst);
  }

  /** KCHECK: verifies the checksums of kernel memory. */
  sys_kcheck(out: IntegrityOut): Trap {
    return this.call(KernelCall.KCHECK, 0, 0, 0, 0, 0, out);
  }

  /** A kernel call by number with raw arguments, for fault injection (bad arguments) and tests. */
  sys_call(nr: number, a = 0, b = 0, c = 0, d = 0, e = 0, obj: unknown = null): Trap {
    return this.call(nr, a, b, c, d, e, obj);
  }

  /** An IPC trap by number with raw arguments, for fault injection and tests. */
  ipc_raw(call: number, srcDst: number, m: Message | null): Trap {
    return this.ipc(call, srcDst, m);
  }
}

/** The SDK method every trap goes through: frames from it up are the SDK's own, left out of an entry's location. */
const ENTRY = Sys.prototype['entry'] as (...args: never[]) => unknown;

/** A stack frame as V8 gives it to `Error.prepareStackTrace` (the part of its CallSite read here). */
interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
  getFunctionName(): string | null;
  getTypeName(): string | null;
}

/** The engine's stack-trace hooks (V8's; absent elsewhere, where `programFrames` falls back to the stack's text). */
interface StackTraceHooks {
  captureStackTrace?(target: object, below?: (...args: never[]) => unknown): void;
  prepareStackTrace?: ((error: unknown, sites: CallSite[]) => unknown) | undefined;
}

/**
 * Turns a frame's generated position (its file as the engine names it, 1-based line and column) into the location
 * kernel entries carry, `file:line:column`: where a source map is known, the original file's (a driver's
 * TypeScript line), as the engine's own stack text shows it with source maps enabled.
 */
export type PositionMapper = (file: string, line: number, column: number) => string;

/** Null until a host sets one: then frames are read from the stack's text, which the engine maps itself (Node with --enable-source-maps). */
let mapPosition: PositionMapper | null = null;
/**
 * What each position is, by file and position: its location, or null for a frame of the SDK itself (left out). A
 * program's kernel entries come from a few hundred call sites, each looked at once.
 */
const located = new Map<string, Map<number, string | null>>();
let locatedCount = 0;
/** Positions kept at most; past it the cache starts again (generated code, e.g. an eval, could bring new ones forever). */
const MAX_LOCATED = 100_000;

/**
 * Sets how generated positions become locations, for the whole process, and with it that frames are read from the
 * engine's structured call sites, each position mapped once (the Node host sets one that reads source maps). Without
 * one (null), frames are read from the stack's text, as the engine formats it. Locations already mapped are forgotten.
 */
export function setPositionMapper(mapper: PositionMapper | null): void {
  mapPosition = mapper;
  located.clear();
  locatedCount = 0;
}

/**
 * The location of a frame with a file, or null for the SDK's own frames (a method of Sys, or, where a minified
 * bundle renamed the class, a position the source map puts in the SDK's file). What a position is never changes,
 * so it is worked out once: the engine's accessors are calls into its runtime, and the type name the dearest.
 */
function locate(site: CallSite, file: string, map: PositionMapper): string | null {
  const line = site.getLineNumber() ?? 0;
  const column = site.getColumnNumber() ?? 0;
  let byPosition = located.get(file);
  if (byPosition === undefined) {
    if (locatedCount >= MAX_LOCATED) {
      located.clear();
      locatedCount = 0;
    }
    byPosition = new Map();
    located.set(file, byPosition);
  }
  // Columns past 2^20 are not distinguished; lines stay exact.
  const key = line * 0x100000 + Math.min(column, 0xfffff);
  let location = byPosition.get(key);
  if (location === undefined) {
    const mapped = map(file, line, column);
    location = site.getTypeName() === 'Sys' || SDK_FILE.test(mapped) ? null : mapped;
    byPosition.set(key, location);
    locatedCount++;
  }
  return location;
}

/** A generator's resumption (`next`, native): the scheduler's, or a `yield*` delegation's. */
function isResumption(site: CallSite): boolean {
  const file = site.getFileName();
  return (file === null || file === undefined) && site.getFunctionName() === 'next';
}

/** The SDK's own file, where a minified bundle renamed the class (after source mapping). */
const SDK_FILE = /[\\/]sdk[\\/]sys\.[jt]s:/;

const toCallSites = (_error: unknown, sites: CallSite[]): CallSite[] => sites;

/**
 * The program's own frames at a kernel entry, innermost first, as
 * file:line:column: every located frame outside the SDK above the last
 * generator resumption (the scheduler's `next`), so helpers reached by `yield*`
 * or by plain calls are included. Only as many as the engine's stack trace
 * limit keeps (the debug adapter raises it). `below` is the SDK function that
 * asks (its frame and those above it are left out).
 *
 * The frames are read as the engine's structured call sites, and each position
 * is mapped once (`setPositionMapper`): formatting the whole stack as text, with
 * a source-map lookup per frame, at every kernel entry made a debugged run some
 * 20 times slower than the same run undebugged.
 */
function programFrames(below: (...args: never[]) => unknown): string[] {
  const hooks = Error as unknown as StackTraceHooks;
  const map = mapPosition;
  if (map === null || hooks.captureStackTrace === undefined) return programFramesOfText(new Error().stack);
  const previous = hooks.prepareStackTrace;
  const holder: { stack?: unknown } = {};
  let sites: CallSite[];
  hooks.prepareStackTrace = toCallSites;
  try {
    hooks.captureStackTrace(holder, below);
    sites = holder.stack as CallSite[];
  } finally {
    hooks.prepareStackTrace = previous;
  }
  if (!Array.isArray(sites)) return [];
  let end = sites.length;
  for (let i = sites.length - 1; i >= 0; i--) {
    if (isResumption(sites[i]!)) {
      end = i;
      break;
    }
  }
  const frames: string[] = [];
  for (let i = 0; i < end; i++) {
    const site = sites[i]!;
    // A resumption (a yield* delegation's `next`) and other native frames have no file.
    const file = site.getFileName();
    if (file === null || file === undefined) continue;
    const location = locate(site, file, map);
    if (location !== null) frames.push(location);
  }
  return frames;
}

/** The line where the program's code was resumed by the scheduler: everything above it is the program's. */
const RESUMED = /\bnext \(<anonymous>\)\s*$/;
const LOCATED = /\(?([^\s()]+:\d+:\d+)\)?\s*$/;

/** `programFrames` from a stack's text: where no host set a position mapper, or the engine has no structured stack traces. */
function programFramesOfText(stack: string | undefined): string[] {
  if (stack === undefined) return [];
  const lines = stack.split('\n');
  let end = lines.length;
  for (let i = lines.length - 1; i > 0; i--) {
    if (RESUMED.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  const frames: string[] = [];
  for (let i = 1; i < end; i++) {
    const line = lines[i]!;
    if (RESUMED.test(line) || line.includes('Sys.') || line.includes('programFrames') || SDK_FILE.test(line)) continue;
    const m = LOCATED.exec(line);
    if (m !== null) frames.push(m[1]!);
  }
  return frames;
}
