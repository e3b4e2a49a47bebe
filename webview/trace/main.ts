// The trace view's page: connects to the host, keeps the view model
// (viewModel.ts) and draws it: the lanes and the canvas timeline fed window by
// window from the worker (canvases.ts), the lists and the sequence tab's
// table (panes.ts), the details pane (detailsPane.ts), and the input that
// drives it (input.ts). The view's state is kept across hide and show.
import type { TraceViewProtocol } from '../protocol/traceViewProtocol';
import { connectToHost } from '../shared/connect';
import { TraceCanvases } from './canvases';
import { renderChain, renderDetails, renderDetailsMessage, type DetailsActions } from './detailsPane';
import { traceElements } from './elements';
import { wireInput } from './input';
import { onThemeChange, readPalette, type Palette } from './palette';
import { renderChoices, renderLaneList, renderMessageTypes, renderMscHead, renderMscTable } from './panes';
import { TraceViewModel, type SavedState, type TraceViewOutput } from './viewModel';
import './style.css';

const SAVE_DELAY_MS = 200;

const ui = traceElements();
const host = connectToHost<TraceViewProtocol, SavedState>();
const { rpc } = host;
let palette: Palette = readPalette();

const output: TraceViewOutput = {
  redraw: () => canvases.invalidate(),
  changed: () => saveSoon(),
  statusChanged: () => {
    ui.status.textContent = vm.status.text;
    ui.status.classList.toggle('error', vm.status.isError);
  },
  traceChanged: () => {
    const info = vm.info;
    ui.showSystem.hidden = info?.source.kind !== 'file';
    canvases.forgetDrawn();
    if (!info) {
      ui.sourceName.textContent = 'No trace';
      return;
    }
    ui.sourceName.textContent = info.source.name;
    ui.sourceName.title = `${info.source.kind === 'file' ? 'File' : 'System'} ${info.source.name}: ${info.source.scenario}, ${info.source.configuration}, seed ${info.source.seed}`;
  },
  lanesChanged: () => {
    renderLaneList(ui.laneList, vm.layout);
    canvases.resize();
  },
  revealRows: (top, bottom) => {
    const scroll = ui.lanesScroll;
    if (top >= scroll.scrollTop && bottom <= scroll.scrollTop + scroll.clientHeight) return;
    scroll.scrollTop = Math.max(0, (top + bottom) / 2 - scroll.clientHeight / 2);
  },
  filterChoicesChanged: () => {
    const info = vm.info;
    if (!info) return;
    renderChoices(ui.laneFilter, vm.laneChoices(), (label, on) => vm.setLaneShown(label, on));
    renderChoices(ui.kindFilter, vm.kindChoices(), (name, on) => vm.setKindShown(name, on));
    renderMessageTypes(ui.messageTypes, info);
  },
  controlsChanged: () => showControls(),
  tabChanged: () => {
    const tab = vm.tab;
    ui.tabTimeline.setAttribute('aria-selected', String(tab === 'timeline'));
    ui.tabMsc.setAttribute('aria-selected', String(tab === 'msc'));
    ui.timelinePane.hidden = tab !== 'timeline';
    ui.mscPane.hidden = tab !== 'msc';
    if (tab === 'msc') canvases.resizeMsc();
    else canvases.resize();
  },
  detailsChanged: (part) => {
    const d = vm.details;
    if (d.kind === 'message') renderDetailsMessage(ui.details, d.text, d.isError);
    else {
      if (part === 'all') renderDetails(ui.details, d.details, vm.clockHz, detailsActions);
      if (d.chain) renderChain(ui.details, d.chain, vm.clockHz, detailsActions);
    }
  },
  mscChanged: (loaded) => {
    const head = vm.mscHead;
    const model = vm.mscModel;
    if (head.kind === 'chart' && model) renderMscHead(ui.mscHead, head.title, model);
    else if (head.kind === 'text') ui.mscHead.textContent = head.text;
    if (vm.mscRows !== shownMscRows) {
      shownMscRows = vm.mscRows;
      renderMscTable(ui.mscTableBody, shownMscRows, vm.mscModel?.timeLabels ?? [], vm.clockHz);
    }
    if (loaded) {
      canvases.resizeMsc();
      canvases.scrollToSelection();
    }
  },
  mscWidthPx: () => ui.mscScroll.clientWidth,
};

const vm = new TraceViewModel(rpc, output, () => performance.now(), host.getState());
const canvases = new TraceCanvases(ui, vm, () => palette);
let shownMscRows = vm.mscRows;
(globalThis as { __mklabTraceView?: unknown }).__mklabTraceView = { stats: canvases.stats, viewport: vm.viewport };

const detailsActions: DetailsActions = {
  select: (seq) => void vm.select(seq, true),
  openSource: (file, line, column, process) => vm.openSource(file, line, column, process),
  showChain: (seq) => void vm.showChain(seq),
  debugFrom: (seq) => vm.debugFrom(seq),
};

/** Puts the view model's values into the follow box and the filter and search fields. */
function showControls(): void {
  ui.follow.checked = vm.follow;
  ui.typeFilter.value = vm.filterText.types;
  ui.fromFilter.value = vm.filterText.from;
  ui.toFilter.value = vm.filterText.to;
  if (ui.search.value !== vm.searchText) ui.search.value = vm.searchText;
}

function saveState(): void {
  const state = vm.savedState();
  if (state) host.setState(state);
  rpc.emit('state', vm.report(palette));
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveSoon(): void {
  if (saveTimer) return;
  saveTimer = setTimeout(() => {
    saveTimer = undefined;
    saveState();
  }, SAVE_DELAY_MS);
}

/** Names the canvases' colours on them (data-background, data-foreground) for tests and tools. */
function showPalette(): void {
  for (const canvas of [ui.timeline, ui.ruler, ui.msc]) {
    canvas.dataset.background = palette.background;
    canvas.dataset.foreground = palette.foreground;
  }
}

showPalette();
showControls();
ui.filters.open = vm.filtersOpen;
ui.filters.addEventListener('toggle', () => {
  vm.filtersOpen = ui.filters.open;
  saveSoon();
  canvases.resize();
});
wireInput(ui, vm, canvases, rpc);

new ResizeObserver(() => canvases.resize()).observe(ui.lanesScroll);
new ResizeObserver(() => {
  canvases.resizeMsc();
  canvases.invalidate();
}).observe(ui.mscScroll);
onThemeChange(() => {
  palette = readPalette();
  showPalette();
  canvases.invalidate();
  rpc.emit('state', vm.report(palette));
});

rpc.on('trace', (m) => vm.showTrace(m.info, m.reason));
rpc.on('systemProgress', (m) => vm.systemProgress(m.running, m.nowCycles));
rpc.on('status', (m) => vm.setStatus(m.text, m.isError));
rpc.on('select', (m) => void vm.select(m.seq, true));
rpc.on('show', (m) => vm.show(m.startCycles, m.endCycles));
rpc.on('filter', (m) => vm.setFilter(m.lanes, m.types));
rpc.on('follow', (m) => vm.setFollow(m.on));
rpc.on('tab', (m) => vm.switchTab(m.tab));
rpc.on('press', (m) => vm.press(m.control));
rpc.on('debugPosition', (m) => vm.debugPosition(m.position));

vm.switchTab(vm.tab);
rpc.announceReady();
