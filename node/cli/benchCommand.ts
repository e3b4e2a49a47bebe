// `mklab bench calibrate`: runs the simulator as the published benchmarks ran
// and compares each measured value with the published figure and its band.
import { parseCommandArgs, usageLine, UsageError } from './args';
import { runCalibration, type CalibrationRow } from '../../simulator/bench/calibrate';
import { costProfiles } from '../../simulator/kernel/costs/costProfiles';
import { formatBand } from '../../simulator/kernel/costs/publishedFigures';

export interface BenchIo {
  out(text: string): void;
  err(text: string): void;
}

export const BENCH_USAGE = `Usage: mklab bench calibrate [--json] [--profile P]

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
export function benchCommand(argv: readonly string[], io: BenchIo): number {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(BENCH_USAGE);
    return 0;
  }
  let values: { json?: boolean; profile?: string; help?: boolean };
  try {
    if (sub !== 'calibrate') throw new UsageError(sub === undefined ? 'expected a subcommand (calibrate)' : `unknown subcommand '${sub}'`);
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
