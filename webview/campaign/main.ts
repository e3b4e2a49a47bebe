// The campaign view's page: the form (fault types, configurations, faults,
// faults per trial, seed), Run and Cancel with live progress, the survival
// chart and table (filled in as trials finish), and the list of trials that
// harmed the system, each of which opens its trace when clicked. It shows the
// last results again when reopened.
import uPlot from 'uplot';
import type { CampaignChoices, CampaignOutcome, CampaignRunParams, CampaignSummaryData } from '../../simulator/protocol/campaignProtocol';
import type { CampaignViewProtocol, CampaignViewState } from '../protocol/campaignViewProtocol';
import { connectToHost } from '../shared/connect';
import { barsPaths, canvasDrawn, chartOptions, colour } from '../shared/charts';
import { fillCheckboxes, tickNames, tickedNames } from '../shared/form';
import '../shared/labPanel.css';

const { rpc } = connectToHost<CampaignViewProtocol>();
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const faultsInput = byId<HTMLInputElement>('faults');
const perTrialInput = byId<HTMLInputElement>('faults-per-trial');
const seedInput = byId<HTMLInputElement>('seed');
const typesBox = byId('types');
const configurationsBox = byId('configurations');
const runButton = byId<HTMLButtonElement>('run');
const cancelButton = byId<HTMLButtonElement>('cancel');
const copyButton = byId<HTMLButtonElement>('copy');
const progress = byId<HTMLProgressElement>('progress');
const statusLine = byId('status');

let choices: CampaignChoices | undefined;
let chart: { plot: uPlot; series: string[] } | null = null;
let running = false;
let rows: string[] = [];
let harmful: string[] = [];

function setStatus(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

function params(): CampaignRunParams {
  return {
    types: tickedNames(typesBox),
    configurations: tickedNames(configurationsBox),
    faults: Number(faultsInput.value),
    faultsPerTrial: Number(perTrialInput.value),
    seed: Number(seedInput.value),
  };
}

function setForm(p: Partial<CampaignRunParams>): void {
  if (p.faults !== undefined) faultsInput.value = String(p.faults);
  if (p.faultsPerTrial !== undefined) perTrialInput.value = String(p.faultsPerTrial);
  if (p.seed !== undefined) seedInput.value = String(p.seed);
  if (p.types !== undefined) tickNames(typesBox, p.types);
  if (p.configurations !== undefined) tickNames(configurationsBox, p.configurations);
}

function setRunning(on: boolean): void {
  running = on;
  runButton.disabled = on;
  cancelButton.disabled = !on;
  progress.hidden = !on;
}

const percent = (n: number, of: number) => (of === 0 ? '-' : `${((100 * n) / of).toFixed(1)} %`);

function showSummary(s: CampaignSummaryData): void {
  const outcomes = choices?.outcomes.map((o) => o.name) ?? Object.keys(s.outcomes);
  const table = byId<HTMLTableElement>('results');
  const tr = (cells: string[], tag: 'th' | 'td', titles: string[] = []) => {
    const row = document.createElement('tr');
    row.append(...cells.map((text, i) => Object.assign(document.createElement(tag), { textContent: text, title: titles[i] ?? '' })));
    return row;
  };
  const meaning = (name: string) => choices?.outcomes.find((o) => o.name === name)?.description ?? '';
  table.tHead!.replaceChildren(tr(['fault type', 'configuration', 'trials', 'faults', ...outcomes, 'survival'], 'th', ['', '', '', '', ...outcomes.map(meaning), 'share of trials without a system failure']));
  rows = s.rows.map((r) => [r.type, r.configuration, String(r.trials), String(r.faults), ...outcomes.map((o) => `${r.outcomes[o] ?? 0} (${percent(r.outcomes[o] ?? 0, r.trials)})`), percent(r.survival * r.trials, r.trials)].join(' | '));
  table.tBodies[0]!.replaceChildren(...rows.map((r) => tr(r.split(' | '), 'td')));

  const list = byId('harmful');
  const trials = s.rows.flatMap((r) => r.harmful).sort((a, b) => a.index - b.index);
  harmful = trials.map((h) => `${h.id} | ${h.outcome} | ${h.reason}`);
  list.replaceChildren(
    ...trials.map((h) => {
      const item = document.createElement('li');
      const link = Object.assign(document.createElement('a'), { href: '#', textContent: h.id, title: 'Run this trial again and open its trace' });
      link.dataset['id'] = h.id;
      link.addEventListener('click', (e) => {
        e.preventDefault();
        void openTrial(h.id);
      });
      const debug = Object.assign(document.createElement('a'), { href: '#', textContent: 'Debug', title: 'Start the debugger on this trial, stopped just before its fault' });
      debug.dataset['debug'] = h.id;
      debug.addEventListener('click', (e) => {
        e.preventDefault();
        void debugTrial(h.id);
      });
      item.append(link, ` ${h.outcome}: ${h.reason} `, '(', debug, ')');
      return item;
    }),
  );
  if (trials.length === 0) list.replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'None so far.' }));
  drawChart(s);
}

/** Survival (%) by fault type, a bar per configuration. */
function drawChart(s: CampaignSummaryData): void {
  const types = [...new Set(s.rows.map((r) => r.type))];
  const configurations = [...new Set(s.rows.map((r) => r.configuration))];
  const container = byId('chart-survival');
  chart?.plot.destroy();
  container.replaceChildren();
  chart = null;
  if (types.length === 0) return;
  // Grouped bars: fault type i has the positions i*(n+1) .. i*(n+1)+n-1, one per configuration, and a gap.
  const n = configurations.length;
  const positions = types.length * (n + 1) - 1;
  const x = Array.from({ length: positions }, (_, i) => i);
  const data: uPlot.AlignedData = [
    x,
    ...configurations.map((c, k) =>
      x.map((pos) => {
        if (pos % (n + 1) !== k) return null;
        const row = s.rows.find((r) => r.type === types[Math.floor(pos / (n + 1))] && r.configuration === c);
        return row === undefined ? null : Math.round(row.survival * 1000) / 10;
      }),
    ),
  ];
  const series: uPlot.Series[] = configurations.map((c, k) => ({ label: c, stroke: colour(k), fill: colour(k), paths: barsPaths(), points: { show: false } }));
  const width = Math.max(360, Math.min(1000, 22 * positions + 160));
  const options = chartOptions('survival', width, series, '% of trials', types, 'fault type');
  const centre = (i: number) => i * (n + 1) + (n - 1) / 2;
  options.scales = { x: { time: false, range: [-0.7, positions - 0.3] }, y: { range: [0, 105] } };
  options.axes = [
    { ...options.axes![0], splits: () => types.map((_, i) => centre(i)), values: (_u, splits) => splits.map((v) => types[Math.round((v - (n - 1) / 2) / (n + 1))] ?? '') },
    options.axes![1]!,
  ];
  options.series![0] = { label: 'fault type', value: (_u, i) => (i === null ? '' : (types[Math.floor(i / (n + 1))] ?? '')) };
  chart = { plot: new uPlot(options, data, container), series: configurations };
}

function showOutcome(outcome: CampaignOutcome): void {
  copyButton.disabled = false;
  showSummary(outcome.summary);
  const s = outcome.summary;
  const survived = s.trials - (s.outcomes['system-failure'] ?? 0);
  setStatus(`${outcome.cancelled ? 'Cancelled after ' : ''}${s.trials} trials, ${s.faultsInjected} faults injected; the system survived ${survived} of ${s.trials} (${percent(survived, s.trials)}).`);
}

async function run(): Promise<void> {
  if (running) return;
  const p = params();
  setRunning(true);
  progress.value = 0;
  setStatus('Running…');
  try {
    showOutcome(await rpc.request('run', p, { timeoutMs: 60 * 60 * 1000 }));
  } catch (e) {
    setStatus(`The campaign failed: ${(e as Error).message}`, true);
  } finally {
    setRunning(false);
  }
}

async function openTrial(id: string): Promise<void> {
  setStatus(`Running trial ${id} again…`);
  try {
    const { events, outcome } = await rpc.request('openTrial', { id }, { timeoutMs: 10 * 60 * 1000 });
    setStatus(`Opened the trace of ${id} (${outcome}, ${events} events) in the trace view.`);
  } catch (e) {
    setStatus(`The trial ${id} could not be opened: ${(e as Error).message}`, true);
  }
}

async function debugTrial(id: string): Promise<void> {
  setStatus(`Starting the debugger on trial ${id}…`);
  try {
    const { started } = await rpc.request('debugTrial', { id }, { timeoutMs: 10 * 60 * 1000 });
    setStatus(started ? `Debugging trial ${id}: it stops just before its fault.` : `The debugger did not start on trial ${id}.`, !started);
  } catch (e) {
    setStatus(`The debugger could not start on trial ${id}: ${(e as Error).message}`, true);
  }
}

function state(): CampaignViewState {
  return {
    status: statusLine.textContent ?? '',
    running,
    rows,
    harmful,
    chart: chart === null ? null : { series: chart.series, drawn: canvasDrawn(chart.plot) },
  };
}

runButton.addEventListener('click', () => void run());
cancelButton.addEventListener('click', () => {
  setStatus('Cancelling after the trial in progress…');
  void rpc.request('cancel', {});
});
copyButton.addEventListener('click', () => {
  void rpc.request('copyTable', {}).then(
    () => setStatus('Copied the survival table (Markdown).'),
    (e: Error) => setStatus(`Copy failed: ${e.message}`, true),
  );
});

rpc.on('progress', ({ done, total, summary }) => {
  progress.max = total;
  progress.value = done;
  showSummary(summary);
  setStatus(`${done} of ${total} trials…`);
});

const loaded = (async () => {
  try {
    const c = await rpc.request('choices', {});
    choices = c;
    fillCheckboxes(typesBox, c.types, () => true);
    fillCheckboxes(configurationsBox, c.configurations, (n) => n === 'microkernel-iommu' || n === 'monolithic');
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
/** Clicks a harmful trial's link (its id, or its Debug link), as the user would. */
async function clickHarmful(id: string, attribute: 'data-id' | 'data-debug'): Promise<Record<string, never>> {
  await loaded;
  const link = document.querySelector<HTMLAnchorElement>(`#harmful a[${attribute}="${CSS.escape(id)}"]`);
  if (link === null) throw new Error(`no trial ${id} in the list`);
  link.click();
  return {};
}
rpc.handle('clickTrial', ({ id }) => clickHarmful(id, 'data-id'));
rpc.handle('clickDebug', ({ id }) => clickHarmful(id, 'data-debug'));
rpc.handle('choose', async (p) => {
  await loaded;
  setForm(p);
  return {};
});
rpc.handle('state', () => state());
rpc.announceReady();
