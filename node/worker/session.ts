// The session: the one system the worker runs for the editor. It boots a
// system from a scenario or a system.conf, runs it in short slices paced
// against the wall clock (yielding to the event loop between slices, so that
// pause, stop and every other request are answered at once), and pushes a
// complete snapshot at most SNAPSHOT_INTERVAL_MS apart.
import { basename, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type {
  DriverOperation,
  FaultTypeEntry,
  IommuView,
  ProcessSummary,
  CorruptionStatus,
  RunReport,
  SessionRequests,
  SessionState,
  SessionStatus,
  StartParams,
  SystemSnapshot,
  SystemSource,
} from '../../simulator/protocol/workerProtocol';
import { NONE } from '../../simulator/kernel/constants';
import type { RunningSystem } from '../../simulator/system/boot';
import { formatSummary, summaryHeadline } from '../../simulator/system/summary';
import { MINIX_RS_TIMING } from '../../simulator/services/rs';
import { parseTrialId, watchTrial, type TrialSpec } from '../../simulator/campaign/campaign';
import { isCodeFault } from '../../simulator/config/faultTypes';
import { formatSimTime, secondsToCycles, timeToCycles } from '../../simulator/time/time';
import { bootScenario, builtinScenario, builtinScenarios, systemConfScenario, type BootableScenario, type BootOverrides } from '../../simulator/system/scenarios';
import { parseScenario, type Scenario, type SimTime } from '../../simulator/config/scenario';
import { CONFIGURATIONS, isConfiguration, unknownConfigurationMessage } from '../../simulator/config/configurations';
import { formatDiagnostic, parseSystemConf } from '../../simulator/config/systemConf';
import { DEFAULT_COST_PROFILE, costProfile, costProfiles } from '../../simulator/kernel/costs/costProfiles';
import { INJECTABLE_FAULTS, isInjectableFault, type InjectableFault } from '../../simulator/faults/injector';
import { ScenarioFileError, readScenarioFiles } from '../boot/scenarioFiles';
import { locateThroughSourceMaps } from '../boot/sourcePositions';
import { Pacer, SliceSizer } from './pacing';
import type { HandlersFor, WorkerContext } from './workerContext';
import { attachTraceLocations } from '../../simulator/trace/locations';
import { registerTraceLocations } from './traceHandlers';

/** Snapshots are pushed at most this often (4 per second). */
export const SNAPSHOT_INTERVAL_MS = 250;
/** Wall time one tick may spend simulating before it yields to the event loop. */
export const TICK_BUDGET_MS = 12;
/** Wall time between ticks when the system runs at a set speed. */
export const TICK_INTERVAL_MS = 16;
const DEFAULT_TRACE_CAPACITY = 1_000_000;
const RS_LABEL = 'rs';

export const FAULT_DESCRIPTIONS: Readonly<Record<InjectableFault, string>> = {
  crash: 'Throws at its next step: the process ends, RS sees the exit and restarts it at once.',
  hang: 'Computes forever without entering the kernel: only the missed heartbeats give it away; RS kills it after two periods and restarts it.',
  'wild-write': 'Writes outside its address space: the MMU faults, the kernel kills it, RS restarts it.',
  'wild-dma': "Programs its device's DMA at kernel memory: the IOMMU blocks and logs the transfer (without one, memory is corrupted).",
  'resource-leak': 'Leaks memory on every request until it runs out, then fails.',
  'bad-ipc-args': 'Its next message goes out corrupted: a wrong message type (or, with field=destination or field=word, a wrong destination or payload word).',
  'bad-kernel-call-args': 'Its next kernel call carries a corrupted argument (field=a..e, or call for the call number); the kernel refuses it or acts on the wrong value.',
  'irq-fault': 'An interrupt goes wrong: a spurious one no device raised, or with mode=lost the interrupts under way are lost and its lines masked.',
  'corrupt-source': 'From now on one operand of an expression in its code (site=N) has a bit flipped: a corrupted source register.',
  'corrupt-destination': 'From now on one value its code stores (site=N: an assignment or an initialiser) has a bit flipped: a corrupted destination register.',
  'corrupt-pointer': 'From now on one memory reference in its code (site=N) is corrupted: an index has a bit flipped, an object reference is lost.',
  'skip-init': 'From now on one local variable (site=N) is left uninitialised.',
  'remove-instruction': 'From now on one statement of its code (site=N) is skipped.',
  'remove-branch': 'From now on one conditional (site=N) always takes its first branch.',
  'invert-loop': "From now on one loop's condition (site=N) is inverted.",
};

/** An error the user can act on: bad input, a refused action. The message is shown as it is. */
export class SessionError extends Error {}

export interface SessionClock {
  nowMs(): number;
  /** Runs `fn` after `ms` (0: as soon as the event loop is free); returns a cancel function. */
  defer(fn: () => void, ms: number): () => void;
}

const nodeClock: SessionClock = {
  nowMs: () => performance.now(),
  defer: (fn, ms) => {
    if (ms <= 0) {
      const h = setImmediate(fn);
      return () => clearImmediate(h);
    }
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
};

export class Session {
  /** The running (or paused, or stopped) system; undefined before the first start. */
  system: RunningSystem | undefined;
  private stateValue: SessionState = 'idle';
  private runId = 0;
  private untilCycles: number | null = null;
  private message: string | undefined;
  /** How the run went, once it has ended; cleared by the next start. */
  private report: RunReport | undefined;
  private pacer: Pacer | undefined;
  private sizer = sliceSizer(costProfile(DEFAULT_COST_PROFILE).clockHz);
  private lagging = false;
  private speed = 1;
  private cancelTick: (() => void) | undefined;
  private cancelPublish: (() => void) | undefined;
  private lastPublishMs = -Infinity;
  private publisher: ((snapshot: SystemSnapshot) => void) | undefined;
  private readonly systemListeners = new Set<(system: RunningSystem | undefined) => void>();

  constructor(private readonly clock: SessionClock = nodeClock) {}

  get state(): SessionState {
    return this.stateValue;
  }

  /** Receives every pushed snapshot (the worker posts them to the host). */
  setPublisher(publish: (snapshot: SystemSnapshot) => void): void {
    this.publisher = publish;
  }

  /** Called with the new system whenever one is started (other request groups attach to it). */
  onSystemChanged(listener: (system: RunningSystem | undefined) => void): { dispose(): void } {
    this.systemListeners.add(listener);
    return { dispose: () => this.systemListeners.delete(listener) };
  }

  status(): SessionStatus {
    const s = this.system;
    let restarts = 0;
    if (s) for (const st of s.rsStatus.values()) restarts += st.restarts;
    return {
      state: this.stateValue,
      runId: this.runId,
      ...(s === undefined ? {} : { name: s.name, configuration: s.configuration }),
      nowCycles: s?.nowCycles ?? 0,
      untilCycles: this.untilCycles,
      clockHz: s?.clockHz ?? costProfile(DEFAULT_COST_PROFILE).clockHz,
      restarts,
      speed: this.speed,
      lagging: this.lagging,
      ...(this.message === undefined ? {} : { message: this.message }),
      ...(s === undefined ? {} : { seed: s.options.seed }),
      ...(this.report === undefined ? {} : { report: this.report }),
      ...(s === undefined || s.machine.corruption.count === 0 ? {} : { corruption: corruptionStatus(s)! }),
    };
  }

  private makeReport(system: RunningSystem): RunReport {
    return runReport(system);
  }

  /** The running system as the views show it, or undefined before the first start. */
  snapshot(): SystemSnapshot | undefined {
    const s = this.system;
    if (s === undefined) return undefined;
    return { ...viewSnapshot(s), running: this.stateValue === 'running', session: this.status() };
  }

  /** Boots a new system (replacing the current one once the new one has booted) and runs it. */
  start(params: StartParams): SessionStatus {
    const speed = checkSpeed(params.speed);
    const { system, untilCycles } = bootFromParams(params);
    this.halt();
    this.system = system;
    // Pacing and slices are counted in cycles of the new system's clock.
    this.pacer = undefined;
    this.sizer = sliceSizer(system.clockHz);
    this.runId++;
    this.untilCycles = untilCycles;
    this.speed = speed;
    this.message = system.diagnostics.length > 0 ? `${system.diagnostics.length} warning(s) in the system description` : undefined;
    this.report = undefined;
    this.lagging = false;
    for (const l of this.systemListeners) l(system);
    this.setRunning();
    return this.status();
  }

  pause(): SessionStatus {
    if (this.stateValue === 'running') {
      this.halt();
      this.stateValue = 'paused';
      this.publishSoon();
    }
    return this.status();
  }

  resume(): SessionStatus {
    if (this.stateValue === 'paused') this.setRunning();
    else if (this.stateValue !== 'running') throw new SessionError(this.notRunnable('resume'));
    return this.status();
  }

  stop(): SessionStatus {
    if (this.stateValue === 'running' || this.stateValue === 'paused') {
      this.halt();
      this.stateValue = 'stopped';
      this.message = undefined;
      if (this.system !== undefined) this.report = this.makeReport(this.system);
      this.publishSoon();
    }
    return this.status();
  }

  setSpeed(speed: number): SessionStatus {
    this.speed = checkSpeed(speed);
    if (this.system && this.pacer) this.pacer.reanchor(this.clock.nowMs(), this.system.nowCycles, this.speed);
    return this.status();
  }

  driverOperation(op: DriverOperation, label: string): string {
    const system = this.liveSystem(op);
    this.checkService(system, label);
    if (label === RS_LABEL) throw new SessionError('rs is the reincarnation server itself: nothing would restart it');
    let done: string;
    if (op === 'kill') {
      const endpoint = system.sim.endpointOf(label);
      if (endpoint === undefined) throw new SessionError(`${label} has no running instance now (${system.rsStatus.get(label)?.state ?? 'not started'})`);
      system.sim.kill(endpoint);
      done = `${label} (endpoint ${endpoint}) killed with SIGKILL`;
    } else {
      const r = system.service(op, label);
      if (r < 0) throw new SessionError(`service ${op} ${label} could not be started (error ${r})`);
      done = `service ${op} ${label} sent to the reincarnation server`;
    }
    this.publishSoon();
    return this.stateValue === 'paused' ? `${done}; it takes effect when the system resumes` : done;
  }

  injectFault(label: string, type: string): string {
    const system = this.liveSystem('inject a fault');
    this.checkService(system, label);
    if (!isInjectableFault(type)) throw new SessionError(`unknown fault type '${type}' (available: ${INJECTABLE_FAULTS.join(', ')})`);
    const endpoint = system.sim.endpointOf(label);
    if (endpoint === undefined) throw new SessionError(`${label} has no running instance now (${system.rsStatus.get(label)?.state ?? 'not started'}): there is nothing to inject into`);
    if (isCodeFault(type) && !system.injector.isOpened(label)) {
      throw new SessionError(
        `${type} mutates ${label}'s code, which this run did not load from its source: give the scenario a ${type} fault for ${label} ` +
          '(its target is then loaded from source, and the same fault can be injected again from here), or use Run Fault Campaign',
      );
    }
    system.injectFault(label, type);
    this.publishSoon();
    const when = this.stateValue === 'paused' ? 'when the system resumes and it next runs' : 'the next time it runs';
    return `${type} armed in ${label} (endpoint ${endpoint}); it strikes ${when}`;
  }

  serviceDetails(label: string): SessionRequests['serviceDetails']['result'] {
    const system = this.system;
    if (system === undefined) throw new SessionError('no system has been started');
    const p = system.processes().find((x) => x.label === label);
    if (p === undefined && !serviceLabels(system).has(label)) {
      throw new SessionError(`no process or service '${label}' in ${system.name} (${system.processes().map((x) => x.label).join(', ')})`);
    }
    return {
      label,
      group: p?.group ?? 'not started yet',
      ...(p?.privileges === undefined ? {} : { privileges: p.privileges }),
      ...(p?.source === undefined ? {} : { source: p.source }),
      ...confEntry(system.systemConfText, label),
    };
  }

  iommuState(blockedLimit = 100): IommuView | null {
    const d = this.system?.iommuState();
    if (!d) return null;
    // The IOMMU knows devices by id; the view names them as the machine does (nic0, disk0, ...).
    const machineNames = new Map(this.system!.machine.devices.filter((x) => x.deviceId !== undefined).map((x) => [x.deviceId!, x.describe().name]));
    const names = new Map(d.domains.map((x) => [x.deviceId, machineNames.get(x.deviceId) ?? x.label]));
    const limit = Math.max(0, Math.min(1000, Math.floor(blockedLimit)));
    return {
      clockHz: this.system!.clockHz,
      mode: d.mode,
      invalidation: d.invalidation,
      domains: d.domains.map((x) => ({ deviceId: x.deviceId, label: names.get(x.deviceId) ?? x.label, faultCount: x.faultCount, mappings: x.mappings.slice(0, 200) })),
      faultCount: d.faultCount,
      blocked: d.faultLog.slice(d.faultLog.length - limit).map((f) => ({
        seq: f.seq,
        timeCycles: f.timeCycles,
        deviceId: f.deviceId,
        device: names.get(f.deviceId) ?? `device ${f.deviceId}`,
        iova: f.iova,
        lengthBytes: f.lengthBytes,
        direction: f.direction,
        reason: f.reason,
      })),
      iotlbEntries: d.iotlbEntries,
      iotlbCapacity: d.iotlbCapacity,
      transfers: d.counters.transfers,
      staleTransfers: d.counters.staleTransfers,
    };
  }

  /** Ends the run loop and pending pushes (the worker is going away, or a test is done). */
  dispose(): void {
    this.halt();
    this.cancelPublish?.();
    this.cancelPublish = undefined;
  }

  private setRunning(): void {
    const system = this.system!;
    this.stateValue = 'running';
    if (this.pacer) this.pacer.reanchor(this.clock.nowMs(), system.nowCycles, this.speed);
    else this.pacer = new Pacer(this.speed, system.clockHz, this.clock.nowMs(), system.nowCycles);
    this.publishSoon();
    this.schedule(0);
  }

  private halt(): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  private schedule(ms: number): void {
    this.cancelTick = this.clock.defer(() => this.tick(), ms);
  }

  /** One tick: simulate towards the paced target for at most TICK_BUDGET_MS, then yield. */
  private tick(): void {
    this.cancelTick = undefined;
    const system = this.system;
    const pacer = this.pacer;
    if (this.stateValue !== 'running' || system === undefined || pacer === undefined) return;
    const started = this.clock.nowMs();
    const end = this.untilCycles ?? Infinity;
    const target = Math.min(end, pacer.targetCycles(started, system.nowCycles));
    let stopped: SessionState | undefined;
    try {
      while (system.nowCycles < target) {
        const from = system.nowCycles;
        const sliceEnd = Math.min(target, from + this.sizer.sliceCycles);
        const sliceStarted = this.clock.nowMs();
        const r = system.run({ untilCycles: sliceEnd, sliceCycles: sliceEnd - from });
        const now = this.clock.nowMs();
        this.sizer.observe(system.nowCycles - from, now - sliceStarted);
        if (r.reason === 'panic') {
          stopped = 'panicked';
          this.message = `kernel panic: ${system.sim.panicked?.message ?? 'unknown'}`;
          break;
        }
        if (r.reason === 'paused') {
          stopped = 'paused';
          this.message = 'paused by a debugger hook';
          break;
        }
        if (now - started >= TICK_BUDGET_MS) break;
      }
    } catch (e) {
      stopped = 'stopped';
      this.message = `the simulation failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (stopped === undefined && system.nowCycles >= end) {
      stopped = 'finished';
      this.message = `the scenario's duration (${formatSimTime(end, system.clockHz)}) has passed`;
    }
    const dropped = pacer.takeLagging();
    this.lagging = pacer.speed > 0 && (dropped || (stopped === undefined && system.nowCycles < target));
    if (stopped !== undefined) {
      this.stateValue = stopped;
      this.report = this.makeReport(system);
      this.publishSoon();
      return;
    }
    this.publishSoon();
    this.schedule(pacer.speed === 0 ? 0 : TICK_INTERVAL_MS);
  }

  /** Pushes a snapshot now, or at the earliest moment the rate allows. */
  private publishSoon(): void {
    if (this.cancelPublish !== undefined) return;
    const wait = this.lastPublishMs + SNAPSHOT_INTERVAL_MS - this.clock.nowMs();
    this.cancelPublish = this.clock.defer(() => {
      this.cancelPublish = undefined;
      this.lastPublishMs = this.clock.nowMs();
      const snapshot = this.snapshot();
      if (snapshot && this.publisher) this.publisher(snapshot);
    }, Math.max(0, wait));
  }

  private liveSystem(action: string): RunningSystem {
    const system = this.system;
    if (system === undefined) throw new SessionError(`no system is running: start one first (Microkernel Lab: Start System…) to ${action}`);
    if (this.stateValue !== 'running' && this.stateValue !== 'paused') throw new SessionError(this.notRunnable(action));
    return system;
  }

  private checkService(system: RunningSystem, label: string): void {
    if (typeof label !== 'string' || label === '') throw new SessionError('a service label is required');
    const services = serviceLabels(system);
    if (!services.has(label)) throw new SessionError(`'${label}' is not a service of ${system.name} (services: ${[...services].sort().join(', ')})`);
  }

  private notRunnable(action: string): string {
    const why = this.stateValue === 'idle' ? 'no system has been started' : `the system has ${this.stateValue === 'finished' ? 'finished' : this.stateValue === 'panicked' ? 'panicked' : 'been stopped'}`;
    return `cannot ${action}: ${why}; start a system again`;
  }
}

export function sessionHandlers(ctx: WorkerContext): HandlersFor<SessionRequests> {
  const session = ctx.session;
  session.setPublisher((body) => ctx.post({ kind: 'event', event: 'snapshot', body }));
  const withStatus = (message: string) => ({ message, status: session.status() });
  return {
    sessionCatalog: () => ({
      scenarios: [...builtinScenarios()].map(([name, s]) => ({ name, description: s.description, configuration: s.configuration, durationCycles: s.duration.cycles, clockHz: s.clockHz })),
      configurations: [...CONFIGURATIONS],
      costProfiles: Object.keys(costProfiles),
      faultTypes: INJECTABLE_FAULTS.map((type): FaultTypeEntry => ({ type, description: FAULT_DESCRIPTIONS[type] })),
    }),
    startSystem: (params) => session.start(params),
    stopSystem: () => session.stop(),
    pauseSystem: () => session.pause(),
    resumeSystem: () => session.resume(),
    setSpeed: ({ speed }) => session.setSpeed(speed),
    sessionStatus: () => session.status(),
    driverOperation: ({ op, label }) => withStatus(session.driverOperation(checkOperation(op), label)),
    injectFault: ({ label, type }) => withStatus(session.injectFault(label, type)),
    serviceDetails: ({ label }) => session.serviceDetails(label),
    iommuState: ({ blockedLimit }) => session.iommuState(blockedLimit),
  };
}

const OPERATIONS: readonly DriverOperation[] = ['restart', 'kill', 'update', 'down', 'up', 'refresh'];

function checkOperation(op: string): DriverOperation {
  if (!(OPERATIONS as readonly string[]).includes(op)) throw new SessionError(`unknown operation '${op}' (available: ${OPERATIONS.join(', ')})`);
  return op as DriverOperation;
}

function checkSpeed(speed: unknown): number {
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0) {
    throw new SessionError(`the speed must be a non-negative number of simulated seconds per second (0: as fast as possible), got ${String(speed)}`);
  }
  return speed;
}

/** How bootFromParams boots, beyond what the parameters say. */
export interface BootHow {
  /**
   * Whether each trace event notes the source line of the kernel entry that made it, for the trace view (default
   * true). The debug adapter, which shows no trace, does without.
   */
  readonly traceLocations?: boolean;
}

/** Validates everything, loads what the source needs from disk, and boots; nothing is replaced if this throws. */
export function bootFromParams(params: StartParams, how: BootHow = {}): { system: RunningSystem; untilCycles: number | null } {
  const configuration = params.configuration;
  if (configuration !== undefined && !isConfiguration(configuration)) throw new SessionError(unknownConfigurationMessage(configuration));
  if (params.costProfile !== undefined && costProfiles[params.costProfile] === undefined) {
    throw new SessionError(`unknown cost profile '${params.costProfile}' (available: ${Object.keys(costProfiles).join(', ')})`);
  }
  if (params.seed !== undefined && (!Number.isSafeInteger(params.seed) || params.seed < 0)) throw new SessionError(`the seed must be a non-negative integer, got ${params.seed}`);
  if (params.heartbeatPeriodMs !== undefined && !(Number.isFinite(params.heartbeatPeriodMs) && params.heartbeatPeriodMs > 0)) {
    throw new SessionError(`the heartbeat period must be a positive number of milliseconds, got ${params.heartbeatPeriodMs}`);
  }
  if (params.traceCapacity !== undefined && !(Number.isSafeInteger(params.traceCapacity) && params.traceCapacity >= 1000)) {
    throw new SessionError(`the trace buffer must hold at least 1000 events, got ${params.traceCapacity}`);
  }
  // Kernel entries name the drivers' own lines: positions go through the source maps this process has loaded.
  locateThroughSourceMaps();
  if (params.source?.kind === 'trial') return bootTrial(params, how);
  const { scenario, files, duration } = resolveSource(params.source, params.trusted);
  const system = bootScenario(scenario, {
    ...files,
    ...(configuration === undefined ? {} : { configuration }),
    ...(params.seed === undefined ? {} : { seed: params.seed }),
    ...(params.costProfile === undefined ? {} : { costProfile: params.costProfile }),
    ...(params.heartbeatPeriodMs === undefined ? {} : { heartbeatPeriodSeconds: params.heartbeatPeriodMs / 1000 }),
    trace: { capacity: params.traceCapacity ?? DEFAULT_TRACE_CAPACITY, mode: 'ring' },
    // The editor shows, for each kernel entry, the line of the driver that made it.
    captureSourceLocations: true,
  });
  if (how.traceLocations !== false) registerTraceLocations(system, attachTraceLocations(system.sim, undefined, programFileOf(system)));
  // The duration in cycles of the clock the system runs with (the user's cost profile may not be the scenario's).
  const untilCycles = duration === null ? null : timeToCycles(duration.written, system.clockHz)!;
  return { system, untilCycles };
}

/** A campaign trial, run as the campaign ran it; its id fixes everything but how the trace is kept. */
function bootTrial(params: StartParams, how: BootHow): { system: RunningSystem; untilCycles: number | null } {
  const source = params.source as Extract<SystemSource, { kind: 'trial' }>;
  let spec: TrialSpec;
  try {
    spec = parseTrialId(String(source.id));
  } catch (e) {
    throw new SessionError((e as Error).message);
  }
  for (const [key, given] of [['configuration', params.configuration], ['seed', params.seed], ['costProfile', params.costProfile], ['heartbeatPeriodMs', params.heartbeatPeriodMs]] as const) {
    if (given !== undefined) throw new SessionError(`a trial's id fixes its system, configuration and seed: ${key} cannot be given with it`);
  }
  const { system, untilCycles } = watchTrial(spec, { trace: { capacity: params.traceCapacity ?? DEFAULT_TRACE_CAPACITY, mode: 'ring' }, captureSourceLocations: true });
  if (how.traceLocations !== false) registerTraceLocations(system, attachTraceLocations(system.sim, undefined, programFileOf(system)));
  return { system, untilCycles };
}

interface ResolvedSource {
  scenario: BootableScenario;
  /** What the source names on disk (or, for a system.conf, the editor's text of it). */
  files: BootOverrides;
  /** The scenario's duration; null for a system.conf, which runs until it is stopped. */
  duration: SimTime | null;
}

function resolveSource(source: SystemSource, trusted: boolean): ResolvedSource {
  switch (source?.kind) {
    case 'builtin': {
      if (!builtinScenarios().has(String(source.name).toLowerCase())) {
        throw new SessionError(`no built-in scenario '${source.name}' (available: ${[...builtinScenarios().keys()].join(', ')})`);
      }
      const scenario = builtinScenario(source.name);
      return { scenario, files: {}, duration: scenario.duration };
    }
    case 'scenarioFile': {
      const { scenario, diagnostics } = parseScenario(source.text, source.file);
      if (scenario === undefined) {
        throw new SessionError(`${source.file} is not a valid scenario:\n${diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}`);
      }
      if (scenario.userDrivers.length > 0 && !trusted) {
        throw new SessionError(
          `${basename(source.file)} runs workspace code (userDrivers: ${scenario.userDrivers.join(', ')}), and this workspace is not trusted. ` +
            'In restricted mode only built-in systems and drivers run: trust the workspace to run it.',
        );
      }
      return { scenario, files: scenarioFiles(scenario, dirname(source.file)), duration: scenario.duration };
    }
    case 'systemConf': {
      const name = basename(dirname(source.file)) + '/' + basename(source.file);
      return { scenario: systemConfScenario(name, source.file), files: { systemConf: { text: String(source.text), file: source.file } }, duration: null };
    }
    default:
      throw new SessionError('start: expected a built-in scenario, a scenario file or a system.conf');
  }
}

function scenarioFiles(scenario: Scenario, baseDir: string): BootOverrides {
  try {
    return readScenarioFiles(scenario, baseDir);
  } catch (e) {
    if (e instanceof ScenarioFileError) throw new SessionError(e.message);
    throw e;
  }
}

const labelsOf = new WeakMap<RunningSystem, ReadonlySet<string>>();

/** The services the system description names (RS may not have started them all yet). */
function serviceLabels(system: RunningSystem): ReadonlySet<string> {
  let labels = labelsOf.get(system);
  if (labels === undefined) {
    labels = new Set([...parseSystemConf(system.systemConfText, 'system.conf').description.services.map((s) => s.label), ...system.rsStatus.keys()]);
    labelsOf.set(system, labels);
  }
  return labels;
}

/** The service's entry as written in the system description. */
function confEntry(text: string, label: string): { conf?: string } {
  const parsed = parseSystemConf(text, 'system.conf');
  const d = parsed.description.services.find((s) => s.label === label);
  if (d === undefined) return {};
  const lines = text.split('\n').slice(d.range.line - 1, d.range.endLine);
  return { conf: lines.join('\n') };
}

/** Slices from 10 ms of simulated time, between 10 µs and 1 s, at `clockHz`. */
function sliceSizer(clockHz: number): SliceSizer {
  return new SliceSizer(secondsToCycles(0.01, clockHz), secondsToCycles(1e-5, clockHz), secondsToCycles(1, clockHz));
}

/**
 * A system as the views show it: its processes (a service with what the
 * reincarnation server says of it, one row per service) and devices. The
 * editor's session and the debugger both send this.
 */
export function viewSnapshot(s: RunningSystem): Omit<SystemSnapshot, 'running' | 'session'> {
  const base = s.snapshot();
  const processes: ProcessSummary[] = [];
  for (const p of base.processes) {
    const rs = s.rsStatus.get(p.label);
    if (rs === undefined) {
      processes.push(p);
      continue;
    }
    // A stopped replica (`service clone`) is not the service; the views show one row per service.
    if (rs.replica !== NONE && rs.replica === p.endpoint) continue;
    processes.push({
      ...p,
      serviceState: rs.state,
      updates: rs.updates,
      ...(rs.backoffChecks > 0 ? { backoffSeconds: rs.backoffChecks * MINIX_RS_TIMING.checkSeconds } : {}),
    });
  }
  return { ...base, processes };
}

/** How a run went, read off the system as `mklab run`'s summary reads it (its integrity check included). */
export function runReport(system: RunningSystem): RunReport {
  const summary = system.summary(system.name);
  return {
    outcome: summary.outcome,
    expectedOutcome: summary.expectedOutcome,
    headline: summaryHeadline(summary),
    text: formatSummary(summary),
    panic: summary.panic,
    blastRadius: summary.blastRadius,
    corruptedPages: summary.integrity.corruptedPages,
  };
}

/** What the DMA check found so far, for a status (undefined when nothing). */
export function corruptionStatus(s: RunningSystem): CorruptionStatus | undefined {
  const c = s.machine.corruption;
  return c.count === 0 ? undefined : { count: c.count, first: c.records.slice(0, 10) };
}

/** The source file of the program an endpoint runs (repository-relative for built-in programs), for jump-to-source. */
export function programFileOf(system: RunningSystem): (endpoint: number) => string | undefined {
  const files = new Map<string, string | undefined>();
  return (endpoint) => {
    const program = system.sim.kernel.procOf(endpoint)?.program;
    if (program === undefined) return undefined;
    if (!files.has(program)) files.set(program, system.sim.programs.get(program)?.sourceFile);
    return files.get(program);
  };
}
