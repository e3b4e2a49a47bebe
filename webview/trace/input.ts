// The trace view's input: wheel, drag and keys on the timeline, clicks and
// arrows on the sequence chart, and the toolbar and filter controls, each
// turned into a call of the view model (or an event for the host).
import type { ExportFormat } from '../protocol/traceViewProtocol';
import type { TraceCanvases } from './canvases';
import type { TraceElements } from './elements';
import { MSC_ROW_PX, pickMsc, rowOfSeq } from './mscRenderer';
import type { TraceHost, TraceViewModel } from './viewModel';

export function wireInput(ui: TraceElements, vm: TraceViewModel, canvases: TraceCanvases, host: TraceHost): void {
  wireTimeline(ui, vm);
  wireMsc(ui, vm, canvases);
  wireToolbar(ui, vm, host);
}

function wireTimeline(ui: TraceElements, vm: TraceViewModel): void {
  const timeline = ui.timeline;
  timeline.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      const scale = ev.deltaMode === 1 ? 30 : ev.deltaMode === 2 ? 300 : 1;
      if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) vm.pan((ev.shiftKey ? ev.deltaY : ev.deltaX) * scale);
      else vm.zoom(Math.exp(-ev.deltaY * scale * 0.0015), ev.offsetX);
    },
    { passive: false },
  );

  let drag: { x: number; y: number; moved: boolean; selecting: boolean; startCycles: number; pointerId: number } | undefined;
  timeline.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    timeline.focus();
    timeline.setPointerCapture(ev.pointerId);
    drag = { x: ev.offsetX, y: ev.offsetY, moved: false, selecting: ev.shiftKey, startCycles: vm.viewport.cyclesAt(ev.offsetX), pointerId: ev.pointerId };
  });
  timeline.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const dx = ev.offsetX - drag.x;
    if (!drag.moved && Math.abs(dx) + Math.abs(ev.offsetY - drag.y) < 3) return;
    drag.moved = true;
    if (drag.selecting) {
      const at = vm.viewport.cyclesAt(ev.offsetX);
      vm.dragRange({ startCycles: Math.min(drag.startCycles, at), endCycles: Math.max(drag.startCycles, at) });
      return;
    }
    drag.x = ev.offsetX;
    vm.pan(-dx);
  });
  timeline.addEventListener('pointerup', (ev) => {
    const d = drag;
    drag = undefined;
    if (!d) return;
    timeline.releasePointerCapture(d.pointerId);
    if (d.selecting && d.moved && vm.range) {
      vm.rangeChosen();
      return;
    }
    if (d.moved) return;
    void vm.clickAt(ev.offsetX, ev.offsetY);
  });
  timeline.addEventListener('dblclick', (ev) => vm.zoom(3, ev.offsetX));

  timeline.addEventListener('keydown', (ev) => {
    const page = vm.viewport.widthPx;
    switch (ev.key) {
      case 'ArrowLeft':
        vm.pan(-(ev.shiftKey ? page / 2 : page / 8));
        break;
      case 'ArrowRight':
        vm.pan(ev.shiftKey ? page / 2 : page / 8);
        break;
      case 'ArrowUp':
        ui.lanesScroll.scrollTop -= 22;
        break;
      case 'ArrowDown':
        ui.lanesScroll.scrollTop += 22;
        break;
      case '+':
      case '=':
        vm.zoom(1.5);
        break;
      case '-':
      case '_':
        vm.zoom(1 / 1.5);
        break;
      case 'Home':
        vm.home();
        break;
      case 'End':
        vm.end();
        break;
      case 'f':
      case 'F':
        vm.fit();
        break;
      case 'Enter':
        vm.stepSelection(0);
        break;
      case '.':
        vm.stepSelection(1);
        break;
      case ',':
        vm.stepSelection(-1);
        break;
      case 'Escape':
        vm.clearSelection();
        break;
      default:
        return;
    }
    ev.preventDefault();
  });
}

function wireMsc(ui: TraceElements, vm: TraceViewModel, canvases: TraceCanvases): void {
  ui.mscScroll.addEventListener('scroll', () => canvases.invalidate(), { passive: true });
  ui.msc.addEventListener('click', (ev) => {
    const model = vm.mscModel;
    if (!model) return;
    const rect = ui.msc.getBoundingClientRect();
    const seq = pickMsc(model, ev.clientY - rect.top + ui.mscScroll.scrollTop);
    if (seq !== undefined) void vm.select(seq, false);
  });
  ui.mscScroll.addEventListener('keydown', (ev) => {
    const model = vm.mscModel;
    if (!model || (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp')) return;
    ev.preventDefault();
    const selected = vm.selectedSeq;
    const row = selected === undefined ? -1 : rowOfSeq(model, selected);
    const next = Math.max(0, Math.min(model.rows.length - 1, row + (ev.key === 'ArrowDown' ? 1 : -1)));
    const i = model.rows[next];
    if (i === undefined) return;
    const y = next * MSC_ROW_PX;
    const scroll = ui.mscScroll;
    if (y < scroll.scrollTop || y > scroll.scrollTop + scroll.clientHeight - MSC_ROW_PX) scroll.scrollTop = y - scroll.clientHeight / 2;
    void vm.select(model.window.events.seq[i], false);
  });
}

function wireToolbar(ui: TraceElements, vm: TraceViewModel, host: TraceHost): void {
  const click = (button: HTMLElement, run: () => void) => button.addEventListener('click', run);
  click(ui.fit, () => vm.fit());
  click(ui.zoomIn, () => vm.zoom(1.5));
  click(ui.zoomOut, () => vm.zoom(1 / 1.5));
  const search = (direction: 'next' | 'previous') => {
    vm.setSearchText(ui.search.value);
    void vm.search(direction);
  };
  click(ui.searchNext, () => search('next'));
  click(ui.searchPrev, () => search('previous'));
  click(ui.loadFile, () => host.emit('loadFile'));
  click(ui.showSystem, () => host.emit('showSystem'));
  for (const [button, format] of [
    [ui.exportPerfetto, 'perfetto'],
    [ui.exportCsv, 'csv'],
    [ui.exportMktrace, 'mktrace'],
  ] as [HTMLElement, ExportFormat][]) {
    click(button, () => host.emit('export', { format }));
  }
  click(ui.tabTimeline, () => vm.switchTab('timeline'));
  click(ui.tabMsc, () => vm.switchTab('msc'));
  click(ui.rangeFromView, () => vm.rangeFromView());
  click(ui.clearFilters, () => vm.clearFilters());
  for (const input of [ui.typeFilter, ui.fromFilter, ui.toFilter]) {
    input.addEventListener('change', () => vm.setFilterText({ types: ui.typeFilter.value, from: ui.fromFilter.value, to: ui.toFilter.value }));
  }
  ui.search.addEventListener('input', () => vm.setSearchText(ui.search.value));
  ui.search.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    search(ev.shiftKey ? 'previous' : 'next');
  });
  ui.follow.addEventListener('change', () => vm.setFollow(ui.follow.checked));
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
}
