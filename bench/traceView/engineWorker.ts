// The benchmark's stand-in for the simulator worker, running in a Web Worker of
// the page: builds a trace of a million events (the S1 scenario's own trace,
// repeated end to end) and answers the view's requests with the real query engine.
import { traceNaming } from '../../simulator/system/traceNames';
import type { TraceInfo } from '../../simulator/protocol/traceProtocol';
import { bootScenario, builtinScenario } from '../../simulator/system/scenarios';
import { traceKindNames } from '../../simulator/trace/kinds';
import { TraceModel } from '../../simulator/trace/model';
import { TraceRecorder } from '../../simulator/trace/recorder';
import { traceWindow } from '../../simulator/trace/window';

declare const self: { postMessage(m: unknown): void; onmessage: ((e: { data: { id: number; method: string; params: never } }) => void) | null };

const target = Number(new URL(location.href).searchParams.get('events') ?? 1_000_000);

function buildTrace(): { trace: TraceRecorder; runMs: number; names: Map<number, string>; clockHz: number } {
  const started = performance.now();
  const scenario = builtinScenario('s1');
  const system = bootScenario(scenario);
  system.run({ untilCycles: scenario.duration.cycles });
  const clockHz = system.clockHz;
  const source = (system.machine.sim as unknown as { trace: TraceRecorder }).trace;
  const runMs = performance.now() - started;
  const trace = new TraceRecorder({ capacity: target, mode: 'stop' });
  for (const s of source.strings.all().slice(1)) trace.strings.intern(s);
  const first = source.firstSeq;
  const end = source.endSeq;
  const span = source.timeAt(end - 1) - source.timeAt(first) + 1_000_000;
  for (let copy = 0; trace.size < target; copy++) {
    const offset = copy * span;
    for (let seq = first; seq < end && trace.size < target; seq++) {
      const i = seq % source.capacity;
      trace.record(source.time[i]! + offset, source.kind[i]! as never, source.src[i]!, source.dst[i]!, source.a[i]!, source.b[i]!, source.c[i]!, source.label[i]!);
    }
  }
  const names = new Map(system.snapshot().processes.map((p) => [p.endpoint, p.label] as [number, string]));
  return { trace, runMs, names, clockHz };
}

const buildStarted = performance.now();
const { trace, runMs, names, clockHz } = buildTrace();
const buildMs = performance.now() - buildStarted;
const naming = traceNaming();
const model = new TraceModel(trace, naming, { clockHz, endpointNames: names });
const indexStarted = performance.now();
model.refresh();
const indexMs = performance.now() - indexStarted;

function info(): TraceInfo {
  return {
    source: { kind: 'file', name: 'bench.mktrace', scenario: 's1', configuration: 'microkernel-iommu', seed: 1 },
    lanes: Array.from({ length: model.laneCount }, (_, i) => model.lane(i)),
    startCycles: trace.timeAt(trace.firstSeq),
    endCycles: trace.timeAt(trace.endSeq - 1),
    clockHz,
    eventCount: trace.size,
    firstSeq: trace.firstSeq,
    endSeq: trace.endSeq,
    dropped: 0,
    kinds: Object.entries(traceKindNames).map(([kind, name]) => ({ kind: Number(kind), name })),
    messageTypes: naming.messageTypes(),
  };
}

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
    } else if (method === 'stats') result = { windowMs };
    else throw new Error(`the benchmark's host does not answer '${method}'`);
    self.postMessage({ id, ok: true, result });
  } catch (err) {
    self.postMessage({ id, ok: false, error: (err as Error).message });
  }
};
self.postMessage({ ready: true, events: trace.size, buildMs, runMs, indexMs, lanes: model.laneCount });
