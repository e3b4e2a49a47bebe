// A corrupted CD-R makes isofs fail with a clear IsoError and nothing else dies (under monolithic the kernel panics); the printer path prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinCdImage, corruptedCdImage, BUILTIN_CD_FILES } from '../../../simulator/services/isofs/isoBuilder';
import { builtinDiskImage, printText } from '../../../simulator/services/storageApps';
import { TraceKind } from '../../../simulator/trace/kinds';
import { SERVICE_LABELS, alive, bootStorage, runApp } from './harness';

test('the built-in image reads through the whole path', () => {
  const sys = bootStorage('microkernel-iommu', { isoImage: builtinCdImage() });
  for (const f of BUILTIN_CD_FILES) assert.deepEqual(runApp(sys, 'cdread', { path: f.path.toLowerCase(), expect: f.text }), { kind: 'exit', status: 0 }, f.path);
});

for (const configuration of ['microkernel-iommu', 'microkernel'] as const) {
  test(`${configuration}: a corrupted CD-R crashes isofs with an IsoError; vfs, the drivers and other applications run on`, () => {
    const sys = bootStorage(configuration, { isoImage: corruptedCdImage(), diskImage: builtinDiskImage() });
    const end = runApp(sys, 'cdread', { path: '/README.TXT' });
    assert.deepEqual(end, { kind: 'exit', status: 1 }, 'the application gets an error, it does not hang or die');
    const isofs = sys.ended.find((e) => e.name === 'isofs');
    assert.ok(isofs !== undefined && isofs.reason.kind === 'crash');
    assert.match(isofs.reason.message, /^IsoError: corrupted ISO 9660 image: directory \/: its '\.' record points at sector 32767/);
    const crashes = sys.machine.sim.trace.query({ kinds: [TraceKind.crash] });
    assert.equal(crashes.length, 1);
    assert.equal(sys.machine.sim.panicked, null);
    for (const label of SERVICE_LABELS) if (label !== 'isofs' && (label !== 'amddev' || sys.machine.iommu !== null)) assert.ok(alive(sys, label), label);
    assert.deepEqual(runApp(sys, 'print', { text: 'still printing\n' }), { kind: 'exit', status: 0 });
    assert.equal(new TextDecoder().decode(sys.machine.printer.output()), 'still printing\n');
    assert.deepEqual(runApp(sys, 'blockread', { blocks: 8, blockSize: 4096, verify: true }), { kind: 'exit', status: 0 });
  });
}

test('monolithic: the same corrupted CD-R panics the whole system', () => {
  const sys = bootStorage('monolithic', { isoImage: corruptedCdImage() });
  assert.equal(runApp(sys, 'cdread', { path: '/README.TXT' }), 'panic');
  const panic = sys.machine.sim.panicked;
  assert.ok(panic !== null);
  assert.match(panic.message, /^isofs: IsoError: corrupted ISO 9660 image/);
});

test('the printer path prints the text with one acknowledge interrupt per byte', () => {
  const sys = bootStorage('microkernel');
  const text = printText(300);
  assert.deepEqual(runApp(sys, 'print', { text, repeat: 2 }), { kind: 'exit', status: 0 });
  assert.equal(new TextDecoder().decode(sys.machine.printer.output()), text + text);
  const state = sys.machine.printer.describe().state;
  assert.equal(state.interruptsRaised, 600);
  assert.equal(state.lostStrobes, 0);
});

test('the block path reads and checks blocks, sequentially and at random', () => {
  for (const configuration of ['microkernel-iommu', 'monolithic'] as const) {
    const sys = bootStorage(configuration, { diskImage: builtinDiskImage() });
    assert.deepEqual(runApp(sys, 'blockread', { blocks: 16, blockSize: 1024, verify: true }), { kind: 'exit', status: 0 }, configuration);
    assert.deepEqual(runApp(sys, 'blockread', { blocks: 16, blockSize: 512, pattern: 'random', verify: true }), { kind: 'exit', status: 0 }, configuration);
  }
});

test('the built-in images: the valid one lists and reads in the reader, the corrupted one fails with bad-record', async () => {
  const { tryOpenIso, IsoError } = await import('../../../simulator/services/isofs/iso9660');
  const iso = tryOpenIso(builtinCdImage());
  assert.ok(!(iso instanceof IsoError));
  assert.deepEqual(iso.list('/').map((e) => e.path), ['/DATA', '/DOCS', '/README.TXT']);
  for (const f of BUILTIN_CD_FILES) assert.equal(new TextDecoder().decode(iso.read(f.path)), f.text);
  assert.deepEqual(builtinCdImage(), builtinCdImage(), 'the builder is deterministic');
  const bad = tryOpenIso(corruptedCdImage());
  assert.ok(bad instanceof IsoError);
  assert.equal(bad.code, 'bad-record');
});
