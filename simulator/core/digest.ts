// A 64-bit FNV-1a digest built incrementally, for comparing simulator states.

export class Digest {
  // The 64-bit state as four 16-bit limbs, low first: FNV-1a's multiply then stays in exact 32-bit integer arithmetic.
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  /** One byte in: xor into the low byte, then multiply by the FNV prime 2^40 + 0x1b3 (mod 2^64). */
  private byte(b: number): void {
    const a0 = this.h0 ^ (b & 0xff);
    const a1 = this.h1;
    // x * 0x1b3, plus x << 40 (a0 and a1 land in limbs 2 and 3); every sum stays below 2^28.
    const r0 = a0 * 0x1b3;
    const r1 = a1 * 0x1b3 + (r0 >>> 16);
    const r2 = this.h2 * 0x1b3 + ((a0 << 8) & 0xffff) + (r1 >>> 16);
    const r3 = this.h3 * 0x1b3 + (a0 >>> 8) + ((a1 << 8) & 0xffff) + (r2 >>> 16);
    this.h0 = r0 & 0xffff;
    this.h1 = r1 & 0xffff;
    this.h2 = r2 & 0xffff;
    this.h3 = r3 & 0xffff;
  }

  int(value: number): this {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      // An integer that fits in 32 bits unsigned: its low word, then a high word of zero.
      this.u32(value);
      return this.u32(0);
    }
    if (Number.isSafeInteger(value)) {
      const lo = value % 0x100000000;
      const hi = Math.floor(value / 0x100000000);
      this.u32(lo >>> 0);
      this.u32(hi >>> 0);
    } else {
      this.str(String(value));
    }
    return this;
  }

  u32(value: number): this {
    this.byte(value);
    this.byte(value >>> 8);
    this.byte(value >>> 16);
    this.byte(value >>> 24);
    return this;
  }

  str(text: string): this {
    this.u32(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      this.byte(c);
      this.byte(c >>> 8);
    }
    return this;
  }

  bytes(data: Uint8Array): this {
    this.u32(data.length);
    for (let i = 0; i < data.length; i++) this.byte(data[i]!);
    return this;
  }

  hex(): string {
    const hex = (limb: number) => limb.toString(16).padStart(4, '0');
    return hex(this.h3) + hex(this.h2) + hex(this.h1) + hex(this.h0);
  }
}
