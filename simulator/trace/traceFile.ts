// The project's own trace file format (.mktrace): what `mklab run --trace`
// writes and the trace views reload. Little-endian binary, format 4:
//   "MKTRACE\0" | u32 version | u32 header length | header (UTF-8 JSON), padded to 8 |
//   overview block, padded to 8 (when the header has an overview) |
//   time f64[n] | kind u8[n] | src, dst, a, b, c i32[n] | label u32[n], each column padded to 8
// The header holds the run's metadata, the string table and the event count,
// and for a large trace its overview (overview.ts): lanes, time range, open
// spans, and the shape of the overview block, which holds the summary level's
// columns (per lane coverage f64[], then cell buckets u32[], counts u32[],
// lanes u16[], kinds u8[]). The head (everything before the columns) is all a
// view needs to paint the whole trace: readers open it first (decodeTraceHead),
// then the events.
// The columns are the recorder's own (TraceRecorder), laid out so that opening
// a file on a little-endian host views them in place: no per-event decoding,
// only one pass that checks the times and labels (a 10-million-event trace
// opens in tens of milliseconds instead of seconds).
// Times are cycles of the clock the header names (clockHz, the cost
// profile's). Format 2 (the same columns at 4-byte alignment) is still read,
// event by event. Format 1 wrote 1 GHz whatever the profile, while devices
// assumed 3 GHz, so its times cannot be told apart; it is refused.
import { TraceRecorder, type TraceColumns } from './recorder';
import { utf8Decode, utf8Encode } from '../core/utf8';
import type { TraceOverview } from './overview';
import { MAX_BUCKETS } from './summary';
import { SPAN_STATE_COUNT } from './spanStates';

export const TRACE_FILE_VERSION = 4;
/** Format 3: format 4 without an overview, still read. */
const FORMAT_3 = 3;
/** Format 2, still read: the same columns, each padded to 4 bytes. */
const FORMAT_2 = 2;
const MAGIC = 'MKTRACE\0';

export interface TraceFileMeta {
  readonly scenario: string;
  readonly configuration: string;
  readonly seed: number;
  /** The cost profile the system ran with. */
  readonly costProfile: string;
  /** Its clock rate: the events' times are cycles of this clock. */
  readonly clockHz: number;
  /** Process names by endpoint, for lanes and labels. */
  readonly endpointNames: Readonly<Record<string, string>>;
  /** Events lost to the recorder's capacity before the held ones. */
  readonly dropped?: number;
}

interface Header extends TraceFileMeta {
  readonly count: number;
  readonly firstSeq: number;
  readonly strings: readonly string[];
  /** Format 4, for a large trace: the overview, but for its block's columns. */
  readonly overview?: OverviewHeader;
}

/** The overview as the header holds it: all but the summary's columns, which are in the overview block. */
interface OverviewHeader extends Omit<TraceOverview, 'summary'> {
  readonly summary: { readonly originCycles: number; readonly width: number; readonly buckets: number; readonly cells: number; readonly coverLengths: readonly number[] };
  /** The overview block's length in bytes (before padding). */
  readonly bytes: number;
}

export class TraceFileError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    message: string,
  ) {
    super(`${file}: at byte ${offset}: ${message}`);
    this.name = 'TraceFileError';
  }
}

/** Writes a trace file; with `overview` (overviewOf(model) of this trace), views paint it from its head. */
export function encodeTrace(trace: TraceRecorder, meta: TraceFileMeta, overview?: TraceOverview): Uint8Array {
  const first = trace.firstSeq;
  const n = trace.endSeq - first;
  const block = overview === undefined ? undefined : overviewBlock(overview);
  const header: Header = {
    ...meta,
    dropped: trace.dropped,
    count: n,
    firstSeq: first,
    strings: trace.strings.all(),
    ...(overview === undefined || block === undefined ? {} : { overview: overviewHeader(overview, block.length) }),
  };
  const headerBytes = utf8Encode(JSON.stringify(header));
  const blockAt = 16 + pad8(headerBytes.length);
  const layout = columnLayout(blockAt + pad8(block?.length ?? 0), n);
  const out = new Uint8Array(layout.end);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, TRACE_FILE_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  if (block !== undefined) out.set(block, blockAt);
  // The held events in order: a ring that wrapped holds them in two runs of slots.
  const from = first % trace.capacity;
  const runs: [number, number][] = from + n <= trace.capacity ? [[from, from + n]] : [[from, trace.capacity], [0, (from + n) % trace.capacity]];
  for (const column of COLUMNS) {
    const source = trace[column.name];
    let at = layout.offset[column.name];
    for (const [a, b] of runs) {
      const part = source.subarray(a, b);
      if (LITTLE_ENDIAN) out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      else for (let k = 0; k < part.length; k++) column.put(view, at + k * column.width, part[k]!);
      at += part.byteLength;
    }
  }
  return out;
}

type ColumnName = 'time' | 'kind' | 'src' | 'dst' | 'a' | 'b' | 'c' | 'label';

/** The columns in file order, with their width and how to write one value little-endian (big-endian hosts). */
const COLUMNS: readonly { name: ColumnName; width: number; put: (v: DataView, at: number, x: number) => void }[] = [
  { name: 'time', width: 8, put: (v, at, x) => v.setFloat64(at, x, true) },
  { name: 'kind', width: 1, put: (v, at, x) => v.setUint8(at, x) },
  { name: 'src', width: 4, put: (v, at, x) => v.setInt32(at, x, true) },
  { name: 'dst', width: 4, put: (v, at, x) => v.setInt32(at, x, true) },
  { name: 'a', width: 4, put: (v, at, x) => v.setInt32(at, x, true) },
  { name: 'b', width: 4, put: (v, at, x) => v.setInt32(at, x, true) },
  { name: 'c', width: 4, put: (v, at, x) => v.setInt32(at, x, true) },
  { name: 'label', width: 4, put: (v, at, x) => v.setUint32(at, x, true) },
];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Where each column of n events starts, each padded to `pad` bytes (format 3: 8, format 2: 4), and where the file ends. */
function columnLayout(start: number, n: number, pad: (bytes: number) => number = pad8): { offset: Record<ColumnName, number>; end: number } {
  const offset = {} as Record<ColumnName, number>;
  let at = start;
  for (const column of COLUMNS) {
    offset[column.name] = at;
    at += pad(n * column.width);
  }
  return { offset, end: at };
}

export interface DecodedTrace {
  readonly meta: TraceFileMeta;
  readonly trace: TraceRecorder;
}

/** A file's head read and checked: its header, where its columns start, and its overview if it has one. */
interface Head {
  readonly version: number;
  readonly header: Header;
  readonly columnsAt: number;
  readonly overview?: TraceOverview;
}

/**
 * How many bytes of a file its head takes, from a prefix of it: `complete` when the prefix was long enough to
 * tell, else `length` is how many bytes to read before asking again. A reader of a large file reads this much
 * first and opens it with decodeTraceHead, then reads the rest.
 */
export function traceHeadLength(prefix: Uint8Array, file: string): { readonly complete: boolean; readonly length: number } | TraceFileError {
  if (prefix.length < 16) return { complete: false, length: 16 };
  const start = checkStart(prefix, file);
  if (start instanceof TraceFileError) return start;
  if (prefix.length < 16 + start.headerLength) return { complete: false, length: 16 + start.headerLength };
  const head = readHead(prefix, file, start.version, start.headerLength, false);
  if (head instanceof TraceFileError) return head;
  return { complete: true, length: head.columnsAt };
}

/** Opens a file's head alone (traceHeadLength bytes of it, or more): its metadata, event count and overview. */
export function decodeTraceHead(bytes: Uint8Array, file: string): { readonly meta: TraceFileMeta; readonly count: number; readonly firstSeq: number; readonly overview?: TraceOverview } | TraceFileError {
  const start = checkStart(bytes, file);
  if (start instanceof TraceFileError) return start;
  const head = readHead(bytes, file, start.version, start.headerLength, true);
  if (head instanceof TraceFileError) return head;
  const { count, firstSeq, strings: _strings, overview: _overview, ...meta } = head.header;
  return { meta, count, firstSeq: Number.isSafeInteger(firstSeq) && firstSeq >= 0 ? firstSeq : 0, ...(head.overview === undefined ? {} : { overview: head.overview }) };
}

function checkStart(bytes: Uint8Array, file: string): { version: number; headerLength: number } | TraceFileError {
  const fail = (offset: number, message: string) => new TraceFileError(file, offset, message);
  if (bytes.length < 16) return fail(0, `expected a Microkernel Lab trace (at least 16 bytes), found ${bytes.length} bytes`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) return fail(0, "expected the magic 'MKTRACE' at the start: this is not a Microkernel Lab trace");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version === 1) {
    return fail(8, `this trace is in format version 1, whose times were counted at a fixed 1 GHz whatever the cost profile; this version reads formats ${FORMAT_2} to ${TRACE_FILE_VERSION}: record the run again with this version (mklab run SCENARIO --trace FILE.mktrace)`);
  }
  if (version !== TRACE_FILE_VERSION && version !== FORMAT_3 && version !== FORMAT_2) return fail(8, `expected format version ${TRACE_FILE_VERSION} (or ${FORMAT_3} or ${FORMAT_2}), found ${version}`);
  return { version, headerLength: view.getUint32(12, true) };
}

/** The header (and the overview block, if `withOverview` and there is one) of a file whose first 16 bytes are checked. */
function readHead(bytes: Uint8Array, file: string, version: number, headerLength: number, withOverview: boolean): Head | TraceFileError {
  const fail = (offset: number, message: string) => new TraceFileError(file, offset, message);
  if (16 + headerLength > bytes.length) return fail(12, `header length ${headerLength} runs past the end of the file`);
  let header: Header;
  try {
    header = JSON.parse(utf8Decode(bytes.subarray(16, 16 + headerLength))) as Header;
  } catch (e) {
    return fail(16, `expected a JSON header: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return fail(16, 'expected the header to be a JSON object');
  const n = header.count;
  if (!Number.isInteger(n) || n < 0) return fail(16, `expected a non-negative event count in the header, found ${String(n)}`);
  if (!Array.isArray(header.strings) || header.strings[0] !== '') return fail(16, 'expected a string table starting with the empty string');
  const metaProblem = checkMeta(header);
  if (metaProblem !== undefined) return fail(16, `expected ${metaProblem} in the header`);
  if (version === FORMAT_2) return { version, header, columnsAt: 16 + pad4(headerLength) };
  const blockAt = 16 + pad8(headerLength);
  if (version === FORMAT_3 || header.overview === undefined) return { version, header, columnsAt: blockAt };
  const shape = checkOverviewHeader(header.overview);
  if (typeof shape === 'string') return fail(16, `expected ${shape} in the header's overview`);
  const columnsAt = blockAt + pad8(header.overview.bytes);
  if (!withOverview) return { version, header, columnsAt };
  if (bytes.length < blockAt + header.overview.bytes) return fail(bytes.length, `expected the overview's ${header.overview.bytes} bytes at byte ${blockAt}, the file has ${bytes.length}`);
  const overview = readOverviewBlock(bytes, blockAt, header.overview, fail);
  if (overview instanceof TraceFileError) return overview;
  return { version, header, columnsAt, overview };
}

/** Reads a trace file; a malformed one gives a TraceFileError naming the file, the byte offset and what was expected. */
export function decodeTrace(bytes: Uint8Array, file: string): DecodedTrace | TraceFileError {
  const fail = (offset: number, message: string) => new TraceFileError(file, offset, message);
  const start = checkStart(bytes, file);
  if (start instanceof TraceFileError) return start;
  const head = readHead(bytes, file, start.version, start.headerLength, false);
  if (head instanceof TraceFileError) return head;
  const { header, version } = head;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = header.count;
  const offset = version === FORMAT_2 ? columnLayout(head.columnsAt, n, pad4) : columnLayout(head.columnsAt, n);
  if (bytes.length < offset.end) return fail(bytes.length, `expected ${offset.end} bytes for ${n} events, the file has ${bytes.length}`);
  for (const s of header.strings) {
    if (typeof s !== 'string') return fail(16, `expected the string table to hold strings, found ${JSON.stringify(s)}`);
  }
  const strings = header.strings.length;
  if (new Set(header.strings).size !== strings) return fail(16, 'expected the string table to hold each string once');
  const columns = {} as TraceColumns;
  for (const column of COLUMNS) columns[column.name] = readColumn(bytes, view, offset.offset[column.name], n, column.name) as never;
  // The one pass over the events: times in order, labels in the table.
  const { time, label } = columns;
  let previous = -Infinity;
  for (let k = 0; k < n; k++) {
    const t = time[k]!;
    if (!(t >= previous) || t === Infinity) return fail(offset.offset.time + k * 8, `expected event ${k}'s time to be a number not before the previous event's`);
    previous = t;
    if (label[k]! >= strings) return fail(offset.offset.label + k * 4, `event ${k} names string ${label[k]}, but the table has ${strings}`);
  }
  const trace = TraceRecorder.fromColumns(columns, header.strings);
  const { count: _count, firstSeq: _firstSeq, strings: _strings, overview: _overview, ...meta } = header;
  return { meta, trace };
}

// ---- the overview ----------------------------------------------------------

const LANE_GROUPS: ReadonlySet<string> = new Set(['kernel', 'servers', 'drivers', 'programs', 'devices']);

function overviewHeader(o: TraceOverview, bytes: number): OverviewHeader {
  const s = o.summary;
  return {
    lanes: o.lanes,
    startCycles: o.startCycles,
    endCycles: o.endCycles,
    openSpans: o.openSpans,
    summary: { originCycles: s.originCycles, width: s.width, buckets: s.buckets, cells: s.cellCount.length, coverLengths: s.cover.map((c) => c.length) },
    bytes,
  };
}

/** The block's size for a summary shape: the lanes' coverage (f64), then cell buckets and counts (u32), lanes (u16), kinds (u8). */
function overviewBlockBytes(cells: number, coverLengths: readonly number[]): number {
  let floats = 0;
  for (const l of coverLengths) floats += l;
  return floats * 8 + cells * (4 + 4 + 2 + 1);
}

function overviewBlock(o: TraceOverview): Uint8Array {
  const s = o.summary;
  const cells = s.cellCount.length;
  const out = new Uint8Array(overviewBlockBytes(cells, s.cover.map((c) => c.length)));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const c of s.cover) for (let i = 0; i < c.length; i++, at += 8) v.setFloat64(at, c[i]!, true);
  for (let i = 0; i < cells; i++, at += 4) v.setUint32(at, s.cellBucket[i]!, true);
  for (let i = 0; i < cells; i++, at += 4) v.setUint32(at, s.cellCount[i]!, true);
  for (let i = 0; i < cells; i++, at += 2) v.setUint16(at, s.cellLane[i]!, true);
  for (let i = 0; i < cells; i++, at += 1) v.setUint8(at, s.cellKind[i]!);
  return out;
}

/** What is wrong with an overview's header part, or its shape checked. */
function checkOverviewHeader(o: OverviewHeader): string | undefined {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return 'an object';
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (!Array.isArray(o.lanes) || o.lanes.length > 65535) return 'lanes as a list';
  for (const [i, l] of o.lanes.entries()) {
    if (l === null || typeof l !== 'object' || l.id !== i || typeof l.label !== 'string' || !LANE_GROUPS.has(l.group) || !Array.isArray(l.endpoints) || !(l.endpoints as unknown[]).every((e) => Number.isInteger(e)) || !Number.isInteger(l.restarts) || (l.deviceId !== undefined && !Number.isInteger(l.deviceId))) {
      return `lane ${i} as { id: ${i}, label, group, endpoints, restarts }`;
    }
  }
  if (!finite(o.startCycles) || !finite(o.endCycles) || o.endCycles < o.startCycles) return 'startCycles and endCycles as times, in order';
  if (!Array.isArray(o.openSpans) || !o.openSpans.every((x) => x !== null && typeof x === 'object' && Number.isInteger(x.lane) && x.lane >= 0 && x.lane < o.lanes.length && Number.isInteger(x.state) && x.state > 0 && x.state < SPAN_STATE_COUNT && finite(x.startCycles))) {
    return 'openSpans as { lane, state, startCycles } of its lanes';
  }
  const s = o.summary as OverviewHeader['summary'] | null;
  if (s === null || typeof s !== 'object') return 'a summary';
  if (!finite(s.originCycles) || !finite(s.width) || !(s.width > 0)) return 'the summary\'s originCycles and a positive width';
  if (!Number.isInteger(s.buckets) || s.buckets < 0 || s.buckets > MAX_BUCKETS) return `the summary's bucket count, 0 to ${MAX_BUCKETS}`;
  if (!Number.isInteger(s.cells) || s.cells < 0 || s.cells > s.buckets * o.lanes.length * 32) return 'the summary\'s cell count, at most buckets x lanes x 32';
  if (!Array.isArray(s.coverLengths) || s.coverLengths.length > o.lanes.length || !s.coverLengths.every((l) => Number.isInteger(l) && l >= 0 && l % SPAN_STATE_COUNT === 0 && l <= s.buckets * SPAN_STATE_COUNT)) {
    return `the summary's coverage lengths, one per lane, each a multiple of ${SPAN_STATE_COUNT} up to buckets x ${SPAN_STATE_COUNT}`;
  }
  if (o.bytes !== overviewBlockBytes(s.cells, s.coverLengths)) return `the overview block's length (${overviewBlockBytes(s.cells, s.coverLengths)} bytes for its shape), found ${String(o.bytes)}`;
  return undefined;
}

function readOverviewBlock(bytes: Uint8Array, blockAt: number, o: OverviewHeader, fail: (offset: number, message: string) => TraceFileError): TraceOverview | TraceFileError {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s = o.summary;
  let at = blockAt;
  const cover: Float64Array[] = [];
  for (const length of s.coverLengths) {
    const c = new Float64Array(length);
    for (let i = 0; i < length; i++, at += 8) {
      const x = v.getFloat64(at, true);
      if (!Number.isFinite(x)) return fail(at, 'expected a finite covered time in the overview');
      c[i] = x;
    }
    cover.push(c);
  }
  const n = s.cells;
  const cellBucket = new Uint32Array(n);
  const cellCount = new Uint32Array(n);
  const cellLane = new Uint16Array(n);
  const cellKind = new Uint8Array(n);
  for (let i = 0; i < n; i++, at += 4) {
    const b = v.getUint32(at, true);
    if (b >= s.buckets || (i > 0 && b < cellBucket[i - 1]!)) return fail(at, `expected the overview's cell ${i} in bucket order, below ${s.buckets}`);
    cellBucket[i] = b;
  }
  for (let i = 0; i < n; i++, at += 4) cellCount[i] = v.getUint32(at, true);
  for (let i = 0; i < n; i++, at += 2) {
    const l = v.getUint16(at, true);
    if (l >= o.lanes.length) return fail(at, `expected the overview's cell ${i} on one of its ${o.lanes.length} lanes`);
    cellLane[i] = l;
  }
  for (let i = 0; i < n; i++, at += 1) {
    const k = v.getUint8(at);
    if (k >= 32) return fail(at, `expected the overview's cell ${i} to count a kind below 32`);
    cellKind[i] = k;
  }
  const { bytes: _bytes, summary: _summary, ...rest } = o;
  return { ...rest, summary: { originCycles: s.originCycles, width: s.width, buckets: s.buckets, cellBucket, cellLane, cellKind, cellCount, cover } };
}

/**
 * The clock rates a trace may state: a kilohertz to a terahertz. Every cost
 * profile's clock lies far inside; outside, times in seconds underflow or
 * overflow (a trace claiming 1e-300 Hz would export every time as infinity).
 */
const MIN_CLOCK_HZ = 1e3;
const MAX_CLOCK_HZ = 1e12;

/** What is wrong with the header's metadata, for the error message; undefined if it is well formed. */
function checkMeta(h: Header): string | undefined {
  if (typeof h.scenario !== 'string') return 'the scenario name as a string';
  if (typeof h.configuration !== 'string') return 'the configuration as a string';
  if (typeof h.seed !== 'number' || !Number.isSafeInteger(h.seed) || h.seed < 0) return 'the seed as a non-negative integer';
  if (typeof h.costProfile !== 'string') return 'the cost profile (costProfile) as a string';
  if (typeof h.clockHz !== 'number' || !Number.isFinite(h.clockHz) || h.clockHz < MIN_CLOCK_HZ || h.clockHz > MAX_CLOCK_HZ) {
    return `the clock rate (clockHz) as a number of hertz from ${MIN_CLOCK_HZ} to ${MAX_CLOCK_HZ}, found ${JSON.stringify(h.clockHz) ?? String(h.clockHz)}`;
  }
  const names: unknown = h.endpointNames;
  if (names === null || typeof names !== 'object' || Array.isArray(names) || Object.values(names).some((v) => typeof v !== 'string')) {
    return 'endpointNames as an object of process names';
  }
  if (h.dropped !== undefined && (!Number.isSafeInteger(h.dropped) || h.dropped < 0)) return 'the dropped count as a non-negative integer';
  return undefined;
}


const ARRAY_OF: Record<ColumnName, Float64ArrayConstructor | Uint8ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor> = {
  time: Float64Array,
  kind: Uint8Array,
  src: Int32Array,
  dst: Int32Array,
  a: Int32Array,
  b: Int32Array,
  c: Int32Array,
  label: Uint32Array,
};

/**
 * One column of n events at `at`: viewed in place where the host is little-endian and the bytes are aligned
 * for the type (format 3 read from a buffer of its own), copied where they are not, read value by value on a
 * big-endian host.
 */
function readColumn(bytes: Uint8Array, view: DataView, at: number, n: number, name: ColumnName): Float64Array | Uint8Array | Int32Array | Uint32Array {
  const Type = ARRAY_OF[name];
  const width = Type.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN) {
    const from = bytes.byteOffset + at;
    if (from % width === 0) return new Type(bytes.buffer as ArrayBuffer, from, n);
    return new Type(bytes.slice(at, at + n * width).buffer, 0, n);
  }
  const out = new Type(n);
  const get =
    name === 'time'
      ? (o: number) => view.getFloat64(o, true)
      : name === 'kind'
        ? (o: number) => view.getUint8(o)
        : name === 'label'
          ? (o: number) => view.getUint32(o, true)
          : (o: number) => view.getInt32(o, true);
  for (let k = 0; k < n; k++) out[k] = get(at + k * width);
  return out;
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}


