// Hand-driven stand-ins for the kernel's clock, physical memory and interrupt delivery, for device tests.

import type { Clock, Cycles, InterruptLines, PhysicalMemoryAccess, PortWidth, TimerId } from '../../../simulator/hw/bus';
import type { MachineDevice } from '../../../simulator/hw/device';

interface Timer {
  readonly id: TimerId;
  readonly at: Cycles;
  readonly action: () => void;
  readonly label: string;
}

/** A clock whose time moves only when the test advances it; ties run in the order scheduled. */
export class FakeClock implements Clock {
  /** `hz`: the rate the devices built on this clock turn their physical timing into cycles at. */
  constructor(readonly hz = 1e9) {}

  private time: Cycles = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): Cycles {
    return this.time;
  }

  schedule(delay: Cycles, action: () => void, label: string): TimerId {
    if (!Number.isInteger(delay) || delay < 0) throw new Error(`bad delay ${delay} for ${label}`);
    const timer = { id: this.nextId++, at: this.time + delay, action, label };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    return timer.id;
  }

  cancel(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Runs everything due up to `now + cycles`, then sets the time there. */
  advance(cycles: Cycles): void {
    this.runUntil(this.time + cycles);
  }

  runUntil(at: Cycles): void {
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > at) break;
      this.timers.shift();
      this.time = next.at;
      next.action();
    }
    this.time = at;
  }

  /** Runs until nothing is scheduled; fails past `limit` events. */
  runUntilIdle(limit = 10_000): void {
    for (let n = 0; this.timers.length > 0; n++) {
      if (n >= limit) throw new Error('clock never went idle');
      const next = this.timers.shift()!;
      this.time = next.at;
      next.action();
    }
  }

  get pendingLabels(): string[] {
    return this.timers.map((t) => t.label);
  }
}

export class FakeMemory implements PhysicalMemoryAccess {
  readonly bytes: Uint8Array;

  constructor(readonly sizeBytes: number) {
    this.bytes = new Uint8Array(sizeBytes);
  }

  read(paddr: number, length: number): Uint8Array {
    if (paddr < 0 || paddr + length > this.sizeBytes) throw new RangeError(`read outside memory at ${paddr}`);
    return this.bytes.slice(paddr, paddr + length);
  }

  write(paddr: number, data: Uint8Array): void {
    if (paddr < 0 || paddr + data.length > this.sizeBytes) throw new RangeError(`write outside memory at ${paddr}`);
    this.bytes.set(data, paddr);
  }
}

/** Records each raise with the time it happened. */
export class FakeLines implements InterruptLines {
  readonly raised: Array<{ irq: number; timeCycles: Cycles }> = [];

  constructor(private readonly clock: Clock) {}

  raise(irq: number): void {
    this.raised.push({ irq, timeCycles: this.clock.now() });
  }

  count(irq: number): number {
    return this.raised.filter((r) => r.irq === irq).length;
  }
}

/** Register access the way a driver does it through DEVIO: offsets from the device's base. */
export function out(device: MachineDevice, offset: number, value: number, width: PortWidth = 4): void {
  device.ioWrite(device.portBase + offset, value, width);
}

export function inp(device: MachineDevice, offset: number, width: PortWidth = 4): number {
  return device.ioRead(device.portBase + offset, width);
}

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

export function pattern(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (seed + i * 7) & 0xff;
  return data;
}
