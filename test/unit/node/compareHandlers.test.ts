// The benchmark view's comparison in the worker: it runs configuration by
// configuration with a progress event after each run, stops when cancelled,
// refuses bad parameters with a message, and returns what `mklab bench
// compare` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareHandlers } from '../../../node/worker/compareHandlers';
import { Session } from '../../../node/worker/session';
import type { WorkerToHost } from '../../../simulator/protocol/workerProtocol';
import type { CompareProgress } from '../../../simulator/protocol/compareProtocol';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceFileError, decodeTrace } from '../../../simulator/trace/traceFile';

function handlers() {
  const events: CompareProgress[] = [];
  const h = compareHandlers({ session: new Session(), post: (m: WorkerToHost) => void (m.kind === 'event' && m.event === 'compareProgress' && events.push(m.body)) });
  return { h, events };
}

test('the choices are the CLI\'s: its workloads, every configuration, every profile', async () => {
  const { h } = handlers();
  const c = await h.compareChoices({});
  assert.ok(c.workloads.some((w) => w.name === 'network-request-response'));
  assert.ok(c.configurations.some((x) => x.name === 'kernel-bypass') && c.configurations.some((x) => x.name === 'monolithic-containers'));
  assert.ok(c.profiles.includes(c.defaultProfile));
});

test('a run reports progress after each configuration and returns the report with its Markdown and CSV', async () => {
  const { h, events } = handlers();
  const outcome = await h.compareRun({ workload: 'network-request-response', configurations: ['microkernel', 'kernel-bypass'], profile: 'sel4-skylake', seeds: 1, durationSeconds: 0.01 });
  assert.equal(outcome.cancelled, false);
  assert.deepEqual(events.map((e) => [e.done, e.total, e.config]), [[1, 2, 'microkernel'], [2, 2, 'kernel-bypass']]);
  assert.deepEqual(outcome.report?.results.map((r) => r.config), ['microkernel', 'kernel-bypass']);
  assert.equal(outcome.report?.results[1]?.context_switches_per_op, 0);
  assert.match(outcome.markdown, /^\| kernel-bypass \| /m);
  assert.match(outcome.csv, /^config,ops,throughput_ops_per_s,/);
});

test('a cancel stops the comparison before its next run; cancelling when nothing runs says so', async () => {
  const { h, events } = handlers();
  assert.deepEqual(await h.compareCancel({}), { cancelling: false });
  const running = h.compareRun({ workload: 'ipc-pingpong', configurations: ['microkernel', 'monolithic', 'microkernel-iommu'], profile: 'sel4-skylake', seeds: 3, durationSeconds: 0.01 });
  // The first run starts after the worker has had a turn at its messages: the cancel is heard before it.
  assert.deepEqual(await h.compareCancel({}), { cancelling: true });
  const outcome = await running;
  assert.deepEqual(outcome, { report: null, cancelled: true, markdown: '', csv: '' });
  assert.ok(events.length < 9, `${events.length} of 9 runs made`);
  await assert.rejects(Promise.resolve(h.compareRun({ workload: 'ipc-pingpong', configurations: [], profile: 'sel4-skylake', seeds: 1, durationSeconds: 0.01 })), /choose at least one configuration/);
});

test('bad parameters are refused with what was expected', async () => {
  const { h } = handlers();
  const base = { workload: 'ipc-pingpong', configurations: ['microkernel'], profile: 'sel4-skylake', seeds: 1, durationSeconds: 0.01 };
  for (const [change, message] of [
    [{ workload: 'teleport' }, /unknown workload 'teleport' \(available: /],
    [{ configurations: ['exokernel'] }, /unknown configuration 'exokernel'/],
    [{ profile: 'pdp-11' }, /unknown cost profile 'pdp-11'/],
    [{ seeds: 0 }, /seeds must be an integer from 1 to 100/],
    [{ durationSeconds: 60 }, /at most 10 s/],
  ] as const) {
    await assert.rejects(Promise.resolve(h.compareRun({ ...base, ...change })), message);
  }
});

test('a configuration of a comparison runs again with its trace on and is saved as a trace the trace view loads', async () => {
  const { h } = handlers();
  const dir = mkdtempSync(join(tmpdir(), 'mklab-compare-trace-'));
  const file = join(dir, 'bypass.mktrace');
  const saved = await h.compareTrace({ workload: 'network-request-response', configuration: 'kernel-bypass', profile: 'sel4-skylake', durationSeconds: 0.02, file });
  assert.equal(saved.file, file);
  assert.ok(saved.events > 100, `${saved.events} events`);
  const decoded = decodeTrace(readFileSync(file), 'bypass.mktrace');
  assert.ok(!(decoded instanceof TraceFileError), String(decoded));
  assert.equal(decoded.meta.configuration, 'kernel-bypass');
  assert.ok(Object.values(decoded.meta.endpointNames).includes('rr-server'));
});
