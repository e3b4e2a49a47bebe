// `mklab bench compare`: one workload under several configurations, measured
// from runs. Every figure is read off the simulator after the run (its clock,
// its cost accounting and the workload's own latency records), never computed
// from the cost profile: the cycles per operation are the cycles the CPU was
// charged in the measured window, split as the kernel charged them.
import { CONFIGURATIONS, type Configuration } from '../config/configurations';
import { parseScenario } from '../config/scenario';
import { costProfile } from '../kernel/costs/costProfiles';
import { bootScenario } from '../system/scenarios';
import { cyclesToSeconds, secondsToCycles } from '../time/time';
import type { RunningSystem } from '../system/boot';
import type { TraceOptions } from '../trace/recorder';
import { compareTable } from '../protocol/compareTable';

type LatencySink = RunningSystem['requests']['request-response'];

/** The workloads a comparison runs, with the parameters it runs them with. */
export const COMPARE_WORKLOADS = {
  'ipc-pingpong': { description: 'one client calling a server back to back (SENDREC, reply): the IPC round trip', item: { kind: 'ipc-pingpong', clients: 1, messages: 100_000_000 } },
  'request-response': {
    description: 'a client sending 64-byte requests at 20,000/s on average (Poisson arrivals from the seed) to a server that copies each in and a 1 KiB response out through a grant',
    item: { kind: 'request-response', ratePerSecond: 20_000, requestBytes: 64, responseBytes: 1024, arrivals: 'poisson' },
  },
  'network-request-response': {
    description: 'the peer on the wire sending 64-byte requests at 20,000/s on average (Poisson arrivals from the seed) to a server application that answers each with a 1 KiB frame, through the network server or, under kernel-bypass, its own poll-mode driver; latency as the peer sees it',
    item: { kind: 'request-response', ratePerSecond: 20_000, requestBytes: 64, responseBytes: 1024, transport: 'network', arrivals: 'poisson' },
  },
  'packet-stream': { description: '64-byte packets offered at 100,000/s through the network server and the NIC driver; an operation is a packet the peer received', item: { kind: 'packet-stream', ratePerSecond: 100_000, sizeBytes: 64, direction: 'tx' } },
} as const;

export type CompareWorkload = keyof typeof COMPARE_WORKLOADS;

export function isCompareWorkload(name: string): name is CompareWorkload {
  return Object.hasOwn(COMPARE_WORKLOADS, name);
}

/** Where the CPU's cycles went, per operation; the parts add up to the total. */
export interface CyclesPerOp {
  readonly total: number;
  readonly user: number;
  /** Kernel entries and exits, and decoding kernel calls. */
  readonly kernel_entry: number;
  /** Copying messages, and data between address spaces (safecopy). */
  readonly message_copy: number;
  readonly context_switch: number;
  readonly iommu: number;
  readonly interrupt: number;
  /** Device register accesses. */
  readonly device: number;
}

export interface CompareResult {
  readonly config: Configuration;
  readonly ops: number;
  readonly throughput_ops_per_s: number;
  /** Null for a workload whose operations have no latency of their own (packet-stream). */
  readonly latency_ns: { readonly p50: number; readonly p99: number; readonly p999: number; readonly mean: number } | null;
  readonly context_switches_per_op: number;
  readonly kernel_entries_per_op: number;
  readonly cycles_per_op: CyclesPerOp;
}

export interface CompareOptions {
  readonly workload: CompareWorkload;
  readonly configurations?: readonly Configuration[];
  readonly profile?: string;
  readonly seeds?: readonly number[];
  /** Simulated seconds per run; the first tenth warms up and is not measured. */
  readonly durationSeconds?: number;
}

export interface CompareReport {
  readonly workload: CompareWorkload;
  readonly profile: string;
  readonly seeds: readonly number[];
  readonly durationSeconds: number;
  /** One per configuration: the mean over the seeds. */
  readonly results: readonly CompareResult[];
  /** With more than one seed: each configuration's lowest and highest value of every figure. */
  readonly spread?: readonly { readonly config: Configuration; readonly min: CompareResult; readonly max: CompareResult }[];
}

const DEFAULT_DURATION_SECONDS = 0.2;

/** The value at quantile q (0..1) of sorted numbers, by the nearest-rank rule. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Where a workload's operations are counted, and its latencies kept (none for the packet stream). */
function sinkOf(system: RunningSystem, workload: CompareWorkload): LatencySink | null {
  if (workload === 'packet-stream') return null;
  return system.requests[workload === 'ipc-pingpong' ? 'ipc-pingpong' : 'request-response'];
}

function opsOf(system: RunningSystem, workload: CompareWorkload): number {
  return sinkOf(system, workload)?.completed ?? system.network.deliveredToPeer;
}

/** Runs `workload` once in `configuration` and measures it. */
/** Boots the system one run of a comparison measures (with the trace as `trace` says: off when measuring, on to look at the run). */
export function bootCompareRun(run: CompareRun, trace: TraceOptions): RunningSystem {
  const profile = costProfile(run.profile);
  const text = JSON.stringify({
    name: `compare-${run.workload}`,
    system: 'default',
    configuration: run.configuration,
    seed: run.seed,
    duration: `${run.durationSeconds}s`,
    costProfile: profile.name,
    workload: [COMPARE_WORKLOADS[run.workload].item],
    faults: [],
  });
  const parsed = parseScenario(text, `compare-${run.workload}.json`);
  if (parsed.scenario === undefined) throw new Error(`compare scenario: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  return bootScenario(parsed.scenario, { costProfile: profile, trace });
}

export function measureOne(workload: CompareWorkload, configuration: Configuration, profileName: string, seed: number, durationSeconds: number): CompareResult {
  const profile = costProfile(profileName);
  const system = bootCompareRun({ workload, configuration, profile: profile.name, seed, durationSeconds }, { enabled: false, capacity: 1 });
  const start = secondsToCycles(durationSeconds / 10, profile.clockHz);
  const end = secondsToCycles(durationSeconds, profile.clockHz);
  system.run({ untilCycles: start });
  const s0 = { ...system.sim.kernel.stats };
  const ops0 = opsOf(system, workload);
  const sink = sinkOf(system, workload);
  const kept0 = sink?.latenciesCycles.length ?? 0;
  const t0 = system.nowCycles;
  system.run({ untilCycles: end });
  const s1 = system.sim.kernel.stats;
  const ops = opsOf(system, workload) - ops0;
  const seconds = cyclesToSeconds(system.nowCycles - t0, profile.clockHz);
  const per = (field: keyof typeof s0) => (ops === 0 ? 0 : ((s1[field] as number) - (s0[field] as number)) / ops);
  const parts = {
    user: per('userCycles'),
    kernel_entry: per('kernelEntryCycles') + per('kernelCallCycles'),
    message_copy: per('messageCopyCycles') + per('copyCycles'),
    context_switch: per('contextSwitchCycles'),
    iommu: per('iommuCycles'),
    interrupt: per('interruptCycles'),
    device: per('deviceCycles'),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  let latency: CompareResult['latency_ns'] = null;
  if (sink !== null) {
    const cycles = sink.latenciesCycles.slice(kept0).sort((a, b) => a - b);
    const ns = (c: number) => cyclesToSeconds(c, profile.clockHz) * 1e9;
    const mean = cycles.length === 0 ? Number.NaN : cycles.reduce((a, b) => a + b, 0) / cycles.length;
    latency = { p50: ns(quantile(cycles, 0.5)), p99: ns(quantile(cycles, 0.99)), p999: ns(quantile(cycles, 0.999)), mean: ns(mean) };
  }
  return {
    config: configuration,
    ops,
    throughput_ops_per_s: ops / seconds,
    latency_ns: latency,
    context_switches_per_op: per('contextSwitches'),
    kernel_entries_per_op: per('kernelEntries'),
    cycles_per_op: { total, ...parts },
  };
}

/** Combines one configuration's results over seeds with `f` (mean, min or max) figure by figure. */
function combine(runs: readonly CompareResult[], f: (xs: number[]) => number): CompareResult {
  const pick = (get: (r: CompareResult) => number) => f(runs.map(get));
  const latency = runs[0]!.latency_ns === null ? null : {
    p50: pick((r) => r.latency_ns!.p50), p99: pick((r) => r.latency_ns!.p99), p999: pick((r) => r.latency_ns!.p999), mean: pick((r) => r.latency_ns!.mean),
  };
  const cycles = Object.fromEntries(Object.keys(runs[0]!.cycles_per_op).map((k) => [k, pick((r) => r.cycles_per_op[k as keyof CyclesPerOp])])) as unknown as CyclesPerOp;
  return {
    config: runs[0]!.config,
    ops: pick((r) => r.ops),
    throughput_ops_per_s: pick((r) => r.throughput_ops_per_s),
    latency_ns: latency,
    context_switches_per_op: pick((r) => r.context_switches_per_op),
    kernel_entries_per_op: pick((r) => r.kernel_entries_per_op),
    cycles_per_op: cycles,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One run of a comparison: a configuration under a seed. */
export interface CompareRun {
  readonly workload: CompareWorkload;
  readonly configuration: Configuration;
  readonly profile: string;
  readonly seed: number;
  readonly durationSeconds: number;
}

/** The runs a comparison makes, configuration by configuration, seed by seed. */
export function planCompare(options: CompareOptions): CompareRun[] {
  const configurations = options.configurations ?? CONFIGURATIONS;
  const seeds = options.seeds ?? [1];
  const profile = costProfile(options.profile ?? 'default').name;
  const durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  return configurations.flatMap((configuration) => seeds.map((seed) => ({ workload: options.workload, configuration, profile, seed, durationSeconds })));
}

/** Measures one planned run (what a worker thread does for `mklab bench compare`). */
export function measureRun(run: CompareRun): CompareResult {
  return measureOne(run.workload, run.configuration, run.profile, run.seed, run.durationSeconds);
}

/** The report of planned runs and their results, in plan order (the order they were run in does not matter). */
export function assembleCompare(runs: readonly CompareRun[], results: readonly CompareResult[]): CompareReport {
  const first = runs[0]!;
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const configurations = [...new Set(runs.map((r) => r.configuration))];
  const byConfig = configurations.map((c) => results.filter((_, i) => runs[i]!.configuration === c));
  return {
    workload: first.workload,
    profile: first.profile,
    seeds,
    durationSeconds: first.durationSeconds,
    results: byConfig.map((rs) => combine(rs, mean)),
    ...(seeds.length > 1 ? { spread: byConfig.map((rs) => ({ config: rs[0]!.config, min: combine(rs, (xs) => Math.min(...xs)), max: combine(rs, (xs) => Math.max(...xs)) })) } : {}),
  };
}

/** Runs the comparison in this thread: every configuration (default: all) under every seed (default: seed 1). */
export function runCompare(options: CompareOptions, onRun?: (done: number, total: number) => void): CompareReport {
  const runs = planCompare(options);
  const results = runs.map((run, i) => {
    const r = measureRun(run);
    onRun?.(i + 1, runs.length);
    return r;
  });
  return assembleCompare(runs, results);
}

const COLUMNS: readonly [string, (r: CompareResult) => number | null][] = [
  ['ops', (r) => r.ops],
  ['throughput_ops_per_s', (r) => r.throughput_ops_per_s],
  ['latency_p50_ns', (r) => r.latency_ns?.p50 ?? null],
  ['latency_p99_ns', (r) => r.latency_ns?.p99 ?? null],
  ['latency_p999_ns', (r) => r.latency_ns?.p999 ?? null],
  ['latency_mean_ns', (r) => r.latency_ns?.mean ?? null],
  ['context_switches_per_op', (r) => r.context_switches_per_op],
  ['kernel_entries_per_op', (r) => r.kernel_entries_per_op],
  ['cycles_per_op', (r) => r.cycles_per_op.total],
  ['user', (r) => r.cycles_per_op.user],
  ['kernel_entry', (r) => r.cycles_per_op.kernel_entry],
  ['message_copy', (r) => r.cycles_per_op.message_copy],
  ['context_switch', (r) => r.cycles_per_op.context_switch],
  ['iommu', (r) => r.cycles_per_op.iommu],
  ['interrupt', (r) => r.cycles_per_op.interrupt],
  ['device', (r) => r.cycles_per_op.device],
];

/** A number for a table: `digits` decimals (whole numbers as they are when `exactIntegers`), empty when there is none. */
function cell(v: number | null, digits: number, exactIntegers = false): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (exactIntegers && Number.isInteger(v)) return String(v);
  return digits === 0 ? String(Math.round(v)) : v.toFixed(digits);
}

/** The spread of one configuration's figures over the seeds, when there were several. */
function spreadOf(report: CompareReport, config: Configuration): { readonly min: CompareResult; readonly max: CompareResult } | undefined {
  return report.spread?.find((s) => s.config === config);
}

/** One header row, then a row per configuration; with several seeds, each figure's minimum and maximum follow it. */
export function compareCsv(report: CompareReport): string {
  const withSpread = report.spread !== undefined;
  const names = COLUMNS.flatMap(([n]) => (withSpread ? [n, `${n}_min`, `${n}_max`] : [n]));
  const rows = [['config', ...names].join(',')];
  for (const r of report.results) {
    const s = spreadOf(report, r.config);
    const cells = COLUMNS.flatMap(([, get]) => {
      const mean = cell(get(r), 3, true);
      return s === undefined ? [mean] : [mean, cell(get(s.min), 3, true), cell(get(s.max), 3, true)];
    });
    rows.push([r.config, ...cells].join(','));
  }
  return rows.join('\n') + '\n';
}

/** A Markdown table to paste into a paper, with the run's parameters above it; with several seeds, each cell is the mean and its range. */
export function compareMarkdown(report: CompareReport): string {
  const table = compareTable(report);
  const head = table.head;
  const seeds = report.seeds.length > 1 ? `seeds ${report.seeds.join(', ')} (each cell: the mean over the seeds, then the lowest–highest)` : `seed ${report.seeds.join(', ')}`;
  const lines = [
    `Workload \`${report.workload}\` (${COMPARE_WORKLOADS[report.workload].description}), cost profile \`${report.profile}\`, ${report.durationSeconds} s simulated per run, ${seeds}; cycles per operation as the simulated CPU was charged.`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n') + '\n';
}
