// Physical memory: a byte array in 4 KiB frames, a frame allocator, and the
// checksummed kernel region that the kernel-integrity check re-verifies.
import type { PhysicalMemoryAccess } from './bus';

export const PAGE_BYTES = 4096;
export const PAGE_SHIFT = 12;

/** A fast 32-bit checksum of a byte range (FNV-1a over 32-bit words, then the tail). */
export function checksum32(data: Uint8Array, offset: number, length: number): number {
  let h = 0x811c9dc5;
  let i = offset;
  const end = offset + length;
  for (; i + 4 <= end; i += 4) {
    const w = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h = Math.imul(h ^ w, 0x01000193);
  }
  for (; i < end; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return h >>> 0;
}

export interface IntegrityReport {
  readonly ok: boolean;
  /** Physical addresses of the kernel pages whose checksum changed. */
  readonly corruptedPages: readonly number[];
}

export class PhysicalMemory implements PhysicalMemoryAccess {
  readonly sizeBytes: number;
  readonly frameCount: number;
  /** The backing store; the kernel reads it directly on copies. */
  readonly bytes: Uint8Array;
  private readonly frameOwner: Int32Array;
  private kernelFrames = 0;
  private kernelChecksums: Uint32Array = new Uint32Array(0);

  constructor(sizeBytes: number) {
    if (!Number.isInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes % PAGE_BYTES !== 0) {
      throw new RangeError(`physical memory must be a positive multiple of ${PAGE_BYTES} bytes`);
    }
    this.sizeBytes = sizeBytes;
    this.frameCount = sizeBytes / PAGE_BYTES;
    this.bytes = new Uint8Array(sizeBytes);
    this.frameOwner = new Int32Array(this.frameCount).fill(FREE_FRAME);
  }

  read(paddr: number, length: number): Uint8Array {
    this.checkRange(paddr, length);
    return this.bytes.slice(paddr, paddr + length);
  }

  write(paddr: number, data: Uint8Array): void {
    this.checkRange(paddr, data.length);
    this.bytes.set(data, paddr);
  }

  /**
   * Reserves the first `frames` frames as kernel memory, fills them with
   * `fill(i)` for byte i, and records a checksum per page.
   */
  reserveKernel(frames: number, fill: (index: number) => number): void {
    if (this.kernelFrames !== 0) throw new Error('kernel memory is already reserved');
    if (frames > this.frameCount) throw new RangeError('kernel region larger than memory');
    for (let f = 0; f < frames; f++) this.frameOwner[f] = KERNEL_OWNER;
    const end = frames * PAGE_BYTES;
    for (let i = 0; i < end; i++) this.bytes[i] = fill(i) & 0xff;
    this.kernelFrames = frames;
    this.kernelChecksums = new Uint32Array(frames);
    for (let f = 0; f < frames; f++) this.kernelChecksums[f] = checksum32(this.bytes, f * PAGE_BYTES, PAGE_BYTES);
  }

  get kernelBytes(): number {
    return this.kernelFrames * PAGE_BYTES;
  }

  verifyKernel(): IntegrityReport {
    const corrupted: number[] = [];
    for (let f = 0; f < this.kernelFrames; f++) {
      if (checksum32(this.bytes, f * PAGE_BYTES, PAGE_BYTES) !== this.kernelChecksums[f]) corrupted.push(f * PAGE_BYTES);
    }
    return { ok: corrupted.length === 0, corruptedPages: corrupted };
  }

  /** Who owns the frame holding `paddr`: a process slot's index, KERNEL_OWNER, FREE_FRAME, or FREE_FRAME past the end of memory. */
  ownerAt(paddr: number): number {
    const f = Math.floor(paddr / PAGE_BYTES);
    return f >= 0 && f < this.frameCount ? this.frameOwner[f]! : FREE_FRAME;
  }

  /** Allocates `count` frames, lowest free first; returns their physical addresses or undefined. */
  allocFrames(count: number, owner: number): number[] | undefined {
    const found: number[] = [];
    for (let f = 0; f < this.frameCount && found.length < count; f++) {
      if (this.frameOwner[f] === FREE_FRAME) found.push(f);
    }
    if (found.length < count) return undefined;
    for (const f of found) {
      this.frameOwner[f] = owner;
      this.bytes.fill(0, f * PAGE_BYTES, (f + 1) * PAGE_BYTES);
    }
    return found.map((f) => f * PAGE_BYTES);
  }

  freeFramesOf(owner: number): void {
    for (let f = 0; f < this.frameCount; f++) if (this.frameOwner[f] === owner) this.frameOwner[f] = FREE_FRAME;
  }

  /** The frames of owner `a` become `b`'s and those of `b` become `a`'s (two processes that trade slots). */
  swapOwners(a: number, b: number): void {
    const own = this.frameOwner;
    for (let f = 0; f < this.frameCount; f++) {
      if (own[f] === a) own[f] = b;
      else if (own[f] === b) own[f] = a;
    }
  }

  get freeFrameCount(): number {
    let n = 0;
    for (let f = 0; f < this.frameCount; f++) if (this.frameOwner[f] === FREE_FRAME) n++;
    return n;
  }

  /** Checksum of all of memory and of the frame ownership, for state digests. */
  stateChecksum(): number {
    return (checksum32(this.bytes, 0, this.sizeBytes) ^ Math.imul(checksum32(new Uint8Array(this.frameOwner.buffer), 0, this.frameOwner.byteLength), 31)) >>> 0;
  }

  private checkRange(paddr: number, length: number): void {
    if (!Number.isInteger(paddr) || !Number.isInteger(length) || paddr < 0 || length < 0 || paddr + length > this.sizeBytes) {
      throw new RangeError(`physical access [${paddr}, +${length}) outside memory of ${this.sizeBytes} bytes`);
    }
  }
}

export const FREE_FRAME = -1;
export const KERNEL_OWNER = -2;
