// A bounded side buffer of source locations of kernel entries, keyed by the
// trace position at the entry, for "jump to the driver's source" from an event.
// Filled through the simulator's kernel-entry hook when the simulator captures
// source locations; the trace columns themselves hold no locations.

/** What a kernel entry must tell this buffer (a structural part of the simulator's KernelEntry). */
export interface LocatedEntry {
  readonly endpoint: number;
  readonly location: string | undefined;
  /** The frames that called into `location`, innermost first. */
  readonly callers?: readonly string[];
}

/** The part of a Simulator this buffer needs (kept structural: the trace layer imports no kernel code). */
export interface LocationSource<E extends LocatedEntry> {
  kernelEntryHook: ((entry: E) => 'pause' | 'continue' | void) | null;
  readonly trace: { readonly endSeq: number };
}

export const DEFAULT_LOCATION_CAPACITY = 1 << 16;

export class TraceLocations {
  private readonly endpoint: Int32Array;
  private readonly seq: Float64Array;
  private readonly location: (string | undefined)[];
  private written = 0;

  constructor(readonly capacity = DEFAULT_LOCATION_CAPACITY) {
    this.endpoint = new Int32Array(capacity);
    this.seq = new Float64Array(capacity);
    this.location = new Array<string | undefined>(capacity).fill(undefined);
  }

  /** Notes that `endpoint` entered the kernel at `location` when the trace held `seqAtEntry` events. */
  note(endpoint: number, seqAtEntry: number, location: string): void {
    const i = this.written % this.capacity;
    this.endpoint[i] = endpoint;
    this.seq[i] = seqAtEntry;
    this.location[i] = location;
    this.written++;
  }

  /** The location of the kernel entry that recorded event `seq` of `endpoint`: its latest entry at or before it. */
  lookup(endpoint: number, seq: number): string | undefined {
    const oldest = Math.max(0, this.written - this.capacity);
    for (let k = this.written - 1; k >= oldest; k--) {
      const i = k % this.capacity;
      if (this.endpoint[i] === endpoint && this.seq[i]! <= seq) return this.location[i];
    }
    return undefined;
  }

  get size(): number {
    return Math.min(this.written, this.capacity);
  }
}

/**
 * Chains onto the simulator's kernel-entry hook (keeping whatever hook was set)
 * so that every entry with a captured location is noted. Whoever sets the hook
 * later must call the previous one for this to keep working.
 */
export function attachTraceLocations<E extends LocatedEntry>(
  sim: LocationSource<E>,
  buffer = new TraceLocations(),
  ownFile?: (endpoint: number) => string | undefined,
): TraceLocations {
  const previous = sim.kernelEntryHook;
  sim.kernelEntryHook = (entry: E) => {
    if (entry.location !== undefined) buffer.note(entry.endpoint, sim.trace.endSeq, ownFrame(entry, ownFile?.(entry.endpoint)));
    return previous === null ? 'continue' : previous(entry);
  };
  return buffer;
}

/**
 * Where a kernel entry is, as "jump to source" should open it: the innermost
 * frame in the process's own program file (the driver's line that called a
 * helper such as `sef.receive`), or the innermost frame when none is (a
 * program whose file is not known, or an entry made wholly inside a helper).
 */
export function ownFrame(entry: LocatedEntry, own: string | undefined): string {
  const innermost = entry.location!;
  if (own === undefined || entry.callers === undefined || entry.callers.length === 0) return innermost;
  const isOwn = (frame: string) => {
    const file = parseLocation(frame)?.file;
    return file !== undefined && (file === own || file.endsWith(`/${own}`) || own.endsWith(`/${file}`));
  };
  if (isOwn(innermost)) return innermost;
  return entry.callers.find(isOwn) ?? innermost;
}

/** Splits "file:line:column" (or "file:line") into its parts; undefined if it has no line. */
export function parseLocation(text: string): { file: string; line: number; column?: number } | undefined {
  const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(text);
  if (m === null) return undefined;
  return { file: m[1]!, line: Number(m[2]), ...(m[3] === undefined ? {} : { column: Number(m[3]) }) };
}
