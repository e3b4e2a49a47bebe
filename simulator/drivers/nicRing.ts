// What the NIC's two drivers (the MINIX-style one in nic.ts and the
// kernel-bypass poll-mode one in pollModeNic.ts) do the same way with its
// descriptor rings in their own memory.
import { NIC_DESC } from '../hw/nic';
import type { Sys } from '../sdk';

export const PAGE_BYTES = 4096;

/** Allocates `bytes` starting on a page boundary (a page more is taken from the bump allocator). */
export function alignedAlloc(sys: Sys, bytes: number): number {
  const raw = sys.mem.alloc(bytes + PAGE_BYTES);
  return Math.ceil(raw / PAGE_BYTES) * PAGE_BYTES;
}

/** Hands a descriptor to the NIC: its buffer's IO-virtual address and length, its status cleared. */
export function writeDescriptor(sys: Sys, ring: number, index: number, bufferIova: number, length: number): void {
  const at = ring + index * NIC_DESC.SIZE_BYTES;
  sys.mem.writeU32(at + NIC_DESC.BUFFER, bufferIova);
  sys.mem.writeU32(at + NIC_DESC.LENGTH, length & 0xffff);
  sys.mem.writeU32(at + NIC_DESC.STATUS, 0);
}

/** The status bits the NIC wrote back into a descriptor. */
export function readStatus(sys: Sys, ring: number, index: number): number {
  return sys.mem.readU32(ring + index * NIC_DESC.SIZE_BYTES + NIC_DESC.STATUS) & 0xffff;
}
