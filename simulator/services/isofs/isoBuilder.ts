// A tiny deterministic ISO 9660 (level 1) image builder for the built-in scenarios, and the corruption S2 inserts.
import { SECTOR_SIZE } from './iso9660';

export interface IsoFile {
  /** Absolute path with '/' separators; names are stored in upper case, as level 1 requires. */
  readonly path: string;
  readonly data: Uint8Array;
}

interface Dir {
  readonly name: string;
  readonly dirs: Map<string, Dir>;
  readonly files: { name: string; data: Uint8Array; lba: number }[];
  lba: number;
  size: number;
  parent: Dir | undefined;
}

const FIXED_DATE = [126, 1, 1, 0, 0, 0, 0]; // 2026-01-01 00:00:00 UTC

function both16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function both32(b: Uint8Array, o: number, v: number): void {
  for (let i = 0; i < 4; i++) {
    b[o + i] = (v >>> (8 * i)) & 0xff;
    b[o + 7 - i] = (v >>> (8 * i)) & 0xff;
  }
}

function text(b: Uint8Array, o: number, n: number, s: string): void {
  for (let i = 0; i < n; i++) b[o + i] = i < s.length ? s.charCodeAt(i) & 0x7f : 0x20;
}

function record(id: Uint8Array, lba: number, size: number, directory: boolean): Uint8Array {
  const len = 33 + id.length + (id.length % 2 === 0 ? 1 : 0);
  const r = new Uint8Array(len);
  r[0] = len;
  both32(r, 2, lba);
  both32(r, 10, size);
  r.set(FIXED_DATE, 18);
  r[25] = directory ? 2 : 0;
  both16(r, 28, 1);
  r[32] = id.length;
  r.set(id, 33);
  return r;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from([...s].map((c) => c.charCodeAt(0) & 0x7f));
}

function dirBytes(d: Dir): Uint8Array {
  const recs: Uint8Array[] = [record(Uint8Array.of(0), d.lba, d.size, true), record(Uint8Array.of(1), (d.parent ?? d).lba, (d.parent ?? d).size, true)];
  const names = [...[...d.dirs.keys()].map((n) => ({ n, dir: true })), ...d.files.map((f) => ({ n: f.name, dir: false }))].sort((a, b) => (a.n < b.n ? -1 : 1));
  for (const { n, dir } of names) {
    if (dir) {
      const c = d.dirs.get(n)!;
      recs.push(record(ascii(n), c.lba, c.size, true));
    } else {
      const f = d.files.find((x) => x.name === n)!;
      recs.push(record(ascii(`${n};1`), f.lba, f.data.length, false));
    }
  }
  const out: number[] = [];
  let inSector = 0;
  for (const r of recs) {
    if (inSector + r.length > SECTOR_SIZE) {
      for (; inSector < SECTOR_SIZE; inSector++) out.push(0);
      inSector = 0;
    }
    out.push(...r);
    inSector += r.length;
  }
  return Uint8Array.from(out);
}

/** Builds an ISO 9660 image holding `files`; the same input always gives the same bytes. */
export function buildIsoImage(files: readonly IsoFile[], volumeId = 'MKLAB'): Uint8Array {
  const root: Dir = { name: '', dirs: new Map(), files: [], lba: 0, size: 0, parent: undefined };
  for (const f of files) {
    const parts = f.path.split('/').filter((p) => p !== '').map((p) => p.toUpperCase());
    let d = root;
    for (const p of parts.slice(0, -1)) {
      let c = d.dirs.get(p);
      if (c === undefined) d.dirs.set(p, (c = { name: p, dirs: new Map(), files: [], lba: 0, size: 0, parent: d }));
      d = c;
    }
    d.files.push({ name: parts[parts.length - 1]!, data: f.data, lba: 0 });
  }
  const dirs: Dir[] = [];
  const visit = (d: Dir): void => {
    dirs.push(d);
    for (const c of [...d.dirs.keys()].sort()) visit(d.dirs.get(c)!);
  };
  visit(root);
  // Sizes first (they do not depend on where things go), then places: descriptors 16-17, path tables 18-19, directories, file data.
  for (const d of dirs) d.size = Math.ceil(dirBytes(d).length / SECTOR_SIZE) * SECTOR_SIZE;
  let next = 20;
  for (const d of dirs) {
    d.lba = next;
    next += d.size / SECTOR_SIZE;
  }
  for (const d of dirs) {
    for (const f of d.files) {
      f.lba = next;
      next += Math.max(1, Math.ceil(f.data.length / SECTOR_SIZE));
    }
  }
  const image = new Uint8Array(next * SECTOR_SIZE);
  for (const d of dirs) {
    image.set(dirBytes(d), d.lba * SECTOR_SIZE);
    for (const f of d.files) image.set(f.data, f.lba * SECTOR_SIZE);
  }
  const pathTable = (bigEndian: boolean): Uint8Array => {
    const out: number[] = [];
    dirs.forEach((d) => {
      const id = d === root ? Uint8Array.of(0) : ascii(d.name);
      const parent = d.parent === undefined ? 1 : dirs.indexOf(d.parent) + 1;
      const e = new Uint8Array(8 + id.length + (id.length % 2));
      e[0] = id.length;
      const v = new DataView(e.buffer);
      v.setUint32(2, d.lba, !bigEndian);
      v.setUint16(6, parent, !bigEndian);
      e.set(id, 8);
      out.push(...e);
    });
    return Uint8Array.from(out);
  };
  const lTable = pathTable(false);
  if (lTable.length > SECTOR_SIZE) throw new RangeError('too many directories for one path-table sector');
  image.set(lTable, 18 * SECTOR_SIZE);
  image.set(pathTable(true), 19 * SECTOR_SIZE);

  const pvd = image.subarray(16 * SECTOR_SIZE, 17 * SECTOR_SIZE);
  pvd[0] = 1;
  text(pvd, 1, 5, 'CD001');
  pvd[6] = 1;
  text(pvd, 8, 32, 'MICROKERNEL-LAB');
  text(pvd, 40, 32, volumeId.toUpperCase());
  both32(pvd, 80, next);
  both16(pvd, 120, 1);
  both16(pvd, 124, 1);
  both16(pvd, 128, SECTOR_SIZE);
  both32(pvd, 132, lTable.length);
  new DataView(pvd.buffer, pvd.byteOffset).setUint32(140, 18, true);
  new DataView(pvd.buffer, pvd.byteOffset).setUint32(148, 19, false);
  pvd.set(record(Uint8Array.of(0), root.lba, root.size, true), 156);
  for (const o of [190, 318, 446, 574]) text(pvd, o, 128, '');
  for (const o of [702, 739, 776]) text(pvd, o, 37, '');
  for (const o of [813, 830, 847, 864]) {
    text(pvd, o, 16, '0000000000000000');
    pvd[o + 16] = 0;
  }
  pvd[881] = 1;
  const term = image.subarray(17 * SECTOR_SIZE, 18 * SECTOR_SIZE);
  term[0] = 255;
  text(term, 1, 5, 'CD001');
  term[6] = 1;
  return image;
}

/**
 * A copy of a built image whose root directory is damaged the way a badly
 * burnt CD-R can be: the root's '.' record points at a sector far from the
 * directory. The descriptors stay valid, so the drive and the volume look
 * fine until the file system reads the directory.
 */
export function corruptRootDirectory(image: Uint8Array): Uint8Array {
  const out = image.slice();
  const pvd = 16 * SECTOR_SIZE;
  const rootLba = new DataView(out.buffer).getUint32(pvd + 156 + 2, true);
  both32(out, rootLba * SECTOR_SIZE + 2, 0x7fff);
  return out;
}

const TEXT = (s: string): Uint8Array => ascii(s);

/** The files of the built-in CD, whose contents applications check. */
export const BUILTIN_CD_FILES: readonly { readonly path: string; readonly text: string }[] = [
  { path: '/README.TXT', text: 'Microkernel Lab built-in CD.\nEvery byte of this file came through isofs, the CD-ROM driver and DMA.\n' },
  { path: '/DOCS/CLAIMS.TXT', text: 'S2: a corrupted CD-R should not panic the kernel; ISO 9660 and CD drivers belong in user space.\n'.repeat(40) },
  { path: '/DATA/TABLE.BIN', text: Array.from({ length: 5000 }, (_, i) => String.fromCharCode(32 + ((i * 7) % 95))).join('') },
];

/** The valid built-in image. */
export function builtinCdImage(): Uint8Array {
  return buildIsoImage(BUILTIN_CD_FILES.map((f) => ({ path: f.path, data: TEXT(f.text) })), 'MKLAB_CD');
}

/** The built-in image with a damaged root directory (scenario S2). */
export function corruptedCdImage(): Uint8Array {
  return corruptRootDirectory(builtinCdImage());
}

/**
 * Images by the names scenarios use in a cd-read workload's `image`. Without a prototype, so that a
 * name such as "constructor" or "__proto__" written in a scenario is not taken for a built-in image.
 */
export const BUILTIN_IMAGES: Readonly<Record<string, () => Uint8Array>> = Object.assign(Object.create(null) as Record<string, () => Uint8Array>, {
  'builtin:cd.iso': builtinCdImage,
  'builtin:corrupted-cdr.iso': corruptedCdImage,
});
