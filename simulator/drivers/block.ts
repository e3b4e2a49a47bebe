// The block device driver: reads and writes 512-byte sectors by DMA for whoever holds a grant of a buffer.
import type { ProgramMain } from '../sdk/index';
import { storageDriver, type StorageDriverConfig } from './storageDriver';
import { PLATFORM, deviceConfGrants } from '../hw/platform';
import { BLOCK_SECTOR_BYTES } from '../hw/blockDevice';

/** The disk's defaults on the machine (the platform table). */
export const BLOCK_DRIVER_CONFIG: StorageDriverConfig = {
  portBase: PLATFORM.block.portBase,
  irq: PLATFORM.block.irq,
  deviceId: PLATFORM.block.dmaRequesterId,
  sectorBytes: BLOCK_SECTOR_BYTES,
  writable: true,
  kernelTarget: 0x8000,
};

export const blockDriverMain: ProgramMain = storageDriver(BLOCK_DRIVER_CONFIG);

export const BLOCK_DRIVER_CONF = `service disk
{
	system
		UMAP		# 14
		IRQCTL		# 19
		DEVIO		# 21
		;
${deviceConfGrants(PLATFORM.block)}
	ipc	SYSTEM USER rs ds amddev vfs
		;
	priority	3;
	quantum		500;
};
`;
