// Injected faults in the NIC driver: each ends the way a user expects, RS
// brings the driver back, and a wild DMA is blocked by the IOMMU or else
// found by the kernel's integrity check.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { bootSystem } from '../../../simulator/system/boot';
import { servicePrivilege } from '../../../simulator/config/privileges';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { parseScenario } from '../../../simulator/config/scenario';
import { MAX_FAULTS_PER_RUN } from '../../../simulator/faults/injector';
import { formatSummary } from '../../../simulator/system/summary';
import { DEFAULT_COST_PROFILE, costProfile } from '../../../simulator/kernel/costs/costProfiles';
import { parseSystemConf } from '../../../simulator/config/systemConf';
import type { Configuration } from '../../../simulator/config/configurations';

/** Cycles in a second of the default cost profile's clock, which bootSystem uses. */
const SECOND = costProfile(DEFAULT_COST_PROFILE).clockHz;

function streaming(configuration: Configuration) {
  const stream = builtinScenario('s1').workload;
  const system = bootSystem({ seed: 3, configuration, workload: stream });
  system.run({ untilCycles: 2 * SECOND });
  return system;
}

describe('fault injection', () => {
  it('wild-write ends the driver with a page fault; RS restarts it', () => {
    const system = streaming('microkernel');
    system.injectFault('nic', 'wild-write');
    system.run({ untilCycles: 3 * SECOND });
    const nic = system.serviceStatus('nic')!;
    assert.equal(nic.restarts, 1);
    assert.match(nic.lastExit!, /^page fault \(write at 0x7ffff000/);
  });

  it('resource-leak runs the driver out of memory; RS restarts it', () => {
    const system = streaming('microkernel');
    system.injectFault('nic', 'resource-leak', { bytes: 8192 });
    system.run({ untilCycles: 8 * SECOND });
    const nic = system.serviceStatus('nic')!;
    assert.ok(nic.restarts >= 1);
    assert.match(nic.lastExit!, /out of memory/);
  });

  it('wild-dma at kernel memory: blocked and logged with the IOMMU, the kernel intact, the driver restarted', () => {
    const system = streaming('microkernel-iommu');
    system.injectFault('nic', 'wild-dma');
    system.run({ untilCycles: 3 * SECOND });
    const s = system.summary();
    assert.ok(s.iommu.blockedTransfers >= 1);
    assert.equal(system.iommuState()!.faultLog[0]!.deviceId, 1);
    assert.equal(s.integrity.ok, true);
    assert.equal(system.serviceStatus('nic')!.restarts, 1);
    const before = s.network.packetsDelivered;
    system.run({ untilCycles: 5 * SECOND });
    assert.ok(system.summary().network.packetsDelivered > before);
  });

  it('wild-dma at kernel memory without an IOMMU: the integrity check finds the corruption', () => {
    const system = streaming('microkernel');
    assert.equal(system.summary().integrity.ok, true);
    system.injectFault('nic', 'wild-dma');
    system.run({ untilCycles: 3 * SECOND });
    const s = system.summary();
    assert.equal(s.iommu.present, false);
    assert.equal(s.integrity.ok, false);
    assert.ok(s.integrity.corruptedPages >= 1);
  });

  it('the NIC driver\'s counters in the data store survive its restart', () => {
    const system = streaming('microkernel-iommu');
    system.run({ untilCycles: 5 * SECOND });
    const before = system.dsStore.get('nic.tx')!.u32;
    assert.ok(before >= 32);
    system.injectFault('nic', 'crash');
    system.run({ untilCycles: 9 * SECOND });
    assert.equal(system.serviceStatus('nic')!.restarts, 1);
    // The device counts from zero after its reset; the driver counts on from what it had published.
    const deviceCount = Number(system.machine.nic.describe().state['txPackets']);
    assert.ok(system.dsStore.get('nic.tx')!.u32 > before);
    assert.ok(deviceCount < system.dsStore.get('nic.tx')!.u32);
  });

  it('the default system.conf parses cleanly and grants the NIC driver exactly its ports, IRQ and calls', () => {
    const system = bootSystem({ seed: 1 });
    const parsed = parseSystemConf(system.systemConfText, 'default/system.conf');
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
    const nic = parsed.description.services.find((s) => s.label === 'nic')!;
    const p = servicePrivilege(nic);
    assert.deepEqual(p.ioRanges, [{ base: 0xc000, count: 0x44 }]);
    assert.deepEqual(p.irqs, [11]);
    assert.ok(Array.isArray(p.kernelCalls) && p.kernelCalls.includes('DEVIO') && p.kernelCalls.includes('IRQCTL') && !p.kernelCalls.includes('SPAWN'));
    assert.ok(Array.isArray(p.ipcTo) && p.ipcTo.includes('inet') && p.ipcTo.includes('amddev'));
    const rs = servicePrivilege(parsed.description.services.find((s) => s.label === 'rs')!);
    assert.equal(rs.kernelCalls, 'ALL');
  });
});

test('a fault storm stops at the per-run cap with a message in the summary, and the run goes on', () => {
  const text = JSON.stringify({
    name: 'storm', system: 'default', configuration: 'microkernel-iommu', seed: 1, duration: '20ms',
    faults: [{ at: '1ms', target: 'nic', type: 'resource-leak', repeatEvery: '1 cycles' }],
  });
  const parsed = parseScenario(text, 'storm.json');
  assert.ok(parsed.scenario, JSON.stringify(parsed.diagnostics));
  const system = bootScenario(parsed.scenario, { trace: { enabled: true, capacity: 1 << 12 } });
  const outcome = system.run({ untilCycles: parsed.scenario.duration.cycles });
  assert.equal(outcome.reason, 'until', 'the run reaches its end');
  assert.equal(system.injector.records.length, MAX_FAULTS_PER_RUN);
  const summary = system.summary('storm');
  assert.equal(summary.faults.armed, MAX_FAULTS_PER_RUN);
  assert.match(summary.faults.stopped ?? '', /^stopped arming faults at \d+ cycles: 100,000 faults is the most one run arms/);
  assert.match(formatSummary(summary), /^faults: stopped arming faults at/m);
  // Without a storm nothing is stopped.
  const calm = bootScenario({ ...parsed.scenario, faults: [{ ...parsed.scenario.faults[0]!, repeatEvery: null }] });
  calm.run({ untilCycles: parsed.scenario.duration.cycles });
  assert.equal(calm.summary('calm').faults.stopped, null);
});
