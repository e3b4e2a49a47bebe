// What the trace view shows and why, without the DOM: the trace and its
// lanes, the visible window, follow mode, the selection and its details, the
// request chain, filters, search, the sequence chart's rows, the status line,
// and the requests in flight to the host. The page's modules (main.ts and
// the modules it wires) draw this state and turn input into calls of its
// methods; the view model tells them what changed through TraceViewOutput.
import type {
  TraceChain,
  TraceChainStep,
  TraceEventDetails,
  TraceFilter,
  TraceInfo,
  TraceLane,
  TraceWindow,
} from '../../simulator/protocol/traceProtocol';
import type { ViewEndpoint } from '../protocol/rpc';
import type { DebugPosition } from '../../simulator/protocol/debugProtocol';
import type { DetailsControl, MscRowSummary, RenderedWindow, TraceViewProtocol, TraceViewState } from '../protocol/traceViewProtocol';
import { buildFilter } from './filters';
import { kindCodes, kindTitles, LANE_HEIGHT_PX, laneAt, layoutLanes, type KindCodes, type Layout } from './layout';
import { buildMsc, mscKinds, mscRows, type MscModel } from './mscRenderer';
import { pickEvent, type HitScene, type Highlights } from './timelineRenderer';
import { formatSeconds } from './timeFormat';
import { Viewport, type TimeRange } from './viewport';
import { WindowFeed, normaliseWindow, type CachedWindow, type WindowWish } from './windowFeed';

/** What the view keeps with the webview's setState, so that it comes back as it was when shown again. */
export interface SavedState {
  readonly version: 1;
  readonly sourceKey?: string;
  readonly startCycles?: number;
  readonly endCycles?: number;
  readonly follow: boolean;
  readonly tab: Tab;
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

export type Tab = 'timeline' | 'msc';

/** The requests the view makes of its host and the events it tells it. */
export type TraceHost = Pick<ViewEndpoint<TraceViewProtocol>, 'request' | 'emit'>;

/** What the page does when the view model changes; each call names what to draw again. */
export interface TraceViewOutput {
  /** The canvases show something else now. */
  redraw(): void;
  /** Something the saved state holds changed: save it, and report the view's state, soon. */
  changed(): void;
  statusChanged(): void;
  /** Another trace (or none): the source's name, the "Running system" button, the last window drawn. */
  traceChanged(): void;
  /** The lanes shown changed: the lane list and the timeline's height. */
  lanesChanged(): void;
  /** Scroll the lanes, if need be, so that the timeline's rows from `topPx` to `bottomPx` are in view. */
  revealRows(topPx: number, bottomPx: number): void;
  /** The filter controls' choices (lanes, kinds, message types) must be built again. */
  filterChoicesChanged(): void;
  /** The values of the follow box and the filter and search fields changed. */
  controlsChanged(): void;
  /** The timeline or the sequence tab shows now. */
  tabChanged(): void;
  /** The details pane shows something else; 'chain' when only its request chain changed. */
  detailsChanged(part: 'all' | 'chain'): void;
  /** The sequence chart's heading or rows changed; `loaded` when a new chart has arrived. */
  mscChanged(loaded: boolean): void;
  /** The width the sequence chart may use, in CSS pixels. */
  mscWidthPx(): number;
}

/** The details pane: a line of text, or an event's details and perhaps the request chain it belongs to. */
export type DetailsView =
  | { readonly kind: 'message'; readonly text: string; readonly isError: boolean }
  | { readonly kind: 'event'; readonly details: TraceEventDetails; readonly chain?: TraceChain };

/** The sequence tab's heading: a line of text, or the chart's title above its columns. */
export type MscHead = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'chart'; readonly title: string };

export interface FilterChoice {
  readonly id: string;
  readonly label: string;
  readonly checked: boolean;
  /** The lane label or kind name the choice switches. */
  readonly key: string;
}

const MSC_MAX_EVENTS = 3000;
/** Rows of the sequence chart the state report carries (the accessible table lists them all). */
export const MSC_SUMMARY_ROWS = 200;
/** How long a message about what the user did stays before periodic news of the running trace may replace it. */
const STATUS_HOLD_MS = 5000;
const NO_SELECTION = 'Select an event to see its details.';

export class TraceViewModel {
  readonly viewport = new Viewport();
  readonly feed: WindowFeed;

  private infoNow: TraceInfo | undefined;
  private codesNow: KindCodes = kindCodes(undefined);
  private layoutNow: Layout = layoutLanes([], undefined);
  private tabNow: Tab;
  private followNow: boolean;
  private selectedNow: number | undefined;
  private linkIdNow = 0;
  private chainNow = new Set<number>();
  private searchSeqNow: number | undefined;
  private rangeNow: TimeRange | undefined;
  private laneSelection: Set<string>;
  private hiddenKinds: Set<string>;
  private filterTextNow: { types: string; from: string; to: string };
  private searchTextNow: string;
  private filterNow: TraceFilter | undefined;
  private filterKey = '';
  private detailsNow: DetailsView = { kind: 'message', text: NO_SELECTION, isError: false };
  private statusNow = { text: '', isError: false };
  private lastStatusMs = -Infinity;
  private mscModelNow: MscModel | undefined;
  private mscRowsNow: MscRowSummary[] = [];
  private mscHeadNow: MscHead = { kind: 'text', text: '' };
  /** Whether the saved window has been applied (once, to the first trace from the same source). */
  private restoredFromState = false;
  /** The identity of the trace shown last (kept while no trace shows): another one resets the view. */
  private shownKey: string | undefined;
  private infoRequest: Promise<void> | undefined;
  private infoAgain = false;
  private selectToken = 0;
  private mscToken = 0;
  private lastMatch: { seq: number; timeCycles: number; query: string } | undefined;
  private typeNames: { info: TraceInfo | undefined; names: Map<number, string> } | undefined;
  /** Whether the filters section is open (kept across hide and show). */
  filtersOpen: boolean;

  constructor(
    private readonly host: TraceHost,
    private readonly out: TraceViewOutput,
    private readonly now: () => number,
    private readonly saved: SavedState | undefined,
  ) {
    this.tabNow = saved?.tab ?? 'timeline';
    this.followNow = saved?.follow ?? false;
    this.selectedNow = saved?.selectedSeq;
    this.rangeNow = saved?.range;
    this.laneSelection = new Set(saved?.laneLabels ?? []);
    this.hiddenKinds = new Set(saved?.hiddenKinds ?? []);
    this.filterTextNow = { types: saved?.types ?? '', from: saved?.from ?? '', to: saved?.to ?? '' };
    this.searchTextNow = saved?.search ?? '';
    this.filtersOpen = saved?.filtersOpen ?? false;
    this.shownKey = saved?.sourceKey;
    this.feed = new WindowFeed(
      (params) => host.request('traceWindow', params),
      (w: CachedWindow) => {
        if (w.window.laneCount > (this.infoNow?.lanes.length ?? 0)) void this.refreshInfo();
        out.redraw();
      },
      (error) => this.setStatus(`The trace window could not be read: ${error}`, true),
    );
  }

  // ---- what the page reads ----------------------------------------------------

  get info(): TraceInfo | undefined {
    return this.infoNow;
  }
  get codes(): KindCodes {
    return this.codesNow;
  }
  get layout(): Layout {
    return this.layoutNow;
  }
  get tab(): Tab {
    return this.tabNow;
  }
  get follow(): boolean {
    return this.followNow;
  }
  get selectedSeq(): number | undefined {
    return this.selectedNow;
  }
  get range(): TimeRange | undefined {
    return this.rangeNow;
  }
  get filterText(): { readonly types: string; readonly from: string; readonly to: string } {
    return this.filterTextNow;
  }
  get searchText(): string {
    return this.searchTextNow;
  }
  /** The filter every window, search and sequence chart is asked with (undefined: every event). */
  get filter(): TraceFilter | undefined {
    return this.filterNow;
  }
  get details(): DetailsView {
    return this.detailsNow;
  }
  get status(): { readonly text: string; readonly isError: boolean } {
    return this.statusNow;
  }
  get mscModel(): MscModel | undefined {
    return this.mscModelNow;
  }
  get mscRows(): readonly MscRowSummary[] {
    return this.mscRowsNow;
  }
  get mscHead(): MscHead {
    return this.mscHeadNow;
  }
  get clockHz(): number {
    return this.infoNow?.clockHz ?? 1;
  }

  get highlights(): Highlights {
    return { selectedSeq: this.selectedNow, linkId: this.linkIdNow, chain: this.chainNow, searchSeq: this.searchSeqNow, debugCycles: this.debugMarkerNow?.timeCycles };
  }

  /** Whether the window drawn is older than the view (a request for the right one is on its way). */
  get windowStale(): boolean {
    return !this.feed.cached || !this.feed.serves(this.wish());
  }

  /** The process filter's choices, kernel first, then servers, drivers, programs and devices; checked when the lane shows (all of them with no process filter). */
  laneChoices(): FilterChoice[] {
    const lanes = [...(this.infoNow?.lanes ?? [])].sort((a, b) => groupRank(a) - groupRank(b) || a.id - b.id);
    const all = this.laneSelection.size === 0;
    return lanes.map((lane) => ({ id: `lane-${lane.id}`, label: lane.label, checked: all || this.laneSelection.has(lane.label), key: lane.label }));
  }

  kindChoices(): FilterChoice[] {
    return (this.infoNow?.kinds ?? []).map((k) => ({ id: `kind-${k.kind}`, label: kindTitles[k.name] ?? k.name, checked: !this.hiddenKinds.has(k.name), key: k.name }));
  }

  /** A message type's name as the trace knows it, else "type N". */
  messageTypeName(type: number): string {
    const info = this.infoNow;
    const known = this.typeNames !== undefined && this.typeNames.info === info ? this.typeNames : (this.typeNames = { info, names: new Map(info?.messageTypes.map((t) => [t.type, t.name])) });
    return known.names.get(type) ?? `type ${type}`;
  }

  /** What the page keeps with setState; undefined before the trace is known (the saved state then stays as it was). */
  savedState(): SavedState | undefined {
    const info = this.infoNow;
    if (!info) return undefined;
    return {
      version: 1,
      sourceKey: sourceKey(info),
      startCycles: this.viewport.startCycles,
      endCycles: this.viewport.endCycles,
      follow: this.followNow,
      tab: this.tabNow,
      ...(this.selectedNow === undefined ? {} : { selectedSeq: this.selectedNow }),
      laneLabels: [...this.laneSelection],
      hiddenKinds: [...this.hiddenKinds],
      types: this.filterTextNow.types,
      from: this.filterTextNow.from,
      to: this.filterTextNow.to,
      search: this.searchTextNow,
      ...(this.rangeNow ? { range: this.rangeNow } : {}),
      filtersOpen: this.filtersOpen,
    };
  }

  /** What the view shows now, as the host and the tests read it (see TraceViewState). */
  report(palette: { readonly background: string; readonly foreground: string }): TraceViewState {
    const d = this.detailsNow;
    const chain = d.kind === 'event' && d.chain ? d.chain.steps.map(chainStepLabel) : undefined;
    const model = this.mscModelNow;
    return {
      sourceName: this.infoNow?.source.name ?? '',
      startCycles: this.viewport.startCycles,
      endCycles: this.viewport.endCycles,
      follow: this.followNow,
      tab: this.tabNow,
      ...(this.selectedNow === undefined ? {} : { selectedSeq: this.selectedNow }),
      ...(d.kind === 'event' ? { detailsSummary: d.details.summary } : {}),
      filter: { lanes: [...this.laneSelection], hiddenKinds: [...this.hiddenKinds], ...this.filterTextNow },
      lanes: this.layoutNow.lanes.map((l) => l.label),
      palette: { background: palette.background, foreground: palette.foreground },
      ...(model ? { msc: { columns: model.columns.map((l) => l.label), rowCount: model.rows.length, rows: this.mscRowsNow.slice(0, MSC_SUMMARY_ROWS) } } : {}),
      ...(chain ? { chain } : {}),
      ...(this.debugMarkerNow ? { debugMarker: this.debugMarkerNow } : {}),
    };
  }

  /** Tells the host which window was drawn (a new answer reached the screen). */
  rendered(w: TraceWindow): void {
    let firstMessageSeq: number | undefined;
    if (w.mode === 'events') {
      const e = w.events;
      for (let i = 0; i < e.seq.length && firstMessageSeq === undefined; i++) {
        if (e.kind[i] === this.codesNow.ipcSend && (this.layoutNow.laneY[e.lane[i]!] ?? -1) >= 0) firstMessageSeq = e.seq[i];
      }
    }
    const window: RenderedWindow = {
      fromCycles: w.fromCycles,
      toCycles: w.toCycles,
      mode: w.mode,
      matched: w.matched,
      lanes: this.layoutNow.lanes.map((l) => l.label),
      sourceName: this.infoNow?.source.name ?? '',
      ...(firstMessageSeq === undefined ? {} : { firstMessageSeq }),
    };
    this.host.emit('rendered', window);
  }

  // ---- status -----------------------------------------------------------------

  /** Tells the user something about what they did. */
  setStatus(text: string, isError = false): void {
    this.statusNow = { text, isError };
    this.lastStatusMs = this.now();
    this.out.statusChanged();
  }

  /** Periodic news (the trace grew) that must not wipe out the answer to what the user just did. */
  private setBackgroundStatus(text: string): void {
    if (this.now() - this.lastStatusMs < STATUS_HOLD_MS) return;
    this.statusNow = { text, isError: false };
    this.out.statusChanged();
  }

  // ---- the trace and its lanes ------------------------------------------------

  /** Shows `next` (from the host), or no trace for `reason`. */
  showTrace(next: TraceInfo | undefined, reason?: string): void {
    const previousKey = this.shownKey;
    this.infoNow = next;
    this.codesNow = kindCodes(next);
    this.feed.invalidate();
    this.feed.cached = undefined;
    this.mscModelNow = undefined;
    this.out.traceChanged();
    if (!next) {
      this.layoutNow = layoutLanes([], undefined);
      this.out.lanesChanged();
      this.setStatus(reason ?? 'No trace to show yet.');
      this.out.redraw();
      return;
    }
    const sameSource = previousKey === sourceKey(next);
    this.shownKey = sourceKey(next);
    if (!sameSource) this.forgetTrace();
    this.viewport.bounds = boundsOf(next);
    // The viewport is placed before the lanes are laid out (which may resize the canvas and ask for a window): a
    // window asked for the old viewport could wait for nothing (a file whose head alone is open answers only the
    // windows its overview holds).
    const saved = this.saved;
    if (!this.restoredFromState && sameSource && saved?.startCycles !== undefined && saved.endCycles !== undefined) {
      this.viewport.set({ startCycles: saved.startCycles, endCycles: saved.endCycles });
    } else if (this.followNow && next.source.kind === 'system') this.viewport.followTail();
    else if (!sameSource || !this.restoredFromState) this.viewport.fit();
    this.restoredFromState = true;
    this.out.filterChoicesChanged();
    this.applyFilters(false, false);
    this.setStatus(describeTrace(next));
    this.placeDebugMarker(false);
    if (this.selectedNow !== undefined) void this.select(this.selectedNow, false);
    this.wantWindow();
    if (this.tabNow === 'msc') void this.loadMsc();
    this.out.redraw();
    this.out.changed();
  }

  /**
   * Another trace: nothing of the last one stays. The selection, range, request
   * chain and details, the search and its last match, the filters and the
   * sequence chart go; the tab, following and whether the filters are open stay.
   */
  private forgetTrace(): void {
    this.selectToken++;
    this.mscToken++;
    this.selectedNow = undefined;
    this.rangeNow = undefined;
    this.chainNow = new Set();
    this.linkIdNow = 0;
    this.showDetailsMessage(NO_SELECTION);
    this.searchTextNow = '';
    this.lastMatch = undefined;
    this.searchSeqNow = undefined;
    this.laneSelection = new Set();
    this.hiddenKinds = new Set();
    this.filterTextNow = { types: '', from: '', to: '' };
    this.mscRowsNow = [];
    this.mscHeadNow = { kind: 'text', text: '' };
    this.out.mscChanged(false);
    this.out.controlsChanged();
  }

  /** The running system moved on (pushed by the host while it runs). */
  systemProgress(running: boolean, nowCycles: number): void {
    const info = this.infoNow;
    if (info?.source.kind === 'file') return;
    if (!info || running || nowCycles > info.endCycles) void this.refreshInfo();
  }

  /** Asks for the trace's description again (a running system grew); one request at a time. */
  refreshInfo(): Promise<void> {
    if (this.infoRequest) {
      this.infoAgain = true;
      return this.infoRequest;
    }
    this.infoRequest = (async () => {
      try {
        const next = await this.host.request('traceInfo', {});
        const info = this.infoNow;
        if (!info || sourceKey(next) !== sourceKey(info)) {
          this.showTrace(next);
          return;
        }
        const grew = next.endSeq !== info.endSeq || next.lanes.length !== info.lanes.length;
        const lanesChanged = next.lanes.length !== info.lanes.length || next.lanes.some((l, k) => l.restarts !== info.lanes[k]?.restarts);
        this.infoNow = next;
        this.viewport.bounds = boundsOf(next);
        if (lanesChanged) {
          this.out.filterChoicesChanged();
          this.applyFilters(false);
        }
        if (grew) {
          this.feed.invalidate();
          if (this.followNow) {
            this.viewport.followTail();
            this.out.changed();
          }
          this.wantWindow();
        }
        this.setBackgroundStatus(describeTrace(next));
        this.out.redraw();
      } catch (e) {
        this.setStatus(`The trace could not be read: ${(e as Error).message}`, true);
      }
    })().finally(() => {
      this.infoRequest = undefined;
      if (this.infoAgain) {
        this.infoAgain = false;
        void this.refreshInfo();
      }
    });
    return this.infoRequest;
  }

  // ---- filters ----------------------------------------------------------------

  /** Shows or hides a process's lane, as its check box does (with no process filter every lane shows and every box is checked). */
  setLaneShown(label: string, on: boolean): void {
    const all = (this.infoNow?.lanes ?? []).map((l) => l.label);
    const shown = new Set(this.laneSelection.size === 0 ? all : this.laneSelection);
    if (on) shown.add(label);
    else shown.delete(label);
    if (shown.size === 0) {
      // The boxes are drawn again: the one just unchecked shows checked, as its lane still does.
      this.out.filterChoicesChanged();
      this.setStatus('At least one process stays shown: check another one before unchecking this one.', true);
      return;
    }
    // Every lane checked again is no process filter at all (lanes the system adds later show too).
    this.laneSelection = all.every((l) => shown.has(l)) ? new Set() : shown;
    this.applyFilters(true);
  }

  setKindShown(name: string, on: boolean): void {
    if (on) this.hiddenKinds.delete(name);
    else this.hiddenKinds.add(name);
    this.applyFilters(true);
  }

  /** The message types and time range as typed in the filter's fields. */
  setFilterText(text: { types?: string; from?: string; to?: string }): void {
    this.filterTextNow = { ...this.filterTextNow, ...text };
    this.applyFilters(true);
  }

  /** Sets processes by label and message types as typed (a command or a test, through the host). */
  setFilter(lanes: readonly string[] | undefined, types: string | undefined): void {
    if (lanes) this.laneSelection = new Set(lanes);
    if (types !== undefined) this.filterTextNow = { ...this.filterTextNow, types };
    this.out.controlsChanged();
    this.out.filterChoicesChanged();
    this.applyFilters(true);
  }

  /** Takes the time range of the filter from the visible window. */
  rangeFromView(): void {
    this.filterTextNow = {
      ...this.filterTextNow,
      from: String(Math.max(0, Math.floor(this.viewport.startCycles))),
      to: String(Math.ceil(this.viewport.endCycles)),
    };
    this.out.controlsChanged();
    this.applyFilters(true);
  }

  clearFilters(): void {
    this.laneSelection = new Set();
    this.hiddenKinds = new Set();
    this.filterTextNow = { types: '', from: '', to: '' };
    this.out.controlsChanged();
    this.out.filterChoicesChanged();
    this.applyFilters(true);
  }

  private applyFilters(changedByUser: boolean, askWindow = true): void {
    const info = this.infoNow;
    if (!info) return;
    const built = buildFilter(info, { laneLabels: this.laneSelection, hiddenKinds: this.hiddenKinds, ...this.filterTextNow });
    this.filterNow = built.filter;
    this.filterKey = JSON.stringify(this.filterNow ?? {});
    this.layoutNow = layoutLanes(info.lanes, built.laneIds.length > 0 ? new Set(built.laneIds) : undefined);
    this.out.lanesChanged();
    if (changedByUser) {
      this.setStatus(built.status.text, built.status.isError);
      this.mscModelNow = undefined;
      if (this.tabNow === 'msc') void this.loadMsc();
      this.out.changed();
    }
    if (askWindow) this.wantWindow();
    this.out.redraw();
  }

  // ---- the visible window -----------------------------------------------------

  private wish(): WindowWish {
    const v = this.viewport;
    return { visibleFrom: v.startCycles, visibleTo: v.endCycles, cyclesPerPx: v.cyclesPerPx, widthPx: v.widthPx, filter: this.filterNow, filterKey: this.filterKey };
  }

  /** Asks for the window the view shows now, unless the one at hand serves it. */
  wantWindow(): void {
    if (!this.infoNow) return;
    this.feed.want(this.wish());
  }

  private viewChanged(): void {
    this.wantWindow();
    this.out.redraw();
    this.out.changed();
  }

  /** The timeline's width changed (the page was resized); the time per pixel stays. */
  setWidth(widthPx: number): void {
    const v = this.viewport;
    const oldWidth = v.widthPx;
    const spanPerPx = v.cyclesPerPx;
    v.widthPx = widthPx;
    if (oldWidth > 1 && this.infoNow) v.endCycles = v.startCycles + spanPerPx * widthPx;
    this.wantWindow();
    this.out.redraw();
  }

  private stopFollowing(): void {
    if (!this.followNow) return;
    this.followNow = false;
    this.out.controlsChanged();
  }

  /**
   * Zooms by `factor` (> 1 zooms in). Around pixel `x` (the wheel, a double
   * click), the time under it stays put and following stops: else the next
   * news of the running system would move the window away from the pointer.
   * Without `x` (the buttons and keys), around the centre: zooming in stops
   * following, zooming out while following stays at the tail.
   */
  zoom(factor: number, x?: number): void {
    this.viewport.zoomAt(x ?? this.viewport.widthPx / 2, factor);
    if (x !== undefined || factor > 1) this.stopFollowing();
    else if (this.followNow) this.viewport.followTail();
    this.viewChanged();
  }

  pan(dxPx: number): void {
    this.viewport.panPx(dxPx);
    this.stopFollowing();
    this.viewChanged();
  }

  fit(): void {
    this.viewport.fit();
    this.viewChanged();
  }

  /** Moves to the start of the trace, keeping the span. */
  home(): void {
    const v = this.viewport;
    v.set({ startCycles: v.bounds.startCycles, endCycles: v.bounds.startCycles + v.spanCycles });
    this.viewChanged();
  }

  /** Moves to the end of the trace, keeping the span. */
  end(): void {
    this.viewport.followTail();
    this.viewChanged();
  }

  /** Shows this time window (a command or a test); stops following. */
  show(startCycles: number, endCycles: number): void {
    this.stopFollowing();
    this.viewport.set({ startCycles, endCycles });
    this.viewChanged();
  }

  setFollow(on: boolean): void {
    if (on === this.followNow) return;
    this.followNow = on;
    this.out.controlsChanged();
    this.out.changed();
    if (on) {
      this.viewport.followTail();
      void this.refreshInfo();
      this.viewChanged();
    }
  }

  /** The time range being dragged out on the timeline (Shift+drag). */
  dragRange(range: TimeRange): void {
    this.rangeNow = range;
    this.out.redraw();
  }

  /** The drag has ended: the range is what the sequence tab shows next. */
  rangeChosen(): void {
    const r = this.rangeNow;
    if (!r) return;
    this.setStatus(`Selected ${formatSeconds(r.endCycles - r.startCycles, this.clockHz)}; the Message sequence tab shows it.`);
    this.mscModelNow = undefined;
    this.out.changed();
  }

  /** Escape: forgets the range and the selection. */
  clearSelection(): void {
    this.rangeNow = undefined;
    void this.select(undefined, false);
  }

  // ---- selection, details, chains --------------------------------------------

  /** What a click is hit-tested against: the drawn window, when it was read with the filter in force. */
  private hitScene(): HitScene {
    const c = this.feed.cached;
    return { viewport: this.viewport, layout: this.layoutNow, codes: this.codesNow, window: c && c.filterKey === this.filterKey ? c.window : undefined };
  }

  /**
   * A click on the timeline at (x, y), in its CSS pixels: selects the event
   * there on the lane under the pointer (see pickEvent), else that lane's event
   * nearest in time to the pointer, whatever the zoom (a window of buckets holds
   * no single events: the worker finds it). A click beside every lane selects nothing.
   */
  async clickAt(x: number, y: number): Promise<void> {
    const seq = pickEvent(this.hitScene(), x, y);
    if (seq !== undefined) return this.select(seq, false);
    const lane = laneAt(this.layoutNow, y);
    if (!lane || !this.infoNow) return;
    const token = ++this.selectToken;
    const filter = this.filterNow;
    try {
      const found = await this.host.request('traceSearch', {
        query: '',
        direction: 'nearest',
        fromCycles: this.viewport.cyclesAt(x),
        lane: lane.id,
        ...(filter ? { filter } : {}),
      });
      if (token !== this.selectToken) return;
      const nearest = found.seqs[0];
      if (nearest === undefined) {
        this.setStatus(`No event on the ${lane.label} lane${filter ? ' passes the filters' : ''}.`);
        return;
      }
      await this.select(nearest, true);
    } catch (e) {
      if (token === this.selectToken) this.setStatus(`The event nearest the click could not be found: ${(e as Error).message}`, true);
    }
  }

  /** Scrolls the lanes, if need be, so that this lane's row is in view. */
  private revealLane(lane: number | undefined): void {
    const y = lane === undefined || lane < 0 ? -1 : (this.layoutNow.laneY[lane] ?? -1);
    if (y >= 0) this.out.revealRows(y - LANE_HEIGHT_PX / 2, y + LANE_HEIGHT_PX / 2);
  }

  private showDetailsMessage(text: string, isError = false): void {
    this.detailsNow = { kind: 'message', text, isError };
    this.out.detailsChanged('all');
  }

  /** Selects an event and reads its details; `centre` brings it into view. Answers to older selections are dropped. */
  async select(seq: number | undefined, centre: boolean): Promise<void> {
    const token = ++this.selectToken;
    this.selectedNow = seq;
    this.chainNow = new Set();
    this.linkIdNow = 0;
    this.out.redraw();
    this.out.changed();
    if (seq === undefined) {
      this.showDetailsMessage(NO_SELECTION);
      this.host.emit('selected', { seq: undefined });
      return;
    }
    this.showDetailsMessage(`Reading event #${seq}…`);
    try {
      const d = await this.host.request('traceEvent', { seq });
      if (token !== this.selectToken) return;
      this.linkIdNow = d.linkId ?? 0;
      this.detailsNow = { kind: 'event', details: d };
      this.out.detailsChanged('all');
      this.setStatus(`Selected: ${d.summary}`);
      this.out.changed();
      this.host.emit('selected', { seq, summary: d.summary });
      if (centre && (d.timeCycles < this.viewport.startCycles || d.timeCycles > this.viewport.endCycles)) {
        this.stopFollowing();
        this.viewport.centreOn(d.timeCycles);
        this.viewChanged();
      }
      this.out.redraw();
    } catch (e) {
      if (token !== this.selectToken) return;
      this.showDetailsMessage(`Event #${seq} could not be read: ${(e as Error).message}`, true);
    }
  }

  /** Reads and lists the chain of messages that served the request `seq` belongs to. */
  async showChain(seq: number): Promise<void> {
    try {
      const c = await this.host.request('traceChain', { seq });
      this.chainNow = new Set(c.steps.flatMap((s) => (s.receiveSeq === undefined ? [s.seq] : [s.seq, s.receiveSeq])));
      const d = this.detailsNow;
      if (d.kind === 'event') {
        this.detailsNow = { kind: 'event', details: d.details, chain: c };
        this.out.detailsChanged('chain');
      }
      this.setStatus(`The request was served by ${c.steps.length} messages${c.complete ? '' : '; its reply is not in the trace yet'}.`);
      this.out.redraw();
      this.out.changed();
    } catch (e) {
      this.setStatus(`The request chain could not be read: ${(e as Error).message}`, true);
    }
  }

  /** Asks the host to open a kernel entry's source line. */
  openSource(file: string, line: number, column: number | undefined, process: string | undefined): void {
    this.host.emit('openSource', { file, line, ...(column === undefined ? {} : { column }), ...(process === undefined ? {} : { process }) });
  }

  /** Asks the host to start (or move) a debug session to an event: "Debug from here". */
  debugFrom(seq: number): void {
    this.setStatus(`Starting the debugger at event #${seq}…`);
    this.host.emit('debugFrom', { seq });
  }

  // ---- the debugger's position ------------------------------------------------

  private debugPositionNow: DebugPosition | undefined;
  private debugMarkerNow: { readonly timeCycles: number; readonly process?: string } | undefined;

  /** A debug session stopped (or ended: undefined): mark its time if it debugs this trace's system, and bring it into view. */
  debugPosition(position: DebugPosition | undefined): void {
    const had = this.debugMarkerNow !== undefined;
    this.debugPositionNow = position;
    this.placeDebugMarker(true);
    if (position === undefined && had) this.setStatus('The debug session ended.');
  }

  private placeDebugMarker(reveal: boolean): void {
    const p = this.debugPositionNow;
    const info = this.infoNow;
    const before = this.debugMarkerNow;
    const same = p !== undefined && info !== undefined && p.system.scenario === info.source.scenario && p.system.configuration === info.source.configuration && p.system.seed === info.source.seed;
    this.debugMarkerNow = same ? { timeCycles: p.nowCycles, ...(p.process === undefined ? {} : { process: p.process }) } : undefined;
    if (p !== undefined && info !== undefined && !same && reveal) {
      this.setStatus(`The debugger stopped in ${p.system.scenario} (${p.system.configuration}, seed ${p.system.seed}); this trace comes from ${info.source.scenario} (${info.source.configuration}, seed ${info.source.seed}), so its time is not marked here.`);
    }
    const m = this.debugMarkerNow;
    if (m !== undefined && reveal) {
      // Following the debugger, not the running system's tail: its time comes into view, centred, at the zoom shown.
      this.stopFollowing();
      const { startCycles, endCycles } = this.viewport;
      if (m.timeCycles < startCycles || m.timeCycles > endCycles) {
        const half = (endCycles - startCycles) / 2;
        this.viewport.set({ startCycles: m.timeCycles - half, endCycles: m.timeCycles + half });
        this.viewChanged();
      }
      this.setStatus(`Debugger: ${m.process === undefined ? 'stopped' : `${m.process}'s kernel entry`} at ${formatSeconds(m.timeCycles, this.clockHz)}${p?.eventSeq === undefined ? '' : ` (event #${p.eventSeq})`}.`);
    }
    if (before?.timeCycles !== m?.timeCycles || before?.process !== m?.process) {
      this.out.redraw();
      this.out.changed();
    }
  }

  /** Presses a link of the details pane as a click does (a command or a test, through the host). */
  press(control: DetailsControl): void {
    const d = this.detailsNow;
    if (control === 'debugFromHere') {
      if (d.kind === 'event') this.debugFrom(d.details.seq);
      else this.setStatus('Select an event first: Debug from here starts the debugger at it.', true);
    } else if (control === 'openSource' && d.kind === 'event' && d.details.location) {
      const loc = d.details.location;
      this.openSource(loc.file, loc.line, loc.column, d.details.src?.name);
    } else if (control === 'showChain' && d.kind === 'event' && d.details.linkId) void this.showChain(d.details.seq);
    else this.setStatus(control === 'openSource' ? 'The selected event names no source line.' : 'The selected event belongs to no request.', true);
  }

  /**
   * Selects the event nearest the centre (0), or the next (1) or previous (-1)
   * event: of the drawn window when it holds single events, else as the worker
   * finds it (a window of buckets holds none).
   */
  stepSelection(direction: 0 | 1 | -1): void {
    const w = this.hitScene().window;
    if (!w || w.mode !== 'events' || w.events.seq.length === 0) {
      void this.stepByWorker(direction);
      return;
    }
    const e = w.events;
    const shown = (i: number) => (this.layoutNow.laneY[e.lane[i]!] ?? -1) >= 0;
    let index = -1;
    const current = this.selectedNow === undefined ? -1 : e.seq.indexOf(this.selectedNow);
    if (direction === 0 || current < 0) {
      const centre = (this.viewport.startCycles + this.viewport.endCycles) / 2;
      let best = Infinity;
      for (let i = 0; i < e.seq.length; i++) {
        if (!shown(i)) continue;
        const d = Math.abs(e.timeCycles[i]! - centre);
        if (d < best) {
          best = d;
          index = i;
        }
      }
    } else {
      index = current;
      do index += direction;
      while (index >= 0 && index < e.seq.length && !shown(index));
    }
    if (index < 0 || index >= e.seq.length) return;
    const t = e.timeCycles[index]!;
    if (t < this.viewport.startCycles || t > this.viewport.endCycles) {
      this.viewport.centreOn(t);
      this.viewChanged();
    }
    this.revealLane(e.lane[index]);
    void this.select(e.seq[index], false);
  }

  /** stepSelection at any zoom: the worker finds the event nearest the centre, or the one after or before the selection. */
  private async stepByWorker(direction: 0 | 1 | -1): Promise<void> {
    if (!this.infoNow) return;
    const token = ++this.selectToken;
    const filter = this.filterNow;
    const from = this.selectedNow;
    const centre = (this.viewport.startCycles + this.viewport.endCycles) / 2;
    try {
      const found = await this.host.request(
        'traceSearch',
        direction === 0 || from === undefined
          ? { query: '', direction: 'nearest', fromCycles: centre, ...(filter ? { filter } : {}) }
          : { query: '', direction: direction > 0 ? 'next' : 'previous', fromSeq: from, ...(filter ? { filter } : {}) },
      );
      if (token !== this.selectToken) return;
      const seq = found.seqs[0];
      if (seq === undefined) {
        this.setStatus(direction === 0 ? 'No event passes the filters.' : `No ${direction > 0 ? 'later' : 'earlier'} event.`);
        return;
      }
      this.revealLane(found.lanes[0]);
      await this.select(seq, true);
    } catch (e) {
      if (token === this.selectToken) this.setStatus(`The next event could not be found: ${(e as Error).message}`, true);
    }
  }

  // ---- search -----------------------------------------------------------------

  /** The search field's text as typed (kept with the saved state). */
  setSearchText(text: string): void {
    this.searchTextNow = text;
  }

  /** Finds the next or previous match of the search text from the last match, or from the centre of the view. */
  async search(direction: 'next' | 'previous'): Promise<void> {
    const query = this.searchTextNow.trim();
    const info = this.infoNow;
    if (!query || !info) return;
    this.out.changed();
    const filter = this.filterNow;
    const lastMatch = this.lastMatch;
    const anchor = lastMatch && lastMatch.query === query ? lastMatch.timeCycles : (this.viewport.startCycles + this.viewport.endCycles) / 2;
    try {
      let result = await this.host.request('traceSearch', { query, direction, fromCycles: anchor, limit: 2, ...(filter ? { filter } : {}) });
      let index = 0;
      while (index < result.seqs.length && lastMatch?.query === query && result.seqs[index] === lastMatch.seq) index++;
      if (index >= result.seqs.length && result.seqs.length > 0) {
        const nudged = anchor + (direction === 'next' ? 1 : -1);
        result = await this.host.request('traceSearch', { query, direction, fromCycles: nudged, limit: 1, ...(filter ? { filter } : {}) });
        index = 0;
      }
      const understood = result.understoodAs.join(', ') || query;
      if (index >= result.seqs.length) {
        this.setStatus(`No ${direction === 'next' ? 'later' : 'earlier'} match for ${understood}.`);
        return;
      }
      const seq = result.seqs[index]!;
      const t = result.timeCycles[index]!;
      this.lastMatch = { seq, timeCycles: t, query };
      this.searchSeqNow = seq;
      this.stopFollowing();
      this.viewport.centreOn(t);
      this.viewChanged();
      this.revealLane(result.lanes[index]);
      await this.select(seq, false);
      this.setStatus(`Match for ${understood} at ${formatSeconds(t, info.clockHz)} (event #${seq}).`);
    } catch (e) {
      this.setStatus(`Search failed: ${(e as Error).message}`, true);
    }
  }

  // ---- message sequence tab ---------------------------------------------------

  switchTab(next: Tab): void {
    this.tabNow = next;
    this.out.tabChanged();
    this.out.changed();
    if (next === 'msc') void this.loadMsc();
    this.out.redraw();
  }

  /** Reads the messages of the chosen range (or the visible window) for the sequence chart. Answers to older reads are dropped. */
  async loadMsc(): Promise<void> {
    const info = this.infoNow;
    if (!info) return;
    const token = ++this.mscToken;
    const r = this.rangeNow ?? { startCycles: this.viewport.startCycles, endCycles: this.viewport.endCycles };
    const ranged = this.rangeNow !== undefined;
    const from = Math.floor(Math.min(r.startCycles, r.endCycles));
    const to = Math.ceil(Math.max(r.startCycles, r.endCycles));
    const allowed = new Set(mscKinds(this.codesNow));
    const kinds = (this.filterNow?.kinds ?? [...allowed]).filter((k) => allowed.has(k));
    this.mscHeadNow = { kind: 'text', text: 'Reading the messages…' };
    this.out.mscChanged(false);
    try {
      const w = normaliseWindow(
        await this.host.request('traceWindow', {
          fromCycles: from,
          toCycles: to,
          pixelWidth: 4000,
          maxEvents: MSC_MAX_EVENTS,
          filter: { ...(this.filterNow ?? {}), kinds },
        }),
      );
      if (token !== this.mscToken) return;
      const span = `${formatSeconds(from, info.clockHz)} and ${formatSeconds(to, info.clockHz)}`;
      if (w.mode !== 'events') {
        this.mscModelNow = undefined;
        this.mscRowsNow = [];
        this.mscHeadNow = {
          kind: 'text',
          text: `${w.matched.toLocaleString('en-US')} events between ${span}: too many for a sequence chart. Select a shorter range on the timeline (Shift+drag) or zoom in.`,
        };
        this.out.mscChanged(false);
        this.out.redraw();
        return;
      }
      const model = buildMsc(w, this.layoutNow, this.codesNow, this.out.mscWidthPx(), info.clockHz);
      this.mscModelNow = model;
      this.mscRowsNow = mscRows(model, this.codesNow, (type) => this.messageTypeName(type));
      this.out.changed();
      this.mscHeadNow = {
        kind: 'chart',
        title: `${model.rows.length} events from ${formatSeconds(from, info.clockHz)} to ${formatSeconds(to, info.clockHz)}${ranged ? ' (selected range)' : ' (visible window)'}`,
      };
      this.out.mscChanged(true);
      this.out.redraw();
    } catch (e) {
      if (token !== this.mscToken) return;
      this.mscHeadNow = { kind: 'text', text: `The messages could not be read: ${(e as Error).message}` };
      this.out.mscChanged(false);
    }
  }
}

/** A step of a request chain as the details pane lists it. */
export function chainStepLabel(step: TraceChainStep): string {
  const type = step.messageType.name ?? String(step.messageType.type);
  return `${step.role}: ${step.src.name} → ${step.dst.name} ${type}`;
}

/** A trace's identity: its source, and for a running system the session's run (the same scenario and seed run again is another trace). */
function sourceKey(i: TraceInfo): string {
  const run = i.source.runId === undefined ? '' : `:run ${i.source.runId}`;
  return `${i.source.kind}:${i.source.name}:${i.source.scenario}:${i.source.seed}${run}`;
}

function boundsOf(i: TraceInfo): TimeRange {
  return { startCycles: i.startCycles, endCycles: Math.max(i.endCycles, i.startCycles + 1000) };
}

function describeTrace(i: TraceInfo): string {
  const dropped = i.dropped > 0 ? `, ${i.dropped.toLocaleString('en-US')} older events dropped` : '';
  return `${i.source.kind === 'file' ? 'Trace file' : 'System'} ${i.source.name}: ${i.eventCount.toLocaleString('en-US')} events, ${i.lanes.length} lanes, ${formatSeconds(i.endCycles - i.startCycles, i.clockHz)} of simulated time${dropped}.`;
}

function groupRank(lane: TraceLane): number {
  return ['kernel', 'servers', 'drivers', 'programs', 'devices'].indexOf(lane.group);
}
