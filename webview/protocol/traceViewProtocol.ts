// What the trace view's webview (webview/trace/main.ts) and its host
// (extension/trace/tracePanel.ts) say to each other, over webview/protocol/rpc.ts.
// The webview asks for windows, details, searches and chains through the host,
// which forwards them to the simulator worker unchanged (simulator/protocol/traceProtocol.ts).
import type { TraceInfo, TraceRequests } from '../../simulator/protocol/traceProtocol';
import type { DebugPosition } from '../../simulator/protocol/debugProtocol';

/** The worker requests the webview may make through its host. */
export type TraceViewMethod = 'traceInfo' | 'traceWindow' | 'traceEvent' | 'traceSearch' | 'traceChain';
export type TraceViewParams<M extends TraceViewMethod> = TraceRequests[M]['params'];
export type TraceViewResult<M extends TraceViewMethod> = TraceRequests[M]['result'];

/** What the view drew last; the host keeps it for tests and the status of the panel. */
export interface RenderedWindow {
  readonly fromCycles: number;
  readonly toCycles: number;
  readonly mode: 'events' | 'buckets';
  readonly matched: number;
  readonly lanes: readonly string[];
  readonly sourceName: string;
  /** The first message (ipcSend) drawn, when the window holds single events. */
  readonly firstMessageSeq?: number;
}

export type ExportFormat = 'perfetto' | 'csv' | 'mktrace';

/** One row of the message-sequence view as its accessible table lists it. */
export interface MscRowSummary {
  readonly seq: number;
  readonly timeCycles: number;
  /** The column the arrow leaves (or the event's own column). */
  readonly from: string;
  /** The column the arrow reaches (empty for an event on one column). */
  readonly to: string;
  readonly label: string;
}

/**
 * What the view shows now, reported after every change the view would save
 * (window, filters, selection, tab, follow), after a theme change, and when the
 * sequence chart or a request chain is drawn. Tests and the host read it.
 */
export interface TraceViewState {
  readonly sourceName: string;
  readonly startCycles: number;
  readonly endCycles: number;
  readonly follow: boolean;
  readonly tab: 'timeline' | 'msc';
  readonly selectedSeq?: number;
  /** The heading of the details pane (the selected event's summary once read). */
  readonly detailsSummary?: string;
  readonly filter: {
    readonly lanes: readonly string[];
    readonly hiddenKinds: readonly string[];
    readonly types: string;
    readonly from: string;
    readonly to: string;
  };
  /** The lanes drawn, after the process filter. */
  readonly lanes: readonly string[];
  /** The canvas colours in use. */
  readonly palette: { readonly background: string; readonly foreground: string };
  /** The message-sequence view's columns and rows (its first MSC_SUMMARY_ROWS rows), once drawn. */
  readonly msc?: { readonly columns: readonly string[]; readonly rowCount: number; readonly rows: readonly MscRowSummary[] };
  /** The request chain the details pane lists, one line per step. */
  readonly chain?: readonly string[];
  /** Where the debugger stands, marked on the timeline, when a debug session debugs the system this trace comes from. */
  readonly debugMarker?: { readonly timeCycles: number; readonly process?: string };
}

/** The details pane's links a command or test can press as a click would. */
export type DetailsControl = 'openSource' | 'showChain' | 'debugFromHere';

export interface TraceViewProtocol {
  hostRequests: Pick<TraceRequests, TraceViewMethod>;
  viewRequests: Record<string, never>;
  hostEvents: {
    /** The trace to show (undefined with a reason when there is none yet). Sent on open, after a load and after a system starts. */
    trace: { info: TraceInfo | undefined; reason?: string };
    /** The running system moved on; the view refreshes its info and, when following, the tail window. */
    systemProgress: { running: boolean; nowCycles: number };
    /** A line for the status bar of the panel (export written, load failed, ...). */
    status: { text: string; isError: boolean };
    /** A test or command asks the view to select an event and show its details. */
    select: { seq: number };
    /** Show this time window (turns following off). */
    show: { startCycles: number; endCycles: number };
    /** Set the filter controls: processes by label, message types as typed in the filter box. */
    filter: { lanes?: readonly string[]; types?: string };
    follow: { on: boolean };
    tab: { tab: 'timeline' | 'msc' };
    /** Press a link of the details pane, as a click does (nothing happens when the pane has no such link). */
    press: { control: DetailsControl };
    /** Where a debug session stopped (undefined: no session now); the view marks it when the session debugs this trace's system. */
    debugPosition: { position: DebugPosition | undefined };
  };
  viewEvents: {
    rendered: RenderedWindow;
    state: TraceViewState;
    selected: { seq: number | undefined; summary?: string };
    openSource: SourceLocationRequest;
    export: { format: ExportFormat };
    loadFile: void;
    showSystem: void;
    /** "Debug from here": start or move a debug session to this event. */
    debugFrom: { seq: number };
  };
}

/** A kernel entry's source line the view asks the host to open; `process` names who made the call. */
export interface SourceLocationRequest {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly process?: string;
}
