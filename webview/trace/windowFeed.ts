// The window feed: one traceWindow request in flight at most, the newest
// wish queued behind it, and the last answer kept for drawing meanwhile.
import type { TraceFilter, TraceWindow, TraceWindowParams } from '../../simulator/protocol/traceProtocol';

/** The window wanted for the current view: what to ask for and how to tell whether a cached answer still serves. */
export interface WindowWish {
  readonly visibleFrom: number;
  readonly visibleTo: number;
  readonly cyclesPerPx: number;
  readonly widthPx: number;
  readonly filter: TraceFilter | undefined;
  readonly filterKey: string;
}

export interface CachedWindow {
  readonly window: TraceWindow;
  readonly filterKey: string;
  /** The trace generation it belongs to (bumped when the trace changes or grows). */
  readonly generation: number;
}

const MAX_EVENTS = 8000;

export class WindowFeed {
  cached: CachedWindow | undefined;
  private inFlight = false;
  private wanted: WindowWish | undefined;
  generation = 0;
  lastError: string | undefined;

  constructor(
    private readonly requestWindow: (params: TraceWindowParams) => Promise<TraceWindow>,
    private readonly arrived: (w: CachedWindow) => void,
    private readonly failed: (error: string) => void,
  ) {}

  /** Whether the cached window can draw `wish` at full quality. */
  serves(wish: WindowWish): boolean {
    const c = this.cached;
    if (!c || c.generation !== this.generation || c.filterKey !== wish.filterKey) return false;
    const w = c.window;
    if (w.fromCycles > wish.visibleFrom || w.toCycles < wish.visibleTo) return false;
    if (w.mode === 'events') return true;
    return w.bucketCycles <= wish.cyclesPerPx * 1.6 && w.bucketCycles >= wish.cyclesPerPx / 4;
  }

  /** Asks for the window of `wish` unless the cache serves it; coalesces while a request is in flight. */
  want(wish: WindowWish): void {
    if (this.serves(wish)) {
      this.wanted = undefined;
      return;
    }
    if (this.inFlight) {
      this.wanted = wish;
      return;
    }
    void this.fetch(wish);
  }

  /** Forgets that the cache is current (the trace grew or changed); the old data still draws until the new arrives. */
  invalidate(): void {
    this.generation++;
  }

  get busy(): boolean {
    return this.inFlight;
  }

  private async fetch(wish: WindowWish): Promise<void> {
    this.inFlight = true;
    const span = wish.visibleTo - wish.visibleFrom;
    const generation = this.generation;
    const params: TraceWindowParams = {
      fromCycles: Math.floor(wish.visibleFrom - span / 2),
      toCycles: Math.ceil(wish.visibleTo + span / 2),
      pixelWidth: Math.max(1, Math.round(wish.widthPx * 2)),
      maxEvents: MAX_EVENTS,
      ...(wish.filter ? { filter: wish.filter } : {}),
    };
    try {
      const window = normaliseWindow(await this.requestWindow(params));
      this.cached = { window, filterKey: wish.filterKey, generation };
      this.lastError = undefined;
      this.inFlight = false;
      this.arrived(this.cached);
    } catch (e) {
      this.inFlight = false;
      this.lastError = (e as Error).message;
      this.failed(this.lastError);
      if (!this.wanted) return;
    }
    const next = this.wanted;
    this.wanted = undefined;
    if (next) this.want(next);
  }
}

type ColumnCtor<T> = { new (length: number): T; from(source: ArrayLike<number>): T };

/** A typed-array column, whichever way the channel delivered it (typed array, array, or an index-keyed object). */
export function column<T extends ArrayLike<number>>(value: unknown, ctor: ColumnCtor<T>): T {
  if (value instanceof (ctor as unknown as new () => unknown)) return value as T;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return ctor.from(value as unknown as ArrayLike<number>);
  if (value && typeof value === 'object') {
    const record = value as Record<string, number>;
    const length = Object.keys(record).length;
    const out = new ctor(length) as unknown as { [i: number]: number };
    for (let i = 0; i < length; i++) out[i] = record[i] ?? 0;
    return out as unknown as T;
  }
  return new ctor(0);
}

/** Makes sure every column of a window is the typed array the protocol names. */
export function normaliseWindow(w: TraceWindow): TraceWindow {
  if (w.mode === 'events') {
    const e = w.events;
    const s = w.spans;
    return {
      ...w,
      events: {
        seq: column(e.seq, Float64Array),
        timeCycles: column(e.timeCycles, Float64Array),
        kind: column(e.kind, Uint8Array),
        lane: column(e.lane, Int16Array),
        peerLane: column(e.peerLane, Int16Array),
        src: column(e.src, Int32Array),
        dst: column(e.dst, Int32Array),
        a: column(e.a, Int32Array),
        b: column(e.b, Int32Array),
        c: column(e.c, Int32Array),
        label: column(e.label, Uint32Array),
        strings: e.strings,
      },
      spans: {
        lane: column(s.lane, Uint16Array),
        state: column(s.state, Uint8Array),
        startCycles: column(s.startCycles, Float64Array),
        endCycles: column(s.endCycles, Float64Array),
        peerLane: column(s.peerLane, Int16Array),
        seq: column(s.seq, Float64Array),
      },
    };
  }
  return {
    ...w,
    counts: {
      lane: column(w.counts.lane, Uint16Array),
      bucket: column(w.counts.bucket, Uint32Array),
      kind: column(w.counts.kind, Uint8Array),
      count: column(w.counts.count, Uint32Array),
    },
    dominantState: column(w.dominantState, Uint8Array),
  };
}
