// Memory grants (safecopies.h): a process's grant table, kept in its own
// (user-side) data as in MINIX, and the kernel's verification of a grant.
import { ANY, CPF, Errno, GRANT_INVALID, GRANT_SHIFT, MAX_INDIRECT_DEPTH, OK } from './constants';

export interface GrantEntry {
  flags: number;
  seq: number;
  whoTo: number;
  /** Indirect: the original granter. Magic: the process whose memory is granted. */
  whoFrom: number;
  /** Virtual address in the granting process (direct) or in `whoFrom` (magic). */
  startVaddr: number;
  bytes: number;
  /** Indirect: the grant id in `whoFrom`'s table. */
  grant: number;
}

export function grantIndex(id: number): number {
  return id & ((1 << GRANT_SHIFT) - 1);
}

export function grantSeq(id: number): number {
  return id >>> GRANT_SHIFT;
}

export class GrantTable {
  readonly entries: GrantEntry[] = [];

  constructor(readonly maxEntries: number) {}

  /** cpf_grant_direct: lets `whoTo` read and/or write [vaddr, vaddr+bytes) of this process. */
  grantDirect(whoTo: number, vaddr: number, bytes: number, access: number): number {
    return this.add(CPF.DIRECT | (access & (CPF.READ | CPF.WRITE)), whoTo, 0, vaddr, bytes, 0);
  }

  /** cpf_grant_indirect: passes on grant `grant` that `whoFrom` gave this process. */
  grantIndirect(whoTo: number, whoFrom: number, grant: number): number {
    return this.add(CPF.INDIRECT, whoTo, whoFrom, 0, 0, grant);
  }

  /** cpf_grant_magic: lets `whoTo` reach memory of `whoFrom`; needs the magic-grant privilege at copy time. */
  grantMagic(whoTo: number, whoFrom: number, vaddr: number, bytes: number, access: number): number {
    return this.add(CPF.MAGIC | (access & (CPF.READ | CPF.WRITE)), whoTo, whoFrom, vaddr, bytes, 0);
  }

  /** cpf_revoke: the id stops working at once; a later grant in the slot gets a new id. */
  revoke(id: number): number {
    const e = this.entries[grantIndex(id)];
    if (e === undefined || e.seq !== grantSeq(id) || (e.flags & CPF.USED) === 0) return Errno.EINVAL;
    e.flags = 0;
    return OK;
  }

  private add(flags: number, whoTo: number, whoFrom: number, startVaddr: number, bytes: number, grant: number): number {
    let index = this.entries.findIndex((e) => (e.flags & CPF.USED) === 0);
    if (index < 0) {
      if (this.entries.length >= this.maxEntries) return GRANT_INVALID;
      index = this.entries.length;
      this.entries.push({ flags: 0, seq: 0, whoTo: 0, whoFrom: 0, startVaddr: 0, bytes: 0, grant: 0 });
    }
    const e = this.entries[index]!;
    e.seq = (e.seq % 2047) + 1;
    e.flags = flags | CPF.USED | CPF.VALID;
    e.whoTo = whoTo;
    e.whoFrom = whoFrom;
    e.startVaddr = startVaddr;
    e.bytes = bytes;
    e.grant = grant;
    return (e.seq << GRANT_SHIFT) | index;
  }
}

/** What the kernel needs to know of a granter while verifying. */
export interface GrantContext {
  /** The grant table and privileges of a live endpoint, or undefined if the endpoint is not alive. */
  lookup(endpoint: number): { table: GrantTable | null; magicAllowed: boolean } | undefined;
}

export interface VerifiedGrant {
  status: number;
  /** Whose memory the copy touches (the granter, or for magic grants `whoFrom`). */
  endpoint: number;
  vaddr: number;
}

/**
 * verify_grant: follows indirect grants back to a direct or magic one and
 * checks the grantee, the access and the range. Errors as MINIX: EINVAL for a
 * dead granter or an invalid id, EPERM for everything else, ELOOP past depth 5.
 */
export function verifyGrant(
  ctx: GrantContext,
  granterIn: number,
  granteeIn: number,
  grantIn: number,
  bytes: number,
  access: number,
  offset: number,
  out: VerifiedGrant,
): number {
  let granter = granterIn;
  let grantee = granteeIn;
  let grant = grantIn;
  let depth = 0;
  let e: GrantEntry;
  let magicAllowed = false;
  for (;;) {
    const g = ctx.lookup(granter);
    if (g === undefined) return (out.status = Errno.EINVAL);
    if (grant < 0 || !Number.isInteger(grant)) return (out.status = Errno.EINVAL);
    if (g.table === null) return (out.status = Errno.EPERM);
    const found = g.table.entries[grantIndex(grant)];
    if (found === undefined) return (out.status = Errno.EPERM);
    if ((found.flags & (CPF.USED | CPF.VALID)) !== (CPF.USED | CPF.VALID)) return (out.status = Errno.EPERM);
    if (found.seq !== grantSeq(grant)) return (out.status = Errno.EPERM);
    e = found;
    magicAllowed = g.magicAllowed;
    if ((e.flags & CPF.INDIRECT) === 0) break;
    if (depth === MAX_INDIRECT_DEPTH) return (out.status = Errno.ELOOP);
    depth++;
    if (e.whoTo !== grantee && grantee !== ANY && e.whoTo !== ANY) return (out.status = Errno.EPERM);
    grantee = granter;
    granter = e.whoFrom;
    grant = e.grant;
  }
  if ((e.flags & access) !== access) return (out.status = Errno.EPERM);
  if (e.whoTo !== grantee && grantee !== ANY && e.whoTo !== ANY) return (out.status = Errno.EPERM);
  if (offset < 0 || bytes < 0 || offset + bytes > e.bytes) return (out.status = Errno.EPERM);
  if ((e.flags & CPF.DIRECT) !== 0) {
    out.endpoint = granter;
  } else if ((e.flags & CPF.MAGIC) !== 0) {
    if (!magicAllowed) return (out.status = Errno.EPERM);
    out.endpoint = e.whoFrom;
  } else {
    return (out.status = Errno.EPERM);
  }
  out.vaddr = e.startVaddr + offset;
  return (out.status = OK);
}
