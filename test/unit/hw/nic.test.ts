// The NIC as its driver uses it: rings set up by port writes, doorbells, packets on the wire, interrupts after the modelled delays.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DirectDma } from '../../../simulator/hw/directDma';
import { readU16, writeU16, writeU32 } from '../../../simulator/hw/device';
import { Iommu } from '../../../simulator/hw/iommu';
import {
  DEFAULT_NIC_TIMING,
  NIC_CTRL,
  NIC_DESC,
  NIC_DESC_STATUS,
  NIC_INT,
  Nic,
  nicCosts,
  type NicTiming,
} from '../../../simulator/hw/nic';
import { NIC_REGS } from '../../../simulator/hw/platform';
import type { DmaPort } from '../../../simulator/hw/bus';
import { FakeClock, FakeLines, FakeMemory, inp, out, pattern } from './fakes';

const TX_RING = 0x1000;
const RX_RING = 0x1800;

function setup(dma?: (memory: FakeMemory, clock: FakeClock) => DmaPort, timing?: NicTiming) {
  const clock = new FakeClock();
  const memory = new FakeMemory(1 << 20);
  const lines = new FakeLines(clock);
  const nic = new Nic({ clock, interrupts: lines, dma: dma ? dma(memory, clock) : new DirectDma(memory), ...(timing === undefined ? {} : { timing }) });
  out(nic, NIC_REGS.IMR, NIC_INT.TX_DONE | NIC_INT.RX_DONE | NIC_INT.RX_NO_BUFFER | NIC_INT.DMA_ERROR);
  out(nic, NIC_REGS.TX_RING_BASE, TX_RING);
  out(nic, NIC_REGS.TX_RING_SIZE, 4);
  out(nic, NIC_REGS.RX_RING_BASE, RX_RING);
  out(nic, NIC_REGS.RX_RING_SIZE, 4);
  out(nic, NIC_REGS.CTRL, NIC_CTRL.TX_ENABLE | NIC_CTRL.RX_ENABLE);
  return { clock, memory, lines, nic };
}

function writeDescriptor(memory: FakeMemory, ring: number, index: number, buffer: number, length: number): void {
  const desc = new Uint8Array(NIC_DESC.SIZE_BYTES);
  writeU32(desc, NIC_DESC.BUFFER, buffer);
  writeU16(desc, NIC_DESC.LENGTH, length);
  memory.write(ring + index * NIC_DESC.SIZE_BYTES, desc);
}

function descriptorField(memory: FakeMemory, ring: number, index: number, field: number): number {
  return readU16(memory.bytes, ring + index * NIC_DESC.SIZE_BYTES + field);
}

// The default timing at the fake clock's rate: a DMA round trip plus the bytes, and a frame padded to 60 bytes plus 24 of overhead.
const costs = nicCosts(DEFAULT_NIC_TIMING, new FakeClock().hz);
const dma = (bytes: number) => costs.dmaLatencyCycles + Math.ceil(bytes * costs.dmaCyclesPerByte);
const frame = (bytes: number) => Math.ceil((Math.max(bytes, 60) + 24) * costs.wireCyclesPerByte);
// A received frame: the pipelined RX DMA moves the descriptor in, the data and the write-back at the link's bandwidth, then lands a round trip later.
const rxDma = (bytes: number) => Math.ceil((2 * NIC_DESC.SIZE_BYTES + bytes) * costs.dmaCyclesPerByte) + costs.dmaLatencyCycles;

test('a posted TX descriptor and a doorbell put the packet on the wire, then TX-complete interrupts', () => {
  const { clock, memory, lines, nic } = setup();
  const packet = pattern(100, 3);
  memory.write(0x2000, packet);
  writeDescriptor(memory, TX_RING, 0, 0x2000, packet.length);

  out(nic, NIC_REGS.TX_TAIL, 1);
  assert.equal(nic.wire.deliveredCount, 0, 'nothing is sent synchronously with the doorbell');
  assert.equal(lines.raised.length, 0);

  const delay = dma(NIC_DESC.SIZE_BYTES) + dma(packet.length) + frame(packet.length);
  clock.advance(delay - 1);
  assert.equal(nic.wire.deliveredCount, 0);
  clock.advance(1);

  assert.equal(nic.wire.deliveredCount, 1);
  assert.deepEqual(nic.wire.delivered[0], packet);
  assert.deepEqual(lines.raised, [{ irq: nic.irq, timeCycles: delay }]);
  assert.equal(inp(nic, NIC_REGS.ISR) & NIC_INT.TX_DONE, NIC_INT.TX_DONE);
  assert.equal(inp(nic, NIC_REGS.TX_HEAD), 1);
  assert.equal(descriptorField(memory, TX_RING, 0, NIC_DESC.STATUS), NIC_DESC_STATUS.DONE);
  out(nic, NIC_REGS.ISR, NIC_INT.TX_DONE);
  assert.equal(inp(nic, NIC_REGS.ISR), 0, 'ISR bits clear when written with 1');
});

test('an injected packet lands in the posted RX buffer and raises the receive interrupt', () => {
  const { clock, memory, lines, nic } = setup();
  writeDescriptor(memory, RX_RING, 0, 0x4000, 2048);
  writeDescriptor(memory, RX_RING, 1, 0x4800, 2048);
  out(nic, NIC_REGS.RX_TAIL, 2);

  const packet = pattern(64, 9);
  nic.wire.inject(packet);
  const arrival = frame(64) + rxDma(64);
  clock.advance(arrival - 1);
  assert.deepEqual(memory.read(0x4000, 64), new Uint8Array(64), 'memory untouched before the modelled delay');
  clock.advance(1);

  assert.deepEqual(memory.read(0x4000, 64), packet);
  assert.equal(descriptorField(memory, RX_RING, 0, NIC_DESC.LENGTH), 64);
  assert.equal(descriptorField(memory, RX_RING, 0, NIC_DESC.STATUS), NIC_DESC_STATUS.DONE);
  assert.equal(inp(nic, NIC_REGS.RX_HEAD), 1);
  assert.deepEqual(lines.raised, [{ irq: nic.irq, timeCycles: arrival }]);
  assert.equal(inp(nic, NIC_REGS.ISR), NIC_INT.RX_DONE);
});

test('the TX ring wraps around: six packets through a ring of four descriptors, in order', () => {
  const { clock, memory, nic } = setup();
  const packets = [0, 1, 2, 3, 4, 5].map((i) => pattern(80 + i, i * 11));
  const post = (slot: number, i: number) => {
    memory.write(0x10000 + i * 0x800, packets[i]!);
    writeDescriptor(memory, TX_RING, slot, 0x10000 + i * 0x800, packets[i]!.length);
  };
  for (let i = 0; i < 3; i++) post(i, i);
  out(nic, NIC_REGS.TX_TAIL, 3);
  clock.runUntilIdle();
  assert.equal(inp(nic, NIC_REGS.TX_HEAD), 3);

  post(3, 3);
  post(0, 4);
  post(1, 5);
  out(nic, NIC_REGS.TX_TAIL, 2);
  clock.runUntilIdle();

  assert.equal(inp(nic, NIC_REGS.TX_HEAD), 2);
  assert.equal(nic.wire.deliveredCount, 6);
  assert.deepEqual(nic.wire.delivered, packets);
  assert.equal(inp(nic, NIC_REGS.TX_PACKETS), 6);
});

test('the RX ring wraps around; packets wait on chip while no buffer is free', () => {
  const { clock, memory, lines, nic } = setup();
  const buffer = (slot: number) => 0x20000 + slot * 0x800;
  for (let slot = 0; slot < 3; slot++) writeDescriptor(memory, RX_RING, slot, buffer(slot), 2048);
  out(nic, NIC_REGS.RX_TAIL, 3);

  const packets = [0, 1, 2, 3, 4].map((i) => pattern(60 + i, 100 + i));
  for (const p of packets) nic.wire.inject(p);
  clock.runUntilIdle();
  assert.equal(inp(nic, NIC_REGS.RX_HEAD), 3);
  assert.equal(inp(nic, NIC_REGS.ISR) & NIC_INT.RX_NO_BUFFER, NIC_INT.RX_NO_BUFFER);
  assert.equal(inp(nic, NIC_REGS.RX_DROPPED), 0, 'the two extra packets wait, they are not dropped');
  for (let slot = 0; slot < 3; slot++) assert.deepEqual(memory.read(buffer(slot), packets[slot]!.length), packets[slot]);

  for (const slot of [3, 0, 1]) writeDescriptor(memory, RX_RING, slot, buffer(slot), 2048);
  out(nic, NIC_REGS.ISR, 0xffffffff);
  out(nic, NIC_REGS.RX_TAIL, 2);
  clock.runUntilIdle();

  assert.equal(inp(nic, NIC_REGS.RX_HEAD), 1);
  assert.deepEqual(memory.read(buffer(3), packets[3]!.length), packets[3]);
  assert.deepEqual(memory.read(buffer(0), packets[4]!.length), packets[4]);
  assert.equal(inp(nic, NIC_REGS.RX_PACKETS), 5);
  assert.ok(lines.count(nic.irq) >= 2);
});

test('interrupt moderation: the NIC raises its line at most once per interval; a cause that comes sooner waits for the interval to end', () => {
  const { clock, memory, lines, nic } = setup();
  const interval = costs.interruptMinIntervalCycles;
  assert.equal(interval, Math.round(DEFAULT_NIC_TIMING.interruptMinIntervalSeconds * clock.hz));
  for (let slot = 0; slot < 3; slot++) writeDescriptor(memory, RX_RING, slot, 0x20000 + slot * 0x800, 2048);
  out(nic, NIC_REGS.RX_TAIL, 3);
  // Two frames back to back: the first interrupt is not delayed, the second cause is held back.
  nic.wire.inject(pattern(64, 1));
  nic.wire.inject(pattern(64, 2));
  clock.runUntilIdle();
  const first = frame(64) + rxDma(64);
  assert.deepEqual(lines.raised.map((r) => r.timeCycles), [first, first + interval]);
  // After a quiet interval, the next frame interrupts at once.
  const quietFrom = clock.now() + 2 * interval;
  clock.advance(quietFrom - clock.now());
  nic.wire.inject(pattern(64, 3));
  clock.runUntilIdle();
  assert.equal(lines.raised.at(-1)!.timeCycles, quietFrom + frame(64) + rxDma(64));
  assert.equal(inp(nic, NIC_REGS.RX_PACKETS), 3);
});

test('receive DMA is pipelined: on a fast link, frames land one transfer time apart, not one round trip apart', () => {
  const fast: NicTiming = { ...DEFAULT_NIC_TIMING, lineBitsPerSecond: 100e9 };
  const { clock, memory, nic } = setup(undefined, fast);
  const c = nicCosts(fast, clock.hz);
  const wire = nic.wire.frameCycles(64);
  const transfer = Math.ceil((2 * NIC_DESC.SIZE_BYTES + 64) * c.dmaCyclesPerByte);
  for (let slot = 0; slot < 3; slot++) writeDescriptor(memory, RX_RING, slot, 0x20000 + slot * 0x800, 2048);
  out(nic, NIC_REGS.RX_TAIL, 3);
  nic.wire.inject(pattern(64, 1));
  nic.wire.inject(pattern(64, 2));
  const firstDone = wire + transfer + c.dmaLatencyCycles;
  // The second frame is on chip one wire time later; its transfer follows the first's bytes, not its round trip.
  const secondDone = Math.max(2 * wire, wire + transfer) + transfer + c.dmaLatencyCycles;
  clock.advance(firstDone);
  assert.equal(inp(nic, NIC_REGS.RX_HEAD), 1);
  clock.advance(secondDone - firstDone - 1);
  assert.equal(inp(nic, NIC_REGS.RX_HEAD), 1);
  clock.advance(1);
  assert.equal(inp(nic, NIC_REGS.RX_HEAD), 2);
  assert.ok(secondDone - firstDone < costs.dmaLatencyCycles, 'the two transfers overlap');
});

test('a packet longer than its RX buffer is cut to the buffer and marked truncated', () => {
  const { clock, memory, nic } = setup();
  writeDescriptor(memory, RX_RING, 0, 0x4000, 32);
  out(nic, NIC_REGS.RX_TAIL, 1);
  nic.wire.inject(pattern(100, 1));
  clock.runUntilIdle();
  assert.deepEqual(memory.read(0x4000, 33), Uint8Array.from([...pattern(32, 1), 0]));
  assert.equal(descriptorField(memory, RX_RING, 0, NIC_DESC.LENGTH), 32);
  assert.equal(descriptorField(memory, RX_RING, 0, NIC_DESC.STATUS), NIC_DESC_STATUS.DONE | NIC_DESC_STATUS.TRUNCATED);
});

test('behind an IOMMU, a receive into an unmapped buffer is blocked, logged and reported as a DMA error', () => {
  let iommu: Iommu | undefined;
  const { clock, memory, nic } = setup((m, c) => {
    iommu = new Iommu(m, c);
    return iommu;
  });
  const unit = iommu!;
  unit.createDomain(nic.deviceId, 'nic0');
  unit.map(nic.deviceId, 0x1000, 0x1000, 0x1000, { read: true, write: true });
  writeDescriptor(memory, RX_RING, 0, 0x9000, 2048);
  out(nic, NIC_REGS.RX_TAIL, 1);

  nic.wire.inject(pattern(64, 5));
  clock.runUntilIdle();

  assert.deepEqual(memory.read(0x9000, 64), new Uint8Array(64));
  assert.equal(inp(nic, NIC_REGS.ISR) & NIC_INT.DMA_ERROR, NIC_INT.DMA_ERROR);
  assert.equal(descriptorField(memory, RX_RING, 0, NIC_DESC.STATUS), NIC_DESC_STATUS.DONE | NIC_DESC_STATUS.ERROR);
  assert.equal(unit.faultLog.length, 1);
  assert.equal(unit.faultLog[0]!.deviceId, nic.deviceId);
  assert.equal(unit.faultLog[0]!.iova, 0x9000);
  assert.equal(unit.faultLog[0]!.direction, 'write');
  assert.equal(unit.faultLog[0]!.timeCycles, frame(64) + rxDma(64));
});

test('reset through CTRL stops the rings and cancels work in flight', () => {
  const { clock, memory, nic } = setup();
  memory.write(0x2000, pattern(100, 1));
  writeDescriptor(memory, TX_RING, 0, 0x2000, 100);
  out(nic, NIC_REGS.TX_TAIL, 1);
  out(nic, NIC_REGS.CTRL, NIC_CTRL.RESET);
  clock.runUntilIdle();
  assert.equal(nic.wire.deliveredCount, 0);
  assert.equal(inp(nic, NIC_REGS.TX_RING_SIZE), 0);
  assert.equal(inp(nic, NIC_REGS.CTRL), 0);
});
