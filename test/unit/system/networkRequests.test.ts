// Requests over the network (S4, S7): the peer on the wire sends each request
// as a frame and times the response frame, so a request crosses the NIC, its
// driver and the network server, or under kernel-bypass only the server's own
// poll-mode driver. What a request costs is read off the kernel's counts from
// the run; the latencies are the peer's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario, runScenario } from '../../../simulator/system/scenarios';
import { formatSummary, type RequestSummary, type SystemSummary } from '../../../simulator/system/summary';
import type { Configuration } from '../../../simulator/config/configurations';
import { runCompare } from '../../../simulator/bench/compare';

const summaries = new Map<string, SystemSummary>();
function run(scenario: 's4' | 's7', configuration: Configuration): SystemSummary {
  const key = `${scenario}/${configuration}`;
  let s = summaries.get(key);
  if (s === undefined) summaries.set(key, (s = runScenario(builtinScenario(scenario), { configuration })));
  return s;
}
const requests = (s: SystemSummary): RequestSummary => {
  const r = s.requests.find((x) => x.kind === 'request-response');
  assert.ok(r !== undefined && r.latencyNs !== null);
  return r;
};

/** The requests s4 sends in its 190 ms after the start at 20,000/s, less those still in flight at the end. */
const S4_REQUESTS = 3800;

test('s4: every configuration answers every request; kernel-bypass with no kernel entry and no context switch, the microkernel with several of each', () => {
  for (const c of ['microkernel-iommu', 'microkernel-iommu-lazy', 'microkernel', 'monolithic', 'kernel-bypass'] as const) {
    const r = requests(run('s4', c));
    assert.ok(r.completed >= S4_REQUESTS - 2 && r.completed <= S4_REQUESTS, `${c}: ${r.completed} answered`);
    assert.equal(r.failed, 0, c);
  }
  const bypass = requests(run('s4', 'kernel-bypass'));
  assert.deepEqual([bypass.contextSwitchesPerOp, bypass.kernelEntriesPerOp], [0, 0]);
  assert.match(formatSummary(run('s4', 'kernel-bypass')), /per operation 0 context switches, 0 kernel entries/);
  const micro = requests(run('s4', 'microkernel'));
  assert.ok(micro.contextSwitchesPerOp! >= 4, `${micro.contextSwitchesPerOp} context switches per request`);
  const mono = requests(run('s4', 'monolithic'));
  assert.ok(mono.contextSwitchesPerOp! < 0.01 && mono.kernelEntriesPerOp! > 1, 'in the kernel, calls and no switches');
});

test('s4: each layer of isolation adds latency: kernel-bypass < monolithic < microkernel < microkernel with a strict IOMMU', () => {
  const p50 = (c: Configuration) => requests(run('s4', c)).latencyNs!.p50;
  const order: Configuration[] = ['kernel-bypass', 'monolithic', 'microkernel', 'microkernel-iommu'];
  for (let i = 1; i < order.length; i++) assert.ok(p50(order[i - 1]!) < p50(order[i]!), `${order[i - 1]} ${p50(order[i - 1]!)} ns < ${order[i]} ${p50(order[i]!)} ns`);
  // No design beats the wire: a 64-byte request and a 1 KiB response at 1 Gb/s take 6.8 us on it.
  assert.ok(p50('kernel-bypass') > 6_800);
});

test('s7: near saturation the strict-IOMMU microkernel queues (p99 well above p50) while kernel-bypass does not', () => {
  const strict = requests(run('s7', 'microkernel-iommu')).latencyNs!;
  const bypass = requests(run('s7', 'kernel-bypass')).latencyNs!;
  assert.ok(strict.p99 > 1.2 * strict.p50, `strict IOMMU p50 ${strict.p50} ns, p99 ${strict.p99} ns`);
  assert.ok(bypass.p99 < 1.05 * bypass.p50, `kernel-bypass p50 ${bypass.p50} ns, p99 ${bypass.p99} ns`);
  assert.ok(strict.p50 > requests(run('s4', 'microkernel-iommu')).latencyNs!.p50, 'the same design is slower under load');
});

test('a NIC driver crash: with a driver, RS restarts it and requests are answered again; under kernel-bypass the server, which holds the driver, ends, and only it', () => {
  const s4 = builtinScenario('s4');
  const crash = { ...s4, faults: [{ at: { written: '100ms', cycles: Math.round(0.1 * s4.clockHz) }, target: 'nic', type: 'crash' as const, params: {}, repeatEvery: null, count: null }] };
  const restarted = bootScenario(crash, { configuration: 'microkernel-iommu' });
  restarted.run({ untilCycles: 0.12 * s4.clockHz });
  const before = restarted.requests['request-response'].completed;
  restarted.run({ untilCycles: 0.2 * s4.clockHz });
  const summary = restarted.summary('s4');
  assert.equal(summary.services.find((s) => s.label === 'nic')?.restarts, 1);
  assert.ok(restarted.requests['request-response'].completed > before + 1000, 'requests are answered after the restart');

  // Beside the server, an application that does not use the NIC: two IPC ping-pong clients and their server.
  const pingpong = { kind: 'ipc-pingpong' as const, start: { written: '0', cycles: 0 }, clients: 2, messages: 1_000_000 };
  const bypass = bootScenario({ ...crash, workload: [...crash.workload, pingpong] }, { configuration: 'kernel-bypass' });
  bypass.run({ untilCycles: 0.12 * s4.clockHz });
  const pingsBefore = bypass.requests['ipc-pingpong'].completed;
  bypass.run({ untilCycles: 0.2 * s4.clockHz });
  const b = bypass.summary('s4');
  assert.equal(b.panic, null);
  assert.deepEqual(b.workloads.map((w) => [w.process, w.state]), [['rr-server', 'failed'], ['pingpong-client', 'running'], ['pingpong-client', 'running']]);
  assert.deepEqual(b.blastRadius, { affected: 1, workloads: 3 }, 'the fault takes down the application that holds the driver, and only it');
  assert.ok(bypass.requests['ipc-pingpong'].completed > pingsBefore + 1000, 'the other application goes on calling its server after the crash');
  assert.ok(b.requests.find((r) => r.kind === 'request-response')!.completed < 1900, 'nothing is answered after the crash');
  assert.equal(b.integrity.ok, true);
});

test('bench compare runs the network request-response in every configuration and reads its latency off the peer', () => {
  const report = runCompare({ workload: 'network-request-response', configurations: ['microkernel', 'kernel-bypass'], seeds: [1], durationSeconds: 0.02 });
  const [micro, bypass] = report.results;
  assert.ok(micro!.ops > 300 && bypass!.ops > 300);
  assert.equal(bypass!.context_switches_per_op, 0);
  assert.ok(micro!.context_switches_per_op > 4);
  assert.ok(bypass!.latency_ns!.p50 < micro!.latency_ns!.p50);
});

test('a closed loop keeps each client to one request at a time: throughput follows the latency, and latency counts from the send', () => {
  const s4 = builtinScenario('s4');
  const stream = s4.workload[0]!;
  assert.equal(stream.kind, 'request-response');
  for (const transport of ['network', 'ipc'] as const) {
    // A rate no server reaches: in an open loop requests would queue without end; closed, each client waits for its answer.
    const closed = { ...s4, workload: [{ ...stream, transport, ratePerSecond: 10_000_000, loop: 'closed' as const, clients: 4 }] };
    const system = bootScenario(closed, { configuration: 'microkernel-iommu' });
    system.run({ untilCycles: Math.round(0.05 * s4.clockHz) });
    const sink = system.requests['request-response'];
    const r = system.summary('s4').requests[0]!;
    assert.equal(r.failed, 0, transport);
    assert.ok(r.completed > 100, `${transport}: ${r.completed} answered`);
    // Four clients, each waiting for its answer: completed × mean latency ≈ 4 × the 40 ms they ran.
    const busy = (r.completed * r.latencyNs!.mean) / 1e9;
    assert.ok(busy > 0.9 * 4 * 0.04 && busy <= 4 * 0.04 * 1.01, `${transport}: ${r.completed} × ${r.latencyNs!.mean} ns = ${busy.toFixed(4)} s of waiting by 4 clients in 0.04 s`);
    assert.ok(r.latencyNs!.p99 < 5 * r.latencyNs!.p50, `${transport}: no queue builds up (p50 ${r.latencyNs!.p50}, p99 ${r.latencyNs!.p99})`);
    assert.ok(sink.latenciesCycles.length === sink.completed);
  }
});
