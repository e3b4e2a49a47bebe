// A disk with DMA: 512-byte sectors backed by a Uint8Array image, on the shared storage controller.

import { PLATFORM } from './platform';
import { StorageDevice, type StorageOptions, type StorageTiming } from './storageDevice';

export {
  STORAGE_COMMAND as BLOCK_COMMAND,
  STORAGE_CONTROL as BLOCK_CONTROL,
  STORAGE_ERROR as BLOCK_ERROR,
  STORAGE_MAX_SECTORS as BLOCK_MAX_SECTORS,
  STORAGE_STATUS as BLOCK_STATUS,
} from './storageDevice';

export const BLOCK_SECTOR_BYTES = 512;

/** A SATA SSD: about 25 µs to serve a read, 500 MB/s sustained, no seek (estimates); DMA as the NIC's. */
export const DEFAULT_BLOCK_TIMING: StorageTiming = {
  commandOverheadSeconds: 25e-6,
  seekSeconds: 0,
  mediaBytesPerSecond: 500e6,
  dmaLatencySeconds: 500e-9,
  dmaBytesPerSecond: 3e9,
};

export interface BlockDeviceOptions extends StorageOptions {
  /** The disk's bytes. The device reads and writes this array itself, not a copy. */
  readonly image: Uint8Array;
  readonly readOnly?: boolean;
  /** Physical timing, turned into cycles of `clock` once, here; DEFAULT_BLOCK_TIMING if absent. */
  readonly timing?: StorageTiming;
}

export class BlockDevice extends StorageDevice {
  readonly kind = 'block' as const;
  readonly image: Uint8Array;
  private readonly writeProtected: boolean;

  constructor(options: BlockDeviceOptions) {
    super(options, PLATFORM.block, BLOCK_SECTOR_BYTES, options.timing ?? DEFAULT_BLOCK_TIMING);
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
