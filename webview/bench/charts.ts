// The benchmark view's charts, drawn with uPlot (a small canvas charting
// library) from a comparison's report: configurations along the x axis,
// bars for cycles per operation stacked by component, lines for the latency
// percentiles, bars for context switches and kernel entries per operation.
// Colours come from the editor's theme (its --vscode-charts-* variables).
import uPlot from 'uplot';
import type { CompareReportData, CompareResultData } from '../../simulator/protocol/compareProtocol';

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
const THEME_COLOURS = ['blue', 'orange', 'green', 'purple', 'red', 'yellow', 'foreground'];

function colour(i: number): string {
  const style = getComputedStyle(document.body);
  const name = THEME_COLOURS[i % THEME_COLOURS.length]!;
  const fallback = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#cccccc'][i % 7]!;
  return style.getPropertyValue(`--vscode-charts-${name}`).trim() || fallback;
}

function foreground(): string {
  return getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#cccccc';
}

/** An x axis that names the configurations at their indices. */
function configAxis(names: readonly string[]): uPlot.Axis {
  return {
    stroke: foreground(),
    splits: () => names.map((_, i) => i),
    values: (_u, splits) => splits.map((i) => names[i] ?? ''),
    grid: { show: false },
  };
}

function valueAxis(label: string): uPlot.Axis {
  return { stroke: foreground(), label, size: 70, grid: { stroke: '#8883', width: 1 } };
}

function barsPaths(): uPlot.Series.PathBuilder {
  return uPlot.paths.bars!({ size: [0.6, 80] });
}

function options(title: string, width: number, series: uPlot.Series[], yLabel: string, names: readonly string[]): uPlot.Options {
  return {
    title,
    width,
    height: 260,
    scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [configAxis(names), valueAxis(yLabel)],
    series: [{ label: 'configuration', value: (_u, i) => (i === null ? '' : (names[i] ?? '')) }, ...series],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  };
}

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

/** Whether a chart's canvas holds pixels that are not the background: it was drawn. */
export function canvasDrawn(plot: uPlot): boolean {
  const canvas = plot.ctx.canvas;
  if (canvas.width === 0 || canvas.height === 0) return false;
  const data = plot.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4 * 16) if (data[i] !== 0) return true;
  return false;
}
