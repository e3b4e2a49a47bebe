// Application programs for the storage workloads (cd-read, print, block-read), a canary whose memory must not change, and the wild-DMA trigger of scenario S3.
import { CLOCK, CPF, Errno, Message, OK, type Sys, type Trap } from '../sdk/index';
import { BUILTIN_CD_FILES } from './isofs/isoBuilder';
import {
  BDEV, BdevReply, BdevRequest, CDEV, CdevReply, CdevRequest, FI_WILD_DMA, VFS, VfsReply, VfsRequest, WILD_DMA_TARGET, WildDmaRequest,
  encodePath, findEndpoint,
} from './storageMessages';

const READ_CHUNK = 4096;

/** FNV-1a, 32 bits: how applications and tests compare contents. */
export function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

function intArg(sys: Sys, name: string, fallback: number): number {
  const v = sys.args[name];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fallback;
}

/** Waits until the workload's start time (arg `startAtCycles`), by alarm if the program may set one. */
function* waitForStart(sys: Sys, m: Message): Generator<Trap, void, number> {
  const at = intArg(sys, 'startAtCycles', 0);
  const left = at - sys.uptimeCycles();
  if (left <= 0) return;
  if ((yield sys.sys_setalarm(at, true)) === OK) yield sys.receive(CLOCK, m);
  else yield sys.compute(left);
}

function stringArg(sys: Sys, name: string, fallback: string): string {
  const v = sys.args[name];
  return typeof v === 'string' ? v : fallback;
}

/**
 * cd-read: reads `path` through VFS `repeat` times (0: forever), `intervalCycles`
 * apart, and checks each copy against `expectFnv` (FNV-1a of the contents) or
 * `expect` (the text) when given. Exits with the number of failed reads (at most 255).
 */
export function* cdReadMain(sys: Sys): Generator<Trap, number, number> {
  const path = encodePath(stringArg(sys, 'path', '/README.TXT'));
  const repeat = intArg(sys, 'repeat', 1);
  const interval = intArg(sys, 'intervalCycles', 1_000_000);
  const image = stringArg(sys, 'image', '');
  const known = image.startsWith('builtin:') ? BUILTIN_CD_FILES.find((f) => f.path.toLowerCase() === stringArg(sys, 'path', '/README.TXT').toLowerCase()) : undefined;
  const expectArg = typeof sys.args.expect === 'string' ? sys.args.expect : known?.text;
  const expectText = expectArg === undefined ? undefined : encodePath(expectArg);
  const expectFnv = typeof sys.args.expectFnv === 'number' ? sys.args.expectFnv >>> 0 : expectText === undefined ? undefined : fnv1a32(expectText);
  const pathAt = sys.mem.alloc(path.length);
  sys.mem.write(pathAt, path);
  const buf = sys.mem.alloc(READ_CHUNK);
  const m = new Message();
  yield* waitForStart(sys, m);
  let failures = 0;
  for (let round = 0; repeat === 0 || round < repeat; round++) {
    if (round > 0) yield sys.compute(interval);
    const vfs = yield* findEndpoint(sys, 'vfs');
    const contents = yield* readFile(sys, vfs, m, pathAt, path.length, buf);
    if (typeof contents === 'number' || (expectFnv !== undefined && fnv1a32(contents) !== expectFnv)) failures++;
  }
  return Math.min(failures, 255);
}

/** Opens, reads to the end and closes a file through VFS; the contents, or a negative error. */
export function* readFile(sys: Sys, vfs: number, m: Message, pathAt: number, pathBytes: number, buf: number): Generator<Trap, Uint8Array | number, number> {
  if (vfs < 0) return vfs;
  const pathGrant = sys.cpf_grant_direct(vfs, pathAt, pathBytes, CPF.READ);
  m.clear();
  m.type = VFS.OPEN;
  VfsRequest.grant.set(m, pathGrant);
  VfsRequest.pathBytes.set(m, pathBytes);
  let r = yield sys.sendrec(vfs, m);
  sys.cpf_revoke(pathGrant);
  if (r !== OK) return r;
  const fd = VfsReply.status.get(m);
  if (fd < 0) return fd;
  const size = VfsReply.size.get(m);
  const out = new Uint8Array(size);
  const bufGrant = sys.cpf_grant_direct(vfs, buf, READ_CHUNK, CPF.WRITE);
  let done = 0;
  let status = 0;
  while (done < size) {
    m.clear();
    m.type = VFS.READ;
    VfsRequest.fd.set(m, fd);
    VfsRequest.count.set(m, READ_CHUNK);
    VfsRequest.bufGrant.set(m, bufGrant);
    VfsRequest.bufBytes.set(m, READ_CHUNK);
    r = yield sys.sendrec(vfs, m);
    status = r === OK ? VfsReply.status.get(m) : r;
    if (status <= 0) break;
    out.set(sys.mem.read(buf, status), done);
    done += status;
  }
  sys.cpf_revoke(bufGrant);
  m.clear();
  m.type = VFS.CLOSE;
  VfsRequest.fd.set(m, fd);
  yield sys.sendrec(vfs, m);
  if (done < size) return status < 0 ? status : Errno.EIO;
  return out;
}

/** The text the print workload sends: `bytes` long, the same every time. */
export function printText(bytes: number): string {
  const line = 'Microkernel Lab: the printer driver runs in user space.\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

/**
 * print: sends `text` (or printText(`bytes`)) to the printer driver `repeat`
 * times. Exits with the number of failed jobs.
 */
export function* printMain(sys: Sys): Generator<Trap, number, number> {
  const text = encodePath(typeof sys.args.text === 'string' ? sys.args.text : printText(intArg(sys, 'bytes', 64)));
  const repeat = intArg(sys, 'repeat', 1);
  const interval = intArg(sys, 'intervalCycles', 1_000_000);
  const at = sys.mem.alloc(Math.max(1, text.length));
  sys.mem.write(at, text);
  const m = new Message();
  yield* waitForStart(sys, m);
  let failures = 0;
  for (let round = 0; repeat === 0 || round < repeat; round++) {
    if (round > 0) yield sys.compute(interval);
    const printer = yield* findEndpoint(sys, stringArg(sys, 'driver', 'printer'));
    if (printer < 0) {
      failures++;
      continue;
    }
    const grant = sys.cpf_grant_direct(printer, at, text.length, CPF.READ);
    m.clear();
    m.type = CDEV.WRITE;
    CdevRequest.grant.set(m, grant);
    CdevRequest.count.set(m, text.length);
    CdevRequest.id.set(m, round);
    const r = yield sys.sendrec(printer, m);
    sys.cpf_revoke(grant);
    if (r !== OK || CdevReply.status.get(m) !== text.length) failures++;
  }
  return Math.min(failures, 255);
}

/** The byte at `offset` of sector `lba` of the built-in disk, so that readers can check what they get. */
export function diskPatternByte(lba: number, offset: number): number {
  return (lba * 31 + offset * 7 + (offset >> 8)) & 0xff;
}

/** The pattern images made so far, by sector count; never handed out, only copied. */
const madeImages = new Map<number, Uint8Array>();

/** A disk image of `sectors` 512-byte sectors filled with diskPatternByte. */
export function builtinDiskImage(sectors = 2048): Uint8Array {
  let made = madeImages.get(sectors);
  if (made === undefined) {
    made = new Uint8Array(sectors * 512);
    for (let lba = 0; lba < sectors; lba++) for (let o = 0; o < 512; o++) made[lba * 512 + o] = diskPatternByte(lba, o);
    if (madeImages.size < 4) madeImages.set(sectors, made);
  }
  // A copy each time: a system's disk is its own to write (a campaign boots one per trial; the pattern is made once).
  return made.slice();
}

/**
 * block-read: reads `blocks` blocks of `blockSize` bytes straight from the
 * disk driver, sequentially or at random, `repeat` times; with `verify` it
 * checks each block against the built-in disk's pattern. Exits with the
 * number of failed reads.
 */
export function* blockReadMain(sys: Sys): Generator<Trap, number, number> {
  const blockSize = Math.max(512, Math.floor(intArg(sys, 'blockSize', 4096) / 512) * 512);
  const blocks = intArg(sys, 'blocks', 16);
  const repeat = intArg(sys, 'repeat', 1);
  const random = sys.args.pattern === 'random';
  const verify = sys.args.verify === true;
  const diskBlocks = intArg(sys, 'diskBlocks', Math.floor((2048 * 512) / blockSize));
  const interval = intArg(sys, 'intervalCycles', 1_000_000);
  const buf = sys.mem.alloc(blockSize);
  const m = new Message();
  yield* waitForStart(sys, m);
  let failures = 0;
  for (let round = 0; repeat === 0 || round < repeat; round++) {
    if (round > 0) yield sys.compute(interval);
    const disk = yield* findEndpoint(sys, stringArg(sys, 'driver', 'disk'));
    const grant = disk < 0 ? -1 : sys.cpf_grant_direct(disk, buf, blockSize, CPF.WRITE);
    for (let i = 0; i < blocks; i++) {
      const block = random ? sys.random.nextU32() % diskBlocks : i % diskBlocks;
      if (disk < 0) {
        failures++;
        continue;
      }
      m.clear();
      m.type = BDEV.READ;
      BdevRequest.grant.set(m, grant);
      BdevRequest.count.set(m, blockSize);
      BdevRequest.position.set(m, block * blockSize);
      BdevRequest.id.set(m, i);
      const r = yield sys.sendrec(disk, m);
      if (r !== OK || BdevReply.status.get(m) !== blockSize) {
        failures++;
        continue;
      }
      if (verify) {
        const data = sys.mem.read(buf, blockSize);
        const first = (block * blockSize) / 512;
        for (let o = 0; o < blockSize; o++) {
          if (data[o] !== diskPatternByte(first + Math.floor(o / 512), o % 512)) {
            failures++;
            break;
          }
        }
      }
    }
    if (grant >= 0) sys.cpf_revoke(grant);
  }
  return Math.min(failures, 255);
}

const CANARY_PAGE = 4096;

function canaryByte(i: number): number {
  return (i * 13 + 0x5a) & 0xff;
}

/**
 * canary: fills the first page of its memory with a pattern and checks it
 * every `intervalCycles`; if anything changed it behind its back, it fails
 * with the address (a wild DMA into another process shows up here). Runs
 * `checks` times (0: forever), then exits with 0.
 */
export function* canaryMain(sys: Sys): Generator<Trap, number, number> {
  const interval = intArg(sys, 'intervalCycles', 1_000_000);
  const checks = intArg(sys, 'checks', 0);
  const at = sys.mem.alloc(CANARY_PAGE);
  const pattern = Uint8Array.from({ length: CANARY_PAGE }, (_, i) => canaryByte(i));
  sys.mem.write(at, pattern);
  for (let n = 0; checks === 0 || n < checks; n++) {
    yield sys.compute(interval);
    const now = sys.mem.read(at, CANARY_PAGE);
    for (let i = 0; i < CANARY_PAGE; i++) {
      if (now[i] !== pattern[i]) throw new Error(`memory at 0x${(at + i).toString(16)} was overwritten behind the program's back`);
    }
  }
  return 0;
}

/**
 * dmarogue: the fault injector's arm for scenario S3. It asks a storage
 * driver (`driver`, default 'disk') to program its device's DMA at kernel
 * memory (`target` 'kernel') or at another process (`target` 'process',
 * `victim` its label, default 'canary'). Exits with 0 if the device wrote
 * there, 1 if the transfer was blocked, 2 on any other failure.
 */
export function* dmaRogueMain(sys: Sys): Generator<Trap, number, number> {
  const driver = yield* findEndpoint(sys, stringArg(sys, 'driver', 'disk'));
  if (driver < 0) return 2;
  const toProcess = sys.args.target === 'process';
  let victim = 0;
  if (toProcess) {
    victim = yield* findEndpoint(sys, stringArg(sys, 'victim', 'canary'));
    if (victim < 0) return 2;
  }
  const m = new Message(FI_WILD_DMA);
  WildDmaRequest.target.set(m, toProcess ? WILD_DMA_TARGET.PROCESS : WILD_DMA_TARGET.KERNEL);
  WildDmaRequest.endpoint.set(m, victim);
  WildDmaRequest.bytes.set(m, intArg(sys, 'bytes', 4096));
  const r = yield sys.sendrec(driver, m);
  if (r !== OK) return 2;
  const status = BdevReply.status.get(m);
  return status === OK ? 0 : status === Errno.EFAULT ? 1 : 2;
}
