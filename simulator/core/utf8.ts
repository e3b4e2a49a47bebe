// UTF-8 without the host's TextEncoder (the simulator sees no DOM or Node types).

export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8; throws a RangeError naming the offset of the first malformed sequence (overlong two-byte forms and lead bytes past U+10FFFF included). */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (extra < 0 || i + extra >= bytes.length) throw new RangeError(`malformed UTF-8 at byte ${i}`);
    let c = extra === 0 ? b : b & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const cont = bytes[i + k]!;
      if ((cont & 0xc0) !== 0x80) throw new RangeError(`malformed UTF-8 at byte ${i + k}`);
      c = (c << 6) | (cont & 0x3f);
    }
    out += String.fromCodePoint(c);
    i += extra + 1;
  }
  return out;
}
