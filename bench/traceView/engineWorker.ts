// The benchmark's stand-in for the simulator worker, running in a Web Worker of
// the page. As the extension's worker does, it opens the .mktrace file's head
// first (its overview answers the trace's description and whole-trace windows),
// then, once the view has painted from it, the whole file (fetched here, off
// the page's thread, as the extension host reads it off the view's), answering
// what needs the events once they are indexed, with the real query engine.
import type { TraceInfo, TraceWindowParams } from '../../simulator/protocol/traceProtocol';
import { traceNaming } from '../../simulator/system/traceNames';
import { traceKindNames } from '../../simulator/trace/kinds';
import { TraceModel } from '../../simulator/trace/model';
import { OpenOverview } from '../../simulator/trace/overview';
import { decodeTrace, decodeTraceHead, TraceFileError, type TraceFileMeta } from '../../simulator/trace/traceFile';
import { traceWindow } from '../../simulator/trace/window';

type Request = { id: number; method: string; params: never };
declare const self: { postMessage(m: unknown): void; onmessage: ((e: { data: Request | { openHead: ArrayBuffer; name: string } | { loadEvents: string } }) => void) | null };

const naming = traceNaming();
const kinds = Object.entries(traceKindNames).map(([kind, name]) => ({ kind: Number(kind), name }));
let head: { info: TraceInfo; overview: OpenOverview } | undefined;
let full: { info: () => TraceInfo; model: TraceModel } | undefined;
/** Requests that need the events, answered once they are indexed. */
const waiting: Request[] = [];
const windowMs: number[] = [];

function source(name: string, meta: TraceFileMeta): TraceInfo['source'] {
  return { kind: 'file', name, scenario: meta.scenario, configuration: meta.configuration, seed: meta.seed };
}

function openHead(name: string, bytes: Uint8Array): void {
  const started = performance.now();
  const h = decodeTraceHead(bytes, name);
  if (h instanceof TraceFileError) throw h;
  if (h.overview === undefined) throw new Error(`${name} has no overview: the benchmark's trace is large enough to have one`);
  const o = h.overview;
  const info: TraceInfo = {
    source: source(name, h.meta),
    lanes: o.lanes,
    startCycles: o.startCycles,
    endCycles: o.endCycles,
    clockHz: h.meta.clockHz,
    eventCount: h.count,
    firstSeq: h.firstSeq,
    endSeq: h.firstSeq + h.count,
    dropped: 0,
    kinds,
    messageTypes: naming.messageTypes(),
  };
  head = { info, overview: new OpenOverview(o, h.firstSeq + h.count) };
  self.postMessage({ ready: true, events: h.count, headBytes: bytes.byteLength, headMs: performance.now() - started, lanes: o.lanes.length });
}

/** Events indexed between two requests, as the extension's worker indexes a file whose head is open (traceHandlers.ts). */
const INDEX_SLICE_EVENTS = 200_000;

async function open(name: string): Promise<void> {
  const fetchStarted = performance.now();
  const bytes = new Uint8Array(await (await fetch(name)).arrayBuffer());
  const fetchMs = performance.now() - fetchStarted;
  const decodeStarted = performance.now();
  const decoded = decodeTrace(bytes, name);
  if (decoded instanceof TraceFileError) throw decoded;
  const decodeMs = performance.now() - decodeStarted;
  const { trace, meta } = decoded;
  const names = new Map(Object.entries(meta.endpointNames).map(([k, v]) => [Number(k), v] as [number, string]));
  const model = new TraceModel(trace, naming, { clockHz: meta.clockHz, endpointNames: names });
  const indexStarted = performance.now();
  while (!model.refresh(INDEX_SLICE_EVENTS)) await new Promise((r) => setTimeout(r, 0));
  model.summary?.buildLevels();
  const indexMs = performance.now() - indexStarted;
  full = {
    model,
    info: () => ({
      source: source(name, meta),
      lanes: Array.from({ length: model.laneCount }, (_, i) => model.lane(i)),
      startCycles: trace.timeAt(trace.firstSeq),
      endCycles: trace.timeAt(trace.endSeq - 1),
      clockHz: meta.clockHz,
      eventCount: trace.size,
      firstSeq: trace.firstSeq,
      endSeq: trace.endSeq,
      dropped: 0,
      kinds,
      messageTypes: naming.messageTypes(),
    }),
  };
  self.postMessage({ loaded: true, fileBytes: bytes.byteLength, fetchMs, decodeMs, indexMs });
  for (const r of waiting.splice(0)) answer(r);
}

function answer(r: Request): void {
  const { id, method, params } = r;
  try {
    let result: unknown;
    if (method === 'traceInfo') result = full?.info() ?? head?.info;
    else if (method === 'traceWindow') {
      const started = performance.now();
      if (full !== undefined) result = traceWindow(full.model, params);
      else {
        result = head?.overview.window(params as TraceWindowParams);
        if (result === undefined) {
          waiting.push(r);
          return;
        }
      }
      windowMs.push(performance.now() - started);
    } else if (method === 'stats') result = { windowMs, engineBytes: full?.model.memoryBytes() ?? 0 };
    else throw new Error(`the benchmark's host does not answer '${method}'`);
    self.postMessage({ id, ok: true, result });
  } catch (err) {
    self.postMessage({ id, ok: false, error: (err as Error).message });
  }
}

self.onmessage = (e) => {
  const m = e.data;
  try {
    if ('openHead' in m) openHead(m.name, new Uint8Array(m.openHead));
    else if ('loadEvents' in m) void open(m.loadEvents).catch((err: unknown) => self.postMessage({ ready: false, error: (err as Error).message }));
    else answer(m);
  } catch (err) {
    self.postMessage({ ready: false, error: (err as Error).message });
  }
};
