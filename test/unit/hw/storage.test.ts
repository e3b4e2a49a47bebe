// The block device and the CD-ROM drive as their drivers use them: command registers, DMA or PIO, completion interrupts, errors.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  BLOCK_COMMAND,
  BLOCK_CONTROL,
  BLOCK_ERROR,
  BLOCK_STATUS,
  BlockDevice,
} from '../../../simulator/hw/blockDevice';
import { CDROM_COMMAND, CDROM_CONTROL, CDROM_ERROR, CDROM_STATUS, CdromDrive } from '../../../simulator/hw/cdrom';
import { dmaCycles } from '../../../simulator/hw/device';
import { STORAGE_REGS } from '../../../simulator/hw/platform';
import { DirectDma } from '../../../simulator/hw/directDma';
import { Iommu } from '../../../simulator/hw/iommu';
import type { StorageDevice } from '../../../simulator/hw/storageDevice';
import { FakeClock, FakeLines, FakeMemory, inp, out, pattern } from './fakes';

function command(device: StorageDevice, code: number, lba: number, count: number, dmaAddr: number): void {
  out(device, STORAGE_REGS.LBA, lba);
  out(device, STORAGE_REGS.COUNT, count);
  out(device, STORAGE_REGS.DMA_ADDR, dmaAddr);
  out(device, STORAGE_REGS.COMMAND, code);
}

function blockSetup() {
  const clock = new FakeClock();
  const memory = new FakeMemory(1 << 20);
  const lines = new FakeLines(clock);
  const image = pattern(64 * 512, 17);
  const disk = new BlockDevice({ clock, interrupts: lines, dma: new DirectDma(memory), image });
  out(disk, STORAGE_REGS.CONTROL, BLOCK_CONTROL.IRQ_ENABLE);
  return { clock, memory, lines, image, disk };
}

/** An image shaped like ISO 9660: 16 empty system-area sectors, then a primary volume descriptor. */
function isoImage(sectors: number): Uint8Array {
  const image = new Uint8Array(sectors * 2048);
  for (let i = 0; i < image.length; i++) image[i] = (i >> 11) & 0xff;
  const pvd = 16 * 2048;
  image[pvd] = 1;
  image.set([0x43, 0x44, 0x30, 0x30, 0x31], pvd + 1);
  image[pvd + 6] = 1;
  return image;
}

function cdSetup(image: Uint8Array | undefined = isoImage(20)) {
  const clock = new FakeClock();
  const memory = new FakeMemory(1 << 20);
  const lines = new FakeLines(clock);
  const cd = new CdromDrive({ clock, interrupts: lines, dma: new DirectDma(memory), ...(image ? { image } : {}) });
  out(cd, STORAGE_REGS.CONTROL, CDROM_CONTROL.IRQ_ENABLE);
  return { clock, memory, lines, cd };
}

test('a block read lands the right sectors in memory by DMA, then raises the completion interrupt', () => {
  const { clock, memory, lines, image, disk } = blockSetup();
  command(disk, BLOCK_COMMAND.READ_DMA, 5, 2, 0x3000);
  assert.equal(inp(disk, STORAGE_REGS.STATUS) & BLOCK_STATUS.BUSY, BLOCK_STATUS.BUSY);

  const costs = disk.costs;
  const delay = Math.ceil(costs.commandOverheadCycles + 2 * costs.mediaCyclesPerSector + dmaCycles(costs.dmaLatencyCycles, costs.dmaCyclesPerByte, 1024));
  clock.advance(delay - 1);
  assert.deepEqual(memory.read(0x3000, 1024), new Uint8Array(1024));
  assert.equal(lines.raised.length, 0);
  clock.advance(1);

  assert.deepEqual(memory.read(0x3000, 1024), image.subarray(5 * 512, 7 * 512));
  assert.deepEqual(lines.raised, [{ irq: disk.irq, timeCycles: delay }]);
  const status = inp(disk, STORAGE_REGS.STATUS);
  assert.equal(status & (BLOCK_STATUS.BUSY | BLOCK_STATUS.DONE | BLOCK_STATUS.ERROR), BLOCK_STATUS.DONE);
  out(disk, STORAGE_REGS.STATUS, BLOCK_STATUS.DONE);
  assert.equal(inp(disk, STORAGE_REGS.STATUS) & BLOCK_STATUS.DONE, 0);
});

test('a block write takes its data from memory by DMA into the disk image', () => {
  const { clock, memory, image, disk } = blockSetup();
  const data = pattern(512, 200);
  memory.write(0x8000, data);
  command(disk, BLOCK_COMMAND.WRITE_DMA, 9, 1, 0x8000);
  clock.runUntilIdle();
  assert.deepEqual(image.subarray(9 * 512, 10 * 512), data);
  assert.equal(inp(disk, STORAGE_REGS.ERROR), BLOCK_ERROR.NONE);
});

test('a block read past the end fails with OUT_OF_RANGE, still interrupts, and touches no memory', () => {
  const { clock, memory, lines, disk } = blockSetup();
  command(disk, BLOCK_COMMAND.READ_DMA, 63, 2, 0x3000);
  clock.runUntilIdle();
  assert.equal(inp(disk, STORAGE_REGS.STATUS) & BLOCK_STATUS.ERROR, BLOCK_STATUS.ERROR);
  assert.equal(inp(disk, STORAGE_REGS.ERROR), BLOCK_ERROR.OUT_OF_RANGE);
  assert.equal(lines.count(disk.irq), 1);
  assert.deepEqual(memory.read(0x3000, 1024), new Uint8Array(1024));
  assert.equal(inp(disk, STORAGE_REGS.CAPACITY), 64);
});

test('a block read into memory the IOMMU does not map fails with DMA_FAULT and writes nothing', () => {
  const clock = new FakeClock();
  const memory = new FakeMemory(1 << 20);
  const iommu = new Iommu(memory, clock);
  const disk = new BlockDevice({ clock, interrupts: new FakeLines(clock), dma: iommu, image: pattern(16 * 512, 1) });
  iommu.createDomain(disk.deviceId);
  iommu.map(disk.deviceId, 0x3000, 0x3000, 0x1000, { read: true, write: true });
  command(disk, BLOCK_COMMAND.READ_DMA, 0, 9, 0x3000);
  clock.runUntilIdle();
  assert.equal(inp(disk, STORAGE_REGS.ERROR), BLOCK_ERROR.DMA_FAULT, 'nine sectors run past the one mapped page');
  assert.deepEqual(memory.read(0x3000, 0x1000), new Uint8Array(0x1000), 'no partial write into the mapped page');
  assert.equal(iommu.faultLog[0]!.iova, 0x4000);
});

test('a CD read of the volume descriptor sector lands 2048 bytes by DMA with a completion interrupt', () => {
  const { clock, memory, lines, cd } = cdSetup();
  assert.equal(inp(cd, STORAGE_REGS.SECTOR_SIZE), 2048);
  command(cd, CDROM_COMMAND.READ_DMA, 16, 1, 0x6000);
  clock.runUntilIdle();
  const sector = memory.read(0x6000, 2048);
  assert.equal(String.fromCharCode(...sector.subarray(1, 6)), 'CD001');
  assert.deepEqual(sector, isoImage(20).subarray(16 * 2048, 17 * 2048));
  assert.equal(inp(cd, STORAGE_REGS.STATUS) & (CDROM_STATUS.DONE | CDROM_STATUS.ERROR), CDROM_STATUS.DONE);
  assert.equal(lines.count(cd.irq), 1);
});

test('a CD read by PIO delivers the sector through the DATA register', () => {
  const { clock, cd } = cdSetup();
  command(cd, CDROM_COMMAND.READ_PIO, 3, 1, 0);
  clock.runUntilIdle();
  assert.equal(inp(cd, STORAGE_REGS.STATUS) & CDROM_STATUS.DRQ, CDROM_STATUS.DRQ);
  const words: number[] = [];
  for (let i = 0; i < 1024; i++) words.push(inp(cd, STORAGE_REGS.DATA, 2));
  assert.ok(words.every((w) => w === 0x0303), 'every byte of sector 3 is 3');
  assert.equal(inp(cd, STORAGE_REGS.STATUS) & CDROM_STATUS.DRQ, 0);
});

test('CD errors: out-of-range sector, no disc, writes refused', () => {
  const { clock, memory, cd } = cdSetup();
  command(cd, CDROM_COMMAND.READ_DMA, 19, 2, 0x6000);
  clock.runUntilIdle();
  assert.equal(inp(cd, STORAGE_REGS.ERROR), CDROM_ERROR.OUT_OF_RANGE);
  assert.deepEqual(memory.read(0x6000, 4096), new Uint8Array(4096));

  command(cd, CDROM_COMMAND.WRITE_DMA, 0, 1, 0x6000);
  clock.runUntilIdle();
  assert.equal(inp(cd, STORAGE_REGS.ERROR), CDROM_ERROR.READ_ONLY);

  cd.ejectMedia();
  assert.equal(inp(cd, STORAGE_REGS.STATUS) & CDROM_STATUS.MEDIA_PRESENT, 0);
  command(cd, CDROM_COMMAND.READ_DMA, 0, 1, 0x6000);
  clock.runUntilIdle();
  assert.equal(inp(cd, STORAGE_REGS.ERROR), CDROM_ERROR.NO_MEDIA);
  assert.equal(inp(cd, STORAGE_REGS.CAPACITY), 0);

  cd.insertMedia(isoImage(40));
  assert.equal(inp(cd, STORAGE_REGS.CAPACITY), 40);
});

test('a disc ejected while a read is in progress completes with NO_MEDIA', () => {
  const { clock, memory, cd } = cdSetup();
  command(cd, CDROM_COMMAND.READ_DMA, 0, 1, 0x6000);
  clock.advance(1000);
  cd.ejectMedia();
  clock.runUntilIdle();
  assert.equal(inp(cd, STORAGE_REGS.ERROR), CDROM_ERROR.NO_MEDIA);
  assert.deepEqual(memory.read(0x6000, 2048), new Uint8Array(2048));
});

test('a CD read that does not follow the previous one pays the seek; a sequential one does not', () => {
  const { clock, cd } = cdSetup();
  const costs = cd.costs;
  command(cd, CDROM_COMMAND.READ_DMA, 4, 1, 0x6000);
  let start = clock.now();
  clock.runUntilIdle();
  const dma = dmaCycles(costs.dmaLatencyCycles, costs.dmaCyclesPerByte, 2048);
  assert.equal(clock.now() - start, Math.ceil(costs.commandOverheadCycles + costs.seekCycles + costs.mediaCyclesPerSector + dma));
  command(cd, CDROM_COMMAND.READ_DMA, 5, 1, 0x6000);
  start = clock.now();
  clock.runUntilIdle();
  assert.equal(clock.now() - start, Math.ceil(costs.commandOverheadCycles + costs.mediaCyclesPerSector + dma));
});
