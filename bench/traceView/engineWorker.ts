// The benchmark's stand-in for the simulator worker, running in a Web Worker of
// the page: opens the benchmark's .mktrace file from its bytes (transferred by the
// page, as the extension's worker gets a file's bytes from the editor) and answers
// the view's requests with the real query engine, as the extension's worker does.
import type { TraceInfo } from '../../simulator/protocol/traceProtocol';
import { traceNaming } from '../../simulator/system/traceNames';
import { traceKindNames } from '../../simulator/trace/kinds';
import { TraceModel } from '../../simulator/trace/model';
import { decodeTrace, TraceFileError } from '../../simulator/trace/traceFile';
import { traceWindow } from '../../simulator/trace/window';

declare const self: { postMessage(m: unknown): void; onmessage: ((e: { data: { id: number; method: string; params: never } }) => void) | null };

function open(file: string, bytes: Uint8Array): void {
  const decodeStarted = performance.now();
  const decoded = decodeTrace(bytes, file);
  if (decoded instanceof TraceFileError) throw decoded;
  const decodeMs = performance.now() - decodeStarted;
  const { trace, meta } = decoded;
  const naming = traceNaming();
  const names = new Map(Object.entries(meta.endpointNames).map(([k, v]) => [Number(k), v] as [number, string]));
  const model = new TraceModel(trace, naming, { clockHz: meta.clockHz, endpointNames: names });
  const indexStarted = performance.now();
  model.refresh();
  const indexMs = performance.now() - indexStarted;

  const info = (): TraceInfo => ({
    source: { kind: 'file', name: file, scenario: meta.scenario, configuration: meta.configuration, seed: meta.seed },
    lanes: Array.from({ length: model.laneCount }, (_, i) => model.lane(i)),
    startCycles: trace.timeAt(trace.firstSeq),
    endCycles: trace.timeAt(trace.endSeq - 1),
    clockHz: meta.clockHz,
    eventCount: trace.size,
    firstSeq: trace.firstSeq,
    endSeq: trace.endSeq,
    dropped: 0,
    kinds: Object.entries(traceKindNames).map(([kind, name]) => ({ kind: Number(kind), name })),
    messageTypes: naming.messageTypes(),
  });

  const windowMs: number[] = [];
  self.onmessage = (e) => {
    const { id, method, params } = e.data;
    try {
      let result: unknown;
      if (method === 'traceInfo') result = info();
      else if (method === 'traceWindow') {
        const started = performance.now();
        result = traceWindow(model, params);
        windowMs.push(performance.now() - started);
      } else if (method === 'stats') result = { windowMs, engineBytes: model.memoryBytes() };
      else throw new Error(`the benchmark's host does not answer '${method}'`);
      self.postMessage({ id, ok: true, result });
    } catch (err) {
      self.postMessage({ id, ok: false, error: (err as Error).message });
    }
  };
  self.postMessage({ ready: true, events: trace.size, fileBytes: bytes.byteLength, decodeMs, indexMs, lanes: model.laneCount });
}

self.onmessage = (e) => {
  const { open: buffer, name } = e.data as unknown as { open: ArrayBuffer; name: string };
  try {
    open(name, new Uint8Array(buffer));
  } catch (err) {
    self.postMessage({ ready: false, error: (err as Error).message });
  }
};
