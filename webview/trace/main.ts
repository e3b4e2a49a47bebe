// The trace view's page: lanes and a canvas timeline fed window by window
// from the worker, a message-sequence tab, filters, search, details, and the
// view state kept across hide and show.
import type { TraceFilter, TraceInfo, TraceLane, TraceWindow } from '../../simulator/protocol/traceProtocol';
import type { ExportFormat, MscRowSummary, ToTraceView, TraceViewState } from '../protocol/traceViewProtocol';
import { listedChain, renderChain, renderDetails, renderDetailsMessage, type DetailsActions } from './detailsPane';
import { HostClient, WindowFeed, normaliseWindow, type CachedWindow, type VsCodeApi, type WindowWish } from './hostClient';
import { groupTitles, kindCodes, kindTitles, layoutLanes, type KindCodes, type Layout } from './layout';
import { buildMsc, drawMsc, mscKinds, mscRows, pickMsc, rowOfSeq, MSC_ROW_PX, type MscModel } from './mscRenderer';
import { onThemeChange, readPalette, type Palette } from './palette';
import { drawRuler, drawTimeline, pickEvent, rulerTicks, type TimelineScene } from './timelineRenderer';
import { formatSeconds } from './timeFormat';
import { Viewport, type TimeRange } from './viewport';
import './style.css';

declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  readonly version: 1;
  readonly sourceKey?: string;
  readonly startCycles?: number;
  readonly endCycles?: number;
  readonly follow: boolean;
  readonly tab: 'timeline' | 'msc';
  readonly selectedSeq?: number;
  readonly laneLabels: readonly string[];
  /** Kind names switched off (all on when empty). */
  readonly hiddenKinds: readonly string[];
  readonly types: string;
  readonly from: string;
  readonly to: string;
  readonly search: string;
  readonly range?: TimeRange;
  readonly filtersOpen: boolean;
}

const RULER_HEIGHT_PX = 34;
const MSC_MAX_EVENTS = 3000;
/** Rows of the sequence chart the state report carries (the accessible table lists them all). */
const MSC_SUMMARY_ROWS = 200;

const vscode = acquireVsCodeApi();
const client = new HostClient(vscode);
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const ui = {
  timeline: byId<HTMLCanvasElement>('timeline'),
  ruler: byId<HTMLCanvasElement>('ruler'),
  lanesScroll: byId('lanesScroll'),
  laneList: byId<HTMLUListElement>('laneList'),
  sourceName: byId('sourceName'),
  status: byId('status'),
  details: byId('details'),
  follow: byId<HTMLInputElement>('follow'),
  search: byId<HTMLInputElement>('search'),
  filters: byId<HTMLDetailsElement>('filters'),
  laneFilter: byId('laneFilter'),
  kindFilter: byId('kindFilter'),
  typeFilter: byId<HTMLInputElement>('typeFilter'),
  fromFilter: byId<HTMLInputElement>('fromFilter'),
  toFilter: byId<HTMLInputElement>('toFilter'),
  messageTypes: byId<HTMLDataListElement>('messageTypes'),
  tabTimeline: byId<HTMLButtonElement>('tabTimeline'),
  tabMsc: byId<HTMLButtonElement>('tabMsc'),
  timelinePane: byId('timelinePane'),
  mscPane: byId('mscPane'),
  mscHead: byId('mscHead'),
  mscScroll: byId('mscScroll'),
  mscSpacer: byId('mscSpacer'),
  msc: byId<HTMLCanvasElement>('msc'),
  mscTableBody: byId<HTMLTableElement>('mscTable').tBodies[0]!,
  showSystem: byId<HTMLButtonElement>('showSystem'),
};

const saved = (vscode.getState() ?? undefined) as SavedState | undefined;
const viewport = new Viewport();
let info: TraceInfo | undefined;
let codes: KindCodes = kindCodes(undefined);
let layout: Layout = layoutLanes([], undefined);
let palette: Palette = readPalette();
showPalette();
let tab: 'timeline' | 'msc' = saved?.tab ?? 'timeline';
let follow = saved?.follow ?? false;
let selectedSeq: number | undefined = saved?.selectedSeq;
let linkId = 0;
let chain = new Set<number>();
let searchSeq: number | undefined;
let range: TimeRange | undefined = saved?.range;
let laneSelection = new Set<string>(saved?.laneLabels ?? []);
let hiddenKinds = new Set<string>(saved?.hiddenKinds ?? []);
let filter: TraceFilter | undefined;
let filterKey = '';
let mscModel: MscModel | undefined;
let mscTableRows: MscRowSummary[] = [];
let mscToken = 0;
let drawnWindow: TraceWindow | undefined;
let framePending = false;
let infoRequest: Promise<void> | undefined;
let infoAgain = false;
let restoredFromState = false;

/** Timings the benchmark reads: the first complete paint and each frame's drawing time. */
const stats = { firstPaintMs: -1, frameMs: [] as number[] };
(globalThis as { __mklabTraceView?: unknown }).__mklabTraceView = { stats, viewport };

const feed = new WindowFeed(
  client,
  (w: CachedWindow) => {
    if (w.window.laneCount > (info?.lanes.length ?? 0)) void refreshInfo();
    invalidate();
  },
  (error) => setStatus(`The trace window could not be read: ${error}`, true),
);

ui.typeFilter.value = saved?.types ?? '';
ui.fromFilter.value = saved?.from ?? '';
ui.toFilter.value = saved?.to ?? '';
ui.search.value = saved?.search ?? '';
ui.follow.checked = follow;
ui.filters.open = saved?.filtersOpen ?? false;

/** When the status line last told the user something about what they did. */
let lastStatusMs = -Infinity;
/** How long such a message stays before periodic news of the running trace may replace it. */
const STATUS_HOLD_MS = 5000;

function setStatus(text: string, isError = false): void {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
  lastStatusMs = performance.now();
}

/** Periodic news (the trace grew) that must not wipe out the answer to what the user just did. */
function setBackgroundStatus(text: string): void {
  if (performance.now() - lastStatusMs < STATUS_HOLD_MS) return;
  ui.status.textContent = text;
  ui.status.classList.remove('error');
}

function saveState(): void {
  // Before the trace is known the view holds nothing worth keeping: the saved state stays as it was.
  if (!info) {
    reportState();
    return;
  }
  const state: SavedState = {
    version: 1,
    ...(info ? { sourceKey: sourceKey(info) } : {}),
    startCycles: viewport.startCycles,
    endCycles: viewport.endCycles,
    follow,
    tab,
    ...(selectedSeq === undefined ? {} : { selectedSeq }),
    laneLabels: [...laneSelection],
    hiddenKinds: [...hiddenKinds],
    types: ui.typeFilter.value,
    from: ui.fromFilter.value,
    to: ui.toFilter.value,
    search: ui.search.value,
    ...(range ? { range } : {}),
    filtersOpen: ui.filters.open,
  };
  vscode.setState(state);
  reportState();
}

/** Tells the host what the view shows now (see TraceViewState). */
function reportState(): void {
  const chainLines = listedChain(ui.details);
  const summary = ui.details.querySelector('#detailsSummary')?.textContent ?? undefined;
  const state: TraceViewState = {
    sourceName: info?.source.name ?? '',
    startCycles: viewport.startCycles,
    endCycles: viewport.endCycles,
    follow,
    tab,
    ...(selectedSeq === undefined ? {} : { selectedSeq }),
    ...(summary === undefined ? {} : { detailsSummary: summary }),
    filter: { lanes: [...laneSelection], hiddenKinds: [...hiddenKinds], types: ui.typeFilter.value, from: ui.fromFilter.value, to: ui.toFilter.value },
    lanes: layout.lanes.map((l) => l.label),
    palette: { background: palette.background, foreground: palette.foreground },
    ...(mscModel ? { msc: { columns: mscModel.columns.map((l) => l.label), rowCount: mscModel.rows.length, rows: mscTableRows.slice(0, MSC_SUMMARY_ROWS) } } : {}),
    ...(chainLines ? { chain: chainLines } : {}),
  };
  vscode.postMessage({ type: 'state', state });
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveSoon(): void {
  if (saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = undefined;
    saveState();
  }, 200);
}

function sourceKey(i: TraceInfo): string {
  return `${i.source.kind}:${i.source.name}:${i.source.scenario}:${i.source.seed}`;
}

// ---- the trace and its lanes ------------------------------------------------

function showTrace(next: TraceInfo | undefined, reason?: string): void {
  const previousKey = info ? sourceKey(info) : saved?.sourceKey;
  info = next;
  codes = kindCodes(next);
  feed.invalidate();
  feed.cached = undefined;
  drawnWindow = undefined;
  mscModel = undefined;
  ui.showSystem.hidden = next?.source.kind !== 'file';
  if (!next) {
    layout = layoutLanes([], undefined);
    renderLaneList();
    ui.sourceName.textContent = 'No trace';
    setStatus(reason ?? 'No trace to show yet.');
    invalidate();
    return;
  }
  const sameSource = previousKey === sourceKey(next);
  if (!sameSource) {
    selectedSeq = undefined;
    range = undefined;
    chain = new Set();
    linkId = 0;
    renderDetailsMessage(ui.details, 'Select an event to see its details.');
  }
  viewport.bounds = boundsOf(next);
  buildFilterControls();
  applyFilters(false);
  if (!restoredFromState && sameSource && saved?.startCycles !== undefined && saved.endCycles !== undefined) {
    viewport.set({ startCycles: saved.startCycles, endCycles: saved.endCycles });
  } else if (follow && next.source.kind === 'system') viewport.followTail();
  else if (!sameSource || !restoredFromState) viewport.fit();
  restoredFromState = true;
  ui.sourceName.textContent = next.source.name;
  ui.sourceName.title = `${next.source.kind === 'file' ? 'File' : 'System'} ${next.source.name}: ${next.source.scenario}, ${next.source.configuration}, seed ${next.source.seed}`;
  setStatus(describeTrace(next));
  if (selectedSeq !== undefined) void select(selectedSeq, false);
  wantWindow();
  if (tab === 'msc') void loadMsc();
  invalidate();
  saveSoon();
}

function boundsOf(i: TraceInfo): TimeRange {
  return { startCycles: i.startCycles, endCycles: Math.max(i.endCycles, i.startCycles + 1000) };
}

function describeTrace(i: TraceInfo): string {
  const dropped = i.dropped > 0 ? `, ${i.dropped.toLocaleString('en-US')} older events dropped` : '';
  return `${i.source.kind === 'file' ? 'Trace file' : 'System'} ${i.source.name}: ${i.eventCount.toLocaleString('en-US')} events, ${i.lanes.length} lanes, ${formatSeconds(i.endCycles - i.startCycles, i.clockHz)} of simulated time${dropped}.`;
}

/** Asks for the trace's description again (a running system grew); one request at a time. */
function refreshInfo(): Promise<void> {
  if (infoRequest) {
    infoAgain = true;
    return infoRequest;
  }
  infoRequest = (async () => {
    try {
      const next = await client.request('traceInfo', {});
      if (!info || sourceKey(next) !== sourceKey(info)) {
        showTrace(next);
        return;
      }
      const grew = next.endSeq !== info.endSeq || next.lanes.length !== info.lanes.length;
      const lanesChanged = next.lanes.length !== info.lanes.length || next.lanes.some((l, k) => l.restarts !== info!.lanes[k]?.restarts);
      info = next;
      viewport.bounds = boundsOf(next);
      if (lanesChanged) {
        buildFilterControls();
        applyFilters(false);
      }
      if (grew) {
        feed.invalidate();
        if (follow) {
          viewport.followTail();
          saveSoon();
        }
        wantWindow();
      }
      setBackgroundStatus(describeTrace(next));
      invalidate();
    } catch (e) {
      setStatus(`The trace could not be read: ${(e as Error).message}`, true);
    }
  })().finally(() => {
    infoRequest = undefined;
    if (infoAgain) {
      infoAgain = false;
      void refreshInfo();
    }
  });
  return infoRequest;
}

function renderLaneList(): void {
  const items: HTMLLIElement[] = [];
  for (const row of layout.rows) {
    const li = document.createElement('li');
    li.style.height = `${row.height}px`;
    if (row.kind === 'group') {
      li.className = 'group';
      li.textContent = groupTitles[row.group];
      li.setAttribute('role', 'presentation');
    } else {
      const lane = row.lane!;
      li.className = 'lane';
      li.dataset.lane = lane.label;
      li.textContent = lane.label;
      if (lane.restarts > 0) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = `↻${lane.restarts}`;
        badge.title = `${lane.restarts} restart${lane.restarts === 1 ? '' : 's'}`;
        li.append(badge);
      }
      li.title = `${lane.label} (${groupTitles[lane.group]})${lane.endpoints.length ? `, endpoints ${lane.endpoints.join(', ')}` : ''}`;
    }
    items.push(li);
  }
  ui.laneList.replaceChildren(...items);
}

// ---- filters ----------------------------------------------------------------

function buildFilterControls(): void {
  if (!info) return;
  const lanes = [...info.lanes].sort((a, b) => groupRank(a) - groupRank(b) || a.id - b.id);
  ui.laneFilter.replaceChildren(
    ...lanes.map((lane) => checkbox(`lane-${lane.id}`, lane.label, laneSelection.has(lane.label), (on) => {
      if (on) laneSelection.add(lane.label);
      else laneSelection.delete(lane.label);
      applyFilters(true);
    })),
  );
  ui.kindFilter.replaceChildren(
    ...info.kinds.map((k) => checkbox(`kind-${k.kind}`, kindTitles[k.name] ?? k.name, !hiddenKinds.has(k.name), (on) => {
      if (on) hiddenKinds.delete(k.name);
      else hiddenKinds.add(k.name);
      applyFilters(true);
    })),
  );
  ui.messageTypes.replaceChildren(
    ...info.messageTypes.map((t) => {
      const option = document.createElement('option');
      option.value = t.name;
      option.label = `${t.name} (${t.type})`;
      return option;
    }),
  );
}

function groupRank(lane: TraceLane): number {
  return ['kernel', 'servers', 'drivers', 'programs', 'devices'].indexOf(lane.group);
}

function checkbox(id: string, text: string, checked: boolean, changed: (on: boolean) => void): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = 'check';
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.id = id;
  input.checked = checked;
  input.addEventListener('change', () => changed(input.checked));
  label.append(input, ` ${text}`);
  return label;
}

/** Message types from the filter's text: names (as the trace knows them) or numbers, comma separated. */
function parseTypes(text: string): { types: number[]; unknown: string[] } {
  const types: number[] = [];
  const unknown: string[] = [];
  for (const token of text.split(/[,\s]+/).filter((t) => t.length > 0)) {
    if (/^-?\d+$/.test(token)) types.push(Number(token));
    else {
      const known = info?.messageTypes.filter((t) => t.name.toLowerCase() === token.toLowerCase()) ?? [];
      if (known.length === 0) unknown.push(token);
      else types.push(...known.map((t) => t.type));
    }
  }
  return { types, unknown };
}

function applyFilters(changedByUser: boolean): void {
  if (!info) return;
  const laneIds = info.lanes.filter((l) => laneSelection.has(l.label)).map((l) => l.id);
  const kinds = hiddenKinds.size === 0 ? undefined : info.kinds.filter((k) => !hiddenKinds.has(k.name)).map((k) => k.kind);
  const { types, unknown } = parseTypes(ui.typeFilter.value);
  const from = ui.fromFilter.value.trim() === '' ? undefined : Number(ui.fromFilter.value);
  const to = ui.toFilter.value.trim() === '' ? undefined : Number(ui.toFilter.value);
  const next: { -readonly [K in keyof TraceFilter]: TraceFilter[K] } = {};
  if (laneIds.length > 0) next.lanes = laneIds;
  if (kinds) next.kinds = kinds;
  if (types.length > 0) next.messageTypes = types;
  if (from !== undefined && Number.isFinite(from)) next.fromCycles = from;
  if (to !== undefined && Number.isFinite(to)) next.toCycles = to;
  filter = Object.keys(next).length > 0 ? next : undefined;
  filterKey = JSON.stringify(filter ?? {});
  layout = layoutLanes(info.lanes, laneIds.length > 0 ? new Set(laneIds) : undefined);
  renderLaneList();
  resize();
  if (changedByUser) {
    const active = [
      laneIds.length > 0 ? `${laneIds.length} process${laneIds.length === 1 ? '' : 'es'}` : '',
      kinds ? `${kinds.length} kinds` : '',
      types.length > 0 ? `message types ${types.join(', ')}` : '',
      next.fromCycles !== undefined || next.toCycles !== undefined ? 'a time range' : '',
    ].filter((s) => s);
    setStatus(
      unknown.length > 0
        ? `Unknown message type${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}.`
        : active.length > 0
          ? `Filtered by ${active.join(', ')}.`
          : 'Showing every event.',
      unknown.length > 0,
    );
    mscModel = undefined;
    if (tab === 'msc') void loadMsc();
    saveSoon();
  }
  wantWindow();
  invalidate();
}

// ---- windows and drawing ----------------------------------------------------

function wish(): WindowWish {
  return {
    visibleFrom: viewport.startCycles,
    visibleTo: viewport.endCycles,
    cyclesPerPx: viewport.cyclesPerPx,
    widthPx: viewport.widthPx,
    filter,
    filterKey,
  };
}

function wantWindow(): void {
  if (!info) return;
  feed.want(wish());
}

function viewChanged(): void {
  wantWindow();
  invalidate();
  saveSoon();
}

function invalidate(): void {
  if (framePending) return;
  framePending = true;
  requestAnimationFrame(frame);
}

function frame(): void {
  framePending = false;
  const started = performance.now();
  const dpr = window.devicePixelRatio || 1;
  if (tab === 'timeline') {
    const rulerCtx = ui.ruler.getContext('2d');
    const ctx = ui.timeline.getContext('2d');
    if (!rulerCtx || !ctx) return;
    rulerCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const clockHz = info?.clockHz ?? 1;
    const ticks = info ? drawRuler(rulerCtx, viewport, palette, clockHz, RULER_HEIGHT_PX) : [];
    const cached = feed.cached;
    const scene: TimelineScene = {
      viewport,
      layout,
      palette,
      codes,
      window: cached?.window,
      stale: !cached || !feed.serves(wish()),
      highlights: { selectedSeq, linkId, chain, searchSeq },
      range,
      tickCycles: ticks.length ? ticks : info ? rulerTicks(viewport, clockHz).ticks : [],
    };
    drawTimeline(ctx, scene);
    if (!info) {
      ctx.fillStyle = palette.muted;
      ctx.font = palette.font;
      ctx.fillText(ui.status.textContent ?? '', 12, 20);
    }
    const elapsed = performance.now() - started;
    stats.frameMs.push(elapsed);
    if (stats.frameMs.length > 5000) stats.frameMs.splice(0, 1000);
    if (cached && cached.window !== drawnWindow) {
      drawnWindow = cached.window;
      if (stats.firstPaintMs < 0 && !scene.stale) stats.firstPaintMs = performance.now();
      reportRendered(cached.window);
    }
  } else drawMscFrame(dpr);
}

function reportRendered(w: TraceWindow): void {
  ui.timeline.dataset.mode = w.mode;
  let firstMessageSeq: number | undefined;
  if (w.mode === 'events') {
    const e = w.events;
    for (let i = 0; i < e.seq.length && firstMessageSeq === undefined; i++) {
      if (e.kind[i] === codes.ipcSend && (layout.laneY[e.lane[i]!] ?? -1) >= 0) firstMessageSeq = e.seq[i];
    }
  }
  vscode.postMessage({
    type: 'rendered',
    window: {
      fromCycles: w.fromCycles,
      toCycles: w.toCycles,
      mode: w.mode,
      matched: w.matched,
      lanes: layout.lanes.map((l) => l.label),
      sourceName: info?.source.name ?? '',
      ...(firstMessageSeq === undefined ? {} : { firstMessageSeq }),
    },
  });
}

function resize(): void {
  // A hidden timeline (the sequence tab shows) has no width: measuring it would shrink the window to nothing.
  if (ui.timelinePane.hidden || ui.lanesScroll.clientWidth === 0) {
    resizeMsc();
    return;
  }
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(50, ui.lanesScroll.clientWidth - ui.laneList.offsetWidth - 2);
  const oldWidth = viewport.widthPx;
  const spanPerPx = viewport.cyclesPerPx;
  viewport.widthPx = width;
  if (oldWidth > 1 && info) viewport.endCycles = viewport.startCycles + spanPerPx * width;
  for (const [canvas, height] of [
    [ui.timeline, layout.heightPx],
    [ui.ruler, RULER_HEIGHT_PX],
  ] as const) {
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  resizeMsc();
  wantWindow();
  invalidate();
}

// ---- selection, details, chains --------------------------------------------

const detailsActions: DetailsActions = {
  select: (seq) => void select(seq, true),
  openSource: (file, line, column, process) =>
    vscode.postMessage({ type: 'openSource', file, line, ...(column === undefined ? {} : { column }), ...(process === undefined ? {} : { process }) }),
  showChain: (seq) => void showChain(seq),
};

let selectToken = 0;
async function select(seq: number | undefined, centre: boolean): Promise<void> {
  const token = ++selectToken;
  selectedSeq = seq;
  chain = new Set();
  linkId = 0;
  invalidate();
  saveSoon();
  if (seq === undefined) {
    renderDetailsMessage(ui.details, 'Select an event to see its details.');
    vscode.postMessage({ type: 'selected', seq: undefined });
    return;
  }
  renderDetailsMessage(ui.details, `Reading event #${seq}…`);
  try {
    const d = await client.request('traceEvent', { seq });
    if (token !== selectToken) return;
    linkId = d.linkId ?? 0;
    renderDetails(ui.details, d, info?.clockHz ?? 1, detailsActions);
    setStatus(`Selected: ${d.summary}`);
    saveSoon();
    vscode.postMessage({ type: 'selected', seq, summary: d.summary });
    if (centre && (d.timeCycles < viewport.startCycles || d.timeCycles > viewport.endCycles)) {
      follow = false;
      ui.follow.checked = false;
      viewport.centreOn(d.timeCycles);
      viewChanged();
    }
    invalidate();
  } catch (e) {
    if (token !== selectToken) return;
    renderDetailsMessage(ui.details, `Event #${seq} could not be read: ${(e as Error).message}`, true);
  }
}

async function showChain(seq: number): Promise<void> {
  try {
    const c = await client.request('traceChain', { seq });
    chain = new Set(c.steps.flatMap((s) => (s.receiveSeq === undefined ? [s.seq] : [s.seq, s.receiveSeq])));
    renderChain(ui.details, c, info?.clockHz ?? 1, detailsActions);
    setStatus(`The request was served by ${c.steps.length} messages${c.complete ? '' : '; its reply is not in the trace yet'}.`);
    invalidate();
    saveSoon();
  } catch (e) {
    setStatus(`The request chain could not be read: ${(e as Error).message}`, true);
  }
}

/** Selects the event nearest the centre (keyboard), or the next/previous event of the drawn window. */
function stepSelection(direction: 0 | 1 | -1): void {
  const w = feed.cached?.window;
  if (!w || w.mode !== 'events' || w.events.seq.length === 0) {
    setStatus('Zoom in to pick single events.');
    return;
  }
  const e = w.events;
  let index = -1;
  const current = selectedSeq === undefined ? -1 : e.seq.indexOf(selectedSeq);
  if (direction === 0 || current < 0) {
    const centre = (viewport.startCycles + viewport.endCycles) / 2;
    let best = Infinity;
    for (let i = 0; i < e.seq.length; i++) {
      if ((layout.laneY[e.lane[i]!] ?? -1) < 0) continue;
      const d = Math.abs(e.timeCycles[i]! - centre);
      if (d < best) {
        best = d;
        index = i;
      }
    }
  } else {
    index = current;
    do index += direction;
    while (index >= 0 && index < e.seq.length && (layout.laneY[e.lane[index]!] ?? -1) < 0);
  }
  if (index < 0 || index >= e.seq.length) return;
  const t = e.timeCycles[index]!;
  if (t < viewport.startCycles || t > viewport.endCycles) {
    viewport.centreOn(t);
    viewChanged();
  }
  void select(e.seq[index], false);
}

// ---- search -----------------------------------------------------------------

let lastMatch: { seq: number; timeCycles: number; query: string } | undefined;
async function search(direction: 'next' | 'previous'): Promise<void> {
  const query = ui.search.value.trim();
  if (!query || !info) return;
  saveSoon();
  const anchor = lastMatch && lastMatch.query === query ? lastMatch.timeCycles : (viewport.startCycles + viewport.endCycles) / 2;
  try {
    let result = await client.request('traceSearch', { query, direction, fromCycles: anchor, limit: 2, ...(filter ? { filter } : {}) });
    let index = 0;
    while (index < result.seqs.length && lastMatch?.query === query && result.seqs[index] === lastMatch.seq) index++;
    if (index >= result.seqs.length && result.seqs.length > 0) {
      const nudged = anchor + (direction === 'next' ? 1 : -1);
      result = await client.request('traceSearch', { query, direction, fromCycles: nudged, limit: 1, ...(filter ? { filter } : {}) });
      index = 0;
    }
    const understood = result.understoodAs.join(', ') || query;
    if (index >= result.seqs.length) {
      setStatus(`No ${direction === 'next' ? 'later' : 'earlier'} match for ${understood}.`);
      return;
    }
    const seq = result.seqs[index]!;
    const t = result.timeCycles[index]!;
    lastMatch = { seq, timeCycles: t, query };
    searchSeq = seq;
    follow = false;
    ui.follow.checked = false;
    viewport.centreOn(t);
    viewChanged();
    await select(seq, false);
    setStatus(`Match for ${understood} at ${formatSeconds(t, info.clockHz)} (event #${seq}).`);
  } catch (e) {
    setStatus(`Search failed: ${(e as Error).message}`, true);
  }
}

// ---- message sequence tab ---------------------------------------------------

function switchTab(next: 'timeline' | 'msc'): void {
  tab = next;
  ui.tabTimeline.setAttribute('aria-selected', String(next === 'timeline'));
  ui.tabMsc.setAttribute('aria-selected', String(next === 'msc'));
  ui.timelinePane.hidden = next !== 'timeline';
  ui.mscPane.hidden = next !== 'msc';
  saveSoon();
  if (next === 'msc') {
    resizeMsc();
    void loadMsc();
  } else resize();
  invalidate();
}

async function loadMsc(): Promise<void> {
  if (!info) return;
  const token = ++mscToken;
  const r = range ?? { startCycles: viewport.startCycles, endCycles: viewport.endCycles };
  const from = Math.floor(Math.min(r.startCycles, r.endCycles));
  const to = Math.ceil(Math.max(r.startCycles, r.endCycles));
  const allowed = new Set(mscKinds(codes));
  const kinds = (filter?.kinds ?? [...allowed]).filter((k) => allowed.has(k));
  ui.mscHead.textContent = 'Reading the messages…';
  try {
    const w = normaliseWindow(
      await client.request('traceWindow', {
        fromCycles: from,
        toCycles: to,
        pixelWidth: 4000,
        maxEvents: MSC_MAX_EVENTS,
        filter: { ...(filter ?? {}), kinds },
      }),
    );
    if (token !== mscToken) return;
    if (w.mode !== 'events') {
      mscModel = undefined;
      renderMscTable([]);
      ui.mscHead.textContent = `${w.matched.toLocaleString('en-US')} events between ${formatSeconds(from, info.clockHz)} and ${formatSeconds(to, info.clockHz)}: too many for a sequence chart. Select a shorter range on the timeline (Shift+drag) or zoom in.`;
      invalidate();
      return;
    }
    mscModel = buildMsc(w, layout, codes, ui.mscScroll.clientWidth);
    renderMscTable(mscRows(mscModel, codes, messageTypeNamer(info)));
    saveSoon();
    renderMscHead(from, to);
    resizeMsc();
    if (selectedSeq !== undefined) {
      const row = rowOfSeq(mscModel, selectedSeq);
      if (row >= 0) ui.mscScroll.scrollTop = Math.max(0, row * MSC_ROW_PX - ui.mscScroll.clientHeight / 2);
    }
    invalidate();
  } catch (e) {
    if (token === mscToken) ui.mscHead.textContent = `The messages could not be read: ${(e as Error).message}`;
  }
}

function messageTypeNamer(i: TraceInfo): (type: number) => string {
  const names = new Map(i.messageTypes.map((t) => [t.type, t.name]));
  return (type) => names.get(type) ?? `type ${type}`;
}

/** Fills the sequence chart's accessible table (what the canvas draws, for screen readers and tests). */
function renderMscTable(rows: MscRowSummary[]): void {
  mscTableRows = rows;
  const clockHz = info?.clockHz ?? 1;
  ui.mscTableBody.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.seq = String(r.seq);
      tr.dataset.timeCycles = String(r.timeCycles);
      for (const text of [formatSeconds(r.timeCycles, clockHz), r.from, r.to, r.label]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function renderMscHead(from: number, to: number): void {
  if (!mscModel || !info) return;
  const title = document.createElement('div');
  title.className = 'mscTitle';
  title.textContent = `${mscModel.rows.length} events from ${formatSeconds(from, info.clockHz)} to ${formatSeconds(to, info.clockHz)}${range ? ' (selected range)' : ' (visible window)'}`;
  const columns = document.createElement('div');
  columns.className = 'mscColumns';
  columns.setAttribute('role', 'list');
  columns.setAttribute('aria-label', 'Sequence chart columns');
  for (const lane of mscModel.columns) {
    const c = document.createElement('span');
    c.setAttribute('role', 'listitem');
    c.textContent = lane.label;
    c.style.left = `${(mscModel.columnX.get(lane.id) ?? 0) - 45}px`;
    columns.append(c);
  }
  ui.mscHead.replaceChildren(title, columns);
}

function resizeMsc(): void {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(100, mscModel ? Math.max(mscModel.widthPx, ui.mscScroll.clientWidth) : ui.mscScroll.clientWidth);
  const height = Math.max(50, ui.mscScroll.clientHeight);
  ui.mscSpacer.style.height = `${(mscModel?.rows.length ?? 0) * MSC_ROW_PX}px`;
  ui.mscSpacer.style.marginTop = `${-height}px`;
  ui.mscSpacer.style.width = `${width}px`;
  ui.msc.style.width = `${width}px`;
  ui.msc.style.height = `${height}px`;
  ui.msc.width = Math.round(width * dpr);
  ui.msc.height = Math.round(height * dpr);
}

function drawMscFrame(dpr: number): void {
  const ctx = ui.msc.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (!mscModel || !info) {
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, 0, ui.msc.width, ui.msc.height);
    return;
  }
  drawMsc(ctx, {
    model: mscModel,
    palette,
    codes,
    clockHz: info.clockHz,
    scrollTopPx: ui.mscScroll.scrollTop,
    heightPx: ui.mscScroll.clientHeight,
    widthPx: ui.msc.width / dpr,
    selectedSeq,
    linkId,
    chain,
    messageTypeName: messageTypeNamer(info),
  });
}

// ---- input ------------------------------------------------------------------

function zoom(factor: number, x = viewport.widthPx / 2): void {
  viewport.zoomAt(x, factor);
  if (follow && factor > 1) {
    follow = false;
    ui.follow.checked = false;
  }
  viewChanged();
}

function pan(dxPx: number): void {
  viewport.panPx(dxPx);
  if (follow) {
    follow = false;
    ui.follow.checked = false;
  }
  viewChanged();
}

ui.timeline.addEventListener(
  'wheel',
  (ev) => {
    ev.preventDefault();
    const x = ev.offsetX;
    const scale = ev.deltaMode === 1 ? 30 : ev.deltaMode === 2 ? 300 : 1;
    if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) pan((ev.shiftKey ? ev.deltaY : ev.deltaX) * scale);
    else zoom(Math.exp(-ev.deltaY * scale * 0.0015), x);
  },
  { passive: false },
);

let drag: { x: number; y: number; moved: boolean; selecting: boolean; startCycles: number; pointerId: number } | undefined;
ui.timeline.addEventListener('pointerdown', (ev) => {
  if (ev.button !== 0) return;
  ui.timeline.focus();
  ui.timeline.setPointerCapture(ev.pointerId);
  drag = { x: ev.offsetX, y: ev.offsetY, moved: false, selecting: ev.shiftKey, startCycles: viewport.cyclesAt(ev.offsetX), pointerId: ev.pointerId };
});
ui.timeline.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const dx = ev.offsetX - drag.x;
  if (!drag.moved && Math.abs(dx) + Math.abs(ev.offsetY - drag.y) < 3) return;
  drag.moved = true;
  if (drag.selecting) {
    range = { startCycles: Math.min(drag.startCycles, viewport.cyclesAt(ev.offsetX)), endCycles: Math.max(drag.startCycles, viewport.cyclesAt(ev.offsetX)) };
    invalidate();
    return;
  }
  drag.x = ev.offsetX;
  pan(-dx);
});
ui.timeline.addEventListener('pointerup', (ev) => {
  const d = drag;
  drag = undefined;
  if (!d) return;
  ui.timeline.releasePointerCapture(d.pointerId);
  if (d.selecting && d.moved && range) {
    setStatus(`Selected ${formatSeconds(range.endCycles - range.startCycles, info?.clockHz ?? 1)}; the Message sequence tab shows it.`);
    mscModel = undefined;
    saveSoon();
    return;
  }
  if (d.moved) return;
  const w = feed.cached?.window;
  const seq = pickEvent(sceneForPick(), ev.offsetX, ev.offsetY);
  if (seq !== undefined) void select(seq, false);
  else if (w && w.mode === 'buckets') setStatus('Too many events here to pick one: zoom in (wheel or +) to see single messages.');
});
ui.timeline.addEventListener('dblclick', (ev) => zoom(3, ev.offsetX));

function sceneForPick(): TimelineScene {
  return {
    viewport,
    layout,
    palette,
    codes,
    window: feed.cached?.window,
    stale: false,
    highlights: { selectedSeq, linkId, chain, searchSeq },
    range,
    tickCycles: [],
  };
}

ui.timeline.addEventListener('keydown', (ev) => {
  const page = viewport.widthPx;
  switch (ev.key) {
    case 'ArrowLeft':
      pan(-(ev.shiftKey ? page / 2 : page / 8));
      break;
    case 'ArrowRight':
      pan(ev.shiftKey ? page / 2 : page / 8);
      break;
    case 'ArrowUp':
      ui.lanesScroll.scrollTop -= 22;
      break;
    case 'ArrowDown':
      ui.lanesScroll.scrollTop += 22;
      break;
    case '+':
    case '=':
      zoom(1.5);
      break;
    case '-':
    case '_':
      zoom(1 / 1.5);
      break;
    case 'Home':
      viewport.set({ startCycles: viewport.bounds.startCycles, endCycles: viewport.bounds.startCycles + viewport.spanCycles });
      viewChanged();
      break;
    case 'End':
      viewport.followTail();
      viewChanged();
      break;
    case 'f':
    case 'F':
      viewport.fit();
      viewChanged();
      break;
    case 'Enter':
      stepSelection(0);
      break;
    case '.':
      stepSelection(1);
      break;
    case ',':
      stepSelection(-1);
      break;
    case 'Escape':
      range = undefined;
      void select(undefined, false);
      break;
    default:
      return;
  }
  ev.preventDefault();
});

ui.mscScroll.addEventListener('scroll', () => invalidate(), { passive: true });
ui.msc.addEventListener('click', (ev) => {
  if (!mscModel) return;
  const rect = ui.msc.getBoundingClientRect();
  const seq = pickMsc(mscModel, ev.clientY - rect.top + ui.mscScroll.scrollTop);
  if (seq !== undefined) void select(seq, false);
});
ui.mscScroll.addEventListener('keydown', (ev) => {
  if (!mscModel || (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp')) return;
  ev.preventDefault();
  const row = selectedSeq === undefined ? -1 : rowOfSeq(mscModel, selectedSeq);
  const next = Math.max(0, Math.min(mscModel.rows.length - 1, row + (ev.key === 'ArrowDown' ? 1 : -1)));
  const i = mscModel.rows[next];
  if (i === undefined) return;
  const y = next * MSC_ROW_PX;
  if (y < ui.mscScroll.scrollTop || y > ui.mscScroll.scrollTop + ui.mscScroll.clientHeight - MSC_ROW_PX) ui.mscScroll.scrollTop = y - ui.mscScroll.clientHeight / 2;
  void select(mscModel.window.events.seq[i], false);
});

const click = (id: string, run: () => void) => byId(id).addEventListener('click', run);
click('fit', () => {
  viewport.fit();
  viewChanged();
});
click('zoomIn', () => zoom(1.5));
click('zoomOut', () => zoom(1 / 1.5));
click('searchNext', () => void search('next'));
click('searchPrev', () => void search('previous'));
click('loadFile', () => vscode.postMessage({ type: 'loadFile' }));
click('showSystem', () => vscode.postMessage({ type: 'showSystem' }));
for (const [id, format] of [
  ['exportPerfetto', 'perfetto'],
  ['exportCsv', 'csv'],
  ['exportMktrace', 'mktrace'],
] as [string, ExportFormat][]) {
  click(id, () => vscode.postMessage({ type: 'export', format }));
}
click('tabTimeline', () => switchTab('timeline'));
click('tabMsc', () => switchTab('msc'));
click('rangeFromView', () => {
  ui.fromFilter.value = String(Math.max(0, Math.floor(viewport.startCycles)));
  ui.toFilter.value = String(Math.ceil(viewport.endCycles));
  applyFilters(true);
});
click('clearFilters', () => {
  laneSelection = new Set();
  hiddenKinds = new Set();
  ui.typeFilter.value = '';
  ui.fromFilter.value = '';
  ui.toFilter.value = '';
  buildFilterControls();
  applyFilters(true);
});
for (const input of [ui.typeFilter, ui.fromFilter, ui.toFilter]) input.addEventListener('change', () => applyFilters(true));
ui.filters.addEventListener('toggle', () => {
  saveSoon();
  resize();
});
ui.search.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Enter') return;
  ev.preventDefault();
  void search(ev.shiftKey ? 'previous' : 'next');
});
ui.follow.addEventListener('change', () => {
  follow = ui.follow.checked;
  saveSoon();
  if (follow) {
    viewport.followTail();
    void refreshInfo();
    viewChanged();
  }
});
for (const [tabButton, other] of [
  [ui.tabTimeline, ui.tabMsc],
  [ui.tabMsc, ui.tabTimeline],
] as const) {
  tabButton.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') return;
    other.focus();
    other.click();
  });
}

new ResizeObserver(() => resize()).observe(ui.lanesScroll);
new ResizeObserver(() => {
  resizeMsc();
  invalidate();
}).observe(ui.mscScroll);
onThemeChange(() => {
  palette = readPalette();
  showPalette();
  invalidate();
  reportState();
});

/** Names the canvases' colours on them (data-background, data-foreground) for tests and tools. */
function showPalette(): void {
  for (const canvas of [ui.timeline, ui.ruler, ui.msc]) {
    canvas.dataset.background = palette.background;
    canvas.dataset.foreground = palette.foreground;
  }
}

window.addEventListener('message', (event: MessageEvent<ToTraceView>) => {
  const m = event.data;
  switch (m.type) {
    case 'trace':
      showTrace(m.info, m.reason);
      return;
    case 'systemProgress':
      if (info?.source.kind === 'file') return;
      if (!info) {
        void refreshInfo();
        return;
      }
      if (m.running || m.nowCycles > info.endCycles) void refreshInfo();
      return;
    case 'reply':
      client.receive(m);
      return;
    case 'status':
      setStatus(m.text, m.isError);
      return;
    case 'select':
      void select(m.seq, true);
      return;
    case 'show':
      follow = false;
      ui.follow.checked = false;
      viewport.set({ startCycles: m.startCycles, endCycles: m.endCycles });
      viewChanged();
      return;
    case 'filter':
      if (m.lanes) laneSelection = new Set(m.lanes);
      if (m.types !== undefined) ui.typeFilter.value = m.types;
      buildFilterControls();
      applyFilters(true);
      return;
    case 'follow':
      if (ui.follow.checked !== m.on) {
        ui.follow.checked = m.on;
        ui.follow.dispatchEvent(new Event('change'));
      }
      return;
    case 'tab':
      switchTab(m.tab);
      return;
    case 'press': {
      const link = ui.details.querySelector<HTMLButtonElement>(`button[data-control="${m.control}"]`);
      if (link) link.click();
      else setStatus(m.control === 'openSource' ? 'The selected event names no source line.' : 'The selected event belongs to no request.', true);
      return;
    }
  }
});

switchTab(tab);
vscode.postMessage({ type: 'ready' });
