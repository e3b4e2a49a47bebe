// The CD-ROM driver: reads 2048-byte sectors by DMA for the ISO 9660 server; the drive is read-only.
import type { ProgramMain } from '../sdk/index';
import { storageDriver, type StorageDriverConfig } from './storageDriver';

/** The drive's defaults on the machine (hw/cdrom.ts). */
export const CDROM_DRIVER_CONFIG: StorageDriverConfig = {
  portBase: 0xc200,
  irq: 15,
  deviceId: 3,
  sectorBytes: 2048,
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
	io	c200:28		# the CD-ROM controller's registers
		;
	irq	15		# its completion interrupt
		;
	ipc	SYSTEM rs ds amddev isofs
		;
	priority	3;
	quantum		500;
};
`;
