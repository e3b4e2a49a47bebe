// Runaway event growth: a run whose pending events grow without end stops at a stated cap with an error that says
// how many were pending and what scheduled them, instead of growing until V8 runs out of memory.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue, EventQueueOverflow, MAX_PENDING_EVENTS } from '../../../simulator/core/eventQueue';
import { TraceKind } from '../../../simulator/trace/kinds';
import type { Simulator } from '../../../simulator/engine/simulator';
import { makeSim } from '../kernel/helpers';

/** Runs the queue's due events in order until it has none or one throws. */
function drain(q: EventQueue): void {
  for (;;) {
    const t = q.nextTime();
    if (t === Infinity) return;
    q.advanceTo(t);
    while (q.runOneDue());
  }
}

describe('pending events cap', () => {
  it('a queue whose events each schedule two stops at MAX_PENDING_EVENTS with the count and the label that scheduled them', () => {
    assert.equal(MAX_PENDING_EVENTS, 1_000_000);
    const q = new EventQueue(1e9);
    const spread = (): void => {
      q.schedule(10, spread, 'peer:requests');
      q.schedule(10, spread, 'peer:requests');
    };
    q.schedule(0, spread, 'peer:requests');
    let thrown: unknown;
    try {
      drain(q);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof EventQueueOverflow, `expected the queue to stop at its cap, got ${String(thrown)}`);
    assert.equal(thrown.pending, MAX_PENDING_EVENTS);
    assert.equal(q.pendingCount, MAX_PENDING_EVENTS);
    assert.match(
      thrown.message,
      /^the run was stopped at [\d.e-]+ s \(cycle [\d,]+\): 1,000,000 events were pending, the most one run may hold; most were scheduled by 'peer:requests' \(1,000,000\) /,
    );
  });

  it('the error names the labels that scheduled most of the pending events, most first, and the simulated time', () => {
    const q = new EventQueue(2e9, 10);
    q.advanceTo(3e9);
    for (let i = 0; i < 6; i++) q.schedule(1000 + i, () => {}, 'nic0:wire-rx');
    for (let i = 0; i < 3; i++) q.schedule(1, () => {}, 'alarm');
    q.schedule(1, () => {}, 'peer:requests');
    assert.throws(
      () => q.schedule(1, () => {}, 'peer:requests'),
      (e: unknown) => {
        assert.ok(e instanceof EventQueueOverflow);
        assert.deepEqual(e.labels, [{ label: 'nic0:wire-rx', count: 6 }, { label: 'alarm', count: 3 }, { label: 'peer:requests', count: 1 }]);
        assert.equal(
          e.message,
          "the run was stopped at 1.5 s (cycle 3,000,000,000): 10 events were pending, the most one run may hold; most were scheduled by 'nic0:wire-rx' (6), " +
            "'alarm' (3), 'peer:requests' (1) (does a workload offer more than the system can take, or something schedule events faster than they come due?)",
        );
        return true;
      },
    );
    // Events that come due free room: the queue takes new ones again, and cancelling frees room as well.
    q.advanceTo(3e9 + 1);
    while (q.runOneDue());
    assert.equal(q.pendingCount, 6);
    q.schedule(1, () => {}, 'alarm');
  });

  it('a timer re-armed far ahead again and again keeps what the queue holds bounded, and events still run in order', () => {
    const q = new EventQueue(1e9, 100);
    const order: string[] = [];
    q.schedule(5, () => order.push('near'), 'near');
    let alarm = 0;
    // A million re-arms, each cancelling the last: the cancelled entries never reach the heap's top by themselves.
    for (let i = 0; i < 1_000_000; i++) {
      if (alarm !== 0) q.cancel(alarm);
      alarm = q.schedule(1e12 + i, () => order.push('alarm'), 'alarm');
    }
    assert.equal(q.pendingCount, 2);
    assert.ok(q.heldCount <= 2048, `the queue holds ${q.heldCount} entries for 2 pending events`);
    q.schedule(7, () => order.push('later'), 'later');
    drain(q);
    assert.deepEqual(order, ['near', 'later', 'alarm']);
    assert.equal(q.now(), 1e12 + 999_999);
  });
});

describe('a simulator whose pending events grow without end', () => {
  it('stops its run with the overflow, marks it in the trace, and blames no process, even one whose step scheduled the last event', () => {
    // The program stands for anything that schedules while a process runs (a user driver's requests are served then).
    const sim: Simulator = makeSim({
      flooder: function* (sys) {
        for (;;) {
          for (let i = 0; i < 1000; i++) sim.clock.schedule(1_000_000_000, () => {}, 'peer:stream');
          yield sys.compute(1000);
        }
      },
    });
    sim.clock.schedule(1_000_000_000, () => {}, 'alarm');
    sim.spawn({ name: 'flooder', program: 'flooder' });
    const ended: string[] = [];
    sim.on('processEnded', (e) => ended.push(e.name));
    assert.throws(() => sim.run({ untilCycles: 1e12 }), (e: unknown) => {
      assert.ok(e instanceof EventQueueOverflow, String(e));
      assert.match(e.message, /1,000,000 events were pending, the most one run may hold; most were scheduled by 'peer:stream' \(999,999\), 'alarm' \(1\) /);
      return true;
    });
    const marks = sim.trace.query({}).filter((t) => t.kind === TraceKind.custom && t.label === 'events:cap');
    assert.equal(marks.length, 1);
    assert.equal(marks[0]!.a, MAX_PENDING_EVENTS);
    assert.deepEqual(ended, [], 'no process was ended for the simulator\'s limit');
    assert.equal(sim.kernel.procOf(sim.endpointOf('flooder')!)?.name, 'flooder');
  });
});
