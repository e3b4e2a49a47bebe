// The campaign view's fault campaign, run in the worker thread: the trials one
// after another, yielding to the worker's message loop between them so that a
// cancel is heard, with a progress event (and the summary so far) after each.
import { writeFileSync } from 'node:fs';
import type { CampaignRequests } from '../../simulator/protocol/campaignProtocol';
import {
  CampaignTally, OUTCOME_CLASSES, OUTCOME_MEANING, campaignMarkdown, campaignOptions, parseTrialId, planTrial, replayTrial, runTrial, trialCount,
} from '../../simulator/campaign/campaign';
import { INJECTABLE_FAULTS } from '../../simulator/config/faultTypes';
import { CONFIGURATION_TABLE } from '../../simulator/config/configurations';
import { traceFileBytes } from '../../simulator/system/traceNames';
import { FAULT_DESCRIPTIONS } from './session';
import type { HandlersFor, WorkerContext } from './workerContext';

/** The most trials one campaign of the view runs (the command line runs any number, on every core). */
const MAX_VIEW_TRIALS = 10_000;

export function campaignHandlers(ctx: WorkerContext): HandlersFor<CampaignRequests> {
  let running: { cancelled: boolean } | null = null;
  return {
    campaignChoices: () => ({
      types: INJECTABLE_FAULTS.map((name) => ({ name, description: FAULT_DESCRIPTIONS[name] })),
      configurations: CONFIGURATION_TABLE.map((c) => ({ name: c.name, description: c.description })),
      outcomes: OUTCOME_CLASSES.map((name) => ({ name, description: OUTCOME_MEANING[name] })),
    }),
    campaignRun: async (params) => {
      if (running !== null) throw new Error('a campaign is already running; cancel it first');
      if (params.types.length === 0) throw new Error('choose at least one fault type');
      if (params.configurations.length === 0) throw new Error('choose at least one configuration');
      const options = campaignOptions({ types: params.types, configurations: params.configurations, faults: params.faults, faultsPerTrial: params.faultsPerTrial, seed: params.seed });
      const total = trialCount(options);
      if (total > MAX_VIEW_TRIALS) throw new Error(`${total} trials is more than the view runs (${MAX_VIEW_TRIALS}); run larger campaigns with mklab campaign, on every core`);
      const tally = new CampaignTally(options);
      const state = { cancelled: false };
      running = state;
      try {
        for (let i = 0; i < total; i++) {
          // Let the worker read its messages (a cancel) before each trial.
          await new Promise((resolve) => setImmediate(resolve));
          if (state.cancelled) break;
          tally.add(runTrial(planTrial(options, i), i));
          ctx.post({ kind: 'event', event: 'campaignProgress', body: { done: i + 1, total, summary: tally.summary() } });
        }
        const summary = tally.summary();
        return { summary, cancelled: state.cancelled, markdown: campaignMarkdown(summary) };
      } finally {
        running = null;
      }
    },
    campaignTrace: (params) => {
      const spec = parseTrialId(params.id);
      const { result: r, system: s, endpointNames } = replayTrial(spec);
      writeFileSync(params.file, traceFileBytes(s.sim.trace, {
        scenario: `trial ${r.id}`,
        configuration: spec.configuration,
        seed: spec.seed,
        costProfile: s.sim.cost.name,
        clockHz: s.clockHz,
        endpointNames,
        dropped: s.sim.trace.dropped,
      }));
      return { file: params.file, events: s.sim.trace.size, outcome: r.outcome, reason: r.reason };
    },
    campaignCancel: () => {
      if (running === null) return { cancelling: false };
      running.cancelled = true;
      return { cancelling: true };
    },
  };
}
