// A programmable interval timer: periodic or one-shot interrupts every so many cycles, and a readable cycle counter.

import type { Clock, Cycles, InterruptLines, TimerId } from './bus';
import { secondsToCycles } from '../time/time';
import { DeviceTimers, PlatformDeviceBase, type DevicePlacement, type DeviceStateValue } from './device';
import { PLATFORM, TIMER_REGS } from './platform';

export const TIMER_CONTROL = {
  ENABLE: 1 << 0,
  /** Rearm after each expiry; without it the timer fires once and clears ENABLE. */
  PERIODIC: 1 << 1,
  IRQ_ENABLE: 1 << 2,
} as const;

export const TIMER_STATUS = {
  EXPIRED: 1 << 0,
} as const;

/** The timer's timing in physical units. */
export interface TimerTiming {
  /** Periods shorter than this are raised to it, so that a wrong value cannot flood the event queue. */
  readonly minPeriodSeconds: number;
}

export const DEFAULT_TIMER_TIMING: TimerTiming = { minPeriodSeconds: 1e-6 };

/** The timer's timing in cycles of one clock. */
export interface TimerCosts {
  readonly minPeriodCycles: Cycles;
}

export interface TimerOptions extends DevicePlacement {
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  /** Physical timing, turned into cycles of `clock` once, here; DEFAULT_TIMER_TIMING if absent. */
  readonly timing?: TimerTiming;
}

/** Periodic expiries fall on exact multiples of the period from arming, without drift. */
export class IntervalTimer extends PlatformDeviceBase {
  readonly kind = 'timer' as const;
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

  constructor(options: TimerOptions) {
    super(PLATFORM.timer, options);
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    this.costs = { minPeriodCycles: Math.max(1, secondsToCycles((options.timing ?? DEFAULT_TIMER_TIMING).minPeriodSeconds, options.clock.hz)) };
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

  protected readRegister(offset: number): number | undefined {
    switch (offset) {
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
        return undefined;
    }
  }

  protected writeRegister(offset: number, value: number): boolean {
    const v = value >>> 0;
    switch (offset) {
      case TIMER_REGS.CONTROL:
        this.control = v & (TIMER_CONTROL.ENABLE | TIMER_CONTROL.PERIODIC | TIMER_CONTROL.IRQ_ENABLE);
        this.arm();
        return true;
      case TIMER_REGS.PERIOD_CYCLES:
        this.periodCycles = v;
        this.arm();
        return true;
      case TIMER_REGS.STATUS:
        this.status &= ~v;
        return true;
      default:
        return false;
    }
  }

  protected state(): Record<string, DeviceStateValue> {
    return {
      enabled: (this.control & TIMER_CONTROL.ENABLE) !== 0,
      periodic: (this.control & TIMER_CONTROL.PERIODIC) !== 0,
      irqEnabled: (this.control & TIMER_CONTROL.IRQ_ENABLE) !== 0,
      periodCycles: this.periodCycles,
      ticks: this.ticks,
      nextExpiryCycles: this.armed === undefined ? -1 : this.nextExpiry,
      status: this.status,
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
