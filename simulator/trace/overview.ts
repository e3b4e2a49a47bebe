// A trace's overview: what a view needs to paint the whole trace before its
// events are read. A trace file carries one in its head (traceFile.ts): the
// lanes, the time range, the spans still open at the end, and the summary level
// (summary.ts) coarsened to at most OVERVIEW_BUCKETS buckets. A head opened
// alone answers the trace's description and every bucketed window no finer
// than its buckets; everything else waits for the events.
import type { TraceFilter, TraceLane, TraceWindow } from '../protocol/traceProtocol';
import type { TraceModel } from './model';
import { TraceSummary, type SummaryParts } from './summary';
import { fromSummary, traceEndCycles, type TraceWindowOptions } from './window';

/** The summary's buckets a file's overview keeps at most: a whole-trace window up to this many pixels wide paints from the head. */
export const OVERVIEW_BUCKETS = 4096;

export interface TraceOverview {
  readonly lanes: readonly TraceLane[];
  readonly startCycles: number;
  readonly endCycles: number;
  readonly openSpans: readonly { readonly lane: number; readonly state: number; readonly startCycles: number }[];
  readonly summary: SummaryParts;
}

/** The overview of a model's trace; undefined when the model keeps no summary level (a small trace, or a ring). */
export function overviewOf(model: TraceModel): TraceOverview | undefined {
  model.refresh();
  const summary = model.summary;
  if (summary === null || model.trace.size === 0) return undefined;
  const t = model.trace;
  return {
    lanes: model.allLanes(),
    startCycles: t.timeAt(t.firstSeq),
    endCycles: traceEndCycles(model),
    openSpans: model.openSpans().map((o) => ({ lane: o.lane, state: o.state, startCycles: o.startCycles })),
    summary: summary.toParts(OVERVIEW_BUCKETS),
  };
}

/** An overview opened for windows: its summary rebuilt once. */
export class OpenOverview {
  private readonly summary: TraceSummary;

  constructor(
    readonly overview: TraceOverview,
    /** The trace's end: one past the last event's sequence number. */
    private readonly endSeq: number,
  ) {
    this.summary = TraceSummary.fromParts(overview.summary);
  }

  /**
   * The window from the overview alone, or undefined when it needs the events: a filter on processes, message
   * types or time, or buckets finer than the overview's.
   */
  window(options: TraceWindowOptions): TraceWindow | undefined {
    const { fromCycles, toCycles } = options;
    if (!Number.isFinite(fromCycles) || !Number.isFinite(toCycles) || !(toCycles > fromCycles) || !Number.isInteger(options.pixelWidth) || options.pixelWidth < 1) return undefined;
    const filter: TraceFilter = options.filter ?? {};
    if (filter.lanes !== undefined || filter.messageTypes !== undefined || filter.fromCycles !== undefined || filter.toCycles !== undefined) return undefined;
    let kinds: Uint8Array | null = null;
    if (filter.kinds !== undefined) {
      kinds = new Uint8Array(256);
      for (const k of filter.kinds) if (Number.isInteger(k) && k >= 0 && k < 256) kinds[k] = 1;
    }
    const o = this.overview;
    return fromSummary(
      { summary: this.summary, laneCount: o.lanes.length, openSpans: () => o.openSpans, endCycles: o.endCycles },
      { kinds, lanes: null, messageTypes: null, fromCycles: -Infinity, toCycles: Infinity },
      options.pixelWidth,
      { fromCycles, toCycles, laneCount: o.lanes.length, endSeq: this.endSeq },
    );
  }
}
