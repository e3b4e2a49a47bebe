// Determinism: the same seed gives a byte-identical trace (checked against a
// golden trace), and a restored snapshot continues exactly as the original.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPingPong } from '../../../simulator/bench/ipcBench';
import { Simulator, SNAPSHOT_VERSION, type SimulatorOptions } from '../../../simulator/engine/simulator';
import type { TraceRecorder } from '../../../simulator/trace/recorder';
import { NONE } from '../../../simulator/kernel/constants';

const options = (seed: number): SimulatorOptions => ({
  seed,
  costProfile: 'sel4-skylake',
  memoryBytes: 2 * 1024 * 1024,
  kernelMemoryBytes: 16 * 1024,
  maxProcesses: 16,
  trace: { capacity: 1 << 16 },
  config: { clients: 3, rounds: 40, thinkMaxCycles: 5_000 },
});

function columns(t: TraceRecorder): Buffer {
  const n = t.endSeq;
  return Buffer.concat([t.time, t.kind, t.src, t.dst, t.a, t.b, t.c, t.label].map((col) => Buffer.from(col.buffer, 0, n * col.BYTES_PER_ELEMENT)));
}

/** The trace as text, endpoints replaced by process names (the unstable ids). */
function traceText(sim: Simulator, limit: number): string {
  const names = new Map<number, string>();
  for (const e of sim.trace.query({ kinds: [16] })) names.set(e.dst, e.label);
  const name = (ep: number): string => (ep === NONE ? 'NONE' : names.get(ep) ?? String(ep));
  return sim.trace
    .query({ limit })
    .map((e) => `${e.timeCycles} ${e.kindName} ${name(e.src)} ${name(e.dst)} ${e.a} ${e.b} ${e.c}${e.label ? ' ' + e.label : ''}`)
    .join('\n');
}

describe('determinism', () => {
  it('the same seed gives a byte-identical trace; another seed does not', () => {
    const a = buildPingPong(options(7));
    const b = buildPingPong(options(7));
    const c = buildPingPong(options(8));
    for (const s of [a, b, c]) assert.equal(s.run().reason, 'idle');
    assert.ok(a.trace.endSeq > 400);
    assert.ok(columns(a.trace).equals(columns(b.trace)));
    assert.equal(a.digest(), b.digest());
    assert.ok(!columns(a.trace).equals(columns(c.trace)));
  });

  it('matches the golden trace', () => {
    const sim = buildPingPong(options(7));
    sim.run();
    const golden = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'unit', 'kernel', 'golden', 'pingpong.trace.txt'), 'utf8').trimEnd();
    assert.equal(traceText(sim, 60), golden);
  });
});

describe('snapshot and restore', () => {
  it('a restored snapshot continues exactly as the original', () => {
    const original = buildPingPong(options(3));
    original.run({ maxSteps: 150 });
    const victim = original.endpointOf('client1')!;
    original.kill(victim);
    original.run({ maxSteps: 100 });
    const snap = JSON.parse(JSON.stringify(original.snapshot())) as ReturnType<Simulator['snapshot']>;
    assert.equal(snap.version, SNAPSHOT_VERSION);
    original.run();
    const restored = Simulator.restore(snap, buildPingPong);
    assert.equal(restored.steps, snap.steps);
    restored.run();
    assert.equal(restored.digest(), original.digest());
    assert.ok(columns(restored.trace).equals(columns(original.trace)));
    assert.equal(restored.endpointOf('client1'), undefined);
  });

  it('restores a snapshot taken while paused at a kernel entry', () => {
    const original = buildPingPong(options(4));
    let seen = 0;
    original.kernelEntryHook = (e) => (e.call === 'SENDREC' && ++seen === 20 ? 'pause' : 'continue');
    assert.equal(original.run().reason, 'paused');
    const snap = original.snapshot();
    assert.equal(snap.paused, true);
    original.kernelEntryHook = null;
    original.run();
    const restored = Simulator.restore(snap, buildPingPong);
    restored.run();
    assert.equal(restored.digest(), original.digest());
  });

  it('refuses a snapshot whose state does not rebuild, or of another version', () => {
    const sim = buildPingPong(options(5));
    sim.run({ maxSteps: 50 });
    const snap = sim.snapshot();
    assert.throws(() => Simulator.restore({ ...snap, digest: '0000000000000000' }, buildPingPong), /differs from the snapshot/);
    assert.throws(() => Simulator.restore({ ...snap, version: 99 }, buildPingPong), /version 99/);
    assert.throws(() => Simulator.restore({ ...snap, config: { clients: 3, rounds: 41, thinkMaxCycles: 5_000 } }, buildPingPong), /setup differs/);
  });
});

describe('debugger hooks', () => {
  it('the kernel-entry hook sees the call and can pause; resuming runs the call; source locations are captured on request', () => {
    const sim = buildPingPong({ ...options(6), captureSourceLocations: true });
    const entries: { call: string; name: string; location: string | undefined }[] = [];
    sim.kernelEntryHook = (e) => {
      entries.push({ call: e.call, name: e.name, location: e.location });
      return entries.length === 3 ? 'pause' : 'continue';
    };
    const r = sim.run();
    assert.equal(r.reason, 'paused');
    assert.deepEqual(entries.map((e) => `${e.name} ${e.call}`), ['server RECEIVE', 'client0 SENDREC', 'client1 SENDREC']);
    assert.match(entries[1]!.location ?? '', /ipcBench\.ts:\d+:\d+$/);
    const before = sim.trace.totalRecorded;
    sim.kernelEntryHook = null;
    sim.run({ maxSteps: 1 });
    assert.ok(sim.trace.totalRecorded > before, 'the paused SENDREC ran on resume');
  });
});

describe('where a run is cut into slices changes nothing', () => {
  it('the same run in one piece and in odd-sized slices has the same steps, state digest and trace (a poll-mode spin, user work, idle time)', async () => {
    const { bootScenario, builtinScenario } = await import('../../../simulator/system/scenarios');
    const { secondsToCycles } = await import('../../../simulator/time/time');
    // S4 under kernel-bypass: the application's poll-mode driver spins between packets; under microkernel, processes compute and idle.
    for (const configuration of ['kernel-bypass', 'microkernel'] as const) {
      const whole = bootScenario(builtinScenario('s4'), { configuration });
      const end = secondsToCycles(0.05, whole.clockHz);
      whole.sim.run({ untilCycles: end });
      const sliced = bootScenario(builtinScenario('s4'), { configuration });
      // Slices of a prime number of cycles, as the editor's pacing and the debugger cut runs by wall time.
      for (let t = 7919; sliced.sim.clock.now() < end; t += 7919) sliced.sim.run({ untilCycles: Math.min(end, t) });
      assert.equal(sliced.sim.steps, whole.sim.steps, `${configuration}: steps`);
      assert.equal(sliced.sim.digest(), whole.sim.digest(), `${configuration}: state digest`);
      assert.ok(columns(sliced.sim.trace).equals(columns(whole.sim.trace)), `${configuration}: trace`);
    }
  });
});

describe('pausing at kernel entries', () => {
  it('a run paused at kernel entries and resumed is the run that never paused (S1, with its timers and devices)', async () => {
    const { bootScenario, builtinScenario } = await import('../../../simulator/system/scenarios');
    const { secondsToCycles } = await import('../../../simulator/time/time');
    const boot = () => bootScenario(builtinScenario('s1'), { trace: { capacity: 1 << 18, mode: 'stop' } });
    const straight = boot();
    const until = secondsToCycles(10, straight.clockHz);
    straight.run({ untilCycles: until });

    // The debugger's pause: the hook says 'pause' before the kernel acts, and the next run goes on from there.
    const paused = boot();
    let entries = 0;
    let pauses = 0;
    paused.sim.kernelEntryHook = () => (++entries % 3 === 0 ? 'pause' : 'continue');
    for (;;) {
      const r = paused.run({ untilCycles: until });
      if (r.reason !== 'paused') break;
      pauses++;
    }
    assert.ok(pauses > 1000, `paused ${pauses} times`);
    assert.equal(paused.sim.steps, straight.sim.steps);
    assert.equal(paused.sim.trace.endSeq, straight.sim.trace.endSeq);
    assert.ok(columns(paused.sim.trace).equals(columns(straight.sim.trace)), 'the traces differ');
    assert.equal(paused.sim.digest(), straight.sim.digest());
  });
});
