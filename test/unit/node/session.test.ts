// The worker's session: starts, paces, pauses, resumes and stops a system; driver
// operations and faults reach RS; snapshots are rate-limited; untrusted code is refused.
// The session runs on a fake clock that moves only when the test moves it, on a modelled
// machine that simulates a set number of simulated seconds per wall second, so that every
// timing below holds exactly, on any real machine and under any load.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, SessionError, SNAPSHOT_INTERVAL_MS, TICK_BUDGET_MS, TICK_INTERVAL_MS, sessionHandlers } from '../../../node/worker/session';
import { MAX_BACKLOG_MS, Pacer, SliceSizer } from '../../../node/worker/pacing';
import { formatSimTime as formatAt } from '../../../simulator/time/time';
import { DEFAULT_COST_PROFILE, costProfile, costProfiles } from '../../../simulator/kernel/costs/costProfiles';
import type { ProcessSummary, StartParams, SystemSnapshot, WorkerToHost } from '../../../simulator/protocol/workerProtocol';
import { FakeClock } from './fakeClock';
import { TraceKind } from '../../../simulator/trace/kinds';

const builtin = (name: string, speed = 0): StartParams => ({ source: { kind: 'builtin', name }, speed, trusted: true });
/** Simulated cycles per millisecond of wall time at `speed` simulated seconds per second. */
/** The clock of the default cost profile, which the built-in scenarios and these tests' scenario files run with. */
const CLOCK_HZ = costProfile(DEFAULT_COST_PROFILE).clockHz;
const formatSimTime = (cycles: number): string => formatAt(cycles, CLOCK_HZ);
const cyclesPerMs = (speed: number): number => (speed * CLOCK_HZ) / 1000;

interface Rig {
  session: Session;
  clock: FakeClock;
  /** Makes the modelled machine simulate `rate` simulated seconds per wall second from now on. */
  machine(rate: number): void;
}

/** Runs `body` with a session on a fake clock and a machine that simulates `rate` simulated seconds per wall second. */
async function withSession(rate: number, body: (rig: Rig) => void | Promise<void>): Promise<void> {
  const clock = new FakeClock();
  const session = new Session(clock);
  const machine = (r: number) => clock.chargeWork(() => ({ system: session.system, cycles: session.system?.nowCycles ?? 0 }), cyclesPerMs(r));
  machine(rate);
  try {
    await body({ session, clock, machine });
  } finally {
    session.dispose();
  }
}

/** The service's row in the session's snapshot, if it passes `accept`. */
function serviceRow(session: Session, label: string, accept: (p: ProcessSummary) => boolean = () => true): ProcessSummary | undefined {
  return session.snapshot()?.processes.find((p) => p.label === label && accept(p));
}

/** Runs the clock until the service is running (and passes `accept`), and returns its row. */
function untilRunning(rig: Rig, what: string, label: string, accept: (p: ProcessSummary) => boolean = () => true): ProcessSummary {
  return rig.clock.until(what, () => serviceRow(rig.session, label, (p) => p.serviceState === 'running' && accept(p)));
}

/** Runs the clock until the session has simulated further than `cycles`. */
function untilPast(rig: Rig, what: string, cycles: number): number {
  return rig.clock.until(what, () => rig.session.status().nowCycles > cycles && rig.session.status().nowCycles);
}

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'mklab-session-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a started system runs, a paused one keeps its simulated time, a resumed one goes on, a stopped one cannot resume', () =>
  withSession(10, (rig) => {
    const { session, clock } = rig;
    const started = session.start(builtin('default'));
    assert.equal(started.state, 'running');
    assert.equal(started.name, 's1');
    untilPast(rig, 'simulated time advances', CLOCK_HZ);
    const paused = session.pause();
    assert.equal(paused.state, 'paused');
    clock.advance(1000);
    assert.equal(session.status().nowCycles, paused.nowCycles, 'time moved while paused');
    assert.equal(clock.pendingCount, 0, 'the run loop is still scheduled while paused');
    assert.equal(session.resume().state, 'running');
    untilPast(rig, 'time moves again after resume', paused.nowCycles);
    assert.equal(session.stop().state, 'stopped');
    const at = session.status().nowCycles;
    clock.advance(1000);
    assert.equal(session.status().nowCycles, at);
    assert.equal(clock.pendingCount, 0, 'the run loop is still scheduled after stop');
    assert.throws(() => session.resume(), (e: Error) => e instanceof SessionError && /been stopped/.test(e.message));
  }));

for (const speed of [1, 10]) {
  test(`at speed ${speed} simulated time follows the wall clock ${speed}× over, never ahead and at most two ticks behind`, () =>
    withSession(100, ({ session, clock }) => {
      session.start(builtin('default', speed));
      const startMs = clock.nowMs();
      for (let i = 0; i < 20; i++) {
        clock.advance(50);
        const wallMs = clock.nowMs() - startMs;
        const { nowCycles, lagging } = session.status();
        assert.ok(nowCycles <= wallMs * cyclesPerMs(speed), `${formatSimTime(nowCycles)} simulated after ${wallMs} ms: ahead of the wall clock`);
        assert.ok(nowCycles >= (wallMs - 2 * TICK_INTERVAL_MS) * cyclesPerMs(speed), `${formatSimTime(nowCycles)} simulated after ${wallMs} ms: behind`);
        assert.equal(lagging, false);
      }
    }));
}

test('a new speed takes effect from the moment it is set', () =>
  withSession(100, ({ session, clock }) => {
    session.start(builtin('default', 1));
    clock.advance(300);
    const switchMs = clock.nowMs();
    const atSwitch = session.setSpeed(10);
    assert.equal(atSwitch.speed, 10);
    clock.advance(300);
    const ranCycles = session.status().nowCycles - atSwitch.nowCycles;
    const wallMs = clock.nowMs() - switchMs;
    assert.ok(ranCycles <= wallMs * cyclesPerMs(10), `${formatSimTime(ranCycles)} simulated in ${wallMs} ms at speed 10`);
    assert.ok(ranCycles >= (wallMs - 2 * TICK_INTERVAL_MS) * cyclesPerMs(10), `${formatSimTime(ranCycles)} simulated in ${wallMs} ms at speed 10`);
  }));

test('while a system runs as fast as it can, a request waits at most one tick budget and one slice, and a pause is answered at once', () =>
  withSession(1, (rig) => {
    // A machine that simulates in real time: a slice of the first size takes most of a tick's budget.
    const { session, clock } = rig;
    session.start(builtin('default', 0));
    let worstWaitMs = 0;
    let answered = 0;
    const request = (): void => {
      const due = clock.nowMs() + 1;
      clock.defer(() => {
        worstWaitMs = Math.max(worstWaitMs, clock.nowMs() - due);
        if (++answered < 200) request();
      }, 1);
    };
    request();
    clock.until('200 requests answered', () => answered >= 200);
    assert.ok(session.status().nowCycles > 0, 'the system did not run between the requests');
    assert.ok(clock.longestWorkMs < TICK_BUDGET_MS, `a slice took ${clock.longestWorkMs} ms`);
    assert.ok(worstWaitMs <= TICK_BUDGET_MS + clock.longestWorkMs, `a request waited ${worstWaitMs} ms`);
    const askedMs = clock.nowMs() + 1;
    let pause: { answeredMs: number; nowCycles: number } | undefined;
    clock.defer(() => (pause = { answeredMs: clock.nowMs(), nowCycles: session.pause().nowCycles }), 1);
    const { answeredMs, nowCycles } = clock.until('the pause is answered', () => pause);
    assert.ok(answeredMs - askedMs <= TICK_BUDGET_MS + clock.longestWorkMs, `the pause waited ${answeredMs - askedMs} ms`);
    clock.advance(100);
    assert.equal(session.status().state, 'paused');
    assert.equal(session.status().nowCycles, nowCycles, 'a tick ran after the pause was answered');
  }));

test('when the event loop was held up, the session drops the backlog beyond 250 ms instead of bursting, and says it lags', () =>
  withSession(100, (rig) => {
    const { session, clock } = rig;
    session.start(builtin('default', 1));
    clock.advance(200);
    assert.equal(session.status().lagging, false);
    const before = session.status().nowCycles;
    clock.stall(1000);
    const after = untilPast(rig, 'the first tick after the stall', before);
    assert.equal(after - before, MAX_BACKLOG_MS * cyclesPerMs(1), `the tick after a 1 s stall simulated ${formatSimTime(after - before)}`);
    assert.equal(session.status().lagging, true);
    untilPast(rig, 'the next tick', after);
    assert.equal(session.status().lagging, false, 'still lagging once the session keeps up again');
  }));

test('on a machine too slow for the speed the session says it lags, and once the machine keeps up it catches up 250 ms at most', () =>
  withSession(0.5, (rig) => {
    const { session, clock, machine } = rig;
    session.start(builtin('default', 1));
    clock.advance(2000);
    const slow = session.status();
    assert.equal(slow.state, 'running');
    assert.equal(slow.lagging, true);
    assert.ok(slow.nowCycles <= clock.nowMs() * cyclesPerMs(0.5), `${formatSimTime(slow.nowCycles)} simulated in 2 s on a machine of half the speed`);
    machine(100);
    const caughtUp = untilPast(rig, 'the first tick on the fast machine', slow.nowCycles);
    assert.equal(caughtUp - slow.nowCycles, MAX_BACKLOG_MS * cyclesPerMs(1), `the first fast tick simulated ${formatSimTime(caughtUp - slow.nowCycles)}`);
    assert.equal(session.status().lagging, true);
    const fromMs = clock.nowMs();
    clock.advance(500);
    const ranCycles = session.status().nowCycles - caughtUp;
    const wallMs = clock.nowMs() - fromMs;
    assert.ok(ranCycles <= wallMs * cyclesPerMs(1) + 2 * TICK_INTERVAL_MS * cyclesPerMs(1), `${formatSimTime(ranCycles)} simulated in ${wallMs} ms after catching up`);
    assert.ok(ranCycles >= (wallMs - 2 * TICK_INTERVAL_MS) * cyclesPerMs(1), `${formatSimTime(ranCycles)} simulated in ${wallMs} ms after catching up`);
    assert.equal(session.status().lagging, false);
  }));

test('a scenario ends in the finished state exactly at its duration, says so in a last snapshot, and cannot resume', () =>
  withSession(10, ({ session, clock }) => {
    const file = join(dir, 'short.mklab.json');
    const text = JSON.stringify({ name: 'short', system: 'default', configuration: 'microkernel-iommu', seed: 1, duration: '2s' });
    const pushed: SystemSnapshot[] = [];
    session.setPublisher((snapshot) => pushed.push(snapshot));
    const started = session.start({ source: { kind: 'scenarioFile', file, text }, speed: 0, trusted: true });
    assert.equal(started.untilCycles, 2 * CLOCK_HZ);
    const finished = clock.until('the scenario finishes', () => session.status().state === 'finished' && session.status());
    assert.equal(finished.nowCycles, 2 * CLOCK_HZ, 'the run stopped elsewhere than at the duration');
    assert.equal(finished.message, "the scenario's duration (2 s) has passed");
    clock.advance(SNAPSHOT_INTERVAL_MS);
    assert.equal(clock.pendingCount, 0, 'something is still scheduled after the end');
    const last = pushed[pushed.length - 1]!;
    assert.equal(last.session?.state, 'finished');
    assert.equal(last.running, false);
    assert.throws(() => session.resume(), (e: Error) => e instanceof SessionError && /has finished/.test(e.message));
  }));

test('snapshots are pushed complete, at most every 250 ms, and keep coming while the system runs', () =>
  withSession(10, ({ session, clock }) => {
    const pushed: { at: number; snapshot: SystemSnapshot }[] = [];
    session.setPublisher((snapshot) => pushed.push({ at: clock.nowMs(), snapshot }));
    session.start(builtin('default', 0));
    clock.advance(1100);
    const whileRunning = pushed.length;
    session.pause();
    clock.advance(SNAPSHOT_INTERVAL_MS);
    assert.ok(whileRunning >= 4, `${whileRunning} snapshots in 1.1 s`);
    for (let i = 1; i < pushed.length; i++) {
      const gap = pushed[i]!.at - pushed[i - 1]!.at;
      assert.ok(gap >= SNAPSHOT_INTERVAL_MS, `two snapshots ${gap} ms apart`);
      if (i < whileRunning) assert.ok(gap <= SNAPSHOT_INTERVAL_MS + TICK_BUDGET_MS + clock.longestWorkMs, `no snapshot for ${gap} ms while the system ran`);
    }
    assert.equal(pushed.length, whileRunning + 1, 'the pause is pushed');
    const last = pushed[pushed.length - 1]!.snapshot;
    assert.equal(last.running, false);
    assert.equal(last.session?.state, 'paused');
    assert.ok(last.processes.some((p) => p.label === 'nic' && p.group === 'drivers'));
    assert.ok(last.devices.length > 0);
    assert.equal(last.session?.name, 's1');
  }));

test('restarting a driver raises its restart count and it comes back running', () =>
  withSession(10, (rig) => {
    const { session } = rig;
    session.start(builtin('default', 0));
    const before = untilRunning(rig, 'nic is up', 'nic');
    assert.match(session.driverOperation('restart', 'nic'), /service restart nic/);
    const after = untilRunning(rig, 'nic restarted', 'nic', (p) => p.restarts > before.restarts);
    assert.equal(after.endpoint, before.endpoint, 'the restarted driver keeps its endpoint (MINIX 3.4)');
    assert.ok(after.lastExit !== undefined && after.lastExit !== before.lastExit, 'the row says why the old instance ended');
    assert.ok(session.status().restarts >= 1);
  }));

test('an injected crash is seen by the reincarnation server, which restarts the driver', () =>
  withSession(10, (rig) => {
    const { session } = rig;
    session.start(builtin('default', 0));
    untilRunning(rig, 'nic is up', 'nic');
    // A code-level fault needs the driver loaded from its source, which a run without such a fault does not do.
    assert.throws(() => session.injectFault('nic', 'invert-loop'), /invert-loop mutates nic's code, which this run did not load from its source: give the scenario an? invert-loop fault for nic/);
    assert.match(session.injectFault('nic', 'crash'), /crash armed in nic/);
    const nic = untilRunning(rig, 'nic crashed and came back', 'nic', (p) => p.restarts >= 1);
    assert.match(nic.lastExit ?? '', /crash/);
  }));

test('a killed driver is restarted; a fault injected while paused waits for resume', () =>
  withSession(10, (rig) => {
    const { session } = rig;
    session.start(builtin('default', 0));
    untilRunning(rig, 'printer is up', 'printer');
    assert.match(session.driverOperation('kill', 'printer'), /SIGKILL/);
    untilRunning(rig, 'printer came back', 'printer', (p) => p.restarts >= 1);
    session.pause();
    assert.match(session.injectFault('nic', 'crash'), /when the system resumes/);
    assert.match(session.driverOperation('restart', 'disk'), /takes effect when the system resumes/);
  }));

test('bad requests get clear errors and change nothing', () =>
  withSession(10, ({ session }) => {
    assert.throws(() => session.driverOperation('restart', 'nic'), /no system is running/);
    assert.throws(() => session.start(builtin('s9')), /no built-in scenario 's9'/);
    assert.throws(() => session.start({ ...builtin('s1'), configuration: 'exokernel' }), /unknown configuration 'exokernel'/);
    // Names an object has by inheritance are not profiles.
    for (const name of ['constructor', '__proto__', 'toString']) {
      assert.throws(() => session.start({ ...builtin('s1'), costProfile: name }), new RegExp(`unknown cost profile '${name}'`));
    }
    assert.throws(() => session.start({ ...builtin('s1'), speed: -1 }), /speed/);
    assert.throws(() => session.start({ source: { kind: 'scenarioFile', file: join(dir, 'x.mklab.json'), text: '{ "name": 3 }' }, speed: 1, trusted: true }), /not a valid scenario/);
    assert.equal(session.status().state, 'idle');
    session.start(builtin('s1'));
    assert.throws(() => session.injectFault('nic', 'meteor'), /unknown fault type 'meteor'/);
    assert.throws(() => session.start({ source: { kind: 'trial', id: 'microkernel:nic:crash:1:0000000g' }, speed: 1, trusted: true }), /is not a trial id: expected CONFIGURATION:TARGET:FAULT-TYPE:FAULTS:SEED/);
    assert.throws(() => session.driverOperation('restart', 'nosuch'), /not a service of s1/);
    assert.throws(() => session.driverOperation('restart', 'rs'), /reincarnation server itself/);
    assert.throws(() => session.start(builtin('s9')), /no built-in scenario/);
    assert.equal(session.status().name, 's1', 'a failed start left the running system alone');
  }));

test('a workspace scenario with user drivers is refused while untrusted, and runs its driver when trusted', () => {
  writeFileSync(
    join(dir, 'echo.ts'),
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  for (;;) yield sys.compute(1000);
}
`,
  );
  writeFileSync(join(dir, 'echo.conf'), 'service echo {\n  system BASIC;\n  ipc ALL;\n};\n');
  const file = join(dir, 'mine.mklab.json');
  const text = JSON.stringify({ name: 'mine', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '10s', userDrivers: ['echo.ts'] });
  writeFileSync(file, text);
  return withSession(10, ({ session, clock }) => {
    assert.throws(
      () => session.start({ source: { kind: 'scenarioFile', file, text }, speed: 0, trusted: false }),
      (e: Error) => e instanceof SessionError && /not trusted/.test(e.message) && /echo\.ts/.test(e.message),
    );
    assert.equal(session.system, undefined, 'nothing was booted');
    session.start({ source: { kind: 'scenarioFile', file, text }, speed: 0, trusted: true });
    clock.until('the user driver runs', () => serviceRow(session, 'echo', (p) => p.group === 'drivers'));
    const details = session.serviceDetails('echo');
    assert.match(details.conf ?? '', /service echo/);
    assert.equal(details.source, join(dir, 'echo.ts'));
  });
});

test('a workspace scenario without code and a system.conf start while untrusted', () =>
  withSession(10, ({ session }) => {
    const text = JSON.stringify({ name: 'plain', system: 'default', configuration: 'microkernel', seed: 2, duration: '10s' });
    assert.equal(session.start({ source: { kind: 'scenarioFile', file: join(dir, 'plain.mklab.json'), text }, speed: 0, trusted: false }).name, 'plain');
    const conf = session.serviceDetails('nic').conf ?? '';
    assert.match(conf, /^service nic/);
    const status = session.start({ source: { kind: 'systemConf', file: join(dir, 'system.conf'), text: session.system!.systemConfText }, speed: 0, trusted: false });
    assert.equal(status.untilCycles, null);
    assert.equal(status.configuration, 'microkernel-iommu');
  }));

test('the IOMMU state names each domain and logs the blocked transfers of a wild DMA', () =>
  withSession(10, (rig) => {
    const { session, clock } = rig;
    session.start(builtin('s1', 0));
    untilRunning(rig, 'nic is up', 'nic');
    const before = session.iommuState();
    assert.ok(before);
    assert.equal(before.invalidation, 'strict');
    assert.ok(before.domains.some((d) => d.label !== '' && d.mappings.length > 0), 'no domain with mappings');
    session.injectFault('nic', 'wild-dma');
    const after = clock.until('a blocked transfer', () => {
      const s = session.iommuState();
      return s !== null && s.blocked.length > 0 ? s : undefined;
    });
    const b = after.blocked[0]!;
    assert.ok(b.device.length > 0 && b.timeCycles > 0 && b.iova >= 0);
  }));

test('under lazy invalidation a DMA through a stale IOTLB entry is in the trace and in the IOMMU state', () =>
  withSession(10, (rig) => {
    const { session } = rig;
    session.start({ ...builtin('s1', 0), configuration: 'microkernel-iommu-lazy' });
    untilRunning(rig, 'nic is up', 'nic');
    assert.equal(session.iommuState()?.staleTransfers, 0);
    // What a device does when its driver unmaps a buffer the device still uses: it reaches the page until the flush.
    const iommu = session.system!.machine.iommu!;
    const device = 7;
    assert.equal(iommu.createDomain(device), undefined);
    assert.equal(iommu.map(device, 0x4000_0000, 0, 4096, { read: true, write: false }), undefined);
    assert.ok(iommu.read(device, 0x4000_0000, 16) instanceof Uint8Array, 'the mapped read fills the IOTLB');
    assert.equal(iommu.unmap(device, 0x4000_0000, 4096), undefined);
    const through = iommu.read(device, 0x4000_0010, 32);
    assert.ok(through instanceof Uint8Array, 'the stale entry let the read through');
    assert.equal(session.iommuState()?.staleTransfers, 1);
    const trace = session.system!.sim.trace;
    // The stale hit is marked, then the transfer itself is traced (a translated read).
    const stale = trace.get(trace.endSeq - 2);
    assert.deepEqual([stale.kind, stale.src, stale.a, stale.b, stale.c], [TraceKind.iommuStale, device, 0x4000_0010, 32, 0]);
    const dma = trace.get(trace.endSeq - 1);
    assert.deepEqual([dma.kind, dma.src, dma.a, dma.b, dma.c], [TraceKind.dma, device, 0x4000_0010, 32, 2]);
  }));

test('the request handlers answer through the worker protocol and push snapshot events', () =>
  withSession(10, async ({ session, clock }) => {
    const posted: WorkerToHost[] = [];
    const handlers = sessionHandlers({ session, post: (m) => posted.push(m) });
    const catalog = await handlers.sessionCatalog({});
    assert.deepEqual(catalog.scenarios.map((s) => s.name).sort(), ['default', 's1', 's2', 's3', 's4', 's5', 's7']);
    assert.ok(catalog.faultTypes.every((f) => f.description.length > 20));
    await handlers.startSystem(builtin('default', 0));
    clock.until('a snapshot event', () => posted.find((m) => m.kind === 'event' && m.event === 'snapshot'));
    const r = await handlers.driverOperation({ op: 'restart', label: 'nic' });
    assert.equal(r.status.state, 'running');
    await assert.rejects(async () => handlers.driverOperation({ op: 'explode' as never, label: 'nic' }), /unknown operation/);
  }));

test('on the real clock the session runs between the event loop’s other callbacks, and stays still once paused', { timeout: 60_000 }, async () => {
  const session = new Session();
  const turn = () => new Promise((r) => setImmediate(r));
  try {
    const started = session.start(builtin('default', 0));
    // Each of these turns comes only after the tick queued before it has run and yielded.
    while (session.status().nowCycles === started.nowCycles) await turn();
    const paused = session.pause();
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(session.status().nowCycles, paused.nowCycles, 'time moved while paused');
  } finally {
    session.dispose();
  }
});

test("a scenario run with another cost profile keeps its times in seconds, counted in that profile's cycles", () => {
  const session = new Session({ nowMs: () => 0, defer: () => () => undefined });
  try {
    const own = session.start(builtin('s3'));
    assert.equal(own.clockHz, costProfiles['sel4-skylake']!.clockHz);
    assert.equal(own.untilCycles, own.clockHz, 'S3 lasts one second');
    const arm = session.start({ ...builtin('s3'), costProfile: 'l4re-cortex-a76' });
    assert.equal(arm.clockHz, costProfiles['l4re-cortex-a76']!.clockHz);
    assert.equal(arm.untilCycles, arm.clockHz, 'still one second, of the other clock');
    assert.equal(session.system!.clockHz, arm.clockHz);
    // RS's heartbeat period (S3: 500 ms) is in cycles of the same clock.
    assert.equal(session.system!.options.heartbeatPeriodCycles, arm.clockHz / 2);
  } finally {
    session.dispose();
  }
});

test('the pacer targets speed × wall time, and drops a backlog instead of bursting', () => {
  const pacer = new Pacer(2, 1e9, 1000, 0);
  assert.equal(pacer.targetCycles(1100, 0), 2e8);
  assert.equal(pacer.takeLagging(), false);
  const far = pacer.targetCycles(11_000, 2e8);
  assert.equal(far, 2e8 + MAX_BACKLOG_MS * 2e6);
  assert.equal(pacer.takeLagging(), true);
  assert.equal(pacer.takeLagging(), false);
  pacer.reanchor(20_000, 5e9, 0);
  assert.equal(pacer.targetCycles(20_001, 5e9), Infinity);
  assert.throws(() => new Pacer(-1, 1e9, 0, 0), /non-negative/);
});

test('the slice sizer grows short slices and shrinks long ones within its bounds', () => {
  const sizer = new SliceSizer(1000, 100, 8000, 2);
  sizer.observe(1000, 0.1);
  assert.equal(sizer.sliceCycles, 2000);
  sizer.observe(500, 0.1);
  assert.equal(sizer.sliceCycles, 2000, 'a slice cut short says nothing about speed');
  for (let i = 0; i < 10; i++) sizer.observe(sizer.sliceCycles, 0.1);
  assert.equal(sizer.sliceCycles, 8000);
  for (let i = 0; i < 10; i++) sizer.observe(sizer.sliceCycles, 50);
  assert.equal(sizer.sliceCycles, 100);
});
