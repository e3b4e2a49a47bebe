// The IOMMU's command registers on the I/O bus, so that a user-mode service (amddev) programs it with DEVIO as MINIX's amddev writes the DEV registers.
import { RegisterFile } from './device';
import type { Iommu, IommuError } from './iommu';
import { IOMMU_REGS, PLATFORM } from './platform';

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

/** Wraps an Iommu as a register file, at the platform's IOMMU ports unless placed elsewhere. */
export class IommuPortDevice extends RegisterFile {
  readonly name = PLATFORM.iommu.name;
  readonly portCount = PLATFORM.iommu.portCount;
  private device = 0;
  private iova = 0;
  private paddr = 0;
  private length = 0;
  private flags = 0;
  private result = 0;

  constructor(
    readonly iommu: Iommu,
    private readonly memoryBytes: number,
    readonly portBase: number = PLATFORM.iommu.portBase,
  ) {
    super();
  }

  protected readRegister(offset: number): number | undefined {
    switch (offset) {
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
        return undefined;
    }
  }

  protected writeRegister(offset: number, value: number): boolean {
    const v = value >>> 0;
    switch (offset) {
      case IOMMU_REGS.DEVICE:
        this.device = v;
        return true;
      case IOMMU_REGS.IOVA:
        this.iova = v;
        return true;
      case IOMMU_REGS.PADDR:
        this.paddr = v;
        return true;
      case IOMMU_REGS.LENGTH:
        this.length = v;
        return true;
      case IOMMU_REGS.FLAGS:
        this.flags = v & (IOMMU_FLAGS.READ | IOMMU_FLAGS.WRITE);
        return true;
      case IOMMU_REGS.COMMAND:
        this.result = IOMMU_RESULT[this.run(v) ?? 'ok'];
        return true;
      default:
        return false;
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
