// The trace recorder: events in columnar typed arrays inside a ring of fixed
// capacity, with interned labels, and range queries by time and by process.
import { StringTable } from './strings';
import { type TraceKind, traceKindNames } from './kinds';

export interface TraceOptions {
  /** Whether events are recorded at all. */
  readonly enabled?: boolean;
  /** Events kept; when full, the oldest are overwritten (mode 'ring') or new ones dropped (mode 'stop'). */
  readonly capacity?: number;
  readonly mode?: 'ring' | 'stop';
  /** Allocate the whole capacity at once instead of growing to it (for a run measured while the trace first fills). */
  readonly allocateAll?: boolean;
}

/** One decoded event. Queries allocate these; the recorder never does. */
export interface TraceEvent {
  /** Position in the whole run's sequence of events, including overwritten ones. */
  readonly seq: number;
  readonly timeCycles: number;
  readonly kind: TraceKind;
  readonly kindName: string;
  readonly src: number;
  readonly dst: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly label: string;
}

/** A trace's columns, one entry per event (what a trace file holds). */
export interface TraceColumns {
  time: Float64Array;
  kind: Uint8Array;
  src: Int32Array;
  dst: Int32Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  label: Uint32Array;
}

export const DEFAULT_TRACE_CAPACITY = 1 << 20;
/**
 * Events the columns hold at first. They double as the trace fills, up to the
 * capacity, so that a short run (a test, a campaign trial) does not allocate
 * and zero the whole buffer (33 MB at the default capacity) when it boots.
 */
const INITIAL_ALLOCATION = 1 << 12;

export class TraceRecorder {
  readonly capacity: number;
  readonly mode: 'ring' | 'stop';
  enabled: boolean;
  readonly strings = new StringTable();
  // The columns: replaced (grown) while the trace first fills, so readers index them afresh each time.
  time: Float64Array;
  kind: Uint8Array;
  src: Int32Array;
  dst: Int32Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  label: Uint32Array;
  /** Events the columns hold now: at most the capacity. */
  private allocated: number;
  private written = 0;
  /** Where the next event goes: written % capacity, kept without a division. */
  private cursor = 0;
  /** Events refused in 'stop' mode (in 'ring' mode the overwritten ones are counted from `written`). */
  private refused = 0;
  /** How many events may be written: the capacity in 'stop' mode, unbounded in 'ring' mode. */
  private readonly writeLimit: number;

  constructor(options: TraceOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_TRACE_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('trace capacity must be a positive integer');
    this.capacity = capacity;
    this.mode = options.mode ?? 'ring';
    this.writeLimit = this.mode === 'stop' ? capacity : Infinity;
    this.enabled = options.enabled ?? true;
    const n = Math.min(capacity, options.allocateAll === true ? capacity : INITIAL_ALLOCATION);
    this.allocated = n;
    this.time = new Float64Array(n);
    this.kind = new Uint8Array(n);
    this.src = new Int32Array(n);
    this.dst = new Int32Array(n);
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
    this.c = new Int32Array(n);
    this.label = new Uint32Array(n);
  }

  /**
   * A full recorder ('stop' mode, capacity = the event count) over columns that already hold the events, in
   * order: taken as they are, not copied (a trace file's columns, viewed in place). `strings` is the string
   * table, starting with ''. The caller has checked the times and labels.
   */
  static fromColumns(columns: TraceColumns, strings: readonly string[]): TraceRecorder {
    const n = columns.time.length;
    for (const c of [columns.kind, columns.src, columns.dst, columns.a, columns.b, columns.c, columns.label]) {
      if (c.length !== n) throw new RangeError('trace columns of different lengths');
    }
    const t = new TraceRecorder({ capacity: Math.max(1, n), mode: 'stop' });
    if (n > 0) {
      Object.assign(t, columns);
      t.allocated = n;
      t.written = n;
      t.cursor = 0;
    }
    for (const s of strings) t.strings.intern(s);
    return t;
  }

  /** Doubles the columns (up to the capacity), keeping what they hold. Only while the trace first fills. */
  private grow(): void {
    const n = Math.min(this.capacity, this.allocated * 2);
    const grown = <T extends Float64Array | Uint8Array | Int32Array | Uint32Array>(old: T, make: (length: number) => T): T => {
      const next = make(n);
      next.set(old);
      return next;
    };
    this.time = grown(this.time, (k) => new Float64Array(k));
    this.kind = grown(this.kind, (k) => new Uint8Array(k));
    this.src = grown(this.src, (k) => new Int32Array(k));
    this.dst = grown(this.dst, (k) => new Int32Array(k));
    this.a = grown(this.a, (k) => new Int32Array(k));
    this.b = grown(this.b, (k) => new Int32Array(k));
    this.c = grown(this.c, (k) => new Int32Array(k));
    this.label = grown(this.label, (k) => new Uint32Array(k));
    this.allocated = n;
  }

  /** Appends one event. Times must not decrease from one call to the next. */
  record(timeCycles: number, kind: TraceKind, src: number, dst: number, a: number, b: number, c: number, labelId = 0): void {
    if (!this.enabled) return;
    if (this.written >= this.writeLimit) {
      this.refused++;
      return;
    }
    const i = this.cursor;
    if (i === this.allocated) this.grow();
    this.cursor = i + 1 === this.capacity ? 0 : i + 1;
    this.time[i] = timeCycles;
    this.kind[i] = kind;
    this.src[i] = src;
    this.dst[i] = dst;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
    this.label[i] = labelId;
    this.written++;
  }

  /** Records with a label given as text (interned). For components outside the kernel's hot path. */
  recordLabelled(timeCycles: number, kind: TraceKind, src: number, dst: number, a: number, b: number, c: number, label: string): void {
    this.record(timeCycles, kind, src, dst, a, b, c, this.strings.intern(label));
  }

  /** Events ever offered, including dropped or overwritten ones. */
  get totalRecorded(): number {
    return this.written + this.refused;
  }

  /** Events lost: overwritten in 'ring' mode, refused in 'stop' mode. */
  get dropped(): number {
    return this.mode === 'stop' ? this.refused : Math.max(0, this.written - this.capacity);
  }

  /** First sequence number still held. */
  get firstSeq(): number {
    return this.mode === 'ring' && this.written > this.capacity ? this.written - this.capacity : 0;
  }

  /** One past the last sequence number held. */
  get endSeq(): number {
    return this.written;
  }

  get size(): number {
    return this.endSeq - this.firstSeq;
  }

  private slot(seq: number): number {
    return seq % this.capacity;
  }

  timeAt(seq: number): number {
    return this.time[this.slot(seq)]!;
  }

  /** The decoded event at `seq`, which must be in [firstSeq, endSeq). */
  get(seq: number): TraceEvent {
    if (seq < this.firstSeq || seq >= this.endSeq) throw new RangeError(`event ${seq} is not held`);
    const i = this.slot(seq);
    const kind = this.kind[i]! as TraceKind;
    return {
      seq,
      timeCycles: this.time[i]!,
      kind,
      kindName: traceKindNames[kind] ?? `kind${kind}`,
      src: this.src[i]!,
      dst: this.dst[i]!,
      a: this.a[i]!,
      b: this.b[i]!,
      c: this.c[i]!,
      label: this.strings.get(this.label[i]!),
    };
  }

  /** Smallest held sequence number whose time is >= timeCycles (endSeq if none). */
  lowerBound(timeCycles: number): number {
    let lo = this.firstSeq;
    let hi = this.endSeq;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < timeCycles) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Sequence numbers [start, end) of the held events with startCycles <= time < endCycles. */
  rangeByTime(startCycles: number, endCycles: number): { start: number; end: number } {
    const start = this.lowerBound(startCycles);
    const end = Math.max(start, this.lowerBound(endCycles));
    return { start, end };
  }

  /** Decoded events in a time window, optionally only those whose src or dst is one of `endpoints`. */
  query(filter: TraceFilter = {}): TraceEvent[] {
    const out: TraceEvent[] = [];
    this.scan(filter, (seq) => {
      out.push(this.get(seq));
    });
    return out;
  }

  /** Calls `visit` with the sequence number of each matching event, in order; stops early if it returns false. */
  scan(filter: TraceFilter, visit: (seq: number) => boolean | void): void {
    const { start, end } = this.rangeByTime(filter.fromCycles ?? -Infinity, filter.toCycles ?? Infinity);
    const eps = filter.endpoints;
    const kinds = filter.kinds;
    let limit = filter.limit ?? Infinity;
    for (let seq = start; seq < end && limit > 0; seq++) {
      const i = this.slot(seq);
      if (kinds !== undefined && !kinds.includes(this.kind[i]! as TraceKind)) continue;
      if (eps !== undefined && !eps.includes(this.src[i]!) && !eps.includes(this.dst[i]!)) continue;
      limit--;
      if (visit(seq) === false) return;
    }
  }

  /**
   * Counts matching events per bucket of equal width over [fromCycles, toCycles):
   * the base for a level-of-detail view (one bucket per pixel).
   */
  histogram(fromCycles: number, toCycles: number, buckets: number, filter: Omit<TraceFilter, 'fromCycles' | 'toCycles' | 'limit'> = {}): Uint32Array {
    const counts = new Uint32Array(buckets);
    const width = (toCycles - fromCycles) / buckets;
    if (!(width > 0)) return counts;
    this.scan({ ...filter, fromCycles, toCycles }, (seq) => {
      const bucket = Math.min(buckets - 1, Math.floor((this.timeAt(seq) - fromCycles) / width));
      counts[bucket]!++;
    });
    return counts;
  }

  clear(): void {
    this.written = 0;
    this.cursor = 0;
    this.refused = 0;
  }
}

export interface TraceFilter {
  readonly fromCycles?: number;
  readonly toCycles?: number;
  /** Keep events whose src or dst is one of these. */
  readonly endpoints?: readonly number[];
  readonly kinds?: readonly TraceKind[];
  readonly limit?: number;
}
