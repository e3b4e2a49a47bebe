// The machine's platform, in one table: for each device its name, I/O port
// window, register offsets, interrupt line, PCI id and DMA requester id. The
// devices take their defaults from here; so do the built-in drivers, their
// system.conf entries, the IOMMU service and the views that print them.

/** Register offsets of the NIC from its port base; every register is 32 bits wide, accessed with width 4. */
export const NIC_REGS = {
  /** RW: NIC_CTRL bits. */
  CTRL: 0x00,
  /** R: NIC_STATUS bits. */
  STATUS: 0x04,
  /** R: pending interrupt causes (NIC_INT bits); write 1s to clear them. */
  ISR: 0x08,
  /** RW: causes that raise the interrupt line (NIC_INT bits). */
  IMR: 0x0c,
  /** RW: IO-virtual address of the TX ring (16-byte aligned). Writing it resets TX head and tail to 0. */
  TX_RING_BASE: 0x10,
  /** RW: descriptors in the TX ring, 2..NIC_MAX_RING_DESCRIPTORS (other values read back as 0). Writing it resets TX head and tail to 0. */
  TX_RING_SIZE: 0x14,
  /** R: next TX descriptor the NIC will send. */
  TX_HEAD: 0x18,
  /** RW, the TX doorbell: one past the last descriptor the driver has filled. */
  TX_TAIL: 0x1c,
  RX_RING_BASE: 0x20,
  RX_RING_SIZE: 0x24,
  /** R: next RX descriptor the NIC will fill. */
  RX_HEAD: 0x28,
  /** RW, the RX doorbell: one past the last empty buffer the driver has posted. */
  RX_TAIL: 0x2c,
  /** R: MAC address bytes 0..3, little-endian. */
  MAC_LOW: 0x30,
  /** R: MAC address bytes 4..5 in the low 16 bits. */
  MAC_HIGH: 0x34,
  /** R: packets sent on the wire since reset. */
  TX_PACKETS: 0x38,
  /** R: packets written to RX buffers since reset. */
  RX_PACKETS: 0x3c,
  /** R: received packets dropped (RX off, link down or RX FIFO full). */
  RX_DROPPED: 0x40,
} as const;

/**
 * Register offsets of the sector-addressed storage controller (the disk and
 * the CD-ROM drive) from its port base. All are 32 bits wide and take width-4
 * accesses, except DATA, which also takes widths 1 and 2.
 */
export const STORAGE_REGS = {
  /** W: a STORAGE_COMMAND; starts it with the LBA, COUNT and DMA_ADDR written before. */
  COMMAND: 0x00,
  /** RW: first sector. */
  LBA: 0x04,
  /** RW: sectors, 1..STORAGE_MAX_SECTORS. */
  COUNT: 0x08,
  /** RW: IO-virtual address of the DMA buffer. */
  DMA_ADDR: 0x0c,
  /** R: STORAGE_STATUS bits; write 1s to clear DONE and ERROR (which acknowledges the interrupt). */
  STATUS: 0x10,
  /** R: the STORAGE_ERROR code of the last command. */
  ERROR: 0x14,
  /** R: sectors on the medium (0 with no medium). */
  CAPACITY: 0x18,
  /** R: bytes per sector. */
  SECTOR_SIZE: 0x1c,
  /** RW: STORAGE_CONTROL bits. */
  CONTROL: 0x20,
  /** R: PIO data; each read returns the next 1, 2 or 4 bytes (little-endian) of the sectors read. */
  DATA: 0x24,
} as const;

/** Register offsets of the interval timer from its port base; 32 bits wide, width-4 accesses only. */
export const TIMER_REGS = {
  /** RW: TIMER_CONTROL bits. Writing it (re)arms the timer one period from now. */
  CONTROL: 0x00,
  /** RW: cycles between expiries; 0 stops the timer. Writing it (re)arms the timer. */
  PERIOD_CYCLES: 0x04,
  /** R: TIMER_STATUS bits; write 1s to clear. */
  STATUS: 0x08,
  /** R: expiries since reset. */
  TICKS: 0x0c,
  /** R: the clock's cycle count, low 32 bits. */
  NOW_LOW: 0x10,
  /** R: the clock's cycle count, bits 32 and up. */
  NOW_HIGH: 0x14,
} as const;

/** Byte-wide registers of the printer port from its base, as on a PC's LPT1 at 0x378. */
export const PRINTER_REGS = {
  /** RW: the byte on the data lines. */
  DATA: 0,
  /** R: PRINTER_STATUS bits. */
  STATUS: 1,
  /** RW: PRINTER_CONTROL bits. */
  CONTROL: 2,
} as const;

/** Byte-wide registers of the console from its port base. */
export const CONSOLE_REGS = {
  /** W: queue a byte for output. R: take the next input byte (0 when none waits). */
  DATA: 0,
  /** R: CONSOLE_STATUS bits. Write CONSOLE_STATUS.RX_OVERRUN to clear it. */
  STATUS: 1,
  /** RW: CONSOLE_CONTROL bits. */
  CONTROL: 2,
  /** R: input bytes waiting, capped at 255. */
  RX_COUNT: 3,
} as const;

/** The IOMMU's 32-bit command registers from their port base; width-4 aligned accesses only. */
export const IOMMU_REGS = {
  /** R: IOMMU_MODE. */
  MODE: 0x00,
  /** R: physical memory in 4 KiB pages. */
  MEMORY_PAGES: 0x04,
  /** RW: the device (requester id) a command applies to; IOMMU_ALL_DEVICES for DEV mode's default bitmap. */
  DEVICE: 0x08,
  /** RW: IO-virtual address. */
  IOVA: 0x0c,
  /** RW: physical address. */
  PADDR: 0x10,
  /** RW: bytes. */
  LENGTH: 0x14,
  /** RW: IOMMU_FLAGS. */
  FLAGS: 0x18,
  /** W: an IOMMU_COMMAND, run at once with the registers above. */
  COMMAND: 0x1c,
  /** R: IOMMU_RESULT of the last command. */
  RESULT: 0x20,
  /** R: transfers blocked since power-on. */
  FAULTS: 0x24,
} as const;

/** The machine's devices, as the views and the built-in services name their kinds. */
export type DeviceKind = 'nic' | 'block' | 'cdrom' | 'printer' | 'timer' | 'console';
export type PlatformKind = DeviceKind | 'iommu';

export interface PciId {
  readonly vendorId: number;
  readonly deviceId: number;
}

export interface PlatformDevice {
  readonly kind: PlatformKind;
  /** The device's name in views and messages. */
  readonly name: string;
  readonly portBase: number;
  /** Ports from portBase that the device answers (and that its driver's `io` grant covers). */
  readonly portCount: number;
  readonly regs: Readonly<Record<string, number>>;
  /** Its interrupt line; null for a device that raises none. */
  readonly irq: number | null;
  /** Its PCI vendor and device id; null for a legacy device at fixed ports. */
  readonly pci: PciId | null;
  /** The requester id it uses on the DMA port; null for a device without DMA. */
  readonly dmaRequesterId: number | null;
  /** The label of the built-in service that drives it, if any. */
  readonly driver: string | null;
}

/**
 * The simulated devices are this project's own, so their PCI ids use vendor
 * 0x1234, the id emulators give devices no vendor made (QEMU's standard VGA
 * is 1234:1111 and its teaching device 1234:11e8), with device ids 0x4d01 and
 * up. The printer port, timer and console are legacy devices at fixed ports,
 * and the IOMMU is reached through its own command ports.
 */
export const PLATFORM_PCI_VENDOR = 0x1234;

export const PLATFORM = {
  nic: {
    kind: 'nic', name: 'nic0', portBase: 0xc000, portCount: 0x44, regs: NIC_REGS, irq: 11,
    pci: { vendorId: PLATFORM_PCI_VENDOR, deviceId: 0x4d01 }, dmaRequesterId: 1, driver: 'nic',
  },
  block: {
    kind: 'block', name: 'disk0', portBase: 0xc100, portCount: 0x28, regs: STORAGE_REGS, irq: 14,
    pci: { vendorId: PLATFORM_PCI_VENDOR, deviceId: 0x4d02 }, dmaRequesterId: 2, driver: 'disk',
  },
  cdrom: {
    kind: 'cdrom', name: 'cd0', portBase: 0xc200, portCount: 0x28, regs: STORAGE_REGS, irq: 15,
    pci: { vendorId: PLATFORM_PCI_VENDOR, deviceId: 0x4d03 }, dmaRequesterId: 3, driver: 'cdrom',
  },
  printer: {
    kind: 'printer', name: 'lpt0', portBase: 0x378, portCount: 3, regs: PRINTER_REGS, irq: 7,
    pci: null, dmaRequesterId: null, driver: 'printer',
  },
  timer: {
    kind: 'timer', name: 'timer0', portBase: 0x40, portCount: 0x18, regs: TIMER_REGS, irq: 0,
    pci: null, dmaRequesterId: null, driver: null,
  },
  console: {
    kind: 'console', name: 'tty0', portBase: 0x3f8, portCount: 4, regs: CONSOLE_REGS, irq: 4,
    pci: null, dmaRequesterId: null, driver: null,
  },
  iommu: {
    kind: 'iommu', name: 'iommu', portBase: 0xc300, portCount: 0x28, regs: IOMMU_REGS, irq: null,
    pci: null, dmaRequesterId: null, driver: 'amddev',
  },
} as const satisfies Record<PlatformKind, PlatformDevice>;

/** Every device of the platform, in table order. */
export const PLATFORM_DEVICES: readonly PlatformDevice[] = Object.values(PLATFORM);

/** The platform's device of that kind. */
export function platformDevice(kind: PlatformKind): PlatformDevice {
  return PLATFORM[kind];
}

/** "vvvv:dddd", as system.conf's `pci device` writes a PCI id. */
export function formatPciId(id: PciId): string {
  return `${id.vendorId.toString(16).padStart(4, '0')}:${id.deviceId.toString(16).padStart(4, '0')}`;
}

/**
 * The system.conf lines that grant a driver its device: `io` (base and count
 * in hex, as MINIX writes them), `irq` and, for a PCI device, `pci device`.
 */
export function deviceConfGrants(device: PlatformDevice): string {
  const lines = [`\tio\t${device.portBase.toString(16)}:${device.portCount.toString(16)}\t\t# ${device.name}'s registers\n\t\t;`];
  if (device.irq !== null) lines.push(`\tirq\t${device.irq}\t\t# ${device.name}'s interrupt\n\t\t;`);
  if (device.pci !== null) lines.push(`\tpci device\t${formatPciId(device.pci)}\n\t\t;`);
  return lines.join('\n');
}
