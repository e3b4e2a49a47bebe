// A MINIX message: 64 bytes holding the source endpoint, the type and a
// 56-byte payload, with typed views on the payload.

export const MESSAGE_BYTES = 64;
export const PAYLOAD_BYTES = 56;
export const PAYLOAD_WORDS = 14;

export class Message {
  /** All 16 words: [0] source, [1] type, [2..15] payload. */
  readonly words: Int32Array;
  /** The payload as bytes. */
  readonly payload: Uint8Array;
  private view: DataView | undefined;

  constructor(type = 0) {
    this.words = new Int32Array(16);
    this.payload = new Uint8Array(this.words.buffer, 8, PAYLOAD_BYTES);
    this.words[1] = type;
  }

  get source(): number {
    return this.words[0]!;
  }

  set source(endpoint: number) {
    this.words[0] = endpoint;
  }

  get type(): number {
    return this.words[1]!;
  }

  set type(value: number) {
    this.words[1] = value;
  }

  /** The payload as a DataView (little-endian accessors), created on first use. */
  get data(): DataView {
    return (this.view ??= new DataView(this.words.buffer, 8, PAYLOAD_BYTES));
  }

  /** Payload word `index` (0..13) as a signed 32-bit integer. */
  i32(index: number): number {
    return this.words[2 + index]!;
  }

  setI32(index: number, value: number): this {
    this.words[2 + index] = value;
    return this;
  }

  u32(index: number): number {
    return this.words[2 + index]! >>> 0;
  }

  /** Copies all 64 bytes from `other`. */
  copyFrom(other: Message): void {
    const d = this.words;
    const s = other.words;
    d[0] = s[0]!; d[1] = s[1]!; d[2] = s[2]!; d[3] = s[3]!;
    d[4] = s[4]!; d[5] = s[5]!; d[6] = s[6]!; d[7] = s[7]!;
    d[8] = s[8]!; d[9] = s[9]!; d[10] = s[10]!; d[11] = s[11]!;
    d[12] = s[12]!; d[13] = s[13]!; d[14] = s[14]!; d[15] = s[15]!;
  }

  clear(): void {
    this.words.fill(0);
  }

  clone(): Message {
    const m = new Message();
    m.copyFrom(this);
    return m;
  }
}

type FieldType = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f64' | 'i64';
type FieldValue<T extends FieldType> = T extends 'i64' ? bigint : number;
const fieldBytes: Record<FieldType, number> = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f64: 8, i64: 8 };

/** Named payload fields, laid out in order with natural alignment, like MINIX's mess_* structs. */
export type MessageLayout<F extends Record<string, FieldType>> = {
  readonly [K in keyof F]: { get(m: Message): FieldValue<F[K]>; set(m: Message, v: FieldValue<F[K]>): void; readonly offset: number };
};

/**
 * Declares a typed view of the payload, for example
 * `const IoReq = defineLayout({ grant: 'i32', position: 'i64', count: 'u32' })`,
 * then `IoReq.grant.get(m)` and `IoReq.count.set(m, 512)`.
 */
export function defineLayout<F extends Record<string, FieldType>>(fields: F): MessageLayout<F> {
  let offset = 0;
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(fields)) {
    const size = fieldBytes[type];
    offset = Math.ceil(offset / size) * size;
    if (offset + size > PAYLOAD_BYTES) throw new RangeError(`layout does not fit in ${PAYLOAD_BYTES} bytes at field ${name}`);
    const o = offset;
    out[name] = accessor(type, o);
    offset += size;
  }
  return out as MessageLayout<F>;
}

function accessor(type: FieldType, o: number): unknown {
  switch (type) {
    case 'i8': return { offset: o, get: (m: Message) => m.data.getInt8(o), set: (m: Message, v: number) => m.data.setInt8(o, v) };
    case 'u8': return { offset: o, get: (m: Message) => m.data.getUint8(o), set: (m: Message, v: number) => m.data.setUint8(o, v) };
    case 'i16': return { offset: o, get: (m: Message) => m.data.getInt16(o, true), set: (m: Message, v: number) => m.data.setInt16(o, v, true) };
    case 'u16': return { offset: o, get: (m: Message) => m.data.getUint16(o, true), set: (m: Message, v: number) => m.data.setUint16(o, v, true) };
    case 'i32': return { offset: o, get: (m: Message) => m.data.getInt32(o, true), set: (m: Message, v: number) => m.data.setInt32(o, v, true) };
    case 'u32': return { offset: o, get: (m: Message) => m.data.getUint32(o, true), set: (m: Message, v: number) => m.data.setUint32(o, v, true) };
    case 'f64': return { offset: o, get: (m: Message) => m.data.getFloat64(o, true), set: (m: Message, v: number) => m.data.setFloat64(o, v, true) };
    case 'i64': return { offset: o, get: (m: Message) => m.data.getBigInt64(o, true), set: (m: Message, v: bigint) => m.data.setBigInt64(o, v, true) };
  }
}

/** Payload words of a notification (BuildNotifyMessage): timestamp, then interrupts or signals. */
export const NotifyField = {
  /** Low 32 bits of the time in cycles when the notification was built. */
  timestampLo: 0,
  timestampHi: 1,
  /** HARDWARE: bitmap of pending interrupt hook ids. SYSTEM: bitmap of pending signals. */
  bits: 2,
} as const;
