// What the views' charts share: uPlot (a small canvas charting library) with
// the editor's theme colours (its --vscode-charts-* variables), an x axis of
// named categories (configurations, fault types), value axes, bars, and a
// check that a chart's canvas was drawn.
import uPlot from 'uplot';

const THEME_COLOURS = ['blue', 'orange', 'green', 'purple', 'red', 'yellow', 'foreground'];

export function colour(i: number): string {
  const style = getComputedStyle(document.body);
  const name = THEME_COLOURS[i % THEME_COLOURS.length]!;
  const fallback = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700', '#cccccc'][i % 7]!;
  return style.getPropertyValue(`--vscode-charts-${name}`).trim() || fallback;
}

export function foreground(): string {
  return getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#cccccc';
}

/** An x axis that names the categories (configurations, fault types) at their indices. */
export function configAxis(names: readonly string[]): uPlot.Axis {
  return {
    stroke: foreground(),
    splits: () => names.map((_, i) => i),
    values: (_u, splits) => splits.map((i) => names[i] ?? ''),
    grid: { show: false },
  };
}

export function valueAxis(label: string): uPlot.Axis {
  return { stroke: foreground(), label, size: 70, grid: { stroke: '#8883', width: 1 } };
}

export function barsPaths(): uPlot.Series.PathBuilder {
  return uPlot.paths.bars!({ size: [0.6, 80] });
}

export function chartOptions(title: string, width: number, series: uPlot.Series[], yLabel: string, names: readonly string[], xLabel = 'configuration'): uPlot.Options {
  return {
    title,
    width,
    height: 260,
    scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [configAxis(names), valueAxis(yLabel)],
    series: [{ label: xLabel, value: (_u, i) => (i === null ? '' : (names[i] ?? '')) }, ...series],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
  };
}

/** Whether a chart's canvas holds pixels that are not the background: it was drawn. */
export function canvasDrawn(plot: uPlot): boolean {
  const canvas = plot.ctx.canvas;
  if (canvas.width === 0 || canvas.height === 0) return false;
  const data = plot.ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4 * 16) if (data[i] !== 0) return true;
  return false;
}
