// The messages of the storage side: block and character device requests, the file server's and the IOMMU service's, and their error codes.
import { HARDWARE, Message, OK, defineLayout, type Sys, type Trap } from '../sdk/index';
import { utf8Encode } from '../core/utf8';
import { SIM_RQ_BASE } from './messages';

/** Block device requests (MINIX's BDEV_RQ_BASE and BDEV_RS_BASE, com.h), answered with BDEV_REPLY. */
export const BDEV = {
  OPEN: 0x500,
  CLOSE: 0x501,
  READ: 0x502,
  WRITE: 0x503,
  REPLY: 0x580,
} as const;

/** Character device requests (MINIX's CDEV_RQ_BASE and CDEV_RS_BASE, com.h), answered with CDEV_REPLY. */
export const CDEV = {
  OPEN: 0x400,
  CLOSE: 0x401,
  WRITE: 0x403,
  REPLY: 0x480,
} as const;

/** Requests from VFS to a file-system server (MINIX's REQ_*, FS_BASE + n in vfsif.h), answered with FS_REPLY. */
export const FSREQ = {
  READ: 0xa13,
  LOOKUP: 0xa1a,
  GETDENTS: 0xa1f,
} as const;
/** A file server's answer (the simulator's own: MINIX's servers put the status in the type). */
export const FS_REPLY = SIM_RQ_BASE + 0x80;

/**
 * The calls applications make on VFS (MINIX's VFS_BASE range, callnr.h), answered
 * with VFS_REPLY. LIST, which names a directory's entries by path, is the
 * simulator's own; MINIX's getdents reads them from an open descriptor.
 */
export const VFS = {
  READ: 0x100,
  OPEN: 0x103,
  CLOSE: 0x105,
  STAT: 0x115,
  LIST: SIM_RQ_BASE + 0x10,
} as const;
/** VFS's answer (the simulator's own, as FS_REPLY). */
export const VFS_REPLY = SIM_RQ_BASE + 0x81;

/** Requests to the IOMMU service: MAP is MINIX's IOMMU_MAP (BUSC_RQ_BASE + 32, com.h); UNMAP is the simulator's own. */
export const IOMMU_REQ = {
  MAP: 0x320,
  UNMAP: SIM_RQ_BASE + 0x20,
} as const;
/** The IOMMU service's answer (the simulator's own). */
export const IOMMU_REPLY = SIM_RQ_BASE + 0x82;

/** A request to a storage driver to misbehave (fault injection; the simulator's own): DMA at memory it does not own. */
export const FI_WILD_DMA = SIM_RQ_BASE + 0x30;

/** Where a wild DMA goes. */
export const WILD_DMA_TARGET = { KERNEL: 0, PROCESS: 1 } as const;

/** Errors of the file system (MINIX's numbers, negative as inside MINIX). */
export const FsErrno = {
  ENOENT: -2,
  EIO: -5,
  EBADF: -9,
  ENOTDIR: -20,
  EISDIR: -21,
  EINVAL: -22,
  EMFILE: -24,
  ENAMETOOLONG: -36,
} as const;

/** BDEV_READ/WRITE: `count` bytes at byte `position` of the device, to or from the caller's grant. */
export const BdevRequest = defineLayout({ minor: 'i32', grant: 'i32', count: 'u32', position: 'u32', id: 'i32' });
/** BDEV_REPLY: bytes transferred (OK for OPEN) or a negative error; OPEN also gives the medium's size. */
export const BdevReply = defineLayout({ status: 'i32', id: 'i32', sectors: 'u32', sectorBytes: 'u32' });

/** CDEV_WRITE: `count` bytes from the caller's grant. */
export const CdevRequest = defineLayout({ minor: 'i32', grant: 'i32', count: 'u32', id: 'i32' });
export const CdevReply = defineLayout({ status: 'i32', id: 'i32' });

/**
 * FS requests name files by path (the server keeps no per-file state, so a
 * restarted server serves open files on): the path, `pathBytes` long, is in
 * `grant`. READ copies `count` bytes from `position` to `dataGrant`;
 * GETDENTS writes the names, one a line (directories end in '/').
 */
export const FsRequest = defineLayout({ grant: 'i32', pathBytes: 'u32', dataGrant: 'i32', position: 'u32', count: 'u32' });
export const FsReply = defineLayout({ status: 'i32', size: 'u32', isDirectory: 'i32', entries: 'u32' });

/** VFS calls. OPEN/STAT/LIST: path in `grant` (pathBytes long). READ: fd, buffer grant, count. CLOSE: fd. */
export const VfsRequest = defineLayout({ grant: 'i32', pathBytes: 'u32', fd: 'i32', count: 'u32', bufGrant: 'i32', bufBytes: 'u32' });
/** status: OK, the fd (OPEN), bytes read (READ), or a negative error; size of the file (OPEN, STAT), entries (LIST). */
export const VfsReply = FsReply;

/** What a file server or VFS tells its caller about the file it served. */
export interface FileReplyInfo {
  size: number;
  isDirectory: number;
  entries: number;
}

/** Turns `m` into a reply of `type` (FS or VFS; both share one layout) with `status` and `info`. */
export function setFileReply(m: Message, type: number, status: number, info: FileReplyInfo): void {
  m.clear();
  m.type = type;
  FsReply.status.set(m, status);
  FsReply.size.set(m, info.size);
  FsReply.isDirectory.set(m, info.isDirectory);
  FsReply.entries.set(m, info.entries);
}

/** IOMMU MAP/UNMAP: the caller's buffer at `vaddr` for the device `deviceId`. The reply gives the IO-virtual address. */
export const IommuRequest = defineLayout({ deviceId: 'i32', vaddr: 'u32', bytes: 'u32', write: 'i32' });
export const IommuReply = defineLayout({ status: 'i32', iova: 'u32' });

/** FI_WILD_DMA: the kind of target and, for a process, its endpoint. */
export const WildDmaRequest = defineLayout({ target: 'i32', endpoint: 'i32', bytes: 'u32' });

/** Largest path a request may carry. */
export const PATH_MAX = 255;

/** UTF-8 bytes of a path. */
export function encodePath(path: string): Uint8Array {
  return utf8Encode(path);
}

/** A path from its UTF-8 bytes; malformed sequences become U+FFFD. */
export function decodePath(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : -1;
    if (n < 0 || i + n >= bytes.length) {
      s += '\ufffd';
      i++;
      continue;
    }
    let c = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) c = (c << 6) | (bytes[i + k]! & 0x3f);
    s += String.fromCodePoint(c);
    i += n + 1;
  }
  return s;
}

/** Looks a service up by label, retrying while it is being (re)started. Returns the endpoint or a negative error. */
export function* findEndpoint(sys: Sys, label: string, attempts = 20, waitCycles = 100_000): Generator<Trap, number, number> {
  const lookup = { name: label, endpoint: 0 };
  for (let i = 0; ; i++) {
    const r = yield sys.sys_getendpoint(lookup);
    if (r === OK) return lookup.endpoint;
    if (i + 1 >= attempts) return r;
    yield sys.compute(waitCycles);
  }
}

/** Waits for the interrupt notification (requests and pings queue meanwhile). */
export function* awaitInterrupt(sys: Sys, m: Message): Generator<Trap, number, number> {
  return yield sys.receive(HARDWARE, m);
}
