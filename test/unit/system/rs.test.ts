// The reincarnation server and the data store: MINIX's restart backoff, heartbeat
// kills, state that survives a restart, `service down`, and live update with state transfer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Program, type Sys } from '../../../simulator/sdk';
import { Sef } from '../../../simulator/services/sef';
import { bootSystem, type BootOptions } from '../../../simulator/system/boot';
import type { BuiltinService } from '../../../simulator/system/builtin';
import { TraceKind } from '../../../simulator/trace/kinds';
import { PERIOD, keeper, userDriver } from './rsFixtures';



/** Starts, says it is up, and crashes a moment later, every time. */
function* crasher(sys: Sys): Program {
  const sef = new Sef(sys);
  yield* sef.startup();
  yield sys.compute(1_000);
  throw new Error('crasher: gives up');
}


function boot(extra: BuiltinService[], options: Partial<BootOptions> = {}) {
  return bootSystem({ seed: 7, configuration: 'microkernel', heartbeatPeriodCycles: PERIOD, extraPrograms: extra, ...options });
}

describe('reincarnation server', () => {
  it('restarts a driver that keeps crashing with MINIX backoff: at once, then 2, 4, 8, 16, 30, 30 periods', () => {
    const system = boot([userDriver('crasher', crasher, 90)]);
    system.run({ untilCycles: 100 * PERIOD });
    const s = system.serviceStatus('crasher')!;
    assert.ok(s.restarts >= 7, `only ${s.restarts} restarts`);
    const waits = s.restartTimesCycles.slice(0, 7).map((t, i) => t - s.deathTimesCycles[i]!);
    assert.deepEqual(waits.map((w) => Math.floor(w / PERIOD)), [0, 2, 4, 8, 16, 30, 30]);
    // RS acts within a hundredth of a period of the deadline.
    for (const w of waits) assert.ok(w % PERIOD < PERIOD / 100, `restart ${w % PERIOD} cycles late`);
    const restarts = system.sim.trace.query({ kinds: [TraceKind.restart] }).filter((e) => e.label === 'crasher');
    assert.equal(restarts.length, s.restartTimesCycles.length);
  });

  it('restarts at once every time when backoff is off', () => {
    const system = boot([userDriver('crasher', crasher, 90)], { restartBackoff: false });
    system.run({ untilCycles: 2 * PERIOD });
    const s = system.serviceStatus('crasher')!;
    assert.ok(s.restarts > 20);
    s.restartTimesCycles.forEach((t, i) => assert.ok(t - s.deathTimesCycles[i]! < PERIOD / 100));
  });

  it('kills a hung driver after two periods without an answer and restarts it', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: 3 * PERIOD + PERIOD / 2 });
    const hungAt = system.nowCycles;
    system.injectFault('keeper', 'hang');
    system.run({ untilCycles: hungAt + 6 * PERIOD });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.heartbeatKills, 1);
    assert.equal(s.restarts, 1);
    assert.equal(s.state, 'running');
    // The first ping after the hang goes unanswered at the next period; the kill comes two periods later.
    const firstUnanswered = Math.ceil(hungAt / PERIOD) * PERIOD;
    const killedAt = s.deathTimesCycles[0]!;
    assert.ok(killedAt >= firstUnanswered + 2 * PERIOD && killedAt < firstUnanswered + 2 * PERIOD + PERIOD / 100, `killed at ${killedAt}`);
    assert.equal(system.faults[0]!.appliedAtCycles !== null, true);
  });

  it('gives a restarted driver the state it published in the data store', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: 2 * PERIOD });
    const before = system.dsStore.get('keeper.count')!.u32;
    assert.ok(before >= 15);
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 2 * PERIOD + PERIOD / 5 + PERIOD / 20 });
    assert.equal(system.serviceStatus('keeper')!.restarts, 1);
    assert.equal(system.dsStore.get('keeper.init')!.u32, 1);
    // The new instance counts on from the published value instead of from zero.
    const after = system.dsStore.get('keeper.count')!.u32;
    assert.ok(after > before && after <= before + 3, `count ${before} -> ${after}`);
  });

  it('service down stops a driver and RS does not restart it', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: PERIOD });
    system.service('down', 'keeper');
    system.run({ untilCycles: 10 * PERIOD });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'down');
    assert.equal(s.restarts, 0);
    assert.equal(system.sim.endpointOf('keeper'), undefined);
    system.service('up', 'keeper');
    system.run({ untilCycles: 11 * PERIOD });
    assert.equal(system.serviceStatus('keeper')!.state, 'running');
    assert.equal(system.dsStore.get('keeper.init')!.u32, 0);
  });

  it('update replaces a service by a new version that receives the old one\'s state', () => {
    const v2: BuiltinService = { ...userDriver('keeper2', keeper(2)), kind: 'program', conf: '' };
    const system = boot([userDriver('keeper', keeper(1), 90), v2]);
    system.run({ untilCycles: 2 * PERIOD });
    const before = system.dsStore.get('keeper.count')!.u32;
    system.service('update', 'keeper', 'keeper2');
    system.run({ untilCycles: 2 * PERIOD + PERIOD / 20 });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.updates, 1);
    assert.equal(s.restarts, 0);
    assert.equal(s.program, 'keeper2');
    assert.equal(system.dsStore.get('keeper.version')!.u32, 2);
    assert.equal(system.dsStore.get('keeper.init')!.u32, 2);
    const after = system.dsStore.get('keeper.count')!.u32;
    assert.ok(after >= before && after <= before + 1, `count ${before} -> ${after}`);
    const proc = system.processes().find((p) => p.label === 'keeper')!;
    assert.equal(proc.restarts, 0);
  });
});
