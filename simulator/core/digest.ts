// A 64-bit FNV-1a digest built incrementally, for comparing simulator states.

export class Digest {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  private byte(b: number): void {
    this.lo ^= b & 0xff;
    // Multiply the 64-bit value (hi, lo) by the FNV prime 2^40 + 0x1b3.
    const lo = this.lo >>> 0;
    const hi = this.hi >>> 0;
    const loTimes = lo * 0x1b3;
    const newLo = loTimes >>> 0;
    const carry = Math.floor(loTimes / 0x100000000);
    const newHi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    this.lo = newLo;
    this.hi = newHi;
  }

  int(value: number): this {
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
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }
}
