// The benchmark's trace file, made once in Node by run.mjs: the S1 scenario's own trace
// repeated end to end (each copy shifted in time) up to the asked event count, saved as
// a .mktrace file exactly as `mklab run --trace` saves one (an overview in its head).
import { bootScenario, builtinScenario } from '../../simulator/system/scenarios';
import { TraceRecorder } from '../../simulator/trace/recorder';
import { traceFileBytes } from '../../simulator/system/traceNames';

export function benchTraceFile(events: number): { bytes: Uint8Array; runMs: number } {
  const started = performance.now();
  const scenario = builtinScenario('s1');
  const system = bootScenario(scenario);
  system.run({ untilCycles: scenario.duration.cycles });
  const runMs = performance.now() - started;
  const source = (system.machine.sim as unknown as { trace: TraceRecorder }).trace;
  const trace = new TraceRecorder({ capacity: events, mode: 'stop', allocateAll: true });
  for (const s of source.strings.all().slice(1)) trace.strings.intern(s);
  const first = source.firstSeq;
  const end = source.endSeq;
  const span = source.timeAt(end - 1) - source.timeAt(first) + 1_000_000;
  for (let copy = 0; trace.size < events; copy++) {
    const offset = copy * span;
    for (let seq = first; seq < end && trace.size < events; seq++) {
      const i = seq % source.capacity;
      trace.record(source.time[i]! + offset, source.kind[i]! as never, source.src[i]!, source.dst[i]!, source.a[i]!, source.b[i]!, source.c[i]!, source.label[i]!);
    }
  }
  const endpointNames = Object.fromEntries(system.snapshot().processes.map((p) => [String(p.endpoint), p.label]));
  // As every writer saves a large trace: with an overview in its head.
  const bytes = traceFileBytes(trace, { scenario: 's1', configuration: scenario.configuration, seed: 1, costProfile: scenario.costProfile, clockHz: system.clockHz, endpointNames });
  return { bytes, runMs };
}
