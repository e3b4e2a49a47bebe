// Messages between the trace view's webview (webview/trace/main.ts) and its
// host (extension/trace/tracePanel.ts). Both import this file. The webview
// asks for windows, details, searches and chains through the host, which
// forwards them to the simulator worker unchanged (simulator/protocol/traceProtocol.ts).
import type { TraceInfo, TraceRequests } from '../../simulator/protocol/traceProtocol';

/** The worker requests the webview may make through its host. */
export type TraceViewMethod = 'traceInfo' | 'traceWindow' | 'traceEvent' | 'traceSearch' | 'traceChain';
export type TraceViewParams<M extends TraceViewMethod> = TraceRequests[M]['params'];
export type TraceViewResult<M extends TraceViewMethod> = TraceRequests[M]['result'];

export type TraceViewRequest = {
  [M in TraceViewMethod]: { type: 'request'; messageId: number; method: M; params: TraceViewParams<M> };
}[TraceViewMethod];

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

export type ToTraceView =
  /** The trace to show (undefined with a reason when there is none yet). Sent on open, after a load and after a system starts. */
  | { type: 'trace'; info: TraceInfo | undefined; reason?: string }
  /** The running system moved on; the view refreshes its info and, when following, the tail window. */
  | { type: 'systemProgress'; running: boolean; nowCycles: number }
  | { type: 'reply'; inReplyTo: number; ok: true; result: unknown }
  | { type: 'reply'; inReplyTo: number; ok: false; error: string }
  /** A line for the status bar of the panel (export written, load failed, ...). */
  | { type: 'status'; text: string; isError: boolean }
  /** A test or command asks the view to select an event and show its details. */
  | { type: 'select'; seq: number };

export type FromTraceView =
  | { type: 'ready' }
  | TraceViewRequest
  | { type: 'rendered'; window: RenderedWindow }
  | { type: 'selected'; seq: number | undefined; summary?: string }
  | { type: 'openSource'; file: string; line: number; column?: number; process?: string }
  | { type: 'export'; format: ExportFormat }
  | { type: 'loadFile' }
  | { type: 'showSystem' };
