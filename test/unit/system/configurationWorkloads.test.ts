// Every configuration runs every workload: each pair boots, runs 60 ms of
// simulated time (300 ms for the CD, whose first seek alone takes 80 ms),
// ends as expected ("ok"), its workload made progress (monolithic-
// containers runs two copies), and no device overwrote memory it may not reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../../simulator/config/scenario';
import { runScenario } from '../../../simulator/system/scenarios';
import { CONFIGURATIONS } from '../../../simulator/config/configurations';
import type { SystemSummary } from '../../../simulator/system/summary';

const WORKLOADS: Record<string, { item: Record<string, unknown>; progressed: (s: SystemSummary) => boolean }> = {
  'ipc-pingpong': { item: { kind: 'ipc-pingpong', clients: 2, messages: 500 }, progressed: (s) => s.requests[0]!.completed >= 1000 },
  'packet-stream tx': { item: { kind: 'packet-stream', ratePerSecond: 10_000, sizeBytes: 64, direction: 'tx' }, progressed: (s) => s.network.packetsDelivered > 400 },
  'packet-stream rx': { item: { kind: 'packet-stream', ratePerSecond: 10_000, sizeBytes: 64, direction: 'rx' }, progressed: (s) => s.network.packetsReceived > 400 },
  'request-response ipc': { item: { kind: 'request-response', ratePerSecond: 10_000 }, progressed: (s) => s.requests[0]!.completed > 400 && s.requests[0]!.failed === 0 },
  'request-response network': { item: { kind: 'request-response', ratePerSecond: 10_000, transport: 'network' }, progressed: (s) => s.requests[0]!.completed > 400 && s.requests[0]!.failed === 0 },
  'block-read': { item: { kind: 'block-read', blocks: 20 }, progressed: (s) => s.workloads.every((w) => w.state === 'done') },
  'cd-read': { item: { kind: 'cd-read', path: '/README.TXT' }, progressed: (s) => s.workloads.every((w) => w.state === 'done') },
  print: { item: { kind: 'print', bytes: 200 }, progressed: (s) => s.workloads.every((w) => w.state === 'done') },
};

for (const configuration of CONFIGURATIONS) {
  test(`${configuration} runs every workload`, () => {
    for (const [name, { item, progressed }] of Object.entries(WORKLOADS)) {
      const duration = name === 'cd-read' ? '300ms' : '60ms';
      const parsed = parseScenario(JSON.stringify({ name, system: 'default', configuration, seed: 1, duration, workload: [item], faults: [] }), `${name}.json`);
      assert.ok(parsed.scenario !== undefined, `${name}: ${JSON.stringify(parsed.diagnostics)}`);
      const summary = runScenario(parsed.scenario);
      assert.equal(summary.outcome, 'ok', `${configuration} × ${name}: ${summary.outcome}`);
      // Every DMA of a normal run reaches memory its device may reach: the DMA check finds nothing.
      assert.equal(summary.corruption.count, 0, `${configuration} × ${name}: ${JSON.stringify(summary.corruption.first)}`);
      assert.ok(progressed(summary), `${configuration} × ${name}: no progress (${JSON.stringify({ workloads: summary.workloads, network: summary.network, requests: summary.requests.map((r) => [r.completed, r.failed]) })})`);
    }
  });
}
