// The trace recorder: columnar storage, bounded capacity, range queries.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TraceRecorder } from '../../../simulator/trace/recorder';
import { TraceKind } from '../../../simulator/trace/kinds';

function fill(t: TraceRecorder, n: number): void {
  for (let i = 0; i < n; i++) t.record(i * 10, i % 2 === 0 ? TraceKind.ipcSend : TraceKind.contextSwitch, i % 3, 100 + (i % 5), i, 0, 0);
}

describe('trace recorder', () => {
  it('decodes what it recorded, with interned labels', () => {
    const t = new TraceRecorder({ capacity: 8 });
    t.recordLabelled(5, TraceKind.crash, 3, 4, 1, 2, 3, 'TypeError: x');
    t.recordLabelled(6, TraceKind.crash, 3, 4, 1, 2, 3, 'TypeError: x');
    const [e] = t.query({ limit: 1 });
    assert.deepEqual(e, { seq: 0, timeCycles: 5, kind: TraceKind.crash, kindName: 'crash', src: 3, dst: 4, a: 1, b: 2, c: 3, label: 'TypeError: x' });
    assert.equal(t.strings.size, 2, 'the label is stored once');
  });

  it('in ring mode keeps the newest events when full and counts the overwritten ones', () => {
    const t = new TraceRecorder({ capacity: 100 });
    fill(t, 250);
    assert.equal(t.size, 100);
    assert.equal(t.dropped, 150);
    assert.equal(t.firstSeq, 150);
    assert.equal(t.get(150).a, 150);
    assert.equal(t.get(249).a, 249);
    assert.throws(() => t.get(149), RangeError);
  });

  it('in stop mode keeps the oldest events and refuses new ones', () => {
    const t = new TraceRecorder({ capacity: 100, mode: 'stop' });
    fill(t, 250);
    assert.equal(t.size, 100);
    assert.equal(t.dropped, 150);
    assert.equal(t.totalRecorded, 250);
    assert.equal(t.get(99).a, 99);
  });

  it('answers queries by time range, by process and by kind, across the ring boundary', () => {
    const t = new TraceRecorder({ capacity: 64 });
    fill(t, 100);
    const inRange = t.query({ fromCycles: 500, toCycles: 600 });
    assert.deepEqual(inRange.map((e) => e.timeCycles), [500, 510, 520, 530, 540, 550, 560, 570, 580, 590]);
    const forProc = t.query({ fromCycles: 500, toCycles: 700, endpoints: [102] });
    assert.ok(forProc.length > 0 && forProc.every((e) => e.dst === 102 || e.src === 102));
    const sends = t.query({ kinds: [TraceKind.ipcSend] });
    assert.ok(sends.every((e) => e.kind === TraceKind.ipcSend));
    assert.equal(sends.length, 32);
    assert.deepEqual(t.query({ fromCycles: 0, toCycles: 300 }), [], 'overwritten events are gone');
  });

  it('counts events per bucket of a time window, for level-of-detail views', () => {
    const t = new TraceRecorder({ capacity: 1000 });
    fill(t, 100);
    assert.deepEqual(Array.from(t.histogram(0, 1000, 4)), [25, 25, 25, 25]);
    assert.deepEqual(Array.from(t.histogram(0, 1000, 2, { kinds: [TraceKind.ipcSend] })), [25, 25]);
  });

  it('records nothing when disabled', () => {
    const t = new TraceRecorder({ enabled: false, capacity: 4 });
    fill(t, 10);
    assert.equal(t.size, 0);
  });
});
