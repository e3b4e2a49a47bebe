// The benchmark view's page: the form (workload, configurations, cost profile,
// seeds, simulated time), Run and Cancel with progress, the charts, the
// results table, and export. It shows the last results again when reopened.
import type { CompareChoices, CompareOutcome, CompareRunParams } from '../../simulator/protocol/compareProtocol';
import { compareTable } from '../../simulator/protocol/compareTable';
import type { BenchViewProtocol, BenchViewState } from '../protocol/benchViewProtocol';
import { connectToHost } from '../shared/connect';
import { fillCheckboxes, tickNames, tickedNames } from '../shared/form';
import { canvasDrawn, drawCharts, type DrawnChart } from './charts';
import '../shared/labPanel.css';

const { rpc } = connectToHost<BenchViewProtocol>();
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const workloadSelect = byId<HTMLSelectElement>('workload');
const profileSelect = byId<HTMLSelectElement>('profile');
const seedsInput = byId<HTMLInputElement>('seeds');
const durationInput = byId<HTMLInputElement>('duration');
const configurationsBox = byId('configurations');
const runButton = byId<HTMLButtonElement>('run');
const cancelButton = byId<HTMLButtonElement>('cancel');
const exportCsv = byId<HTMLButtonElement>('export-csv');
const exportMd = byId<HTMLButtonElement>('export-md');
const progress = byId<HTMLProgressElement>('progress');
const statusLine = byId('status');

let choices: CompareChoices | undefined;
let charts: DrawnChart[] = [];
let running = false;
let rows: string[] = [];

function setStatus(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

function option(value: string, text = value): HTMLOptionElement {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  return o;
}

function showChoices(c: CompareChoices): void {
  choices = c;
  workloadSelect.replaceChildren(...c.workloads.map((w) => option(w.name)));
  profileSelect.replaceChildren(...c.profiles.map((p) => option(p)));
  profileSelect.value = c.defaultProfile;
  fillCheckboxes(configurationsBox, c.configurations, () => true);
  describeWorkload();
}

function describeWorkload(): void {
  byId('workload-description').textContent = choices?.workloads.find((w) => w.name === workloadSelect.value)?.description ?? '';
}

function params(): CompareRunParams {
  return {
    workload: workloadSelect.value,
    configurations: tickedNames(configurationsBox),
    profile: profileSelect.value,
    seeds: Number(seedsInput.value),
    durationSeconds: Number(durationInput.value) / 1000,
  };
}

function setForm(p: Partial<CompareRunParams>): void {
  if (p.workload !== undefined) workloadSelect.value = p.workload;
  if (p.profile !== undefined) profileSelect.value = p.profile;
  if (p.seeds !== undefined) seedsInput.value = String(p.seeds);
  if (p.durationSeconds !== undefined) durationInput.value = String(Math.round(p.durationSeconds * 1000));
  if (p.configurations !== undefined) tickNames(configurationsBox, p.configurations);
  describeWorkload();
}

function setRunning(on: boolean): void {
  running = on;
  runButton.disabled = on;
  cancelButton.disabled = !on;
  progress.hidden = !on;
}

function showOutcome(outcome: CompareOutcome): void {
  const report = outcome.report;
  exportCsv.disabled = exportMd.disabled = report === null;
  if (report === null) return;
  const shown = compareTable(report);
  const table = byId<HTMLTableElement>('results');
  const tr = (cells: readonly string[], tag: 'th' | 'td') => {
    const row = document.createElement('tr');
    row.append(...cells.map((text) => Object.assign(document.createElement(tag), { textContent: text })));
    return row;
  };
  table.tHead!.replaceChildren(tr(shown.head, 'th'));
  rows = shown.rows.map((r) => r.join(' | '));
  table.tBodies[0]!.replaceChildren(
    ...rows.map((r) => {
      const row = tr(r.split(' | '), 'td');
      // The configuration's name opens the trace of its run.
      const first = row.cells[0]!;
      const link = Object.assign(document.createElement('a'), { href: '#', textContent: first.textContent, title: `Run ${first.textContent} again with its trace on and open the trace` });
      link.dataset['config'] = first.textContent ?? '';
      link.addEventListener('click', (e) => {
        e.preventDefault();
        void openTrace(link.dataset['config']!);
      });
      first.replaceChildren(link);
      return row;
    }),
  );
  for (const chart of charts) chart.plot.destroy();
  charts = drawCharts(report, { cycles: byId('chart-cycles'), latency: byId('chart-latency'), switches: byId('chart-switches') });
  setStatus(`${report.workload}: ${report.results.length} configuration(s), cost profile ${report.profile}, ${report.durationSeconds} s simulated per run, seed(s) ${report.seeds.join(', ')}.`);
}

async function run(): Promise<void> {
  if (running) return;
  const p = params();
  setRunning(true);
  progress.value = 0;
  setStatus('Running…');
  try {
    const outcome = await rpc.request('run', p, { timeoutMs: 60 * 60 * 1000 });
    if (outcome.cancelled) setStatus('Cancelled; the results shown are the previous ones.');
    else showOutcome(outcome);
  } catch (e) {
    setStatus(`The comparison failed: ${(e as Error).message}`, true);
  } finally {
    setRunning(false);
  }
}

async function openTrace(config: string): Promise<void> {
  setStatus(`Running ${config} again with its trace on…`);
  try {
    const { events } = await rpc.request('openTrace', { config }, { timeoutMs: 60 * 60 * 1000 });
    setStatus(`Opened the trace of ${config} (${events} events) in the trace view.`);
  } catch (e) {
    setStatus(`The trace of ${config} could not be opened: ${(e as Error).message}`, true);
  }
}

async function exportAs(format: 'csv' | 'md'): Promise<void> {
  try {
    const { saved } = await rpc.request('export', { format }, { timeoutMs: 10 * 60 * 1000 });
    if (saved !== null) setStatus(`Saved ${saved}.`);
  } catch (e) {
    setStatus(`Export failed: ${(e as Error).message}`, true);
  }
}

function state(): BenchViewState {
  return {
    status: statusLine.textContent ?? '',
    running,
    rows,
    charts: charts.map((c) => ({ name: c.name, series: c.series, drawn: canvasDrawn(c.plot) })),
  };
}

workloadSelect.addEventListener('change', describeWorkload);
runButton.addEventListener('click', () => void run());
cancelButton.addEventListener('click', () => {
  setStatus('Cancelling after the run in progress…');
  void rpc.request('cancel', {});
});
exportCsv.addEventListener('click', () => void exportAs('csv'));
exportMd.addEventListener('click', () => void exportAs('md'));

rpc.on('progress', ({ done, total, config }) => {
  progress.max = total;
  progress.value = done;
  setStatus(`Measured ${config} (${done} of ${total} runs)…`);
});
// The form is filled once the choices have come; what the tests do as the user waits for that as the user does.
const loaded = (async () => {
  try {
    showChoices(await rpc.request('choices', {}));
    const last = await rpc.request('lastResults', {});
    if (last !== null) {
      setForm(last.params);
      showOutcome(last.outcome);
    }
  } catch (e) {
    setStatus(`The simulator did not answer: ${(e as Error).message}`, true);
  }
})();

rpc.handle('press', async ({ button }) => {
  await loaded;
  byId<HTMLButtonElement>(button).click();
  return {};
});
rpc.handle('clickConfiguration', async ({ config }) => {
  await loaded;
  const link = document.querySelector<HTMLAnchorElement>(`#results a[data-config="${CSS.escape(config)}"]`);
  if (link === null) throw new Error(`no row for ${config}`);
  link.click();
  return {};
});
rpc.handle('choose', async (p) => {
  await loaded;
  setForm(p);
  return {};
});
rpc.handle('state', () => state());
rpc.announceReady();
