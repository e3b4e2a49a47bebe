// A disk with DMA: 512-byte sectors backed by a Uint8Array image, on the shared storage controller.

import { ASSUMED_CORE_HZ } from './device';
import { STORAGE_REGS, StorageDevice, type StorageCosts, type StorageOptions } from './storageDevice';

export {
  STORAGE_COMMAND as BLOCK_COMMAND,
  STORAGE_CONTROL as BLOCK_CONTROL,
  STORAGE_ERROR as BLOCK_ERROR,
  STORAGE_MAX_SECTORS as BLOCK_MAX_SECTORS,
  STORAGE_PORT_COUNT as BLOCK_PORT_COUNT,
  STORAGE_STATUS as BLOCK_STATUS,
} from './storageDevice';

/** The block device's registers: the storage controller's (see STORAGE_REGS). */
export const BLOCK_REGS = STORAGE_REGS;

export const BLOCK_SECTOR_BYTES = 512;

/**
 * An SATA SSD: about 25 µs to serve a read, 500 MB/s sustained (about 1 µs,
 * 3,072 cycles, per 512-byte sector at 3 GHz), no seek.
 */
export const DEFAULT_BLOCK_COSTS: StorageCosts = {
  portAccessCycles: 300,
  commandOverheadCycles: Math.round((25_000 * ASSUMED_CORE_HZ) / 1e9),
  seekCycles: 0,
  mediaCyclesPerSector: Math.round((BLOCK_SECTOR_BYTES * ASSUMED_CORE_HZ) / 500e6),
  dmaLatencyCycles: Math.round((500 * ASSUMED_CORE_HZ) / 1e9),
  dmaCyclesPerByte: 1,
};

export interface BlockDeviceOptions extends StorageOptions {
  /** The disk's bytes. The device reads and writes this array itself, not a copy. */
  readonly image: Uint8Array;
  readonly readOnly?: boolean;
  readonly costs?: StorageCosts;
}

export class BlockDevice extends StorageDevice {
  readonly kind = 'block' as const;
  readonly image: Uint8Array;
  private readonly writeProtected: boolean;

  constructor(options: BlockDeviceOptions) {
    super(options, { name: 'disk0', portBase: 0xc100, irq: 14, deviceId: 2 }, BLOCK_SECTOR_BYTES, options.costs ?? DEFAULT_BLOCK_COSTS);
    this.image = options.image;
    this.writeProtected = options.readOnly ?? false;
  }

  protected medium(): Uint8Array {
    return this.image;
  }

  protected readOnly(): boolean {
    return this.writeProtected;
  }
}
