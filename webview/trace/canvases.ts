// The trace view's canvases: their sizes (the timeline follows the page's
// width and the lanes' height), and the frame that draws the ruler and the
// timeline, or the sequence chart, from the view model once per animation frame.
import type { TraceWindow } from '../../simulator/protocol/traceProtocol';
import type { TraceElements } from './elements';
import { drawMsc, MSC_ROW_PX, rowOfSeq } from './mscRenderer';
import type { Palette } from './palette';
import { drawRuler, drawTimeline, rulerTicks, type TimelineScene } from './timelineRenderer';
import type { TraceViewModel } from './viewModel';

const RULER_HEIGHT_PX = 34;

export class TraceCanvases {
  /** Timings the benchmark reads: the first complete paint and each frame's drawing time. */
  readonly stats = { firstPaintMs: -1, frameMs: [] as number[] };
  private framePending = false;
  private drawnWindow: TraceWindow | undefined;

  constructor(
    private readonly ui: TraceElements,
    private readonly vm: TraceViewModel,
    private readonly palette: () => Palette,
  ) {}

  /** Draws again at the next animation frame. */
  invalidate(): void {
    if (this.framePending) return;
    this.framePending = true;
    requestAnimationFrame(() => this.frame());
  }

  /** Another trace: the next window drawn is reported as new, whatever it was before. */
  forgetDrawn(): void {
    this.drawnWindow = undefined;
  }

  /** What the timeline shows, for hit-testing a click. */
  scene(): TimelineScene {
    const vm = this.vm;
    return {
      viewport: vm.viewport,
      layout: vm.layout,
      palette: this.palette(),
      codes: vm.codes,
      window: vm.feed.cached?.window,
      stale: false,
      highlights: vm.highlights,
      range: vm.range,
      tickCycles: [],
    };
  }

  resize(): void {
    const ui = this.ui;
    // A hidden timeline (the sequence tab shows) has no width: measuring it would shrink the window to nothing.
    if (ui.timelinePane.hidden || ui.lanesScroll.clientWidth === 0) {
      this.resizeMsc();
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(50, ui.lanesScroll.clientWidth - ui.laneList.offsetWidth - 2);
    for (const [canvas, height] of [
      [ui.timeline, this.vm.layout.heightPx],
      [ui.ruler, RULER_HEIGHT_PX],
    ] as const) {
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    this.resizeMsc();
    this.vm.setWidth(width);
  }

  resizeMsc(): void {
    const ui = this.ui;
    const model = this.vm.mscModel;
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(100, model ? Math.max(model.widthPx, ui.mscScroll.clientWidth) : ui.mscScroll.clientWidth);
    const height = Math.max(50, ui.mscScroll.clientHeight);
    ui.mscSpacer.style.height = `${(model?.rows.length ?? 0) * MSC_ROW_PX}px`;
    ui.mscSpacer.style.marginTop = `${-height}px`;
    ui.mscSpacer.style.width = `${width}px`;
    ui.msc.style.width = `${width}px`;
    ui.msc.style.height = `${height}px`;
    ui.msc.width = Math.round(width * dpr);
    ui.msc.height = Math.round(height * dpr);
  }

  /** Scrolls the sequence chart so that the selected event's row is in the middle. */
  scrollToSelection(): void {
    const model = this.vm.mscModel;
    const seq = this.vm.selectedSeq;
    if (!model || seq === undefined) return;
    const row = rowOfSeq(model, seq);
    if (row >= 0) this.ui.mscScroll.scrollTop = Math.max(0, row * MSC_ROW_PX - this.ui.mscScroll.clientHeight / 2);
  }

  private frame(): void {
    this.framePending = false;
    const { ui, vm } = this;
    const started = performance.now();
    const dpr = window.devicePixelRatio || 1;
    if (vm.tab !== 'timeline') {
      this.drawMscFrame(dpr);
      return;
    }
    const rulerCtx = ui.ruler.getContext('2d');
    const ctx = ui.timeline.getContext('2d');
    if (!rulerCtx || !ctx) return;
    rulerCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const palette = this.palette();
    const info = vm.info;
    const ticks = info ? drawRuler(rulerCtx, vm.viewport, palette, vm.clockHz, RULER_HEIGHT_PX) : [];
    const cached = vm.feed.cached;
    const scene: TimelineScene = {
      ...this.scene(),
      stale: vm.windowStale,
      tickCycles: ticks.length ? ticks : info ? rulerTicks(vm.viewport, vm.clockHz).ticks : [],
    };
    drawTimeline(ctx, scene);
    // What the canvas shows, for whoever waits for it to be current: the span drawn, and whether that is drawn from data fetched for another view.
    ui.timeline.dataset.spanCycles = String(vm.viewport.spanCycles);
    ui.timeline.dataset.stale = String(scene.stale);
    if (!info) {
      ctx.fillStyle = palette.muted;
      ctx.font = palette.font;
      ctx.fillText(vm.status.text, 12, 20);
    }
    const stats = this.stats;
    stats.frameMs.push(performance.now() - started);
    if (stats.frameMs.length > 5000) stats.frameMs.splice(0, 1000);
    if (cached && cached.window !== this.drawnWindow) {
      this.drawnWindow = cached.window;
      if (stats.firstPaintMs < 0 && !scene.stale) stats.firstPaintMs = performance.now();
      ui.timeline.dataset.mode = cached.window.mode;
      vm.rendered(cached.window);
    }
  }

  private drawMscFrame(dpr: number): void {
    const { ui, vm } = this;
    const ctx = ui.msc.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const palette = this.palette();
    const model = vm.mscModel;
    if (!model || !vm.info) {
      ctx.fillStyle = palette.background;
      ctx.fillRect(0, 0, ui.msc.width, ui.msc.height);
      return;
    }
    const h = vm.highlights;
    drawMsc(ctx, {
      model,
      palette,
      codes: vm.codes,
      clockHz: vm.clockHz,
      scrollTopPx: ui.mscScroll.scrollTop,
      heightPx: ui.mscScroll.clientHeight,
      widthPx: ui.msc.width / dpr,
      selectedSeq: h.selectedSeq,
      linkId: h.linkId,
      chain: h.chain,
      messageTypeName: (type) => vm.messageTypeName(type),
    });
  }
}
