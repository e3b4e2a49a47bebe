// Running time in the trace is exact: the kernel records a RECEIVE that blocks
// and every period the CPU idles, so a process's running span covers its user
// work up to the moment it blocks, and nobody runs while the CPU idles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANY, IDLE } from '../../../simulator/kernel/constants';
import { Message } from '../../../simulator/kernel/message';
import { TraceKind } from '../../../simulator/trace/kinds';
import { SPAN_BLOCKED_RECEIVE, SPAN_RUNNING, type TraceModel } from '../../../simulator/trace/model';
import { modelForFile } from '../../../simulator/system/traceNames';
import type { Simulator } from '../../../simulator/engine/simulator';
import { makeSim } from '../kernel/helpers';

const WORK = 50_000;

function modelOf(sim: Simulator): TraceModel {
  const endpointNames = Object.fromEntries(sim.processes().map((p) => [String(p.endpoint), p.name]));
  const model = modelForFile({ trace: sim.trace, meta: { scenario: 'test', configuration: 'microkernel', seed: 1, costProfile: sim.cost.name, clockHz: sim.clock.hz, endpointNames } });
  model.refresh();
  return model;
}

function spans(model: TraceModel, label: string, state: number): { start: number; end: number }[] {
  const list = model.primary[model.laneOfLabel(label)]!;
  const out: { start: number; end: number }[] = [];
  for (let k = 0; k < list.count; k++) if (list.state[k] === state) out.push({ start: list.start[k]!, end: list.end[k]! });
  return out;
}

test('a process runs until it blocks, user work after its last kernel entry included; nobody runs while the CPU idles', () => {
  const sim = makeSim({
    worker: function* (sys) {
      const m = new Message();
      for (;;) {
        yield sys.receive(ANY, m);
        // User work with no kernel entry, then back to RECEIVE.
        yield sys.compute(WORK);
      }
    },
    sender: function* (sys) {
      const worker = sys.args['worker'] as number;
      for (let i = 0; i < 3; i++) {
        yield sys.send(worker, new Message(1));
        // Sleep: the CPU idles once the worker is done.
        yield sys.sys_setalarm(1_000_000);
        yield sys.receive(ANY, new Message());
      }
    },
  });
  const worker = sim.spawn({ program: 'worker' });
  sim.spawn({ program: 'sender', args: { worker }, privilege: { system: true, kernelCalls: ['SETALARM'] } });
  sim.run({ untilCycles: 5_000_000 });
  const model = modelOf(sim);
  const waits = sim.trace.query({ kinds: [TraceKind.ipcWait] }).filter((e) => e.src === worker);
  const idle = sim.trace.query({ kinds: [TraceKind.contextSwitch] }).filter((e) => e.dst === IDLE);
  assert.ok(waits.length >= 3, 'each blocking RECEIVE is recorded');
  assert.ok(idle.length >= 3, 'each idle period is recorded');

  // Each message's work shows as running right up to the worker's next wait.
  const running = spans(model, 'worker', SPAN_RUNNING);
  for (const w of waits.slice(1)) {
    const span = running.find((s) => s.end === w.timeCycles);
    assert.ok(span !== undefined, `a running span ends at the wait at ${w.timeCycles}`);
    assert.ok(span.end - span.start >= WORK, `it covers the ${WORK} cycles of user work (${span.end - span.start})`);
  }
  // Between waiting and the next message the worker is blocked in RECEIVE.
  assert.ok(spans(model, 'worker', SPAN_BLOCKED_RECEIVE).length >= 2);

  // While the CPU idles, no lane runs; and running spans never overlap across lanes (one CPU).
  const all = [...running, ...spans(model, 'sender', SPAN_RUNNING)].sort((a, b) => a.start - b.start);
  for (let k = 1; k < all.length; k++) assert.ok(all[k]!.start >= all[k - 1]!.end, 'one process runs at a time');
  for (const e of idle) {
    const back = sim.trace.query({ fromCycles: e.timeCycles, kinds: [TraceKind.contextSwitch] }).find((s) => s.src === IDLE);
    const until = back?.timeCycles ?? sim.clock.now();
    for (const s of all) assert.ok(s.end <= e.timeCycles || s.start >= until, `nobody runs in the idle period ${e.timeCycles}..${until}`);
  }
});
