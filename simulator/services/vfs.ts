// vfs, a small virtual file system server: applications open, read, stat and list files by path; it keeps their file descriptors and forwards to isofs.
import { Sef } from './sef';
import { ANY, CPF, Errno, Message, OK, type Sys, type Trap } from '../sdk/index';
import { FSREQ, FsErrno, FsReply, FsRequest, PATH_MAX, VFS, VFS_REPLY, VfsRequest, findEndpoint, setFileReply } from './storageMessages';
import { ISOFS_MAX_TRANSFER } from './isofs';

const MAX_OPEN_PER_PROCESS = 16;

interface OpenFile {
  readonly pathBytes: number;
  readonly path: Uint8Array;
  readonly size: number;
  position: number;
}

export function* vfsMain(sys: Sys): Generator<Trap, number, number> {
  const fsLabel = typeof sys.args.fs === 'string' ? sys.args.fs : 'isofs';
  const sef = new Sef(sys);
  yield* sef.startup();
  const m = new Message();
  const req = new Message();
  const fm = new Message();
  const pathBuf = sys.mem.alloc(PATH_MAX + 1);
  const files = new Map<number, Map<number, OpenFile>>();
  const reply = { size: 0, isDirectory: 0, entries: 0 };
  let fs = -1;

  function* ensureFs(): Generator<Trap, number, number> {
    if (fs < 0) {
      const found = yield* findEndpoint(sys, fsLabel, 1);
      fs = found < 0 ? -1 : found;
    }
    return fs;
  }

  /** One request to the file server about the path in pathBuf; the reply is left in fm. */
  function* fsRequest(type: number, pathBytes: number, dataGrant: number, position: number, count: number): Generator<Trap, number, number> {
    if ((yield* ensureFs()) < 0) return FsErrno.EIO;
    const grant = sys.cpf_grant_direct(fs, pathBuf, pathBytes, CPF.READ);
    fm.clear();
    fm.type = type;
    FsRequest.grant.set(fm, grant);
    FsRequest.pathBytes.set(fm, pathBytes);
    FsRequest.dataGrant.set(fm, dataGrant);
    FsRequest.position.set(fm, position);
    FsRequest.count.set(fm, count);
    const r = yield sys.sendrec(fs, fm);
    sys.cpf_revoke(grant);
    if (r !== OK) {
      // The file server died or is being restarted: look it up again next time.
      fs = -1;
      return FsErrno.EIO;
    }
    return FsReply.status.get(fm);
  }

  function* copyPath(caller: number): Generator<Trap, number, number> {
    const pathBytes = VfsRequest.pathBytes.get(req);
    if (pathBytes === 0) return FsErrno.EINVAL;
    if (pathBytes > PATH_MAX) return FsErrno.ENAMETOOLONG;
    const c = yield sys.sys_safecopyfrom(caller, VfsRequest.grant.get(req), 0, pathBuf, pathBytes);
    return c === OK ? pathBytes : c;
  }

  function* handle(caller: number): Generator<Trap, number, number> {
    const table = files.get(caller) ?? new Map<number, OpenFile>();
    switch (req.type) {
      case VFS.OPEN:
      case VFS.STAT: {
        const n = yield* copyPath(caller);
        if (n < 0) return n;
        const r = yield* fsRequest(FSREQ.LOOKUP, n, -1, 0, 0);
        if (r !== OK) return r;
        reply.size = FsReply.size.get(fm);
        reply.isDirectory = FsReply.isDirectory.get(fm);
        if (req.type === VFS.STAT) return OK;
        if (reply.isDirectory !== 0) return FsErrno.EISDIR;
        if (table.size >= MAX_OPEN_PER_PROCESS) return FsErrno.EMFILE;
        let fd = 0;
        while (table.has(fd)) fd++;
        table.set(fd, { pathBytes: n, path: sys.mem.read(pathBuf, n), size: reply.size, position: 0 });
        files.set(caller, table);
        return fd;
      }
      case VFS.READ: {
        const file = table.get(VfsRequest.fd.get(req));
        if (file === undefined) return FsErrno.EBADF;
        const count = Math.min(VfsRequest.count.get(req), VfsRequest.bufBytes.get(req), ISOFS_MAX_TRANSFER, Math.max(0, file.size - file.position));
        if (count === 0) return 0;
        sys.mem.write(pathBuf, file.path);
        if ((yield* ensureFs()) < 0) return FsErrno.EIO;
        const data = sys.cpf_grant_indirect(fs, caller, VfsRequest.bufGrant.get(req));
        const r = yield* fsRequest(FSREQ.READ, file.pathBytes, data, file.position, count);
        sys.cpf_revoke(data);
        if (r > 0) file.position += r;
        return r;
      }
      case VFS.LIST: {
        const n = yield* copyPath(caller);
        if (n < 0) return n;
        if ((yield* ensureFs()) < 0) return FsErrno.EIO;
        const data = sys.cpf_grant_indirect(fs, caller, VfsRequest.bufGrant.get(req));
        const r = yield* fsRequest(FSREQ.GETDENTS, n, data, 0, VfsRequest.bufBytes.get(req));
        sys.cpf_revoke(data);
        reply.entries = FsReply.entries.get(fm);
        return r;
      }
      case VFS.CLOSE:
        return table.delete(VfsRequest.fd.get(req)) ? OK : FsErrno.EBADF;
      default:
        return Errno.EINVAL;
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
    const status = yield* handle(caller);
    setFileReply(m, VFS_REPLY, status, reply);
    yield sys.sendnb(caller, m);
  }
}

export const VFS_CONF = `service vfs
{
	ipc	ALL		# applications and file servers
		;
	system
		KILL		# 06
		UMAP		# 14
		VIRCOPY		# 15
		;
	priority	5;
	quantum		500;
};
`;
