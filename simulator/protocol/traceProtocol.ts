// The trace views' requests to the simulator worker: windows of events at a
// resolution, details, search, request chains, export and loading saved traces.
// Part of the host ↔ worker channel; see workerProtocol.ts. Columns are typed
// arrays: they survive the worker's structured clone and VS Code's webview
// postMessage without being turned into one object per event.

/** Where the answered trace comes from: the editor's running system, or a trace file loaded with traceLoad. */
export type TraceSourceKind = 'system' | 'file';

export interface TraceSourceInfo {
  readonly kind: TraceSourceKind;
  /** Scenario name for a running system, file name for a loaded file. */
  readonly name: string;
  readonly scenario: string;
  readonly configuration: string;
  readonly seed: number;
  /**
   * For a running system, the session's run it belongs to (SessionStatus.runId):
   * running the same scenario with the same seed again is another trace.
   */
  readonly runId?: number;
}

export type TraceLaneGroup = 'kernel' | 'servers' | 'drivers' | 'programs' | 'devices';

/**
 * One row of the view: a process (kept across restarts: every endpoint a
 * service had maps to the same lane) or a device. Lane ids are stable for a
 * given trace: new lanes are appended as a running system creates processes.
 */
export interface TraceLane {
  readonly id: number;
  /** The process label (system.conf name) or the device name. */
  readonly label: string;
  readonly group: TraceLaneGroup;
  /** Every endpoint the lane has had, oldest first (empty for devices). */
  readonly endpoints: readonly number[];
  /** For device lanes, the device id used by dma and iommuFault records. */
  readonly deviceId?: number;
  /** Restarts seen in the trace (restart records naming one of its endpoints). */
  readonly restarts: number;
}

export interface TraceKindInfo {
  readonly kind: number;
  readonly name: string;
}

export interface TraceInfo {
  readonly source: TraceSourceInfo;
  readonly lanes: readonly TraceLane[];
  /** Time of the first and last held events (both 0 when empty). */
  readonly startCycles: number;
  readonly endCycles: number;
  readonly clockHz: number;
  readonly eventCount: number;
  /** Sequence numbers held: [firstSeq, endSeq). Grows while a system runs. */
  readonly firstSeq: number;
  readonly endSeq: number;
  /** Events lost to the recorder's capacity before firstSeq. */
  readonly dropped: number;
  readonly kinds: readonly TraceKindInfo[];
  /** Message type numbers and names known to the simulator (services, storage, notifications). */
  readonly messageTypes: readonly { readonly type: number; readonly name: string }[];
}

/** Which events a window, search or export considers. Every part is optional; they combine with AND. */
export interface TraceFilter {
  /** Keep events whose source or destination lane is one of these. */
  readonly lanes?: readonly number[];
  /** Keep events of these kinds (TraceKind values). */
  readonly kinds?: readonly number[];
  /** Keep IPC events (ipcSend, ipcReceive) whose message type is one of these; other kinds pass untouched. */
  readonly messageTypes?: readonly number[];
  readonly fromCycles?: number;
  readonly toCycles?: number;
}

/** Span states; a lane is idle (no span) when none applies. */
export const SpanState = {
  running: 1,
  /** Blocked in SEND, waiting for the receiver. */
  blockedSend: 2,
  /** Blocked in RECEIVE, waiting for any message. */
  blockedReceive: 3,
  /** Blocked in SENDREC, from the trap until the reply is delivered. */
  blockedSendrec: 4,
  /** Inside a kernel call (width = cycles charged). */
  kernel: 5,
} as const;
export type SpanState = (typeof SpanState)[keyof typeof SpanState];

/** Spans clipped to the window, as columns of equal length. */
export interface TraceSpans {
  readonly lane: Uint16Array;
  readonly state: Uint8Array;
  readonly startCycles: Float64Array;
  readonly endCycles: Float64Array;
  /** For SEND/SENDREC spans the lane sent to; for RECEIVE spans the lane whose message ended the wait (-1 if unknown); -1 otherwise. */
  readonly peerLane: Int16Array;
  /** The trace event that opened the span (-1 when it began before the held trace). */
  readonly seq: Float64Array;
}

/** Events as columns of equal length. Labels index `strings`. */
export interface TraceEventColumns {
  readonly seq: Float64Array;
  readonly timeCycles: Float64Array;
  readonly kind: Uint8Array;
  /** Lane the event is drawn on (its home lane; see traceWindow in simulator/trace/window.ts). */
  readonly lane: Int16Array;
  /** The other lane it touches (message receiver or sender, kill victim, ...), -1 if none. */
  readonly peerLane: Int16Array;
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly c: Int32Array;
  readonly label: Uint32Array;
  readonly strings: readonly string[];
}

/**
 * Counts of events per (lane, bucket, kind), sparse: only non-zero cells are
 * listed. Summed over all cells they equal `TraceWindow.matched`.
 */
export interface TraceBucketCounts {
  readonly lane: Uint16Array;
  readonly bucket: Uint32Array;
  readonly kind: Uint8Array;
  readonly count: Uint32Array;
}

export interface TraceWindowParams {
  readonly fromCycles: number;
  readonly toCycles: number;
  /** Width of the view in pixels; buckets are at least one pixel wide. */
  readonly pixelWidth: number;
  readonly filter?: TraceFilter;
  /** Above this many matching events the window is bucketed; default 4000, at most 20000. */
  readonly maxEvents?: number;
  readonly source?: TraceSourceKind;
}

interface TraceWindowCommon {
  /**
   * The window answered: the one asked for, or, for buckets read off the trace's summary level, a wider one
   * whose buckets are whole summary buckets (no wider than asked, up to about twice as many).
   */
  readonly fromCycles: number;
  readonly toCycles: number;
  /** Events in [fromCycles, toCycles) that pass the filter. */
  readonly matched: number;
  /** Lanes as of this answer (a running system may have added some since traceInfo). */
  readonly laneCount: number;
  readonly endSeq: number;
}

/** Few enough events: every one of them, and the spans clipped to the window. */
export interface TraceWindowEvents extends TraceWindowCommon {
  readonly mode: 'events';
  readonly events: TraceEventColumns;
  readonly spans: TraceSpans;
}

/**
 * Too many events: per-lane buckets of `bucketCycles` each (the last may be
 * shorter), with counts per kind and, per lane and bucket, the state that
 * covered most of the bucket (0 = idle) as `dominantState[lane * bucketCount + bucket]`.
 */
export interface TraceWindowBuckets extends TraceWindowCommon {
  readonly mode: 'buckets';
  readonly bucketCount: number;
  readonly bucketCycles: number;
  readonly counts: TraceBucketCounts;
  readonly dominantState: Uint8Array;
}

export type TraceWindow = TraceWindowEvents | TraceWindowBuckets;

export interface TraceEndpointRef {
  readonly endpoint: number;
  /** Process label, device name, or a kernel name (KERNEL, SYSTEM, CLOCK, IDLE, HARDWARE, NONE, ANY). */
  readonly name: string;
  readonly lane: number;
}

export interface TraceField {
  readonly name: string;
  readonly value: string;
  readonly raw?: number;
}

export interface TraceCost {
  /** Cycles the kernel charged for a kernel call (kernelCall c). */
  readonly kernelCallCycles?: number;
  /** Cycles of a context switch (contextSwitch a), and whether it changed address space. */
  readonly contextSwitchCycles?: number;
  readonly addressSpaceChanged?: boolean;
  /** Cycles from a message's send to its delivery (queued messages), and from a SENDREC request to its reply. */
  readonly deliveryCycles?: number;
  readonly roundTripCycles?: number;
  /** Why a part is missing, e.g. "message copy cost is not recorded in the trace". */
  readonly notes: readonly string[];
}

export interface TraceSourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export interface TraceEventDetails {
  readonly seq: number;
  readonly timeCycles: number;
  readonly timeMicros: number;
  readonly kind: number;
  readonly kindName: string;
  /** One-line description, e.g. "vfs → isofs SENDREC request READ (link 42)". */
  readonly summary: string;
  readonly src?: TraceEndpointRef;
  readonly dst?: TraceEndpointRef;
  /** For IPC events: the message type number and name when known. */
  readonly messageType?: { readonly type: number; readonly name?: string };
  /** For IPC events: the link id shared by a SENDREC request and its reply (0 if none). */
  readonly linkId?: number;
  /** The columns a, b, c and the label decoded for this kind. */
  readonly fields: readonly TraceField[];
  readonly cost: TraceCost;
  /** For a kernel entry recorded with captureSourceLocations, the program's location. */
  readonly location?: TraceSourceLocation;
  /** Related events (the matching receive, the request, the reply) by seq. */
  readonly related: readonly { readonly role: string; readonly seq: number }[];
  /** Message payload words, when the trace kept them (not recorded today). */
  readonly payload?: readonly number[];
}

export interface TraceSearchParams {
  /**
   * A message type name or number, a process label, a device name, or an endpoint number. Case-insensitive.
   * An empty query matches every event that passes the filter (and `lane`).
   */
  readonly query: string;
  readonly filter?: TraceFilter;
  /**
   * 'all': every match in time order (within filter.fromCycles/toCycles);
   * 'next' / 'previous': the nearest match after / before the position
   * given by `fromSeq` (preferred: no ties) or `fromCycles`;
   * 'nearest': the one match nearest in time to `fromCycles` (or to the time of `fromSeq`), on either side (a tie goes to the earlier).
   */
  readonly direction?: 'all' | 'next' | 'previous' | 'nearest';
  readonly fromCycles?: number;
  readonly fromSeq?: number;
  /** Only events drawn on this lane under the filter (the lane a window puts them on). */
  readonly lane?: number;
  /** At most this many seqs (default 1000, at most 100000). */
  readonly limit?: number;
  readonly source?: TraceSourceKind;
}

export interface TraceSearchResult {
  /** How the query was understood, e.g. "message type READ (1025)" or "lane vfs". */
  readonly understoodAs: readonly string[];
  readonly seqs: Float64Array;
  readonly timeCycles: Float64Array;
  /** The lane each match is drawn on under the filter (as a window's events.lane). */
  readonly lanes: Int16Array;
  /** Matches in the searched range, including those beyond the limit. */
  readonly total: number;
  readonly truncated: boolean;
}

export type TraceChainRole = 'request' | 'nestedRequest' | 'nestedReply' | 'reply';

export interface TraceChainStep {
  readonly seq: number;
  readonly timeCycles: number;
  readonly role: TraceChainRole;
  /** 0 for the request and its reply, 1 for requests the server made while serving it, and so on. */
  readonly depth: number;
  readonly src: TraceEndpointRef;
  readonly dst: TraceEndpointRef;
  readonly messageType: { readonly type: number; readonly name?: string };
  readonly linkId: number;
  /** Seq of the matching ipcReceive when the message was queued. */
  readonly receiveSeq?: number;
}

/**
 * The messages that served one request. Given any message of a SENDREC
 * exchange, the root is the request; its steps are, in time order, the request,
 * every SENDREC request the server made between receiving the request and
 * sending its reply (recursively, each with its own reply), and the reply.
 */
export interface TraceChain {
  readonly rootSeq: number;
  readonly steps: readonly TraceChainStep[];
  readonly startCycles: number;
  /** The reply's time; undefined when the reply is not (yet) in the trace. */
  readonly endCycles?: number;
  readonly complete: boolean;
}

export type TraceExportFormat = 'perfetto' | 'csv' | 'mktrace';

export interface TraceExportResult {
  readonly format: TraceExportFormat;
  /** A suggested file name, e.g. "s1.perfetto.json". */
  readonly fileName: string;
  /** For perfetto and csv. */
  readonly text?: string;
  /** For mktrace. */
  readonly bytes?: Uint8Array;
  /** Events held by the source (before any filter). */
  readonly eventCount: number;
}

export interface TraceLoadError {
  readonly file: string;
  readonly offset: number;
  readonly message: string;
}

export type TraceLoadResult = { readonly ok: true; readonly info: TraceInfo } | { readonly ok: false; readonly error: TraceLoadError };

/** A file's head opened: its description (null when the file has no overview: only traceLoad opens it). */
export type TraceHeadResult = { readonly ok: true; readonly info: TraceInfo | null } | { readonly ok: false; readonly error: TraceLoadError };

export interface TraceRequests {
  /** Lanes, time range and counts. Default source: the loaded file if any, else the running system. */
  traceInfo: { params: { readonly source?: TraceSourceKind }; result: TraceInfo };
  traceWindow: { params: TraceWindowParams; result: TraceWindow };
  traceEvent: { params: { readonly seq: number; readonly source?: TraceSourceKind }; result: TraceEventDetails };
  traceSearch: { params: TraceSearchParams; result: TraceSearchResult };
  traceChain: { params: { readonly seq: number; readonly source?: TraceSourceKind }; result: TraceChain };
  traceExport: { params: { readonly format: TraceExportFormat; readonly filter?: TraceFilter; readonly source?: TraceSourceKind }; result: TraceExportResult };
  /** Loads a .mktrace file; it becomes the default source until traceUnload. */
  traceLoad: { params: { readonly bytes: Uint8Array; readonly fileName: string }; result: TraceLoadResult };
  /**
   * Opens a local .mktrace file's head by its path, before its events: the file becomes the default source, whose
   * description and whole-trace windows come from the head's overview at once; what needs the events waits for the
   * traceLoad of the same file.
   */
  traceOpenHead: { params: { readonly path: string; readonly fileName: string }; result: TraceHeadResult };
  traceUnload: { params: Record<string, never>; result: { readonly unloaded: boolean } };
}
