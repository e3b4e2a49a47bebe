// The sector-addressed controller shared by the block device and the CD-ROM drive: command registers, DMA or PIO transfers, completion interrupts.

import type { Clock, Cycles, DmaPort, InterruptLines, PortWidth } from './bus';
import { cyclesPerUnit, secondsToCycles } from '../time/time';
import {
  DeviceTimers,
  PlatformDeviceBase,
  dmaCycles,
  floatingBus,
  isDmaFault,
  maskToWidth,
  registerOffset,
  type DevicePlacement,
  type DeviceKind,
  type DeviceStateValue,
} from './device';
import { STORAGE_REGS, type PlatformDevice } from './platform';

export const STORAGE_COMMAND = {
  READ_DMA: 1,
  WRITE_DMA: 2,
  /** Reads into the controller's buffer; the driver then reads DATA while STATUS.DRQ is set. */
  READ_PIO: 3,
} as const;

export const STORAGE_STATUS = {
  BUSY: 1 << 0,
  /** The last command finished (successfully or not). */
  DONE: 1 << 1,
  ERROR: 1 << 2,
  /** PIO data is waiting in DATA. */
  DRQ: 1 << 3,
  MEDIA_PRESENT: 1 << 4,
  READ_ONLY: 1 << 5,
} as const;

export const STORAGE_ERROR = {
  NONE: 0,
  /** LBA + COUNT beyond the medium's capacity. */
  OUT_OF_RANGE: 1,
  /** The DMA transfer was blocked (IOMMU) or ran outside memory; nothing was transferred. */
  DMA_FAULT: 2,
  /** Unknown command, COUNT 0 or above the maximum, or a command while busy. */
  BAD_COMMAND: 3,
  NO_MEDIA: 4,
  READ_ONLY: 5,
  /** A sector the medium cannot read (a fault-injection hook). */
  MEDIA_ERROR: 6,
} as const;

export const STORAGE_CONTROL = {
  IRQ_ENABLE: 1 << 0,
  /** Write 1: reset the controller as reset() does. */
  RESET: 1 << 1,
} as const;

export const STORAGE_MAX_SECTORS = 256;

/** A storage device's timing in physical units; the device turns it into cycles of its clock when built. */
export interface StorageTiming {
  /** Decoding a command and reporting its result, paid by every command, failed ones included. */
  readonly commandOverheadSeconds: number;
  /** Moving the head when a read does not continue the previous one. */
  readonly seekSeconds: number;
  /** Sustained transfer rate of the medium. */
  readonly mediaBytesPerSecond: number;
  /** Bus round trip before a DMA transfer's data flows. */
  readonly dmaLatencySeconds: number;
  /** Bandwidth of a DMA transfer once its data flows. */
  readonly dmaBytesPerSecond: number;
}

/** A storage device's timing in cycles of one clock. */
export interface StorageCosts {
  readonly commandOverheadCycles: Cycles;
  readonly seekCycles: Cycles;
  /** Reading or writing one sector on the medium (not rounded: a command's total is). */
  readonly mediaCyclesPerSector: number;
  readonly dmaLatencyCycles: Cycles;
  readonly dmaCyclesPerByte: number;
}

export function storageCosts(timing: StorageTiming, sectorBytes: number, clockHz: number): StorageCosts {
  return {
    commandOverheadCycles: secondsToCycles(timing.commandOverheadSeconds, clockHz),
    seekCycles: secondsToCycles(timing.seekSeconds, clockHz),
    mediaCyclesPerSector: sectorBytes * cyclesPerUnit(timing.mediaBytesPerSecond, clockHz),
    dmaLatencyCycles: secondsToCycles(timing.dmaLatencySeconds, clockHz),
    dmaCyclesPerByte: cyclesPerUnit(timing.dmaBytesPerSecond, clockHz),
  };
}

export interface StorageOptions extends DevicePlacement {
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  readonly dma: DmaPort;
}

interface Command {
  readonly command: number;
  readonly lba: number;
  readonly count: number;
  readonly dmaAddr: number;
}

/**
 * A command runs as one scheduled completion: BUSY from the COMMAND write
 * until its cost has elapsed, then the medium and memory are touched, STATUS
 * gets DONE (and ERROR with an ERROR code if it failed), and the interrupt is
 * raised if CONTROL.IRQ_ENABLE is set. A DMA transfer is all or nothing.
 */
export abstract class StorageDevice extends PlatformDeviceBase {
  abstract override readonly kind: DeviceKind;
  declare readonly deviceId: number;
  readonly costs: StorageCosts;

  protected readonly clock: Clock;
  private readonly interrupts: InterruptLines;
  private readonly dma: DmaPort;
  private readonly timers: DeviceTimers;
  private readonly badSectors = new Set<number>();

  private lba = 0;
  private count = 0;
  private dmaAddr = 0;
  private status = 0;
  private error = 0;
  private control = 0;
  private pio = new Uint8Array(0);
  private pioAt = 0;
  private nextSequentialLba = -1;
  private commands = 0;
  private failedCommands = 0;
  private sectorsRead = 0;
  private sectorsWritten = 0;

  constructor(
    options: StorageOptions,
    platform: PlatformDevice,
    readonly sectorBytes: number,
    timing: StorageTiming,
  ) {
    super(platform, options);
    this.costs = storageCosts(timing, sectorBytes, options.clock.hz);
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    this.dma = options.dma;
    this.timers = new DeviceTimers(this.clock);
  }

  /** The medium's bytes, or undefined when there is none. */
  protected abstract medium(): Uint8Array | undefined;
  protected abstract readOnly(): boolean;

  /** Sectors on the medium; a trailing partial sector is not addressable. */
  get capacitySectors(): number {
    const image = this.medium();
    return image ? Math.floor(image.length / this.sectorBytes) : 0;
  }

  /** Makes reads and writes touching `lba` fail with MEDIA_ERROR (a fault-injection hook). */
  markBadSector(lba: number): void {
    this.badSectors.add(lba);
  }

  clearBadSectors(): void {
    this.badSectors.clear();
  }

  reset(): void {
    this.timers.cancelAll();
    this.lba = 0;
    this.count = 0;
    this.dmaAddr = 0;
    this.status = 0;
    this.error = 0;
    this.control = 0;
    this.pio = new Uint8Array(0);
    this.pioAt = 0;
    this.nextSequentialLba = -1;
  }

  /** DATA also takes 1- and 2-byte reads; every other register is a 32-bit one. */
  protected override decode(port: number, width: PortWidth): number | undefined {
    if (port - this.portBase === STORAGE_REGS.DATA) return STORAGE_REGS.DATA;
    return registerOffset(port, this.portBase, this.portCount, width);
  }

  protected readRegister(offset: number, width: PortWidth): number | undefined {
    if (offset === STORAGE_REGS.DATA) return this.readData(width);
    if (width !== 4) return undefined;
    switch (offset) {
      case STORAGE_REGS.LBA:
        return this.lba;
      case STORAGE_REGS.COUNT:
        return this.count;
      case STORAGE_REGS.DMA_ADDR:
        return this.dmaAddr;
      case STORAGE_REGS.STATUS:
        return this.statusBits();
      case STORAGE_REGS.ERROR:
        return this.error;
      case STORAGE_REGS.CAPACITY:
        return this.capacitySectors >>> 0;
      case STORAGE_REGS.SECTOR_SIZE:
        return this.sectorBytes;
      case STORAGE_REGS.CONTROL:
        return this.control;
      default:
        return undefined;
    }
  }

  protected writeRegister(offset: number, value: number, width: PortWidth): boolean {
    if (width !== 4) return false;
    const v = value >>> 0;
    switch (offset) {
      case STORAGE_REGS.COMMAND:
        return this.start(v);
      case STORAGE_REGS.LBA:
        this.lba = v;
        return true;
      case STORAGE_REGS.COUNT:
        this.count = v;
        return true;
      case STORAGE_REGS.DMA_ADDR:
        this.dmaAddr = v;
        return true;
      case STORAGE_REGS.STATUS:
        this.status &= ~(v & (STORAGE_STATUS.DONE | STORAGE_STATUS.ERROR));
        return true;
      case STORAGE_REGS.CONTROL:
        if (v & STORAGE_CONTROL.RESET) this.reset();
        else this.control = v & STORAGE_CONTROL.IRQ_ENABLE;
        return true;
      default:
        return false;
    }
  }

  protected state(): Record<string, DeviceStateValue> {
    return {
      status: this.statusBits(),
      busy: (this.status & STORAGE_STATUS.BUSY) !== 0,
      error: this.error,
      lba: this.lba,
      count: this.count,
      dmaAddr: this.dmaAddr,
      irqEnabled: (this.control & STORAGE_CONTROL.IRQ_ENABLE) !== 0,
      mediaPresent: this.medium() !== undefined,
      capacitySectors: this.capacitySectors,
      sectorBytes: this.sectorBytes,
      commands: this.commands,
      failedCommands: this.failedCommands,
      sectorsRead: this.sectorsRead,
      sectorsWritten: this.sectorsWritten,
      pioBytesWaiting: this.pio.length - this.pioAt,
    };
  }

  private statusBits(): number {
    return (
      this.status |
      (this.medium() ? STORAGE_STATUS.MEDIA_PRESENT : 0) |
      (this.readOnly() ? STORAGE_STATUS.READ_ONLY : 0) |
      (this.pioAt < this.pio.length ? STORAGE_STATUS.DRQ : 0)
    );
  }

  private readData(width: PortWidth): number {
    if (this.pioAt + width > this.pio.length) {
      this.pioAt = this.pio.length;
      return floatingBus(width);
    }
    let value = 0;
    for (let i = width - 1; i >= 0; i--) value = value * 256 + this.pio[this.pioAt + i]!;
    this.pioAt += width;
    return maskToWidth(value, width);
  }

  /** Starts a command; false (a bad access) while one is in progress. */
  private start(code: number): boolean {
    if (this.status & STORAGE_STATUS.BUSY) return false;
    this.commands++;
    this.status = STORAGE_STATUS.BUSY;
    this.error = STORAGE_ERROR.NONE;
    this.pio = new Uint8Array(0);
    this.pioAt = 0;
    const command: Command = { command: code, lba: this.lba, count: this.count, dmaAddr: this.dmaAddr };
    const early = this.precheck(command);
    const delay = early === STORAGE_ERROR.NONE ? this.commandCycles(command) : this.costs.commandOverheadCycles;
    this.timers.schedule(delay, () => this.complete(command, early), `${this.name}:command`);
    return true;
  }

  private precheck(c: Command): number {
    const known = c.command === STORAGE_COMMAND.READ_DMA || c.command === STORAGE_COMMAND.WRITE_DMA || c.command === STORAGE_COMMAND.READ_PIO;
    if (!known || c.count < 1 || c.count > STORAGE_MAX_SECTORS) return STORAGE_ERROR.BAD_COMMAND;
    if (!this.medium()) return STORAGE_ERROR.NO_MEDIA;
    if (c.command === STORAGE_COMMAND.WRITE_DMA && this.readOnly()) return STORAGE_ERROR.READ_ONLY;
    if (c.lba + c.count > this.capacitySectors) return STORAGE_ERROR.OUT_OF_RANGE;
    return STORAGE_ERROR.NONE;
  }

  private commandCycles(c: Command): Cycles {
    const bytes = c.count * this.sectorBytes;
    const seek = c.lba === this.nextSequentialLba ? 0 : this.costs.seekCycles;
    const dma = c.command === STORAGE_COMMAND.READ_PIO ? 0 : dmaCycles(this.costs.dmaLatencyCycles, this.costs.dmaCyclesPerByte, bytes);
    return Math.ceil(this.costs.commandOverheadCycles + seek + c.count * this.costs.mediaCyclesPerSector + dma);
  }

  private complete(c: Command, early: number): void {
    let error = early === STORAGE_ERROR.NONE ? this.precheck(c) : early;
    if (error === STORAGE_ERROR.NONE) {
      for (let lba = c.lba; lba < c.lba + c.count; lba++) if (this.badSectors.has(lba)) error = STORAGE_ERROR.MEDIA_ERROR;
    }
    if (error === STORAGE_ERROR.NONE) error = this.transfer(c);
    if (error === STORAGE_ERROR.NONE) this.nextSequentialLba = c.lba + c.count;
    else this.failedCommands++;
    this.error = error;
    this.status = STORAGE_STATUS.DONE | (error === STORAGE_ERROR.NONE ? 0 : STORAGE_STATUS.ERROR);
    if (this.control & STORAGE_CONTROL.IRQ_ENABLE) this.interrupts.raise(this.irq);
  }

  private transfer(c: Command): number {
    const image = this.medium()!;
    const start = c.lba * this.sectorBytes;
    const bytes = c.count * this.sectorBytes;
    if (c.command === STORAGE_COMMAND.WRITE_DMA) {
      const data = this.dma.read(this.deviceId, c.dmaAddr, bytes);
      if (isDmaFault(data)) return STORAGE_ERROR.DMA_FAULT;
      image.set(data, start);
      this.sectorsWritten += c.count;
      return STORAGE_ERROR.NONE;
    }
    const data = image.slice(start, start + bytes);
    if (c.command === STORAGE_COMMAND.READ_PIO) {
      this.pio = data;
      this.pioAt = 0;
    } else if (this.dma.write(this.deviceId, c.dmaAddr, data)) {
      return STORAGE_ERROR.DMA_FAULT;
    }
    this.sectorsRead += c.count;
    return STORAGE_ERROR.NONE;
  }
}
