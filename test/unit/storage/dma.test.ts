// amddev's mappings let a driver's own DMA through; a wild DMA at kernel memory or another process is blocked and logged with the IOMMU, and silently lands without it (S3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinDiskImage } from '../../../simulator/services/storageApps';
import { TraceKind } from '../../../simulator/trace/kinds';
import { alive, bootStorage, runApp, startApp } from './harness';

test('with the IOMMU, amddev maps each driver\'s buffer for its own device only', () => {
  const sys = bootStorage('microkernel-iommu', { diskImage: builtinDiskImage() });
  const iommu = sys.machine.iommu!;
  const domains = iommu.describe().domains;
  const disk = domains.find((d) => d.deviceId === 2)!;
  const cd = domains.find((d) => d.deviceId === 3)!;
  assert.equal(disk.mappings.length, 1);
  assert.equal(disk.mappings[0]!.lengthBytes, 4096);
  assert.equal(cd.mappings.length, 1);
  assert.notEqual(disk.mappings[0]!.paddr, cd.mappings[0]!.paddr);
  assert.deepEqual(runApp(sys, 'blockread', { blocks: 4, blockSize: 4096, verify: true }), { kind: 'exit', status: 0 });
  assert.equal(iommu.totalFaults, 0);
});

test('with the IOMMU, a wild DMA at kernel memory and at another process is blocked and logged', () => {
  const sys = bootStorage('microkernel-iommu', { diskImage: builtinDiskImage() });
  const iommu = sys.machine.iommu!;
  startApp(sys, 'canary', { intervalCycles: 200_000 });
  assert.deepEqual(runApp(sys, 'dmarogue', { target: 'kernel' }), { kind: 'exit', status: 1 }, 'the driver learns that the transfer was blocked');
  assert.deepEqual(runApp(sys, 'dmarogue', { target: 'process', victim: 'canary' }), { kind: 'exit', status: 1 });
  assert.equal(iommu.totalFaults, 2);
  assert.deepEqual(iommu.faultLog.map((f) => [f.deviceId, f.direction, f.reason]), [[2, 'write', 'not-mapped'], [2, 'write', 'not-mapped']]);
  assert.equal(iommu.faultLog[0]!.iova, 0x8000);
  assert.equal(sys.machine.sim.trace.query({ kinds: [TraceKind.iommuFault] }).length, 2);
  sys.machine.sim.run({ untilCycles: sys.machine.sim.clock.now() + 5_000_000 });
  assert.ok(sys.machine.sim.verifyKernelIntegrity().ok);
  assert.ok(alive(sys, 'canary'), 'the victim never noticed anything');
  assert.ok(alive(sys, 'disk'));
});

for (const configuration of ['microkernel', 'monolithic'] as const) {
  test(`${configuration} (no IOMMU): the same wild DMA silently overwrites kernel memory and the victim; the integrity check and the victim find out`, () => {
    const sys = bootStorage(configuration, { diskImage: builtinDiskImage() });
    startApp(sys, 'canary', { intervalCycles: 200_000 });
    assert.ok(sys.machine.sim.verifyKernelIntegrity().ok);
    assert.deepEqual(runApp(sys, 'dmarogue', { target: 'kernel' }), { kind: 'exit', status: 0 }, 'nothing stops the transfer');
    const report = sys.machine.sim.verifyKernelIntegrity();
    assert.equal(report.ok, false);
    assert.deepEqual(report.corruptedPages, [0x8000]);
    assert.equal(sys.machine.sim.panicked, null, 'the write itself is silent');
    assert.deepEqual(runApp(sys, 'dmarogue', { target: 'process', victim: 'canary' }), { kind: 'exit', status: 0 });
    sys.machine.sim.run({ untilCycles: sys.machine.sim.clock.now() + 5_000_000 });
    const canary = sys.ended.find((e) => e.name === 'canary');
    assert.ok(canary !== undefined && canary.reason.kind === 'crash');
    assert.match(canary.reason.message, /memory at 0x1000 was overwritten behind the program's back/);
  });
}
