// The storage side's built-in services: the IOMMU service, CD-ROM, disk and printer drivers, VFS and isofs, and the storage applications.
import type { BuiltinService } from './builtin';
import { amddevMain } from '../services/amddev';
import { isofsMain, ISOFS_CONF } from '../services/isofs';
import { vfsMain, VFS_CONF } from '../services/vfs';
import { blockReadMain, canaryMain, cdReadMain, dmaRogueMain, printMain } from '../services/storageApps';
import { cdromDriverMain, CDROM_DRIVER_CONF } from '../drivers/cdrom';
import { blockDriverMain, BLOCK_DRIVER_CONF } from '../drivers/block';
import { printerDriverMain, PRINTER_DRIVER_CONF } from '../drivers/printer';
import { PLATFORM } from '../hw/platform';

export const AMDDEV_CONF = `service amddev
{
	io	${PLATFORM.iommu.portBase.toString(16)}:${PLATFORM.iommu.portCount.toString(16)}		# the IOMMU's command registers
		;
	system
		UMAP		# 14
		DEVIO		# 21
		;
	ipc	SYSTEM rs ds cdrom disk nic rtl8139 e1000
		;
	uid	0;
};
`;

const appConf = (label: string, targets: string): string => `service ${label}
{
	ipc	${targets}
		;
};
`;

/** In boot order: amddev before the drivers that ask it for mappings, drivers before the servers that use them. */
export const storageServices: BuiltinService[] = [
  {
    label: 'amddev',
    kind: 'server',
    main: amddevMain,
    sourceFile: 'simulator/services/amddev.ts',
    conf: AMDDEV_CONF,
    bootOrder: 20,
    description: 'IOMMU service: maps drivers\' DMA buffers for their own devices (only with an IOMMU)',
  },
  {
    label: 'disk',
    kind: 'driver',
    main: blockDriverMain,
    sourceFile: 'simulator/drivers/block.ts',
    conf: BLOCK_DRIVER_CONF,
    device: 'block',
    bootOrder: 30,
    description: 'Block device driver: 512-byte sectors by DMA',
  },
  {
    label: 'cdrom',
    kind: 'driver',
    main: cdromDriverMain,
    sourceFile: 'simulator/drivers/cdrom.ts',
    conf: CDROM_DRIVER_CONF,
    device: 'cdrom',
    bootOrder: 31,
    description: 'CD-ROM driver: 2048-byte sectors by DMA',
  },
  {
    label: 'printer',
    kind: 'driver',
    main: printerDriverMain,
    sourceFile: 'simulator/drivers/printer.ts',
    conf: PRINTER_DRIVER_CONF,
    device: 'printer',
    bootOrder: 32,
    description: 'Printer driver: programmed I/O with the strobe protocol, an interrupt per byte',
  },
  {
    label: 'isofs',
    kind: 'server',
    main: isofsMain,
    sourceFile: 'simulator/services/isofs.ts',
    conf: ISOFS_CONF,
    bootOrder: 40,
    description: 'ISO 9660 file server: reads the CD through the CD-ROM driver',
  },
  {
    label: 'vfs',
    kind: 'server',
    main: vfsMain,
    sourceFile: 'simulator/services/vfs.ts',
    conf: VFS_CONF,
    bootOrder: 41,
    description: 'Virtual file system: file descriptors for applications, forwards to isofs',
  },
  {
    label: 'cdread',
    kind: 'program',
    main: cdReadMain,
    sourceFile: 'simulator/services/storageApps.ts',
    conf: appConf('cdread', 'vfs'),
    description: 'Reads a file from the CD through VFS and checks its contents (workload cd-read)',
  },
  {
    label: 'print',
    kind: 'program',
    main: printMain,
    sourceFile: 'simulator/services/storageApps.ts',
    conf: appConf('print', 'printer'),
    description: 'Prints text through the printer driver (workload print)',
  },
  {
    label: 'blockread',
    kind: 'program',
    main: blockReadMain,
    sourceFile: 'simulator/services/storageApps.ts',
    conf: appConf('blockread', 'disk'),
    description: 'Reads blocks straight from the disk driver (workload block-read)',
  },
  {
    label: 'canary',
    kind: 'program',
    main: canaryMain,
    sourceFile: 'simulator/services/storageApps.ts',
    conf: appConf('canary', 'NONE'),
    description: 'Checks that a page of its memory never changes behind its back (victim in S3)',
  },
  {
    label: 'dmarogue',
    kind: 'program',
    main: dmaRogueMain,
    sourceFile: 'simulator/services/storageApps.ts',
    conf: appConf('dmarogue', 'disk cdrom'),
    description: 'Makes a storage driver program DMA at kernel memory or another process (fault wild-dma, S3)',
  },
];
