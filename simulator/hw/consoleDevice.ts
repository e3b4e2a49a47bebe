// A console character device: output bytes drain to a sink, injected input bytes arrive with an interrupt.

import type { Clock, Cycles, InterruptLines, PortWidth } from './bus';
import { DeviceTimers, floatingBus, type DeviceDescription, type MachineDevice } from './device';

/** Byte-wide registers at offsets from the port base. */
export const CONSOLE_REGS = {
  /** W: queue a byte for output. R: take the next input byte (0 when none waits). */
  DATA: 0,
  /** R: CONSOLE_STATUS bits. Write CONSOLE_STATUS.RX_OVERRUN to clear it. */
  STATUS: 1,
  /** RW: CONSOLE_CONTROL bits. */
  CONTROL: 2,
  /** R: input bytes waiting, capped at 255. */
  RX_COUNT: 3,
} as const;

export const CONSOLE_PORT_COUNT = 4;

export const CONSOLE_STATUS = {
  RX_READY: 1 << 0,
  /** The output FIFO has room for a byte. */
  TX_READY: 1 << 1,
  /** Every queued output byte has reached the sink. */
  TX_EMPTY: 1 << 2,
  /** Input arrived while the input FIFO was full and was lost. */
  RX_OVERRUN: 1 << 3,
} as const;

export const CONSOLE_CONTROL = {
  /** Interrupt on each input byte's arrival. */
  RX_IRQ_ENABLE: 1 << 0,
  /** Interrupt when the output FIFO has drained. */
  TX_IRQ_ENABLE: 1 << 1,
} as const;

/**
 * A virtual console, not a UART: at 115,200 baud a byte would take 86.8 µs;
 * here it takes 100 ns (300 cycles at 3 GHz) each way.
 */
export interface ConsoleCosts {
  readonly portAccessCycles: Cycles;
  readonly txCyclesPerByte: Cycles;
  readonly rxCyclesPerByte: Cycles;
}

export const DEFAULT_CONSOLE_COSTS: ConsoleCosts = {
  portAccessCycles: 300,
  txCyclesPerByte: 300,
  rxCyclesPerByte: 300,
};

export interface ConsoleOptions {
  readonly name?: string;
  readonly portBase?: number;
  readonly irq?: number;
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  readonly costs?: ConsoleCosts;
  readonly txFifoBytes?: number;
  readonly rxFifoBytes?: number;
}

export class ConsoleDevice implements MachineDevice {
  readonly kind = 'console' as const;
  readonly name: string;
  readonly portBase: number;
  readonly portCount = CONSOLE_PORT_COUNT;
  readonly irq: number;
  readonly deviceId = undefined;
  readonly costs: ConsoleCosts;
  readonly txFifoBytes: number;
  readonly rxFifoBytes: number;

  private readonly clock: Clock;
  private readonly interrupts: InterruptLines;
  private readonly timers: DeviceTimers;
  private readonly sent: number[] = [];
  private readonly listeners: Array<(byte: number, timeCycles: Cycles) => void> = [];
  private txFifo: number[] = [];
  private rxFifo: number[] = [];
  private control = 0;
  private overrun = false;
  private draining = false;
  private rxArrivalFreeAt: Cycles = 0;
  private rxLost = 0;
  private badAccesses = 0;

  constructor(options: ConsoleOptions) {
    this.name = options.name ?? 'tty0';
    this.portBase = options.portBase ?? 0x3f8;
    this.irq = options.irq ?? 4;
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    this.costs = options.costs ?? DEFAULT_CONSOLE_COSTS;
    this.txFifoBytes = options.txFifoBytes ?? 16;
    this.rxFifoBytes = options.rxFifoBytes ?? 256;
    this.timers = new DeviceTimers(this.clock);
  }

  /** Every byte that has reached the sink since the device was built. */
  output(): Uint8Array {
    return Uint8Array.from(this.sent);
  }

  onOutput(listener: (byte: number, timeCycles: Cycles) => void): void {
    this.listeners.push(listener);
  }

  /** Types input: the bytes arrive one after another, `rxCyclesPerByte` apart, after any typed before. */
  injectInput(bytes: Uint8Array | readonly number[]): void {
    for (const byte of bytes) {
      const at = Math.max(this.clock.now(), this.rxArrivalFreeAt) + this.costs.rxCyclesPerByte;
      this.rxArrivalFreeAt = at;
      this.timers.schedule(at - this.clock.now(), () => this.arrive(byte & 0xff), `${this.name}:rx`);
    }
  }

  reset(): void {
    this.timers.cancelAll();
    this.txFifo = [];
    this.rxFifo = [];
    this.control = 0;
    this.overrun = false;
    this.draining = false;
    this.rxArrivalFreeAt = 0;
  }

  ioRead(port: number, width: PortWidth): number {
    if (width !== 1) return floatingBus(width);
    switch (port - this.portBase) {
      case CONSOLE_REGS.DATA:
        return this.rxFifo.shift() ?? 0;
      case CONSOLE_REGS.STATUS:
        return this.statusBits();
      case CONSOLE_REGS.CONTROL:
        return this.control;
      case CONSOLE_REGS.RX_COUNT:
        return Math.min(this.rxFifo.length, 255);
      default:
        this.badAccesses++;
        return floatingBus(width);
    }
  }

  ioWrite(port: number, value: number, width: PortWidth): void {
    if (width !== 1) {
      this.badAccesses++;
      return;
    }
    const v = value & 0xff;
    switch (port - this.portBase) {
      case CONSOLE_REGS.DATA:
        if (this.txFifo.length >= this.txFifoBytes) {
          this.badAccesses++;
          return;
        }
        this.txFifo.push(v);
        this.drain();
        return;
      case CONSOLE_REGS.STATUS:
        if (v & CONSOLE_STATUS.RX_OVERRUN) this.overrun = false;
        return;
      case CONSOLE_REGS.CONTROL:
        this.control = v & (CONSOLE_CONTROL.RX_IRQ_ENABLE | CONSOLE_CONTROL.TX_IRQ_ENABLE);
        return;
      default:
        this.badAccesses++;
    }
  }

  describe(): DeviceDescription {
    return {
      name: this.name,
      kind: this.kind,
      ports: { base: this.portBase, count: this.portCount },
      irq: this.irq,
      deviceId: undefined,
      state: {
        status: this.statusBits(),
        control: this.control,
        txQueued: this.txFifo.length,
        rxWaiting: this.rxFifo.length,
        bytesOut: this.sent.length,
        rxLost: this.rxLost,
        badAccesses: this.badAccesses,
      },
    };
  }

  private statusBits(): number {
    return (
      (this.rxFifo.length > 0 ? CONSOLE_STATUS.RX_READY : 0) |
      (this.txFifo.length < this.txFifoBytes ? CONSOLE_STATUS.TX_READY : 0) |
      (this.txFifo.length === 0 ? CONSOLE_STATUS.TX_EMPTY : 0) |
      (this.overrun ? CONSOLE_STATUS.RX_OVERRUN : 0)
    );
  }

  private drain(): void {
    if (this.draining || this.txFifo.length === 0) return;
    this.draining = true;
    this.timers.schedule(this.costs.txCyclesPerByte, () => this.sendOne(), `${this.name}:tx`);
  }

  private sendOne(): void {
    this.draining = false;
    const byte = this.txFifo.shift()!;
    this.sent.push(byte);
    for (const listener of this.listeners) listener(byte, this.clock.now());
    if (this.txFifo.length > 0) this.drain();
    else if (this.control & CONSOLE_CONTROL.TX_IRQ_ENABLE) this.interrupts.raise(this.irq);
  }

  private arrive(byte: number): void {
    if (this.rxFifo.length >= this.rxFifoBytes) {
      this.overrun = true;
      this.rxLost++;
      return;
    }
    this.rxFifo.push(byte);
    if (this.control & CONSOLE_CONTROL.RX_IRQ_ENABLE) this.interrupts.raise(this.irq);
  }
}
