// Fault-injection campaigns (claim S6), after MINIX's (Herder et al., DSN
// 2009): many trials, each booting a system in one configuration, running its
// workload and injecting a batch of faults of one type into one running
// driver, then classifying what became of the system. A trial is a pure
// function of its id (configuration, target, fault type, faults per trial and
// a seed), so any trial can be replayed alone and gives the same trace.
//
// Plan: trial i of a campaign gets the i-th combination of configuration x
// target x fault type (round robin) and the seed mix(campaign seed, i); a shard
// i/n takes the trials whose index is i modulo n. The summary counts outcomes
// per fault type x configuration; it is a sum over trials, so shards merged
// give the same summary, byte for byte, as the unsharded run.
import { INJECTABLE_FAULTS, isCodeFault, isInjectableFault, type InjectableFault } from '../config/faultTypes';
import { CONFIGURATIONS, configurationTraits, isConfiguration, type Configuration } from '../config/configurations';
import { builtinScenario, bootScenario, type BootOverrides } from '../system/scenarios';
import type { RunningSystem } from '../system/boot';
import { RandomStream } from '../core/random';
import { secondsToCycles, cyclesToSeconds } from '../time/time';
import type { FaultParams } from '../faults/injector';

export const CAMPAIGN_FORMAT = 'microkernel-lab-campaign';
/** 2: the driver-failed class, code-level fault sites in the log. */
export const CAMPAIGN_VERSION = 2;

/** What became of a trial, least severe first (MINIX's classes, DSN 2009). */
export const OUTCOME_CLASSES = ['no-effect', 'request-retried', 'crash-recovered', 'hang-recovered', 'driver-failed', 'data-corrupted', 'system-failure'] as const;
export type OutcomeClass = (typeof OUTCOME_CLASSES)[number];

export const OUTCOME_MEANING: Readonly<Record<OutcomeClass, string>> = {
  'no-effect': 'the faults had no visible effect',
  'request-retried': 'requests failed and were retried; the driver was not restarted',
  'crash-recovered': 'the driver crashed and the reincarnation server restarted it',
  'hang-recovered': 'the driver hung, was killed by the reincarnation server\'s heartbeat check and restarted',
  'driver-failed': 'the driver ran on but stopped doing its work, unnoticed by the reincarnation server; the rest of the system ran on',
  'data-corrupted': 'data reached the peer damaged (the end-to-end check of the payload failed)',
  'system-failure': 'kernel panic, kernel memory corrupted, or the system hung (the reincarnation server itself no longer ran) or livelocked',
};

/** The targets a campaign can aim at: the drivers whose workload it knows how to check. */
export const CAMPAIGN_TARGETS = ['nic'] as const;
export type CampaignTarget = (typeof CAMPAIGN_TARGETS)[number];

/** One trial, as its id names it. */
export interface TrialSpec {
  readonly configuration: Configuration;
  readonly target: CampaignTarget;
  readonly type: InjectableFault;
  /** Faults injected into the running driver in this trial, one after another. */
  readonly faults: number;
  /** Seeds the simulator and the choice of fault parameters and trigger times. */
  readonly seed: number;
}

export interface FaultOutcome {
  readonly type: InjectableFault;
  readonly params: FaultParams;
  /** For a code-level fault that struck: the site of the driver's source it mutated. */
  readonly site?: { readonly file: string; readonly index: number; readonly line: number; readonly column: number; readonly text: string };
  /** When the fault was armed and when it struck, in seconds of simulated time; null if it never struck. */
  readonly armedAtSeconds: number;
  readonly appliedAtSeconds: number | null;
  readonly skipped: string | null;
}

export interface TrialResult {
  readonly id: string;
  readonly index: number;
  readonly configuration: Configuration;
  readonly target: CampaignTarget;
  readonly type: InjectableFault;
  readonly seed: number;
  readonly faults: readonly FaultOutcome[];
  readonly injected: number;
  readonly outcome: OutcomeClass;
  /** Why the trial was classified so, in a sentence. */
  readonly reason: string;
  /** From the first fault that struck to the first death of the driver it caused (crash, fault or heartbeat kill); null if none. */
  readonly detectionSeconds: number | null;
  /** From that death to the new instance's end of initialisation; null if there was none. */
  readonly recoverySeconds: number | null;
  readonly simulatedSeconds: number;
  readonly traceDigest: string;
}

/** How a trial runs, in seconds of simulated time. */
export const TRIAL_TIMING = {
  /** The workload runs this long before the first fault. */
  warmupSeconds: 1,
  /** Each fault is armed at a random moment within this window after the driver is found running. */
  spreadSeconds: 0.5,
  /** After a fault strikes, before its driver's state is read: RS hears of an exit within microseconds. */
  noticeSeconds: 0.05,
  /** How long to wait for the driver to run again before arming the next fault (RS's longest backoff is 30 s). */
  waitForDriverSeconds: 40,
  /** After the last fault and the driver's restart, if it needed one: long enough for RS to notice a hang (two 5-s heartbeat periods and a check) and restart the driver. */
  settleSeconds: 15,
  /** The last part of the settle time, in which the workload must make progress for the system to count as alive. */
  progressWindowSeconds: 5,
  /**
   * Simulator steps a trial may take in all. A trial takes about 8,000; a mutated driver and the network
   * server can livelock, bouncing a request between them without end, and a trial that reaches this many
   * steps before its end is stopped there (the same in every run: it counts steps, not time): a system
   * failure if RS no longer ran, else a driver failure.
   */
  maxSteps: 1_000_000,
} as const;

const ID_PATTERN = /^([a-z-]+):([a-z0-9-]+):([a-z-]+):(\d+):([0-9a-f]{8})$/;

export function trialId(spec: TrialSpec): string {
  return `${spec.configuration}:${spec.target}:${spec.type}:${spec.faults}:${(spec.seed >>> 0).toString(16).padStart(8, '0')}`;
}

/** The trial an id names; throws a RangeError that says what is wrong. */
export function parseTrialId(id: string): TrialSpec {
  const m = ID_PATTERN.exec(id.trim());
  if (m === null) throw new RangeError(`'${id}' is not a trial id: expected CONFIGURATION:TARGET:FAULT-TYPE:FAULTS:SEED, e.g. microkernel-iommu:nic:crash:1:0a1b2c3d`);
  const [, configuration, target, type, faults, seed] = m as unknown as [string, string, string, string, string, string];
  if (!isConfiguration(configuration)) throw new RangeError(`trial id '${id}': unknown configuration '${configuration}' (known: ${CONFIGURATIONS.join(', ')})`);
  if (!isCampaignTarget(target)) throw new RangeError(`trial id '${id}': unknown target '${target}' (campaigns target: ${CAMPAIGN_TARGETS.join(', ')})`);
  if (!isInjectableFault(type)) throw new RangeError(`trial id '${id}': unknown fault type '${type}' (known: ${INJECTABLE_FAULTS.join(', ')})`);
  const n = Number(faults);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_FAULTS_PER_TRIAL) throw new RangeError(`trial id '${id}': faults per trial must be 1 to ${MAX_FAULTS_PER_TRIAL}`);
  return { configuration, target, type, faults: n, seed: parseInt(seed, 16) >>> 0 };
}

export function isCampaignTarget(name: string): name is CampaignTarget {
  return (CAMPAIGN_TARGETS as readonly string[]).includes(name);
}

export const MAX_FAULTS_PER_TRIAL = 1000;

export interface CampaignOptions {
  readonly targets: readonly CampaignTarget[];
  readonly types: readonly InjectableFault[];
  readonly configurations: readonly Configuration[];
  /** Faults to inject in all (rounded up to whole trials). */
  readonly faults: number;
  readonly faultsPerTrial: number;
  readonly seed: number;
}

/** The trial at `index` of a campaign. */
export function planTrial(options: CampaignOptions, index: number): TrialSpec {
  const combos = options.configurations.length * options.targets.length * options.types.length;
  const c = index % combos;
  const type = options.types[c % options.types.length]!;
  const target = options.targets[Math.floor(c / options.types.length) % options.targets.length]!;
  const configuration = options.configurations[Math.floor(c / (options.types.length * options.targets.length))]!;
  return { configuration, target, type, faults: options.faultsPerTrial, seed: mixSeed(options.seed, index) };
}

export function trialCount(options: CampaignOptions): number {
  return Math.ceil(options.faults / options.faultsPerTrial);
}

/** The indices of the trials a shard runs: those equal to `shard` modulo `of`. */
export function* shardIndices(total: number, shard: number, of: number): Generator<number> {
  for (let i = shard; i < total; i += of) yield i;
}

function mixSeed(seed: number, index: number): number {
  let z = (seed ^ Math.imul(index + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The system a trial runs: the S1 packet stream with its own faults taken out. */
function trialSystem(spec: TrialSpec, overrides: TrialViewOptions = {}): RunningSystem {
  const s1 = builtinScenario('s1');
  // A code-level fault needs the target's code loaded from its source, with its mutation sites open.
  return bootScenario({ ...s1, faults: [] }, { ...overrides, configuration: spec.configuration, seed: spec.seed, ...(isCodeFault(spec.type) ? { openCode: [spec.target] } : {}) });
}

/** What a front end may change in a trial it shows: how the trace is kept and whether source lines are captured (neither changes the run). */
export type TrialViewOptions = Pick<BootOverrides, 'trace' | 'captureSourceLocations'>;

/**
 * A trial set up to be watched step by step (in the debugger): the same system runTrial boots, with the
 * trial's fault commands to be given again at the moments runTrial gave them, so that it runs as the
 * trial ran, to the same trace; `untilCycles` is where the trial ended.
 */
export function watchTrial(spec: TrialSpec, options: TrialViewOptions = {}): { system: RunningSystem; untilCycles: number; result: TrialResult } {
  let first: RunningSystem | undefined;
  const result = runTrial(spec, 0, (s) => (first = s));
  const system = trialSystem(spec, options);
  // The boot gives its own commands again; what came after it is the trial's faults, each given when it was armed.
  const faults = first!.sim.commands.slice(system.sim.commands.length);
  const armed = first!.faults;
  if (faults.length !== armed.length) throw new Error(`trial ${result.id}: ${faults.length} commands after boot for ${armed.length} faults`);
  system.replayCommands(faults.map((c, i) => ({ atCycles: armed[i]!.armedAtCycles, command: c.command })));
  return { system, untilCycles: first!.nowCycles, result };
}

/** A fault's parameters, drawn the way SWIFI draws its sites: at random from the trial's seed. */
function faultParams(type: InjectableFault, rng: RandomStream): FaultParams {
  switch (type) {
    case 'wild-write':
      // A word-aligned address in the gigabyte from 1 GiB up, where a driver has at most a few pages mapped
      // (its device's registers): nearly always an unmapped page, so an MMU fault.
      return { vaddr: 0x4000_0000 + rng.nextInt(0x3fff_0000 / 4) * 4 };
    case 'wild-dma': {
      const targets = ['kernel', 'inet', 'packet-stream', 'ds'];
      return { target: targets[rng.nextInt(targets.length)]! };
    }
    case 'resource-leak':
      return { bytes: [4096, 16384, 65536][rng.nextInt(3)]! };
    case 'bad-ipc-args':
      // SWIFI flips one bit of a register or word.
      return { field: ['type', 'destination', 'word'][rng.nextInt(3)]!, bit: rng.nextInt(32) };
    case 'bad-kernel-call-args':
      return { field: ['a', 'b', 'c', 'd', 'call'][rng.nextInt(5)]!, bit: rng.nextInt(32) };
    case 'irq-fault':
      return { mode: rng.nextInt(2) === 0 ? 'spurious' : 'lost' };
    // Code-level faults: the injector draws the site and the bit from the run's own seed.
    default:
      return {};
  }
}

/** Runs one trial; `index` is its place in the campaign (0 for a replay). */
export function runTrial(spec: TrialSpec, index = 0, onSystem?: (system: RunningSystem) => void): TrialResult {
  const system = trialSystem(spec);
  onSystem?.(system);
  const hz = system.clockHz;
  const cycles = (s: number) => secondsToCycles(s, hz);
  const seconds = (c: number) => round6(cyclesToSeconds(c, hz));
  const rng = new RandomStream(spec.seed, 0xfa17);
  const label = spec.target;
  const bypass = configurationTraits(spec.configuration).network === 'bypass';
  const driverRunning = () => bypass || system.serviceStatus(label)?.state === 'running';
  const budgetLeft = () => TRIAL_TIMING.maxSteps - system.sim.steps;
  const alive = () => system.sim.panicked === null && budgetLeft() > 0;
  // RS's calls, sampled as the trial runs: at a livelock, whether RS still ran in its last second and a
  // bit (RS checks its services every second) tells one that starves the system from one that does not.
  const samples: { cycles: number; rs: number }[] = [];
  const run = (untilCycles: number) => {
    while (alive() && system.nowCycles < untilCycles) {
      system.run({ untilCycles: Math.min(untilCycles, system.nowCycles + cycles(0.25)), maxSteps: Math.max(0, budgetLeft()) });
      const last = samples[samples.length - 1];
      if (last === undefined || system.nowCycles - last.cycles >= cycles(0.25)) samples.push({ cycles: system.nowCycles, rs: rsCalls(system) });
      if (samples.length > 8) samples.shift();
    }
  };
  const rsRanLately = () => {
    const before = samples.findLast((x) => x.cycles <= system.nowCycles - cycles(1.2));
    // Ready but not running at the cut: RS waits for a CPU the livelock does not give up.
    const waiting = system.sim.processes().find((p) => p.name === 'rs')?.state === 'ready';
    return before !== undefined && rsCalls(system) > before.rs && !waiting;
  };
  const runUntil = (limitCycles: number, done: () => boolean, stepCycles = cycles(0.01)) => {
    while (alive() && !done() && system.nowCycles < limitCycles) run(Math.min(limitCycles, system.nowCycles + stepCycles));
  };

  run(cycles(TRIAL_TIMING.warmupSeconds));
  const firstFault = system.faults.length;
  for (let j = 0; j < spec.faults && alive(); j++) {
    runUntil(system.nowCycles + cycles(TRIAL_TIMING.waitForDriverSeconds), driverRunning, cycles(0.1));
    if (!alive() || !driverRunning()) break;
    run(system.nowCycles + Math.round(rng.nextFloat() * cycles(TRIAL_TIMING.spreadSeconds)));
    if (!alive()) break;
    const seq = system.faults.length;
    system.injectFault(label, spec.type, faultParams(spec.type, rng));
    const record = () => system.faults[seq];
    // Until it strikes (the driver's next turn) or one second has passed.
    runUntil(system.nowCycles + cycles(1), () => record() === undefined || record()!.appliedAtCycles !== null || record()!.skipped !== null, cycles(0.001));
    // Time for RS to hear of an exit the fault caused: until it does, the driver's service still reads as running.
    if (alive()) run(system.nowCycles + cycles(TRIAL_TIMING.noticeSeconds));
  }
  // A driver that crashed again and again waits out RS's backoff (up to 30 s) before its restart: the
  // settle time starts once it runs again (or RS has given up), so that a recovery counts as one.
  runUntil(system.nowCycles + cycles(TRIAL_TIMING.waitForDriverSeconds), driverRunning, cycles(0.01));
  const window = { delivered: 0, rsCalls: 0 };
  if (alive()) {
    run(system.nowCycles + cycles(TRIAL_TIMING.settleSeconds - TRIAL_TIMING.progressWindowSeconds));
    window.delivered = system.network.deliveredToPeer;
    window.rsCalls = rsCalls(system);
    if (alive()) run(system.nowCycles + cycles(TRIAL_TIMING.progressWindowSeconds));
  }
  const records = system.faults.slice(firstFault);
  const faults: FaultOutcome[] = records.map((r) => ({
    type: r.type,
    params: r.params,
    ...(r.site === undefined ? {} : { site: { file: r.site.file, index: r.site.index, line: r.site.line, column: r.site.column, text: r.site.text } }),
    armedAtSeconds: seconds(r.armedAtCycles),
    appliedAtSeconds: r.appliedAtCycles === null ? null : seconds(r.appliedAtCycles),
    skipped: r.skipped,
  }));
  const firstApplied = records.find((r) => r.appliedAtCycles !== null && r.skipped === null)?.appliedAtCycles ?? null;
  const status = bypass ? undefined : system.serviceStatus(label);
  const death = firstApplied === null ? undefined : status?.restartLog.find((r) => r.diedAtCycles >= firstApplied && (r.cause === 'crash' || r.cause === 'heartbeat'));
  // Without an IOMMU nothing stops a wild DMA: the process it was aimed at had its memory overwritten.
  const strayDma = configurationTraits(spec.configuration).iommu === 'none'
    ? records.find((r) => r.type === 'wild-dma' && r.appliedAtCycles !== null && r.skipped === null && r.params['target'] !== 'kernel')
    : undefined;
  const { outcome, reason } = classify(system, label, bypass, window, budgetLeft() <= 0 ? { rsRan: rsRanLately() } : null, strayDma === undefined ? null : String(strayDma.params['target']));
  return {
    id: trialId(spec),
    index,
    configuration: spec.configuration,
    target: spec.target,
    type: spec.type,
    seed: spec.seed,
    faults,
    // A fault that came to run but found nothing to act on (no DMA device, no interrupt hook, no such target) was not injected.
    injected: records.filter((r) => r.appliedAtCycles !== null && r.skipped === null).length,
    outcome,
    reason,
    detectionSeconds: death === undefined || firstApplied === null ? null : seconds(death.diedAtCycles - firstApplied),
    recoverySeconds: death === undefined || death.upAtCycles === null ? null : seconds(death.upAtCycles - death.diedAtCycles),
    simulatedSeconds: seconds(system.nowCycles),
    traceDigest: system.traceDigest(),
  };
}

/** A trial run again, with its system kept (its trace) and the name of every process it had, by endpoint. */
export function replayTrial(spec: TrialSpec): { result: TrialResult; system: RunningSystem; endpointNames: Record<string, string> } {
  const names = new Map<number, string>();
  let kept: RunningSystem | undefined;
  const result = runTrial(spec, 0, (system) => {
    kept = system;
    for (const p of system.sim.processes()) names.set(p.endpoint, p.name);
    system.sim.on('processCreated', (p) => names.set(p.endpoint, p.name));
  });
  return { result, system: kept!, endpointNames: Object.fromEntries([...names].map(([ep, name]) => [String(ep), name])) };
}

/** Calls RS has made: it checks its services every second, so while the system runs this count grows. */
function rsCalls(system: RunningSystem): number {
  const rs = system.sim.endpointOf('rs');
  return rs === undefined ? 0 : system.sim.kernel.procOf(rs)?.ipcCount ?? 0;
}

function classify(
  system: RunningSystem, label: string, bypass: boolean, window: { delivered: number; rsCalls: number }, outOfSteps: { rsRan: boolean } | null,
  dmaVictim: string | null,
): { outcome: OutcomeClass; reason: string } {
  const panic = system.sim.panicked;
  if (panic !== null) return { outcome: 'system-failure', reason: `kernel panic: ${panic.message}` };
  const integrity = system.sim.verifyKernelIntegrity();
  if (!integrity.ok) return { outcome: 'system-failure', reason: `kernel memory corrupted: ${integrity.corruptedPages.length} page(s) fail their checksum` };
  if (outOfSteps !== null) {
    const livelock = `livelock: ${TRIAL_TIMING.maxSteps.toLocaleString('en-US')} simulator steps used up by ${round6(cyclesToSeconds(system.nowCycles, system.clockHz))} s of simulated time`;
    // Messages or interrupts bouncing without end: if RS still ran meanwhile, the driver failed alone.
    if (outOfSteps.rsRan && !bypass) return { outcome: 'driver-failed', reason: `${livelock}; RS and the rest of the system still ran` };
    return { outcome: 'system-failure', reason: `${livelock}; RS no longer ran` };
  }
  const status = bypass ? undefined : system.serviceStatus(label);
  const progressed = system.network.deliveredToPeer - window.delivered;
  if (progressed <= 0) {
    const why = bypass
      ? 'the application that owns the NIC is gone'
      : status?.state !== 'running'
        ? `${label} is ${status?.state ?? 'not started'}${status?.lastExit === undefined ? '' : ` (${status.lastExit})`}`
        : `${label} runs but moves nothing`;
    const stalled = `no progress in the last ${TRIAL_TIMING.progressWindowSeconds} s: ${why}`;
    // The system lives if RS still runs; a driver that stopped working then failed alone, unless its DMA broke another process.
    if (dmaVictim !== null) return { outcome: 'system-failure', reason: `${stalled}; the driver's DMA overwrote ${dmaVictim}'s memory (no IOMMU stopped it)` };
    if (rsCalls(system) === window.rsCalls) return { outcome: 'system-failure', reason: `${stalled}; the system hung (RS no longer ran)` };
    if (bypass) return { outcome: 'system-failure', reason: stalled };
    return { outcome: 'driver-failed', reason: `${stalled}; RS and the rest of the system ran on` };
  }
  const corrupted = system.network.corruptedAtPeer;
  if (corrupted > 0) return { outcome: 'data-corrupted', reason: `${corrupted} frame(s) reached the peer damaged` };
  if (status !== undefined && status.heartbeatKills > 0) return { outcome: 'hang-recovered', reason: `${label} stopped answering; RS killed it ${status.heartbeatKills} time(s) and restarted it` };
  if (status !== undefined && status.restarts > 0) return { outcome: 'crash-recovered', reason: `${label} ended ${status.restarts} time(s) (last: ${status.lastExit ?? 'unknown'}); RS restarted it` };
  const n = system.network;
  if (n.inet.retransmissions > 0 || n.app.refused > 0) {
    return { outcome: 'request-retried', reason: `${n.inet.retransmissions} packet(s) retransmitted, ${n.app.refused} refused and sent again later` };
  }
  return { outcome: 'no-effect', reason: 'nothing failed, and the stream ran on' };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

// ---- summaries ---------------------------------------------------------------

/** A trial that did the system harm, for the report to name and a user to replay. */
export interface HarmfulTrial {
  readonly index: number;
  readonly id: string;
  readonly outcome: OutcomeClass;
  readonly reason: string;
}

/** How many harmful trials a row keeps (those of the lowest numbers, so that any order of adding keeps the same). */
export const HARMFUL_TRIALS_KEPT = 10;

/** The outcomes that count as harm: the system did not survive, or data was damaged. */
export const HARMFUL_OUTCOMES: readonly OutcomeClass[] = ['system-failure', 'data-corrupted', 'driver-failed'];

export interface CampaignRow {
  readonly type: InjectableFault;
  readonly configuration: Configuration;
  trials: number;
  faults: number;
  readonly outcomes: Record<OutcomeClass, number>;
  /** Share of trials without a system failure. */
  survival: number;
  /** The first trials (by number) that ended in a system failure or corrupted data. */
  harmful: HarmfulTrial[];
}

export interface CampaignSummary {
  readonly format: typeof CAMPAIGN_FORMAT;
  readonly version: number;
  readonly options: CampaignOptions;
  readonly trials: number;
  readonly faultsInjected: number;
  readonly outcomes: Record<OutcomeClass, number>;
  readonly rows: readonly CampaignRow[];
  /** Trials of the plan not in the summary (a stopped run, or shards missing from a merge). */
  readonly missingTrials: number;
}

/** Sums trial results as they come, in any order; memory grows with the table, not with the trials. */
export class CampaignTally {
  private readonly rows = new Map<string, CampaignRow>();
  private readonly seen = new Set<number>();
  trials = 0;
  faults = 0;

  constructor(readonly options: CampaignOptions) {}

  /** Adds a trial; false if a trial of this index was added before (a shard given twice). */
  add(r: Pick<TrialResult, 'index' | 'id' | 'type' | 'configuration' | 'injected' | 'outcome' | 'reason'>): boolean {
    if (this.seen.has(r.index)) return false;
    this.seen.add(r.index);
    const key = `${r.type}\u0000${r.configuration}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = { type: r.type, configuration: r.configuration, trials: 0, faults: 0, outcomes: zeroOutcomes(), survival: 0, harmful: [] };
      this.rows.set(key, row);
    }
    row.trials++;
    row.faults += r.injected;
    row.outcomes[r.outcome]++;
    if (HARMFUL_OUTCOMES.includes(r.outcome)) {
      row.harmful.push({ index: r.index, id: r.id, outcome: r.outcome, reason: r.reason });
      row.harmful.sort((a, b) => a.index - b.index);
      if (row.harmful.length > HARMFUL_TRIALS_KEPT) row.harmful.length = HARMFUL_TRIALS_KEPT;
    }
    this.trials++;
    this.faults += r.injected;
    return true;
  }

  summary(): CampaignSummary {
    const typeOrder = (t: string) => this.options.types.indexOf(t as InjectableFault);
    const configOrder = (c: string) => this.options.configurations.indexOf(c as Configuration);
    const rows = [...this.rows.values()]
      .sort((a, b) => typeOrder(a.type) - typeOrder(b.type) || configOrder(a.configuration) - configOrder(b.configuration))
      .map((r) => ({ ...r, outcomes: { ...r.outcomes }, harmful: [...r.harmful], survival: round6(r.trials === 0 ? 0 : 1 - r.outcomes['system-failure'] / r.trials) }));
    const outcomes = zeroOutcomes();
    for (const r of rows) for (const o of OUTCOME_CLASSES) outcomes[o] += r.outcomes[o];
    return {
      format: CAMPAIGN_FORMAT,
      version: CAMPAIGN_VERSION,
      options: this.options,
      trials: this.trials,
      faultsInjected: this.faults,
      outcomes,
      rows,
      missingTrials: trialCount(this.options) - this.trials,
    };
  }
}

function zeroOutcomes(): Record<OutcomeClass, number> {
  return Object.fromEntries(OUTCOME_CLASSES.map((o) => [o, 0])) as Record<OutcomeClass, number>;
}

function percent(n: number, of: number): string {
  return of === 0 ? '-' : `${((100 * n) / of).toFixed(1)} %`;
}

/** The survival table in Markdown: one row per fault type x configuration. */
export function campaignMarkdown(s: CampaignSummary): string {
  const head = ['fault type', 'configuration', 'trials', 'faults', ...OUTCOME_CLASSES, 'survival'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of s.rows) {
    const cells = [r.type, r.configuration, String(r.trials), String(r.faults), ...OUTCOME_CLASSES.map((o) => `${r.outcomes[o]} (${percent(r.outcomes[o], r.trials)})`), percent(r.survival * r.trials, r.trials)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const survived = s.trials - s.outcomes['system-failure'];
  lines.push('');
  lines.push(`${s.trials} trials, ${s.faultsInjected} faults injected; the system survived ${survived} of ${s.trials} trials (${percent(survived, s.trials)}).${s.missingTrials > 0 ? ` ${s.missingTrials} trial(s) of the plan are missing.` : ''}`);
  return lines.join('\n') + '\n';
}

/** Checks and completes campaign options given by a user; throws a RangeError naming the bad value. */
export function campaignOptions(given: {
  targets?: readonly string[];
  types?: readonly string[] | 'all';
  configurations?: readonly string[] | 'all';
  faults?: number;
  faultsPerTrial?: number;
  seed?: number;
}): CampaignOptions {
  const targets = given.targets ?? ['nic'];
  for (const t of targets) if (!isCampaignTarget(t)) throw new RangeError(`unknown target '${t}' (campaigns target: ${CAMPAIGN_TARGETS.join(', ')})`);
  const types = given.types === undefined || given.types === 'all' ? [...INJECTABLE_FAULTS] : given.types;
  for (const t of types) if (!isInjectableFault(t)) throw new RangeError(`unknown fault type '${t}' (known: ${INJECTABLE_FAULTS.join(', ')})`);
  const configurations = given.configurations === undefined ? ['microkernel-iommu', 'monolithic'] : given.configurations === 'all' ? [...CONFIGURATIONS] : given.configurations;
  for (const c of configurations) if (!isConfiguration(c)) throw new RangeError(`unknown configuration '${c}' (known: ${CONFIGURATIONS.join(', ')})`);
  const faults = given.faults ?? 100;
  if (!Number.isSafeInteger(faults) || faults < 1) throw new RangeError(`--faults must be a positive integer, not ${faults}`);
  const faultsPerTrial = given.faultsPerTrial ?? 1;
  if (!Number.isSafeInteger(faultsPerTrial) || faultsPerTrial < 1 || faultsPerTrial > MAX_FAULTS_PER_TRIAL) throw new RangeError(`--faults-per-trial must be 1 to ${MAX_FAULTS_PER_TRIAL}, not ${faultsPerTrial}`);
  const seed = given.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`--seed must be an integer from 0 to 4294967295, not ${seed}`);
  const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
  return {
    targets: unique(targets) as CampaignTarget[],
    types: unique(types) as InjectableFault[],
    configurations: unique(configurations) as Configuration[],
    faults,
    faultsPerTrial,
    seed,
  };
}
