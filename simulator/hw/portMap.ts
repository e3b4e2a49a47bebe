// The I/O port address space: which device answers which port, for the kernel's DEVIO and SDEVIO.

import type { PortWidth } from './bus';
import { floatingBus, type MachineDevice } from './device';

export const PORT_SPACE_SIZE = 0x1_0000;

export class PortMap {
  private readonly devices: MachineDevice[] = [];

  /** Adds a device; throws if its window leaves the port space or overlaps another device's. */
  attach(device: MachineDevice): void {
    const end = device.portBase + device.portCount;
    if (device.portBase < 0 || end > PORT_SPACE_SIZE) {
      throw new RangeError(`ports: ${device.name} at 0x${device.portBase.toString(16)} leaves the port space`);
    }
    for (const other of this.devices) {
      if (device.portBase < other.portBase + other.portCount && other.portBase < end) {
        throw new RangeError(`ports: ${device.name} overlaps ${other.name}`);
      }
    }
    this.devices.push(device);
    this.devices.sort((a, b) => a.portBase - b.portBase);
  }

  /** The device whose window holds every byte of the access, if any. */
  deviceAt(port: number, width: PortWidth = 1): MachineDevice | undefined {
    return this.devices.find((d) => port >= d.portBase && port + width <= d.portBase + d.portCount);
  }

  /** A read no device answers returns all ones. */
  read(port: number, width: PortWidth): number {
    const device = this.deviceAt(port, width);
    return device ? device.ioRead(port, width) : floatingBus(width);
  }

  /** A write no device answers is dropped. */
  write(port: number, value: number, width: PortWidth): void {
    this.deviceAt(port, width)?.ioWrite(port, value, width);
  }

  get attached(): readonly MachineDevice[] {
    return this.devices;
  }
}
