// The simulator: one machine and its kernel, driven step by step. It owns the
// clock, memory, trace and random streams, runs the scheduler loop, offers
// typed observer events and a kernel-entry hook for debuggers, logs external
// commands, and takes and restores (replay-based) snapshots.
import { EventQueue, EventQueueOverflow } from '../core/eventQueue';
import { RandomStreams } from '../core/random';
import { Digest } from '../core/digest';
import type { InterruptLines, PortDevice } from '../hw/bus';
import { PhysicalMemory, PAGE_BYTES, type IntegrityReport } from '../hw/memory';
import { MmuFault } from '../hw/mmu';
import { TraceRecorder, type TraceOptions } from '../trace/recorder';
import { TraceKind } from '../trace/kinds';
import { costProfile, type CostProfile } from '../kernel/costs/costProfiles';
import { MAPPED_IO_REQUEST, SPIN, Sys, WORK_REQUEST, type SysHost } from '../sdk/sys';
import {
  Errno, KERNEL_CALL_TRAP, NONE, NR_TASKS, OK, SIGKILL, ipcCallNames, kernelCallNames,
} from '../kernel/constants';
import { Kernel, type SpawnSpec } from '../kernel/kernel';
import { kernelCall } from '../kernel/systemCalls';
import type { Message } from '../kernel/message';
import { ProgramRegistry } from './programRegistry';
import { Rts, type ExitReason, type Proc } from '../kernel/proc';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface SimulatorOptions {
  /** Seed of every random stream. Required: there is no unseeded randomness. */
  readonly seed: number;
  /** A profile, or the name of a built-in one (see kernel/costs/costProfiles.ts). */
  readonly costProfile: CostProfile | string;
  readonly trace?: TraceOptions;
  readonly programs?: ProgramRegistry;
  /** Physical memory; default 16 MiB. */
  readonly memoryBytes?: number;
  /** The checksummed kernel region at the bottom of memory; default 256 KiB. */
  readonly kernelMemoryBytes?: number;
  /** Process slots besides the kernel tasks; default 256. */
  readonly maxProcesses?: number;
  /** Record the program's file:line:column at each kernel entry (costly). */
  readonly captureSourceLocations?: boolean;
  /** Whatever the builder of this system needs to rebuild it; stored in snapshots. */
  readonly config?: JsonValue;
}

export interface RunLimit {
  /** Stop once the clock reaches this cycle. */
  readonly untilCycles?: number;
  /** Stop after this many steps. */
  readonly maxSteps?: number;
}

export type StopReason = 'until' | 'maxSteps' | 'idle' | 'paused' | 'panic';

export interface RunResult {
  readonly reason: StopReason;
  readonly steps: number;
  readonly timeCycles: number;
}

/** A kernel entry as a debugger sees it, before the kernel acts on it. */
export interface KernelEntry {
  readonly endpoint: number;
  readonly name: string;
  readonly kind: 'ipc' | 'kernelCall';
  /** MINIX's name of the IPC trap or kernel call. */
  readonly call: string;
  readonly callNr: number;
  /** The IPC source/destination or the kernel call's first argument. */
  readonly target: number;
  readonly args: readonly number[];
  readonly message: Message | null;
  /** The program's file:line:column, when source locations are captured. */
  readonly location: string | undefined;
  /** The program frames that called into `location` (helpers reached by `yield*` or plain calls), innermost first; empty when none or not captured. */
  readonly callers: readonly string[];
  readonly timeCycles: number;
}

/** Return 'pause' to stop the run before the kernel acts; the call runs when the run resumes. */
export type KernelEntryHook = (entry: KernelEntry) => 'pause' | 'continue' | void;

export interface SimulatorEvents {
  processCreated: { readonly endpoint: number; readonly name: string; readonly program: string; readonly creator: number; readonly timeCycles: number };
  processEnded: { readonly endpoint: number; readonly name: string; readonly program: string; readonly reason: ExitReason; readonly timeCycles: number };
  panic: { readonly message: string; readonly endpoint: number; readonly timeCycles: number };
  ipc: { readonly kind: 'send' | 'receive' | 'notify'; readonly src: number; readonly dst: number; readonly type: number; readonly timeCycles: number };
  paused: { readonly entry: KernelEntry };
}

type Listener<K extends keyof SimulatorEvents> = (event: SimulatorEvents[K]) => void;

/** Inputs from outside the simulated system; logged so that replay repeats them. */
export type ExternalCommand =
  | { readonly kind: 'spawn'; readonly spec: SpawnSpec }
  | { readonly kind: 'kill'; readonly endpoint: number; readonly signal: number }
  | { readonly kind: 'irq'; readonly irq: number }
  | { readonly kind: 'custom'; readonly name: string; readonly data: JsonValue };

export interface LoggedCommand {
  /** Steps completed when the command was given. */
  readonly step: number;
  readonly command: ExternalCommand;
}

export const SNAPSHOT_FORMAT = 'microkernel-lab-snapshot';
export const SNAPSHOT_VERSION = 1;

/**
 * A replay-based snapshot: the inputs that rebuild the state exactly (options,
 * builder config, external commands with their step numbers), the point to
 * reach, and a digest of the full state there to verify the rebuild.
 */
export interface Snapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: number;
  readonly seed: number;
  readonly costProfile: CostProfile | string;
  readonly trace: TraceOptions | null;
  readonly memoryBytes: number;
  readonly kernelMemoryBytes: number;
  readonly maxProcesses: number;
  readonly config: JsonValue;
  readonly commands: readonly LoggedCommand[];
  readonly steps: number;
  readonly timeCycles: number;
  /** Taken while paused at a kernel entry. */
  readonly paused: boolean;
  readonly digest: string;
}

/** A process as views and tests see it. */
export interface ProcessInfo {
  readonly endpoint: number;
  readonly slot: number;
  readonly generation: number;
  readonly name: string;
  readonly program: string;
  readonly state: 'running' | 'ready' | 'sending' | 'receiving' | 'sendrec' | 'stopped';
  readonly blockedOn: number;
  readonly priority: number;
  readonly kernelMode: boolean;
  readonly supervisor: number;
  readonly userCycles: number;
  readonly kernelCycles: number;
  readonly ipcCount: number;
  readonly kernelCallCount: number;
}


export class Simulator {
  readonly seed: number;
  readonly cost: CostProfile;
  readonly clock: EventQueue;
  readonly memory: PhysicalMemory;
  readonly trace: TraceRecorder;
  readonly random: RandomStreams;
  readonly programs: ProgramRegistry;
  readonly kernel: Kernel;
  kernelEntryHook: KernelEntryHook | null = null;
  /** Steps completed: fired events, process slices and idle jumps. */
  steps = 0;

  private readonly options: SimulatorOptions;
  private readonly commandLog: LoggedCommand[] = [];
  private readonly commandHandlers = new Map<string, (data: JsonValue) => void>();
  private readonly listeners: { [K in keyof SimulatorEvents]: Listener<K>[] } = {
    processCreated: [],
    processEnded: [],
    panic: [],
    ipc: [],
    paused: [],
  };
  private inStep = false;
  private readonly sysHost: SysHost;
  private readonly settings = { captureSourceLocations: false };

  /** Record the program's file:line:column at each kernel entry (costly: a stack trace per entry). */
  get captureSourceLocations(): boolean {
    return this.settings.captureSourceLocations;
  }

  set captureSourceLocations(on: boolean) {
    this.settings.captureSourceLocations = on;
  }

  constructor(options: SimulatorOptions) {
    if (!Number.isInteger(options.seed)) throw new RangeError('Simulator needs an integer seed');
    this.options = options;
    this.seed = options.seed;
    this.cost = typeof options.costProfile === 'string' ? costProfile(options.costProfile) : options.costProfile;
    this.clock = new EventQueue(this.cost.clockHz);
    this.memory = new PhysicalMemory(options.memoryBytes ?? 16 * 1024 * 1024);
    this.trace = new TraceRecorder(options.trace ?? {});
    this.random = new RandomStreams(options.seed);
    this.programs = options.programs ?? new ProgramRegistry();
    this.settings.captureSourceLocations = options.captureSourceLocations ?? false;
    const kernelBytes = options.kernelMemoryBytes ?? 256 * 1024;
    const fill = this.random.stream('kernel-memory');
    this.memory.reserveKernel(Math.ceil(kernelBytes / PAGE_BYTES), () => fill.nextU32() & 0xff);
    const clock = this.clock;
    this.sysHost = {
      memory: this.memory,
      now: () => clock.now(),
      clockHz: clock.hz,
      randomFor: (p: Proc) => this.random.stream(`process:${p.name}:${p.generation}`),
      settings: this.settings,
    };
    this.kernel = new Kernel({
      clock: this.clock,
      trace: this.trace,
      cost: this.cost,
      memory: this.memory,
      programs: this.programs,
      maxProcesses: options.maxProcesses ?? 256,
      startProgram: (p) => this.startProgram(p),
    });
    this.kernel.observers = {
      processCreated: (p, creator) => this.emit('processCreated', { endpoint: p.endpoint, name: p.name, program: p.program, creator, timeCycles: clock.now() }),
      processEnded: (p, reason) => this.emit('processEnded', { endpoint: p.endpoint, name: p.name, program: p.program, reason, timeCycles: clock.now() }),
      panic: (message, endpoint) => this.emit('panic', { message, endpoint, timeCycles: clock.now() }),
    };
  }

  /** The interrupt controller's inputs, for devices. */
  get interrupts(): InterruptLines {
    return this.kernel.interrupts;
  }

  get panicked(): { message: string; endpoint: number; timeCycles: number } | null {
    return this.kernel.panicked;
  }

  /** Attaches a device's registers to ports [base, base+count) for DEVIO and SDEVIO. */
  registerPorts(base: number, count: number, device: PortDevice): void {
    this.kernel.registerPorts(base, count, device);
  }

  // ---- observers -----------------------------------------------------------

  on<K extends keyof SimulatorEvents>(event: K, listener: Listener<K>): () => void {
    const list = this.listeners[event] as Listener<K>[];
    list.push(listener);
    if (event === 'ipc') this.updateIpcObserver();
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
      if (event === 'ipc') this.updateIpcObserver();
    };
  }

  private emit<K extends keyof SimulatorEvents>(event: K, payload: SimulatorEvents[K]): void {
    for (const l of this.listeners[event] as Listener<K>[]) l(payload);
  }

  private updateIpcObserver(): void {
    this.kernel.ipcObserver =
      this.listeners.ipc.length === 0 ? null : (kind, src, dst, type) => this.emit('ipc', { kind, src, dst, type, timeCycles: this.clock.now() });
  }

  // ---- external commands ---------------------------------------------------

  /** Applies an external command and logs it for replay (unless it comes from inside a run, which replay repeats by itself). */
  command(command: ExternalCommand): number {
    if (!this.inStep) this.commandLog.push({ step: this.steps, command: structuredCloneJson(command) });
    switch (command.kind) {
      case 'spawn':
        return this.kernel.spawn(command.spec, NONE);
      case 'kill': {
        const p = this.kernel.procOf(command.endpoint);
        if (p === undefined || p.isKernelTask) return Errno.EDEADEPT;
        this.kernel.endProcess(p, { kind: 'signal', signal: command.signal, by: NONE });
        return OK;
      }
      case 'irq':
        this.kernel.raiseIrq(command.irq);
        return OK;
      case 'custom': {
        const h = this.commandHandlers.get(command.name);
        if (h === undefined) throw new Error(`no handler for command ${command.name}`);
        h(command.data);
        return OK;
      }
    }
  }

  /** Creates a process from outside (boot, a user's action); returns its endpoint or a negative error. */
  spawn(spec: SpawnSpec): number {
    return this.command({ kind: 'spawn', spec });
  }

  kill(endpoint: number, signal: number = SIGKILL): number {
    return this.command({ kind: 'kill', endpoint, signal });
  }

  /** Registers a named command (fault injection and the like) so that replay can repeat it. */
  registerCommand(name: string, handler: (data: JsonValue) => void): void {
    this.commandHandlers.set(name, handler);
  }

  get commands(): readonly LoggedCommand[] {
    return this.commandLog;
  }

  // ---- running -------------------------------------------------------------

  run(limit: RunLimit = {}): RunResult {
    const until = limit.untilCycles ?? Infinity;
    const stopAt = this.steps + (limit.maxSteps ?? Infinity);
    const k = this.kernel;
    const clock = this.clock;
    const trace = this.trace;
    const outer = this.inStep;
    this.inStep = true;
    try {
      // The scheduler loop. One pass is one step: a due event, a slice of one
      // process up to its next kernel entry (and the kernel's handling of that
      // entry), a slice of user work, or a jump over idle time. This is the hot
      // path of every simulation: keep it free of allocation and closures.
      for (;;) {
        if (k.panicked !== null) return this.result('panic');
        if (this.steps >= stopAt) return this.result('maxSteps');
        const now = clock.now();
        if (now >= until) return this.result('until');
        const next = clock.nextTime();
        // A kernel entry the hook paused at goes on first, as it would have had the run not paused there: the CPU
        // was already the process's (its switch charged), and an event that came due meanwhile runs after it.
        const cur = k.current;
        const trapped = cur !== null && cur.trapPending && cur.rts === 0;
        if (next <= now && !trapped) {
          clock.runOneDue();
          this.steps++;
          continue;
        }
        // Kernel code is not preempted: a kernel-mode process in the middle of its work keeps the CPU (in a monolithic
        // kernel a driver that loops holds the CPU, and only interrupts, which wake others that cannot run, get in).
        const p = trapped || (cur !== null && cur.kernelMode && cur.workLeftCycles > 0 && cur.rts === 0) ? cur : k.pickProc();
        if (p === null) {
          if (next === Infinity && until === Infinity) return this.result('idle');
          const to = next < until ? next : until;
          k.enterIdle();
          k.stats.idleCycles += to - now;
          clock.advanceTo(to);
          if (to !== next) return this.result('until');
          this.steps++;
          continue;
        }
        if (p !== k.current) k.switchTo(p);
        else if (k.idle) k.resumeFromIdle(p);
        if (p.workLeftCycles > 0) {
          this.work(p, next, until);
          continue;
        }
        if (p.trapPending) {
          p.trapPending = false;
        } else {
          let res: IteratorResult<unknown, unknown>;
          try {
            res = p.gen!.next(p.retval);
          } catch (e) {
            // The run's limit, reached while the program ran: the run stops, the program is not to blame.
            if (e instanceof EventQueueOverflow) throw e;
            this.steps++;
            this.programFailed(p, e);
            continue;
          }
          if (p.fault !== null || res.done === true) {
            this.ended(p, res);
            continue;
          }
          if (this.kernelEntryHook !== null && p.reqKind !== WORK_REQUEST && p.reqKind !== MAPPED_IO_REQUEST && this.pauseAt(p)) return this.result('paused');
        }
        this.steps++;
        const kind = p.reqKind;
        if (kind === WORK_REQUEST) {
          p.workLeftCycles = p.reqA === SPIN ? this.spinCycles(p, next) : p.reqA;
          p.retval = OK;
        } else if (kind === MAPPED_IO_REQUEST) {
          p.retval = k.mappedIo(p);
        } else {
          k.chargeEntry(p);
          let r: number;
          if (kind === KERNEL_CALL_TRAP) {
            r = kernelCall(k, p);
          } else {
            r = k.ipc(p, kind, p.reqA, p.reqMsg);
            if (r !== OK) trace.record(clock.now(), TraceKind.ipcError, p.endpoint, p.reqA, kind, r, 0);
          }
          // A blocked caller gets its status when it is woken.
          if (r === OK ? p.rts === 0 : r !== Errno.EDONTREPLY) p.retval = r;
        }
        if (p.quantumLeftCycles <= 0 && (p.rts & Rts.SLOT_FREE) === 0) k.quantumExpired(p);
      }
    } catch (e) {
      // Too many pending events (MAX_PENDING_EVENTS): marked in the trace, as the fault cap is, and the run ends with the error.
      if (!outer && e instanceof EventQueueOverflow) trace.recordLabelled(e.timeCycles, TraceKind.custom, 0, 0, e.pending, 0, 0, 'events:cap');
      throw e;
    } finally {
      this.inStep = outer;
    }
  }

  /** One step: a due event, a slice of one process up to its next kernel entry, or a jump over idle time. */
  step(): RunResult {
    return this.run({ maxSteps: 1 });
  }

  private result(reason: StopReason): RunResult {
    return { reason, steps: this.steps, timeCycles: this.clock.now() };
  }

  /**
   * How long a spin lasts: to the next event, at most the spin's own limit, and never unbounded. Not to the
   * run's end: where a run ends (a slice of the editor's pacing, the debugger's) must not change what happens.
   */
  private spinCycles(p: Proc, next: number): number {
    const now = this.clock.now();
    let to = next;
    if (p.reqB > 0 && now + p.reqB < to) to = now + p.reqB;
    if (to === Infinity) to = now + Math.max(1, Math.round(this.clock.hz / 1000));
    return Math.max(1, to - now);
  }

  /**
   * A slice of simulated user work, cut short by the next event, the end of the quantum, or the end of the run.
   * A cut at the run's end is not a step: the work goes on in the next run, and step numbers (which the
   * debugger's history and replays go by) stay the same however a run is cut into slices.
   */
  private work(p: Proc, next: number, until: number): void {
    const k = this.kernel;
    let chunk = p.workLeftCycles;
    const now = this.clock.now();
    const toEvent = next - now;
    if (toEvent < chunk) chunk = Math.max(1, toEvent);
    if (!p.kernelMode && p.quantumLeftCycles > 0 && p.quantumLeftCycles < chunk) chunk = p.quantumLeftCycles;
    let cutByRunEnd = false;
    if (until - now < chunk) {
      chunk = Math.max(1, until - now);
      cutByRunEnd = true;
    }
    p.workLeftCycles -= chunk;
    k.chargeUser(p, chunk);
    if (!cutByRunEnd || p.workLeftCycles === 0) this.steps++;
    if (p.quantumLeftCycles <= 0 && !p.kernelMode) k.quantumExpired(p);
  }

  /** The program faulted or returned. */
  private ended(p: Proc, res: IteratorResult<unknown, unknown>): void {
    this.steps++;
    if (p.fault !== null) this.programFailed(p, p.fault);
    else this.kernel.endProcess(p, { kind: 'exit', status: typeof res.value === 'number' ? res.value : 0 });
  }

  /** Asks the kernel-entry hook; on 'pause' the request stays pending for the next run. */
  private pauseAt(p: Proc): boolean {
    const entry = this.describeEntry(p);
    if (this.kernelEntryHook!(entry) !== 'pause') return false;
    p.trapPending = true;
    this.emit('paused', { entry });
    return true;
  }

  private programFailed(p: Proc, e: unknown): void {
    if (e instanceof MmuFault) {
      this.kernel.endProcess(p, { kind: 'fault', vaddr: e.vaddr, access: e.access, reason: e.reason });
    } else {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.kernel.endProcess(p, { kind: 'crash', message });
    }
  }

  private startProgram(p: Proc): void {
    const def = this.programs.get(p.program)!;
    const sys = new Sys(p, this.sysHost);
    p.gen = def.main(sys) as Generator<unknown, unknown, number>;
  }

  private describeEntry(p: Proc): KernelEntry {
    const isCall = p.reqKind === KERNEL_CALL_TRAP;
    return {
      endpoint: p.endpoint,
      name: p.name,
      kind: isCall ? 'kernelCall' : 'ipc',
      call: (isCall ? kernelCallNames[p.reqCall] : ipcCallNames[p.reqKind]) ?? `#${isCall ? p.reqCall : p.reqKind}`,
      callNr: isCall ? p.reqCall : p.reqKind,
      target: p.reqA,
      args: isCall ? [p.reqA, p.reqB, p.reqC, p.reqD, p.reqE] : [p.reqA],
      message: isCall ? null : p.reqMsg,
      location: p.entryLocation,
      callers: p.entryCallers ?? NO_CALLERS,
      timeCycles: this.clock.now(),
    };
  }

  // ---- inspection ----------------------------------------------------------

  processes(): ProcessInfo[] {
    const k = this.kernel;
    return k.liveProcs().map((p) => ({
      endpoint: p.endpoint,
      slot: p.slot,
      generation: p.generation,
      name: p.name,
      program: p.program,
      state: stateOf(p, k.current),
      blockedOn: p.blockedOn(),
      priority: p.priority,
      kernelMode: p.kernelMode,
      supervisor: p.supervisor,
      userCycles: p.userCycles,
      kernelCycles: p.kernelCycles,
      ipcCount: p.ipcCount,
      kernelCallCount: p.kernelCallCount,
    }));
  }

  /** The live process with this name, if any. */
  endpointOf(name: string): number | undefined {
    return this.kernel.liveProcs().find((p) => p.name === name)?.endpoint;
  }

  verifyKernelIntegrity(): IntegrityReport {
    return this.memory.verifyKernel();
  }

  /** A digest of the whole kernel and machine state (not the programs' private JavaScript state). */
  digest(): string {
    const d = new Digest();
    const k = this.kernel;
    d.int(this.steps).int(this.clock.now()).int(this.clock.fired).int(k.readyMask).int(k.linkCounter).int(k.nextSpaceId);
    d.int(k.current === null ? NONE : k.current.endpoint);
    d.str(k.panicked === null ? '' : k.panicked.message);
    for (let q = 0; q < k.readyHead.length; q++) {
      for (let x = k.readyHead[q] ?? null; x !== null; x = x.readyNext) d.int(x.endpoint);
      d.int(-1);
    }
    for (const p of k.procs) {
      if (p.isFree) {
        d.int(p.endpoint).int(-2);
        continue;
      }
      d.int(p.endpoint).str(p.name).str(p.program).int(p.rts).int(p.misc).int(p.priority);
      d.int(p.quantumLeftCycles).int(p.sendTo).int(p.getFrom).int(p.intPending).int(p.sigPending);
      d.int(p.retval).int(p.workLeftCycles).int(p.userCycles).int(p.kernelCycles).int(p.alarmAtCycles);
      d.int(p.supervisor).int(p.childEvents.length).int(p.linkId).int(p.ipcCount).int(p.kernelCallCount);
      d.int(p.trapPending ? 1 : 0).int(p.reqKind).int(p.reqCall).int(p.reqA).int(p.reqB).int(p.reqC).int(p.reqD).int(p.reqE);
      for (let x = p.callerQ; x !== null; x = x.qNext) d.int(x.endpoint);
      d.int(-1);
      for (let i = 0; i < p.notifyPending.length; i++) d.u32(p.notifyPending[i]!).u32(p.asynPending[i]!);
      if (p.sendMsg !== null) for (let i = 0; i < 16; i++) d.u32(p.sendMsg.words[i]!);
      if (p.grants !== null) for (const g of p.grants.entries) d.int(g.flags).int(g.seq).int(g.whoTo).int(g.whoFrom).int(g.startVaddr).int(g.bytes).int(g.grant);
      if (p.space !== null) for (const e of p.space.entries()) d.int(e.vpage).int(e.frame).int(e.perms);
    }
    for (const h of k.irqHooks) {
      if (h === null) d.int(-1);
      else d.int(h.irq).int(h.endpoint).int(h.notifyId).int(h.policy).int(h.masked ? 1 : 0).int(h.pending ? 1 : 0);
    }
    for (const e of this.clock.pending()) d.int(e.timeCycles).int(e.priority).int(e.seq).str(e.label);
    for (const s of this.random.states()) d.str(s.name).u32(s.state[0]).u32(s.state[1]).u32(s.state[2]).u32(s.state[3]);
    d.u32(this.memory.stateChecksum());
    d.int(this.trace.totalRecorded);
    const st = k.stats;
    d.int(st.userCycles).int(st.kernelEntryCycles).int(st.messageCopyCycles).int(st.contextSwitchCycles).int(st.interruptCycles);
    d.int(st.kernelCallCycles).int(st.copyCycles).int(st.deviceCycles).int(st.idleCycles).int(st.messages).int(st.contextSwitches);
    return d.hex();
  }

  // ---- snapshots -----------------------------------------------------------

  snapshot(): Snapshot {
    const o = this.options;
    const paused = this.kernel.procs.some((p) => p.trapPending);
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      seed: this.seed,
      costProfile: typeof o.costProfile === 'string' ? o.costProfile : structuredCloneJson(o.costProfile),
      trace: o.trace === undefined ? null : structuredCloneJson(o.trace),
      memoryBytes: this.memory.sizeBytes,
      kernelMemoryBytes: this.memory.kernelBytes,
      maxProcesses: this.kernel.procs.length - NR_TASKS,
      config: o.config ?? null,
      commands: this.commandLog.map((c) => structuredCloneJson(c)),
      steps: this.steps,
      timeCycles: this.clock.now(),
      paused,
      digest: this.digest(),
    };
  }

  /**
   * Rebuilds the state of `snapshot` by deterministic re-execution. `build`
   * must set up the same system from the options (register the programs,
   * attach devices, spawn the boot processes) exactly as the original was set
   * up. Throws if the rebuilt state's digest differs.
   */
  static restore(snapshot: Snapshot, build: (options: SimulatorOptions) => Simulator): Simulator {
    if (snapshot.format !== SNAPSHOT_FORMAT) throw new Error('not a Microkernel Lab snapshot');
    if (snapshot.version !== SNAPSHOT_VERSION) throw new Error(`snapshot version ${snapshot.version} is not supported (expected ${SNAPSHOT_VERSION})`);
    const options: SimulatorOptions = {
      seed: snapshot.seed,
      costProfile: snapshot.costProfile,
      memoryBytes: snapshot.memoryBytes,
      kernelMemoryBytes: snapshot.kernelMemoryBytes,
      maxProcesses: snapshot.maxProcesses,
      config: snapshot.config,
      ...(snapshot.trace === null ? {} : { trace: snapshot.trace }),
    };
    const sim = build(options);
    const already = sim.commandLog.length;
    for (let i = 0; i < already; i++) {
      if (JSON.stringify(sim.commandLog[i]) !== JSON.stringify(snapshot.commands[i])) {
        throw new Error(`the builder's setup differs from the snapshot's at command ${i}`);
      }
    }
    const pending = snapshot.commands.slice(already);
    let next = 0;
    const hook = sim.kernelEntryHook;
    sim.kernelEntryHook = null;
    while (sim.steps < snapshot.steps) {
      while (next < pending.length && pending[next]!.step === sim.steps) sim.command(pending[next++]!.command);
      const r = sim.run({ maxSteps: 1 });
      if (r.reason === 'idle' || r.reason === 'panic') break;
    }
    while (next < pending.length && pending[next]!.step === sim.steps) sim.command(pending[next++]!.command);
    if (snapshot.paused) {
      sim.kernelEntryHook = () => 'pause';
      sim.run({ maxSteps: 1 });
    }
    sim.kernelEntryHook = hook;
    const digest = sim.digest();
    if (digest !== snapshot.digest) throw new Error(`restored state differs from the snapshot (digest ${digest}, expected ${snapshot.digest})`);
    return sim;
  }
}

/** The callers of an entry that has none (or none captured): one array, shared, never written. */
const NO_CALLERS: readonly string[] = [];

function stateOf(p: Proc, current: Proc | null): ProcessInfo['state'] {
  if (p.rts === 0) return p === current ? 'running' : 'ready';
  if ((p.rts & Rts.SENDING) !== 0) return (p.rts & Rts.RECEIVING) !== 0 ? 'sendrec' : 'sending';
  if ((p.rts & Rts.RECEIVING) !== 0) return 'receiving';
  return 'stopped';
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
