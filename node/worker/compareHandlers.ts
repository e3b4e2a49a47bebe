// The benchmark view's comparison, run in the worker thread: the runs one
// after another, yielding to the worker's message loop between them so that a
// cancel is heard, with a progress event after each.
import type { CompareRequests } from '../../simulator/protocol/compareProtocol';
import { writeFileSync } from 'node:fs';
import { traceFileBytes } from '../../simulator/system/traceNames';
import { secondsToCycles } from '../../simulator/time/time';
import { COMPARE_WORKLOADS, assembleCompare, bootCompareRun, compareCsv, compareMarkdown, isCompareWorkload, measureRun, planCompare, type CompareResult } from '../../simulator/bench/compare';
import { CONFIGURATION_TABLE, isConfiguration } from '../../simulator/config/configurations';
import { DEFAULT_COST_PROFILE, costProfiles } from '../../simulator/kernel/costs/costProfiles';
import type { HandlersFor, WorkerContext } from './workerContext';

const MAX_SEEDS = 100;
const MAX_DURATION_SECONDS = 10;

export function compareHandlers(ctx: WorkerContext): HandlersFor<CompareRequests> {
  let running: { cancelled: boolean } | null = null;
  return {
    compareChoices: () => ({
      workloads: Object.entries(COMPARE_WORKLOADS).map(([name, w]) => ({ name, description: w.description })),
      configurations: CONFIGURATION_TABLE.map((c) => ({ name: c.name, description: c.description })),
      profiles: Object.keys(costProfiles),
      defaultProfile: DEFAULT_COST_PROFILE,
    }),
    compareRun: async (params) => {
      if (running !== null) throw new Error('a comparison is already running; cancel it first');
      if (!isCompareWorkload(params.workload)) throw new Error(`unknown workload '${params.workload}' (available: ${Object.keys(COMPARE_WORKLOADS).join(', ')})`);
      if (params.configurations.length === 0) throw new Error('choose at least one configuration');
      for (const c of params.configurations) if (!isConfiguration(c)) throw new Error(`unknown configuration '${c}'`);
      if (costProfiles[params.profile] === undefined) throw new Error(`unknown cost profile '${params.profile}'`);
      if (!Number.isInteger(params.seeds) || params.seeds < 1 || params.seeds > MAX_SEEDS) throw new Error(`seeds must be an integer from 1 to ${MAX_SEEDS}`);
      if (!(params.durationSeconds > 0 && params.durationSeconds <= MAX_DURATION_SECONDS)) throw new Error(`the duration must be more than 0 and at most ${MAX_DURATION_SECONDS} s`);
      const runs = planCompare({
        workload: params.workload,
        configurations: params.configurations.filter(isConfiguration),
        profile: params.profile,
        seeds: Array.from({ length: params.seeds }, (_, i) => i + 1),
        durationSeconds: params.durationSeconds,
      });
      const state = { cancelled: false };
      running = state;
      try {
        const results: CompareResult[] = [];
        for (const run of runs) {
          // Let the worker read its messages (a cancel) before each run.
          await new Promise((resolve) => setImmediate(resolve));
          if (state.cancelled) return { report: null, cancelled: true, markdown: '', csv: '' };
          results.push(measureRun(run));
          ctx.post({ kind: 'event', event: 'compareProgress', body: { done: results.length, total: runs.length, config: run.configuration } });
        }
        const report = assembleCompare(runs, results);
        return { report, cancelled: false, markdown: compareMarkdown(report), csv: compareCsv(report) };
      } finally {
        running = null;
      }
    },
    compareTrace: (params) => {
      if (!isCompareWorkload(params.workload)) throw new Error(`unknown workload '${params.workload}'`);
      if (!isConfiguration(params.configuration)) throw new Error(`unknown configuration '${params.configuration}'`);
      if (costProfiles[params.profile] === undefined) throw new Error(`unknown cost profile '${params.profile}'`);
      if (!(params.durationSeconds > 0 && params.durationSeconds <= MAX_DURATION_SECONDS)) throw new Error(`the duration must be more than 0 and at most ${MAX_DURATION_SECONDS} s`);
      const system = bootCompareRun({ workload: params.workload, configuration: params.configuration, profile: params.profile, seed: 1, durationSeconds: params.durationSeconds }, { enabled: true });
      const names = new Map<number, string>();
      for (const p of system.sim.processes()) names.set(p.endpoint, p.name);
      const unsubscribe = system.sim.on('processCreated', (p) => names.set(p.endpoint, p.name));
      system.run({ untilCycles: secondsToCycles(params.durationSeconds, system.clockHz) });
      unsubscribe();
      writeFileSync(params.file, traceFileBytes(system.sim.trace, {
        scenario: `compare-${params.workload}`,
        configuration: params.configuration,
        seed: 1,
        costProfile: params.profile,
        clockHz: system.clockHz,
        endpointNames: Object.fromEntries([...names].map(([ep, name]) => [String(ep), name])),
        dropped: system.sim.trace.dropped,
      }));
      return { file: params.file, events: system.sim.trace.size };
    },
    compareCancel: () => {
      if (running === null) return { cancelling: false };
      running.cancelled = true;
      return { cancelling: true };
    },
  };
}
