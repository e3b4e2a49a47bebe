// The IOMMU as the IOMMU service and the devices use it: domains, permissions, strict and lazy invalidation, AMD DEV, costs, fault log.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DirectDma } from '../../../simulator/hw/directDma';
import { DEFAULT_IOMMU_COSTS, Iommu, type IommuCosts, type IommuOptions } from '../../../simulator/hw/iommu';
import { bytes, FakeClock, FakeMemory, pattern } from './fakes';

const NIC = 1;
const DISK = 2;
const PAGE = 4096;
const RW = { read: true, write: true };

function setup(options: IommuOptions = {}) {
  const clock = new FakeClock();
  const memory = new FakeMemory(64 * PAGE);
  const iommu = new Iommu(memory, clock, options);
  return { clock, memory, iommu };
}

test('a transfer through a mapping reaches the mapped physical page', () => {
  const { memory, iommu } = setup();
  iommu.createDomain(NIC, 'nic0');
  assert.equal(iommu.map(NIC, 0x10000, 5 * PAGE, 2 * PAGE, RW), undefined);

  assert.equal(iommu.write(NIC, 0x10ffe, bytes(1, 2, 3, 4)), undefined);
  assert.deepEqual(memory.read(5 * PAGE + 0xffe, 4), bytes(1, 2, 3, 4), 'the write crosses into the second page');
  assert.deepEqual(iommu.read(NIC, 0x10ffe, 4), bytes(1, 2, 3, 4));
  assert.equal(iommu.faultLog.length, 0);
});

test('an unmapped transfer is blocked and logged with device, address, direction and time', () => {
  const { clock, memory, iommu } = setup();
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, PAGE, RW);
  const heard: unknown[] = [];
  iommu.onFault((f) => heard.push(f));
  clock.advance(1234);

  const fault = iommu.write(NIC, 0x20010, bytes(9, 9));
  assert.ok(fault);
  assert.equal(fault.blocked, true);
  assert.deepEqual(memory.bytes.filter((b) => b !== 0), new Uint8Array(0), 'nothing was written anywhere');
  assert.equal(iommu.faultLog.length, 1);
  const record = iommu.faultLog[0]!;
  assert.equal(record.deviceId, NIC);
  assert.equal(record.iova, 0x20010);
  assert.equal(record.direction, 'write');
  assert.equal(record.timeCycles, 1234);
  assert.equal(record.reason, 'not-mapped');
  assert.deepEqual(heard, [record], 'the trace hears of the fault as it happens');

  const readFault = iommu.read(DISK, 0x10000, 16);
  assert.ok(!(readFault instanceof Uint8Array));
  assert.equal(readFault.reason, 'no-domain', 'a device without a domain reaches nothing');
  assert.equal(iommu.faultLog[1]!.direction, 'read');
});

test('a read-only mapping lets the device read but blocks its write', () => {
  const { memory, iommu } = setup();
  iommu.createDomain(DISK);
  memory.write(7 * PAGE, bytes(5, 6, 7));
  iommu.map(DISK, 0x3000, 7 * PAGE, PAGE, { read: true, write: false });
  assert.deepEqual(iommu.read(DISK, 0x3000, 3), bytes(5, 6, 7));
  const fault = iommu.write(DISK, 0x3000, bytes(0, 0, 0));
  assert.equal(fault?.reason, 'write-denied');
  assert.deepEqual(memory.read(7 * PAGE, 3), bytes(5, 6, 7));
});

test('a transfer that runs off the end of a mapping moves nothing, not even its mapped part', () => {
  const { memory, iommu } = setup();
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, PAGE, RW);
  const fault = iommu.write(NIC, 0x10ff0, pattern(32, 1));
  assert.equal(fault?.iova, 0x11000, 'the fault names the first address that failed');
  assert.deepEqual(memory.read(5 * PAGE + 0xff0, 16), new Uint8Array(16));
});

test('strict invalidation: once unmap returns, the device is blocked, even with the translation cached', () => {
  const { iommu } = setup({ invalidation: 'strict' });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, PAGE, RW);
  assert.equal(iommu.write(NIC, 0x10000, bytes(1)), undefined);
  assert.equal(iommu.iotlbSize, 1);

  iommu.unmap(NIC, 0x10000, PAGE);
  assert.equal(iommu.write(NIC, 0x10000, bytes(2))?.reason, 'not-mapped');
  assert.equal(iommu.counters.invalidations, 1);
});

test('lazy invalidation: a cached translation still reaches the old page until the flush, then is blocked', () => {
  const { memory, iommu } = setup({ invalidation: 'lazy', lazyBatchUnmaps: 250 });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, PAGE, RW);
  assert.equal(iommu.write(NIC, 0x10000, bytes(1)), undefined);

  iommu.unmap(NIC, 0x10000, PAGE);
  assert.equal(iommu.counters.invalidations, 0);
  assert.equal(iommu.pendingInvalidationCount, 1);
  assert.equal(iommu.write(NIC, 0x10000, bytes(0xee)), undefined, 'the stale IOTLB entry still permits the write');
  assert.equal(memory.bytes[5 * PAGE], 0xee, 'and it lands in the page that is no longer mapped');
  assert.equal(iommu.counters.staleHits, 1);

  iommu.flush();
  assert.equal(iommu.counters.invalidations, 1);
  assert.equal(iommu.write(NIC, 0x10000, bytes(0xff))?.reason, 'not-mapped');
  assert.equal(memory.bytes[5 * PAGE], 0xee);
});

test('lazy invalidation: an unmapped page that was never cached is blocked at once', () => {
  const { iommu } = setup({ invalidation: 'lazy' });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, PAGE, RW);
  iommu.unmap(NIC, 0x10000, PAGE);
  assert.equal(iommu.write(NIC, 0x10000, bytes(1))?.reason, 'not-mapped');
});

test('lazy invalidation: a transfer a stale IOTLB entry lets through is counted and reported once', () => {
  const { memory, iommu } = setup({ invalidation: 'lazy' });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, 2 * PAGE, RW);
  iommu.write(NIC, 0x10000, bytes(1));
  const heard: unknown[] = [];
  iommu.onStaleTransfer((s) => heard.push(s));
  iommu.unmap(NIC, 0x10000, 2 * PAGE);

  assert.equal(iommu.write(NIC, 0x10ffe, bytes(7, 7, 7, 7))?.reason, 'not-mapped', 'the uncached second page blocks the whole transfer');
  assert.equal(iommu.counters.staleTransfers, 0, 'a blocked transfer is no stale transfer');
  assert.equal(iommu.write(NIC, 0x10004, bytes(8, 8)), undefined);
  assert.deepEqual(memory.read(5 * PAGE + 4, 2), bytes(8, 8), 'the device still reached the unmapped page');
  assert.equal(iommu.counters.staleTransfers, 1);
  assert.deepEqual(heard, [{ timeCycles: 0, deviceId: NIC, iova: 0x10004, lengthBytes: 2, direction: 'write' }]);
  iommu.flush();
  assert.equal(iommu.write(NIC, 0x10004, bytes(9))?.reason, 'not-mapped');
  assert.equal(iommu.counters.staleTransfers, 1);
});

test('strict invalidation: no transfer ever goes through a stale entry', () => {
  const { iommu } = setup({ invalidation: 'strict' });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 5 * PAGE, PAGE, RW);
  iommu.write(NIC, 0x10000, bytes(1));
  iommu.unmap(NIC, 0x10000, PAGE);
  assert.equal(iommu.write(NIC, 0x10000, bytes(2))?.reason, 'not-mapped');
  assert.equal(iommu.counters.staleTransfers, 0);
});

test('lazy invalidation flushes by itself after the batch size and after the interval', () => {
  const { clock, iommu } = setup({ invalidation: 'lazy', lazyBatchUnmaps: 3, lazyFlushIntervalCycles: 10_000 });
  iommu.createDomain(NIC);
  for (let i = 0; i < 4; i++) iommu.map(NIC, i * PAGE, i * PAGE, PAGE, RW);
  iommu.unmap(NIC, 0, PAGE);
  iommu.unmap(NIC, PAGE, PAGE);
  assert.equal(iommu.counters.invalidations, 0);
  iommu.unmap(NIC, 2 * PAGE, PAGE);
  assert.equal(iommu.counters.invalidations, 1, 'the third unmap fills the batch');
  assert.equal(iommu.pendingInvalidationCount, 0);

  iommu.write(NIC, 3 * PAGE, bytes(1));
  iommu.unmap(NIC, 3 * PAGE, PAGE);
  clock.advance(9_999);
  assert.equal(iommu.write(NIC, 3 * PAGE, bytes(2)), undefined, 'still inside the window');
  clock.advance(1);
  assert.equal(iommu.counters.invalidations, 2, 'the interval timer flushed');
  assert.equal(iommu.write(NIC, 3 * PAGE, bytes(3))?.reason, 'not-mapped');
});

test('AMD DEV mode blocks exactly the pages whose bits are set, at physical addresses', () => {
  const { memory, iommu } = setup({ mode: 'dev' });
  assert.equal(iommu.devBlock(2 * PAGE, 2 * PAGE), undefined);
  assert.equal(iommu.write(NIC, 1 * PAGE, bytes(1)), undefined);
  assert.equal(memory.bytes[PAGE], 1, 'identity addressing: device address = physical address');
  assert.equal(iommu.write(NIC, 2 * PAGE + 100, bytes(2))?.reason, 'dev-blocked');
  assert.equal(iommu.write(NIC, 3 * PAGE + 4095, bytes(3))?.reason, 'dev-blocked');
  assert.equal(iommu.write(NIC, 4 * PAGE, bytes(4)), undefined);

  const spanning = iommu.write(NIC, 2 * PAGE - 2, bytes(7, 7, 7, 7));
  assert.equal(spanning?.iova, 2 * PAGE);
  assert.deepEqual(memory.read(2 * PAGE - 2, 2), bytes(0, 0), 'no partial write before the blocked page');

  iommu.devAllow(3 * PAGE, PAGE);
  assert.equal(iommu.write(NIC, 3 * PAGE, bytes(5)), undefined);
  assert.equal(iommu.map(NIC, 0, 0, PAGE, RW), 'wrong-mode');
});

test('AMD DEV mode: a device with its own bitmap is confined by it, others by the default one', () => {
  const { iommu } = setup({ mode: 'dev' });
  iommu.devBlock(0, 4 * PAGE);
  iommu.createDomain(DISK, 'disk0');
  iommu.devBlock(10 * PAGE, PAGE, DISK);
  assert.equal(iommu.write(DISK, 0, bytes(1))?.reason, 'dev-blocked', 'the copy keeps the default protection');
  assert.equal(iommu.write(DISK, 10 * PAGE, bytes(1))?.reason, 'dev-blocked');
  assert.equal(iommu.write(NIC, 10 * PAGE, bytes(1)), undefined);
  assert.deepEqual(
    iommu.describe().domains[0]!.mappings.map((r) => [r.paddr, r.lengthBytes]),
    [
      [0, 4 * PAGE],
      [10 * PAGE, PAGE],
    ],
  );
});

test('IOTLB hits, misses, map, unmap and invalidation costs add up in the counters', () => {
  const costs: IommuCosts = {
    iotlbHitCycles: 3,
    iotlbMissCycles: 100,
    mapCyclesPerPage: 1_000,
    unmapCyclesPerPage: 2_000,
    invalidationCycles: 50_000,
    devCheckCyclesPerPage: 7,
    devUpdateCyclesPerPage: 9,
  };
  const { iommu } = setup({ costs });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0x10000, 8 * PAGE, 3 * PAGE, RW);
  iommu.read(NIC, 0x10000, 3 * PAGE);
  iommu.read(NIC, 0x10000, 3 * PAGE);
  iommu.unmap(NIC, 0x10000, 3 * PAGE);

  const c = iommu.counters;
  assert.equal(c.iotlbMisses, 3);
  assert.equal(c.iotlbHits, 3);
  assert.equal(c.translationCycles, 3 * 100 + 3 * 3);
  assert.equal(c.mapCycles, 3 * 1_000);
  assert.equal(c.unmapCycles, 3 * 2_000);
  assert.equal(c.invalidationCycles, 50_000);
  assert.equal(c.totalCycles, 309 + 3_000 + 6_000 + 50_000);
  assert.equal(c.bytesRead, 6 * PAGE);
});

test('the IOTLB holds its capacity and replaces the least recently used entry', () => {
  const { iommu } = setup({ iotlbEntries: 2 });
  iommu.createDomain(NIC);
  iommu.map(NIC, 0, 0, 3 * PAGE, RW);
  const touch = (page: number) => iommu.read(NIC, page * PAGE, 1);
  touch(0);
  touch(1);
  touch(0);
  touch(2);
  touch(1);
  touch(2);
  assert.equal(iommu.counters.iotlbHits, 2);
  assert.equal(iommu.counters.iotlbMisses, 4);
  assert.equal(iommu.counters.iotlbEvictions, 2);
  assert.equal(iommu.iotlbSize, 2);
});

test('with the default costs a strict map and unmap of one page costs 6,909 cycles (Amit et al., ATC 2011)', () => {
  const { iommu } = setup();
  assert.equal(iommu.costs, DEFAULT_IOMMU_COSTS);
  iommu.createDomain(NIC);
  iommu.map(NIC, 0, 0, PAGE, RW);
  iommu.unmap(NIC, 0, PAGE);
  assert.equal(iommu.counters.totalCycles, 6_909);
});

test('map and unmap refuse bad requests without changing anything', () => {
  const { iommu } = setup();
  assert.equal(iommu.map(NIC, 0, 0, PAGE, RW), 'no-domain');
  iommu.createDomain(NIC);
  assert.equal(iommu.createDomain(NIC), 'domain-exists');
  assert.equal(iommu.map(NIC, 0x10, 0, PAGE, RW), 'unaligned');
  assert.equal(iommu.map(NIC, 0, 64 * PAGE, PAGE, RW), 'out-of-range', 'beyond physical memory');
  assert.equal(iommu.map(NIC, 0, 0, 2 * PAGE, RW), undefined);
  assert.equal(iommu.map(NIC, PAGE, 9 * PAGE, PAGE, RW), 'already-mapped');
  assert.equal(iommu.unmap(NIC, 0, 3 * PAGE), 'not-mapped');
  assert.deepEqual(iommu.describe().domains[0]!.mappings, [{ iova: 0, paddr: 0, lengthBytes: 2 * PAGE, read: true, write: true }]);
});

test('without an IOMMU, a device write lands anywhere, kernel memory included', () => {
  const memory = new FakeMemory(64 * PAGE);
  const kernelImage = pattern(256, 42);
  memory.write(0, kernelImage);
  const dma = new DirectDma(memory);
  assert.equal(dma.write(NIC, 0x40, bytes(0xde, 0xad, 0xbe, 0xef)), undefined);
  assert.deepEqual(memory.read(0x40, 4), bytes(0xde, 0xad, 0xbe, 0xef));
  assert.notDeepEqual(memory.read(0, 256), kernelImage);
  assert.equal(dma.write(NIC, 64 * PAGE - 1, bytes(1, 2))?.reason, 'outside-memory');
});

test('the same operations give the same fault log and counters', () => {
  const run = () => {
    const { clock, iommu } = setup({ invalidation: 'lazy', lazyBatchUnmaps: 4, lazyFlushIntervalCycles: 5_000, iotlbEntries: 3 });
    iommu.createDomain(NIC);
    iommu.createDomain(DISK);
    let state = 12345;
    const next = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 16) % n;
    };
    for (let step = 0; step < 400; step++) {
      clock.advance(1 + next(200));
      const device = next(2) === 0 ? NIC : DISK;
      const page = next(8);
      const op = next(4);
      if (op === 0) iommu.map(device, page * PAGE, next(60) * PAGE, PAGE, { read: true, write: next(4) !== 0 });
      else if (op === 1) iommu.unmap(device, page * PAGE, PAGE);
      else if (op === 2) iommu.write(device, page * PAGE + next(PAGE), pattern(1 + next(64), step));
      else iommu.read(device, page * PAGE + next(PAGE), 1 + next(64));
    }
    return iommu.describe();
  };
  const first = run();
  assert.ok(first.faultCount > 0, 'the script provokes faults');
  assert.ok(first.counters.iotlbHits > 0 && first.counters.transfers > 0 && first.counters.invalidations > 0);
  assert.deepEqual(run(), first);
});
