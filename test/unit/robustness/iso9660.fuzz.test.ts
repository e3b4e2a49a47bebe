// ISO 9660 images under mutation: bytes flipped in the volume descriptors, path tables and directory
// records (Rock Ridge and Joliet areas included) of images from the project's builder and from
// genisoimage and xorriso. The reader opens, lists and reads them or raises IsoError; nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsoError, IsoImage, SECTOR_SIZE, tryOpenIso } from '../../../simulator/services/isofs/iso9660';
import { BUILTIN_CD_FILES, buildIsoImage, corruptedCdImage } from '../../../simulator/services/isofs/isoBuilder';
import { utf8Encode } from '../../../simulator/core/utf8';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { secondsToCycles } from '../../../simulator/time/time';
import { fuzz, mutateBytes } from './fuzz';

const TREE: Record<string, string> = {
  'README.txt': 'Microkernel Lab fuzz image\n',
  'Long Name With Spaces.text': 'long names\n',
  'a/b/c/deep.txt': 'three levels down\n',
  'a/sibling.bin': 'x'.repeat(5000),
  'docs/manual.txt': 'manual\n'.repeat(300),
};

const images = new Map<string, Uint8Array>();
let work = '';

function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

before(() => {
  images.set('builder', buildIsoImage([...BUILTIN_CD_FILES.map((f) => ({ path: f.path, data: utf8Encode(f.text) })), ...Object.entries(TREE).map(([p, t]) => ({ path: '/' + p.replace(/ /g, '_'), data: utf8Encode(t) }))]));
  images.set('builder-corrupted', corruptedCdImage());
  // As the reader's own tests: genisoimage is required, xorriso used where installed.
  if (!hasTool('genisoimage')) throw new Error('genisoimage is not installed: install it (Debian/Ubuntu: apt-get install genisoimage) to run the ISO 9660 tests');
  work = mkdtempSync(join(tmpdir(), 'mklab-iso-fuzz-'));
  const tree = join(work, 'tree');
  for (const [p, text] of Object.entries(TREE)) {
    mkdirSync(join(tree, p, '..'), { recursive: true });
    writeFileSync(join(tree, p), text);
  }
  const make = (name: string, cmd: string, args: string[]): void => {
    const out = join(work, name);
    const r = spawnSync(cmd, [...args, '-quiet', '-V', 'FUZZ', '-o', out, tree], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
    images.set(name, new Uint8Array(readFileSync(out)));
  };
  make('genisoimage -R', 'genisoimage', ['-R']);
  make('genisoimage -J', 'genisoimage', ['-J', '-joliet-long']);
  make('genisoimage plain', 'genisoimage', []);
  if (hasTool('xorriso')) make('xorriso -R -J', 'xorriso', ['-as', 'mkisofs', '-R', '-J']);
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The byte ranges worth hitting: descriptors, both path tables of each descriptor, every directory's extent. */
function structures(image: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const u32 = (o: number) => (image[o]! | (image[o + 1]! << 8) | (image[o + 2]! << 16) | (image[o + 3]! << 24)) >>> 0;
  for (let lba = 16; lba < 32; lba++) {
    const d = lba * SECTOR_SIZE;
    out.push([d, d + SECTOR_SIZE]);
    if (image[d] === 255) break;
    const pathTableBytes = u32(d + 132);
    for (const at of [u32(d + 140), new DataView(image.buffer, image.byteOffset).getUint32(d + 148, false)]) {
      if (at > 0 && (at + 1) * SECTOR_SIZE <= image.length) out.push([at * SECTOR_SIZE, at * SECTOR_SIZE + Math.max(1, pathTableBytes)]);
    }
  }
  const iso = IsoImage.open(image);
  const root = u32(16 * SECTOR_SIZE + 156 + 2);
  out.push([root * SECTOR_SIZE, root * SECTOR_SIZE + SECTOR_SIZE]);
  iso.walk((e) => {
    if (e.isDirectory) for (const x of e.extents) out.push([x.lba * SECTOR_SIZE, x.lba * SECTOR_SIZE + Math.max(1, x.bytes)]);
  });
  return out;
}

/** Opens, walks, lists and reads everything as isofs and the shell's ls and cat would; returns the error code or 'ok'. */
function exercise(bytes: Uint8Array, what: string): string {
  try {
    const iso = tryOpenIso(bytes);
    if (iso instanceof IsoError) return iso.code;
    let failure: string | undefined;
    const paths: string[] = [];
    try {
      iso.walk((e) => paths.push(e.path));
    } catch (e) {
      if (!(e instanceof IsoError)) throw e;
      failure = e.code;
    }
    for (const p of ['/', ...paths.slice(0, 50)]) {
      try {
        const st = iso.stat(p);
        if (st.isDirectory) iso.list(p);
        else iso.read(p, 0, Math.min(st.size, 65536));
      } catch (e) {
        if (!(e instanceof IsoError)) throw e;
        failure ??= e.code;
      }
    }
    return failure ?? 'ok';
  } catch (e) {
    assert.fail(`${what}\nthe ISO reader threw ${String(e)}\n${(e as Error).stack ?? ''}`);
  }
}

test('the images open, so the mutants start from readable volumes', () => {
  assert.ok(images.size >= 5);
  for (const [name, image] of images) {
    if (name === 'builder-corrupted') assert.notEqual(exercise(image, name), 'ok', 'the S2 image is refused');
    else assert.equal(exercise(image, name), 'ok', name);
  }
});

test('mutated ISO images: opened and read, or refused with an IsoError; never another exception', () => {
  const bases = [...images].filter(([name]) => name !== 'builder-corrupted').map(([name, image]) => ({ name, image, hot: structures(image) }));
  const codes = new Map<string, number>();
  const N = 2000;
  fuzz('ISO 9660 image mutants', N, (rng, i) => {
    const { name, image, hot } = rng.pick(bases);
    const bytes = mutateBytes(rng, image, hot);
    const code = exercise(bytes, `${name} mutant ${i}`);
    codes.set(code, (codes.get(code) ?? 0) + 1);
  });
  // The mutants must reach the reader's checks: several kinds of refusal, not only one.
  const refused = [...codes].filter(([c]) => c !== 'ok');
  assert.ok(refused.length >= 4, `refusals: ${JSON.stringify([...codes])}`);
  assert.ok(refused.reduce((n, [, k]) => n + k, 0) > N * 0.1, `refusals: ${JSON.stringify([...codes])}`);
});

test('truncated images are refused, not read past their end', () => {
  for (const [name, image] of images) {
    for (const n of [0, 1, SECTOR_SIZE * 16, SECTOR_SIZE * 17 - 1, SECTOR_SIZE * 17, SECTOR_SIZE * 18, Math.floor(image.length / 2), image.length - 1]) {
      const code = exercise(image.subarray(0, n), `${name} cut to ${n}`);
      if (n < SECTOR_SIZE * 18) assert.notEqual(code, 'ok', `${name} cut to ${n}`);
    }
  }
});

test('mutated discs in the CD drive of a running system: isofs fails and is restarted at worst; the simulator never throws or panics', () => {
  const image = images.get('genisoimage -R')!;
  const hot = structures(image);
  const base = builtinScenario('s3');
  // Reads of /README.TXT from the disc start at 10 ms; 300 ms of simulated time covers several.
  const scenario = { ...base, workload: [{ kind: 'cd-read' as const, start: { written: '10ms', cycles: secondsToCycles(0.01, base.clockHz) }, image: null, path: '/README.txt', repeat: 5 }], faults: [] };
  const control = bootScenario(scenario, { isoImage: image });
  assert.notEqual(control.run({ untilCycles: secondsToCycles(0.3, control.clockHz) }).reason, 'panic');
  assert.equal(control.serviceStatus('isofs')?.restarts ?? 0, 0, 'the undamaged disc is read without a failure');
  fuzz('ISO 9660 discs in a running system', 8, (rng, i) => {
    const disc = mutateBytes(rng, image, hot);
    const what = `disc mutant ${i}`;
    try {
      const system = bootScenario(scenario, { isoImage: disc });
      assert.notEqual(system.run({ untilCycles: secondsToCycles(0.3, system.clockHz) }).reason, 'panic', what);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.fail(`${what}\nthe system threw ${String(e)}\n${(e as Error).stack ?? ''}`);
    }
  });
});
