// What every machine device shares: its port window, its description for the UI, timers it can cancel on reset, little-endian helpers.

import type { Clock, Cycles, DmaFault, PortDevice, PortWidth, TimerId } from './bus';

/**
 * The default device cost tables assume this core frequency when they turn
 * published times (nanoseconds, bytes per second) into cycles.
 */
export const ASSUMED_CORE_HZ = 3_000_000_000;

export type DeviceKind = 'nic' | 'block' | 'cdrom' | 'printer' | 'timer' | 'console';

export type DeviceStateValue = number | string | boolean;

/** A device as the UI shows it. `state` holds register values and counters by name. */
export interface DeviceDescription {
  readonly name: string;
  readonly kind: DeviceKind;
  readonly ports: { readonly base: number; readonly count: number };
  readonly irq: number;
  /** The requester id the device uses on the DMA port; undefined for devices without DMA. */
  readonly deviceId: number | undefined;
  readonly state: Readonly<Record<string, DeviceStateValue>>;
}

/**
 * A device on the machine's I/O bus. `ioRead` and `ioWrite` take absolute port
 * numbers, as DEVIO does; the device answers for `portBase` to
 * `portBase + portCount - 1`.
 */
export interface MachineDevice extends PortDevice {
  readonly kind: DeviceKind;
  readonly portBase: number;
  readonly portCount: number;
  readonly irq: number;
  readonly deviceId: number | undefined;
  /** Power-on state: registers cleared, scheduled work cancelled. Attached media and images stay. */
  reset(): void;
  describe(): DeviceDescription;
}

/** What a read of a port nobody drives returns: all ones, as on a PC bus. */
export function floatingBus(width: PortWidth): number {
  return width === 4 ? 0xffff_ffff : width === 2 ? 0xffff : 0xff;
}

export function maskToWidth(value: number, width: PortWidth): number {
  return width === 4 ? value >>> 0 : value & (width === 2 ? 0xffff : 0xff);
}

/** Timers a device has scheduled, so that reset() can cancel every one of them. */
export class DeviceTimers {
  private readonly pending = new Set<TimerId>();

  constructor(private readonly clock: Clock) {}

  schedule(delayCycles: Cycles, action: () => void, label: string): TimerId {
    const id = this.clock.schedule(
      Math.max(0, Math.ceil(delayCycles)),
      () => {
        this.pending.delete(id);
        action();
      },
      label,
    );
    this.pending.add(id);
    return id;
  }

  cancel(id: TimerId): void {
    if (this.pending.delete(id)) this.clock.cancel(id);
  }

  cancelAll(): void {
    for (const id of [...this.pending].sort((a, b) => a - b)) this.clock.cancel(id);
    this.pending.clear();
  }

  get count(): number {
    return this.pending.size;
  }
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function writeU16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
}

export function writeU32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** Cycles a bus-mastering transfer of `lengthBytes` takes: one round trip plus the bytes. */
export function dmaCycles(latencyCycles: Cycles, cyclesPerByte: number, lengthBytes: number): Cycles {
  return latencyCycles + Math.ceil(cyclesPerByte * lengthBytes);
}

/**
 * Decodes a 32-bit register access. The 32-bit register files of the NIC,
 * storage and timer devices take width-4 accesses at 4-aligned offsets only;
 * anything else returns undefined, and the device then reads as the floating
 * bus and ignores the write.
 */
export function registerOffset(port: number, portBase: number, portCount: number, width: PortWidth): number | undefined {
  const offset = port - portBase;
  if (offset < 0 || offset + width > portCount || width !== 4 || (offset & 3) !== 0) return undefined;
  return offset;
}

/** Tells a DMA port's refusal from the data it returns. */
export function isDmaFault(result: Uint8Array | DmaFault | undefined): result is DmaFault {
  return result !== undefined && !(result instanceof Uint8Array) && result.blocked === true;
}
