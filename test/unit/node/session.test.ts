// The worker's session: starts, paces, pauses, resumes and stops a system; driver
// operations and faults reach RS; snapshots are rate-limited; untrusted code is refused.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, SessionError, SNAPSHOT_INTERVAL_MS, sessionHandlers } from '../../../node/worker/session';
import { MAX_BACKLOG_MS, Pacer, SliceSizer } from '../../../node/worker/pacing';
import type { StartParams, SystemSnapshot, WorkerToHost } from '../../../simulator/protocol/workerProtocol';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const builtin = (name: string, speed = 0): StartParams => ({ source: { kind: 'builtin', name }, speed, trusted: true });

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await wait(20);
  }
}

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'mklab-session-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a started system runs, a paused one keeps its simulated time, a resumed one goes on, a stopped one cannot resume', async () => {
  const session = new Session();
  try {
    const started = session.start(builtin('default'));
    assert.equal(started.state, 'running');
    assert.equal(started.name, 's1');
    await until('simulated time advances', () => session.status().nowCycles > 1e9);
    const paused = session.pause();
    assert.equal(paused.state, 'paused');
    await wait(100);
    assert.equal(session.status().nowCycles, paused.nowCycles, 'time moved while paused');
    assert.equal(session.resume().state, 'running');
    await until('time moves again after resume', () => session.status().nowCycles > paused.nowCycles);
    assert.equal(session.stop().state, 'stopped');
    const at = session.status().nowCycles;
    await wait(60);
    assert.equal(session.status().nowCycles, at);
    assert.throws(() => session.resume(), (e: Error) => e instanceof SessionError && /been stopped/.test(e.message));
  } finally {
    session.dispose();
  }
});

test('at speed 1 simulated time follows the wall clock', async () => {
  const session = new Session();
  try {
    session.start(builtin('default', 1));
    const t0 = performance.now();
    await wait(600);
    const wallS = (performance.now() - t0) / 1000;
    const simS = session.status().nowCycles / 1e9;
    assert.ok(simS > wallS * 0.5 && simS < wallS * 1.2, `simulated ${simS.toFixed(3)} s in ${wallS.toFixed(3)} s of wall time`);
  } finally {
    session.dispose();
  }
});

test('while a system runs as fast as it can, the event loop still gets a turn every few milliseconds', async () => {
  const session = new Session();
  try {
    session.start(builtin('default', 0));
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await new Promise((r) => setImmediate(r));
      worst = Math.max(worst, performance.now() - t);
    }
    assert.ok(worst < 100, `an event-loop turn waited ${worst.toFixed(1)} ms`);
    assert.equal(session.pause().state, 'paused');
  } finally {
    session.dispose();
  }
});

test('snapshots are pushed complete and no more than four times a second', async () => {
  const session = new Session();
  const pushed: { at: number; snapshot: SystemSnapshot }[] = [];
  session.setPublisher((snapshot) => pushed.push({ at: performance.now(), snapshot }));
  try {
    session.start(builtin('default', 0));
    await wait(1100);
    session.pause();
    assert.ok(pushed.length >= 3 && pushed.length <= 6, `${pushed.length} snapshots in 1.1 s`);
    for (let i = 1; i < pushed.length; i++) {
      assert.ok(pushed[i]!.at - pushed[i - 1]!.at >= SNAPSHOT_INTERVAL_MS - 5, 'two snapshots closer than the interval');
    }
    const last = pushed[pushed.length - 1]!.snapshot;
    assert.ok(last.processes.some((p) => p.label === 'nic' && p.group === 'drivers'));
    assert.ok(last.devices.length > 0);
    assert.equal(last.session?.name, 's1');
  } finally {
    session.dispose();
  }
});

test('restarting a driver raises its restart count and it comes back running', async () => {
  const session = new Session();
  try {
    session.start(builtin('default', 0));
    await until('nic is up', () => session.snapshot()?.processes.find((p) => p.label === 'nic' && p.serviceState === 'running'));
    const before = session.snapshot()!.processes.find((p) => p.label === 'nic')!;
    assert.match(session.driverOperation('restart', 'nic'), /service restart nic/);
    const after = await until('nic restarted', () =>
      session.snapshot()?.processes.find((p) => p.label === 'nic' && p.restarts > before.restarts && p.serviceState === 'running'),
    );
    assert.notEqual(after.endpoint, before.endpoint, 'the restarted driver is a new instance');
    assert.ok(session.status().restarts >= 1);
  } finally {
    session.dispose();
  }
});

test('an injected crash is seen by the reincarnation server, which restarts the driver', async () => {
  const session = new Session();
  try {
    session.start(builtin('default', 0));
    await until('nic is up', () => session.snapshot()?.processes.find((p) => p.label === 'nic' && p.serviceState === 'running'));
    assert.match(session.injectFault('nic', 'crash'), /crash armed in nic/);
    const nic = await until('nic crashed and came back', () =>
      session.snapshot()?.processes.find((p) => p.label === 'nic' && p.restarts >= 1 && p.serviceState === 'running'),
    );
    assert.match(nic.lastExit ?? '', /crash/);
  } finally {
    session.dispose();
  }
});

test('a killed driver is restarted; a fault injected while paused waits for resume', async () => {
  const session = new Session();
  try {
    session.start(builtin('default', 0));
    await until('printer is up', () => session.snapshot()?.processes.find((p) => p.label === 'printer' && p.serviceState === 'running'));
    assert.match(session.driverOperation('kill', 'printer'), /SIGKILL/);
    await until('printer came back', () => session.snapshot()?.processes.find((p) => p.label === 'printer' && p.restarts >= 1 && p.serviceState === 'running'));
    session.pause();
    assert.match(session.injectFault('nic', 'crash'), /when the system resumes/);
    assert.match(session.driverOperation('restart', 'disk'), /takes effect when the system resumes/);
  } finally {
    session.dispose();
  }
});

test('bad requests get clear errors and change nothing', async () => {
  const session = new Session();
  try {
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
    assert.throws(() => session.driverOperation('restart', 'nosuch'), /not a service of s1/);
    assert.throws(() => session.driverOperation('restart', 'rs'), /reincarnation server itself/);
    assert.throws(() => session.start(builtin('s7')), /no built-in scenario/);
    assert.equal(session.status().name, 's1', 'a failed start left the running system alone');
  } finally {
    session.dispose();
  }
});

test('a workspace scenario with user drivers is refused while untrusted, and runs its driver when trusted', async () => {
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
  const session = new Session();
  try {
    assert.throws(
      () => session.start({ source: { kind: 'scenarioFile', file, text }, speed: 0, trusted: false }),
      (e: Error) => e instanceof SessionError && /not trusted/.test(e.message) && /echo\.ts/.test(e.message),
    );
    assert.equal(session.system, undefined, 'nothing was booted');
    session.start({ source: { kind: 'scenarioFile', file, text }, speed: 0, trusted: true });
    await until('the user driver runs', () => session.snapshot()?.processes.find((p) => p.label === 'echo' && p.group === 'drivers'));
    const details = session.serviceDetails('echo');
    assert.match(details.conf ?? '', /service echo/);
    assert.equal(details.source, join(dir, 'echo.ts'));
  } finally {
    session.dispose();
  }
});

test('a workspace scenario without code and a system.conf start while untrusted', () => {
  const session = new Session();
  try {
    const text = JSON.stringify({ name: 'plain', system: 'default', configuration: 'microkernel', seed: 2, duration: '10s' });
    assert.equal(session.start({ source: { kind: 'scenarioFile', file: join(dir, 'plain.mklab.json'), text }, speed: 0, trusted: false }).name, 'plain');
    const conf = session.serviceDetails('nic').conf ?? '';
    assert.match(conf, /^service nic/);
    const status = session.start({ source: { kind: 'systemConf', file: join(dir, 'system.conf'), text: session.system!.systemConfText }, speed: 0, trusted: false });
    assert.equal(status.untilCycles, null);
    assert.equal(status.configuration, 'microkernel-iommu');
  } finally {
    session.dispose();
  }
});

test('the IOMMU state names each domain and logs the blocked transfers of a wild DMA', async () => {
  const session = new Session();
  try {
    session.start(builtin('s1', 0));
    await until('nic is up', () => session.snapshot()?.processes.find((p) => p.label === 'nic' && p.serviceState === 'running'));
    const before = session.iommuState();
    assert.ok(before);
    assert.equal(before.invalidation, 'strict');
    assert.ok(before.domains.some((d) => d.label !== '' && d.mappings.length > 0), 'no domain with mappings');
    session.injectFault('nic', 'wild-dma');
    const after = await until('a blocked transfer', () => {
      const s = session.iommuState();
      return s !== null && s.blocked.length > 0 ? s : undefined;
    });
    const b = after.blocked[0]!;
    assert.ok(b.device.length > 0 && b.timeCycles > 0 && b.iova >= 0);
  } finally {
    session.dispose();
  }
});

test('the request handlers answer through the worker protocol and push snapshot events', async () => {
  const posted: WorkerToHost[] = [];
  const session = new Session();
  const handlers = sessionHandlers({ session, post: (m) => posted.push(m) });
  try {
    const catalog = await handlers.sessionCatalog({});
    assert.deepEqual(catalog.scenarios.map((s) => s.name).sort(), ['default', 's1', 's2', 's3']);
    assert.ok(catalog.faultTypes.every((f) => f.description.length > 20));
    await handlers.startSystem(builtin('default', 0));
    await until('a snapshot event', () => posted.find((m) => m.kind === 'event' && m.event === 'snapshot'));
    const r = await handlers.driverOperation({ op: 'restart', label: 'nic' });
    assert.equal(r.status.state, 'running');
    await assert.rejects(async () => handlers.driverOperation({ op: 'explode' as never, label: 'nic' }), /unknown operation/);
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
