// A CD-ROM drive: 2048-byte sectors read by DMA or PIO from an ISO 9660 image, with a removable medium.

import { ASSUMED_CORE_HZ, type DeviceDescription } from './device';
import { STORAGE_REGS, StorageDevice, type StorageCosts, type StorageOptions } from './storageDevice';

export {
  STORAGE_COMMAND as CDROM_COMMAND,
  STORAGE_CONTROL as CDROM_CONTROL,
  STORAGE_ERROR as CDROM_ERROR,
  STORAGE_MAX_SECTORS as CDROM_MAX_SECTORS,
  STORAGE_PORT_COUNT as CDROM_PORT_COUNT,
  STORAGE_STATUS as CDROM_STATUS,
} from './storageDevice';

/** The drive's registers: the storage controller's (see STORAGE_REGS). WRITE_DMA always fails with READ_ONLY. */
export const CDROM_REGS = STORAGE_REGS;

/** ISO 9660 logical sectors (Mode 1 user data). */
export const CDROM_SECTOR_BYTES = 2048;

/**
 * A 48× drive: 48 × 75 = 3,600 sectors a second, 277.8 µs (833,333 cycles at
 * 3 GHz) a sector; an average seek of about 80 ms when a read does not
 * continue the previous one.
 */
export const DEFAULT_CDROM_COSTS: StorageCosts = {
  portAccessCycles: 300,
  commandOverheadCycles: Math.round((100_000 * ASSUMED_CORE_HZ) / 1e9),
  seekCycles: Math.round(0.08 * ASSUMED_CORE_HZ),
  mediaCyclesPerSector: Math.round(ASSUMED_CORE_HZ / (48 * 75)),
  dmaLatencyCycles: Math.round((500 * ASSUMED_CORE_HZ) / 1e9),
  dmaCyclesPerByte: 1,
};

export interface CdromOptions extends StorageOptions {
  /** The disc in the drive at power-on, if any; see insertMedia. */
  readonly image?: Uint8Array;
  readonly costs?: StorageCosts;
}

export class CdromDrive extends StorageDevice {
  readonly kind = 'cdrom' as const;
  private disc: Uint8Array | undefined;
  private mediaChanges = 0;

  constructor(options: CdromOptions) {
    super(options, { name: 'cd0', portBase: 0xc200, irq: 15, deviceId: 3 }, CDROM_SECTOR_BYTES, options.costs ?? DEFAULT_CDROM_COSTS);
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

  override describe(): DeviceDescription {
    const base = super.describe();
    return { ...base, state: { ...base.state, mediaChanges: this.mediaChanges } };
  }

  protected medium(): Uint8Array | undefined {
    return this.disc;
  }

  protected readOnly(): boolean {
    return true;
  }
}
