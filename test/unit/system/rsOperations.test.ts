// The `service` operations refresh, clone and update as a user runs them: what RS answers,
// which instance runs afterwards, what state it starts from, and what the views are shown.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Errno, NONE, OK } from '../../../simulator/sdk';
import { Session } from '../../../node/worker/session';
import type { ServiceOperation } from '../../../simulator/programs/service';
import { bootSystem, type RunningSystem } from '../../../simulator/system/boot';
import type { BuiltinService } from '../../../simulator/system/builtin';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { TraceKind } from '../../../simulator/trace/kinds';
import { AT_ONCE, SECOND, keeper, userDriver } from './rsFixtures';

const v2: BuiltinService = { ...userDriver('keeper2', keeper(2)), kind: 'program', conf: '' };

function boot(): RunningSystem {
  return bootSystem({ seed: 7, configuration: 'microkernel', heartbeatPeriodCycles: SECOND, extraPrograms: [userDriver('keeper', keeper(1), 90), v2] });
}

/** Runs MINIX's `service` utility for one request and the system until `untilCycles`; returns RS's answer. */
function service(system: RunningSystem, op: ServiceOperation, label: string, untilCycles: number, program?: string): number {
  const utility = system.service(op, label, program);
  assert.ok(utility >= 0, `the service utility did not start (${utility})`);
  let answer: number | undefined;
  const off = system.sim.on('processEnded', (e) => {
    if (e.endpoint === utility) answer = e.reason.kind === 'exit' ? e.reason.status : Number.NaN;
  });
  try {
    system.run({ untilCycles });
  } finally {
    off();
  }
  assert.notEqual(answer, undefined, `RS did not answer 'service ${op} ${label}'`);
  return answer!;
}

const u32 = (system: RunningSystem, key: string) => system.dsStore.get(key)?.u32;
const keeperRows = (system: RunningSystem) => system.processes().filter((p) => p.label === 'keeper');

describe('service refresh', () => {
  it('replaces a running service by a fresh instance at the same endpoint (MINIX 3.4): fresh init, its old state not taken over, not counted as a restart', () => {
    const system = boot();
    system.run({ untilCycles: 2 * SECOND });
    const before = { ...system.serviceStatus('keeper')!, count: u32(system, 'keeper.count')! };
    assert.ok(before.count >= 150, `count ${before.count}`);
    assert.equal(service(system, 'refresh', 'keeper', 2 * SECOND + SECOND / 20), OK);
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'running');
    assert.equal(s.endpoint, before.endpoint, 'the new instance keeps the endpoint');
    assert.equal(u32(system, 'keeper.endpoint'), s.endpoint, 'the new instance is the one that runs');
    const created = system.sim.trace.query({ kinds: [TraceKind.processCreated], fromCycles: 2 * SECOND }).filter((e) => e.dst === s.endpoint);
    assert.equal(created.length, 1, 'a new process was created at the old endpoint');
    assert.equal(u32(system, 'keeper.init'), 0, 'a refreshed service initialises fresh');
    assert.equal(s.restarts, 0, 'a refresh is not a restart');
    assert.equal(s.incarnation, 1, 'a completed refresh counts in MINIX\'s r_restarts, which sets the backoff');
    // The fresh instance counts from zero, not from what the old one published.
    system.run({ untilCycles: 3 * SECOND });
    const count = u32(system, 'keeper.count')!;
    assert.ok(count >= 90 && count <= 101, `count after a refresh: ${count} (was ${before.count})`);
    const restart = system.sim.trace.query({ kinds: [TraceKind.restart] }).filter((e) => e.label === 'keeper');
    assert.deepEqual(restart.map((e) => [e.a, e.dst]), [[before.endpoint, before.endpoint]], 'the trace records the endpoint, the same before and after');
  });

  it('is never held back by the restart backoff: refreshed five times, the service is back at once every time; each counts in the backoff of a later failure', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    for (let i = 1; i <= 5; i++) {
      const asked = system.nowCycles;
      assert.equal(service(system, 'refresh', 'keeper', asked + AT_ONCE), OK);
      const s = system.serviceStatus('keeper')!;
      assert.equal(s.state, 'running', `refresh ${i}: ${s.state}`);
      assert.equal(s.deathTimesCycles.length, i);
      assert.ok(s.restartTimesCycles[i - 1]! - s.deathTimesCycles[i - 1]! < AT_ONCE);
    }
    // Five completed restarts: a crash afterwards waits MINIX's longest backoff, 30 checks of a second.
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: system.nowCycles + 29 * SECOND });
    assert.equal(system.serviceStatus('keeper')!.state, 'backoff');
    system.run({ untilCycles: system.nowCycles + 2 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'running');
    assert.equal(s.restarts, 1);
  });

  it('is refused with ESRCH for a service that is down, and with ESRCH for an unknown label', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    assert.equal(service(system, 'down', 'keeper', SECOND + AT_ONCE), OK);
    assert.equal(service(system, 'refresh', 'keeper', SECOND + 2 * AT_ONCE), Errno.ESRCH);
    assert.equal(system.serviceStatus('keeper')!.state, 'down');
    assert.equal(service(system, 'refresh', 'nosuch', SECOND + 3 * AT_ONCE), Errno.ESRCH);
  });
});

describe('service clone', () => {
  it('makes a stopped replica that does not run until it is needed; a second clone is refused with EBUSY', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    const running = system.serviceStatus('keeper')!.endpoint;
    assert.equal(service(system, 'clone', 'keeper', SECOND + AT_ONCE), OK);
    const s = system.serviceStatus('keeper')!;
    assert.notEqual(s.replica, NONE);
    assert.equal(s.endpoint, running, 'the running instance stays the service');
    const replica = keeperRows(system).find((p) => p.endpoint === s.replica);
    assert.equal(replica?.state, 'stopped');
    system.run({ untilCycles: 2 * SECOND });
    // Only the running instance published: the replica has not run its init.
    assert.equal(u32(system, 'keeper.endpoint'), running);
    assert.equal(u32(system, 'keeper.init'), 0);
    assert.equal(service(system, 'clone', 'keeper', 2 * SECOND + AT_ONCE), Errno.EBUSY);
  });

  it('after a crash the replica becomes the service at the crashed instance\'s endpoint, at once and with the state the old instance published; it serves once', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    const endpoint = system.serviceStatus('keeper')!.endpoint;
    assert.equal(service(system, 'clone', 'keeper', SECOND + AT_ONCE), OK);
    const replica = system.serviceStatus('keeper')!.replica;
    assert.notEqual(replica, endpoint);
    system.run({ untilCycles: 2 * SECOND });
    const before = u32(system, 'keeper.count')!;
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 2 * SECOND + SECOND / 20 });
    let s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'running');
    assert.equal(s.restarts, 1);
    // RS_SWAP: the replica moved into the crashed instance's slot, so the service's endpoint is unchanged.
    assert.equal(s.endpoint, endpoint, 'the replica took the endpoint of the instance that crashed');
    assert.equal(u32(system, 'keeper.endpoint'), endpoint);
    assert.equal(system.sim.kernel.procOf(replica), undefined, 'the replica\'s own endpoint is no longer live');
    assert.equal(system.sim.trace.query({ kinds: [TraceKind.processCreated], fromCycles: 2 * SECOND }).length, 0, 'RS activated the replica instead of starting a new process');
    assert.equal(s.replica, NONE, 'the replica is used up');
    assert.ok(s.lastDowntimeCycles < AT_ONCE, `down for ${s.lastDowntimeCycles} cycles`);
    assert.equal(u32(system, 'keeper.init'), 1, 'the replica initialises as a restart');
    const after = u32(system, 'keeper.count')!;
    assert.ok(after >= before && after <= before + 6, `count ${before} -> ${after}`);
    assert.equal(keeperRows(system).length, 1, 'no process is left over');
    const restart = system.sim.trace.query({ kinds: [TraceKind.restart] }).filter((e) => e.label === 'keeper');
    assert.equal(restart.at(-1)?.dst, endpoint);

    // Without a new clone, the next crash starts a new process (after the two checks' backoff of a second failure).
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 5 * SECOND });
    s = system.serviceStatus('keeper')!;
    assert.equal(s.restarts, 2);
    assert.equal(s.state, 'running');
    assert.equal(s.endpoint, endpoint);
    assert.equal(system.sim.trace.query({ kinds: [TraceKind.processCreated], fromCycles: 2 * SECOND }).filter((e) => e.dst === endpoint).length, 1, 'a new process');
  });

  it('service down takes the replica away too; a service brought up again and crashing gets a new process', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    assert.equal(service(system, 'clone', 'keeper', SECOND + AT_ONCE), OK);
    const replica = system.serviceStatus('keeper')!.replica;
    assert.equal(service(system, 'down', 'keeper', SECOND + 2 * AT_ONCE), OK);
    assert.equal(system.serviceStatus('keeper')!.replica, NONE);
    assert.deepEqual(keeperRows(system).map((p) => p.state), ['down'], 'a stopped replica lingers after service down');
    assert.equal(service(system, 'up', 'keeper', SECOND + 3 * AT_ONCE), OK);
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 2 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'running');
    assert.notEqual(s.endpoint, replica);
  });

  it('a live update to a new version discards the replica of the old one, so a later crash brings back the new version', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    assert.equal(service(system, 'clone', 'keeper', SECOND + AT_ONCE), OK);
    assert.equal(service(system, 'update', 'keeper', SECOND + SECOND / 20, 'keeper2'), OK);
    assert.equal(u32(system, 'keeper.version'), 2);
    assert.equal(system.serviceStatus('keeper')!.replica, NONE);
    system.injectFault('keeper', 'crash');
    system.run({ untilCycles: 2 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'running');
    assert.equal(s.program, 'keeper2');
    assert.equal(u32(system, 'keeper.version'), 2, 'the old version came back after the crash');
  });
});

describe('service update', () => {
  it('is answered only once the new version runs, with the new version in place', () => {
    const system = boot();
    system.run({ untilCycles: 2 * SECOND });
    const utility = system.service('update', 'keeper', 'keeper2');
    let seen: { status: number; state: string; program: string; updates: number } | undefined;
    const off = system.sim.on('processEnded', (e) => {
      if (e.endpoint !== utility || e.reason.kind !== 'exit') return;
      const s = system.serviceStatus('keeper')!;
      seen = { status: e.reason.status, state: s.state, program: s.program, updates: s.updates };
    });
    system.run({ untilCycles: 2 * SECOND + SECOND / 20 });
    off();
    assert.deepEqual(seen, { status: OK, state: 'running', program: 'keeper2', updates: 1 });
  });

  it('to a program that does not exist leaves the old version running with its state, and says why', () => {
    const system = boot();
    system.run({ untilCycles: 2 * SECOND });
    const before = u32(system, 'keeper.count')!;
    // RS answers with the error that starting the new version gave.
    assert.equal(service(system, 'update', 'keeper', 2 * SECOND + SECOND / 20, 'nosuch'), Errno.ESRCH);
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.state, 'running', `keeper is ${s.state} after a failed update`);
    assert.equal(s.program, 'keeper');
    assert.equal(s.updates, 0);
    assert.equal(s.deathTimesCycles.length, s.restartTimesCycles.length);
    assert.match(s.lastExit ?? '', /live update to nosuch failed/);
    assert.equal(u32(system, 'keeper.version'), 1);
    const after = u32(system, 'keeper.count')!;
    assert.ok(after >= before && after <= before + 6, `count ${before} -> ${after}`);
  });

  it('of the S1 network driver keeps the counters it published, where a refresh starts them from zero; traffic flows on', () => {
    const run = (op: 'update' | 'refresh') => {
      const system = bootScenario(builtinScenario('s1'));
      const second = system.clockHz;
      system.run({ untilCycles: 20 * second });
      const tx = u32(system, 'nic.tx')!;
      const acked = system.network.app.acked;
      assert.ok(tx >= 100, `nic published tx=${tx}`);
      assert.equal(service(system, op, 'nic', Math.round(20.1 * second)), OK);
      system.run({ untilCycles: 30 * second });
      return { system, tx, acked };
    };
    const updated = run('update');
    const nic = updated.system.serviceStatus('nic')!;
    assert.equal(nic.updates, 1);
    assert.equal(nic.restarts, 0);
    assert.equal(nic.state, 'running');
    assert.ok(u32(updated.system, 'nic.tx')! > updated.tx, `tx ${updated.tx} -> ${u32(updated.system, 'nic.tx')}`);
    assert.ok(updated.system.network.app.acked > updated.acked + 50, 'traffic did not resume after the update');

    const refreshed = run('refresh');
    assert.ok(u32(refreshed.system, 'nic.tx')! < refreshed.tx, `tx ${refreshed.tx} -> ${u32(refreshed.system, 'nic.tx')} after a refresh`);
    assert.ok(refreshed.system.network.app.acked > refreshed.acked + 50, 'traffic did not resume after the refresh');
  });
});

describe('the System view snapshot', () => {
  it('shows a cloned service once, as its running instance, and counts its live updates', () => {
    const session = new Session({ nowMs: () => 0, defer: () => () => undefined });
    try {
      session.start({ source: { kind: 'builtin', name: 's1' }, speed: 0, trusted: true });
      const system = session.system!;
      const second = system.clockHz;
      system.run({ untilCycles: 2 * second });
      assert.equal(service(system, 'clone', 'nic', Math.round(2.01 * second)), OK);
      let rows = session.snapshot()!.processes.filter((p) => p.label === 'nic');
      assert.equal(rows.length, 1, `nic rows: ${JSON.stringify(rows)}`);
      assert.equal(rows[0]!.endpoint, system.serviceStatus('nic')!.endpoint);
      assert.equal(rows[0]!.serviceState, 'running');
      assert.equal(service(system, 'update', 'nic', Math.round(2.1 * second)), OK);
      rows = session.snapshot()!.processes.filter((p) => p.label === 'nic');
      assert.deepEqual(rows.map((p) => [p.serviceState, p.updates, p.restarts]), [['running', 1, 0]]);
    } finally {
      session.dispose();
    }
  });
});

describe('faults and kept endpoints', () => {
  it('a fault armed for an instance that RS ends before it runs does not strike the next instance at the same endpoint', () => {
    const system = boot();
    system.run({ untilCycles: SECOND });
    const endpoint = system.serviceStatus('keeper')!.endpoint;
    system.injectFault('keeper', 'crash');
    // RS restarts the keeper within microseconds, long before its next tick would let the fault strike.
    assert.equal(service(system, 'restart', 'keeper', SECOND + AT_ONCE), OK);
    system.run({ untilCycles: 2 * SECOND });
    const s = system.serviceStatus('keeper')!;
    assert.equal(s.endpoint, endpoint, 'the new instance kept the endpoint');
    assert.equal(s.restarts, 1, 'only the requested restart: the new instance did not crash');
    assert.equal(s.state, 'running');
    const fault = system.faults.at(-1)!;
    assert.equal(fault.appliedAtCycles, null, 'the fault never struck');
  });
});
