// The debugger's engine, apart from the protocol: it boots a system as the
// editor's session does (bootFromParams), runs it in slices that yield to the
// event loop (so that a pause request is answered), stops before kernel
// entries through the simulator's kernel-entry hook, watches for crashes,
// panics, restarts and IOMMU faults, and goes back in time by deterministic
// replay: a fresh boot of the same system re-executed to an earlier entry.
import { performance } from 'node:perf_hooks';
import type { StartParams } from '../../simulator/protocol/workerProtocol';
import type { RunningSystem } from '../../simulator/system/boot';
import type { KernelEntry } from '../../simulator/engine/simulator';
import { AMF, ANY, ASYNCM, CLOCK, HARDWARE, IDLE, IpcCall, NONE, SELF, SYSTEM } from '../../simulator/kernel/constants';
import type { Message } from '../../simulator/kernel/message';
import type { AsyncEntry } from '../../simulator/kernel/asyncTable';
import { cyclesToSeconds, formatSimTime } from '../../simulator/time/time';
import { CONFIGURATION_TABLE } from '../../simulator/config/configurations';
import { parseLocation } from '../../simulator/trace/locations';
import { TraceKind, traceKindNames } from '../../simulator/trace/kinds';
import { bootFromParams } from '../worker/session';
import { SliceSizer } from '../worker/pacing';
import { matchesIpcBreakpoint, type IpcBreakpoint } from './ipcBreakpoints';
import { HISTORY_ENTRIES, RESTORE_POINTS } from './launchConfig';
import type { Condition, ConditionFacts, HitCondition } from './conditions';

export type ExceptionFilter = 'crash' | 'panic' | 'restart' | 'iommu' | 'corruption';
export const EXCEPTION_FILTERS: readonly { filter: ExceptionFilter; label: string; description: string; default: boolean }[] = [
  { filter: 'crash', label: 'Process crashes', description: 'A process threw or took an MMU fault and was ended by the kernel.', default: true },
  {
    filter: 'panic',
    label: 'Kernel panics',
    description: `A fault in kernel-mode code stopped the system (drivers in the kernel: ${CONFIGURATION_TABLE.filter((c) => c.driversInKernel).map((c) => c.name).join(', ')}).`,
    default: true,
  },
  { filter: 'restart', label: 'Service restarts', description: 'The reincarnation server started a new instance of a service.', default: false },
  { filter: 'iommu', label: 'IOMMU faults', description: 'The IOMMU blocked a device\'s DMA transfer.', default: true },
  {
    filter: 'corruption',
    label: 'Memory overwritten by DMA',
    description: "Without an IOMMU, a device's DMA wrote into the kernel's memory or into a process that does not drive the device (S3).",
    default: true,
  },
];

const EXCEPTION_NAMES: Readonly<Record<ExceptionFilter, string>> = {
  crash: 'Process crash',
  panic: 'Kernel panic',
  restart: 'Service restart',
  iommu: 'IOMMU fault',
  corruption: 'Memory overwritten by DMA',
};

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'exception' | 'pause' | 'goto';

/** A data breakpoint: physical memory [paddr, paddr + bytes) watched for writes (by programs, the kernel or a device's DMA). */
export interface DataWatch {
  readonly id: number;
  readonly paddr: number;
  readonly bytes: number;
}

export interface Stop {
  readonly reason: StopReason;
  /** The kernel entry the system is stopped before; undefined after a panic or a pause between entries. */
  readonly entry: KernelEntry | undefined;
  readonly description: string;
  readonly text?: string;
  readonly breakpointIds?: readonly number[];
  /** The process to show when the stop is not at a kernel entry (the target of a fault about to be armed). */
  readonly endpoint?: number;
}

export interface RuntimeOptions {
  /** For a campaign trial: stop just before each of its faults is armed. */
  readonly stopBeforeFaults?: boolean;
  /** For a failure replayed from a trace file: stop where it happens again, whatever the exception filters say. */
  readonly failure?: FailureTarget;
  /** Kernel entries the history keeps for going back (HISTORY_ENTRIES if absent). */
  readonly historyEntries?: number;
  /** Restore points kept for going back (RESTORE_POINTS if absent; 0: every replay starts from boot). */
  readonly restorePoints?: number;
}

/** Restore points are kept at whole multiples of this many kernel entries of the run (some 20 minutes of S1). */
export const RESTORE_POINT_ENTRIES = 250_000;

/**
 * A restore point: a system re-executed from boot, without locating anything, and paused at kernel entry `index` of
 * the run, with what the session keeps of each process there (its last entry, and the last message it received).
 * A replay to a later entry starts from it instead of from boot, and uses it up.
 */
interface RestorePoint {
  readonly index: number;
  readonly system: RunningSystem;
  readonly lastRaw: Map<number, KernelEntry>;
  readonly lastIndex: Map<number, number>;
  readonly received: Map<number, ReceivedMessage>;
}

/** The first failure a trace file recorded, to stop at when the run reaches it. */
export interface FailureTarget {
  readonly filter: 'crash' | 'panic' | 'corruption';
  /** When the trace recorded it. */
  readonly timeCycles: number;
  /** What the trace says happened, and where it comes from. */
  readonly text: string;
}

/** When a breakpoint whose location matches stops: its condition and hit count, counted from step `sinceSteps` (when it was set). */
export interface BreakpointGate {
  readonly condition?: Condition;
  readonly hit?: HitCondition;
  readonly sinceSteps: number;
}

export interface LineBreakpoint extends BreakpointGate {
  readonly id: number;
  readonly key: string;
  readonly line: number;
}

export interface IpcBreakpointEntry extends BreakpointGate {
  readonly id: number;
  readonly bp: IpcBreakpoint;
}

export interface RuntimeListener {
  stopped(stop: Stop): void;
  output(category: 'console' | 'stdout' | 'stderr', text: string): void;
  thread(reason: 'started' | 'exited', endpoint: number): void;
  /** The session is over; `failed` when it ended by an error the user must be told about, not by running its course. */
  ended(message: string, failed?: boolean): void;
}

/** A copy of the message a RECEIVE (or SENDREC's reply) delivered, as the process's buffer held it at its next kernel entry. */
export interface ReceivedMessage {
  readonly words: Int32Array;
  /** The call that received it (RECEIVE or SENDREC). */
  readonly call: string;
}

/**
 * A trace event to go to: its sequence number in the run's trace, and what the trace that shows it says of it
 * (its time and kind), so that going there checks this run is the traced one.
 */
export interface EventTarget {
  readonly seq: number;
  readonly timeCycles?: number;
  readonly kind?: number;
}

/** A kernel entry of the run as a re-execution from boot meets it: its index in the whole run, step, process and the trace's end then. */
interface RunEntry {
  readonly index: number;
  readonly steps: number;
  readonly endpoint: number;
  readonly traceEnd: number;
}

type Mode =
  | { readonly kind: 'continue' }
  | { readonly kind: 'event'; readonly target: EventTarget }
  | { readonly kind: 'entry' }
  | { readonly kind: 'step'; readonly endpoint: number };

/**
 * The history of kernel entries, for stepping back: enough to replay to each and to test breakpoints on it. It keeps
 * the last `capacity` entries (the launch argument historyEntries): past it the oldest half goes, and `base` counts
 * the entries gone, so entry `i` here is the run's entry `base + i`.
 */
class EntryLog {
  /** Entries of the run before the first one kept. */
  base = 0;
  steps = new Float64Array(1024);
  /** The trace's end (its next sequence number) when each entry came: the events before it were recorded before the entry. */
  traceSeq = new Float64Array(1024);
  endpoint = new Int32Array(1024);
  location = new Int32Array(1024);
  length = 0;
  /**
   * Entries past `length` still held from before a replay went back: the run's known future. Going forward again
   * takes them as they are while the run keeps to them (deterministic, it does unless a command given by hand
   * changed it), without capturing locations.
   */
  known = 0;
  private readonly locations: string[] = [];
  private readonly locationIds = new Map<string, number>();
  /**
   * Each process's last entry among those forgotten (its index in the whole run and location): a process that has
   * waited since before the history still has its thread's frame after a re-execution that captured nothing there.
   */
  private readonly lastForgotten = new Map<number, { index: number; location: number }>();

  constructor(readonly capacity: number) {}

  add(steps: number, traceSeq: number, endpoint: number, location: string | undefined): void {
    if (this.length >= this.capacity) this.dropOldest(Math.ceil(this.capacity / 2));
    if (this.length === this.steps.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.steps = grow(this.steps);
      this.traceSeq = grow(this.traceSeq);
      this.endpoint = grow(this.endpoint);
      this.location = grow(this.location);
    }
    let id = -1;
    if (location !== undefined) {
      id = this.locationIds.get(location) ?? -1;
      if (id < 0) {
        id = this.locations.length;
        this.locations.push(location);
        this.locationIds.set(location, id);
      }
    }
    this.steps[this.length] = steps;
    this.traceSeq[this.length] = traceSeq;
    this.endpoint[this.length] = endpoint;
    this.location[this.length] = id;
    this.length++;
    this.known = this.length;
  }

  /**
   * Entry `length` of a forward run over the known future: true, and taken into the history, if it is the one held
   * (same step, process and trace end); false, and the future is forgotten, if the run now differs.
   */
  retake(steps: number, traceSeq: number, endpoint: number): boolean {
    const i = this.length;
    if (i < this.known && this.steps[i] === steps && this.endpoint[i] === endpoint && this.traceSeq[i] === traceSeq) {
      this.length++;
      return true;
    }
    this.known = this.length;
    return false;
  }

  /** Forgets the `n` oldest entries (held ones of the known future move with the rest). */
  private dropOldest(n: number): void {
    for (let k = 0; k < n; k++) this.lastForgotten.set(this.endpoint[k]!, { index: this.base + k, location: this.location[k]! });
    const held = Math.max(this.length, this.known);
    for (const a of [this.steps, this.traceSeq, this.endpoint, this.location]) a.copyWithin(0, n, held);
    this.base += n;
    this.length -= n;
    this.known = held - n;
  }

  /** Back to `length` entries; those after stay known. */
  truncate(length: number): void {
    this.known = Math.max(this.known, this.length);
    this.length = length;
  }

  locationAt(i: number): string | undefined {
    const id = this.location[i]!;
    return id < 0 ? undefined : this.locations[id];
  }

  /**
   * Entry `i` of a re-execution from boot, which runs without capturing locations (a stack trace per entry made
   * re-executing an hour of S1 take most of a minute): the same entry as the log's `i`th, so its location is the
   * logged one. A re-execution that differs from the log (another step or process) has diverged, and says so.
   */
  located(entry: KernelEntry, i: number, steps: number, nameOf: (endpoint: number) => string): KernelEntry {
    this.check(entry, i, steps, nameOf);
    return this.withLocation(entry, i);
  }

  /** Checks that entry `i` of a re-execution is the logged one (entries before the history kept are not checked). */
  check(entry: KernelEntry, i: number, steps: number, nameOf: (endpoint: number) => string): void {
    if (i < 0 || i >= Math.max(this.length, this.known)) return;
    if (this.steps[i] !== steps || this.endpoint[i] !== entry.endpoint) {
      throw new Error(
        `the replay diverged: kernel entry ${i} was ${nameOf(this.endpoint[i]!)}'s at step ${this.steps[i]}, and this time it is ${entry.name}'s at step ${steps} (did a workspace driver change on disk?)`,
      );
    }
  }

  /**
   * Entry `i` with its logged location, if it has none. Before the history kept, only a process's last entry there
   * has one (an entry the re-execution captured, for line breakpoints, has its own).
   */
  withLocation(entry: KernelEntry, i: number): KernelEntry {
    if (entry.location !== undefined) return entry;
    let id = -1;
    if (i < 0) {
      const last = this.lastForgotten.get(entry.endpoint);
      if (last !== undefined && last.index === this.base + i) id = last.location;
    } else if (i < Math.max(this.length, this.known)) id = this.location[i]!;
    if (id < 0) return entry;
    const frames = this.locations[id]!.split('\n');
    return { ...entry, location: frames[0], callers: frames.slice(1) };
  }
}

/** The adapter shows no trace view: its systems do not note each trace event's source line. */
const NO_TRACE_VIEW = { traceLocations: false } as const;

/** A location's file as breakpoints are keyed: the path relative to the sources' root for built-in files, else the normalised path. */
export type SourceKey = (file: string) => string;

export class DebugRuntime {
  system: RunningSystem;
  stop: Stop | undefined;
  /** Line breakpoints by source key; function breakpoints; enabled exception filters. */
  lineBreakpoints = new Map<string, LineBreakpoint[]>();
  ipcBreakpoints: IpcBreakpointEntry[] = [];
  /**
   * Hits so far of each breakpoint with a condition or a hit count, by id: entries where its location matched and its
   * condition held, from its `sinceSteps`. Always those of the timeline shown: a replay counts them again from boot.
   */
  private hits = new Map<number, number>();
  exceptionFilters = new Set<ExceptionFilter>();
  /** Data breakpoints; set them through `setDataWatches`, which takes the watched bytes' current values. */
  private watches: { watch: DataWatch; seen: Uint8Array }[] = [];
  /** Per watch id: the devices whose DMA wrote into it since the last kernel entry. */
  private dmaWriters = new Map<number, Set<string>>();
  /** The last kernel entry of each live process: where a blocked process waits. */
  readonly lastEntry = new Map<number, KernelEntry>();
  /** The last message each live process received: the request a driver is handling while it makes kernel calls. */
  readonly received = new Map<number, ReceivedMessage>();
  readonly untilCycles: number | null;

  private mode: Mode = { kind: 'continue' };
  private running = false;
  private pauseRequested = false;
  private pending: { filter: ExceptionFilter; text: string } | undefined;
  /** The failure to replay from a trace file, until the run reaches it. */
  private failure: FailureTarget | undefined;
  /** Memory corruptions found so far by the DMA check (machine.corruption), to notice each new one. */
  private corruptions = 0;
  private log: EntryLog;
  /** Restore points made so far (see RestorePoint), and the one being made while the session is stopped. */
  private restorePoints: RestorePoint[] = [];
  private making: (RestorePoint & { done: boolean }) | undefined;
  private readonly maxRestorePoints: number;
  private restoreTimer: ReturnType<typeof setInterval> | undefined;
  /** Where the last replay started from: a restore point's entry index, or undefined for boot. */
  replayedFrom: { index: number; timeCycles: number } | undefined;
  private readonly names = new Map<number, string>();
  private restartCounts = new Map<string, number>();
  private createdSinceCheck = false;
  private generation = 0;
  /** Output and thread events are sent only for steps beyond this: the furthest step reached before going back. */
  private shownUntil = -1;
  private replaying = false;
  private readonly sizer = new SliceSizer(1_000_000, 10_000, 500_000_000, 4);
  private disposed = false;
  private consoleLine = '';

  constructor(
    private readonly params: StartParams,
    private readonly sourceKey: SourceKey,
    private readonly listener: RuntimeListener,
    private readonly options: RuntimeOptions = {},
  ) {
    this.log = new EntryLog(options.historyEntries ?? HISTORY_ENTRIES);
    this.maxRestorePoints = options.restorePoints ?? RESTORE_POINTS;
    if (this.maxRestorePoints > 0) {
      // While the session is stopped, restore points are made in the background (see makeRestorePoints).
      this.restoreTimer = setInterval(() => this.makeRestorePoints(), 100);
      this.restoreTimer.unref?.();
    }
    const { system, untilCycles } = bootFromParams(params, NO_TRACE_VIEW);
    this.untilCycles = untilCycles;
    this.system = system;
    this.failure = options.failure;
    this.attach(system);
  }

  get sim() {
    return this.system.sim;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The name of a live (or recently seen) endpoint. */
  nameOf(endpoint: number): string {
    return this.names.get(endpoint) ?? this.sim.processes().find((p) => p.endpoint === endpoint)?.name ?? SPECIAL[endpoint] ?? `endpoint ${endpoint}`;
  }

  /** Program source files of the system: repository-relative for built-in ones, absolute for workspace drivers. */
  programSources(): string[] {
    const sim = this.sim;
    return sim.programs.names().flatMap((n) => sim.programs.get(n)?.sourceFile ?? []);
  }

  // ---- running -------------------------------------------------------------

  continue(): void {
    this.start({ kind: 'continue' });
  }

  /** Runs until the first kernel entry of any process. */
  toFirstEntry(): void {
    this.start({ kind: 'entry' });
  }

  /** Runs until `endpoint`'s next kernel entry (or a breakpoint, or an exception). */
  stepProcess(endpoint: number): void {
    this.start({ kind: 'step', endpoint });
  }

  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  dispose(): void {
    this.disposed = true;
    if (this.restoreTimer !== undefined) clearInterval(this.restoreTimer);
    this.restorePoints = [];
    this.making = undefined;
    this.running = false;
    this.generation++;
  }

  private start(mode: Mode): void {
    if (this.disposed) return;
    this.mode = mode;
    this.stop = undefined;
    this.pauseRequested = false;
    this.running = true;
    const generation = ++this.generation;
    setImmediate(() => this.tick(generation));
  }

  private tick(generation: number): void {
    if (generation !== this.generation || !this.running) return;
    const started = performance.now();
    const system = this.system;
    const end = this.untilCycles ?? Infinity;
    if (this.sim.panicked !== null) {
      // Stopped at the panic before: a panicked kernel runs no further.
      this.finish(`the kernel panicked (${this.sim.panicked.message}); the system cannot go on`);
      return;
    }
    try {
      while (performance.now() - started < 15) {
        const from = system.nowCycles;
        if (from >= end) {
          this.finish(`the scenario's duration (${formatSimTime(end, system.clockHz)}) has passed`);
          return;
        }
        const target = Math.min(end, from + this.sizer.sliceCycles);
        const t0 = performance.now();
        system.stopBeforeCommands = this.options.stopBeforeFaults === true;
        const r = system.run({ untilCycles: target, sliceCycles: target - from });
        this.sizer.observe(system.nowCycles - from, performance.now() - t0);
        if (r.reason === 'command') {
          this.running = false;
          this.stop = this.beforeFault(system);
          this.listener.stopped(this.stop);
          return;
        }
        if (r.reason === 'paused') {
          this.running = false;
          const mode = this.mode;
          if (mode.kind === 'event' && this.stop?.reason === 'goto') void this.landOnEvent(mode.target);
          else this.listener.stopped(this.stop!);
          return;
        }
        if (r.reason === 'panic') {
          const p = this.sim.panicked!;
          const text = `kernel panic in ${this.nameOf(p.endpoint)} at ${formatSimTime(p.timeCycles, system.clockHz)}: ${p.message}`;
          this.emitOutput('console', `${text}\n`);
          const failure = this.failure;
          const replayed = this.failureReached('panic');
          if (this.exceptionFilters.has('panic') || replayed) {
            this.running = false;
            this.stop = { reason: 'exception', entry: undefined, description: 'Kernel panic', text: replayed ? `${text} (${failure!.text})` : text };
            this.listener.stopped(this.stop);
          } else this.finish(`${text}; the system has stopped`);
          return;
        }
        if (r.reason === 'idle') {
          this.finish('nothing is left to run: every process has ended or waits forever');
          return;
        }
      }
      if (this.pauseRequested) {
        // No process entered the kernel during a whole tick (the system idles): stop between entries.
        this.running = false;
        this.stop = { reason: 'pause', entry: undefined, description: 'Paused' };
        this.listener.stopped(this.stop);
        return;
      }
    } catch (e) {
      this.finish(`the simulation failed: ${e instanceof Error ? e.message : String(e)}`, true);
      return;
    }
    setImmediate(() => this.tick(generation));
  }

  /** The stop before a trial's fault is armed: what it is, where it will strike, and when. */
  private beforeFault(system: RunningSystem): Stop {
    const next = system.nextReplayedCommand?.command;
    const data = (next?.kind === 'custom' && next.name === 'fault' ? next.data : {}) as { label?: string; type?: string; params?: Record<string, unknown> };
    const label = String(data.label ?? 'a process');
    const params = Object.entries(data.params ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    const endpoint = system.sim.endpointOf(label);
    return {
      reason: 'breakpoint',
      entry: undefined,
      description: 'Before the fault',
      // To the microsecond, as `mklab replay` gives the trial's times.
      text: `the trial arms ${data.type ?? 'a fault'}${params === '' ? '' : ` (${params})`} in ${label} now, at ${Number(cyclesToSeconds(system.nowCycles, system.clockHz).toFixed(6))} s; it strikes at ${label}'s next step`,
      ...(endpoint === undefined ? {} : { endpoint }),
    };
  }

  private finish(message: string, failed = false): void {
    const mode = this.mode;
    if (mode.kind === 'event') message = `the run ended before trace event #${mode.target.seq}: ${message}`;
    this.running = false;
    this.generation++;
    this.listener.ended(message, failed);
  }

  // ---- the kernel-entry hook -----------------------------------------------

  private attach(system: RunningSystem): void {
    const sim = system.sim;
    for (const p of sim.processes()) this.names.set(p.endpoint, p.name);
    this.restartCounts = this.currentRestarts();
    const previous = sim.kernelEntryHook;
    sim.kernelEntryHook = (raw) => {
      const entry = this.replaying ? raw : this.logEntry(raw);
      if (previous !== null) previous(entry);
      return this.onEntry(entry);
    };
    sim.on('processCreated', (e) => {
      this.names.set(e.endpoint, e.name);
      this.createdSinceCheck = true;
      if (this.fresh()) this.listener.thread('started', e.endpoint);
    });
    sim.on('processEnded', (e) => {
      this.lastEntry.delete(e.endpoint);
      this.received.delete(e.endpoint);
      if (this.fresh()) this.listener.thread('exited', e.endpoint);
      const r = e.reason;
      if (r.kind === 'crash' || r.kind === 'fault') {
        const what = r.kind === 'crash' ? `crashed: ${r.message}` : `took an MMU fault (${r.access} at 0x${(r.vaddr >>> 0).toString(16)}: ${r.reason})`;
        this.raise('crash', `${e.name} (endpoint ${e.endpoint}) ${what}`);
      }
      if (this.mode.kind === 'step' && this.mode.endpoint === e.endpoint && !this.replaying) {
        this.mode = { kind: 'entry' };
      }
    });
    this.watchDma(system, () => this.watches, this.dmaWriters);
    system.machine.iommu?.onFault((f) => {
      this.raise('iommu', `IOMMU blocked a DMA ${f.direction} of ${f.lengthBytes} bytes by device ${f.deviceId} at IOVA 0x${(f.iova >>> 0).toString(16)}: ${f.reason}`);
    });
    system.machine.console.onOutput((byte) => {
      if (!this.fresh()) return;
      if (byte === 10) {
        this.emitOutput('stdout', `${this.consoleLine}\n`);
        this.consoleLine = '';
      } else this.consoleLine += String.fromCharCode(byte);
    });
  }

  /** Whether what happens now has not been shown before (not a replay, not a re-execution after stepping back). */
  private fresh(): boolean {
    return !this.replaying && this.sim.steps > this.shownUntil;
  }

  private emitOutput(category: 'console' | 'stdout', text: string): void {
    this.listener.output(category, text);
  }

  private raise(filter: ExceptionFilter, text: string): void {
    if (this.replaying) return;
    const at = `[${formatSimTime(this.system.nowCycles, this.system.clockHz)}] `;
    if (this.fresh()) this.emitOutput('console', `${at}${text}\n`);
    if (this.pending !== undefined) return;
    const failure = this.failure;
    if (this.failureReached(filter)) this.pending = { filter, text: `${text} (${failure!.text})` };
    else if (this.exceptionFilters.has(filter)) this.pending = { filter, text };
  }

  /** Sets the data breakpoints; each compares from the memory's contents now. */
  setDataWatches(watches: readonly DataWatch[]): void {
    const bytes = this.sim.memory.bytes;
    this.watches = watches.map((watch) => ({ watch, seen: bytes.slice(watch.paddr, watch.paddr + watch.bytes) }));
    this.dmaWriters.clear();
  }

  get dataWatches(): readonly DataWatch[] {
    return this.watches.map((w) => w.watch);
  }

  /**
   * The data breakpoints whose bytes changed since the last kernel entry (each change is then the new value to
   * compare with), and what changed: old and new bytes, and the devices whose DMA wrote there meanwhile.
   */
  private changedWatches(
    watches: { watch: DataWatch; seen: Uint8Array }[],
    memory: Uint8Array,
    dmaWriters: Map<number, Set<string>>,
  ): { ids: number[]; text: string } | undefined {
    let ids: number[] | undefined;
    const texts: string[] = [];
    for (const w of watches) {
      const { paddr, bytes } = w.watch;
      let same = true;
      for (let i = 0; i < bytes; i++) {
        if (memory[paddr + i] !== w.seen[i]) {
          same = false;
          break;
        }
      }
      if (same) continue;
      const now = memory.slice(paddr, paddr + bytes);
      const hex = (b: Uint8Array) => [...b.subarray(0, 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > 16 ? ' …' : '');
      const by = dmaWriters.get(w.watch.id);
      texts.push(
        `physical memory 0x${paddr.toString(16)} (${bytes} bytes) changed from ${hex(w.seen)} to ${hex(now)}` +
          (by === undefined || by.size === 0 ? ' (by a program or the kernel: no DMA wrote there)' : `, written by ${[...by].join(' and ')}'s DMA`),
      );
      w.seen = now;
      (ids ??= []).push(w.watch.id);
    }
    dmaWriters.clear();
    return ids === undefined ? undefined : { ids, text: texts.join('; ') };
  }

  /** Notes DMA writes into watched memory, to say who changed it (the device is named in the stop). */
  private watchDma(system: RunningSystem, watches: () => { watch: DataWatch }[], dmaWriters: Map<number, Set<string>>): void {
    const names = new Map<number, string>();
    for (const d of system.machine.devices) if (d.deviceId !== undefined) names.set(d.deviceId, d.describe().name);
    const listener = (deviceId: number, _iova: number, paddr: number, lengthBytes: number, write: boolean): void => {
      if (!write) return;
      for (const { watch } of watches()) {
        if (paddr < watch.paddr + watch.bytes && paddr + lengthBytes > watch.paddr) {
          let set = dmaWriters.get(watch.id);
          if (set === undefined) dmaWriters.set(watch.id, (set = new Set()));
          set.add(names.get(deviceId) ?? `device ${deviceId}`);
        }
      }
    };
    system.machine.iommu?.onTransfer(listener);
    system.machine.directDma?.onTransfer(listener);
  }

  /** Whether this exception is the trace file's failure happening again; the first time it is, the failure is done with. */
  private failureReached(filter: ExceptionFilter): boolean {
    const f = this.failure;
    if (f === undefined || f.filter !== filter || this.system.nowCycles < f.timeCycles) return false;
    this.failure = undefined;
    return true;
  }

  /** The DMA check found a new corruption since the last kernel entry (machine.corruption): an exception as a crash is. */
  private checkCorruption(): void {
    const log = this.system.machine.corruption;
    if (log.count === this.corruptions) return;
    this.corruptions = log.count;
    const r = log.records[log.records.length - 1];
    this.raise('corruption', r === undefined ? `a device's DMA overwrote memory (${log.count} times)` : corruptionText(r));
  }

  private currentRestarts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of this.system.rsStatus.values()) m.set(s.label, s.restarts);
    return m;
  }

  private checkRestarts(): void {
    this.createdSinceCheck = false;
    const now = this.currentRestarts();
    for (const [label, n] of now) {
      if (n > (this.restartCounts.get(label) ?? 0)) {
        this.raise('restart', `the reincarnation server restarted ${label} (restart ${n}; now endpoint ${this.sim.endpointOf(label) ?? 'not yet running'})`);
      }
    }
    this.restartCounts = now;
  }

  /**
   * Logs a kernel entry of the forward run and gives it its location. Over the known future (after going back), the
   * entry is the one logged before: its location is the logged one, and none is captured until the future's end.
   */
  private logEntry(entry: KernelEntry): KernelEntry {
    const sim = this.sim;
    const log = this.log;
    const i = log.length;
    if (i < log.known) {
      if (log.retake(sim.steps, sim.trace.endSeq, entry.endpoint)) {
        if (log.length === log.known) sim.captureSourceLocations = true;
        return log.located(entry, i, sim.steps, (ep) => this.nameOf(ep));
      }
      // The run left its known future (a command given by hand): locations are captured again from the next entry.
      sim.captureSourceLocations = true;
    }
    log.add(sim.steps, sim.trace.endSeq, entry.endpoint, frameChain(entry));
    return entry;
  }

  private onEntry(entry: KernelEntry): 'pause' | 'continue' {
    if (this.replaying) return this.replayTarget(entry);
    const steps = this.sim.steps;
    this.noteReceived(entry);
    this.lastEntry.set(entry.endpoint, entry);
    if (this.createdSinceCheck) this.checkRestarts();
    this.checkCorruption();
    const changed = this.watches.length === 0 ? undefined : this.changedWatches(this.watches, this.sim.memory.bytes, this.dmaWriters);
    const stop = this.decide(entry, this.firing(entry, steps, this.hits, this.sim, this.received, (ep) => this.nameOf(ep)), changed);
    if (stop === undefined) return 'continue';
    this.stop = stop;
    return 'pause';
  }

  /**
   * At a process's kernel entry, its previous entry's RECEIVE (or SENDREC) buffer holds what the
   * kernel delivered: keep a copy, so that the debugger can show the message the process is handling.
   */
  private noteReceived(entry: KernelEntry, lastEntry = this.lastEntry, received = this.received): void {
    const previous = lastEntry.get(entry.endpoint);
    if (previous === undefined || previous.kind !== 'ipc' || previous.message === null) return;
    if (previous.callNr !== IpcCall.RECEIVE && previous.callNr !== IpcCall.SENDREC) return;
    received.set(entry.endpoint, { words: previous.message.words.slice(), call: previous.call });
  }

  /**
   * The breakpoints that stop at this kernel entry: those whose location matches (a line of one of its frames, or
   * the IPC it makes), whose condition holds, and whose hit count, counted in `hits`, says stop. Every breakpoint
   * with a gate that matches is counted, whether or not something else stops here.
   */
  private firing(
    entry: KernelEntry,
    steps: number,
    hits: Map<number, number>,
    sim: RunningSystem['sim'],
    received: ReadonlyMap<number, ReceivedMessage>,
    nameOf: (endpoint: number) => string,
  ): { lineIds: number[]; fnIds: number[] } {
    const lines = this.lineBreakpoints.size === 0 ? [] : this.lineBreakpointsAt(frameChain(entry));
    const fns = this.ipcBreakpointsFor(entry, sim, nameOf);
    if (lines.length === 0 && fns.length === 0) return { lineIds: [], fnIds: [] };
    let facts: ConditionFacts | undefined;
    const gate = (b: BreakpointGate & { id: number }): boolean => {
      if (b.condition === undefined && b.hit === undefined) return true;
      if (steps < b.sinceSteps) return false;
      if (b.condition !== undefined) {
        facts ??= this.conditionFacts(entry, steps, sim, received, nameOf);
        if (!b.condition(facts)) return false;
      }
      const n = (hits.get(b.id) ?? 0) + 1;
      hits.set(b.id, n);
      return b.hit === undefined || b.hit(n);
    };
    return { lineIds: lines.filter(gate).map((b) => b.id), fnIds: fns.filter(gate).map((b) => b.id) };
  }

  /** What a breakpoint's condition may name at this entry (conditions.ts). */
  private conditionFacts(entry: KernelEntry, steps: number, sim: RunningSystem['sim'], received: ReadonlyMap<number, ReceivedMessage>, nameOf: (endpoint: number) => string): ConditionFacts {
    const out = this.outgoing(entry, sim)[0];
    const message = (words: Int32Array) => ({ type: words[1]!, source: words[0]!, words: Array.from(words) });
    const r = received.get(entry.endpoint);
    return {
      caller: entry.name,
      call: entry.call,
      to: out === undefined ? undefined : nameOf(out.to),
      type: out?.message?.type,
      m: entry.message === null ? undefined : message(entry.message.words),
      r: r === undefined ? undefined : message(r.words),
      time: cyclesToSeconds(entry.timeCycles, this.system.clockHz),
      step: steps,
    };
  }

  private decide(entry: KernelEntry, firing: { lineIds: number[]; fnIds: number[] }, changed?: { ids: number[]; text: string }): Stop | undefined {
    const mode = this.mode;
    if (mode.kind === 'event') {
      // Going to a trace event passes every breakpoint and exception on the way, as a jump does.
      if (this.sim.trace.endSeq <= mode.target.seq) return undefined;
      this.pending = undefined;
      return { reason: 'goto', entry, description: `Trace event #${mode.target.seq}` };
    }
    if (this.pending !== undefined) {
      const p = this.pending;
      this.pending = undefined;
      return { reason: 'exception', entry, description: EXCEPTION_NAMES[p.filter], text: p.text };
    }
    if (mode.kind === 'entry') return { reason: 'entry', entry, description: `Kernel entry of ${entry.name}` };
    if (changed !== undefined) return { reason: 'data breakpoint', entry, description: 'Data breakpoint', text: changed.text, breakpointIds: changed.ids };
    if (firing.lineIds.length > 0) return { reason: 'breakpoint', entry, description: 'Breakpoint', breakpointIds: firing.lineIds };
    if (firing.fnIds.length > 0) return { reason: 'function breakpoint', entry, description: 'IPC breakpoint', breakpointIds: firing.fnIds };
    if (mode.kind === 'step' && entry.endpoint === mode.endpoint) return { reason: 'step', entry, description: 'Step' };
    if (this.pauseRequested) {
      this.pauseRequested = false;
      return { reason: 'pause', entry, description: 'Paused' };
    }
    return undefined;
  }

  /** Line breakpoints on any frame of a kernel entry's chain (its location and the program frames that called into it), each once. */
  private lineBreakpointsAt(chain: string | undefined): LineBreakpoint[] {
    if (chain === undefined || this.lineBreakpoints.size === 0) return [];
    const hits: LineBreakpoint[] = [];
    for (const frame of chain.split('\n')) {
      const loc = parseLocation(frame);
      if (loc === undefined) continue;
      const list = this.lineBreakpoints.get(this.sourceKey(loc.file));
      if (list !== undefined) for (const b of list) if (b.line === loc.line && !hits.includes(b)) hits.push(b);
    }
    return hits;
  }

  /** The IPC function breakpoints a kernel entry matches, each once. */
  private ipcBreakpointsFor(entry: KernelEntry, sim = this.sim, nameOf = (ep: number) => this.nameOf(ep)): IpcBreakpointEntry[] {
    if (this.ipcBreakpoints.length === 0) return [];
    const hits = new Set<IpcBreakpointEntry>();
    const check = (receiver: string | undefined, messageType: number | undefined) => {
      const facts = { caller: entry.name, kind: entry.kind, callNr: entry.callNr, receiver, messageType };
      for (const b of this.ipcBreakpoints) if (matchesIpcBreakpoint(b.bp, facts)) hits.add(b);
    };
    if (entry.kind === 'kernelCall') check(undefined, undefined);
    for (const o of this.outgoing(entry, sim)) check(nameOf(o.to), o.message?.type);
    return [...hits];
  }

  /**
   * The messages a kernel entry sends: one for SEND, SENDREC and SENDNB, a
   * notification (no message) for NOTIFY, and the table's pending entries for
   * SENDA (reported as SEND to each destination).
   */
  outgoing(entry: KernelEntry, sim = this.sim): { to: number; message: Message | null; callNr: number }[] {
    if (entry.kind !== 'ipc') return [];
    switch (entry.callNr) {
      case IpcCall.SEND:
      case IpcCall.SENDREC:
      case IpcCall.SENDNB:
        return [{ to: entry.target, message: entry.message, callNr: entry.callNr }];
      case IpcCall.NOTIFY:
        return [{ to: entry.target, message: null, callNr: entry.callNr }];
      case IpcCall.SENDA: {
        const p = sim.kernel.procs.find((x) => !x.isFree && x.endpoint === entry.endpoint);
        const table = p?.reqObj;
        if (!Array.isArray(table)) return [];
        const count = Math.min(table.length, entry.target);
        const out: { to: number; message: Message | null; callNr: number }[] = [];
        for (let i = 0; i < count; i++) {
          const e = table[i] as AsyncEntry;
          if ((e.flags & AMF.VALID) !== 0 && (e.flags & AMF.DONE) === 0) out.push({ to: e.dst, message: e.msg, callNr: IpcCall.SEND });
        }
        return out;
      }
      default:
        return [];
    }
  }

  // ---- going to a trace event ----------------------------------------------

  /**
   * Goes to the moment of a trace event: the kernel entry during which it was recorded (the sender's SEND for a
   * message, the caller's kernel call), or, for an event no process's entry made (an interrupt, a clock tick, a
   * device's DMA), the first kernel entry after it. Back by replay when the event is behind, forward otherwise;
   * breakpoints and exceptions on the way do not stop it. The stop says the event, and whether this run's event
   * at that number is the one the trace recorded (a run with restarts or faults given by hand differs from its replay).
   */
  /** The trace event the session was last moved to, while it has not run on since. */
  get goneTo(): number | undefined {
    return this.mode.kind === 'event' && !this.running ? this.mode.target.seq : undefined;
  }

  async goToEvent(target: EventTarget): Promise<void> {
    if (this.disposed) return;
    if (!Number.isSafeInteger(target.seq) || target.seq < 0) throw new Error(`a trace event is a sequence number (0 or more), not ${String(target.seq)}`);
    const trace = this.sim.trace;
    if (target.seq < trace.endSeq) {
      if (this.beforeHistory(target.seq)) {
        // Older than the history kept: found by a re-execution from boot, then reached by another that keeps the
        // history again, up to it.
        this.generation++;
        this.running = false;
        this.mode = { kind: 'event', target };
        const at = await this.findEventEntry(target.seq);
        await this.rewindTo(at, this.eventStop(target, at));
        this.listener.stopped(this.stop!);
        return;
      }
      const index = this.entryOfEvent(target.seq);
      if (index < this.log.length) {
        this.generation++;
        this.running = false;
        this.mode = { kind: 'event', target };
        if (index === this.currentIndex() && this.stop?.entry !== undefined) this.stop = { ...this.eventStop(target, index), entry: this.stop.entry };
        else await this.replayTo(index, this.eventStop(target, index));
        this.listener.stopped(this.stop!);
        return;
      }
    }
    this.start({ kind: 'event', target });
  }

  /** Whether trace event `seq` came before the oldest kernel entry the history keeps. */
  private beforeHistory(seq: number): boolean {
    const log = this.log;
    return log.base > 0 && log.length > 0 && seq < log.traceSeq[0]!;
  }

  /**
   * The kernel entry that stands for trace event `seq` (as entryOfEvent finds it in the log), found by re-executing
   * from boot: the last entry that came when the trace ended at or before the event, if the event is its process's,
   * else the next one.
   */
  private async findEventEntry(seq: number): Promise<RunEntry> {
    let previous: RunEntry | undefined;
    let found: RunEntry | undefined;
    await this.scanFromBoot(this.log.base, (at, sim) => {
      if (at.traceEnd <= seq) {
        previous = at;
        return false;
      }
      found = at;
      if (previous !== undefined && seq >= sim.trace.firstSeq && seq < sim.trace.endSeq) {
        const e = sim.trace.get(seq);
        if (e.src === previous.endpoint || e.dst === previous.endpoint) found = previous;
      }
      return true;
    });
    if (found === undefined) throw new Error(`the re-execution from boot found no kernel entry at or after trace event #${seq}`);
    return found;
  }

  /** The log index of the kernel entry that stands for trace event `seq` (see goToEvent); log.length when it comes later. */
  private entryOfEvent(seq: number): number {
    const log = this.log;
    // The last entry that came when the trace ended at or before the event: it (or what came after it) recorded it.
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (log.traceSeq[mid]! <= seq) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    if (i < 0) return 0;
    const trace = this.sim.trace;
    if (seq >= trace.firstSeq && seq < trace.endSeq) {
      const e = trace.get(seq);
      const ep = log.endpoint[i]!;
      if (e.src === ep || e.dst === ep) return i;
    }
    return i + 1;
  }

  /** Run forward to the first kernel entry after the event: stop there, or go back to the entry that recorded it. */
  private async landOnEvent(target: EventTarget): Promise<void> {
    try {
      const index = this.entryOfEvent(target.seq);
      if (index >= this.log.length - 1) {
        this.stop = { ...this.eventStop(target, this.log.length - 1), entry: this.stop!.entry };
        this.pending = undefined;
      } else await this.replayTo(index, this.eventStop(target, index));
      this.listener.stopped(this.stop!);
    } catch (e) {
      this.finish(`could not go to trace event #${target.seq}: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  }

  /** The stop at a trace event: what the event is, and whether it is the one the trace recorded. */
  private eventStop(target: EventTarget, at: number | RunEntry): Omit<Stop, 'entry'> {
    const { endpoint, traceEnd } = typeof at === 'number' ? { endpoint: this.log.endpoint[at] ?? NONE, traceEnd: this.log.traceSeq[at]! } : at;
    const trace = this.sim.trace;
    const clockHz = this.system.clockHz;
    const seq = target.seq;
    const who = this.nameOf(endpoint);
    if (seq < trace.firstSeq || seq >= trace.endSeq) {
      return { reason: 'goto', description: `Trace event #${seq}`, text: `${who}'s kernel entry at trace event #${seq} (this run's trace no longer holds the event itself)` };
    }
    const e = trace.get(seq);
    // A DMA event's source is a device, named by its label.
    const from = e.kind === TraceKind.dma || e.kind === TraceKind.iommuFault ? e.label || `device ${e.src}` : this.nameOf(e.src);
    const what = `${e.kindName} ${from}${e.dst === e.src || e.dst === NONE ? '' : ` → ${this.nameOf(e.dst)}`} at ${formatSimTime(e.timeCycles, clockHz)}`;
    const mismatch =
      (target.timeCycles !== undefined && target.timeCycles !== e.timeCycles) || (target.kind !== undefined && target.kind !== e.kind)
        ? `; this run differs from the traced one, whose event #${seq} is ${target.kind === undefined ? 'another event' : (traceKindNames[target.kind] ?? `kind ${target.kind}`)}${target.timeCycles === undefined ? '' : ` at ${formatSimTime(target.timeCycles, clockHz)}`} (restarts, faults and commands given by hand are not replayed)`
        : '';
    const where = traceEnd <= seq && (e.src === endpoint || e.dst === endpoint) ? `${who}'s kernel entry that made it` : `the first kernel entry after it (${who}'s)`;
    return { reason: 'goto', description: `Trace event #${seq}`, text: `${what}: ${where}${mismatch}` };
  }

  // ---- going back ----------------------------------------------------------

  private replayStop: { steps: number; endpoint: number } | undefined;

  private replayTarget(entry: KernelEntry): 'pause' | 'continue' {
    const t = this.replayStop!;
    return this.sim.steps === t.steps && entry.endpoint === t.endpoint ? 'pause' : 'continue';
  }

  /** The index in the log of the entry the system is stopped at (or the log's end between entries). */
  private currentIndex(): number {
    const entry = this.stop?.entry;
    if (entry === undefined) return this.log.length;
    // The stop's entry is the last one logged (replays truncate the log to their target, keeping what followed as known).
    return this.log.length - 1;
  }

  /** Goes back to `endpoint`'s previous kernel entry; false if it has none. */
  async stepBack(endpoint: number): Promise<boolean> {
    const from = this.currentIndex();
    for (let i = from - 1; i >= 0; i--) {
      if (this.log.endpoint[i] === endpoint) {
        await this.replayTo(i, { reason: 'step', description: 'Step back' });
        return true;
      }
    }
    if (this.log.base === 0) return false;
    // Its previous entry came before the history kept: a re-execution from boot finds it.
    let last: RunEntry | undefined;
    await this.scanFromBoot(this.log.base - 1, (at) => {
      if (at.endpoint === endpoint) last = at;
      return false;
    });
    if (last === undefined) return false;
    await this.rewindTo(last, { reason: 'step', description: 'Step back' });
    return true;
  }

  /**
   * Goes back to the latest earlier moment at which running forward would have
   * stopped: a line breakpoint, an IPC function breakpoint, or the kernel entry
   * right after an exception the filters catch (a crash, a restart, an IOMMU
   * fault). Found by re-executing the system from its boot to here with every
   * breakpoint checked as the forward run checks it; then the system is
   * replayed to that moment. With none, to the first entry.
   */
  async reverseContinue(): Promise<void> {
    const from = this.currentIndex();
    if (from === 0 || this.log.length === 0) return;
    const until = { steps: this.log.steps[from - 1]!, index: from - 1 };
    const hit = await this.scanForStops(until.steps);
    if (hit !== undefined) {
      const i = hit.index - this.log.base;
      if (i >= 0) {
        if (this.log.steps[i] !== hit.steps || this.log.endpoint[i] !== hit.endpoint) throw new Error(`the replay diverged: the search found kernel entry ${hit.index} elsewhere than the history has it`);
        await this.replayTo(i, hit.stop);
      } else await this.rewindTo(hit, hit.stop);
      return;
    }
    const first = { reason: 'entry', description: 'The first kernel entry (the start of the recording)' } as const;
    if (this.log.base === 0) {
      await this.replayTo(0, first);
      return;
    }
    let start: RunEntry | undefined;
    await this.scanFromBoot(0, (at) => {
      start = at;
      return true;
    });
    await this.rewindTo(start!, first);
  }

  /**
   * Re-executes a fresh boot of the system up to step `lastSteps` (inclusive)
   * and returns the last kernel entry at which the forward run would stop for
   * a breakpoint or an exception, as it would describe the stop.
   */
  private async scanForStops(lastSteps: number): Promise<(RunEntry & { stop: Omit<Stop, 'entry'> }) | undefined> {
    const nothingSet = this.lineBreakpoints.size === 0 && this.ipcBreakpoints.length === 0 && this.exceptionFilters.size === 0 && this.watches.length === 0;
    if (nothingSet) return undefined;
    const generation = ++this.generation;
    this.running = true;
    const { system } = bootFromParams(this.params, NO_TRACE_VIEW);
    const sim = system.sim;
    // Every entry the history keeps is in the log, with its location: none is captured again. Those before it are,
    // when line breakpoints need them (the rest of a stop's decision needs no location).
    const base = this.log.base;
    const lineHits = this.lineBreakpoints.size > 0;
    sim.captureSourceLocations = base > 0 && lineHits;
    let entries = 0;
    let pending: { filter: ExceptionFilter; text: string } | undefined;
    let last: (RunEntry & { stop: Omit<Stop, 'entry'> }) | undefined;
    const raise = (filter: ExceptionFilter, text: string) => {
      if (this.exceptionFilters.has(filter) && pending === undefined) pending = { filter, text };
    };
    const names = new Map<number, string>();
    // Hits counted afresh from boot, with the last entry and received message of each process, as the forward run keeps them.
    const hits = new Map<number, number>();
    const lastEntry = new Map<number, KernelEntry>();
    const received = new Map<number, ReceivedMessage>();
    let restarts = new Map<string, number>();
    for (const st of system.rsStatus.values()) restarts.set(st.label, st.restarts);
    sim.on('processCreated', (e) => {
      names.set(e.endpoint, e.name);
      const now = new Map<string, number>();
      for (const st of system.rsStatus.values()) now.set(st.label, st.restarts);
      for (const [label, n] of now) {
        if (n > (restarts.get(label) ?? 0)) raise('restart', `the reincarnation server restarted ${label} (restart ${n}; now endpoint ${sim.endpointOf(label) ?? 'not yet running'})`);
      }
      restarts = now;
    });
    sim.on('processEnded', (e) => {
      const r = e.reason;
      if (r.kind === 'crash' || r.kind === 'fault') {
        raise('crash', `${e.name} (endpoint ${e.endpoint}) ${r.kind === 'crash' ? `crashed: ${r.message}` : `took an MMU fault (${r.access} at 0x${(r.vaddr >>> 0).toString(16)}: ${r.reason})`}`);
      }
    });
    system.machine.iommu?.onFault((f) => raise('iommu', `IOMMU blocked a DMA ${f.direction} of ${f.lengthBytes} bytes by device ${f.deviceId} at IOVA 0x${(f.iova >>> 0).toString(16)}: ${f.reason}`));
    let corruptions = 0;
    // Data breakpoints compare from the first kernel entry on: backwards, a watch set late still finds who wrote before.
    let watches: { watch: DataWatch; seen: Uint8Array }[] | undefined;
    const dmaWriters = new Map<number, Set<string>>();
    this.watchDma(system, () => watches ?? [], dmaWriters);
    sim.kernelEntryHook = (raw) => {
      const steps = sim.steps;
      if (steps > lastSteps) return 'pause';
      const index = entries;
      const traceEnd = sim.trace.endSeq;
      // Only line breakpoints read an entry's location here.
      const i = entries++ - base;
      this.log.check(raw, i, steps, (ep) => names.get(ep) ?? this.nameOf(ep));
      const entry = lineHits ? this.log.withLocation(raw, i) : raw;
      if (entries === base) sim.captureSourceLocations = false;
      let changed: { ids: number[]; text: string } | undefined;
      if (watches === undefined) watches = this.watches.map(({ watch }) => ({ watch, seen: sim.memory.bytes.slice(watch.paddr, watch.paddr + watch.bytes) }));
      else if (watches.length > 0) changed = this.changedWatches(watches, sim.memory.bytes, dmaWriters);
      const log = system.machine.corruption;
      if (log.count !== corruptions) {
        corruptions = log.count;
        const r = log.records[log.records.length - 1];
        raise('corruption', r === undefined ? `a device's DMA overwrote memory (${log.count} times)` : corruptionText(r));
      }
      this.noteReceived(entry, lastEntry, received);
      lastEntry.set(entry.endpoint, entry);
      const { lineIds, fnIds } = this.firing(entry, steps, hits, sim, received, (ep) => names.get(ep) ?? this.nameOf(ep));
      let stop: Omit<Stop, 'entry'> | undefined;
      if (pending !== undefined) {
        stop = { reason: 'exception', description: EXCEPTION_NAMES[pending.filter], text: pending.text };
        pending = undefined;
      } else if (changed !== undefined) stop = { reason: 'data breakpoint', description: 'Data breakpoint', text: changed.text, breakpointIds: changed.ids };
      else if (lineIds.length > 0) stop = { reason: 'breakpoint', description: 'Breakpoint', breakpointIds: lineIds };
      else if (fnIds.length > 0) stop = { reason: 'function breakpoint', description: 'IPC breakpoint', breakpointIds: fnIds };
      if (stop !== undefined) last = { index, steps, endpoint: entry.endpoint, traceEnd, stop };
      return steps === lastSteps ? 'pause' : 'continue';
    };
    try {
      for (;;) {
        if (generation !== this.generation) throw new Error('the search was interrupted');
        const started = performance.now();
        let done = false;
        while (performance.now() - started < 15) {
          const r = sim.run({ maxSteps: Math.max(1, Math.min(50_000, lastSteps + 1 - sim.steps)) });
          if (r.reason === 'paused' || r.reason === 'panic' || r.reason === 'idle' || sim.steps > lastSteps) {
            done = true;
            break;
          }
        }
        if (done) break;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
    return last;
  }

  // ---- restore points ------------------------------------------------------

  /** The restore points wanted: the latest whole multiples of RESTORE_POINT_ENTRIES before where the session stands. */
  private wantedRestorePoints(): number[] {
    const here = this.log.base + this.currentIndex();
    const out: number[] = [];
    for (let m = Math.floor((here - 1) / RESTORE_POINT_ENTRIES); m >= 1 && out.length < this.maxRestorePoints; m--) out.push(m * RESTORE_POINT_ENTRIES);
    return out;
  }

  private makingSlices = false;

  /** The restore points ready now: each one's kernel entry and time. */
  get readyRestorePoints(): { index: number; timeCycles: number }[] {
    return this.restorePoints.map((r) => ({ index: r.index, timeCycles: r.system.nowCycles })).sort((a, b) => a.index - b.index);
  }

  /**
   * While the session is stopped, makes the restore points it wants, one at a time, each by a re-execution from boot
   * that locates nothing, in slices of 15 ms that let requests in between, and drops those it no longer wants. When
   * the session runs or replays, the work waits for the next stop.
   */
  private makeRestorePoints(): void {
    if (this.disposed || this.running || this.makingSlices) return;
    const wanted = this.wantedRestorePoints();
    this.restorePoints = this.restorePoints.filter((r) => wanted.includes(r.index));
    if (this.making !== undefined && !wanted.includes(this.making.index)) this.making = undefined;
    if (this.making === undefined) {
      const missing = wanted.find((w) => !this.restorePoints.some((r) => r.index === w));
      if (missing === undefined) return;
      this.making = this.startRestorePoint(missing);
    }
    const slice = () => {
      this.makingSlices = false;
      const point = this.making;
      if (point === undefined || this.disposed || this.running) return;
      const started = performance.now();
      while (!point.done && performance.now() - started < 15) {
        const r = point.system.sim.run({ maxSteps: 50_000 });
        if (!point.done && (r.reason === 'panic' || r.reason === 'idle')) {
          // The run ends before that entry: no restore point there (and none is wanted once the session stands before it).
          this.making = undefined;
          return;
        }
      }
      if (point.done) {
        this.making = undefined;
        this.restorePoints.push(point);
        this.makeRestorePoints();
        return;
      }
      this.makingSlices = true;
      setImmediate(slice);
    };
    this.makingSlices = true;
    setImmediate(slice);
  }

  /** A fresh boot that will pause at kernel entry `index`, noting what the session keeps of each process on the way. */
  private startRestorePoint(index: number): RestorePoint & { done: boolean } {
    const { system } = bootFromParams(this.params, NO_TRACE_VIEW);
    const sim = system.sim;
    sim.captureSourceLocations = false;
    const point = { index, system, lastRaw: new Map<number, KernelEntry>(), lastIndex: new Map<number, number>(), received: new Map<number, ReceivedMessage>(), done: false };
    sim.on('processEnded', (e) => {
      if (point.done) return;
      point.lastRaw.delete(e.endpoint);
      point.lastIndex.delete(e.endpoint);
      point.received.delete(e.endpoint);
    });
    let i = 0;
    sim.kernelEntryHook = (raw) => {
      const at = i++;
      this.noteReceived(raw, point.lastRaw, point.received);
      point.lastRaw.set(raw.endpoint, raw);
      point.lastIndex.set(raw.endpoint, at);
      if (at < index) return 'continue';
      point.done = true;
      return 'pause';
    };
    return point;
  }

  /**
   * The latest restore point before kernel entry `index` of the run, taken (a replay uses it up), or undefined. None
   * is used while a breakpoint has a condition or a hit count: their hits count from boot.
   */
  private takeRestorePoint(index: number): RestorePoint | undefined {
    const gated = (b: BreakpointGate) => b.condition !== undefined || b.hit !== undefined;
    if (this.ipcBreakpoints.some(gated) || [...this.lineBreakpoints.values()].some((list) => list.some(gated))) return undefined;
    let best: RestorePoint | undefined;
    for (const r of this.restorePoints) if (r.index < index && (best === undefined || r.index > best.index)) best = r;
    if (best !== undefined) this.restorePoints = this.restorePoints.filter((r) => r !== best);
    return best;
  }

  /**
   * Re-executes a fresh boot of the system, locating nothing, and shows `visit` each kernel entry (with its index
   * in the whole run) up to the one at index `last`, or until `visit` returns true.
   */
  private async scanFromBoot(last: number, visit: (at: RunEntry, sim: RunningSystem['sim']) => boolean): Promise<void> {
    const generation = ++this.generation;
    this.running = true;
    const { system } = bootFromParams(this.params, NO_TRACE_VIEW);
    const sim = system.sim;
    sim.captureSourceLocations = false;
    let index = 0;
    let done = false;
    sim.kernelEntryHook = (raw) => {
      const at = { index: index++, steps: sim.steps, endpoint: raw.endpoint, traceEnd: sim.trace.endSeq };
      if (visit(at, sim) || at.index >= last) done = true;
      return done ? 'pause' : 'continue';
    };
    try {
      while (!done) {
        if (generation !== this.generation) throw new Error('the search was interrupted');
        const started = performance.now();
        while (!done && performance.now() - started < 15) {
          const r = sim.run({ maxSteps: 50_000 });
          if (!done && (r.reason === 'panic' || r.reason === 'idle')) throw new Error(`the replay diverged: the system stopped (${r.reason}) before kernel entry ${last}`);
        }
        if (!done) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
  }

  /** Boots the system again and re-executes it, deterministically, to entry `index` of the log. */
  private async replayTo(index: number, stop: Omit<Stop, 'entry'>): Promise<void> {
    const target = { steps: this.log.steps[index]!, endpoint: this.log.endpoint[index]!, location: this.log.locationAt(index) };
    await this.reexecute(target, stop, index);
  }

  /**
   * Goes back to a kernel entry older than the history kept (found by scanFromBoot): a re-execution from boot that
   * keeps the history again as it goes, so that the history then ends at the entry (what came after it is
   * forgotten; going forward again locates it anew). For a while the old history and the new are both held.
   */
  private async rewindTo(at: RunEntry, stop: Omit<Stop, 'entry'>): Promise<void> {
    // Locations are captured for what is shown and kept: the new history's entries (the last `capacity` up to the
    // entry), each process's last entry (its thread's frame), and each one's last before the new history (its frame
    // after a later replay within the history); every entry when line breakpoints count hits, from boot.
    const windowStart = at.index + 1 - this.log.capacity;
    const all = this.lineBreakpoints.size > 0;
    const wanted = new Set<number>();
    if (!all && at.index > 0) {
      const lastOf = new Map<number, number>();
      await this.scanFromBoot(at.index, (e) => {
        if (e.index === windowStart) for (const i of lastOf.values()) wanted.add(i);
        lastOf.set(e.endpoint, e.index);
        return false;
      });
      for (const i of lastOf.values()) wanted.add(i);
    }
    const capture = (index: number) => all || index >= windowStart || wanted.has(index);
    await this.reexecute({ steps: at.steps, endpoint: at.endpoint, location: undefined, index: at.index }, stop, { log: new EntryLog(this.log.capacity), capture });
  }

  /** Re-executes a fresh boot to the target entry: entry `index` of the log, or, rebuilding the log, an older one. */
  private async reexecute(
    target: { steps: number; endpoint: number; location: string | undefined; index?: number },
    stop: Omit<Stop, 'entry'>,
    to: number | { log: EntryLog; capture: (index: number) => boolean },
  ): Promise<void> {
    const rebuilt = typeof to === 'number' ? undefined : to.log;
    const captureAt = typeof to === 'number' ? undefined : to.capture;
    // A replay within the history starts from the latest restore point before its target, if one is ready.
    const point = typeof to === 'number' ? this.takeRestorePoint(this.log.base + to) : undefined;
    const generation = ++this.generation;
    this.running = true;
    let system: RunningSystem;
    if (point === undefined) system = bootFromParams(this.params, NO_TRACE_VIEW).system;
    else {
      system = point.system;
      system.sim.kernelEntryHook = null;
    }
    const replayedFromBefore = this.replayedFrom;
    this.replayedFrom = point === undefined ? undefined : { index: point.index, timeCycles: system.nowCycles };
    const old = this.system;
    const shownBefore = this.shownUntil;
    const lastBefore = new Map(this.lastEntry);
    const receivedBefore = new Map(this.received);
    const hitsBefore = this.hits;
    // The hits of the replayed timeline, counted again from boot up to and including the target entry.
    const hits = new Map<number, number>();
    this.hits = hits;
    this.shownUntil = Math.max(this.shownUntil, old.sim.steps);
    this.system = system;
    this.replaying = true;
    this.replayStop = target;
    this.lastEntry.clear();
    this.received.clear();
    this.attach(system);
    let entry: KernelEntry | undefined;
    const hook = system.sim.kernelEntryHook!;
    // Locations come from the log up to the target; the target's own is captured, to check it is the logged one.
    let entries = point === undefined ? 0 : point.index + 1;
    // Rebuilding, `captureAt` says which entries are captured. Otherwise entries before the history kept are captured
    // only for line breakpoints, whose hits count from boot; each process's last one there is in the log.
    const base = rebuilt === undefined ? this.log.base : Infinity;
    const lineHits = this.lineBreakpoints.size > 0;
    // Without line breakpoints an entry needs no location while the re-execution runs: only each process's last
    // one (its thread's frame) is located, from the log, once it has paused.
    const lastIndex = new Map<number, number>();
    if (point !== undefined) {
      // From a restore point: each process as it stood there (the point's own entry noted; its call goes on first).
      for (const [endpoint, e] of point.lastRaw) this.lastEntry.set(endpoint, e);
      for (const [endpoint, r] of point.received) this.received.set(endpoint, r);
      for (const [endpoint, i] of point.lastIndex) lastIndex.set(endpoint, i - base);
    }
    system.sim.kernelEntryHook = (raw) => {
      let e: KernelEntry;
      if (rebuilt === undefined) {
        const i = entries++ - base;
        this.log.check(raw, i, system.sim.steps, (ep) => this.nameOf(ep));
        e = lineHits ? this.log.withLocation(raw, i) : raw;
        lastIndex.set(raw.endpoint, i);
        // Entries before the history kept are captured for line breakpoints; from its first on, the log gives them.
        if (entries === base) system.sim.captureSourceLocations = false;
      } else {
        e = raw;
        entries++;
        if (system.sim.steps <= target.steps) rebuilt.add(system.sim.steps, system.sim.trace.endSeq, raw.endpoint, frameChain(raw));
        system.sim.captureSourceLocations = captureAt!(entries);
      }
      const r = hook(e);
      if (r === 'pause') entry = e;
      // Keep the last entry and the last received message of every process, and count hits, as the forward run does.
      this.noteReceived(e);
      this.lastEntry.set(e.endpoint, e);
      const steps = system.sim.steps;
      if (steps <= target.steps) this.firing(e, steps, hits, system.sim, this.received, (ep) => this.nameOf(ep));
      return r;
    };
    try {
      for (;;) {
        if (generation !== this.generation) throw new Error('the replay was interrupted');
        const started = performance.now();
        let paused = false;
        while (performance.now() - started < 15) {
          const before = system.sim.steps;
          // Up to the target's step without a stack trace per entry (but before the history kept), then its step with one.
          system.sim.captureSourceLocations = captureAt !== undefined ? captureAt(entries) : (entries < base && lineHits) || before >= target.steps;
          const r = system.sim.run({ maxSteps: Math.max(1, Math.min(50_000, (before < target.steps ? target.steps : target.steps + 1) - before)) });
          if (r.reason === 'paused') {
            paused = true;
            break;
          }
          if (r.reason === 'panic' || r.reason === 'idle' || system.sim.steps > target.steps) {
            throw new Error(`the replay diverged: the system reached step ${system.sim.steps} (${r.reason}) without the kernel entry of ${this.nameOf(target.endpoint)} at step ${target.steps}`);
          }
        }
        if (paused) break;
        await new Promise((r) => setImmediate(r));
      }
      // Rebuilding, the entry found is checked by its place in the whole run; otherwise by its logged location.
      if (entry === undefined || (rebuilt === undefined ? frameChain(entry) !== target.location : entries - 1 !== target.index)) {
        throw new Error(`the replay diverged: expected ${this.nameOf(target.endpoint)} at ${target.location?.split('\n')[0] ?? 'an unknown location'}, found ${entry?.name ?? 'nothing'} at ${entry?.location ?? 'an unknown location'} (did a workspace driver change on disk?)`);
      }
    } catch (e) {
      system.sim.captureSourceLocations = true;
      this.replayedFrom = replayedFromBefore;
      this.system = old;
      this.shownUntil = shownBefore;
      this.lastEntry.clear();
      for (const [k, e2] of lastBefore) this.lastEntry.set(k, e2);
      this.received.clear();
      for (const [k, r] of receivedBefore) this.received.set(k, r);
      this.hits = hitsBefore;
      this.replaying = false;
      this.running = false;
      throw e;
    }
    system.sim.kernelEntryHook = hook;
    for (const [endpoint, i] of lastIndex) {
      const last = this.lastEntry.get(endpoint);
      if (last !== undefined) this.lastEntry.set(endpoint, this.log.withLocation(last, i));
    }
    if (typeof to === 'number') this.log.truncate(to + 1);
    else this.log = to.log;
    // Forward from here, the entries already logged are retaken without capturing their locations.
    system.sim.captureSourceLocations = this.log.length >= this.log.known;
    this.replaying = false;
    this.pending = undefined;
    this.pauseRequested = false;
    this.createdSinceCheck = false;
    this.restartCounts = this.currentRestarts();
    this.corruptions = system.machine.corruption.count;
    // Data breakpoints compare from the replayed state on.
    this.setDataWatches(this.dataWatches);
    this.running = false;
    this.stop = { ...stop, entry };
  }
}

const SPECIAL: Readonly<Record<number, string>> = {
  [HARDWARE]: 'HARDWARE', [SYSTEM]: 'SYSTEM', [CLOCK]: 'CLOCK', [IDLE]: 'IDLE', [ASYNCM]: 'ASYNCM', [ANY]: 'ANY', [NONE]: 'NONE', [SELF]: 'SELF',
};

function corruptionText(r: { device: string; victim: string; paddr: number; lengthBytes: number }): string {
  return `${r.device}'s DMA overwrote ${r.victim === 'the kernel' ? "the kernel's" : `${r.victim}'s`} memory at 0x${r.paddr.toString(16)} (${r.lengthBytes} bytes): no IOMMU stopped it`;
}

/** A kernel entry's frames, innermost first, '\n'-separated: what breakpoints are matched on and replay checks. */
export function frameChain(entry: KernelEntry): string | undefined {
  if (entry.location === undefined) return undefined;
  return entry.callers.length === 0 ? entry.location : [entry.location, ...entry.callers].join('\n');
}
