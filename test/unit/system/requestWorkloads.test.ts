// The request workloads as a user runs them in a scenario: the ping-pong's
// clients finish their round trips, and the request-response service shows
// queueing in its tail latency only when it is loaded near its capacity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../../simulator/config/scenario';
import { runScenario } from '../../../simulator/system/scenarios';
import { formatSummary } from '../../../simulator/system/summary';

function run(workload: object, duration = '100ms') {
  const text = JSON.stringify({ name: 'req', system: 'default', configuration: 'microkernel-iommu', seed: 1, duration, workload: [workload] });
  const parsed = parseScenario(text, 'req.json');
  assert.ok(parsed.scenario, JSON.stringify(parsed.diagnostics));
  return runScenario(parsed.scenario, { trace: { enabled: false, capacity: 1 } });
}

test('ipc-pingpong: every client makes its round trips and ends; the summary reports them', () => {
  const s = run({ kind: 'ipc-pingpong', clients: 2, messages: 500 });
  assert.deepEqual(s.workloads.map((w) => [w.kind, w.state]), [['ipc-pingpong', 'done'], ['ipc-pingpong', 'done']]);
  const r = s.requests.find((x) => x.kind === 'ipc-pingpong')!;
  assert.equal(r.completed, 1000);
  assert.equal(r.failed, 0);
  assert.equal(s.outcome, 'ok');
  assert.match(formatSummary(s), /^ipc-pingpong: 1000 done, 0 failed; latency p50 [\d.]+ ns/m);
});

test('request-response: unloaded, every request takes the same time; near capacity, queueing shows in the tail', () => {
  const light = run({ kind: 'request-response', ratePerSecond: 10_000, requestBytes: 64, responseBytes: 1024 }).requests[0]!;
  assert.equal(light.completed, 1000);
  assert.equal(light.latencyNs!.p50, light.latencyNs!.p99, 'no request waits for another at 10,000/s');
  // The service takes about 0.7 µs a request: 1.3 million a second is near its capacity.
  const heavy = run({ kind: 'request-response', ratePerSecond: 1_300_000, requestBytes: 64, responseBytes: 1024 }).requests[0]!;
  assert.ok(heavy.completed > 0.95 * 130_000, `${heavy.completed} requests answered of 130,000 due`);
  assert.ok(heavy.latencyNs!.p50 >= light.latencyNs!.p50);
  assert.ok(heavy.latencyNs!.p999 > 5 * heavy.latencyNs!.p50, `p99.9 ${heavy.latencyNs!.p999} ns against p50 ${heavy.latencyNs!.p50} ns`);
});
