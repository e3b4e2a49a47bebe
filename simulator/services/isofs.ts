// isofs, the user-space ISO 9660 file server: reads the CD through the CD-ROM driver and answers VFS's path-based requests. A malformed image makes it fail, as MINIX's servers panic on bad metadata.
import { Sef } from './sef';
import { ANY, CPF, Errno, Message, OK, type Sys, type Trap } from '../sdk/index';
import { IsoError, IsoImage, SECTOR_SIZE, type SectorSource } from './isofs/iso9660';
import {
  BDEV, BdevReply, BdevRequest, FSREQ, FS_REPLY, FsErrno, FsRequest, PATH_MAX, decodePath, encodePath, findEndpoint, setFileReply,
} from './storageMessages';

/** Sectors fetched per driver request. */
const READAHEAD_SECTORS = 8;
const CACHE_SECTORS = 256;
/** Largest READ or GETDENTS answer. */
export const ISOFS_MAX_TRANSFER = 16 * 1024;
/** Sector fetches one request may need before the server gives up on it. */
const MAX_FETCHES = 512;

/** Thrown by the cache when a sector must first come from the driver; an IsoError so that the reader passes it through unchanged. */
class SectorMiss extends IsoError {
  constructor(readonly lba: number) {
    super('read-error', `sector ${lba} is not in the cache`);
  }
}

class SectorCache implements SectorSource {
  private readonly sectors = new Map<number, Uint8Array>();

  constructor(readonly sectorCount: number) {}

  readSector(lba: number): Uint8Array {
    const s = this.sectors.get(lba);
    if (s === undefined) throw new SectorMiss(lba);
    return s;
  }

  has(lba: number): boolean {
    return this.sectors.has(lba);
  }

  put(lba: number, data: Uint8Array): void {
    if (this.sectors.size >= CACHE_SECTORS) this.sectors.delete(this.sectors.keys().next().value as number);
    this.sectors.set(lba, data);
  }
}

/** Errors that belong to the request, answered with an error code; every other IsoError means the image is malformed. */
function requestError(e: IsoError): number | undefined {
  switch (e.code) {
    case 'not-found':
      return FsErrno.ENOENT;
    case 'not-a-directory':
      return FsErrno.ENOTDIR;
    case 'not-a-file':
      return FsErrno.EISDIR;
    case 'bad-range':
      return FsErrno.EINVAL;
    default:
      return undefined;
  }
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number };

export function* isofsMain(sys: Sys): Generator<Trap, number, number> {
  const driverLabel = typeof sys.args.driver === 'string' ? sys.args.driver : 'cdrom';
  const sef = new Sef(sys);
  yield* sef.startup();
  const m = new Message();
  const req = new Message();
  const dm = new Message();
  const reply = { size: 0, isDirectory: 0, entries: 0 };
  const pathBuf = sys.mem.alloc(PATH_MAX + 1);
  const dataBuf = sys.mem.alloc(ISOFS_MAX_TRANSFER);
  const fetchBuf = sys.mem.alloc(READAHEAD_SECTORS * SECTOR_SIZE);
  let driver = -1;
  let cache: SectorCache | undefined;
  let image: IsoImage | undefined;

  function* driverRequest(type: number, lba: number, sectors: number): Generator<Trap, number, number> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (driver < 0) {
        const found = yield* findEndpoint(sys, driverLabel, 1);
        if (found < 0) return Errno.EIO;
        driver = found;
      }
      const bytes = sectors * SECTOR_SIZE;
      const grant = type === BDEV.READ ? sys.cpf_grant_direct(driver, fetchBuf, bytes, CPF.WRITE) : -1;
      dm.clear();
      dm.type = type;
      BdevRequest.grant.set(dm, grant);
      BdevRequest.count.set(dm, bytes);
      BdevRequest.position.set(dm, lba * SECTOR_SIZE);
      const r = yield sys.sendrec(driver, dm);
      if (grant >= 0) sys.cpf_revoke(grant);
      if (r === OK) return BdevReply.status.get(dm);
      driver = -1;
    }
    return Errno.EIO;
  }

  function* fetch(lba: number): Generator<Trap, number, number> {
    const c = cache!;
    let count = 1;
    while (count < READAHEAD_SECTORS && lba + count < c.sectorCount && !c.has(lba + count)) count++;
    const r = yield* driverRequest(BDEV.READ, lba, count);
    if (r < 0) return r;
    const bytes = sys.mem.read(fetchBuf, count * SECTOR_SIZE);
    for (let i = 0; i < count; i++) c.put(lba + i, bytes.slice(i * SECTOR_SIZE, (i + 1) * SECTOR_SIZE));
    return OK;
  }

  /** Runs a reader operation, fetching the sectors it misses and running it again, until it completes. */
  function* withSectors<T>(op: () => T): Generator<Trap, Outcome<T>, number> {
    for (let fetches = 0; ; fetches++) {
      try {
        return { ok: true, value: op() };
      } catch (e) {
        if (!(e instanceof SectorMiss) || fetches >= MAX_FETCHES) throw e;
        const r = yield* fetch(e.lba);
        if (r !== OK) return { ok: false, status: FsErrno.EIO };
      }
    }
  }

  function* mount(): Generator<Trap, number, number> {
    dm.clear();
    const r = yield* driverRequest(BDEV.OPEN, 0, 0);
    if (r !== OK) return FsErrno.EIO;
    cache = new SectorCache(BdevReply.sectors.get(dm) * (BdevReply.sectorBytes.get(dm) / SECTOR_SIZE));
    const opened = yield* withSectors(() => IsoImage.open(cache!));
    if (!opened.ok) return opened.status;
    image = opened.value;
    return OK;
  }

  /** Serves one request; a malformed image throws out of here and ends the server. */
  function* serve(caller: number): Generator<Trap, number, number> {
    const pathBytes = FsRequest.pathBytes.get(req);
    if (pathBytes === 0 || pathBytes > PATH_MAX) return FsErrno.EINVAL;
    const c = yield sys.sys_safecopyfrom(caller, FsRequest.grant.get(req), 0, pathBuf, pathBytes);
    if (c !== OK) return c;
    const path = decodePath(sys.mem.read(pathBuf, pathBytes));
    try {
      if (image === undefined) {
        const mounted = yield* mount();
        if (mounted !== OK) return mounted;
      }
      const img = image!;
      switch (req.type) {
        case FSREQ.LOOKUP: {
          const st = yield* withSectors(() => img.stat(path));
          if (!st.ok) return st.status;
          reply.size = st.value.size;
          reply.isDirectory = st.value.isDirectory ? 1 : 0;
          return OK;
        }
        case FSREQ.READ: {
          const count = Math.min(FsRequest.count.get(req), ISOFS_MAX_TRANSFER);
          const position = FsRequest.position.get(req);
          const data = yield* withSectors(() => img.read(path, position, count));
          if (!data.ok) return data.status;
          if (data.value.length > 0) {
            sys.mem.write(dataBuf, data.value);
            const w = yield sys.sys_safecopyto(caller, FsRequest.dataGrant.get(req), 0, dataBuf, data.value.length);
            if (w !== OK) return w;
          }
          return data.value.length;
        }
        case FSREQ.GETDENTS: {
          const list = yield* withSectors(() => img.list(path));
          if (!list.ok) return list.status;
          const text = encodePath(list.value.map((e) => (e.isDirectory ? `${e.name}/\n` : `${e.name}\n`)).join(''));
          const n = Math.min(text.length, FsRequest.count.get(req), ISOFS_MAX_TRANSFER);
          if (n > 0) {
            sys.mem.write(dataBuf, text.subarray(0, n));
            const w = yield sys.sys_safecopyto(caller, FsRequest.dataGrant.get(req), 0, dataBuf, n);
            if (w !== OK) return w;
          }
          reply.entries = list.value.length;
          return n;
        }
        default:
          return Errno.EINVAL;
      }
    } catch (e) {
      if (!(e instanceof IsoError)) throw e;
      const code = requestError(e);
      if (code !== undefined) return code;
      throw new IsoError(e.code, `corrupted ISO 9660 image: ${e.message}`);
    }
  }

  for (;;) {
    const r = yield* sef.receive(ANY, m);
    if (r !== OK) continue;
    const caller = m.source;
    req.copyFrom(m);
    reply.size = 0;
    reply.isDirectory = 0;
    reply.entries = 0;
    const type = req.type;
    const status = type === FSREQ.LOOKUP || type === FSREQ.READ || type === FSREQ.GETDENTS ? yield* serve(caller) : Errno.EINVAL;
    setFileReply(m, FS_REPLY, status, reply);
    yield sys.sendnb(caller, m);
  }
}

export const ISOFS_CONF = `service isofs
{
	system
		UMAP		# 14
		;
	ipc	SYSTEM rs ds vfs cdrom
		;
	uid	0;
};
`;
