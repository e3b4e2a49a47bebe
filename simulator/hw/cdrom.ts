// A CD-ROM drive: 2048-byte sectors read by DMA or PIO from an ISO 9660 image, with a removable medium.

import type { DeviceStateValue } from './device';
import { PLATFORM } from './platform';
import { StorageDevice, type StorageOptions, type StorageTiming } from './storageDevice';

export {
  STORAGE_COMMAND as CDROM_COMMAND,
  STORAGE_CONTROL as CDROM_CONTROL,
  STORAGE_ERROR as CDROM_ERROR,
  STORAGE_MAX_SECTORS as CDROM_MAX_SECTORS,
  STORAGE_STATUS as CDROM_STATUS,
} from './storageDevice';

/** ISO 9660 logical sectors (Mode 1 user data). */
export const CDROM_SECTOR_BYTES = 2048;

/** A single-speed CD-ROM reads 75 sectors a second. */
export const CD_SECTORS_PER_SECOND_1X = 75;

/**
 * A 48× drive: 48 × 75 = 3,600 sectors of 2,048 bytes a second (7,372,800
 * bytes/s, 277.8 µs a sector); about 100 µs to take a command and an average
 * seek of about 80 ms when a read does not continue the previous one
 * (estimates); DMA as the NIC's. WRITE_DMA always fails with READ_ONLY.
 */
export const DEFAULT_CDROM_TIMING: StorageTiming = {
  commandOverheadSeconds: 100e-6,
  seekSeconds: 0.08,
  mediaBytesPerSecond: 48 * CD_SECTORS_PER_SECOND_1X * CDROM_SECTOR_BYTES,
  dmaLatencySeconds: 500e-9,
  dmaBytesPerSecond: 3e9,
};

export interface CdromOptions extends StorageOptions {
  /** The disc in the drive at power-on, if any; see insertMedia. */
  readonly image?: Uint8Array;
  /** Physical timing, turned into cycles of `clock` once, here; DEFAULT_CDROM_TIMING if absent. */
  readonly timing?: StorageTiming;
}

export class CdromDrive extends StorageDevice {
  readonly kind = 'cdrom' as const;
  private disc: Uint8Array | undefined;
  private mediaChanges = 0;

  constructor(options: CdromOptions) {
    super(options, PLATFORM.cdrom, CDROM_SECTOR_BYTES, options.timing ?? DEFAULT_CDROM_TIMING);
    this.disc = options.image;
  }

  /** Puts a disc in the drive. The drive reads the array itself, not a copy, and never writes it. */
  insertMedia(image: Uint8Array): void {
    this.disc = image;
    this.mediaChanges++;
  }

  /** Takes the disc out; a command in progress then completes with NO_MEDIA. */
  ejectMedia(): void {
    this.disc = undefined;
    this.mediaChanges++;
  }

  get mediaPresent(): boolean {
    return this.disc !== undefined;
  }

  /** The disc's bytes, for tools outside the simulated machine (the console's `cat`); the array itself, not to be changed. */
  get media(): Uint8Array | undefined {
    return this.disc;
  }

  protected override state(): Record<string, DeviceStateValue> {
    return { ...super.state(), mediaChanges: this.mediaChanges };
  }

  protected medium(): Uint8Array | undefined {
    return this.disc;
  }

  protected readOnly(): boolean {
    return true;
  }
}
