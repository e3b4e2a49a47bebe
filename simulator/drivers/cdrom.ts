// The CD-ROM driver: reads 2048-byte sectors by DMA for the ISO 9660 server; the drive is read-only.
import type { ProgramMain } from '../sdk/index';
import { storageDriver, type StorageDriverConfig } from './storageDriver';
import { PLATFORM, deviceConfGrants } from '../hw/platform';
import { CDROM_SECTOR_BYTES } from '../hw/cdrom';

/** The drive's defaults on the machine (the platform table). */
export const CDROM_DRIVER_CONFIG: StorageDriverConfig = {
  portBase: PLATFORM.cdrom.portBase,
  irq: PLATFORM.cdrom.irq,
  deviceId: PLATFORM.cdrom.dmaRequesterId,
  sectorBytes: CDROM_SECTOR_BYTES,
  writable: false,
  kernelTarget: 0x8000,
};

export const cdromDriverMain: ProgramMain = storageDriver(CDROM_DRIVER_CONFIG);

export const CDROM_DRIVER_CONF = `service cdrom
{
	system
		UMAP		# 14
		IRQCTL		# 19
		DEVIO		# 21
		;
${deviceConfGrants(PLATFORM.cdrom)}
	ipc	SYSTEM rs ds amddev isofs
		;
	priority	3;
	quantum		500;
};
`;
