// A defensive ISO 9660 reader (with Rock Ridge and Joliet names) over 2048-byte sectors; bad images raise IsoError.
import { utf8Decode } from '../../core/utf8';

export const SECTOR_SIZE = 2048;

export type IsoErrorCode =
  | 'truncated'
  | 'read-error'
  | 'bad-magic'
  | 'no-primary-descriptor'
  | 'bad-descriptor'
  | 'bad-block-size'
  | 'bad-record'
  | 'extent-out-of-range'
  | 'directory-loop'
  | 'too-large'
  | 'not-found'
  | 'not-a-directory'
  | 'not-a-file'
  | 'bad-range';

/** Every failure of the reader: a malformed image or a bad request. */
export class IsoError extends Error {
  constructor(
    readonly code: IsoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IsoError';
  }
}

export interface SectorSource {
  /** Number of 2048-byte sectors the source holds. */
  readonly sectorCount: number;
  /** Returns the 2048 bytes of a sector. */
  readSector(lba: number): Uint8Array;
}

export interface IsoLimits {
  /** Largest directory accepted, in bytes. */
  readonly maxDirectoryBytes: number;
  /** Most entries accepted in one directory. */
  readonly maxDirectoryEntries: number;
  /** Largest single read, in bytes. */
  readonly maxReadBytes: number;
  /** Deepest directory nesting accepted. */
  readonly maxDepth: number;
}

export const DEFAULT_ISO_LIMITS: IsoLimits = {
  maxDirectoryBytes: 16 * 1024 * 1024,
  maxDirectoryEntries: 65536,
  maxReadBytes: 64 * 1024 * 1024,
  maxDepth: 64,
};

export type NameSource = 'rock-ridge' | 'joliet' | 'iso9660';

export interface VolumeInfo {
  readonly systemId: string;
  readonly volumeId: string;
  /** Volume size in sectors, as the primary volume descriptor states it. */
  readonly volumeSectors: number;
  /** Which names the reader shows. */
  readonly names: NameSource;
  readonly hasRockRidge: boolean;
  readonly hasJoliet: boolean;
}

export interface Extent {
  readonly lba: number;
  readonly bytes: number;
}

export interface IsoEntry {
  readonly name: string;
  /** Absolute path with '/' separators, as the user wrote it when making the image. */
  readonly path: string;
  readonly isDirectory: boolean;
  readonly size: number;
  /** Where the data lies; several extents only for multi-extent files. */
  readonly extents: readonly Extent[];
}

/** Wraps a whole image held in memory as a sector source. */
export function imageSource(bytes: Uint8Array): SectorSource {
  return {
    sectorCount: Math.floor(bytes.length / SECTOR_SIZE),
    readSector(lba: number): Uint8Array {
      const start = lba * SECTOR_SIZE;
      if (!Number.isInteger(lba) || lba < 0 || start + SECTOR_SIZE > bytes.length) {
        throw new IsoError('truncated', `sector ${lba} is beyond the end of the image (${bytes.length} bytes)`);
      }
      return bytes.subarray(start, start + SECTOR_SIZE);
    },
  };
}

function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function ascii(b: Uint8Array, o: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[o + i]!);
  return s;
}
function latin1(b: Uint8Array): string {
  return ascii(b, 0, b.length);
}
/** Decodes UTF-8 (Rock Ridge names are bytes; modern tools write UTF-8); falls back to Latin-1 if malformed. */
function utf8(b: Uint8Array): string {
  try {
    return utf8Decode(b);
  } catch {
    return latin1(b);
  }
}
function ucs2be(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  return s;
}

/** Removes the ";1" version and the lone trailing dot of ISO 9660 file identifiers. */
function plainName(id: string): string {
  let s = id;
  const semi = s.lastIndexOf(';');
  if (semi >= 0 && /^[0-9]+$/.test(s.slice(semi + 1))) s = s.slice(0, semi);
  if (s.endsWith('.') && s.length > 1) s = s.slice(0, -1);
  return s;
}

interface RawRecord {
  readonly extent: number;
  readonly size: number;
  readonly flags: number;
  readonly id: Uint8Array;
  readonly systemUse: Uint8Array;
  readonly offsetInDir: number;
}

interface DirNode {
  readonly extent: number;
  readonly size: number;
  readonly path: string;
}

const FLAG_DIRECTORY = 0x02;
const FLAG_MULTI_EXTENT = 0x80;

export class IsoImage {
  private readonly source: SectorSource;
  private readonly limits: IsoLimits;
  private readonly root: DirNode;
  private readonly tree: 'primary' | 'joliet';
  private readonly suspSkip: number;
  readonly volume: VolumeInfo;

  private constructor(source: SectorSource, limits: IsoLimits) {
    this.source = source;
    this.limits = limits;
    if (!Number.isSafeInteger(source.sectorCount) || source.sectorCount < 0) {
      throw new IsoError('read-error', `the sector source reports an invalid size (${String(source.sectorCount)})`);
    }
    if (source.sectorCount < 17) {
      throw new IsoError('truncated', `the image has ${source.sectorCount} sectors; an ISO 9660 volume needs at least 17 (descriptors start at sector 16)`);
    }
    let pvd: Uint8Array | undefined;
    let joliet: Uint8Array | undefined;
    for (let lba = 16; ; lba++) {
      if (lba >= source.sectorCount || lba >= 16 + 64) {
        throw new IsoError('bad-descriptor', 'no volume descriptor set terminator found in sectors 16 to ' + (lba - 1));
      }
      const d = this.sector(lba);
      if (ascii(d, 1, 5) !== 'CD001') {
        throw new IsoError('bad-magic', `volume descriptor at sector ${lba} lacks the "CD001" identifier: not an ISO 9660 image, or a corrupted one`);
      }
      const type = d[0]!;
      if (type === 255) break;
      if (type === 1 && pvd === undefined) pvd = d.slice();
      if (type === 2 && joliet === undefined && d[88] === 0x25 && d[89] === 0x2f && (d[90] === 0x40 || d[90] === 0x43 || d[90] === 0x45)) {
        joliet = d.slice();
      }
    }
    if (pvd === undefined) throw new IsoError('no-primary-descriptor', 'the volume has no primary volume descriptor');
    if (pvd[6] !== 1) throw new IsoError('bad-descriptor', `primary volume descriptor version is ${pvd[6]}, expected 1`);
    const blockSize = u16le(pvd, 128);
    if (blockSize !== SECTOR_SIZE) throw new IsoError('bad-block-size', `logical block size is ${blockSize}; only 2048 is supported`);
    const volumeSectors = u32le(pvd, 80);
    if (volumeSectors < 18) throw new IsoError('bad-descriptor', `volume space size is ${volumeSectors} sectors, too small to hold a root directory`);
    if (volumeSectors > source.sectorCount) {
      throw new IsoError('truncated', `the volume should have ${volumeSectors} sectors but the image has only ${source.sectorCount}: the image is truncated`);
    }
    const volumeEnd = volumeSectors;
    const rootOf = (d: Uint8Array, which: string): DirNode => {
      if (d[156] !== 34) throw new IsoError('bad-record', `${which} root directory record has length ${d[156]}, expected 34`);
      const rec = this.record(d, 156, 34, which + ' root directory record');
      if ((rec.flags & FLAG_DIRECTORY) === 0) throw new IsoError('bad-record', `${which} root directory record is not marked as a directory`);
      this.checkExtent(rec.extent, rec.size, volumeEnd, 'root directory');
      return { extent: rec.extent, size: rec.size, path: '/' };
    };
    const primaryRoot = rootOf(pvd, 'primary');
    this.root = primaryRoot;
    this.tree = 'primary';
    this.suspSkip = 0;
    this.volume = {
      systemId: ascii(pvd, 8, 32).trimEnd(),
      volumeId: ascii(pvd, 40, 32).trimEnd(),
      volumeSectors,
      names: 'iso9660',
      hasRockRidge: false,
      hasJoliet: joliet !== undefined,
    };
    const rr = this.detectRockRidge(primaryRoot);
    if (rr !== undefined) {
      this.suspSkip = rr;
      this.volume = { ...this.volume, names: 'rock-ridge', hasRockRidge: true };
    } else if (joliet !== undefined) {
      this.root = rootOf(joliet, 'Joliet');
      this.tree = 'joliet';
      this.volume = { ...this.volume, names: 'joliet' };
    }
  }

  /** Opens an image; throws IsoError if its structure is unusable. */
  static open(image: Uint8Array | SectorSource, limits: Partial<IsoLimits> = {}): IsoImage {
    const source = image instanceof Uint8Array ? imageSource(image) : image;
    return new IsoImage(source, { ...DEFAULT_ISO_LIMITS, ...limits });
  }

  private sector(lba: number): Uint8Array {
    if (lba >= this.source.sectorCount) throw new IsoError('truncated', `sector ${lba} is beyond the end of the image (${this.source.sectorCount} sectors)`);
    let s: Uint8Array;
    try {
      s = this.source.readSector(lba);
    } catch (e) {
      if (e instanceof IsoError) throw e;
      throw new IsoError('read-error', `reading sector ${lba} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!(s instanceof Uint8Array) || s.length < SECTOR_SIZE) throw new IsoError('truncated', `sector ${lba} is short (${s?.length ?? 0} bytes)`);
    return s;
  }

  private checkExtent(lba: number, bytes: number, volumeEnd: number, what: string): void {
    const sectors = Math.ceil(bytes / SECTOR_SIZE);
    if (lba < 16 + 1 && bytes > 0) throw new IsoError('extent-out-of-range', `${what} starts at sector ${lba}, inside the system area or descriptors`);
    if (lba + sectors > volumeEnd) {
      throw new IsoError('extent-out-of-range', `${what} at sector ${lba} (${bytes} bytes) extends past the end of the volume (${volumeEnd} sectors)`);
    }
  }

  private record(buf: Uint8Array, offset: number, len: number, what: string): RawRecord {
    if (len < 34) throw new IsoError('bad-record', `${what} has length ${len}, less than the minimum 34`);
    if (offset + len > buf.length) throw new IsoError('bad-record', `${what} runs past the end of its sector`);
    const extAttr = buf[offset + 1]!;
    const nameLen = buf[offset + 32]!;
    if (33 + nameLen > len) throw new IsoError('bad-record', `${what} has a ${nameLen}-byte name that does not fit its ${len}-byte record`);
    const suStart = 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0);
    return {
      extent: u32le(buf, offset + 2) + extAttr,
      size: u32le(buf, offset + 10),
      flags: buf[offset + 25]!,
      id: buf.subarray(offset + 33, offset + 33 + nameLen),
      systemUse: buf.subarray(offset + Math.min(suStart, len), offset + len),
      offsetInDir: offset,
    };
  }

  /** Reads every record of a directory, checking its structure. */
  private records(dir: DirNode): RawRecord[] {
    if (dir.size > this.limits.maxDirectoryBytes) {
      throw new IsoError('too-large', `directory ${dir.path} claims ${dir.size} bytes, more than the limit of ${this.limits.maxDirectoryBytes}`);
    }
    this.checkExtent(dir.extent, dir.size, this.volume.volumeSectors, `directory ${dir.path}`);
    const out: RawRecord[] = [];
    const sectors = Math.ceil(dir.size / SECTOR_SIZE);
    for (let i = 0; i < sectors; i++) {
      const s = this.sector(dir.extent + i);
      const end = Math.min(SECTOR_SIZE, dir.size - i * SECTOR_SIZE);
      let o = 0;
      while (o < end) {
        const len = s[o]!;
        // A zero length byte pads the rest of a sector; records never cross sector boundaries.
        if (len === 0) break;
        if (o + len > end) {
          throw new IsoError('bad-record', `directory ${dir.path}: record at byte ${i * SECTOR_SIZE + o} (length ${len}) crosses the end of its sector or directory`);
        }
        const rec = this.record(s, o, len, `directory ${dir.path}: record at byte ${i * SECTOR_SIZE + o}`);
        out.push({ ...rec, offsetInDir: i * SECTOR_SIZE + o });
        if (out.length > this.limits.maxDirectoryEntries) {
          throw new IsoError('too-large', `directory ${dir.path} has more than ${this.limits.maxDirectoryEntries} entries`);
        }
        o += len;
      }
    }
    if (out.length < 2 || out[0]!.id.length !== 1 || out[0]!.id[0] !== 0 || out[1]!.id.length !== 1 || out[1]!.id[0] !== 1) {
      throw new IsoError('bad-record', `directory ${dir.path} does not begin with its '.' and '..' records`);
    }
    if (out[0]!.extent !== dir.extent) {
      throw new IsoError('bad-record', `directory ${dir.path}: its '.' record points at sector ${out[0]!.extent}, not at the directory itself (${dir.extent})`);
    }
    return out;
  }

  /** Finds the SUSP "SP" entry in the root's '.' record; returns the skip length, or undefined without Rock Ridge. */
  private detectRockRidge(root: DirNode): number | undefined {
    const dot = this.records(root)[0]!;
    const su = dot.systemUse;
    if (su.length >= 7 && su[0] === 0x53 && su[1] === 0x50 && su[2] === 7 && su[4] === 0xbe && su[5] === 0xef) {
      return su[6]!;
    }
    return undefined;
  }

  /** Parses System Use Sharing Protocol entries, following continuation areas a bounded number of times. */
  private susp(area: Uint8Array, skip: number): { sig: string; data: Uint8Array }[] {
    const out: { sig: string; data: Uint8Array }[] = [];
    let buf = area;
    let o = skip;
    for (let hops = 0; hops < 16; ) {
      let next: { lba: number; offset: number; length: number } | undefined;
      while (o + 4 <= buf.length) {
        const sig = ascii(buf, o, 2);
        const len = buf[o + 2]!;
        if (len < 4 || o + len > buf.length) break;
        const data = buf.subarray(o + 4, o + len);
        if (sig === 'ST') break;
        if (sig === 'CE' && data.length >= 24) next = { lba: u32le(data, 0), offset: u32le(data, 8), length: u32le(data, 16) };
        else out.push({ sig, data });
        o += len;
      }
      if (next === undefined) break;
      hops++;
      if (next.offset + next.length > SECTOR_SIZE || next.lba >= this.volume.volumeSectors) break;
      buf = this.sector(next.lba).subarray(next.offset, next.offset + next.length);
      o = 0;
    }
    return out;
  }

  private entryName(rec: RawRecord): { name: string; hidden: boolean; childLink: number | undefined } {
    if (this.tree === 'joliet') return { name: plainName(ucs2be(rec.id)), hidden: false, childLink: undefined };
    const fallback = plainName(latin1(rec.id));
    if (!this.volume.hasRockRidge) return { name: fallback, hidden: false, childLink: undefined };
    let nm = '';
    let haveNm = false;
    let hidden = false;
    let childLink: number | undefined;
    for (const e of this.susp(rec.systemUse, this.suspSkip)) {
      if (e.sig === 'NM' && e.data.length >= 1) {
        const flags = e.data[0]!;
        if ((flags & 0x06) === 0) {
          nm += utf8(e.data.subarray(1));
          haveNm = true;
        }
      } else if (e.sig === 'RE') hidden = true;
      else if (e.sig === 'CL' && e.data.length >= 4) childLink = u32le(e.data, 0);
    }
    return { name: haveNm && nm !== '' && nm !== '.' && nm !== '..' && !nm.includes('/') ? nm : fallback, hidden, childLink };
  }

  /** Lists a directory's entries (without '.' and '..'), multi-extent files joined. */
  private entries(dir: DirNode): IsoEntry[] {
    const recs = this.records(dir);
    const out: IsoEntry[] = [];
    let pending: { name: string; extents: Extent[]; size: number } | undefined;
    const base = dir.path === '/' ? '/' : dir.path + '/';
    for (const rec of recs.slice(2)) {
      const { name, hidden, childLink } = this.entryName(rec);
      if (hidden) continue;
      if (name === '' || name.includes('/') || name === '.' || name === '..') {
        throw new IsoError('bad-record', `directory ${dir.path}: entry at byte ${rec.offsetInDir} has an unusable name ${JSON.stringify(name)}`);
      }
      if (childLink !== undefined) {
        const target = this.relocatedDirectory(childLink, base + name);
        out.push({ name, path: base + name, isDirectory: true, size: target.size, extents: [{ lba: target.extent, bytes: target.size }] });
        continue;
      }
      // Extents are checked when an entry is used, so one bad entry does not hide its siblings.
      const isDirectory = (rec.flags & FLAG_DIRECTORY) !== 0;
      if (isDirectory) {
        out.push({ name, path: base + name, isDirectory, size: rec.size, extents: [{ lba: rec.extent, bytes: rec.size }] });
        continue;
      }
      const part: Extent = { lba: rec.extent, bytes: rec.size };
      if (pending !== undefined && pending.name === name) {
        pending.extents.push(part);
        pending.size += rec.size;
      } else {
        if (pending !== undefined) throw new IsoError('bad-record', `directory ${dir.path}: multi-extent file ${pending.name} has no final extent`);
        pending = { name, extents: [part], size: rec.size };
      }
      if ((rec.flags & FLAG_MULTI_EXTENT) === 0) {
        out.push({ name, path: base + name, isDirectory: false, size: pending.size, extents: pending.extents });
        pending = undefined;
      }
    }
    if (pending !== undefined) throw new IsoError('bad-record', `directory ${dir.path}: multi-extent file ${pending.name} has no final extent`);
    return out;
  }

  private relocatedDirectory(lba: number, path: string): DirNode {
    if (lba >= this.volume.volumeSectors) throw new IsoError('extent-out-of-range', `${path}: Rock Ridge child link to sector ${lba} is past the end of the volume`);
    const s = this.sector(lba);
    const dot = this.record(s, 0, s[0]!, `${path}: relocated directory's '.' record`);
    return { extent: lba, size: dot.size, path };
  }

  private resolve(path: string): { node: DirNode; entry: IsoEntry | undefined } {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length > this.limits.maxDepth) throw new IsoError('not-found', `${path}: deeper than ${this.limits.maxDepth} levels`);
    let node = this.root;
    let entry: IsoEntry | undefined;
    const seen = new Set<number>([node.extent]);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '..') throw new IsoError('not-found', `${path}: '..' is not supported in image paths`);
      if (entry !== undefined && !entry.isDirectory) throw new IsoError('not-a-directory', `${entry.path} is not a directory`);
      const list = this.entries(node);
      entry = list.find((e) => e.name === part) ?? list.find((e) => e.name.toLowerCase() === part.toLowerCase());
      if (entry === undefined) throw new IsoError('not-found', `${node.path === '/' ? '' : node.path}/${part}: no such file or directory in the image`);
      if (entry.isDirectory) {
        const lba = entry.extents[0]!.lba;
        if (seen.has(lba)) throw new IsoError('directory-loop', `${entry.path} leads back to a directory above it (sector ${lba})`);
        seen.add(lba);
        node = { extent: lba, size: entry.size, path: entry.path };
      }
    }
    return { node, entry };
  }

  /** Describes the file or directory at `path` ('/' is the root). */
  stat(path: string): IsoEntry {
    const { node, entry } = this.resolve(path);
    return entry ?? { name: '', path: '/', isDirectory: true, size: node.size, extents: [{ lba: node.extent, bytes: node.size }] };
  }

  /** Lists the directory at `path`. */
  list(path = '/'): IsoEntry[] {
    const { node, entry } = this.resolve(path);
    if (entry !== undefined && !entry.isDirectory) throw new IsoError('not-a-directory', `${entry.path} is not a directory`);
    return this.entries(node);
  }

  /** Reads `length` bytes (to the end of the file if omitted) from `offset` of the file at `path`. */
  read(path: string, offset = 0, length?: number): Uint8Array {
    const entry = this.stat(path);
    if (entry.isDirectory) throw new IsoError('not-a-file', `${entry.path} is a directory`);
    return this.readEntry(entry, offset, length);
  }

  readEntry(entry: IsoEntry, offset = 0, length?: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new IsoError('bad-range', `bad offset ${offset}`);
    const start = Math.min(offset, entry.size);
    const want = length === undefined ? entry.size - start : length;
    if (!Number.isSafeInteger(want) || want < 0) throw new IsoError('bad-range', `bad length ${String(length)}`);
    const n = Math.min(want, entry.size - start);
    if (n > this.limits.maxReadBytes) throw new IsoError('too-large', `a read of ${n} bytes exceeds the limit of ${this.limits.maxReadBytes}; read in smaller ranges`);
    for (const ext of entry.extents) this.checkExtent(ext.lba, ext.bytes, this.volume.volumeSectors, entry.path);
    const out = new Uint8Array(n);
    let filePos = 0;
    let done = 0;
    for (const ext of entry.extents) {
      if (done >= n) break;
      const extEnd = filePos + ext.bytes;
      if (extEnd > start + done) {
        let pos = start + done - filePos;
        while (pos < ext.bytes && done < n) {
          const lba = ext.lba + Math.floor(pos / SECTOR_SIZE);
          if (lba >= this.volume.volumeSectors) throw new IsoError('extent-out-of-range', `${entry.path}: data sector ${lba} is past the end of the volume`);
          const s = this.sector(lba);
          const within = pos % SECTOR_SIZE;
          const take = Math.min(SECTOR_SIZE - within, ext.bytes - pos, n - done);
          out.set(s.subarray(within, within + take), done);
          done += take;
          pos += take;
        }
      }
      filePos = extEnd;
    }
    return out;
  }

  /** Visits every entry of the image depth first; detects directory loops. */
  walk(visit: (entry: IsoEntry) => void): void {
    const seen = new Set<number>([this.root.extent]);
    const stack: { node: DirNode; depth: number }[] = [{ node: this.root, depth: 0 }];
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      const list = this.entries(node);
      for (let i = list.length - 1; i >= 0; i--) {
        const e = list[i]!;
        if (!e.isDirectory) continue;
        const lba = e.extents[0]!.lba;
        if (seen.has(lba)) throw new IsoError('directory-loop', `${e.path} points at a directory already visited (sector ${lba})`);
        if (depth + 1 > this.limits.maxDepth) throw new IsoError('too-large', `${e.path} is nested deeper than ${this.limits.maxDepth} levels`);
        seen.add(lba);
        stack.push({ node: { extent: lba, size: e.size, path: e.path }, depth: depth + 1 });
      }
      for (const e of list) visit(e);
    }
  }
}

/** Opens an image, or returns the IsoError that explains why it cannot be read. Never throws. */
export function tryOpenIso(image: Uint8Array | SectorSource, limits: Partial<IsoLimits> = {}): IsoImage | IsoError {
  try {
    return IsoImage.open(image, limits);
  } catch (e) {
    if (e instanceof IsoError) return e;
    return new IsoError('read-error', `unexpected failure while reading the image: ${e instanceof Error ? e.message : String(e)}`);
  }
}
