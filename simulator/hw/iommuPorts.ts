// The IOMMU's command registers on the I/O bus, so that a user-mode service (amddev) programs it with DEVIO as MINIX's amddev writes the DEV registers.
import type { PortDevice, PortWidth } from './bus';
import { floatingBus, registerOffset } from './device';
import type { Iommu, IommuError } from './iommu';

export const IOMMU_PORT_BASE = 0xc300;
export const IOMMU_PORT_COUNT = 0x28;

/** 32-bit registers at offsets from the port base; width-4 aligned accesses only. */
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

export const IOMMU_MODE = { TRANSLATE: 1, DEV: 2 } as const;
export const IOMMU_FLAGS = { READ: 1, WRITE: 2 } as const;
export const IOMMU_ALL_DEVICES = 0xffff_ffff;

export const IOMMU_COMMAND = {
  CREATE_DOMAIN: 1,
  DESTROY_DOMAIN: 2,
  MAP: 3,
  UNMAP: 4,
  FLUSH: 5,
  DEV_BLOCK: 6,
  DEV_ALLOW: 7,
} as const;

export const IOMMU_RESULT: Readonly<Record<IommuError | 'ok' | 'bad-command', number>> = {
  ok: 0,
  'wrong-mode': 1,
  'no-domain': 2,
  'domain-exists': 3,
  unaligned: 4,
  'out-of-range': 5,
  'already-mapped': 6,
  'not-mapped': 7,
  'bad-command': 8,
};

/** Wraps an Iommu as a register file. Register the ports with Simulator.registerPorts(IOMMU_PORT_BASE, IOMMU_PORT_COUNT, device). */
export class IommuPortDevice implements PortDevice {
  readonly name = 'iommu';
  private device = 0;
  private iova = 0;
  private paddr = 0;
  private length = 0;
  private flags = 0;
  private result = 0;

  constructor(
    readonly iommu: Iommu,
    private readonly memoryBytes: number,
    readonly portBase = IOMMU_PORT_BASE,
  ) {}

  ioRead(port: number, width: PortWidth): number {
    switch (registerOffset(port, this.portBase, IOMMU_PORT_COUNT, width)) {
      case IOMMU_REGS.MODE:
        return this.iommu.mode === 'dev' ? IOMMU_MODE.DEV : IOMMU_MODE.TRANSLATE;
      case IOMMU_REGS.MEMORY_PAGES:
        return Math.floor(this.memoryBytes / 4096);
      case IOMMU_REGS.DEVICE:
        return this.device;
      case IOMMU_REGS.IOVA:
        return this.iova;
      case IOMMU_REGS.PADDR:
        return this.paddr;
      case IOMMU_REGS.LENGTH:
        return this.length;
      case IOMMU_REGS.FLAGS:
        return this.flags;
      case IOMMU_REGS.RESULT:
        return this.result;
      case IOMMU_REGS.FAULTS:
        return this.iommu.totalFaults >>> 0;
      default:
        return floatingBus(width);
    }
  }

  ioWrite(port: number, value: number, width: PortWidth): void {
    const v = value >>> 0;
    switch (registerOffset(port, this.portBase, IOMMU_PORT_COUNT, width)) {
      case IOMMU_REGS.DEVICE:
        this.device = v;
        return;
      case IOMMU_REGS.IOVA:
        this.iova = v;
        return;
      case IOMMU_REGS.PADDR:
        this.paddr = v;
        return;
      case IOMMU_REGS.LENGTH:
        this.length = v;
        return;
      case IOMMU_REGS.FLAGS:
        this.flags = v & (IOMMU_FLAGS.READ | IOMMU_FLAGS.WRITE);
        return;
      case IOMMU_REGS.COMMAND:
        this.result = IOMMU_RESULT[this.run(v) ?? 'ok'];
        return;
    }
  }

  private run(command: number): IommuError | 'bad-command' | undefined {
    const iommu = this.iommu;
    const device = this.device === IOMMU_ALL_DEVICES ? undefined : this.device;
    switch (command) {
      case IOMMU_COMMAND.CREATE_DOMAIN:
        return iommu.createDomain(this.device);
      case IOMMU_COMMAND.DESTROY_DOMAIN:
        return iommu.destroyDomain(this.device);
      case IOMMU_COMMAND.MAP:
        return iommu.map(this.device, this.iova, this.paddr, this.length, {
          read: (this.flags & IOMMU_FLAGS.READ) !== 0,
          write: (this.flags & IOMMU_FLAGS.WRITE) !== 0,
        });
      case IOMMU_COMMAND.UNMAP:
        return iommu.unmap(this.device, this.iova, this.length);
      case IOMMU_COMMAND.FLUSH:
        iommu.flush();
        return undefined;
      case IOMMU_COMMAND.DEV_BLOCK:
        return iommu.devBlock(this.paddr, this.length, device);
      case IOMMU_COMMAND.DEV_ALLOW:
        return iommu.devAllow(this.paddr, this.length, device);
      default:
        return 'bad-command';
    }
  }
}
