// A PC parallel printer port (LPT): data, status and control registers, the strobe/busy/ack handshake, printed bytes collected for tests and the UI.

import type { Clock, Cycles, InterruptLines, PortWidth } from './bus';
import { secondsToCycles } from '../time/time';
import { DeviceTimers, PlatformDeviceBase, byteRegisterOffset, type DevicePlacement, type DeviceStateValue } from './device';
import { PLATFORM, PRINTER_REGS } from './platform';

/**
 * Status bits as the port reads them. BUSY and ACK read inverted, as on the
 * PC: NOT_BUSY is 1 when the printer can take a byte, NOT_ACK is 0 during the
 * acknowledge pulse. An idle, ready printer reads 0xDF (MINIX's NORMAL_STATUS).
 */
export const PRINTER_STATUS = {
  /** Bits 0..2 are not connected and read as 1. */
  RESERVED: 0x07,
  NOT_ERROR: 0x08,
  SELECT: 0x10,
  PAPER_OUT: 0x20,
  NOT_ACK: 0x40,
  NOT_BUSY: 0x80,
} as const;

/**
 * Control bits as the port writes them (the port inverts STROBE, AUTOFEED and
 * SELECT_IN on the cable; the register bits mean "asserted"). MINIX's printer
 * driver writes 0x1D to strobe and 0x1C to release it with interrupts on.
 */
export const PRINTER_CONTROL = {
  STROBE: 0x01,
  AUTOFEED: 0x02,
  /** 0 holds the printer in initialisation (reset); 1 releases it. */
  NOT_INIT: 0x04,
  SELECT_IN: 0x08,
  IRQ_ENABLE: 0x10,
} as const;

/** The printer's timing in physical units. */
export interface PrinterTiming {
  /** Characters the printer takes a second: it is BUSY for 1/cps after each strobe. */
  readonly charactersPerSecond: number;
  /** Length of the ACK pulse that ends a byte. */
  readonly ackPulseSeconds: number;
}

/** 100,000 characters a second (BUSY 10 µs a byte, an estimate); a 5 µs ACK pulse, the Centronics figure. */
export const DEFAULT_PRINTER_TIMING: PrinterTiming = { charactersPerSecond: 100_000, ackPulseSeconds: 5e-6 };

/** The printer's timing in cycles of one clock. */
export interface PrinterCosts {
  readonly busyCycles: Cycles;
  readonly ackPulseCycles: Cycles;
}

export interface PrinterOptions extends DevicePlacement {
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  /** Physical timing, turned into cycles of `clock` once, here; DEFAULT_PRINTER_TIMING if absent. */
  readonly timing?: PrinterTiming;
}

/**
 * The printer latches DATA when CONTROL.STROBE goes from 0 to 1 while it is
 * ready (not busy, online, paper in, not in initialisation). It is then busy
 * for `busyCycles`; at the end the byte is printed, BUSY drops, ACK pulses for
 * `ackPulseCycles` and the interrupt is raised on the ACK if
 * CONTROL.IRQ_ENABLE is set. A strobe while the printer is not ready is lost.
 */
export class Printer extends PlatformDeviceBase {
  readonly kind = 'printer' as const;
  readonly costs: PrinterCosts;

  private readonly clock: Clock;
  private readonly interrupts: InterruptLines;
  private readonly timers: DeviceTimers;
  private readonly printed: number[] = [];
  private readonly listeners: Array<(byte: number, timeCycles: Cycles) => void> = [];

  private data = 0;
  private control: number = PRINTER_CONTROL.NOT_INIT;
  private busy = false;
  private acking = false;
  private online = true;
  private paperOut = false;
  private lostStrobes = 0;
  private initCount = 0;
  private interruptsRaised = 0;

  constructor(options: PrinterOptions) {
    super(PLATFORM.printer, options);
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    const timing = options.timing ?? DEFAULT_PRINTER_TIMING;
    this.costs = {
      busyCycles: secondsToCycles(1 / timing.charactersPerSecond, options.clock.hz),
      ackPulseCycles: secondsToCycles(timing.ackPulseSeconds, options.clock.hz),
    };
    this.timers = new DeviceTimers(this.clock);
  }

  /** Every byte printed since the printer was built (reset does not clear the paper). */
  output(): Uint8Array {
    return Uint8Array.from(this.printed);
  }

  onPrint(listener: (byte: number, timeCycles: Cycles) => void): void {
    this.listeners.push(listener);
  }

  setPaperOut(out: boolean): void {
    this.paperOut = out;
  }

  setOnline(online: boolean): void {
    this.online = online;
  }

  reset(): void {
    this.timers.cancelAll();
    this.data = 0;
    this.control = PRINTER_CONTROL.NOT_INIT;
    this.busy = false;
    this.acking = false;
  }

  protected override decode(port: number, width: PortWidth): number | undefined {
    return byteRegisterOffset(port, this.portBase, this.portCount, width);
  }

  protected readRegister(offset: number): number | undefined {
    switch (offset) {
      case PRINTER_REGS.DATA:
        return this.data;
      case PRINTER_REGS.STATUS:
        return this.statusBits();
      case PRINTER_REGS.CONTROL:
        return this.control | 0xe0;
      default:
        return undefined;
    }
  }

  protected writeRegister(offset: number, value: number): boolean {
    const v = value & 0xff;
    if (offset === PRINTER_REGS.DATA) {
      this.data = v;
      return true;
    }
    if (offset !== PRINTER_REGS.CONTROL) return false;
    const before = this.control;
    this.control = v & 0x1f;
    if (!(this.control & PRINTER_CONTROL.NOT_INIT) && before & PRINTER_CONTROL.NOT_INIT) this.initialise();
    if (this.control & PRINTER_CONTROL.STROBE && !(before & PRINTER_CONTROL.STROBE)) this.strobe();
    return true;
  }

  protected state(): Record<string, DeviceStateValue> {
    return {
      status: this.statusBits(),
      control: this.control,
      busy: this.busy,
      online: this.online,
      paperOut: this.paperOut,
      bytesPrinted: this.printed.length,
      lostStrobes: this.lostStrobes,
      initCount: this.initCount,
      interruptsRaised: this.interruptsRaised,
    };
  }

  private ready(): boolean {
    return !this.busy && this.online && !this.paperOut && (this.control & PRINTER_CONTROL.NOT_INIT) !== 0;
  }

  private statusBits(): number {
    let status: number = PRINTER_STATUS.RESERVED;
    if (this.ready()) status |= PRINTER_STATUS.NOT_BUSY;
    if (!this.acking) status |= PRINTER_STATUS.NOT_ACK;
    if (this.paperOut) status |= PRINTER_STATUS.PAPER_OUT;
    if (this.online) status |= PRINTER_STATUS.SELECT;
    if (this.online && !this.paperOut) status |= PRINTER_STATUS.NOT_ERROR;
    return status;
  }

  private initialise(): void {
    this.timers.cancelAll();
    this.busy = false;
    this.acking = false;
    this.initCount++;
  }

  private strobe(): void {
    if (!this.ready()) {
      this.lostStrobes++;
      return;
    }
    const byte = this.data;
    this.busy = true;
    this.timers.schedule(this.costs.busyCycles, () => this.acknowledge(byte), `${this.name}:busy`);
  }

  private acknowledge(byte: number): void {
    this.printed.push(byte);
    for (const listener of this.listeners) listener(byte, this.clock.now());
    this.busy = false;
    this.acking = true;
    if (this.control & PRINTER_CONTROL.IRQ_ENABLE) {
      this.interruptsRaised++;
      this.interrupts.raise(this.irq);
    }
    this.timers.schedule(this.costs.ackPulseCycles, () => (this.acking = false), `${this.name}:ack`);
  }
}
