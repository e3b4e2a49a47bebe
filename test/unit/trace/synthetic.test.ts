// The synthetic trace for benchmarks, and a model that follows a growing ring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelForFile } from '../../../simulator/system/traceNames';
import { TraceRecorder } from '../../../simulator/trace/recorder';
import { syntheticTrace } from '../../../simulator/trace/synthetic';
import { traceWindow } from '../../../simulator/trace/window';
import { bruteForce } from './traceFixtures';

test('syntheticTrace gives exactly the events asked for, the same for the same seed', () => {
  const a = syntheticTrace(50_000, 9);
  const b = syntheticTrace(50_000, 9);
  const c = syntheticTrace(50_000, 10);
  assert.equal(a.trace.size, 50_000);
  for (const seq of [0, 1, 777, 49_999]) assert.deepEqual(a.trace.get(seq), b.trace.get(seq));
  assert.notDeepEqual([...a.trace.time.subarray(0, 100)], [...c.trace.time.subarray(0, 100)]);
  const kinds = new Set(a.trace.kind);
  for (const k of [1, 2, 3, 5, 6, 7, 8, 12, 14, 16]) assert.ok(kinds.has(k), `kind ${k} occurs`);
});

test('a model over a ring that keeps overwriting stays exact for the events still held', () => {
  const source = syntheticTrace(30_000, 4).trace;
  const ring = new TraceRecorder({ capacity: 4096, mode: 'ring' });
  const model = modelForFile({ trace: ring, meta: { scenario: 's', configuration: 'c', seed: 4, costProfile: 'sel4-skylake', clockHz: 3.4e9, endpointNames: {} } });
  for (let seq = 0; seq < source.endSeq; seq++) {
    const e = source.get(seq);
    ring.record(e.timeCycles, e.kind, e.src, e.dst, e.a, e.b, e.c, ring.strings.intern(e.label));
    if (seq % 5000 === 4999) {
      const from = ring.timeAt(ring.firstSeq);
      const to = ring.timeAt(ring.endSeq - 1) + 1;
      const w = traceWindow(model, { fromCycles: from - 1000, toCycles: to, pixelWidth: 300 });
      assert.equal(w.matched, ring.size);
      assert.equal(w.matched, bruteForce(model, from - 1000, to).length);
      for (let lane = 0; lane < model.laneCount; lane++) {
        const spans = model.primary[lane]!;
        if (spans.count > 0) assert.ok(spans.end[0]! > from, 'spans of overwritten events are dropped');
      }
    }
  }
});
