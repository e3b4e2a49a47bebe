// Shared traces for the trace-view tests: a real S1 run through a NIC crash and
// restart, and a synthetic trace with many events.
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import type { RunningSystem } from '../../../simulator/system/boot';
import { modelForFile, modelForSystem } from '../../../simulator/system/traceNames';
import { syntheticTrace } from '../../../simulator/trace/synthetic';
import type { TraceModel } from '../../../simulator/trace/model';
import { secondsToCycles } from '../../../simulator/time/time';

/** S1's first NIC crash is at one simulated minute; three minutes include it and the restart. */
export const S1_SECONDS = 180;

let s1: RunningSystem | undefined;
export function s1System(): RunningSystem {
  if (s1 === undefined) {
    s1 = bootScenario(builtinScenario('s1'));
    s1.run({ untilCycles: secondsToCycles(S1_SECONDS, s1.clockHz) });
  }
  return s1;
}

export function s1Model(): TraceModel {
  return modelForSystem(s1System());
}

export function syntheticModel(events: number, seed = 3, summary: 'auto' | 'always' | 'never' = 'auto'): TraceModel {
  const { trace, endpointNames } = syntheticTrace(events, seed);
  return modelForFile({ trace, meta: { scenario: 'synthetic', configuration: 'microkernel-iommu', seed, costProfile: 'sel4-skylake', clockHz: 3.4e9, endpointNames } }, summary);
}

/** Events in [from, to) by a plain walk over the recorder. */
export function bruteForce(model: TraceModel, from: number, to: number, keep: (slot: number) => boolean = () => true): number[] {
  const t = model.trace;
  const out: number[] = [];
  for (let seq = t.firstSeq; seq < t.endSeq; seq++) {
    const i = seq % t.capacity;
    if (t.time[i]! >= from && t.time[i]! < to && keep(i)) out.push(seq);
  }
  return out;
}
