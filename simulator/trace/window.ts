// Level of detail: the events of a visible time window at the visible
// resolution. Few matching events come back as columns with their spans; many
// come back as per-lane buckets with counts per kind (every event counted once)
// and the state that covered most of each bucket. Both are single passes over
// the recorder's columns between two binary searches by time.
import type { TraceBucketCounts, TraceEventColumns, TraceFilter, TraceSpans, TraceWindow } from '../protocol/traceProtocol';
import { compileFilter, matchLane, type CompiledFilter } from './filter';
import { TraceKind } from './kinds';
import { SPAN_KERNEL, SPAN_RUNNING, SPAN_STATE_COUNT, type SpanList, type TraceModel } from './model';
import type { TraceSummary } from './summary';

export const DEFAULT_MAX_EVENTS = 4000;
export const MAX_EVENTS_LIMIT = 20000;
export const MAX_PIXEL_WIDTH = 16384;
/** Dense count cells (lane × bucket × kind) a bucketed answer may use while counting: 16 MiB. */
const MAX_COUNT_CELLS = 4 << 20;
const KIND_SLOTS = 32;

export interface TraceWindowOptions {
  readonly fromCycles: number;
  readonly toCycles: number;
  readonly pixelWidth: number;
  readonly filter?: TraceFilter;
  readonly maxEvents?: number;
}

export function traceWindow(model: TraceModel, options: TraceWindowOptions): TraceWindow {
  const { fromCycles, toCycles } = options;
  if (!Number.isFinite(fromCycles) || !Number.isFinite(toCycles) || !(toCycles > fromCycles)) {
    throw new RangeError(`expected a time window with fromCycles < toCycles, got [${fromCycles}, ${toCycles})`);
  }
  if (!Number.isInteger(options.pixelWidth) || options.pixelWidth < 1) throw new RangeError(`expected a positive integer pixelWidth, got ${options.pixelWidth}`);
  model.refresh();
  const maxEvents = Math.max(0, Math.min(MAX_EVENTS_LIMIT, Math.floor(options.maxEvents ?? DEFAULT_MAX_EVENTS)));
  const f = compileFilter(model, options.filter, fromCycles, toCycles);
  const t = model.trace;
  const { start, end } = f.toCycles > f.fromCycles ? t.rangeByTime(f.fromCycles, f.toCycles) : { start: 0, end: 0 };
  const common = { fromCycles, toCycles, laneCount: model.laneCount, endSeq: t.endSeq };

  const picked = new Float64Array(Math.min(maxEvents + 1, Math.max(0, end - start)));
  let matched = 0;
  for (let seq = start; seq < end; seq++) {
    if (matchLane(model, f, seq % t.capacity) < 0) continue;
    if (matched < picked.length) picked[matched] = seq;
    matched++;
    if (matched > maxEvents) break;
  }
  if (matched <= maxEvents) {
    return { mode: 'events', ...common, matched, events: eventColumns(model, f, picked.subarray(0, matched)), spans: clippedSpans(model, f, fromCycles, toCycles) };
  }
  const timeFiltered = options.filter?.fromCycles !== undefined || options.filter?.toCycles !== undefined;
  const summarised = timeFiltered ? undefined : fromSummary({ summary: model.summary, laneCount: model.laneCount, openSpans: () => model.openSpans(), endCycles: traceEndCycles(model) }, f, options.pixelWidth, common);
  return summarised ?? bucketed(model, f, start, end, options.pixelWidth, common);
}

function eventColumns(model: TraceModel, f: CompiledFilter, seqs: Float64Array): TraceEventColumns {
  const t = model.trace;
  const n = seqs.length;
  const cols = {
    seq: Float64Array.from(seqs),
    timeCycles: new Float64Array(n),
    kind: new Uint8Array(n),
    lane: new Int16Array(n),
    peerLane: new Int16Array(n),
    src: new Int32Array(n),
    dst: new Int32Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    c: new Int32Array(n),
    label: new Uint32Array(n),
  };
  const strings: string[] = [''];
  const stringIndex = new Map<number, number>([[0, 0]]);
  for (let k = 0; k < n; k++) {
    const i = seqs[k]! % t.capacity;
    cols.timeCycles[k] = t.time[i]!;
    cols.kind[k] = t.kind[i]!;
    const lane = matchLane(model, f, i);
    cols.lane[k] = lane;
    const home = model.homeLane[i]!;
    cols.peerLane[k] = lane === home ? model.peerLane[i]! : home;
    cols.src[k] = t.src[i]!;
    cols.dst[k] = t.dst[i]!;
    cols.a[k] = t.a[i]!;
    cols.b[k] = t.b[i]!;
    cols.c[k] = t.c[i]!;
    const id = t.label[i]!;
    let local = stringIndex.get(id);
    if (local === undefined) {
      local = strings.length;
      strings.push(t.strings.get(id));
      stringIndex.set(id, local);
    }
    cols.label[k] = local;
  }
  return { ...cols, strings };
}

/**
 * Every span of the shown lanes that overlaps [fromCycles, toCycles), clipped to it.
 * A span names the event that opened it only when that event is held and its kind
 * (and message type) pass the filter: an event the view does not show cannot be picked through its span.
 */
export function clippedSpans(model: TraceModel, f: CompiledFilter, fromCycles: number, toCycles: number): TraceSpans {
  const t = model.trace;
  const opener = (q: number): number => {
    if (q < t.firstSeq || q >= t.endSeq) return -1;
    const i = q % t.capacity;
    const kind = t.kind[i]!;
    if (f.kinds !== null && f.kinds[kind] !== 1) return -1;
    if (f.messageTypes !== null && (kind === TraceKind.ipcSend || kind === TraceKind.ipcReceive) && !f.messageTypes.has(t.a[i]!)) return -1;
    return q;
  };
  const lane: number[] = [];
  const state: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const peer: number[] = [];
  const seq: number[] = [];
  const add = (l: number, s: number, a: number, b: number, p: number, q: number) => {
    const from = Math.max(a, fromCycles);
    const to = Math.min(b, toCycles);
    if (!(to > from)) return;
    lane.push(l);
    state.push(s);
    start.push(from);
    end.push(to);
    peer.push(p);
    seq.push(opener(q));
  };
  for (let l = 0; l < model.laneCount; l++) {
    if (f.lanes !== null && f.lanes[l] !== 1) continue;
    for (const list of [model.primary[l]!, model.kernel[l]!]) {
      for (let k = list.firstEndingAfter(fromCycles); k < list.count && list.start[k]! < toCycles; k++) {
        add(l, list.state[k]!, list.start[k]!, list.end[k]!, list.peer[k]!, list.seq[k]!);
      }
    }
  }
  const endOfTrace = traceEndCycles(model);
  for (const o of model.openSpans()) {
    if (f.lanes !== null && f.lanes[o.lane] !== 1) continue;
    add(o.lane, o.state, o.startCycles, endOfTrace, o.peer, o.seq);
  }
  return {
    lane: Uint16Array.from(lane),
    state: Uint8Array.from(state),
    startCycles: Float64Array.from(start),
    endCycles: Float64Array.from(end),
    peerLane: Int16Array.from(peer),
    seq: Float64Array.from(seq),
  };
}

/**
 * A bucketed window read off the summary level (summary.ts) instead of the events: its buckets are whole
 * base buckets, a power-of-two number of them each, the coarsest no wider than the buckets asked for, so the
 * window starts at or before `fromCycles` and ends at or after `toCycles`. Undefined when the summary cannot
 * answer: there is none, the filter picks lanes or message types (an event may then count on its peer lane, or
 * not at all, which the summary does not know) or a time range (whole buckets would count events outside it),
 * or the buckets asked for are finer than the base buckets.
 */
export function fromSummary(
  model: SummarySource,
  f: Pick<CompiledFilter, 'kinds' | 'lanes' | 'messageTypes' | 'fromCycles' | 'toCycles'>,
  pixelWidth: number,
  common: { fromCycles: number; toCycles: number; laneCount: number; endSeq: number },
): TraceWindow | undefined {
  const base = model.summary;
  if (base === null || f.lanes !== null || f.messageTypes !== null) return undefined;
  const from = Math.max(common.fromCycles, f.fromCycles);
  const to = Math.min(common.toCycles, f.toCycles);
  if (!(to > from)) return undefined;
  const lanes = Math.max(1, model.laneCount);
  const wanted = Math.min(pixelWidth, MAX_PIXEL_WIDTH);
  const ideal = (common.toCycles - common.fromCycles) / wanted;
  if (ideal < base.width) return undefined;
  // The coarsest level that is fine enough: the same buckets, read from fewer cells.
  const s = base.levelFor(ideal);
  let factor = 1;
  while (s.width * factor * 2 <= ideal) factor *= 2;
  const width = s.width * factor;
  // Output buckets of `factor` base buckets each, from the one holding `from` to the one holding `to`; they may lie
  // before the first event or after the last (the view may ask for a margin around the trace).
  const outFrom = Math.floor((from - s.originCycles) / width);
  const bucketCount = Math.max(1, Math.ceil((to - s.originCycles) / width) - outFrom);
  if (lanes * bucketCount * KIND_SLOTS > MAX_COUNT_CELLS) return undefined;
  const cells = new Uint32Array(lanes * bucketCount * KIND_SLOTS);
  const matched = s.addCounts(outFrom, bucketCount, factor, f.kinds, cells);
  const windowFrom = s.originCycles + outFrom * width;
  const windowTo = windowFrom + bucketCount * width;
  // Spans still open at the end of the trace are in no base bucket yet: they are added here, as a scan adds them.
  const cover = new Float64Array(bucketCount * SPAN_STATE_COUNT);
  const dominant = new Uint8Array(model.laneCount * bucketCount);
  const open = model.openSpans();
  const endOfTrace = model.endCycles;
  for (let lane = 0; lane < model.laneCount; lane++) {
    cover.fill(0);
    let any = s.addCover(lane, outFrom, bucketCount, factor, cover);
    for (const o of open) if (o.lane === lane) any = addCover(cover, o.startCycles, endOfTrace, o.state, windowFrom, width, bucketCount) || any;
    if (any) pickDominant(cover, width, bucketCount, dominant, lane * bucketCount);
  }
  return {
    mode: 'buckets',
    ...common,
    fromCycles: windowFrom,
    toCycles: windowTo,
    matched,
    bucketCount,
    bucketCycles: width,
    counts: sparseCounts(cells, bucketCount),
    dominantState: dominant,
  };
}

/** What a window read off a summary needs: the summary, how many lanes, the spans still open at the end of the trace, and that end. */
export interface SummarySource {
  readonly summary: TraceSummary | null;
  readonly laneCount: number;
  openSpans(): readonly { readonly lane: number; readonly state: number; readonly startCycles: number }[];
  readonly endCycles: number;
}

export function traceEndCycles(model: TraceModel): number {
  const t = model.trace;
  return t.size === 0 ? 0 : t.timeAt(t.endSeq - 1);
}

function bucketed(
  model: TraceModel,
  f: CompiledFilter,
  start: number,
  end: number,
  pixelWidth: number,
  common: { fromCycles: number; toCycles: number; laneCount: number; endSeq: number },
): TraceWindow {
  const t = model.trace;
  const lanes = Math.max(1, model.laneCount);
  const wanted = Math.min(pixelWidth, MAX_PIXEL_WIDTH);
  const bucketCount = Math.max(1, Math.min(wanted, Math.floor(MAX_COUNT_CELLS / (lanes * KIND_SLOTS))));
  const { fromCycles, toCycles } = common;
  const width = (toCycles - fromCycles) / bucketCount;
  const cells = new Uint32Array(lanes * bucketCount * KIND_SLOTS);
  let matched = 0;
  const cap = t.capacity;
  for (let seq = start; seq < end; seq++) {
    const i = seq % cap;
    const lane = matchLane(model, f, i);
    if (lane < 0) continue;
    let b = Math.floor((t.time[i]! - fromCycles) / width);
    if (b >= bucketCount) b = bucketCount - 1;
    cells[(lane * bucketCount + b) * KIND_SLOTS + (t.kind[i]! & (KIND_SLOTS - 1))]!++;
    matched++;
  }
  return {
    mode: 'buckets',
    ...common,
    matched,
    bucketCount,
    bucketCycles: width,
    counts: sparseCounts(cells, bucketCount),
    dominantState: dominantStates(model, f, fromCycles, width, bucketCount),
  };
}

/** The non-zero cells of a dense lane x bucket x kind count array, as the protocol's columns. */
function sparseCounts(cells: Uint32Array, bucketCount: number): TraceBucketCounts {
  let nonZero = 0;
  for (let k = 0; k < cells.length; k++) if (cells[k] !== 0) nonZero++;
  const counts: TraceBucketCounts = {
    lane: new Uint16Array(nonZero),
    bucket: new Uint32Array(nonZero),
    kind: new Uint8Array(nonZero),
    count: new Uint32Array(nonZero),
  };
  let w = 0;
  for (let k = 0; k < cells.length; k++) {
    const n = cells[k]!;
    if (n === 0) continue;
    const kind = k % KIND_SLOTS;
    const lb = (k - kind) / KIND_SLOTS;
    const bucket = lb % bucketCount;
    (counts.lane as Uint16Array)[w] = (lb - bucket) / bucketCount;
    (counts.bucket as Uint32Array)[w] = bucket;
    (counts.kind as Uint8Array)[w] = kind;
    (counts.count as Uint32Array)[w] = n;
    w++;
  }
  return counts;
}

/** Per lane and bucket, the state that covered most of the bucket; 0 when idle (or not running and not blocked) won. */
function dominantStates(model: TraceModel, f: CompiledFilter, fromCycles: number, width: number, bucketCount: number): Uint8Array {
  const out = new Uint8Array(model.laneCount * bucketCount);
  const cover = new Float64Array(bucketCount * SPAN_STATE_COUNT);
  const toCycles = fromCycles + width * bucketCount;
  const open = model.openSpans();
  const endOfTrace = traceEndCycles(model);
  for (let lane = 0; lane < model.laneCount; lane++) {
    if (f.lanes !== null && f.lanes[lane] !== 1) continue;
    cover.fill(0);
    let any = false;
    const layers: SpanList[] = [model.primary[lane]!, model.kernel[lane]!];
    for (const list of layers) {
      for (let k = list.firstEndingAfter(fromCycles); k < list.count && list.start[k]! < toCycles; k++) {
        any = addCover(cover, list.start[k]!, list.end[k]!, list.state[k]!, fromCycles, width, bucketCount) || any;
      }
    }
    for (const o of open) if (o.lane === lane) any = addCover(cover, o.startCycles, endOfTrace, o.state, fromCycles, width, bucketCount) || any;
    if (any) pickDominant(cover, width, bucketCount, out, lane * bucketCount);
  }
  return out;
}

/** Adds the part of a span inside the buckets to `cover` (bucket x state); kernel time is carved out of the running time that contains it. */
function addCover(cover: Float64Array, start: number, end: number, state: number, fromCycles: number, width: number, bucketCount: number): boolean {
  const toCycles = fromCycles + width * bucketCount;
  const a = Math.max(start, fromCycles);
  const b = Math.min(end, toCycles);
  if (!(b > a)) return false;
  const b0 = Math.min(bucketCount - 1, Math.floor((a - fromCycles) / width));
  const b1 = Math.min(bucketCount - 1, Math.floor((b - fromCycles) / width));
  for (let k = b0; k <= b1; k++) {
    const lo = Math.max(a, fromCycles + k * width);
    const hi = Math.min(b, fromCycles + (k + 1) * width);
    if (hi <= lo) continue;
    cover[k * SPAN_STATE_COUNT + state]! += hi - lo;
    if (state === SPAN_KERNEL) cover[k * SPAN_STATE_COUNT + SPAN_RUNNING]! -= hi - lo;
  }
  return true;
}

/** For each bucket, the state with the most cover, or 0 when the time no state covers is the most; into out[at + bucket]. */
function pickDominant(cover: Float64Array, width: number, bucketCount: number, out: Uint8Array, at: number): void {
  for (let k = 0; k < bucketCount; k++) {
    let best = 0;
    let used = 0;
    for (let s = 1; s < SPAN_STATE_COUNT; s++) used += cover[k * SPAN_STATE_COUNT + s]!;
    let bestCover = width - used;
    for (let s = 1; s < SPAN_STATE_COUNT; s++) {
      const c = cover[k * SPAN_STATE_COUNT + s]!;
      if (c > bestCover) {
        best = s;
        bestCover = c;
      }
    }
    out[at + k] = best;
  }
}
