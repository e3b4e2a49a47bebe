// Byte and little-endian 32-bit accessors over a memory that can read and write byte ranges: shared by the
// simulator's UserMemory and the one a user driver sees in its own realm (node/userDrivers/isolation/realm.ts).

export abstract class WordAccess {
  abstract read(vaddr: number, length: number): Uint8Array;
  abstract write(vaddr: number, data: Uint8Array): void;

  readU8(vaddr: number): number {
    return this.read(vaddr, 1)[0]!;
  }

  writeU8(vaddr: number, value: number): void {
    this.write(vaddr, Uint8Array.of(value & 0xff));
  }

  readU32(vaddr: number): number {
    const b = this.read(vaddr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  writeU32(vaddr: number, value: number): void {
    this.write(vaddr, Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff));
  }
}
