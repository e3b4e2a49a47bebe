// The wire between the simulator's thread and a user driver. Each driver
// instance has one SharedArrayBuffer between the simulator's thread and the
// relay thread of its process (relay.ts), which carries each message on to the
// driver's own process and back: a few control words, one data area that the
// two sides take turns to fill (the kernel drives a driver synchronously, so
// exactly one side runs at a time), and a short area where the relay says why
// the driver's process died. The same frames, a header of two lengths and the
// bytes, cross the pipes to and from that process. Only text and bytes cross:
// no object of one side ever reaches the other.

/** Control words. */
export const Ctl = {
  /** Bumped by the simulator's side when it has written a message for the driver. */
  toDriver: 0,
  /** Bumped by the driver's side (through the relay) when there is something for the simulator. */
  toHost: 1,
  /** Bytes of JSON text in the data area. */
  jsonBytes: 2,
  /** Bytes of binary data after the JSON text. */
  binBytes: 3,
  /** Why the driver's process ended, written by the relay (a Death value); 0 while it runs. */
  death: 4,
  /** Bytes of text in the reason area: what the relay saw of the process's end. */
  reasonBytes: 5,
} as const;
export const CTL_WORDS = 8;

/** The largest message either side may write: a memory read or write of up to 1 MiB, with its header. */
export const DATA_BYTES = (1 << 20) + 4096;
/** The most bytes one sys.mem.read or write may move across. */
export const MAX_TRANSFER_BYTES = 1 << 20;
/** The reason area, after the data area: one line saying how a driver's process died. */
export const REASON_BYTES = 1024;
/** A frame on a driver process's pipes: two little-endian 32-bit lengths (JSON text, then binary data), then the bytes. */
export const FRAME_HEADER_BYTES = 8;

/** Checks of a counter before sleeping on it (a few microseconds). */
const SPIN_CHECKS = 2000;

/** The young generation's semi-space of a driver's process whose heap limit is `memoryMb`: the engine's default, less for small limits. */
export function semiSpaceMb(memoryMb: number): number {
  return Math.max(1, Math.min(16, memoryMb >> 3));
}

export const Death = { alive: 0, outOfMemory: 1, failed: 2 } as const;

/** What a driver threw, described by its own side: every field is text read defensively there. */
export interface ThrownDescription {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
  /** Set when the step budget stopped the driver. */
  readonly budget?: { readonly file: string; readonly line: number; readonly column: number; readonly ticks: number; readonly budget: number };
}

export interface StartRequest {
  readonly op: 'start';
  readonly endpoint: number;
  readonly name: string;
  readonly args: unknown;
  readonly clockHz: number;
  readonly memBase: number;
  readonly memBytes: number;
  readonly hasGrants: boolean;
  readonly capture: boolean;
}

export type ToDriver =
  | { readonly op: 'check' }
  | StartRequest
  | { readonly op: 'next'; readonly status: number; readonly capture: boolean; readonly msg?: readonly number[]; readonly obj?: unknown }
  | { readonly op: 'reply'; readonly value?: unknown; readonly error?: { readonly name: string; readonly message: string } };

/** A kernel entry: an IPC, a kernel call, simulated work, or none (the driver yielded without calling the SDK). */
export interface TrapReport {
  readonly op: 'trap';
  readonly kind: 'ipc' | 'call' | 'work' | 'none';
  readonly nr: number;
  readonly args: readonly number[];
  /** The message's 16 words, for IPC. */
  readonly msg?: readonly number[] | null;
  /** A plain out-parameter (a Ref, TimesOut...), as JSON data; the kernel's writes to it come back with the next resume. */
  readonly obj?: unknown;
  /** The driver's own grant table, for sys_setgrant. */
  readonly grants?: boolean;
  /** The driver's frames at the entry, innermost first, when the simulator asked for them. */
  readonly frames?: readonly string[];
}

export type ToHost =
  | { readonly op: 'ready' }
  | { readonly op: 'checked'; readonly main: 'generator' | 'function' | 'none' }
  | { readonly op: 'started' }
  | TrapReport
  | { readonly op: 'call'; readonly name: string; readonly args: readonly unknown[] }
  | { readonly op: 'done'; readonly value: number | null }
  | { readonly op: 'threw'; readonly error: ThrownDescription };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One side's view of a driver's buffer. */
export class Wire {
  readonly ctl: Int32Array;
  private readonly data: Uint8Array;

  private readonly reason: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.ctl = new Int32Array(buffer, 0, CTL_WORDS);
    this.data = new Uint8Array(buffer, CTL_WORDS * 4, DATA_BYTES);
    this.reason = new Uint8Array(buffer, CTL_WORDS * 4 + DATA_BYTES, REASON_BYTES);
  }

  static create(): Wire {
    return new Wire(new SharedArrayBuffer(CTL_WORDS * 4 + DATA_BYTES + REASON_BYTES));
  }

  /** Writes a message and wakes the other side, whose counter is `to`. Throws RangeError if it does not fit. */
  write(to: number, json: string, bin: Uint8Array | undefined): void {
    this.writeBytes(to, encoder.encode(json), bin);
  }

  /** Writes a message whose JSON text is already bytes (as the relay has it from a pipe). */
  writeBytes(to: number, text: Uint8Array, bin: Uint8Array | undefined): void {
    const binBytes = bin?.length ?? 0;
    if (text.length + binBytes > DATA_BYTES) throw new RangeError(`a message of ${text.length + binBytes} bytes does not fit the driver's channel (${DATA_BYTES} bytes)`);
    this.data.set(text, 0);
    if (bin !== undefined) this.data.set(bin, text.length);
    Atomics.store(this.ctl, Ctl.jsonBytes, text.length);
    Atomics.store(this.ctl, Ctl.binBytes, binBytes);
    Atomics.add(this.ctl, to, 1);
    Atomics.notify(this.ctl, to);
  }

  /** The message now in the data area as one frame for a pipe: its header, then its JSON text and bytes. */
  frame(): Uint8Array {
    const jsonBytes = Atomics.load(this.ctl, Ctl.jsonBytes);
    const binBytes = Atomics.load(this.ctl, Ctl.binBytes);
    if (jsonBytes < 0 || binBytes < 0 || jsonBytes + binBytes > DATA_BYTES) throw new RangeError('a damaged message on the driver channel');
    const out = new Uint8Array(FRAME_HEADER_BYTES + jsonBytes + binBytes);
    const header = new DataView(out.buffer);
    header.setUint32(0, jsonBytes, true);
    header.setUint32(4, binBytes, true);
    out.set(this.data.subarray(0, jsonBytes + binBytes), FRAME_HEADER_BYTES);
    return out;
  }

  /**
   * Reports the driver's death (a Death value) with its reason, once: the reason area is written before the death
   * word, and the data area not at all, since the simulator may be writing it. Wakes the simulator.
   */
  die(death: number, reason: string): void {
    if (Atomics.load(this.ctl, Ctl.death) !== Death.alive) return;
    const text = encoder.encode(reason.slice(0, REASON_BYTES / 4));
    const length = Math.min(text.length, REASON_BYTES);
    this.reason.set(text.subarray(0, length), 0);
    Atomics.store(this.ctl, Ctl.reasonBytes, length);
    if (Atomics.compareExchange(this.ctl, Ctl.death, Death.alive, death) !== Death.alive) return;
    Atomics.add(this.ctl, Ctl.toHost, 1);
    Atomics.notify(this.ctl, Ctl.toHost);
  }

  /** What the relay said about the driver's death. */
  deathReason(): string {
    const length = Atomics.load(this.ctl, Ctl.reasonBytes);
    if (length <= 0 || length > REASON_BYTES) return '';
    return decoder.decode(this.reason.slice(0, length));
  }

  /**
   * Waits until counter `index` differs from `seen`, for at most `timeoutMs` (forever if undefined), and
   * returns its value. It spins briefly first: the other side usually answers within microseconds, and a
   * futex sleep and wake costs some 25 µs on a virtual machine where a spin costs under 1 µs.
   */
  waitChange(index: number, seen: number, timeoutMs?: number): number {
    for (let k = 0; k < SPIN_CHECKS; k++) {
      const now = Atomics.load(this.ctl, index);
      if (now !== seen) return now;
    }
    Atomics.wait(this.ctl, index, seen, timeoutMs);
    return Atomics.load(this.ctl, index);
  }

  /** The message now in the data area: its JSON text and a copy of its bytes. */
  read(): { json: string; bin: Uint8Array } {
    const jsonBytes = Atomics.load(this.ctl, Ctl.jsonBytes);
    const binBytes = Atomics.load(this.ctl, Ctl.binBytes);
    if (jsonBytes < 0 || binBytes < 0 || jsonBytes + binBytes > DATA_BYTES) throw new RangeError('a damaged message on the driver channel');
    return { json: decoder.decode(this.data.slice(0, jsonBytes)), bin: this.data.slice(jsonBytes, jsonBytes + binBytes) };
  }
}
