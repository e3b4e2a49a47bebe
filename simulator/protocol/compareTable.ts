// The comparison as a table of text: the columns the Markdown report and the
// benchmark view show, in one place so that the two never disagree. With
// several seeds each cell is the mean, then the lowest and highest value.
import type { CompareReportData, CompareResultData } from './compareProtocol';

const COLUMNS: readonly [string, (r: CompareResultData) => number | null, number][] = [
  ['ops', (r) => r.ops, 0],
  ['ops/s', (r) => r.throughput_ops_per_s, 0],
  ['p50 ns', (r) => r.latency_ns?.p50 ?? null, 0],
  ['p99 ns', (r) => r.latency_ns?.p99 ?? null, 0],
  ['p99.9 ns', (r) => r.latency_ns?.p999 ?? null, 0],
  ['mean ns', (r) => r.latency_ns?.mean ?? null, 0],
  ['ctx sw/op', (r) => r.context_switches_per_op, 2],
  ['kernel entries/op', (r) => r.kernel_entries_per_op, 2],
  ['cycles/op', (r) => r.cycles_per_op.total, 0],
  ['user', (r) => r.cycles_per_op.user, 0],
  ['kernel entry', (r) => r.cycles_per_op.kernel_entry, 0],
  ['copy', (r) => r.cycles_per_op.message_copy, 0],
  ['ctx switch', (r) => r.cycles_per_op.context_switch, 0],
  ['IOMMU', (r) => r.cycles_per_op.iommu, 0],
  ['interrupt', (r) => r.cycles_per_op.interrupt, 0],
  ['device', (r) => r.cycles_per_op.device, 0],
];

function fixed(v: number | null, digits: number): string {
  return v === null || !Number.isFinite(v) ? '' : v.toFixed(digits);
}

/** The header (configuration first) and one row of cells per configuration, in the report's order. */
export function compareTable(report: CompareReportData): { readonly head: readonly string[]; readonly rows: readonly (readonly string[])[] } {
  const head = ['configuration', ...COLUMNS.map(([n]) => n)];
  const rows = report.results.map((r) => {
    const s = report.spread?.find((x) => x.config === r.config);
    const cells = COLUMNS.map(([, get, digits]) => {
      const mean = fixed(get(r), digits);
      if (s === undefined || mean === '') return mean;
      const lo = fixed(get(s.min), digits);
      const hi = fixed(get(s.max), digits);
      return lo === hi ? mean : `${mean} (${lo}–${hi})`;
    });
    return [r.config, ...cells];
  });
  return { head, rows };
}
