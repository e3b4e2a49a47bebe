// The interfaces through which the kernel, the machine's devices and the
// IOMMU meet. Devices reach the rest of the simulator only through these.

export type { Clock, Cycles, TimerId } from '../core/clock';

export type PortWidth = 1 | 2 | 4;

/** A device's register file, reached by port I/O (DEVIO, SDEVIO). */
export interface PortDevice {
  readonly name: string;
  ioRead(port: number, width: PortWidth): number;
  ioWrite(port: number, value: number, width: PortWidth): void;
}

/** Physical memory as the bus sees it (no MMU, no IOMMU in between). */
export interface PhysicalMemoryAccess {
  readonly sizeBytes: number;
  read(paddr: number, length: number): Uint8Array;
  write(paddr: number, data: Uint8Array): void;
}

/** The interrupt controller's input lines, as a device raises them. */
export interface InterruptLines {
  raise(irq: number): void;
}

export type DmaDirection = 'read' | 'write';

/** Why a DMA transfer did not happen. */
export interface DmaFault {
  readonly blocked: true;
  readonly deviceId: number;
  readonly iova: number;
  readonly direction: DmaDirection;
  readonly reason: string;
}

/**
 * What a bus-mastering device uses to reach memory. Behind it sits either the
 * IOMMU (translation and permission per device domain) or, with no IOMMU,
 * physical memory directly.
 */
export interface DmaPort {
  read(deviceId: number, iova: number, length: number): Uint8Array | DmaFault;
  write(deviceId: number, iova: number, data: Uint8Array): DmaFault | undefined;
}

/**
 * Told of each transfer that moved data (blocked ones are faults, told
 * elsewhere): the device, its address, the physical address of the first
 * byte, the length and the direction. Positional, so that telling allocates
 * nothing on the data path.
 */
export type DmaTransferListener = (deviceId: number, iova: number, paddr: number, lengthBytes: number, write: boolean) => void;
