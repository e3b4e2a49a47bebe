// Every DMA transfer is in the trace, on the device's lane with the process
// whose memory it reached; without an IOMMU, a write into the kernel's memory
// or into a process that does not drive the device is found by the DMA check
// and reported (trace, summary), as S3 shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { formatSummary } from '../../../simulator/system/summary';
import { TraceKind } from '../../../simulator/trace/kinds';
import { modelForSystem } from '../../../simulator/system/traceNames';
import { eventDetails } from '../../../simulator/trace/query';

function eventsOf(system: ReturnType<typeof bootScenario>, kind: number): number[] {
  const t = system.sim.trace;
  const out: number[] = [];
  for (let i = 0; i < t.size; i++) if (t.kind[i] === kind) out.push(i);
  return out;
}

test('S1 behind the IOMMU: the NIC\'s transfers are traced, translated, into the NIC driver\'s memory; nothing is overwritten', () => {
  const s1 = builtinScenario('s1');
  const system = bootScenario(s1, { configuration: 'microkernel-iommu' });
  system.run({ untilCycles: 2 * s1.clockHz });
  const t = system.sim.trace;
  const dma = eventsOf(system, TraceKind.dma);
  const nic = system.sim.endpointOf('nic');
  const nicDma = dma.filter((i) => t.strings.get(t.label[i]!) === 'nic0');
  assert.ok(nicDma.length > 20, `${nicDma.length} NIC transfers in 2 s of a 10 packet/s stream`);
  assert.ok(nicDma.every((i) => (t.c[i]! & 2) === 2), 'each one translated by the IOMMU');
  assert.ok(nicDma.every((i) => t.dst[i] === nic), 'each one reached the NIC driver\'s memory');
  assert.ok(nicDma.some((i) => (t.c[i]! & 1) === 1) && nicDma.some((i) => (t.c[i]! & 1) === 0), 'reads (frames to send) and writes (descriptors back)');
  assert.equal(eventsOf(system, TraceKind.corruption).length, 0);
  assert.equal(system.summary('s1').corruption.count, 0);
});

test('S3 without an IOMMU: the disk\'s wild DMA into the kernel and into vfs is found by the DMA check and reported', () => {
  const s3 = builtinScenario('s3');
  const system = bootScenario(s3, { configuration: 'microkernel' });
  system.run({ untilCycles: s3.duration.cycles });
  const summary = system.summary('s3');
  assert.equal(summary.corruption.count, 2);
  assert.deepEqual(summary.corruption.first.map((c) => [c.device, c.victim]), [['disk0', 'the kernel'], ['disk0', 'vfs']]);
  const corruption = eventsOf(system, TraceKind.corruption);
  assert.equal(corruption.length, 2);
  const t = system.sim.trace;
  assert.match(t.strings.get(t.label[corruption[1]!]!), /^disk0's DMA overwrote vfs's memory at 0x[0-9a-f]+ \(512 bytes\), found by the DMA check: no IOMMU stopped it$/);
  assert.equal(t.dst[corruption[1]!], system.sim.endpointOf('vfs'), 'the event names vfs as whose memory it was');
  assert.match(formatSummary(summary), /^MEMORY OVERWRITTEN by DMA, found by the DMA check \(no IOMMU\): 2 write\(s\): disk0 into the kernel at 0x[0-9a-f]+ \(512 bytes, \d\.\d{3} s\); disk0 into vfs at /m);
  // The trace view's details of the event say what was found, on the disk's lane with vfs as the other party.
  const model = modelForSystem(system);
  model.refresh();
  const details = eventDetails(model, t.firstSeq + corruption[1]!);
  assert.equal(details.dst?.name, 'vfs');
  assert.match(details?.summary ?? '', /^MEMORY OVERWRITTEN: disk0's DMA overwrote vfs's memory/);

  const guarded = bootScenario(s3, { configuration: 'microkernel-iommu' });
  guarded.run({ untilCycles: s3.duration.cycles });
  assert.equal(guarded.summary('s3').corruption.count, 0, 'behind the IOMMU the same transfers are blocked, nothing is overwritten');
});
