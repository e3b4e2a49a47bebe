// The trace's summary level: what a zoomed-out window shows, kept as the model
// indexes, so that such a window is answered from buckets instead of from every
// event it covers (a 10-million-event trace seen whole would otherwise be a
// pass over 10 million events on each pan or zoom).
//
// Time from the first event is cut into base buckets of `width` cycles (a power
// of two). For each base bucket the summary holds, sparsely, how many events of
// each kind each lane had (the event's home lane), and densely, per lane, how
// long each span state covered it. When the trace outgrows MAX_BUCKETS base
// buckets, the width doubles and neighbouring buckets merge, so memory stays
// bounded however long the run: at most about MAX_BUCKETS x (lanes x kinds seen)
// count cells and MAX_BUCKETS x lanes x 6 coverage values.
//
// Only traces that never lose their oldest events have a summary (a file, a
// run kept whole); a ring that overwrites would leave counts for events no
// longer held, and a ring is small enough to scan.
import { SPAN_KERNEL, SPAN_RUNNING, SPAN_STATE_COUNT } from './spanStates';

/** Base buckets kept before they merge in pairs. */
export const MAX_BUCKETS = 1 << 16;
/** Each coarser level of a summary has this many times fewer buckets (levelFor). */
const LEVEL_FACTOR = 8;
/** The coarsest level keeps at least this many buckets. */
const LEVEL_MIN_BUCKETS = 512;
const KIND_SLOTS = 32;

/** A column that grows by doubling. */
function grown<T extends Uint32Array | Uint16Array | Uint8Array | Float64Array>(old: T, length: number, make: (n: number) => T): T {
  const next = make(length);
  next.set(old);
  return next;
}

/** A summary's columns: count cells in bucket order, and per lane the covered cycles (bucket x 6 states). */
export interface SummaryParts {
  readonly originCycles: number;
  readonly width: number;
  readonly buckets: number;
  readonly cellBucket: Uint32Array;
  readonly cellLane: Uint16Array;
  readonly cellKind: Uint8Array;
  readonly cellCount: Uint32Array;
  readonly cover: readonly Float64Array[];
}

export class TraceSummary {
  /** Time of the first base bucket's start. */
  readonly originCycles: number;
  /** Cycles per base bucket: a power of two. */
  width: number;
  // Closed count cells, in bucket order (within a bucket, in no order): (bucket, lane, kind) -> count.
  private cellBucket = new Uint32Array(1024);
  private cellLane = new Uint16Array(1024);
  private cellKind = new Uint8Array(1024);
  private cellCount = new Uint32Array(1024);
  private cells = 0;
  // The bucket being filled: dense counts per lane x kind, and which cells are non-zero.
  private openBucket = -1;
  private open = new Uint32Array(KIND_SLOTS * 16);
  private openTouched: number[] = [];
  /** Per lane: covered cycles per base bucket and span state (bucket * 6 + state). */
  private cover: Float64Array[] = [];
  /** Base buckets in use: one past the last bucket any event or span reached. */
  private buckets = 0;
  /** Counts every change, so that the coarser levels know when they are out of date. */
  private version = 0;
  /** Coarser copies of this summary (each LEVEL_FACTOR times coarser), built once it stops changing; see levelFor. */
  private levels: { readonly version: number; readonly list: readonly TraceSummary[] } | null = null;
  /** The version seen by the last levelFor that found the levels out of date: they are rebuilt when it is seen twice. */
  private seenVersion = -1;

  constructor(originCycles: number, spanHintCycles: number) {
    this.originCycles = originCycles;
    let width = 1;
    while (width * MAX_BUCKETS < spanHintCycles) width *= 2;
    this.width = width;
  }

  get bucketCount(): number {
    return this.buckets;
  }

  /** Bytes held (for the benchmark's memory line). */
  memoryBytes(): number {
    let bytes = this.cellBucket.byteLength + this.cellLane.byteLength + this.cellKind.byteLength + this.cellCount.byteLength + this.open.byteLength;
    for (const c of this.cover) bytes += c.byteLength;
    for (const level of this.levels?.list ?? []) bytes += level.memoryBytes();
    return bytes;
  }

  /** Counts one event (times must not go backwards). */
  count(timeCycles: number, lane: number, kind: number): void {
    this.version++;
    let b = Math.floor((timeCycles - this.originCycles) / this.width);
    while (b >= MAX_BUCKETS) {
      this.coarsen();
      b = Math.floor((timeCycles - this.originCycles) / this.width);
    }
    if (b !== this.openBucket) {
      this.closeOpen();
      this.openBucket = b;
    }
    if (b + 1 > this.buckets) this.buckets = b + 1;
    const cell = lane * KIND_SLOTS + (kind & (KIND_SLOTS - 1));
    if (cell >= this.open.length) this.open = grown(this.open, Math.max(cell + 1, this.open.length * 2), (n) => new Uint32Array(n));
    if (this.open[cell]++ === 0) this.openTouched.push(cell);
  }

  /** Adds a closed span's time to the buckets it covers; kernel time is carved out of the running time around it. */
  covered(lane: number, startCycles: number, endCycles: number, state: number): void {
    if (!(endCycles > startCycles) || state <= 0 || state >= SPAN_STATE_COUNT) return;
    this.version++;
    while (Math.floor((endCycles - this.originCycles) / this.width) >= MAX_BUCKETS) this.coarsen();
    while (this.cover.length <= lane) this.cover.push(new Float64Array(0));
    const w = this.width;
    const from = Math.max(startCycles, this.originCycles);
    if (!(endCycles > from)) return;
    const b0 = Math.floor((from - this.originCycles) / w);
    const b1 = Math.min(MAX_BUCKETS - 1, Math.floor((endCycles - this.originCycles) / w));
    let c = this.cover[lane]!;
    if ((b1 + 1) * SPAN_STATE_COUNT > c.length) {
      // Grown in whole buckets (a power of two of them), up to MAX_BUCKETS.
      let buckets = Math.max(16, c.length / SPAN_STATE_COUNT);
      while (buckets < b1 + 1) buckets *= 2;
      c = this.cover[lane] = grown(c, Math.min(buckets, MAX_BUCKETS) * SPAN_STATE_COUNT, (k) => new Float64Array(k));
    }
    for (let k = b0; k <= b1; k++) {
      const lo = Math.max(from, this.originCycles + k * w);
      const hi = Math.min(endCycles, this.originCycles + (k + 1) * w);
      if (hi <= lo) continue;
      c[k * SPAN_STATE_COUNT + state]! += hi - lo;
      if (state === SPAN_KERNEL) c[k * SPAN_STATE_COUNT + SPAN_RUNNING]! -= hi - lo;
    }
    if (b1 + 1 > this.buckets) this.buckets = b1 + 1;
  }

  /**
   * Adds the counts of output buckets [outFrom, outFrom + outBuckets) into `cells` (lane x outBuckets x 32), each
   * output bucket being `factor` (a power of two) base buckets: output bucket j holds base buckets
   * [j * factor, (j + 1) * factor), so j may be negative or past the end (no events there). Only the kinds `kinds`
   * lets through (null: all). Returns the number of events counted.
   */
  addCounts(outFrom: number, outBuckets: number, factor: number, kinds: Uint8Array | null, cells: Uint32Array): number {
    let matched = 0;
    const fromBucket = outFrom * factor;
    const toBucket = (outFrom + outBuckets) * factor;
    const add = (bucket: number, lane: number, kind: number, n: number) => {
      if (kinds !== null && kinds[kind] !== 1) return;
      cells[(lane * outBuckets + (Math.floor(bucket / factor) - outFrom)) * KIND_SLOTS + kind]! += n;
      matched += n;
    };
    let lo = 0;
    let hi = this.cells;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cellBucket[mid]! < fromBucket) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.cells && this.cellBucket[i]! < toBucket; i++) add(this.cellBucket[i]!, this.cellLane[i]!, this.cellKind[i]!, this.cellCount[i]!);
    if (this.openBucket >= fromBucket && this.openBucket < toBucket) {
      for (const cell of this.openTouched) add(this.openBucket, Math.floor(cell / KIND_SLOTS), cell % KIND_SLOTS, this.open[cell]!);
    }
    return matched;
  }

  /**
   * Covered cycles of `lane` per output bucket and state, for the output buckets of addCounts, into `out`
   * (outBuckets x 6, zeroed by the caller). Returns whether any span covered any of them.
   */
  addCover(lane: number, outFrom: number, outBuckets: number, factor: number, out: Float64Array): boolean {
    const c = this.cover[lane];
    if (c === undefined) return false;
    const end = Math.min((outFrom + outBuckets) * factor, c.length / SPAN_STATE_COUNT);
    let any = false;
    for (let k = Math.max(0, outFrom * factor); k < end; k++) {
      const o = (Math.floor(k / factor) - outFrom) * SPAN_STATE_COUNT;
      for (let s = 1; s < SPAN_STATE_COUNT; s++) {
        const v = c[k * SPAN_STATE_COUNT + s]!;
        if (v !== 0) {
          out[o + s]! += v;
          any = true;
        }
      }
    }
    return any;
  }

  /**
   * The coarsest level of this summary whose buckets are no wider than `cycles`: a whole-trace window then reads a
   * few thousand buckets, not all 65,536 base buckets of every lane (the multi-resolution summary). The levels are
   * built once the summary stops changing (a trace that grows is answered from the base buckets, exactly); each is
   * LEVEL_FACTOR times coarser than the one before, down to LEVEL_MIN_BUCKETS buckets, about a third more memory.
   */
  levelFor(cycles: number): TraceSummary {
    let levels = this.levels;
    if (levels === null || levels.version !== this.version) {
      if (this.seenVersion !== this.version) {
        // Seen for the first time: the trace may still be growing.
        this.seenVersion = this.version;
        return this;
      }
      levels = this.buildLevels();
    }
    // The levels are ever coarser: the last that is fine enough.
    for (let k = levels.list.length - 1; k >= 0; k--) if (levels.list[k]!.width <= cycles) return levels.list[k]!;
    return this;
  }

  /** Builds the coarser levels now (a trace that is complete: a file once indexed), so that no window waits for them. */
  buildLevels(): { readonly version: number; readonly list: readonly TraceSummary[] } {
    const list: TraceSummary[] = [];
    // Each level merges LEVEL_FACTOR neighbouring buckets of the one before (log2(LEVEL_FACTOR) merges in pairs).
    let parts = this.toParts(Math.ceil(this.buckets / LEVEL_FACTOR));
    while (parts.buckets >= LEVEL_MIN_BUCKETS && parts.buckets < this.buckets) {
      const level = TraceSummary.fromParts(parts);
      list.push(level);
      const next = level.toParts(Math.ceil(level.buckets / LEVEL_FACTOR));
      if (next.buckets >= level.buckets) break;
      parts = next;
    }
    return (this.levels = { version: this.version, list });
  }

  /**
   * The summary as plain columns, at most `maxBuckets` base buckets (coarsened on a copy: this one is unchanged), for a
   * trace file's overview (traceFile.ts), which a view paints from before the events themselves are read.
   */
  toParts(maxBuckets: number): SummaryParts {
    const copy = TraceSummary.fromParts(this.partsNow());
    while (copy.buckets > maxBuckets) copy.coarsen();
    return copy.partsNow();
  }

  /** A summary from its columns (toParts, or a file's overview, checked by the reader). */
  static fromParts(p: SummaryParts): TraceSummary {
    const s = new TraceSummary(p.originCycles, 0);
    s.width = p.width;
    s.buckets = p.buckets;
    s.cells = p.cellCount.length;
    s.cellBucket = p.cellBucket.slice();
    s.cellLane = p.cellLane.slice();
    s.cellKind = p.cellKind.slice();
    s.cellCount = p.cellCount.slice();
    s.cover = p.cover.map((c) => c.slice());
    return s;
  }

  private partsNow(): SummaryParts {
    this.closeOpen();
    const n = this.cells;
    return {
      originCycles: this.originCycles,
      width: this.width,
      buckets: this.buckets,
      cellBucket: this.cellBucket.slice(0, n),
      cellLane: this.cellLane.slice(0, n),
      cellKind: this.cellKind.slice(0, n),
      cellCount: this.cellCount.slice(0, n),
      cover: this.cover.map((c) => c.slice(0, Math.min(c.length, this.buckets * SPAN_STATE_COUNT))),
    };
  }

  /** Moves the open bucket's non-zero counts into the closed cells. */
  private closeOpen(): void {
    if (this.openBucket < 0) return;
    const touched = this.openTouched;
    if (this.cells + touched.length > this.cellBucket.length) {
      let n = this.cellBucket.length * 2;
      while (n < this.cells + touched.length) n *= 2;
      this.cellBucket = grown(this.cellBucket, n, (k) => new Uint32Array(k));
      this.cellLane = grown(this.cellLane, n, (k) => new Uint16Array(k));
      this.cellKind = grown(this.cellKind, n, (k) => new Uint8Array(k));
      this.cellCount = grown(this.cellCount, n, (k) => new Uint32Array(k));
    }
    for (const cell of touched) {
      const i = this.cells++;
      this.cellBucket[i] = this.openBucket;
      this.cellLane[i] = Math.floor(cell / KIND_SLOTS);
      this.cellKind[i] = cell % KIND_SLOTS;
      this.cellCount[i] = this.open[cell]!;
      this.open[cell] = 0;
    }
    touched.length = 0;
    this.openBucket = -1;
  }

  /** Doubles the base width: buckets 2k and 2k+1 become bucket k. */
  private coarsen(): void {
    this.closeOpen();
    // Count cells: merge the cells of each new bucket by (lane, kind), in a dense scratch row of lane x kind
    // (no map, no sort: a coarsening of millions of cells takes milliseconds); within a bucket cells keep no order.
    let lanes = 1;
    for (let i = 0; i < this.cells; i++) if (this.cellLane[i]! >= lanes) lanes = this.cellLane[i]! + 1;
    const merged = new Uint32Array(lanes * KIND_SLOTS);
    const touched: number[] = [];
    let w = 0;
    let i = 0;
    while (i < this.cells) {
      const bucket = this.cellBucket[i]! >> 1;
      for (; i < this.cells && this.cellBucket[i]! >> 1 === bucket; i++) {
        const key = this.cellLane[i]! * KIND_SLOTS + this.cellKind[i]!;
        if (merged[key] === 0) touched.push(key);
        merged[key]! += this.cellCount[i]!;
      }
      for (const key of touched) {
        this.cellBucket[w] = bucket;
        this.cellLane[w] = Math.floor(key / KIND_SLOTS);
        this.cellKind[w] = key % KIND_SLOTS;
        this.cellCount[w] = merged[key]!;
        merged[key] = 0;
        w++;
      }
      touched.length = 0;
    }
    this.cells = w;
    for (const c of this.cover) {
      const n = c.length / SPAN_STATE_COUNT;
      for (let k = 0; k < n; k += 2) {
        for (let s = 0; s < SPAN_STATE_COUNT; s++) {
          c[(k >> 1) * SPAN_STATE_COUNT + s] = c[k * SPAN_STATE_COUNT + s]! + (k + 1 < n ? c[(k + 1) * SPAN_STATE_COUNT + s]! : 0);
        }
      }
      c.fill(0, Math.ceil(n / 2) * SPAN_STATE_COUNT);
    }
    this.width *= 2;
    this.buckets = Math.ceil(this.buckets / 2);
  }
}
