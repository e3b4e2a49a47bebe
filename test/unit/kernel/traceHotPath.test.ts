// The recorder's straight path (one comparison per record): wrapping, 'stop'
// mode and switching recording off and on in the middle of a run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TraceRecorder } from '../../../simulator/trace/recorder';
import { TraceKind } from '../../../simulator/trace/kinds';

describe('trace recorder hot path', () => {
  it('wraps the ring and counts overwritten events', () => {
    const t = new TraceRecorder({ capacity: 3 });
    for (let i = 0; i < 7; i++) t.record(i, TraceKind.ipcSend, i, 0, 0, 0, 0);
    assert.equal(t.totalRecorded, 7);
    assert.equal(t.dropped, 4);
    assert.deepEqual([4, 5, 6].map((s) => t.get(s).src), [4, 5, 6]);
  });

  it('stops recording while disabled and resumes where it was', () => {
    for (const mode of ['ring', 'stop'] as const) {
      const t = new TraceRecorder({ capacity: 4, mode });
      t.record(1, TraceKind.ipcSend, 1, 0, 0, 0, 0);
      t.enabled = false;
      t.record(2, TraceKind.ipcSend, 2, 0, 0, 0, 0);
      assert.equal(t.enabled, false);
      assert.equal(t.totalRecorded, 1);
      t.enabled = true;
      for (let i = 3; i < 8; i++) t.record(i, TraceKind.ipcSend, i, 0, 0, 0, 0);
      assert.equal(t.totalRecorded, 6);
      assert.equal(t.dropped, 2);
      if (mode === 'ring') assert.deepEqual([2, 3, 4, 5].map((s) => t.get(s).src), [4, 5, 6, 7]);
      else assert.deepEqual([0, 1, 2, 3].map((s) => t.get(s).src), [1, 3, 4, 5]);
    }
  });

  it('grows its columns as the trace first fills, up to the capacity, and keeps every event; a short run allocates little', () => {
    const t = new TraceRecorder({ capacity: 10_000 });
    assert.equal(t.time.length, 4096, 'a trace that records little holds little');
    for (let i = 0; i < 25_000; i++) t.record(i, TraceKind.ipcSend, i, 0, i * 2, 0, 0);
    assert.equal(t.time.length, 10_000, 'never more than the capacity');
    assert.equal(t.src.length, 10_000);
    assert.equal(t.dropped, 15_000);
    for (const seq of [15_000, 19_999, 20_000, 24_999]) {
      const e = t.get(seq);
      assert.deepEqual([e.timeCycles, e.src, e.a], [seq, seq, seq * 2]);
    }
    const whole = new TraceRecorder({ capacity: 10_000, allocateAll: true });
    assert.equal(whole.time.length, 10_000);
  });
});
