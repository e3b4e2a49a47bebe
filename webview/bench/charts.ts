// The benchmark view's charts, drawn with uPlot (a small canvas charting
// library) from a comparison's report: configurations along the x axis,
// bars for cycles per operation stacked by component, lines for the latency
// percentiles, bars for context switches and kernel entries per operation.
// Colours come from the editor's theme (its --vscode-charts-* variables).
import uPlot from 'uplot';
import type { CompareReportData, CompareResultData } from '../../simulator/protocol/compareProtocol';
import { barsPaths, chartOptions as options, colour } from '../shared/charts';

export { canvasDrawn } from '../shared/charts';

export interface DrawnChart {
  readonly name: string;
  readonly series: readonly string[];
  readonly plot: uPlot;
}

const COMPONENTS = ['user', 'kernel_entry', 'message_copy', 'context_switch', 'iommu', 'interrupt', 'device'] as const;
const COMPONENT_LABELS: Record<(typeof COMPONENTS)[number], string> = {
  user: 'user',
  kernel_entry: 'kernel entry',
  message_copy: 'copy',
  context_switch: 'context switch',
  iommu: 'IOMMU',
  interrupt: 'interrupt',
  device: 'device',
};
/** Draws the three charts into their containers, replacing what they held. */
export function drawCharts(report: CompareReportData, containers: { cycles: HTMLElement; latency: HTMLElement; switches: HTMLElement }): DrawnChart[] {
  const names = report.results.map((r) => r.config);
  const x = names.map((_, i) => i);
  const width = Math.max(360, Math.min(720, 120 * names.length + 160));
  const drawn: DrawnChart[] = [];

  // Stacked: each series is the sum of its component and those below it, drawn from the top down.
  const cumulative = COMPONENTS.map((_, k) => report.results.map((r) => COMPONENTS.slice(0, k + 1).reduce((sum, c) => sum + r.cycles_per_op[c], 0)));
  const stackedSeries: uPlot.Series[] = COMPONENTS.map((c, k) => ({
    label: COMPONENT_LABELS[c],
    stroke: colour(k),
    fill: colour(k),
    paths: barsPaths(),
    points: { show: false },
    value: (_u, _v, _s, i) => (i === null ? '' : String(Math.round(report.results[i]!.cycles_per_op[c]))),
  }));
  // uPlot draws series in order: the tallest (all components) first, so that each lower sum paints over it.
  const order = [...COMPONENTS.keys()].reverse();
  containers.cycles.replaceChildren();
  drawn.push({
    name: 'cycles',
    series: order.map((k) => COMPONENT_LABELS[COMPONENTS[k]!]),
    plot: new uPlot(options('cycles per operation', width, order.map((k) => stackedSeries[k]!), 'cycles', names), [x, ...order.map((k) => cumulative[k]!)], containers.cycles),
  });

  containers.latency.replaceChildren();
  const withLatency = report.results.some((r) => r.latency_ns !== null);
  if (withLatency) {
    const pick = (get: (r: CompareResultData) => number | undefined) => report.results.map((r) => get(r) ?? null);
    const percentiles: [string, (r: CompareResultData) => number | undefined][] = [
      ['p50', (r) => r.latency_ns?.p50],
      ['p99', (r) => r.latency_ns?.p99],
      ['p99.9', (r) => r.latency_ns?.p999],
    ];
    drawn.push({
      name: 'latency',
      series: percentiles.map(([n]) => n),
      plot: new uPlot(
        options('latency', width, percentiles.map(([label], k) => ({ label, stroke: colour(k), width: 2, points: { show: true, size: 8 } })), 'ns', names),
        [x, ...percentiles.map(([, get]) => pick(get))],
        containers.latency,
      ),
    });
  } else {
    const note = document.createElement('p');
    note.className = 'muted';
    note.textContent = `The ${report.workload} workload's operations have no latency of their own.`;
    containers.latency.append(note);
  }

  containers.switches.replaceChildren();
  drawn.push({
    name: 'switches',
    series: ['context switches', 'kernel entries'],
    plot: new uPlot(
      options('per operation', width, [
        { label: 'kernel entries', stroke: colour(1), fill: colour(1), paths: barsPaths(), points: { show: false } },
        { label: 'context switches', stroke: colour(0), fill: colour(0), paths: barsPaths(), points: { show: false } },
      ], 'per operation', names),
      [x, report.results.map((r) => r.kernel_entries_per_op), report.results.map((r) => r.context_switches_per_op)],
      containers.switches,
    ),
  });
  return drawn;
}
