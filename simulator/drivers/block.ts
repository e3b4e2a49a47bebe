// The block device driver: reads and writes 512-byte sectors by DMA for whoever holds a grant of a buffer.
import type { ProgramMain } from '../sdk/index';
import { storageDriver, type StorageDriverConfig } from './storageDriver';

/** The disk's defaults on the machine (hw/blockDevice.ts). */
export const BLOCK_DRIVER_CONFIG: StorageDriverConfig = {
  portBase: 0xc100,
  irq: 14,
  deviceId: 2,
  sectorBytes: 512,
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
	io	c100:28		# the disk controller's registers
		;
	irq	14		# its completion interrupt
		;
	ipc	SYSTEM USER rs ds amddev vfs
		;
	priority	3;
	quantum		500;
};
`;
