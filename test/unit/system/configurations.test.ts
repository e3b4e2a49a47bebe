// Every row of the configuration table boots and runs S1 and S3 the way its
// traits say: an IOMMU (strict or lazy) or none, drivers in the kernel or in
// user mode. A name without a row is refused with the names that have one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario, runScenario } from '../../../simulator/system/scenarios';
import { CONFIGURATION_TABLE, CONFIGURATIONS, DEFAULT_CONFIGURATION, type Configuration } from '../../../simulator/config/configurations';
import type { Scenario } from '../../../simulator/config/scenario';

/** Cycles in a second of S1's clock (its cost profile's). */
const SECOND = builtinScenario('s1').clockHz;
const MINUTE = 60 * SECOND;

/** S1 with one packet a second, so that its first three NIC crashes (1, 11 and 21 minutes) stay quick to simulate. */
function lightS1(): Scenario {
  const s1 = builtinScenario('s1');
  const stream = s1.workload[0]!;
  assert.equal(stream.kind, 'packet-stream');
  return { ...s1, workload: [{ ...stream, ratePerSecond: 1 }] };
}

test('the table has one row per name, the default among them, each described in a sentence', () => {
  assert.equal(new Set(CONFIGURATIONS).size, CONFIGURATION_TABLE.length);
  assert.ok(CONFIGURATIONS.includes(DEFAULT_CONFIGURATION));
  for (const row of CONFIGURATION_TABLE) assert.match(row.description, /^[A-Z].{20,}\.$/, row.name);
});

for (const row of CONFIGURATION_TABLE) {
  test(`${row.name}: S1 boots with ${row.iommu === 'none' ? 'no IOMMU' : `a ${row.iommu} IOMMU`} and drivers in ${row.driversInKernel ? 'the kernel' : 'user mode'}, and runs as that predicts`, () => {
    const system = bootScenario(lightS1(), { configuration: row.name });
    assert.equal(system.configuration, row.name);
    if (row.iommu === 'none') assert.equal(system.machine.iommu, null);
    else if (row.iommu === 'dev') assert.equal(system.machine.iommu?.mode, 'dev');
    else assert.deepEqual([system.machine.iommu?.mode, system.machine.iommu?.invalidation], ['translate', row.iommu]);
    system.run({ untilCycles: 30 * SECOND });
    const mode = (label: string) => system.sim.processes().find((p) => p.name === label)?.kernelMode;
    if (row.network === 'bypass') {
      // The application drives the NIC: no driver, no network server; the NIC driver's crash is the application's, and nothing else notices.
      assert.equal(mode('nic'), undefined, 'no NIC driver');
      assert.equal(mode('inet'), undefined, 'no network server');
      assert.equal(mode('packet-stream'), false, 'the application with its poll-mode driver, in user mode');
      const before = system.summary('s1').network.packetsDelivered;
      assert.ok(before >= 25, `the stream runs (${before} packets in 30 s)`);
      system.run({ untilCycles: 25 * MINUTE });
      const summary = system.summary('s1');
      assert.equal(summary.panic, null);
      assert.equal(summary.integrity.ok, true);
      assert.deepEqual(summary.workloads.map((w) => [w.process, w.state]), [['packet-stream', 'failed']]);
      assert.ok(summary.network.packetsDelivered < 70, 'nothing is sent after the crash at one minute');
      assert.deepEqual(['rs', 'ds', 'vfs'].map((l) => mode(l)), [false, false, false], 'the rest of the system lives on');
      return;
    }
    assert.equal(mode('nic'), row.driversInKernel, 'the NIC driver');
    assert.equal(mode('inet'), row.driversInKernel, 'the network server the driver serves');
    assert.equal(mode('rs'), false, 'RS stays in user mode');
    assert.equal(mode('ds'), false, 'DS stays in user mode');

    system.run({ untilCycles: 25 * MINUTE });
    const summary = system.summary('s1');
    assert.equal(summary.iommu.present, row.iommu !== 'none');
    assert.equal(summary.iommu.invalidation, row.iommu === 'none' ? null : row.iommu);
    if (row.driversInKernel) {
      assert.match(summary.panic?.message ?? '', /^nic: .*injected fault: crash/, 'the first driver crash is a kernel panic');
      return;
    }
    assert.equal(summary.panic, null);
    assert.equal(summary.services.find((s) => s.label === 'nic')?.restarts, 3, 'each crash restarted');
    assert.ok(summary.network.packetsDelivered > 1000);
    assert.equal(summary.integrity.ok, true);
    if (row.iommu !== 'none') assert.equal(summary.iommu.blockedTransfers, 0);
  });

  test(`${row.name}: S3's wild DMA is ${row.iommu === 'none' ? 'not stopped, and the kernel page is changed' : 'blocked and logged, and the kernel is intact'}`, () => {
    const summary = runScenario(builtinScenario('s3'), { configuration: row.name });
    assert.equal(summary.faults.injected, 2);
    if (row.iommu === 'none') {
      assert.equal(summary.integrity.ok, false);
    } else {
      assert.equal(summary.iommu.blockedTransfers, 2);
      assert.deepEqual(summary.integrity, { ok: true, corruptedPages: 0 });
    }
  });
}

test('booting a name that has no row is refused, naming those that have one', () => {
  for (const name of ['exokernel', 'Monolithic']) {
    assert.throws(
      () => bootScenario(builtinScenario('s1'), { configuration: name as Configuration }),
      (e: Error) => e.message.includes(`'${name}'`) && e.message.endsWith(`(available: ${CONFIGURATIONS.join(', ')})`),
      name,
    );
  }
});
