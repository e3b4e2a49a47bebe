// Fault injection: an interception layer around a program's generator, so the
// same faults reach built-in and user drivers alike. An armed fault takes
// effect the next time its target instance runs: it crashes, hangs (computes
// forever without entering the kernel, which only RS's heartbeat notices),
// writes outside its memory (an MMU fault), programs its device's DMA at
// kernel memory or another process's memory, or leaks memory until it runs out;
// an interface fault corrupts its next call, and a code-level fault turns on the
// mutation of one site of its code (an instance whose code is open: wrapOpened).
import type { Simulator } from '../engine/simulator';
import type { Program, ProgramMain, Sys } from '../sdk';
import { NIC_REGS, STORAGE_REGS } from '../hw/platform';
import { STORAGE_COMMAND } from '../hw/storageDevice';
import { TraceKind } from '../trace/kinds';
import { AMF, IpcCall, KERNEL_CALL_TRAP } from '../kernel/constants';
import type { Proc } from '../kernel/proc';
import type { AsyncTable } from '../kernel/asyncTable';
import type { FaultSpec } from '../config/scenario';
import type { CodeFault, InjectableFault } from '../config/faultTypes';
import { sitesOfType, type MutationSite, type MutationSwitches } from '../compile/mutation';
import { isCpuBudgetExceeded, type CpuGuard } from '../compile/cpuGuard';

export { INJECTABLE_FAULTS, isInjectableFault, type InjectableFault } from '../config/faultTypes';

export type FaultParams = Readonly<Record<string, string | number | boolean>>;

export interface FaultRecord {
  readonly seq: number;
  readonly label: string;
  readonly type: InjectableFault;
  readonly params: FaultParams;
  readonly armedAtCycles: number;
  /** The instance it was aimed at; NONE-like -1 when no instance was alive. */
  readonly endpoint: number;
  appliedAtCycles: number | null;
  /** Why it could not be injected, if it could not. */
  skipped: string | null;
  /** For a code-level fault that struck: the site it mutated, and the file its number counts in. */
  site?: MutationSite & { readonly file: string };
}

/**
 * An instance whose code was opened for mutation (compile/mutation.ts): its switches, and the step
 * guard that tells a mutated loop that never enters the kernel from one that does.
 */
export interface OpenedProgram {
  readonly program: Program;
  readonly switches: MutationSwitches;
  readonly guard: CpuGuard;
  /** The file its sites are numbered in, as the trace and the reports name it. */
  readonly file: string;
}

/** The device a driver label owns, so that a wild DMA can program it. */
export interface DriverDevice {
  readonly kind: string;
  readonly portBase: number;
}

const HANG_SLICE_CYCLES = 10_000_000;
/** What bad-ipc-args and bad-kernel-call-args write when not told (an implausible value, as a corrupted register holds). */
const DEFAULT_BAD_VALUE = 0xdead;
/** The IPC traps that send a message: bad-ipc-args corrupts what goes out, not what a receive will overwrite. */
const SENDING_TRAPS: ReadonlySet<number> = new Set([IpcCall.SEND, IpcCall.SENDREC, IpcCall.SENDNB, IpcCall.NOTIFY, IpcCall.SENDA]);

/** A corruption waiting for the instance's next call of its kind. */
interface PendingCorruption {
  readonly kind: 'ipc' | 'kernel-call';
  readonly field: string;
  /** The bit to flip, 0 to 31, or null to write `value` instead. */
  readonly bit: number | null;
  readonly value: number;
  readonly record: FaultRecord;
}
/** One endless computation (days of simulated time) for a hang in kernel code, which nothing preempts. */
const KERNEL_HANG_CYCLES = 2 ** 50;
const DEFAULT_WILD_VADDR = 0x7fff_f000;

/**
 * The most faults one run arms. A scenario that repeats a fault every few
 * cycles (a fault storm) would otherwise keep a record of each until memory
 * runs out; at the cap the injector stops arming, says so, and the run goes on.
 * MINIX's campaigns inject a few faults per trial, far below it.
 */
export const MAX_FAULTS_PER_RUN = 100_000;

export class FaultInjector {
  readonly records: FaultRecord[] = [];
  /** Faults waiting for their instance (Proc.instance) to run. */
  private readonly armed = new Map<number, FaultRecord[]>();
  /** How many faults in `armed` have not struck yet. */
  private waiting = 0;
  /** Why the injector stopped arming faults (the cap was reached), or null. */
  stopped: string | null = null;

  constructor(
    private readonly sim: Simulator,
    private readonly deviceOf: (label: string) => DriverDevice | undefined,
  ) {}

  /** Wraps a program so that faults armed for its instances take effect. */
  wrap(label: string, main: ProgramMain): ProgramMain {
    return (sys: Sys): Program => this.intercept(label, sys, this.sim.kernel.procOf(sys.endpoint)?.instance ?? -1, main(sys), undefined);
  }

  /** The labels whose programs run opened code (wrapOpened). */
  private readonly openedLabels = new Set<string>();

  /** Whether `label`'s program runs with its code open, so that code-level faults can strike it. */
  isOpened(label: string): boolean {
    return this.openedLabels.has(label);
  }

  /** Wraps a program whose code is opened for mutation, so that code-level faults can strike it too. */
  wrapOpened(label: string, open: (sys: Sys) => OpenedProgram): ProgramMain {
    this.openedLabels.add(label);
    return (sys: Sys): Program => {
      const opened = open(sys);
      return this.intercept(label, sys, this.sim.kernel.procOf(sys.endpoint)?.instance ?? -1, opened.program, opened);
    };
  }

  /** Arms a fault for the live instance of `label`; recorded as skipped if there is none. */
  arm(label: string, type: InjectableFault, params: FaultParams = {}): FaultRecord | undefined {
    if (this.records.length >= MAX_FAULTS_PER_RUN) {
      if (this.stopped === null) {
        const now = this.sim.clock.now();
        this.stopped = `stopped arming faults at ${now} cycles: ${MAX_FAULTS_PER_RUN.toLocaleString('en-US')} faults is the most one run arms (is a fault repeated every few cycles?)`;
        this.sim.trace.recordLabelled(now, TraceKind.custom, 0, 0, MAX_FAULTS_PER_RUN, 0, 0, 'fault:cap');
      }
      return undefined;
    }
    const endpoint = this.sim.endpointOf(label) ?? -1;
    // Aimed at the instance, not the endpoint: a restarted service keeps its endpoint, and a fault meant for an instance that ended does not strike the next.
    const instance = endpoint === -1 ? -1 : this.sim.kernel.procOf(endpoint)!.instance;
    const record: FaultRecord = {
      seq: this.records.length, label, type, params, armedAtCycles: this.sim.clock.now(), endpoint,
      appliedAtCycles: null, skipped: endpoint === -1 ? 'no running instance' : null,
    };
    this.records.push(record);
    if (endpoint !== -1) {
      const list = this.armed.get(instance) ?? [];
      list.push(record);
      this.armed.set(instance, list);
      this.waiting++;
    }
    return record;
  }

  /** Arms the faults of a scenario at their times (and again every `repeatEvery`, `count` times in all). */
  schedule(spec: FaultSpec, startCycles = 0): void {
    const type = spec.type;
    let done = 0;
    const fire = () => {
      if (this.arm(spec.target, type, spec.params) === undefined) return;
      done++;
      if (spec.repeatEvery !== null && spec.repeatEvery.cycles > 0 && (spec.count === null || done < spec.count)) {
        this.sim.clock.schedule(spec.repeatEvery.cycles, fire, `fault:${spec.target}`);
      }
    };
    const at = Math.max(0, startCycles + spec.at.cycles - this.sim.clock.now());
    this.sim.clock.schedule(at, fire, `fault:${spec.target}`);
  }

  get injectedCount(): number {
    return this.records.filter((r) => r.appliedAtCycles !== null).length;
  }

  private *intercept(label: string, sys: Sys, instance: number, inner: Program, opened: OpenedProgram | undefined): Program {
    let input = 0;
    let leakBytes = 0;
    let corrupt: PendingCorruption | null = null;
    for (;;) {
      // Most steps of most programs have no fault waiting: one comparison, no lookup.
      const pending = this.waiting === 0 ? undefined : this.armed.get(instance);
      if (pending !== undefined && pending.length > 0) {
        const f = pending.shift()!;
        this.waiting--;
        f.appliedAtCycles = sys.uptimeCycles();
        this.sim.trace.recordLabelled(f.appliedAtCycles, TraceKind.custom, sys.endpoint, sys.endpoint, f.seq, 0, 0, `fault:${f.type}`);
        switch (f.type) {
          case 'crash':
            throw new Error(`injected fault: crash (#${f.seq})`);
          case 'hang':
            return yield* hangForever(sys, this.sim.kernel.procOf(sys.endpoint)?.kernelMode === true);
          case 'wild-write': {
            const vaddr = typeof f.params['vaddr'] === 'number' ? f.params['vaddr'] : DEFAULT_WILD_VADDR;
            sys.mem.writeU32(vaddr, 0xdeadbeef);
            break;
          }
          case 'wild-dma':
            yield* this.wildDma(label, sys, f);
            break;
          case 'resource-leak':
            leakBytes = typeof f.params['bytes'] === 'number' ? f.params['bytes'] : 4096;
            break;
          case 'bad-ipc-args':
            corrupt = { kind: 'ipc', field: stringParam(f, 'field', 'type'), bit: bitParam(f), value: numberParam(f, 'value', DEFAULT_BAD_VALUE), record: f };
            break;
          case 'bad-kernel-call-args':
            corrupt = { kind: 'kernel-call', field: stringParam(f, 'field', 'a'), bit: bitParam(f), value: numberParam(f, 'value', DEFAULT_BAD_VALUE), record: f };
            break;
          case 'irq-fault':
            this.irqFault(sys, f);
            break;
          case 'corrupt-source':
          case 'corrupt-destination':
          case 'corrupt-pointer':
          case 'skip-init':
          case 'remove-instruction':
          case 'remove-branch':
          case 'invert-loop':
            this.mutate(label, sys, f, f.type, opened);
            break;
          default: {
            const unhandled: never = f.type;
            throw new Error(`the injector has no case for fault type ${String(unhandled)}`);
          }
        }
      }
      // A leaking instance loses memory at every kernel entry until an allocation fails.
      if (leakBytes > 0) sys.mem.alloc(leakBytes);
      let res: IteratorResult<ReturnType<Sys['notify']>, number | void>;
      if (opened === undefined) res = inner.next(input);
      else {
        // Opened code counts its steps from each kernel entry: a mutated loop that never enters the kernel
        // again is a driver spinning on the CPU, which only the heartbeat (or nothing, in the kernel) notices.
        opened.guard.reset();
        try {
          res = inner.next(input);
        } catch (error) {
          if (!isCpuBudgetExceeded(error)) throw error;
          this.sim.trace.recordLabelled(sys.uptimeCycles(), TraceKind.custom, sys.endpoint, sys.endpoint, error.line, error.column, 0, 'fault:spinning');
          yield* hangForever(sys, this.sim.kernel.procOf(sys.endpoint)?.kernelMode === true);
          return;
        }
      }
      if (res.done === true) return res.value;
      if (corrupt !== null && this.corrupted(sys, corrupt)) corrupt = null;
      input = yield res.value;
    }
  }

  /**
   * Turns on the mutation of one site of the instance's code: the fault's `site` (its number among the
   * sites of its type), or one drawn from the run's seed; `bit` likewise.
   */
  private mutate(label: string, sys: Sys, f: FaultRecord, type: CodeFault, opened: OpenedProgram | undefined): void {
    if (opened === undefined) {
      f.skipped = `${label}'s code is not open to mutation: code-level faults strike built-in drivers loaded from their source, which a scenario or campaign that aims such a fault at them does`;
      return;
    }
    const sites = sitesOfType(opened.switches.sites, type);
    if (sites.length === 0) {
      f.skipped = `${opened.file} has no ${type} site`;
      return;
    }
    const rng = this.sim.random.stream('code-faults');
    const given = f.params['site'];
    const index = typeof given === 'number' ? given : rng.nextInt(sites.length);
    const site = Number.isInteger(index) ? sites[index] : undefined;
    if (site === undefined) {
      f.skipped = `${opened.file} has ${sites.length} ${type} site(s), numbered 0 to ${sites.length - 1}; site ${String(given)} is not one`;
      return;
    }
    const bit = bitParam(f) ?? rng.nextInt(32);
    opened.switches.activate(site.slot, bit);
    f.site = { ...site, file: opened.file };
    this.sim.trace.recordLabelled(sys.uptimeCycles(), TraceKind.custom, sys.endpoint, sys.endpoint, f.seq, site.line, bit, `fault:site ${opened.file}:${site.line}:${site.column} ${site.text}`);
  }

  /**
   * Corrupts the request the instance is about to make if it is of the
   * corruption's kind (an IPC that sends, or a kernel call): the destination, message
   * type or a payload word of an IPC, or one argument (or the number) of a
   * kernel call. Returns whether it did.
   */
  private corrupted(sys: Sys, c: PendingCorruption): boolean {
    const p = this.sim.kernel.procOf(sys.endpoint);
    if (p === undefined) return false;
    const isIpc = SENDING_TRAPS.has(p.reqKind);
    if (c.kind === 'ipc' ? !isIpc : p.reqKind !== KERNEL_CALL_TRAP) return false;
    const field = c.kind === 'ipc' ? corruptIpc(p, c) : corruptKernelCall(p, c);
    this.sim.trace.recordLabelled(this.sim.clock.now(), TraceKind.custom, sys.endpoint, sys.endpoint, c.record.seq, c.bit ?? c.value | 0, 0, `fault:corrupted ${field}`);
    return true;
  }

  /**
   * An interrupt gone wrong: 'spurious' (the default) delivers an interrupt
   * notification no device raised; 'lost' drops the interrupts under way and
   * masks the driver's interrupt lines, as a controller that lost an edge.
   */
  private irqFault(sys: Sys, f: FaultRecord): void {
    const k = this.sim.kernel;
    const hooks = k.irqHooks.filter((h) => h !== null && h.endpoint === sys.endpoint);
    if (hooks.length === 0) {
      f.skipped = `${f.label} has no interrupt hook`;
      return;
    }
    const mode = stringParam(f, 'mode', 'spurious');
    if (mode === 'lost') {
      const p = k.procOf(sys.endpoint);
      for (const h of hooks) {
        h!.masked = true;
        h!.pending = false;
        if (p !== undefined) p.intPending &= ~(1 << h!.notifyId);
      }
    } else k.fireHook(hooks[0]!);
  }

  private *wildDma(label: string, sys: Sys, f: FaultRecord): Program {
    const device = this.deviceOf(label);
    if (device === undefined) {
      f.skipped = `${label} owns no DMA device`;
      return;
    }
    const paddr = this.dmaTarget(f);
    if (paddr === undefined) {
      f.skipped = `no process named ${String(f.params['target'])}`;
      return;
    }
    const base = device.portBase;
    if (device.kind === 'nic') {
      // The NIC fetches a descriptor from the ring base and writes its status back there.
      yield sys.sys_outl(base + NIC_REGS.TX_RING_BASE, paddr);
      yield sys.sys_outl(base + NIC_REGS.TX_RING_SIZE, 2);
      yield sys.sys_outl(base + NIC_REGS.TX_TAIL, 1);
    } else if (device.kind === 'block' || device.kind === 'cdrom') {
      yield sys.sys_outl(base + STORAGE_REGS.DMA_ADDR, paddr);
      yield sys.sys_outl(base + STORAGE_REGS.LBA, 0);
      yield sys.sys_outl(base + STORAGE_REGS.COUNT, 1);
      yield sys.sys_outl(base + STORAGE_REGS.COMMAND, STORAGE_COMMAND.READ_DMA);
    } else {
      f.skipped = `${device.kind} does no DMA`;
    }
  }

  /** Kernel memory (param `paddr`, default 0x1000) or, with param `target`, the first page of that process. */
  private dmaTarget(f: FaultRecord): number | undefined {
    const target = f.params['target'];
    if (typeof target !== 'string' || target === 'kernel') return typeof f.params['paddr'] === 'number' ? f.params['paddr'] : 0x1000;
    const p = this.sim.kernel.liveProcs().find((x) => x.name === target);
    if (p === undefined || p.space === null) return undefined;
    const paddr = p.space.translate(p.memBaseVaddr, 0);
    return paddr < 0 ? undefined : paddr;
  }
}

/**
 * Computes forever without entering the kernel. Kernel code is not preempted while it computes: a driver
 * in the kernel that loops holds the CPU for good.
 */
function* hangForever(sys: Sys, kernelMode: boolean): Program {
  if (kernelMode) for (;;) yield sys.compute(KERNEL_HANG_CYCLES);
  for (;;) yield sys.compute(HANG_SLICE_CYCLES);
}

function stringParam(f: FaultRecord, name: string, fallback: string): string {
  const v = f.params[name];
  return typeof v === 'string' ? v : fallback;
}

function bitParam(f: FaultRecord): number | null {
  const v = f.params['bit'];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 31 ? v : null;
}

function numberParam(f: FaultRecord, name: string, fallback: number): number {
  const v = f.params[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** The new value of a corrupted word: `bit` flipped (SWIFI's bit flip) when the fault has a bit, else the fault's value. */
function corruptedValue(old: number, c: PendingCorruption): number {
  return c.bit === null ? c.value : (old ^ (1 << c.bit)) | 0;
}

/**
 * Corrupts the IPC about to be made; returns what was corrupted. A SENDA
 * corrupts the entry just queued in the caller's table (its destination or
 * message), since the trap's own arguments name only the table.
 */
function corruptIpc(p: Proc, c: PendingCorruption): string {
  let m = p.reqMsg;
  if (p.reqKind === IpcCall.SENDA) {
    const table = p.reqObj as AsyncTable | null;
    const entry = table?.findLast((e) => (e.flags & AMF.VALID) !== 0 && (e.flags & AMF.DONE) === 0);
    if (entry === undefined) return 'nothing (no asynchronous message queued)';
    if (c.field === 'destination') {
      entry.dst = corruptedValue(entry.dst, c);
      return 'asynchronous message destination';
    }
    m = entry.msg;
  }
  if (c.field === 'destination' || m === null) {
    p.reqA = corruptedValue(p.reqA, c);
    return 'ipc destination';
  }
  const word = c.field === 'word' ? 2 : 1;
  m.words[word] = corruptedValue(m.words[word]!, c);
  return word === 1 ? 'ipc message type' : 'ipc message word 2';
}

/** Corrupts an argument (a to e) or the number ('call') of the kernel call about to be made. */
function corruptKernelCall(p: Proc, c: PendingCorruption): string {
  switch (c.field) {
    case 'call':
      p.reqCall = corruptedValue(p.reqCall, c);
      return 'kernel call number';
    case 'b':
      p.reqB = corruptedValue(p.reqB, c);
      break;
    case 'c':
      p.reqC = corruptedValue(p.reqC, c);
      break;
    case 'd':
      p.reqD = corruptedValue(p.reqD, c);
      break;
    case 'e':
      p.reqE = corruptedValue(p.reqE, c);
      break;
    default:
      p.reqA = corruptedValue(p.reqA, c);
      return 'kernel call argument a';
  }
  return `kernel call argument ${c.field}`;
}
