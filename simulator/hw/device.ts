// What every machine device shares: its identity on the platform, its register file's decoding, its description for the UI, timers it can cancel on reset, little-endian helpers.

import type { Clock, Cycles, DmaFault, PortDevice, PortWidth, TimerId } from './bus';
import { formatPciId, type DeviceKind, type PlatformDevice } from './platform';

export type { DeviceKind } from './platform';

export type DeviceStateValue = number | string | boolean;

/** A device as the UI shows it. `state` holds register values and counters by name. */
export interface DeviceDescription {
  readonly name: string;
  readonly kind: DeviceKind;
  readonly ports: { readonly base: number; readonly count: number };
  readonly irq: number;
  /** The requester id the device uses on the DMA port; undefined for devices without DMA. */
  readonly deviceId: number | undefined;
  /** Its PCI id ("vvvv:dddd"), or undefined for a legacy device. */
  readonly pci: string | undefined;
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

/**
 * What the devices' register files share: an access is decoded to a register
 * offset and handed to the device's handlers; an access that no register
 * takes (a bad width or alignment, an unknown offset, a write to a read-only
 * register) reads as the floating bus, changes nothing, and is counted.
 */
export abstract class RegisterFile implements PortDevice {
  abstract readonly name: string;
  abstract readonly portBase: number;
  abstract readonly portCount: number;
  protected badAccesses = 0;

  ioRead(port: number, width: PortWidth): number {
    const offset = this.decode(port, width);
    const value = offset === undefined ? undefined : this.readRegister(offset, width);
    if (value !== undefined) return value;
    this.badAccesses++;
    return floatingBus(width);
  }

  ioWrite(port: number, value: number, width: PortWidth): void {
    const offset = this.decode(port, width);
    if (offset === undefined || !this.writeRegister(offset, value, width)) this.badAccesses++;
  }

  /** The register an access reaches: by default a width-4 access at a 4-aligned offset (see registerOffset). */
  protected decode(port: number, width: PortWidth): number | undefined {
    return registerOffset(port, this.portBase, this.portCount, width);
  }

  /** The register's value, or undefined if it cannot be read. */
  protected abstract readRegister(offset: number, width: PortWidth): number | undefined;
  /** Whether the register took the write. */
  protected abstract writeRegister(offset: number, value: number, width: PortWidth): boolean;
}

/** Decodes byte-wide registers: width-1 accesses within the window. */
export function byteRegisterOffset(port: number, portBase: number, portCount: number, width: PortWidth): number | undefined {
  const offset = port - portBase;
  return width === 1 && offset >= 0 && offset < portCount ? offset : undefined;
}

/** Where a device sits, when not at its platform defaults (tests, a second instance). */
export interface DevicePlacement {
  readonly name?: string;
  readonly portBase?: number;
  readonly irq?: number;
  readonly deviceId?: number;
}

/** A machine device: its identity from the platform table (or its placement), its register file and its description. */
export abstract class PlatformDeviceBase extends RegisterFile implements MachineDevice {
  abstract readonly kind: DeviceKind;
  readonly name: string;
  readonly portBase: number;
  readonly portCount: number;
  readonly irq: number;
  readonly deviceId: number | undefined;
  private readonly pci: string | undefined;

  constructor(platform: PlatformDevice, placement: DevicePlacement) {
    super();
    this.name = placement.name ?? platform.name;
    this.portBase = placement.portBase ?? platform.portBase;
    this.portCount = platform.portCount;
    const irq = placement.irq ?? platform.irq;
    if (irq === null) throw new Error(`${this.name}: a machine device needs an interrupt line`);
    this.irq = irq;
    this.deviceId = placement.deviceId ?? platform.dmaRequesterId ?? undefined;
    this.pci = platform.pci === null ? undefined : formatPciId(platform.pci);
  }

  abstract reset(): void;

  /** Register values and counters by name, for describe(). */
  protected abstract state(): Record<string, DeviceStateValue>;

  describe(): DeviceDescription {
    return {
      name: this.name,
      kind: this.kind,
      ports: { base: this.portBase, count: this.portCount },
      irq: this.irq,
      deviceId: this.deviceId,
      pci: this.pci,
      state: { ...this.state(), badAccesses: this.badAccesses },
    };
  }
}

/** Tells a DMA port's refusal from the data it returns. */
export function isDmaFault(result: Uint8Array | DmaFault | undefined): result is DmaFault {
  return result !== undefined && !(result instanceof Uint8Array) && result.blocked === true;
}
