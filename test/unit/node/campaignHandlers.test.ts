// The campaign view's campaign in the worker: trial by trial with the summary so far in a progress
// event after each, the same summary as `mklab campaign`, a cancel heard between trials, bad
// parameters refused with a message, and a trial's trace by its id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaignHandlers } from '../../../node/worker/campaignHandlers';
import { Session } from '../../../node/worker/session';
import type { WorkerToHost } from '../../../simulator/protocol/workerProtocol';
import type { CampaignProgress } from '../../../simulator/protocol/campaignProtocol';
import { campaignCommand } from '../../../node/cli/campaignCommand';
import { TraceFileError, decodeTrace } from '../../../simulator/trace/traceFile';

function handlers() {
  const events: CampaignProgress[] = [];
  const h = campaignHandlers({ session: new Session(), post: (m: WorkerToHost) => void (m.kind === 'event' && m.event === 'campaignProgress' && events.push(m.body)) });
  return { h, events };
}

test('the choices are the injector\'s fault types, every configuration and the outcome classes with their meaning', async () => {
  const { h } = handlers();
  const c = await h.campaignChoices({});
  assert.deepEqual(c.types.map((t) => t.name).slice(0, 2), ['crash', 'hang']);
  assert.ok(c.types.every((t) => t.description.length > 20));
  assert.equal(c.configurations.length, 7);
  assert.deepEqual(c.outcomes.map((o) => o.name), ['no-effect', 'request-retried', 'crash-recovered', 'hang-recovered', 'driver-failed', 'data-corrupted', 'system-failure']);
});

test('a campaign reports the summary so far after each trial and ends with the summary mklab campaign prints', async () => {
  const { h, events } = handlers();
  const params = { types: ['crash', 'wild-write'], configurations: ['microkernel', 'monolithic'], faults: 4, faultsPerTrial: 1, seed: 5 };
  const outcome = await h.campaignRun(params);
  assert.equal(outcome.cancelled, false);
  assert.deepEqual(events.map((e) => [e.done, e.total, e.summary.trials]), [[1, 4, 1], [2, 4, 2], [3, 4, 3], [4, 4, 4]]);
  const out: string[] = [];
  const cli = await campaignCommand(['--types', 'crash,wild-write', '--configs', 'microkernel,monolithic', '--faults', '4', '--seed', '5', '--json'], {
    out: (s) => out.push(s), err: () => undefined, progressStream: { isTTY: false, write: () => true },
  });
  assert.equal(cli, 0);
  const fromCli = JSON.parse(out.join(''));
  assert.deepEqual(outcome.summary.rows, fromCli.rows);
  assert.match(outcome.markdown, /^\| crash \| microkernel \| 1 \| 1 \|/m);
});

test('a cancel stops the campaign after the trial under way; bad parameters are refused with a message', async () => {
  const { h, events } = handlers();
  const run = h.campaignRun({ types: ['crash'], configurations: ['microkernel'], faults: 500, faultsPerTrial: 1, seed: 1 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(h.campaignCancel({}), { cancelling: true });
  const outcome = await run;
  assert.equal(outcome.cancelled, true);
  assert.ok(outcome.summary.trials < 500 && outcome.summary.trials === events.length, `${outcome.summary.trials} trials`);
  assert.deepEqual(h.campaignCancel({}), { cancelling: false });
  await assert.rejects(Promise.resolve().then(() => h.campaignRun({ types: [], configurations: ['microkernel'], faults: 1, faultsPerTrial: 1, seed: 1 })), /choose at least one fault type/);
  await assert.rejects(Promise.resolve().then(() => h.campaignRun({ types: ['melt'], configurations: ['microkernel'], faults: 1, faultsPerTrial: 1, seed: 1 })), /unknown fault type 'melt'/);
  await assert.rejects(Promise.resolve().then(() => h.campaignRun({ types: ['crash'], configurations: ['microkernel'], faults: 20_000, faultsPerTrial: 1, seed: 1 })), /more than the view runs/);
});

test('a trial\'s trace, by its id, is saved as a .mktrace the trace view reads', async () => {
  const { h } = handlers();
  const file = join(mkdtempSync(join(tmpdir(), 'mklab-trial-')), 'trial.mktrace');
  const saved = await h.campaignTrace({ id: 'monolithic:nic:crash:1:00000001', file });
  assert.equal(saved.outcome, 'system-failure');
  assert.match(saved.reason, /^kernel panic: nic/);
  const trace = decodeTrace(readFileSync(file), file);
  assert.ok(!(trace instanceof TraceFileError), String(trace));
  assert.equal(trace.meta.configuration, 'monolithic');
  assert.ok(trace.trace.size === saved.events && saved.events > 100);
  await assert.rejects(Promise.resolve().then(() => h.campaignTrace({ id: 'nonsense', file })), /not a trial id/);
});
