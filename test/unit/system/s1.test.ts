// Scenario S1 under each configuration: the NIC driver crashes again and
// again under a packet stream; RS brings it back and packets flow again,
// except under the monolithic configuration, where the first crash is a panic.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinScenario, bootScenario, runScenario } from '../../../simulator/system/scenarios';
import { formatSummary } from '../../../simulator/system/summary';
import type { Scenario } from '../../../simulator/config/scenario';
import type { Configuration } from '../../../simulator/config/configurations';
import { backoffChecks } from '../../../simulator/services/rs';
import { DlRequest } from '../../../simulator/services/messages';
import { TraceKind } from '../../../simulator/trace/kinds';
import { AT_ONCE, CHECK, SECOND, checkAfter } from './rsFixtures';

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
      // Crashes at 1 min and every 10 min after: 12 in two hours, each restarted.
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

      // MINIX's policy for these crash times: the k-th restart after min(2^(k-1), 30) checks of a second
      // (none for the first), counted from the crash to the check that ends the backoff.
      const log = system.serviceStatus('nic')!.restartLog;
      assert.equal(log.length, 12);
      const expectedDelays = log.map((r, k) => {
        const b = backoffChecks(k);
        assert.equal(b, [0, 2, 4, 8, 16][k] ?? 30);
        assert.ok(r.diedAtCycles >= MINUTE + k * 10 * MINUTE && r.diedAtCycles < MINUTE + k * 10 * MINUTE + SECOND, `crash ${k + 1} at ${r.diedAtCycles}`);
        const expected = b === 0 ? r.diedAtCycles : checkAfter(r.diedAtCycles) + (b - 1) * CHECK;
        assert.ok(r.restartedAtCycles >= expected && r.restartedAtCycles < expected + AT_ONCE, `restart ${k + 1} at ${r.restartedAtCycles}, expected ${expected}`);
        assert.ok(r.upAtCycles! >= r.restartedAtCycles && r.upAtCycles! < r.restartedAtCycles + AT_ONCE);
        return expected - r.diedAtCycles;
      });
      nic.restartLog.forEach((r, k) => {
        assert.equal(r.cause, 'crash');
        assert.ok(Math.abs(r.delaySeconds - expectedDelays[k]! / SECOND) <= 0.001 + AT_ONCE / SECOND, `delay ${k + 1}: ${r.delaySeconds} s`);
      });
      // The downtime is the sum of the waits and of twelve initialisations (each under a millisecond):
      // about 0 + 2 + 4 + 8 + 16 + 7 × 30 = 240 s (counted in 5-s heartbeat periods instead, it would be 1,200 s).
      const waited = expectedDelays.reduce((t, d) => t + d, 0);
      assert.ok(nic.downtimeCycles >= waited && nic.downtimeCycles < waited + 12 * AT_ONCE, `downtime ${nic.downtimeSeconds} s, waits ${waited / SECOND} s`);
      assert.ok(waited > 229 * SECOND && waited <= 240 * SECOND);
      assert.equal(summary.downtimeSeconds, nic.downtimeSeconds);
      assert.ok(formatSummary(summary).includes(`nic: restarted 12 time(s), each after ${expectedDelays.map((d) => +(d / SECOND).toFixed(1)).join(', ')} s; down ${nic.downtimeSeconds.toFixed(3)} s in all`));
      assert.ok(system.processes().some((p) => p.label === 'nic' && p.restarts === 12 && p.group === 'drivers'));
    });
  }

  // MINIX's network server learns of the driver's new instance through the data store and sends again; here
  // inet subscribes to the driver's label, which RS republishes for the new instance even though its endpoint
  // is the old one's. Whatever ended the old instance, packets flow again.
  for (const kind of ['crash', 'hang', 'restart', 'refresh', 'update'] as const) {
    it(`traffic resumes after the driver's ${kind === 'hang' ? 'heartbeat kill' : kind}: every packet sent is acknowledged and none is refused once it runs again`, () => {
      const system = bootScenario({ ...builtinScenario('s1'), faults: [] });
      system.run({ untilCycles: 20 * SECOND });
      const before = system.serviceStatus('nic')!.endpoint;
      if (kind === 'crash' || kind === 'hang') system.injectFault('nic', kind);
      else system.service(kind, 'nic');
      // A hang is noticed within 11 s (the first check more than two 5-s periods after the last reply).
      system.run({ untilCycles: 35 * SECOND });
      const s = system.serviceStatus('nic')!;
      assert.equal(s.state, 'running');
      // MINIX 3.4: a restarted, refreshed or live-updated service keeps its endpoint, so clients need no new lookup.
      assert.equal(s.endpoint, before, 'the new instance keeps the endpoint of the one it replaced');
      if (kind === 'hang') assert.equal(s.heartbeatKills, 1);
      // inet turns to the new instance as soon as RS publishes it, not at its next retransmission timer.
      const published = system.sim.trace.query({ kinds: [TraceKind.restart] }).filter((e) => e.label === 'nic').at(-1)!.timeCycles;
      const inet = system.sim.endpointOf('inet')!;
      const first = system.sim.trace.query({ fromCycles: published, endpoints: [s.endpoint] }).find((e) => e.src === inet && (e.a === DlRequest.READV_S || e.a === DlRequest.WRITEV_S));
      assert.ok(first !== undefined && first.timeCycles - published < AT_ONCE, `inet's first request to the new instance came ${first === undefined ? 'never' : `${(first.timeCycles - published) / SECOND} s after`}`);
      const at35 = { ...system.network.app, delivered: system.network.deliveredToPeer };
      system.run({ untilCycles: 55 * SECOND });
      const app = system.network.app;
      // Ten packets a second: the stream runs on at its rate, with nothing refused for a full window.
      assert.ok(system.network.deliveredToPeer - at35.delivered >= 195, `delivered ${system.network.deliveredToPeer - at35.delivered} in 20 s`);
      assert.equal(app.refused, at35.refused, 'inet refused packets after the driver was back');
      assert.ok(app.accepted - app.acked <= 2, `${app.accepted - app.acked} packets unacknowledged`);
    });
  }

  it('microkernel-iommu: the NIC driver restarted at the same endpoint has only its own buffers mapped in the IOMMU, none of the ended instance\'s', () => {
    const system = bootScenario({ ...builtinScenario('s1'), faults: [] }, { configuration: 'microkernel-iommu' });
    const nicPages = () => {
      const p = system.sim.kernel.procOf(system.serviceStatus('nic')!.endpoint)!;
      const pages = new Set<number>();
      for (let v = p.memBaseVaddr; v < p.memBaseVaddr + p.memBytes; v += 4096) pages.add(Math.floor(p.space!.translate(v, 0) / 4096));
      return pages;
    };
    const mappedPages = () => {
      const domain = system.iommuState()!.domains.find((d) => d.label === 'nic' || d.deviceId === system.machine.nic.deviceId)!;
      const pages: number[] = [];
      for (const r of domain.mappings) for (let b = 0; b < r.lengthBytes; b += 4096) pages.push(Math.floor((r.paddr + b) / 4096));
      return pages;
    };
    system.run({ untilCycles: 20 * SECOND });
    const endpoint = system.serviceStatus('nic')!.endpoint;
    const before = mappedPages().length;
    assert.ok(before > 0, 'the NIC driver mapped its buffers');
    for (let i = 1; i <= 3; i++) {
      system.service('restart', 'nic');
      system.run({ untilCycles: (20 + 5 * i) * SECOND });
      assert.equal(system.serviceStatus('nic')!.endpoint, endpoint);
      const own = nicPages();
      const mapped = mappedPages();
      assert.equal(mapped.length, before, `restart ${i}: ${mapped.length} pages mapped, ${before} before`);
      assert.ok(mapped.every((page) => own.has(page)), `restart ${i}: a mapped page is not the running instance's`);
    }
  });

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
