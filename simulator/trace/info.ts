// The summary a view opens a trace with: lanes, time range, counts, names.
import type { TraceInfo, TraceSourceInfo } from '../protocol/traceProtocol';
import { TraceKind } from './kinds';
import type { TraceModel } from './model';

export function traceInfo(model: TraceModel, source: TraceSourceInfo, dropped = model.trace.dropped): TraceInfo {
  model.refresh();
  const t = model.trace;
  const empty = t.size === 0;
  return {
    source,
    lanes: model.allLanes(),
    startCycles: empty ? 0 : t.timeAt(t.firstSeq),
    endCycles: empty ? 0 : t.timeAt(t.endSeq - 1),
    clockHz: model.clockHz,
    eventCount: t.size,
    firstSeq: t.firstSeq,
    endSeq: t.endSeq,
    dropped,
    kinds: Object.entries(TraceKind).map(([name, kind]) => ({ kind, name })),
    messageTypes: model.naming.messageTypes(),
  };
}

/** endpointNames for a trace file: every endpoint a lane has had. */
export function laneEndpointNames(model: TraceModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lane of model.allLanes()) for (const ep of lane.endpoints) out[String(ep)] = lane.label;
  return out;
}
