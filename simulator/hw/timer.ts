// A programmable interval timer: periodic or one-shot interrupts every so many cycles, and a readable cycle counter.

import type { Clock, Cycles, InterruptLines, PortWidth, TimerId } from './bus';
import { DeviceTimers, floatingBus, registerOffset, type DeviceDescription, type MachineDevice } from './device';

/** Register offsets from the port base; 32 bits wide, width-4 accesses only. */
export const TIMER_REGS = {
  /** RW: TIMER_CONTROL bits. Writing it (re)arms the timer one period from now. */
  CONTROL: 0x00,
  /** RW: cycles between expiries; 0 stops the timer. Writing it (re)arms the timer. */
  PERIOD_CYCLES: 0x04,
  /** R: TIMER_STATUS bits; write 1s to clear. */
  STATUS: 0x08,
  /** R: expiries since reset. */
  TICKS: 0x0c,
  /** R: the clock's cycle count, low 32 bits. */
  NOW_LOW: 0x10,
  /** R: the clock's cycle count, bits 32 and up. */
  NOW_HIGH: 0x14,
} as const;

export const TIMER_PORT_COUNT = 0x18;

export const TIMER_CONTROL = {
  ENABLE: 1 << 0,
  /** Rearm after each expiry; without it the timer fires once and clears ENABLE. */
  PERIODIC: 1 << 1,
  IRQ_ENABLE: 1 << 2,
} as const;

export const TIMER_STATUS = {
  EXPIRED: 1 << 0,
} as const;

export interface TimerCosts {
  readonly portAccessCycles: Cycles;
  /** Periods shorter than this are raised to it, so that a wrong value cannot flood the event queue. */
  readonly minPeriodCycles: Cycles;
}

export const DEFAULT_TIMER_COSTS: TimerCosts = {
  portAccessCycles: 300,
  minPeriodCycles: 1_000,
};

export interface TimerOptions {
  readonly name?: string;
  readonly portBase?: number;
  readonly irq?: number;
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  readonly costs?: TimerCosts;
}

/** Periodic expiries fall on exact multiples of the period from arming, without drift. */
export class IntervalTimer implements MachineDevice {
  readonly kind = 'timer' as const;
  readonly name: string;
  readonly portBase: number;
  readonly portCount = TIMER_PORT_COUNT;
  readonly irq: number;
  readonly deviceId = undefined;
  readonly costs: TimerCosts;

  private readonly clock: Clock;
  private readonly interrupts: InterruptLines;
  private readonly timers: DeviceTimers;
  private control = 0;
  private periodCycles = 0;
  private status = 0;
  private ticks = 0;
  private armed: TimerId | undefined;
  private nextExpiry: Cycles = 0;
  private badAccesses = 0;

  constructor(options: TimerOptions) {
    this.name = options.name ?? 'timer0';
    this.portBase = options.portBase ?? 0x40;
    this.irq = options.irq ?? 0;
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    this.costs = options.costs ?? DEFAULT_TIMER_COSTS;
    this.timers = new DeviceTimers(this.clock);
  }

  reset(): void {
    this.timers.cancelAll();
    this.armed = undefined;
    this.control = 0;
    this.periodCycles = 0;
    this.status = 0;
    this.ticks = 0;
  }

  ioRead(port: number, width: PortWidth): number {
    switch (registerOffset(port, this.portBase, this.portCount, width)) {
      case TIMER_REGS.CONTROL:
        return this.control;
      case TIMER_REGS.PERIOD_CYCLES:
        return this.periodCycles;
      case TIMER_REGS.STATUS:
        return this.status;
      case TIMER_REGS.TICKS:
        return this.ticks >>> 0;
      case TIMER_REGS.NOW_LOW:
        return this.clock.now() % 2 ** 32;
      case TIMER_REGS.NOW_HIGH:
        return Math.floor(this.clock.now() / 2 ** 32) >>> 0;
      default:
        this.badAccesses++;
        return floatingBus(width);
    }
  }

  ioWrite(port: number, value: number, width: PortWidth): void {
    const v = value >>> 0;
    switch (registerOffset(port, this.portBase, this.portCount, width)) {
      case TIMER_REGS.CONTROL:
        this.control = v & (TIMER_CONTROL.ENABLE | TIMER_CONTROL.PERIODIC | TIMER_CONTROL.IRQ_ENABLE);
        this.arm();
        return;
      case TIMER_REGS.PERIOD_CYCLES:
        this.periodCycles = v;
        this.arm();
        return;
      case TIMER_REGS.STATUS:
        this.status &= ~v;
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
        enabled: (this.control & TIMER_CONTROL.ENABLE) !== 0,
        periodic: (this.control & TIMER_CONTROL.PERIODIC) !== 0,
        irqEnabled: (this.control & TIMER_CONTROL.IRQ_ENABLE) !== 0,
        periodCycles: this.periodCycles,
        ticks: this.ticks,
        nextExpiryCycles: this.armed === undefined ? -1 : this.nextExpiry,
        status: this.status,
        badAccesses: this.badAccesses,
      },
    };
  }

  private effectivePeriod(): Cycles {
    return Math.max(this.periodCycles, this.costs.minPeriodCycles);
  }

  private arm(): void {
    if (this.armed !== undefined) this.timers.cancel(this.armed);
    this.armed = undefined;
    if (!(this.control & TIMER_CONTROL.ENABLE) || this.periodCycles === 0) return;
    this.schedule(this.clock.now() + this.effectivePeriod());
  }

  private schedule(at: Cycles): void {
    this.nextExpiry = at;
    this.armed = this.timers.schedule(at - this.clock.now(), () => this.expire(), `${this.name}:expire`);
  }

  private expire(): void {
    this.armed = undefined;
    this.ticks++;
    this.status |= TIMER_STATUS.EXPIRED;
    if (this.control & TIMER_CONTROL.PERIODIC) this.schedule(this.nextExpiry + this.effectivePeriod());
    else this.control &= ~TIMER_CONTROL.ENABLE;
    if (this.control & TIMER_CONTROL.IRQ_ENABLE) this.interrupts.raise(this.irq);
  }
}
