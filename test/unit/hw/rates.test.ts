// Device rates are physical: measured from a run of the machine, a saturated
// device moves data at the rate its timing states, whatever the clock of the
// cost profile the machine runs with.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildMachine, type Machine } from '../../../simulator/system/machine';
import { ProgramRegistry } from '../../../simulator/engine/programRegistry';
import { costProfiles } from '../../../simulator/kernel/costs/costProfiles';
import { cyclesToSeconds } from '../../../simulator/time/time';
import { writeU16, writeU32 } from '../../../simulator/hw/device';
import { DEFAULT_NIC_TIMING, NIC_CTRL, NIC_DESC, NIC_MAX_FRAME_BYTES } from '../../../simulator/hw/nic';
import { CDROM_COMMAND, CDROM_MAX_SECTORS, CDROM_SECTOR_BYTES, CDROM_STATUS, DEFAULT_CDROM_TIMING } from '../../../simulator/hw/cdrom';
import { NIC_REGS, PLATFORM, STORAGE_REGS } from '../../../simulator/hw/platform';
import type { MachineDevice } from '../../../simulator/hw/device';

/** Off the kernel's region, in the machine's 16 MiB. */
const RING = 0x80_0000;
const BUFFERS = 0x81_0000;

function machine(profile: string, isoImage?: Uint8Array): Machine {
  // Without an IOMMU, devices reach physical memory directly: no mappings to set up.
  return buildMachine({ seed: 1, configuration: 'microkernel', programs: new ProgramRegistry(), costProfile: profile, ...(isoImage === undefined ? {} : { isoImage }) });
}

function out(device: MachineDevice, offset: number, value: number): void {
  device.ioWrite(device.portBase + offset, value, 4);
}

function inp(device: MachineDevice, offset: number): number {
  return device.ioRead(device.portBase + offset, 4);
}

/** Runs the machine until nothing is scheduled. */
function runIdle(m: Machine): void {
  assert.equal(m.sim.run({}).reason, 'idle');
}

for (const profile of Object.values(costProfiles)) {
  test(`a saturated NIC puts ${DEFAULT_NIC_TIMING.lineBitsPerSecond / 1e9} Gb/s on the wire at the ${profile.name} clock (${profile.clockHz / 1e9} GHz)`, () => {
    const m = machine(profile.name);
    const nic = m.nic;
    const frames = 63;
    const ring = frames + 1;
    for (let i = 0; i < frames; i++) {
      const desc = new Uint8Array(NIC_DESC.SIZE_BYTES);
      writeU32(desc, NIC_DESC.BUFFER, BUFFERS + i * 2048);
      writeU16(desc, NIC_DESC.LENGTH, NIC_MAX_FRAME_BYTES);
      m.sim.memory.write(RING + i * NIC_DESC.SIZE_BYTES, desc);
    }
    const delivered: number[] = [];
    nic.wire.onDeliver((_packet, timeCycles) => delivered.push(timeCycles));
    out(nic, NIC_REGS.TX_RING_BASE, RING);
    out(nic, NIC_REGS.TX_RING_SIZE, ring);
    out(nic, NIC_REGS.CTRL, NIC_CTRL.TX_ENABLE);
    out(nic, NIC_REGS.TX_TAIL, frames);
    runIdle(m);

    assert.equal(delivered.length, frames);
    assert.equal(inp(nic, NIC_REGS.TX_HEAD), frames);
    // From the end of the first frame to the end of the last, the wire carried frames - 1 more frames and their overhead.
    const wireBits = (frames - 1) * (NIC_MAX_FRAME_BYTES + DEFAULT_NIC_TIMING.wireOverheadBytes) * 8;
    const seconds = cyclesToSeconds(delivered[frames - 1]! - delivered[0]!, m.clockHz);
    const rate = wireBits / seconds;
    assert.ok(Math.abs(rate / DEFAULT_NIC_TIMING.lineBitsPerSecond - 1) < 0.001, `measured ${(rate / 1e6).toFixed(3)} Mb/s`);
  });

  test(`a CD-ROM drive reading back to back delivers its 48x rate at the ${profile.name} clock`, () => {
    const commands = 4;
    const m = machine(profile.name, new Uint8Array((commands + 1) * CDROM_MAX_SECTORS * CDROM_SECTOR_BYTES));
    const cd = m.cdrom;
    assert.equal(cd.portBase, PLATFORM.cdrom.portBase);
    const read = (command: number) => {
      out(cd, STORAGE_REGS.LBA, command * CDROM_MAX_SECTORS);
      out(cd, STORAGE_REGS.COUNT, CDROM_MAX_SECTORS);
      out(cd, STORAGE_REGS.DMA_ADDR, BUFFERS);
      out(cd, STORAGE_REGS.COMMAND, CDROM_COMMAND.READ_DMA);
      runIdle(m);
      assert.equal(inp(cd, STORAGE_REGS.STATUS) & (CDROM_STATUS.DONE | CDROM_STATUS.ERROR), CDROM_STATUS.DONE);
    };
    // The first read seeks; the ones after it continue where it ended.
    read(0);
    const started = m.sim.clock.now();
    for (let c = 1; c <= commands; c++) read(c);
    const seconds = cyclesToSeconds(m.sim.clock.now() - started, m.clockHz);
    const rate = (commands * CDROM_MAX_SECTORS * CDROM_SECTOR_BYTES) / seconds;
    // Every command also pays its overhead and a DMA round trip: together well under 1% of a 256-sector read.
    const expected = DEFAULT_CDROM_TIMING.mediaBytesPerSecond;
    assert.ok(rate <= expected && rate > expected * 0.99, `measured ${(rate / 1e6).toFixed(4)} MB/s, the medium reads ${(expected / 1e6).toFixed(4)} MB/s`);
  });
}
