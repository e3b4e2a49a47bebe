// The trace views' requests: windows, details, search and export of the trace.
import type { TraceRequests } from '../protocol/traceProtocol';
import type { HandlersFor, WorkerContext } from './workerContext';

export function traceHandlers(_ctx: WorkerContext): HandlersFor<TraceRequests> {
  return {};
}
