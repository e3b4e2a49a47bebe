// Per-process address spaces: page tables from virtual pages to physical frames
// with read/write permissions, and the translation the kernel uses on every access.
import { PAGE_BYTES, PAGE_SHIFT } from './memory';

export const PagePerm = {
  read: 1,
  write: 2,
} as const;
export type AccessKind = 'read' | 'write';

/** Thrown into a program that touches memory outside its address space. */
export class MmuFault extends Error {
  constructor(
    readonly vaddr: number,
    readonly access: AccessKind,
    readonly reason: 'unmapped' | 'protection',
  ) {
    super(`page fault: ${access} of ${reason} address 0x${vaddr.toString(16)}`);
    this.name = 'MmuFault';
  }
}

export class AddressSpace {
  /** Virtual page number to (physical frame address | permission bits). */
  private readonly pages = new Map<number, number>();

  constructor(readonly id: number) {}

  map(vaddr: number, paddr: number, bytes: number, perms: number): void {
    if (vaddr % PAGE_BYTES !== 0 || paddr % PAGE_BYTES !== 0) throw new RangeError('mappings must be page aligned');
    const n = Math.ceil(bytes / PAGE_BYTES);
    for (let i = 0; i < n; i++) this.pages.set((vaddr >>> PAGE_SHIFT) + i, paddr + i * PAGE_BYTES + perms);
  }

  unmap(vaddr: number, bytes: number): void {
    const n = Math.ceil(bytes / PAGE_BYTES);
    for (let i = 0; i < n; i++) this.pages.delete(Math.floor(vaddr / PAGE_BYTES) + i);
  }

  /** Physical address of `vaddr`, or a negative value: -1 unmapped, -2 not permitted. */
  translate(vaddr: number, perm: number): number {
    const entry = this.pages.get(Math.floor(vaddr / PAGE_BYTES));
    if (entry === undefined) return -1;
    if ((entry & perm) !== perm) return -2;
    return (entry - (entry & (PAGE_BYTES - 1))) + (vaddr & (PAGE_BYTES - 1));
  }

  /** Whether every byte of [vaddr, vaddr+bytes) is mapped with `perm`. */
  covers(vaddr: number, bytes: number, perm: number): boolean {
    if (bytes === 0) return true;
    if (vaddr < 0 || !Number.isSafeInteger(vaddr + bytes)) return false;
    const first = Math.floor(vaddr / PAGE_BYTES);
    const last = Math.floor((vaddr + bytes - 1) / PAGE_BYTES);
    for (let p = first; p <= last; p++) {
      const entry = this.pages.get(p);
      if (entry === undefined || (entry & perm) !== perm) return false;
    }
    return true;
  }

  /** Calls `visit` for each physically contiguous piece of a virtual range already known to be covered. */
  forEachPiece(vaddr: number, bytes: number, visit: (paddr: number, offset: number, length: number) => void): void {
    let done = 0;
    while (done < bytes) {
      const va = vaddr + done;
      const inPage = PAGE_BYTES - (va & (PAGE_BYTES - 1));
      const length = Math.min(inPage, bytes - done);
      visit(this.translate(va, 0), done, length);
      done += length;
    }
  }

  /** Mappings sorted by virtual page, for digests and debuggers. */
  entries(): { vpage: number; frame: number; perms: number }[] {
    return [...this.pages.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([vpage, e]) => ({ vpage, frame: e - (e & (PAGE_BYTES - 1)), perms: e & (PAGE_BYTES - 1) }));
  }
}

/** Maps a fault code from `translate` to its reason. */
export function faultReason(code: number): 'unmapped' | 'protection' {
  return code === -2 ? 'protection' : 'unmapped';
}
