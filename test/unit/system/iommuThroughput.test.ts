// Packet-stream throughput at saturation under each IOMMU configuration,
// measured from runs, against the shares Amit et al. published for netperf.
//
// The workload: 64-byte frames offered at a million a second. At 1 Gb/s a
// minimum frame takes 0.67 µs on the wire, far less than the CPU's work per
// packet (application, network server, driver, interrupt, and the peer's
// acknowledgement coming back), so the CPU is the bottleneck in every
// configuration and the throughput shares are the shares of CPU work: what
// the IOMMU adds per packet against what the rest costs. With MTU frames the
// wire would bound the run without an IOMMU and hide part of the cost. Per
// packet the NIC driver maps and unmaps two buffers (the frame it sends, the
// acknowledgement it receives), each a DMAMAP kernel call; strict invalidation
// adds one IOTLB invalidation to each unmap, lazy invalidation one per batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import type { Configuration } from '../../../simulator/config/configurations';
import type { Scenario } from '../../../simulator/config/scenario';
import { PUBLISHED_FIGURES, bandLimits, type PublishedFigure } from '../../../simulator/kernel/costs/publishedFigures';

/** The published figures, as data beside the cost profiles (value, unit, source, band). */
function figure(id: string): PublishedFigure {
  const f = PUBLISHED_FIGURES.find((x) => x.id === id);
  assert.ok(f !== undefined, `no published figure ${id}`);
  return f;
}
const PUBLISHED = {
  strictShare: figure('iommu-strict/throughput'),
  lazyShare: figure('iommu-lazy/throughput'),
  strictMapUnmap: figure('iommu-strict/map-unmap'),
};

const FRAME_BYTES = 64;
const OFFERED_PER_SECOND = 1_000_000;
const WARM_UP_SECONDS = 0.05;
const MEASURED_SECONDS = 0.1;

function saturated(): Scenario {
  const s1 = builtinScenario('s1');
  const stream = s1.workload[0]!;
  assert.equal(stream.kind, 'packet-stream');
  return { ...s1, faults: [], workload: [{ ...stream, ratePerSecond: OFFERED_PER_SECOND, sizeBytes: FRAME_BYTES }] };
}

interface Measured {
  readonly packetsPerSecond: number;
  /** Cycles charged to the CPU under `iommu` per acknowledged packet. */
  readonly iommuCyclesPerPacket: number;
  /** Cycles charged to the CPU under `iommu` per page unmapped. */
  readonly iommuCyclesPerUnmap: number;
}

function measure(configuration: Configuration): Measured {
  const system = bootScenario(saturated(), { configuration });
  const second = system.machine.clockHz;
  system.run({ untilCycles: Math.round(WARM_UP_SECONDS * second) });
  const packets = system.network.app.acked;
  const iommu = system.sim.kernel.stats.iommuCycles;
  const unmapped = system.machine.iommu?.counters.pagesUnmapped ?? 0;
  system.run({ untilCycles: Math.round((WARM_UP_SECONDS + MEASURED_SECONDS) * second) });
  const acked = system.network.app.acked - packets;
  assert.ok(acked > 1000, `${configuration}: only ${acked} packets`);
  const iommuCycles = system.sim.kernel.stats.iommuCycles - iommu;
  const unmaps = (system.machine.iommu?.counters.pagesUnmapped ?? 0) - unmapped;
  return { packetsPerSecond: acked / MEASURED_SECONDS, iommuCyclesPerPacket: iommuCycles / acked, iommuCyclesPerUnmap: unmaps === 0 ? 0 : iommuCycles / unmaps };
}

const none = measure('microkernel');

function assertShare(configuration: Configuration, published: PublishedFigure): Measured {
  const m = measure(configuration);
  const share = (100 * m.packetsPerSecond) / none.packetsPerSecond;
  const { low, high } = bandLimits(published);
  assert.ok(share >= low && share <= high, `${configuration}: ${share.toFixed(1)} % of the throughput without an IOMMU, published ${published.published} % (${low}..${high}; ${published.source})`);
  return m;
}

test('without an IOMMU no IOMMU work is charged', () => {
  assert.equal(none.iommuCyclesPerPacket, 0);
});

test('strict invalidation: throughput near the published share, and a map plus unmap costs the published cycles', () => {
  const strict = assertShare('microkernel-iommu', PUBLISHED.strictShare);
  // Every page unmapped was mapped once and invalidated once; the run's edges leave a few maps without their unmap yet.
  assert.ok(Math.abs(strict.iommuCyclesPerUnmap / PUBLISHED.strictMapUnmap.published - 1) < 0.01, `${strict.iommuCyclesPerUnmap} cycles per map and unmap`);
  assert.ok(Math.abs(strict.iommuCyclesPerPacket / (2 * PUBLISHED.strictMapUnmap.published) - 1) < 0.05, `${strict.iommuCyclesPerPacket} cycles per packet: two buffers`);
});

test('lazy invalidation: throughput near the published share, the IOMMU work per packet a fraction of strict', () => {
  const lazy = assertShare('microkernel-iommu-lazy', PUBLISHED.lazyShare);
  assert.ok(lazy.iommuCyclesPerPacket > 0 && lazy.iommuCyclesPerPacket < PUBLISHED.strictMapUnmap.published / 4, `${lazy.iommuCyclesPerPacket} cycles per packet`);
});
