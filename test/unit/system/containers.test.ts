// Containers (S5): each container runs its own copy of the workload. Under
// monolithic-containers they share the kernel and its drivers, so a driver
// fault is a panic that stops every container; under a microkernel the
// driver restarts and every container goes on. The summary states the blast
// radius.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario, runScenario } from '../../../simulator/system/scenarios';
import { formatSummary } from '../../../simulator/system/summary';
import { DEFAULT_CONTAINERS } from '../../../simulator/config/scenario';

const s5 = builtinScenario('s5');

test('s5 under monolithic-containers: the NIC driver crash panics the shared kernel and stops all three containers', () => {
  const summary = runScenario(s5, { configuration: 'monolithic-containers' });
  assert.match(summary.panic?.message ?? '', /^nic: .*injected fault: crash/);
  assert.deepEqual(summary.workloads.map((w) => w.process), ['packet-stream@c1', 'packet-stream@c2', 'packet-stream@c3']);
  assert.deepEqual(summary.blastRadius, { affected: 3, workloads: 3 });
  assert.match(formatSummary(summary), /^blast radius: 3 of 3 workload processes affected/m);
  assert.equal(summary.outcome, 'panic');
  assert.equal(summary.expectedOutcome, 'panic');
  // Three streams of 200 packets a second for the one second before the crash, nothing after.
  assert.ok(summary.network.packetsDelivered <= 600, `${summary.network.packetsDelivered} delivered`);
});

test('s5 under microkernel-iommu: only the driver restarts; every container goes on', () => {
  const system = bootScenario(s5, { configuration: 'microkernel-iommu' });
  system.run({ untilCycles: Math.round(1.5 * s5.clockHz) });
  const mid = system.network.deliveredToPeer;
  system.run({ untilCycles: s5.duration.cycles });
  const summary = system.summary('s5');
  assert.equal(summary.panic, null);
  assert.equal(summary.services.find((s) => s.label === 'nic')?.restarts, 1);
  assert.deepEqual(summary.blastRadius, { affected: 0, workloads: 3 });
  assert.deepEqual(summary.workloads.map((w) => w.state), ['running', 'running', 'running']);
  // From 1.5 s to 5 s the three streams carry on at their 600 packets a second.
  assert.ok(system.network.deliveredToPeer - mid >= 0.95 * 600 * 3.5, `${system.network.deliveredToPeer - mid} delivered after the restart`);
  assert.equal(summary.outcome, 'ok');
});

test('monolithic-containers runs two containers unless the scenario says; other configurations one', () => {
  const s1 = builtinScenario('s1');
  const names = (c: 'monolithic-containers' | 'monolithic') => bootScenario(s1, { configuration: c }).workloads.map((w) => w.name);
  assert.equal(DEFAULT_CONTAINERS, 2);
  assert.deepEqual(names('monolithic-containers'), ['packet-stream@c1', 'packet-stream@c2']);
  assert.deepEqual(names('monolithic'), ['packet-stream']);
});

test('kernel-bypass gives the NIC to one application: several containers that use the NIC are refused, others run', () => {
  assert.throws(() => bootScenario(s5, { configuration: 'kernel-bypass' }), /kernel-bypass gives the NIC to one application: .* one container, not 3/);
  const storage = { ...s5, faults: [], workload: [{ kind: 'print' as const, start: { written: 0, cycles: 0 }, bytes: 100, repeat: 1 }] };
  const summary = runScenario({ ...storage, duration: { written: '1s', cycles: s5.clockHz } }, { configuration: 'kernel-bypass' });
  assert.deepEqual(summary.workloads.map((w) => [w.process, w.state]), [['print@c1', 'done'], ['print@c2', 'done'], ['print@c3', 'done']]);
});
