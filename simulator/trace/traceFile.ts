// The project's own trace file format (.mktrace): what `mklab run --trace`
// writes and the trace views reload. Little-endian binary:
//   "MKTRACE\0" | u32 version | u32 header length | header (UTF-8 JSON) |
//   time f64[n] | kind u8[n] (padded to 4) | src, dst, a, b, c i32[n] | label u32[n]
// The header holds the run's metadata, the string table and the event count.
// Times are cycles of the clock the header names (clockHz, the cost
// profile's). Version 1 wrote 1 GHz whatever the profile, while devices
// assumed 3 GHz, so its times cannot be told apart; it is refused.
import { TraceRecorder } from './recorder';
import type { TraceKind } from './kinds';
import { utf8Decode, utf8Encode } from '../core/utf8';

export const TRACE_FILE_VERSION = 2;
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

export function encodeTrace(trace: TraceRecorder, meta: TraceFileMeta): Uint8Array {
  const first = trace.firstSeq;
  const n = trace.endSeq - first;
  const header: Header = { ...meta, dropped: trace.dropped, count: n, firstSeq: first, strings: trace.strings.all() };
  const headerBytes = utf8Encode(JSON.stringify(header));
  const kindBytes = (n + 3) & ~3;
  const total = 16 + pad4(headerBytes.length) + n * 8 + kindBytes + n * 4 * 6;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, TRACE_FILE_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  let at = 16 + pad4(headerBytes.length);
  const columns: { width: number; put: (i: number, seq: number) => void }[] = [
    { width: 8, put: (o, s) => view.setFloat64(o, trace.time[slot(trace, s)]!, true) },
    { width: 1, put: (o, s) => view.setUint8(o, trace.kind[slot(trace, s)]!) },
    { width: 4, put: (o, s) => view.setInt32(o, trace.src[slot(trace, s)]!, true) },
    { width: 4, put: (o, s) => view.setInt32(o, trace.dst[slot(trace, s)]!, true) },
    { width: 4, put: (o, s) => view.setInt32(o, trace.a[slot(trace, s)]!, true) },
    { width: 4, put: (o, s) => view.setInt32(o, trace.b[slot(trace, s)]!, true) },
    { width: 4, put: (o, s) => view.setInt32(o, trace.c[slot(trace, s)]!, true) },
    { width: 4, put: (o, s) => view.setUint32(o, trace.label[slot(trace, s)]!, true) },
  ];
  for (const col of columns) {
    for (let k = 0; k < n; k++) col.put(at + k * col.width, first + k);
    at += col.width === 1 ? kindBytes : n * col.width;
  }
  return out;
}

export interface DecodedTrace {
  readonly meta: TraceFileMeta;
  readonly trace: TraceRecorder;
}

/** Reads a trace file; a malformed one gives a TraceFileError naming the file, the byte offset and what was expected. */
export function decodeTrace(bytes: Uint8Array, file: string): DecodedTrace | TraceFileError {
  const fail = (offset: number, message: string) => new TraceFileError(file, offset, message);
  if (bytes.length < 16) return fail(0, `expected a Microkernel Lab trace (at least 16 bytes), found ${bytes.length} bytes`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== MAGIC.charCodeAt(i)) return fail(0, "expected the magic 'MKTRACE' at the start: this is not a Microkernel Lab trace");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version === 1) {
    return fail(8, `this trace is in format version 1, whose times were counted at a fixed 1 GHz whatever the cost profile; this version reads format ${TRACE_FILE_VERSION} only: record the run again with this version (mklab run SCENARIO --trace FILE.mktrace)`);
  }
  if (version !== TRACE_FILE_VERSION) return fail(8, `expected format version ${TRACE_FILE_VERSION}, found ${version}`);
  const headerLength = view.getUint32(12, true);
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
  const kindBytes = (n + 3) & ~3;
  const start = 16 + pad4(headerLength);
  const need = start + n * 8 + kindBytes + n * 4 * 6;
  if (bytes.length < need) return fail(bytes.length, `expected ${need} bytes for ${n} events, the file has ${bytes.length}`);
  const trace = new TraceRecorder({ capacity: Math.max(1, n), mode: 'stop' });
  for (const s of header.strings) {
    if (typeof s !== 'string') return fail(16, `expected the string table to hold strings, found ${JSON.stringify(s)}`);
    trace.strings.intern(s);
  }
  const strings = header.strings.length;
  if (trace.strings.size !== strings) return fail(16, 'expected the string table to hold each string once');
  let at = start;
  const timeAt = at;
  at += n * 8;
  const kindAt = at;
  at += kindBytes;
  const colAt = (c: number) => at + c * n * 4;
  let previous = -Infinity;
  for (let k = 0; k < n; k++) {
    const time = view.getFloat64(timeAt + k * 8, true);
    if (!Number.isFinite(time) || time < previous) return fail(timeAt + k * 8, `expected event ${k}'s time to be a number not before the previous event's`);
    previous = time;
    const label = view.getUint32(colAt(5) + k * 4, true);
    if (label >= strings) return fail(colAt(5) + k * 4, `event ${k} names string ${label}, but the table has ${strings}`);
    trace.record(
      time,
      view.getUint8(kindAt + k) as TraceKind,
      view.getInt32(colAt(0) + k * 4, true),
      view.getInt32(colAt(1) + k * 4, true),
      view.getInt32(colAt(2) + k * 4, true),
      view.getInt32(colAt(3) + k * 4, true),
      view.getInt32(colAt(4) + k * 4, true),
      label,
    );
  }
  const { count: _count, firstSeq: _firstSeq, strings: _strings, ...meta } = header;
  return { meta, trace };
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

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function slot(trace: TraceRecorder, seq: number): number {
  return seq % trace.capacity;
}
