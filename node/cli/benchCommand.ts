// `mklab bench calibrate`: runs the simulator as the published benchmarks ran
// and compares each measured value with the published figure and its band.
import { parseCommandArgs, usageLine, UsageError } from './args';
import { runCalibration, type CalibrationRow } from '../../simulator/bench/calibrate';
import { availableParallelism } from 'node:os';
import { COMPARE_WORKLOADS, assembleCompare, compareCsv, compareMarkdown, isCompareWorkload, planCompare, runCompare, type CompareOptions } from '../../simulator/bench/compare';
import { measureOnWorkers } from './workers';
import { CONFIGURATIONS, isConfiguration, unknownConfigurationMessage, type Configuration } from '../../simulator/config/configurations';
import { timeToCycles } from '../../simulator/config/scenario';
import { costProfiles } from '../../simulator/kernel/costs/costProfiles';
import { formatBand } from '../../simulator/kernel/costs/publishedFigures';

export interface BenchIo {
  out(text: string): void;
  err(text: string): void;
  /** Told after each run of a comparison. */
  progress?(done: number, total: number): void;
  /** The script worker threads of a comparison start from (the CLI's own bundle); without it runs stay in this thread. */
  readonly script?: string;
}

export const BENCH_USAGE = `Usage: mklab bench calibrate [--json] [--profile P]
       mklab bench compare --workload W [--configs a,b,...|all] [--profile P] [--seeds N] [--duration T] [--format json|csv|md]

calibrate:
Runs the simulator for every published figure it can be compared with (IPC,
null system call, IOMMU, per-packet cost) and prints the published value, the
simulated one, the band and whether it is within it. Exit status 1 if any
figure is outside its band.

Options:
  --json        print {"figures":[{"id","published","unit","source","simulated","band","pass"}...]}
  --profile P   only the figures of cost profile P, and the machine's figures
                under P (${Object.keys(costProfiles).join(', ')})
`;

/** Exit status: 0 every figure within its band, 1 some figure outside, 2 bad usage. */
export function benchCommand(argv: readonly string[], io: BenchIo): number | Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(BENCH_USAGE);
    return 0;
  }
  if (sub === 'compare') return compareCommand(rest, io);
  let values: { json?: boolean; profile?: string; help?: boolean };
  try {
    if (sub !== 'calibrate') throw new UsageError(sub === undefined ? 'expected a subcommand (calibrate or compare)' : `unknown subcommand '${sub}'`);
    ({ values } = parseCommandArgs(rest, { json: { type: 'boolean', default: false }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, false));
    if (values.profile !== undefined && !Object.hasOwn(costProfiles, values.profile)) {
      throw new UsageError(`unknown cost profile '${values.profile}' (known: ${Object.keys(costProfiles).join(', ')})`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(usageLine('mklab bench', e.message));
    return 2;
  }
  if (values.help) {
    io.out(BENCH_USAGE);
    return 0;
  }
  const rows = runCalibration(values.profile === undefined ? {} : { profile: values.profile });
  if (values.json) {
    const figures = rows.map(({ id, published, unit, source, simulated, band, pass }) => ({ id, published, unit, source, simulated, band, pass }));
    io.out(JSON.stringify({ figures }, null, 2) + '\n');
  } else io.out(formatTable(rows));
  return rows.every((r) => r.pass) ? 0 : 1;
}

function formatValue(v: number | null): string {
  if (v === null) return 'not measured';
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function formatTable(rows: readonly CalibrationRow[]): string {
  const header = ['figure', 'published', 'unit', 'simulated', 'band', 'result', 'source'];
  const cells = rows.map((r) => [r.id, formatValue(r.published), r.unit, formatValue(r.simulated), formatBand(r.band), r.pass ? 'pass' : 'FAIL', r.source]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = new Set([1, 3]);
  const line = (c: readonly string[]) =>
    c
      .map((s, i) => (i === c.length - 1 ? s : numeric.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `${r.id}: ${r.note}`);
  const failed = rows.filter((r) => !r.pass).length;
  return [line(header), ...cells.map(line), '', ...notes, `${rows.length - failed} of ${rows.length} figures within their bands`].join('\n') + '\n';
}

export const COMPARE_USAGE = `Usage: mklab bench compare --workload W [--configs a,b,...|all] [--profile P] [--seeds N] [--duration T] [--format json|csv|md] [--workers K]

Runs one workload under each configuration and prints, per configuration,
operations, throughput, latency (p50, p99, p99.9, mean), context switches and
kernel entries per operation, and the cycles per operation split into user,
kernel entry, message copy, context switch, IOMMU, interrupt and device, all
measured from the runs.

Options:
  --workload W   ${Object.keys(COMPARE_WORKLOADS).join(', ')}
  --configs C    configurations, comma-separated, or all (default: all)
  --profile P    cost profile (default: the default profile)
  --seeds N      runs per configuration, seeds 1..N; figures are means, and JSON adds each one's spread
  --duration T   simulated time per run, e.g. 200ms (default 200ms; the first tenth is not measured)
  --format F     md (default, a table to paste), csv, or json
  --workers K    runs measured at once, each on a worker thread (default: one per core)
`;

async function compareCommand(argv: readonly string[], io: BenchIo): Promise<number> {
  let options: CompareOptions;
  let format: 'json' | 'csv' | 'md';
  let threads: number;
  try {
    const { values } = parseCommandArgs(
      argv,
      {
        workload: { type: 'string' },
        configs: { type: 'string' },
        profile: { type: 'string' },
        seeds: { type: 'string' },
        duration: { type: 'string' },
        format: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      false,
    );
    if (values.help) {
      io.out(COMPARE_USAGE);
      return 0;
    }
    if (values.workload === undefined) throw new UsageError(`compare: --workload is required (${Object.keys(COMPARE_WORKLOADS).join(', ')})`);
    if (!isCompareWorkload(values.workload)) throw new UsageError(`compare: unknown workload '${values.workload}' (available: ${Object.keys(COMPARE_WORKLOADS).join(', ')})`);
    const configurations = values.configs === undefined || values.configs === 'all' ? [...CONFIGURATIONS] : values.configs.split(',').map((c) => c.trim());
    for (const c of configurations) if (!isConfiguration(c)) throw new UsageError(`compare: --configs: ${unknownConfigurationMessage(c)}`);
    if (values.profile !== undefined && !Object.hasOwn(costProfiles, values.profile)) {
      throw new UsageError(`compare: unknown cost profile '${values.profile}' (known: ${Object.keys(costProfiles).join(', ')})`);
    }
    const seedCount = values.seeds === undefined ? 1 : Number(values.seeds);
    if (!Number.isInteger(seedCount) || seedCount < 1 || seedCount > 100) throw new UsageError(`compare: --seeds must be an integer from 1 to 100, not '${values.seeds}'`);
    let durationSeconds: number | undefined;
    if (values.duration !== undefined) {
      const cycles = timeToCycles(values.duration, 1e9);
      if (cycles === undefined || cycles <= 0) throw new UsageError(`compare: --duration: expected a time such as 200ms or 1s, not '${values.duration}'`);
      durationSeconds = cycles / 1e9;
      if (durationSeconds > 60) throw new UsageError('compare: --duration is at most 60s of simulated time per run');
    }
    const f = values.format ?? 'md';
    if (f !== 'json' && f !== 'csv' && f !== 'md') throw new UsageError(`compare: --format must be json, csv or md, not '${f}'`);
    format = f;
    threads = values.workers === undefined ? availableParallelism() : Number(values.workers);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new UsageError(`compare: --workers must be an integer from 1 to 64, not '${values.workers}'`);
    options = {
      workload: values.workload,
      configurations: configurations as Configuration[],
      ...(values.profile === undefined ? {} : { profile: values.profile }),
      seeds: Array.from({ length: seedCount }, (_, i) => i + 1),
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(usageLine('mklab bench', e.message));
    return 2;
  }
  const runs = planCompare(options);
  const report =
    threads > 1 && runs.length > 1 && io.script !== undefined
      ? assembleCompare(runs, await measureOnWorkers(runs, threads, io.script, io.progress))
      : runCompare(options, io.progress);
  if (format === 'json') io.out(JSON.stringify(report, null, 2) + '\n');
  else io.out(format === 'csv' ? compareCsv(report) : compareMarkdown(report));
  return 0;
}
