// The packet-drop test of the XDP paper (Høiland-Jørgensen et al., CoNEXT
// 2018), run in the simulator: 64-byte frames from the peer on a 100 Gb/s
// link, faster than one core takes them, dropped as early as each design
// allows. The time per frame is measured from the run and compared with the
// published figures stored beside the cost profiles; what the kernel counted
// per frame shows why the designs differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureDrop, type DropMeasurement } from '../../../simulator/bench/calibrate';
import { DEFAULT_COST_PROFILE, costProfile } from '../../../simulator/kernel/costs/costProfiles';
import { PUBLISHED_FIGURES, bandLimits } from '../../../simulator/kernel/costs/publishedFigures';
import type { Configuration } from '../../../simulator/config/configurations';
import { parseScenario } from '../../../simulator/config/scenario';
import { runScenario } from '../../../simulator/system/scenarios';
import { formatSummary } from '../../../simulator/system/summary';

const profile = costProfile(DEFAULT_COST_PROFILE);
const runs = new Map<Configuration, DropMeasurement>();
const measured = (c: Configuration): DropMeasurement => {
  let m = runs.get(c);
  if (m === undefined) runs.set(c, (m = measureDrop(c, profile)));
  return m;
};

for (const id of ['monolithic/per-packet', 'kernel-bypass/per-packet'] as const) {
  test(`${id}: the time per dropped frame, measured, is within the band of the published figure`, () => {
    const f = PUBLISHED_FIGURES.find((x) => x.id === id)!;
    assert.equal(f.measure.kind, 'per-packet');
    const m = measured(f.measure.kind === 'per-packet' ? f.measure.configuration : 'monolithic');
    const { low, high } = bandLimits(f);
    assert.ok(m.nsPerPacket >= low && m.nsPerPacket <= high, `${id}: ${m.nsPerPacket.toFixed(1)} ns per frame, published ${f.published} ns (${low}..${high}; ${f.source})`);
  });
}

test('kernel-bypass: no kernel entry, no context switch and no interrupt on the data path', () => {
  const m = measured('kernel-bypass');
  assert.ok(m.frames > 50_000, `${m.frames} frames`);
  // Whatever the kernel does in the window (RS's and DS's timers) is not per frame.
  assert.ok(m.kernelEntriesPerPacket < 0.001, `${m.kernelEntriesPerPacket} kernel entries per frame`);
  assert.ok(m.contextSwitchesPerPacket < 0.001, `${m.contextSwitchesPerPacket} context switches per frame`);
  assert.equal(m.interruptsPerPacket, 0);
});

test('monolithic: under overload the driver keeps polling with interrupts masked (NAPI), and reaches the stack by function calls, not switches', () => {
  const m = measured('monolithic');
  assert.ok(m.interruptsPerPacket < 1 / 16, `${m.interruptsPerPacket} interrupts per frame`);
  assert.ok(m.contextSwitchesPerPacket < 0.01, `${m.contextSwitchesPerPacket} context switches per frame`);
});

test('microkernel: the same stack behind a user-mode driver costs more per frame than in the kernel, and more again with a strict IOMMU', () => {
  const mono = measured('monolithic');
  const micro = measured('microkernel');
  const strict = measured('microkernel-iommu');
  assert.ok(micro.nsPerPacket > 1.5 * mono.nsPerPacket, `microkernel ${micro.nsPerPacket.toFixed(0)} ns, monolithic ${mono.nsPerPacket.toFixed(0)} ns`);
  assert.ok(micro.contextSwitchesPerPacket > 0.01, 'the driver and the network server are processes that take turns');
  assert.ok(strict.nsPerPacket > 1.5 * micro.nsPerPacket, `strict IOMMU ${strict.nsPerPacket.toFixed(0)} ns, none ${micro.nsPerPacket.toFixed(0)} ns`);
});

test('a received stream with a count ends when the count has arrived, and the summary says how many were received, with or without the kernel on the path', () => {
  for (const configuration of ['microkernel-iommu', 'monolithic', 'kernel-bypass'] as const) {
    const parsed = parseScenario(
      JSON.stringify({
        name: 'rx-count',
        system: 'default',
        configuration,
        seed: 3,
        duration: '200ms',
        workload: [{ kind: 'packet-stream', ratePerSecond: 20_000, sizeBytes: 64, direction: 'rx', count: 500, start: '10ms' }],
        faults: [],
      }),
      'rx-count.json',
    );
    assert.ok(parsed.scenario !== undefined, JSON.stringify(parsed.diagnostics));
    const summary = runScenario(parsed.scenario);
    assert.equal(summary.network.packetsReceived, 500, configuration);
    assert.deepEqual(summary.workloads.map((w) => w.state), ['done'], configuration);
    assert.equal(summary.outcome, 'ok', configuration);
    assert.match(formatSummary(summary), /, 500 received/, configuration);
  }
});
