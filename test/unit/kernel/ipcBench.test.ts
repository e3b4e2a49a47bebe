// The IPC bench's workloads measure what they claim: the steady-state run has
// filled its trace ring before the first window, and every figure is counted
// from the kernel, not assumed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SteadyPingPong, filledTraceRing, runBarePingPong, runSimulatorPingPong } from '../../../simulator/bench/ipcBench';
import { TraceKind } from '../../../simulator/trace/kinds';

const clock = (): (() => number) => {
  let t = 0;
  return () => ++t;
};

describe('IPC bench workloads', () => {
  it('a steady window starts with the trace ring full and counts the messages it ran', () => {
    const steady = new SteadyPingPong(3, 3_000, { capacity: 4_096 });
    assert.ok(steady.sim.trace.totalRecorded >= 4_096, 'the warm-up filled the ring');
    const before = steady.sim.kernel.stats.messages;
    const w = steady.window(clock());
    assert.equal(w.messages, steady.sim.kernel.stats.messages - before);
    // Each round trip is three steps (client SENDREC, server reply, server receive) and two messages.
    assert.ok(w.messages >= 1_990 && w.messages <= 2_010, `${w.messages} messages in 3,000 steps`);
    assert.ok(w.traceEvents > w.messages, 'every message and context switch was recorded');
    assert.equal(steady.sim.trace.dropped, steady.sim.trace.totalRecorded - 4_096, 'the ring overwrites its oldest events');
  });

  it('the cold run and the bare loop deliver every message of every round', () => {
    assert.equal(runSimulatorPingPong(2, 50, clock(), { capacity: 1_024 }).messages, 200);
    assert.equal(runBarePingPong(2, 50, clock()).messages, 200);
  });

  it('the traced bare loop writes each message and each change of process over a full ring, in time order', () => {
    const ring = filledTraceRing(4_096);
    assert.equal(ring.totalRecorded, 4_096);
    const r = runBarePingPong(2, 500, clock(), ring);
    assert.equal(r.messages, 2_000);
    const events = ring.query({ limit: 10_000 });
    const sends = events.filter((e) => e.kind === TraceKind.ipcSend).length;
    const switches = events.filter((e) => e.kind === TraceKind.contextSwitch).length;
    assert.equal(r.traceEvents, ring.totalRecorded - 4_096);
    assert.equal(sends, 2_000, 'one send per message');
    assert.ok(switches >= 1_000 && switches === r.traceEvents - sends, `${switches} switches`);
    assert.ok(events.every((e, i) => i === 0 || e.timeCycles > events[i - 1]!.timeCycles));
  });
});
