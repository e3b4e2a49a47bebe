// A console character device: output bytes drain to a sink, injected input bytes arrive with an interrupt.

import type { Clock, Cycles, InterruptLines, PortWidth } from './bus';
import { cyclesPerUnit } from '../time/time';
import { DeviceTimers, PlatformDeviceBase, byteRegisterOffset, type DevicePlacement, type DeviceStateValue } from './device';
import { CONSOLE_REGS, PLATFORM } from './platform';

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

/** The console's timing in physical units. */
export interface ConsoleTiming {
  readonly txBytesPerSecond: number;
  readonly rxBytesPerSecond: number;
}

/**
 * A virtual console, not a UART: at 115,200 baud a byte would take 86.8 µs;
 * here it takes 100 ns each way (10 MB/s).
 */
export const DEFAULT_CONSOLE_TIMING: ConsoleTiming = { txBytesPerSecond: 10e6, rxBytesPerSecond: 10e6 };

/** The console's timing in whole cycles of one clock. */
export interface ConsoleCosts {
  readonly txCyclesPerByte: Cycles;
  readonly rxCyclesPerByte: Cycles;
}

export interface ConsoleOptions extends DevicePlacement {
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  /** Physical timing, turned into cycles of `clock` once, here; DEFAULT_CONSOLE_TIMING if absent. */
  readonly timing?: ConsoleTiming;
  readonly txFifoBytes?: number;
  readonly rxFifoBytes?: number;
}

export class ConsoleDevice extends PlatformDeviceBase {
  readonly kind = 'console' as const;
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

  constructor(options: ConsoleOptions) {
    super(PLATFORM.console, options);
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    const timing = options.timing ?? DEFAULT_CONSOLE_TIMING;
    const hz = options.clock.hz;
    this.costs = {
      txCyclesPerByte: Math.max(1, Math.round(cyclesPerUnit(timing.txBytesPerSecond, hz))),
      rxCyclesPerByte: Math.max(1, Math.round(cyclesPerUnit(timing.rxBytesPerSecond, hz))),
    };
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

  protected override decode(port: number, width: PortWidth): number | undefined {
    return byteRegisterOffset(port, this.portBase, this.portCount, width);
  }

  protected readRegister(offset: number): number | undefined {
    switch (offset) {
      case CONSOLE_REGS.DATA:
        return this.rxFifo.shift() ?? 0;
      case CONSOLE_REGS.STATUS:
        return this.statusBits();
      case CONSOLE_REGS.CONTROL:
        return this.control;
      case CONSOLE_REGS.RX_COUNT:
        return Math.min(this.rxFifo.length, 255);
      default:
        return undefined;
    }
  }

  protected writeRegister(offset: number, value: number): boolean {
    const v = value & 0xff;
    switch (offset) {
      case CONSOLE_REGS.DATA:
        if (this.txFifo.length >= this.txFifoBytes) return false;
        this.txFifo.push(v);
        this.drain();
        return true;
      case CONSOLE_REGS.STATUS:
        if (v & CONSOLE_STATUS.RX_OVERRUN) this.overrun = false;
        return true;
      case CONSOLE_REGS.CONTROL:
        this.control = v & (CONSOLE_CONTROL.RX_IRQ_ENABLE | CONSOLE_CONTROL.TX_IRQ_ENABLE);
        return true;
      default:
        return false;
    }
  }

  protected state(): Record<string, DeviceStateValue> {
    return {
      status: this.statusBits(),
      control: this.control,
      txQueued: this.txFifo.length,
      rxWaiting: this.rxFifo.length,
      bytesOut: this.sent.length,
      rxLost: this.rxLost,
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
