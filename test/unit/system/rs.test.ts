// The reincarnation server against MINIX's servers/rs, one rule per test (the rule is named in
// each title); the expected times are written from the rule, in RS's checks of RS_DELTA_T = 1 s.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, NONE, OK, type Program, type Sys } from '../../../simulator/sdk';
import { Sef } from '../../../simulator/services/sef';
import { backoffChecks } from '../../../simulator/services/rs';
import { labelKey } from '../../../simulator/services/dsClient';
import { bootSystem, type BootOptions, type RunningSystem } from '../../../simulator/system/boot';
import type { BuiltinService } from '../../../simulator/system/builtin';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { TraceKind } from '../../../simulator/trace/kinds';
import { AT_ONCE, CHECK, INIT_T, SECOND, checkAfter, keeper, userDriver, version } from './rsFixtures';

/** Starts, says it is up, and crashes a moment later, every time. */
function* crasher(sys: Sys): Program {
  const sef = new Sef(sys);
  yield* sef.startup();
  yield sys.compute(1_000);
  throw new Error('crasher: gives up');
}

function boot(extra: BuiltinService[], options: Partial<BootOptions> = {}): RunningSystem {
  return bootSystem({ seed: 7, configuration: 'microkernel', extraPrograms: extra, ...options });
}

/** Runs the `service` utility for one request until RS answers; returns the answer and when it came. */
function service(system: RunningSystem, op: 'up' | 'down' | 'refresh' | 'update', label: string, program?: string, limitCycles = 60 * SECOND) {
  const utility = system.service(op, label, program);
  let answer: { status: number; atCycles: number } | undefined;
  const off = system.sim.on('processEnded', (e) => {
    if (e.endpoint === utility && e.reason.kind === 'exit') answer = { status: e.reason.status, atCycles: system.nowCycles };
  });
  const until = system.nowCycles + limitCycles;
  try {
    while (answer === undefined && system.nowCycles < until) system.run({ untilCycles: Math.min(until, system.nowCycles + SECOND / 10), sliceCycles: SECOND / 1000 });
  } finally {
    off();
  }
  assert.ok(answer !== undefined, `RS did not answer 'service ${op} ${label}'`);
  return answer;
}

/** The restart that MINIX's rule gives after a death at `diedAt` with a backoff of `checks`: at once, or at the check that counts it down to zero. */
function expectedRestart(diedAt: number, checks: number): number {
  return checks === 0 ? diedAt : checkAfter(diedAt) + (checks - 1) * CHECK;
}

function assertAt(actual: number, expected: number, what: string): void {
  assert.ok(actual >= expected && actual < expected + AT_ONCE, `${what} at ${actual / SECOND} s, expected ${expected / SECOND} s`);
}

const u32 = (system: RunningSystem, key: string) => system.dsStore.get(key)?.u32;

describe('RS backoff (manager.c terminate_service: r_backoff = min(2^r_restarts, MAX_BACKOFF = 30) checks of RS_DELTA_T = 1 s)', () => {
  it('restarts a service that keeps failing at once, then at the 2nd, 4th, 8th, 16th, 30th and 30th check after each failure', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => backoffChecks(n)), [0, 2, 4, 8, 16, 30, 30]);
    const system = boot([userDriver('crasher', crasher, 90)]);
    system.run({ untilCycles: 100 * SECOND });
    const s = system.serviceStatus('crasher')!;
    const checks = [0, 2, 4, 8, 16, 30, 30];
    assert.ok(s.restartLog.length >= checks.length, `only ${s.restartLog.length} restarts`);
    checks.forEach((b, k) => {
      const r = s.restartLog[k]!;
      assert.equal(r.cause, 'crash');
      assertAt(r.restartedAtCycles, expectedRestart(r.diedAtCycles, b), `restart ${k + 1}`);
    });
    const traced = system.sim.trace.query({ kinds: [TraceKind.restart] }).filter((e) => e.label === 'crasher');
    assert.equal(traced.length, s.restartTimesCycles.length);
  });

  it('with the exponential backoff off (MINIX\'s -no-bin-exp: r_backoff = 1), restarts at once the first time and at the next check afterwards', () => {
    const system = boot([userDriver('crasher', crasher, 90)], { restartBackoff: false });
    system.run({ untilCycles: 10 * SECOND });
    const s = system.serviceStatus('crasher')!;
    assert.ok(s.restartLog.length >= 8, `only ${s.restartLog.length} restarts`);
    s.restartLog.forEach((r, k) => assertAt(r.restartedAtCycles, expectedRestart(r.diedAtCycles, k === 0 ? 0 : 1), `restart ${k + 1}`));
  });
});

describe('RS r_restarts, the count that sets the backoff (manager.c end_srv_init increments it; only init_slot, at service up, zeroes it)', () => {
  it('is not reset by time: a failure minutes after the last restart still waits 2^r_restarts checks; after service up the next failure restarts at once', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: 2 * SECOND });
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 3 * SECOND });
    let s = system.serviceStatus('keeper')!;
    assertAt(s.restartLog[0]!.restartedAtCycles, expectedRestart(s.restartLog[0]!.diedAtCycles, 0), 'the first restart');
    assert.equal(s.incarnation, 1);
    system.run({ untilCycles: 300 * SECOND });
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 305 * SECOND });
    s = system.serviceStatus('keeper')!;
    assertAt(s.restartLog[1]!.restartedAtCycles, expectedRestart(s.restartLog[1]!.diedAtCycles, 2), 'a failure five minutes later');
    assert.equal(s.incarnation, 2);
    assert.equal(service(system, 'down', 'keeper').status, OK);
    assert.equal(service(system, 'up', 'keeper').status, OK);
    assert.equal(system.serviceStatus('keeper')!.incarnation, 0);
    system.run({ untilCycles: system.nowCycles + SECOND / 10 });
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: system.nowCycles + SECOND / 10 });
    s = system.serviceStatus('keeper')!;
    assertAt(s.restartLog[2]!.restartedAtCycles, expectedRestart(s.restartLog[2]!.diedAtCycles, 0), 'the first failure after service up');
  });

  it('counts a completed refresh too (it goes through restart_service): the first failure after two refreshes waits four checks', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: SECOND / 2 });
    assert.equal(service(system, 'refresh', 'keeper').status, OK);
    assert.equal(service(system, 'refresh', 'keeper').status, OK);
    system.run({ untilCycles: system.nowCycles + SECOND / 10 });
    assert.equal(system.serviceStatus('keeper')!.incarnation, 2);
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: system.nowCycles + 6 * SECOND });
    const s = system.serviceStatus('keeper')!;
    const crash = s.restartLog.find((r) => r.cause === 'crash')!;
    assertAt(crash.restartedAtCycles, expectedRestart(crash.diedAtCycles, 4), 'the restart after the crash');
  });
});

describe('RS heartbeats (request.c do_period: ping when now - r_check_tm > r_period; kill when a ping is unanswered and now - r_alive_tm > 2 r_period)', () => {
  it('never pings a service started without a period, so a hang there goes unnoticed', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: 3 * SECOND });
    const endpoint = system.serviceStatus('keeper')!.endpoint;
    system.injectFault('keeper', 'hang');
    system.run({ untilCycles: 60 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.periodCycles, 0);
    assert.equal(s.heartbeatKills, 0);
    assert.equal(s.endpoint, endpoint);
    const rs = system.sim.endpointOf('rs')!;
    const pings = system.sim.trace.query({ kinds: [TraceKind.ipcNotify], endpoints: [endpoint] }).filter((e) => e.src === rs);
    assert.deepEqual(pings, []);
  });

  it('pings a service with a 5 s period at checks 6 s apart, and kills a hung one at the first check more than 10 s after its last reply; the downtime counts from that reply', () => {
    const system = boot([userDriver('keeper', keeper(1), 90, 5)]);
    system.run({ untilCycles: 30 * SECOND + SECOND / 2 });
    const before = system.serviceStatus('keeper')!;
    assert.equal(before.periodCycles, 5 * SECOND);
    const rs = system.sim.endpointOf('rs')!;
    const pings = system.sim.trace
      .query({ kinds: [TraceKind.ipcNotify], endpoints: [before.endpoint] })
      .filter((e) => e.src === rs)
      .map((e) => e.timeCycles);
    assert.ok(pings.length >= 4, `${pings.length} pings`);
    // r_check_tm starts at 0, so the first ping comes at the first check more than a period after time 0; each
    // next one at the first check more than a period after the last.
    assertAt(pings[0]!, checkAfter(5 * SECOND), 'the first ping');
    for (let i = 1; i < pings.length; i++) assertAt(pings[i]!, checkAfter(pings[i - 1]! + 5 * SECOND), `ping ${i + 1}`);
    const hungAt = system.nowCycles;
    system.injectFault('keeper', 'hang');
    system.run({ untilCycles: 60 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.heartbeatKills, 1);
    assert.match(s.lastExit ?? '', /^no heartbeat answer for more than two periods: killed by rs$/);
    const record = s.restartLog[0]!;
    assert.equal(record.cause, 'heartbeat');
    // The last reply is the answer to the last ping before the hang.
    const lastReply = record.downSinceCycles;
    assert.ok(lastReply > pings.at(-1)! && lastReply < hungAt, 'the outage starts at the last reply');
    assertAt(record.diedAtCycles, checkAfter(lastReply + 10 * SECOND), 'the kill');
    assertAt(record.restartedAtCycles, record.diedAtCycles, 'the restart of a first failure');
    assert.ok(s.lastDowntimeCycles >= record.diedAtCycles - hungAt, 'the downtime includes the time until detection');
    assert.equal(s.lastDowntimeCycles, record.upAtCycles! - lastReply);
    assert.equal(s.state, 'running');
    assert.ok(s.lastAliveCycles! > record.upAtCycles!, 'the new instance answers pings');
  });

  it('gives a network driver (system.conf `type net`) the scenario\'s period, 5 s by default, and no period to the other services', () => {
    const periods = (system: RunningSystem) => Object.fromEntries([...system.rsStatus.values()].map((s) => [s.label, s.periodCycles / SECOND]));
    const booted = (system: RunningSystem) => {
      system.run({ untilCycles: SECOND / 100 });
      return periods(system);
    };
    const s1 = booted(bootScenario(builtinScenario('s1')));
    assert.ok(Object.keys(s1).length >= 5);
    assert.deepEqual(s1, { ...Object.fromEntries(Object.keys(s1).map((k) => [k, 0])), nic: 5 });
    assert.equal(booted(bootSystem({ seed: 1, heartbeatPeriodCycles: 2 * SECOND }))['nic'], 2);
  });
});

describe('RS and initialisation (manager.c terminate_service: a service that fails while RS_INITIALIZING is not restarted; RS_INIT_T = 10 s)', () => {
  it('does not restart a service whose initialisation fails, says so, and unpublishes it', () => {
    const system = boot([userDriver('keeper', keeper(1, { failInit: 'status' }), 90)]);
    system.run({ untilCycles: 30 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'down');
    assert.equal(s.restarts, 0);
    assert.equal(s.deathTimesCycles.length, 1);
    assert.match(s.lastExit ?? '', new RegExp(`^failed during its initialisation \\(exited with status ${Errno.EIO}\\); not restarted$`));
    assert.equal(system.dsStore.get(labelKey('keeper')), undefined);
  });

  it('does not restart a service that crashes while initialising as the restart of a failed one', () => {
    const system = boot([userDriver('keeper', keeper(1, { failInit: 'throw', failOn: 'restart' }), 90)]);
    system.run({ untilCycles: 2 * SECOND });
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 30 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'down');
    assert.equal(s.restarts, 1);
    assert.equal(s.deathTimesCycles.length, 2);
    assert.match(s.lastExit ?? '', /^failed during its initialisation \(crashed: .*keeper: cannot initialise\); not restarted$/);
  });

  it('kills a service still initialising at the first check more than 2 RS_INIT_T after its start, and does not restart it', () => {
    const system = boot([userDriver('keeper', keeper(1, { failInit: 'never' }))]);
    system.run({ untilCycles: 30 * SECOND + SECOND / 2 });
    const startedAt = system.nowCycles;
    assert.equal(service(system, 'up', 'keeper').status, OK);
    system.run({ untilCycles: 60 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'down');
    assert.equal(s.heartbeatKills, 1);
    assertAt(s.deathTimesCycles[0]!, checkAfter(startedAt + 2 * INIT_T), 'the kill');
    assert.match(s.lastExit ?? '', /^failed during its initialisation \(did not finish its initialisation within 20 s: killed by rs\); not restarted$/);
  });
});

describe('RS live update (update.c: the old instance waits with its state until the new one has taken it, and is restored if the new one fails)', () => {
  it('keeps the old instance until the new one has finished its initialisation with the state, then ends it', () => {
    const system = boot([userDriver('keeper', keeper(1), 90), version('keeper2', keeper(2, { initCycles: SECOND / 2 }))]);
    system.run({ untilCycles: SECOND });
    const old = system.serviceStatus('keeper')!.endpoint;
    const utility = system.service('update', 'keeper', 'keeper2');
    system.run({ untilCycles: SECOND + SECOND / 4 });
    const during = system.sim.processes().filter((p) => p.name === 'keeper');
    assert.equal(during.length, 2, 'the old and the new instance both exist while the new one initialises');
    assert.ok(during.some((p) => p.endpoint === old));
    assert.equal(system.serviceStatus('keeper')!.state, 'updating');
    const countBefore = u32(system, 'keeper.count')!;
    system.run({ untilCycles: 2 * SECOND });
    assert.equal(system.sim.processes().find((p) => p.endpoint === utility), undefined, 'RS answered');
    const s = system.serviceStatus('keeper')!;
    assert.deepEqual([s.state, s.program, s.updates, s.restarts], ['running', 'keeper2', 1, 0]);
    assert.deepEqual(system.sim.processes().filter((p) => p.name === 'keeper').map((p) => p.endpoint), [s.endpoint]);
    assert.equal(u32(system, 'keeper.version'), 2);
    assert.equal(u32(system, labelKey('keeper')), s.endpoint, 'RS published the new instance');
    // The new version counted on from the old one's state, and the service was down while the new one initialised.
    assert.ok(u32(system, 'keeper.count')! > countBefore);
    assert.ok(s.lastDowntimeCycles >= SECOND / 2 && s.lastDowntimeCycles < SECOND / 2 + AT_ONCE, `down for ${s.lastDowntimeCycles / SECOND} s`);
  });

  for (const failInit of ['status', 'throw'] as const) {
    it(`rolls back when the new version fails its initialisation (${failInit === 'status' ? 'returns an error' : 'crashes'}): the old instance carries on with its endpoint and its state`, () => {
      const system = boot([userDriver('keeper', keeper(1), 90), version('keeper2', keeper(2, { failInit }))]);
      system.run({ untilCycles: SECOND });
      const old = system.serviceStatus('keeper')!.endpoint;
      const answer = service(system, 'update', 'keeper', 'keeper2');
      assert.equal(answer.status, Errno.EINTR);
      const countAfterRollback = u32(system, 'keeper.count')!;
      system.run({ untilCycles: system.nowCycles + SECOND });
      const s = system.serviceStatus('keeper')!;
      assert.deepEqual([s.state, s.endpoint, s.program, s.updates, s.restarts], ['running', old, 'keeper', 0, 0]);
      assert.match(s.lastExit ?? '', /^live update to keeper2 failed \(the new instance (exited with status -5|crashed: .*keeper: cannot initialise)\); keeper carries on$/);
      assert.deepEqual(system.sim.processes().filter((p) => p.name === 'keeper').map((p) => p.endpoint), [old]);
      // Never restarted: still the first initialisation, counting on.
      assert.equal(u32(system, 'keeper.init'), 0);
      assert.ok(u32(system, 'keeper.count')! >= countAfterRollback + 90, 'the old instance runs on');
      assert.equal(system.dsStore.get('lu.keeper'), undefined, 'the handed-over state is cleaned up');
    });
  }

  it('rolls back when the new version does not finish its initialisation, at the first check more than 2 RS_INIT_T after its start', () => {
    const system = boot([userDriver('keeper', keeper(1), 90), version('keeper2', keeper(2, { failInit: 'never' }))]);
    system.run({ untilCycles: SECOND + SECOND / 2 });
    const startedAt = system.nowCycles;
    const answer = service(system, 'update', 'keeper', 'keeper2');
    assert.equal(answer.status, Errno.EINTR);
    assertAt(answer.atCycles, checkAfter(startedAt + 2 * INIT_T), 'the rollback');
    const s = system.serviceStatus('keeper')!;
    assert.deepEqual([s.state, s.program, s.updates], ['running', 'keeper', 0]);
    assert.ok(s.lastDowntimeCycles > 2 * INIT_T, 'the old instance served nothing while it waited');
  });
});

describe('RS and the data store', () => {
  it('gives a restarted driver the state it published in the data store', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: SECOND });
    const before = u32(system, 'keeper.count')!;
    assert.ok(before >= 90);
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: SECOND + 3 * (SECOND / 100) + SECOND / 200 });
    assert.equal(system.serviceStatus('keeper')!.restarts, 1);
    assert.equal(u32(system, 'keeper.init'), 1);
    // The new instance counts on from the published value instead of from zero.
    const after = u32(system, 'keeper.count')!;
    assert.ok(after > before && after <= before + 4, `count ${before} -> ${after}`);
  });

  it('service down stops a driver, RS does not restart it, and its label and entries leave the data store; service up starts it afresh', () => {
    const system = boot([userDriver('keeper', keeper(1), 90)]);
    system.run({ untilCycles: SECOND });
    assert.equal(service(system, 'down', 'keeper').status, OK);
    system.run({ untilCycles: 10 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'down');
    assert.equal(s.endpoint, NONE);
    assert.equal(s.restarts, 0);
    assert.equal(system.sim.endpointOf('keeper'), undefined);
    assert.equal(u32(system, labelKey('keeper')), undefined);
    assert.equal(u32(system, 'keeper.count'), undefined);
    assert.equal(service(system, 'up', 'keeper').status, OK);
    system.run({ untilCycles: 11 * SECOND });
    assert.equal(system.serviceStatus('keeper')!.state, 'running');
    assert.equal(u32(system, 'keeper.init'), 0);
  });
});
