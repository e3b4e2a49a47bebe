// ISO 9660 reader against images made by genisoimage and xorriso, and against corrupted images.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsoError, IsoImage, SECTOR_SIZE, tryOpenIso, type IsoEntry } from '../../../simulator/services/isofs/iso9660.js';

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** Deterministic bytes, so a wrong sector shows up as a mismatch. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

const FILES: Record<string, Buffer> = {
  'README.txt': Buffer.from('Microkernel Lab test image\n'),
  'empty.dat': Buffer.alloc(0),
  'big.bin': pattern(5 * 1024 * 1024 + 123, 7),
  'Long File Name With Spaces.text': Buffer.from('long names survive\n'),
  'mixedCase.Data': pattern(3000, 3),
  'a/b/c/d/e/deep.txt': Buffer.from('five levels down\n'),
  'a/b/c/sibling.bin': pattern(SECTOR_SIZE * 3, 11),
  'a/other/x.txt': Buffer.from('x\n'),
  'docs/manual.txt': pattern(10000, 5),
};
const DIRS = ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/b/c/d/e', 'a/other', 'docs'];

let work = '';
const images: Record<string, Buffer> = {};

before(() => {
  if (!hasTool('genisoimage')) {
    throw new Error('genisoimage is not installed: install it (Debian/Ubuntu: apt-get install genisoimage) to run the ISO 9660 tests');
  }
  work = mkdtempSync(join(tmpdir(), 'mklab-iso-'));
  const tree = join(work, 'tree');
  for (const [p, data] of Object.entries(FILES)) {
    mkdirSync(join(tree, p, '..'), { recursive: true });
    writeFileSync(join(tree, p), data);
  }
  const make = (name: string, cmd: string, args: string[]): void => {
    const out = join(work, name);
    run(cmd, [...args, '-quiet', '-V', 'MKLAB_TEST', '-o', out, tree]);
    images[name] = readFileSync(out);
  };
  make('rr.iso', 'genisoimage', ['-R']);
  make('joliet.iso', 'genisoimage', ['-J', '-joliet-long']);
  make('plain.iso', 'genisoimage', []);
  if (hasTool('xorriso')) make('xorriso.iso', 'xorriso', ['-as', 'mkisofs', '-R', '-J']);
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

function allEntries(iso: IsoImage): Map<string, IsoEntry> {
  const m = new Map<string, IsoEntry>();
  iso.walk((e) => m.set(e.path.slice(1), e));
  return m;
}

function checkFullTree(iso: IsoImage): void {
  const entries = allEntries(iso);
  assert.deepEqual([...entries.keys()].sort(), [...Object.keys(FILES), ...DIRS].sort());
  for (const d of DIRS) assert.equal(entries.get(d)!.isDirectory, true, d);
  for (const [p, data] of Object.entries(FILES)) {
    const e = entries.get(p)!;
    assert.equal(e.isDirectory, false, p);
    assert.equal(e.size, data.length, p);
    assert.ok(Buffer.from(iso.read('/' + p)).equals(data), `contents of ${p}`);
  }
}

test('Rock Ridge image from genisoimage -R: names, nesting and contents as put in', () => {
  const iso = IsoImage.open(new Uint8Array(images['rr.iso']!));
  assert.equal(iso.volume.names, 'rock-ridge');
  assert.equal(iso.volume.volumeId, 'MKLAB_TEST');
  checkFullTree(iso);
  assert.deepEqual(
    iso.list('/a/b/c').map((e) => e.name).sort(),
    ['d', 'sibling.bin'],
  );
});

test('Joliet image from genisoimage -J: names as written', () => {
  const iso = IsoImage.open(new Uint8Array(images['joliet.iso']!));
  assert.equal(iso.volume.names, 'joliet');
  checkFullTree(iso);
});

test('plain ISO 9660 image: version suffixes stripped, 8.3 names', () => {
  const iso = IsoImage.open(new Uint8Array(images['plain.iso']!));
  assert.equal(iso.volume.names, 'iso9660');
  const names = iso.list('/').map((e) => e.name);
  assert.ok(names.includes('README.TXT'), names.join(','));
  assert.ok(names.every((n) => !n.includes(';')), names.join(','));
  assert.ok(Buffer.from(iso.read('/README.TXT')).equals(FILES['README.txt']!));
  assert.ok(Buffer.from(iso.read('/A/B/C/D/E/DEEP.TXT')).equals(FILES['a/b/c/d/e/deep.txt']!));
  // Lookups fall back to a case-insensitive match, so a lower-case path finds an upper-case ISO name.
  assert.ok(Buffer.from(iso.read('/big.bin')).equals(FILES['big.bin']!));
});

test('xorriso -as mkisofs image reads the same', { skip: hasTool('xorriso') ? false : 'xorriso is not installed (apt-get install xorriso)' }, () => {
  const iso = IsoImage.open(new Uint8Array(images['xorriso.iso']!));
  assert.equal(iso.volume.names, 'rock-ridge');
  assert.equal(iso.volume.hasJoliet, true);
  checkFullTree(iso);
});

test('Rock Ridge directories deeper than 8 levels, relocated by genisoimage, read in place', () => {
  const tree = join(work, 'deep');
  const dirs = '1/2/3/4/5/6/7/8/9/10';
  mkdirSync(join(tree, dirs), { recursive: true });
  writeFileSync(join(tree, dirs, 'f.txt'), 'ten levels down\n');
  const out = join(work, 'deep.iso');
  run('genisoimage', ['-quiet', '-R', '-o', out, tree]);
  const iso = IsoImage.open(new Uint8Array(readFileSync(out)));
  assert.equal(Buffer.from(iso.read('/' + dirs + '/f.txt')).toString(), 'ten levels down\n');
  const paths: string[] = [];
  iso.walk((e) => paths.push(e.path));
  // The relocated copy inside rr_moved is hidden, so each directory appears once, at its real place.
  assert.equal(paths.filter((p) => p.endsWith('/9')).length, 1);
  assert.ok(paths.includes('/' + dirs + '/f.txt'));
});

test('reads by range within and across sectors of a multi-megabyte file', () => {
  const iso = IsoImage.open(new Uint8Array(images['rr.iso']!));
  const big = FILES['big.bin']!;
  for (const [off, len] of [
    [0, 10],
    [SECTOR_SIZE - 5, 10],
    [1234567, 3 * SECTOR_SIZE + 17],
    [big.length - 7, 100],
  ] as const) {
    const got = Buffer.from(iso.read('/big.bin', off, len));
    assert.ok(got.equals(big.subarray(off, off + len)), `range ${off}+${len}`);
  }
  assert.equal(iso.read('/big.bin', big.length + 10, 5).length, 0);
  assert.equal(iso.stat('/big.bin').extents.length, 1);
});

test('the reader also works over a sector source, reading only the sectors it needs', () => {
  const bytes = new Uint8Array(images['rr.iso']!);
  const read = new Set<number>();
  const iso = IsoImage.open({
    sectorCount: bytes.length / SECTOR_SIZE,
    readSector: (lba) => (read.add(lba), bytes.subarray(lba * SECTOR_SIZE, (lba + 1) * SECTOR_SIZE)),
  });
  assert.equal(iso.read('/README.txt').length, FILES['README.txt']!.length);
  assert.ok(read.size < 40, `read ${read.size} sectors to open the image and one small file`);
});

function expectIsoError(f: () => unknown, code: string): IsoError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof IsoError, `expected IsoError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected IsoError ${code}, but no error was raised`);
}

function copyRr(): Uint8Array {
  return new Uint8Array(images['rr.iso']!);
}

/** Finds a directory record by its Rock Ridge name in the root directory; returns its byte offset in the image. */
function rootRecordOffset(img: Uint8Array, isoName: string): number {
  const pvd = 16 * SECTOR_SIZE;
  const rootLba = img[pvd + 156 + 2]! | (img[pvd + 156 + 3]! << 8) | (img[pvd + 156 + 4]! << 16);
  let o = rootLba * SECTOR_SIZE;
  for (;;) {
    const len = img[o]!;
    assert.ok(len > 0, 'record not found');
    const name = Buffer.from(img.subarray(o + 33, o + 33 + img[o + 32]!)).toString('latin1');
    if (name === isoName) return o;
    o += len;
  }
}

function setU32Both(img: Uint8Array, o: number, v: number): void {
  const dv = new DataView(img.buffer, img.byteOffset);
  dv.setUint32(o, v, true);
  dv.setUint32(o + 4, v, false);
}

test('a flipped byte in the volume descriptor magic gives bad-magic', () => {
  const img = copyRr();
  img[16 * SECTOR_SIZE + 3] ^= 0xff;
  expectIsoError(() => IsoImage.open(img), 'bad-magic');
});

test('a truncated image gives truncated, at open time', () => {
  const img = copyRr().subarray(0, 40 * SECTOR_SIZE);
  const e = expectIsoError(() => IsoImage.open(img), 'truncated');
  assert.match(e.message, /truncated/);
  expectIsoError(() => IsoImage.open(copyRr().subarray(0, 10 * SECTOR_SIZE)), 'truncated');
});

test('a directory extent pointing past the end gives extent-out-of-range', () => {
  const img = copyRr();
  const o = rootRecordOffset(img, 'A');
  setU32Both(img, o + 2, 0x00ffffff);
  const iso = IsoImage.open(img);
  expectIsoError(() => iso.list('/a'), 'extent-out-of-range');
  expectIsoError(() => iso.walk(() => undefined), 'extent-out-of-range');
  // The rest of the image stays readable.
  assert.equal(Buffer.from(iso.read('/README.txt')).toString(), 'Microkernel Lab test image\n');
});

test('a root directory extent past the end fails at open', () => {
  const img = copyRr();
  setU32Both(img, 16 * SECTOR_SIZE + 156 + 2, 0x7fffffff);
  expectIsoError(() => IsoImage.open(img), 'extent-out-of-range');
});

test('a subdirectory pointing back at the root gives directory-loop, not an endless walk', () => {
  const img = copyRr();
  const pvd = 16 * SECTOR_SIZE;
  const rootLba = new DataView(img.buffer).getUint32(pvd + 156 + 2, true);
  const rootSize = new DataView(img.buffer).getUint32(pvd + 156 + 10, true);
  const o = rootRecordOffset(img, 'DOCS');
  setU32Both(img, o + 2, rootLba);
  setU32Both(img, o + 10, rootSize);
  const iso = IsoImage.open(img);
  expectIsoError(() => iso.walk(() => undefined), 'directory-loop');
  expectIsoError(() => iso.list('/docs/docs/docs'), 'directory-loop');
});

test('a zero record length where the "." record belongs gives bad-record', () => {
  const img = copyRr();
  const rootLba = new DataView(img.buffer).getUint32(16 * SECTOR_SIZE + 156 + 2, true);
  img[rootLba * SECTOR_SIZE] = 0;
  expectIsoError(() => IsoImage.open(img), 'bad-record');
});

test('an absurd directory size gives too-large without allocating it', () => {
  const img = copyRr();
  const o = rootRecordOffset(img, 'A');
  setU32Both(img, o + 10, 0xfffff800);
  const iso = IsoImage.open(img);
  expectIsoError(() => iso.list('/a'), 'too-large');
});

test('a block size other than 2048 gives bad-block-size', () => {
  const img = copyRr();
  img[16 * SECTOR_SIZE + 128] = 0x00;
  img[16 * SECTOR_SIZE + 129] = 0x02;
  expectIsoError(() => IsoImage.open(img), 'bad-block-size');
});

test('bad requests give typed errors: missing path, file as directory, directory as file', () => {
  const iso = IsoImage.open(copyRr());
  expectIsoError(() => iso.read('/nope.txt'), 'not-found');
  expectIsoError(() => iso.list('/README.txt'), 'not-a-directory');
  expectIsoError(() => iso.read('/a'), 'not-a-file');
  expectIsoError(() => iso.read('/README.txt', -1, 2), 'bad-range');
  const small = IsoImage.open(copyRr(), { maxReadBytes: 1024 });
  expectIsoError(() => small.read('/big.bin'), 'too-large');
  assert.equal(small.read('/big.bin', 0, 1024).length, 1024);
});

test('random corruption of descriptors and directories only ever yields IsoError', () => {
  const base = copyRr();
  const rootLba = new DataView(base.buffer).getUint32(16 * SECTOR_SIZE + 156 + 2, true);
  let x = 12345;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  const codes = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const img = base.slice();
    const region = rnd(2) === 0 ? 16 * SECTOR_SIZE : rootLba * SECTOR_SIZE;
    for (let k = 0; k < 1 + rnd(6); k++) img[region + rnd(SECTOR_SIZE)] = rnd(256);
    const opened = tryOpenIso(img);
    if (opened instanceof IsoError) {
      codes.add(opened.code);
      continue;
    }
    try {
      opened.walk((e) => {
        if (!e.isDirectory) opened.readEntry(e, 0, 4096);
      });
    } catch (e) {
      assert.ok(e instanceof IsoError, `unexpected ${String(e)}`);
      codes.add(e.code);
    }
  }
  assert.ok(codes.size >= 2, [...codes].join(','));
});
