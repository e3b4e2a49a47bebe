// The CD path end to end: application → vfs → isofs → CD-ROM driver → drive, on an image made by genisoimage, under each configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fnv1a32 } from '../../../simulator/services/storageApps';
import { bootStorage, runApp } from './harness';

function genisoImage(): { image: Uint8Array; files: Record<string, Uint8Array> } {
  const dir = mkdtempSync(join(tmpdir(), 'mklab-iso-'));
  try {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'docs', 'deep'), { recursive: true });
    const files: Record<string, Uint8Array> = {
      '/hello.txt': Buffer.from('hello from a real genisoimage image\n'),
      '/docs/manual.txt': Buffer.from(Array.from({ length: 900 }, (_, i) => `line ${i} of the manual\n`).join('')),
      '/docs/deep/data.bin': Uint8Array.from({ length: 7000 }, (_, i) => (i * 37 + 11) & 0xff),
    };
    for (const [p, data] of Object.entries(files)) writeFileSync(join(root, p), data);
    const iso = join(dir, 'test.iso');
    execFileSync('genisoimage', ['-quiet', '-R', '-J', '-V', 'MKLABTEST', '-o', iso, root]);
    return { image: new Uint8Array(readFileSync(iso)), files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { image, files } = genisoImage();

for (const configuration of ['microkernel-iommu', 'microkernel', 'monolithic'] as const) {
  test(`${configuration}: files of a genisoimage image read through vfs, isofs and the CD-ROM driver match`, () => {
    const sys = bootStorage(configuration, { isoImage: image });
    for (const [path, data] of Object.entries(files)) {
      assert.ok(data.length > 0);
      const end = runApp(sys, 'cdread', { path, expectFnv: fnv1a32(data), repeat: 2 });
      assert.deepEqual(end, { kind: 'exit', status: 0 }, path);
    }
    const wrong = runApp(sys, 'cdread', { path: '/hello.txt', expect: 'not the contents' });
    assert.deepEqual(wrong, { kind: 'exit', status: 1 }, 'a content mismatch is counted as a failure');
    const missing = runApp(sys, 'cdread', { path: '/no/such/file' });
    assert.deepEqual(missing, { kind: 'exit', status: 1 }, 'a missing file is an error reply, not a crash');
    assert.ok(sys.machine.cdrom.describe().state.sectorsRead as number > 0);
    assert.equal(sys.machine.sim.panicked, null);
    assert.deepEqual(sys.ended.filter((e) => e.reason.kind !== 'exit').map((e) => e.name), []);
    if (sys.machine.iommu !== null) assert.equal(sys.machine.iommu.totalFaults, 0);
  });
}
