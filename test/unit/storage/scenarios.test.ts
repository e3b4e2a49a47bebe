// S2 and S3 through the system helper's runScenario (RS, the fault injector, the summary), under each configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinScenario, runScenario } from '../../../simulator/system/scenarios';
import { BUILTIN_IMAGES } from '../../../simulator/services/isofs/isoBuilder';
import type { CdReadWorkload } from '../../../simulator/config/scenario';
import type { RunningSystem } from '../../../simulator/system/boot';

function imageOf(name: string): Uint8Array {
  const s = builtinScenario(name);
  const cd = s.workload.find((w): w is CdReadWorkload => w.kind === 'cd-read');
  return BUILTIN_IMAGES[cd?.image ?? 'builtin:cd.iso']!();
}

for (const configuration of ['microkernel-iommu', 'microkernel'] as const) {
  test(`S2 under ${configuration}: isofs fails on the corrupted CD-R and is restarted; nothing else fails and the kernel does not panic`, () => {
    let system: RunningSystem | undefined;
    const summary = runScenario(builtinScenario('s2'), { configuration, isoImage: imageOf('s2'), onBoot: (s) => (system = s) });
    assert.equal(summary.panic, null);
    const isofs = summary.services.find((s) => s.label === 'isofs')!;
    assert.ok(isofs.restarts >= 1, `isofs restarts: ${isofs.restarts}`);
    assert.match(isofs.lastExit ?? '', /IsoError: corrupted ISO 9660 image/);
    for (const s of summary.services) if (s.label !== 'isofs') assert.equal(s.restarts, 0, s.label);
    const printed = system!.machine.printer.output().length;
    assert.equal(printed, 20 * 120, 'every print job came out');
  });
}

test('S2 under monolithic: the corrupted CD-R panics the whole system', () => {
  const summary = runScenario(builtinScenario('s2'), { configuration: 'monolithic', isoImage: imageOf('s2') });
  assert.ok(summary.panic !== null);
  assert.match(summary.panic.message, /isofs: IsoError: corrupted ISO 9660 image/);
});

test('S3 with the IOMMU: both wild transfers are blocked and logged; kernel memory is intact', () => {
  const summary = runScenario(builtinScenario('s3'), { configuration: 'microkernel-iommu', isoImage: imageOf('s3') });
  assert.equal(summary.faults.injected, 2);
  assert.equal(summary.iommu.blockedTransfers, 2);
  assert.deepEqual(summary.integrity, { ok: true, corruptedPages: 0 });
  assert.equal(summary.panic, null);
});

for (const configuration of ['microkernel', 'monolithic'] as const) {
  test(`S3 under ${configuration}: the wild DMA lands silently and the integrity check finds the kernel page changed`, () => {
    const summary = runScenario(builtinScenario('s3'), { configuration, isoImage: imageOf('s3') });
    assert.equal(summary.faults.injected, 2);
    assert.equal(summary.iommu.present, false);
    assert.equal(summary.integrity.ok, false);
    assert.ok(summary.integrity.corruptedPages >= 1);
  });
}

test('S3 replays byte for byte: the same seed gives the same trace', () => {
  const a = runScenario(builtinScenario('s3'), { configuration: 'microkernel', isoImage: imageOf('s3'), durationCycles: 700_000_000 });
  const b = runScenario(builtinScenario('s3'), { configuration: 'microkernel', isoImage: imageOf('s3'), durationCycles: 700_000_000 });
  assert.equal(a.traceDigest, b.traceDigest);
  assert.equal(a.stateDigest, b.stateDigest);
});
