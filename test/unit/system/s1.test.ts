// Scenario S1 under each configuration: the NIC driver crashes again and
// again under a packet stream; RS brings it back and packets flow again,
// except under the monolithic configuration, where the first crash is a panic.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinScenario, bootScenario, runScenario } from '../../../simulator/system/scenarios';
import { formatSummary } from '../../../simulator/system/summary';
import type { Scenario } from '../../../simulator/config/scenario';
import type { Configuration } from '../../../simulator/config/configurations';

const SECOND = 1_000_000_000;
const MINUTE = 60 * SECOND;

/** S1 with a lighter stream (1 packet a second) so that hours of simulated time stay quick. */
function lightS1(): Scenario {
  const s1 = builtinScenario('s1');
  const stream = s1.workload[0]!;
  assert.equal(stream.kind, 'packet-stream');
  return { ...s1, workload: [{ ...stream, ratePerSecond: 1 }] };
}

function runSampled(configuration: Configuration, hours: number) {
  const system = bootScenario(lightS1(), { configuration });
  const samples: { timeCycles: number; delivered: number; restarts: number }[] = [];
  system.run({
    untilCycles: hours * 60 * MINUTE,
    sliceCycles: 10 * SECOND,
    progress: (t) => samples.push({ timeCycles: t, delivered: system.network.deliveredToPeer, restarts: system.serviceStatus('nic')?.restarts ?? 0 }),
  });
  return { system, samples, summary: system.summary('s1') };
}

describe('S1: a crashing Ethernet driver is restarted', () => {
  for (const configuration of ['microkernel-iommu', 'microkernel'] as const) {
    it(`${configuration}: packets flow again after every restart, over simulated hours`, () => {
      const { system, samples, summary } = runSampled(configuration, 2);
      const nic = summary.services.find((s) => s.label === 'nic')!;
      // Crashes at 1 min and every 10 min after: 12 in two hours, each restarted (backoff at most 150 s).
      assert.equal(summary.faults.injected, 12);
      assert.equal(nic.restarts, 12);
      assert.equal(nic.state, 'running');
      assert.equal(summary.panic, null);
      assert.ok(nic.downtimeCycles > 0);
      assert.equal(nic.restartTimesCycles.length, 12);
      // After every restart the delivered count rises again before the next crash.
      for (let k = 1; k <= 12; k++) {
        const at = samples.findIndex((x) => x.restarts >= k);
        const next = samples.findIndex((x) => x.restarts >= k + 1);
        const end = next < 0 ? samples.length - 1 : next - 1;
        assert.ok(samples[end]!.delivered > samples[at]!.delivered, `no packets after restart ${k}`);
      }
      // Nearly every packet got through: those sent while the driver was down were retransmitted.
      assert.ok(summary.network.packetsDelivered >= summary.network.packetsAccepted - 70);
      assert.ok(summary.network.retransmissions > 0);
      assert.equal(summary.integrity.ok, true);
      assert.equal(summary.iommu.present, configuration === 'microkernel-iommu');
      if (configuration === 'microkernel-iommu') assert.equal(summary.iommu.blockedTransfers, 0);
      assert.match(formatSummary(summary), /nic\s+running\s+12/);
      assert.ok(system.processes().some((p) => p.label === 'nic' && p.restarts === 12 && p.group === 'drivers'));
    });
  }

  it('monolithic: the first driver crash panics the system', () => {
    const summary = runScenario(lightS1(), { configuration: 'monolithic', durationCycles: 10 * MINUTE });
    assert.notEqual(summary.panic, null);
    assert.match(summary.panic!.message, /^nic: .*injected fault: crash/);
    assert.equal(summary.panic!.timeCycles, summary.simulatedCycles);
    assert.ok(summary.simulatedCycles >= MINUTE && summary.simulatedCycles < MINUTE + SECOND);
    assert.equal(summary.stopReason, 'panic');
    assert.equal(summary.restarts, 0);
    assert.match(formatSummary(summary), /KERNEL PANIC/);
  });

  it('the same seed gives the same summary and trace digest; another seed need not', () => {
    const a = runScenario(lightS1(), { durationCycles: 3 * MINUTE });
    const b = runScenario(lightS1(), { durationCycles: 3 * MINUTE });
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify(a), JSON.stringify(JSON.parse(JSON.stringify(a))));
    const c = runScenario(lightS1(), { durationCycles: 3 * MINUTE, seed: 2 });
    assert.equal(c.seed, 2);
  });
});
