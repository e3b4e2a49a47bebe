// The .mktrace file format: what is saved reloads identically; a damaged file gives a located error.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { TraceRecorder } from '../../../simulator/trace/recorder';
import { TraceKind } from '../../../simulator/trace/kinds';
import { decodeTrace, decodeTraceHead, encodeTrace, traceHeadLength, TraceFileError, type TraceFileMeta } from '../../../simulator/trace/traceFile';
import { syntheticTrace } from '../../../simulator/trace/synthetic';
import { modelForFile, traceFileBytes } from '../../../simulator/system/traceNames';
import { OpenOverview, OVERVIEW_BUCKETS } from '../../../simulator/trace/overview';
import { SUMMARY_MIN_EVENTS } from '../../../simulator/trace/model';
import { traceWindow } from '../../../simulator/trace/window';
import { utf8Decode, utf8Encode } from '../../../simulator/core/utf8';

const META: TraceFileMeta = { scenario: 's1', configuration: 'microkernel-iommu', seed: 7, costProfile: 'sel4-skylake', clockHz: 3.4e9, endpointNames: { '10': 'rtl8139', '8': 'inet' } };

function sampleTrace(capacity: number, events: number): TraceRecorder {
  const t = new TraceRecorder({ capacity, mode: 'ring' });
  for (let i = 0; i < events; i++) {
    if (i % 7 === 0) t.recordLabelled(i * 10, TraceKind.crash, 10, -1, 0, 0, 0, `crash ${i % 3} — ünïcode`);
    else t.record(i * 10, TraceKind.ipcSend, 8, 10, 0x500 + (i % 4), i & 1, i, 0);
  }
  return t;
}

function decoded(bytes: Uint8Array) {
  const d = decodeTrace(bytes, 'run.mktrace');
  if (d instanceof TraceFileError) throw d;
  return d;
}

test('a saved trace reloads with the same events, strings and metadata', () => {
  const t = sampleTrace(1000, 500);
  const d = decoded(encodeTrace(t, META));
  assert.equal(d.meta.scenario, 's1');
  assert.equal(d.meta.costProfile, 'sel4-skylake');
  assert.equal(d.meta.clockHz, 3.4e9);
  assert.deepEqual(d.meta.endpointNames, META.endpointNames);
  assert.equal(d.trace.size, 500);
  for (const seq of [0, 1, 7, 250, 499]) {
    const { seq: _a, ...want } = t.get(seq);
    const { seq: _b, ...got } = d.trace.get(seq);
    assert.deepEqual(got, want);
  }
});

test('a ring that overwrote its oldest events saves the held ones in order, and counts the lost', () => {
  const t = sampleTrace(100, 250);
  const d = decoded(encodeTrace(t, META));
  assert.equal(d.trace.size, 100);
  assert.equal(d.meta.dropped, 150);
  assert.equal(d.trace.get(0).timeCycles, t.get(150).timeCycles);
  assert.equal(d.trace.get(99).label, t.get(249).label);
});

test('saving the same trace twice gives the same bytes', () => {
  assert.deepEqual(encodeTrace(sampleTrace(64, 200), META), encodeTrace(sampleTrace(64, 200), META));
});

test('damaged files give errors naming the file, the byte and what was expected', () => {
  const good = encodeTrace(sampleTrace(100, 50), META);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /run\.mktrace: at byte 0: expected a Microkernel Lab trace/],
    ['not a trace', utf8Encode('{"traceEvents": []}'), /at byte 0: expected the magic 'MKTRACE'/],
    ['truncated', good.subarray(0, good.length - 9), /expected \d+ bytes for 50 events/],
    ['future version', (() => { const b = good.slice(); b[8] = 9; return b; })(), /at byte 8: expected format version 4 \(or 3 or 2\), found 9/],
    ['format 1', (() => { const b = good.slice(); b[8] = 1; return b; })(), /at byte 8: this trace is in format version 1, whose times were counted at a fixed 1 GHz .*record the run again/],
    ['bad header', (() => { const b = good.slice(); b[16] = 0x7b + 1; return b; })(), /at byte 16: expected a JSON header/],
  ];
  for (const [name, bytes, message] of cases) {
    const r = decodeTrace(bytes, 'run.mktrace');
    assert.ok(r instanceof TraceFileError, name);
    assert.match(r.message, message, name);
  }
});

test('UTF-8 round-trips every plane and refuses malformed input with its offset', () => {
  const text = 'a é € 𝄞 z';
  assert.equal(utf8Decode(utf8Encode(text)), text);
  assert.throws(() => utf8Decode(Uint8Array.of(0x61, 0xe2, 0x82)), /malformed UTF-8 at byte 1/);
  assert.throws(() => utf8Decode(Uint8Array.of(0x61, 0xc3, 0x41)), /malformed UTF-8 at byte 2/);
});

test('a trace opens by viewing the file\'s columns in place, and reads the same from bytes at any alignment', () => {
  const t = sampleTrace(1000, 700);
  const bytes = encodeTrace(t, META);
  const d = decoded(bytes);
  // Format 3 pads every column to 8 bytes, so a file in a buffer of its own is viewed, not copied.
  assert.equal(d.trace.time.buffer, bytes.buffer);
  assert.equal(d.trace.label.buffer, bytes.buffer);
  // The same bytes 4 bytes into a larger buffer (as a slice of a pooled read may be): copied, same events.
  const shifted = new Uint8Array(bytes.length + 4);
  shifted.set(bytes, 4);
  const again = decoded(shifted.subarray(4));
  assert.notEqual(again.trace.time.buffer, shifted.buffer);
  for (const seq of [0, 7, 350, 699]) assert.deepEqual(again.trace.get(seq), d.trace.get(seq));
  assert.deepEqual(again.trace.get(699), { ...t.get(699), seq: 699 });
});

test('a trace saved in format 2 (columns padded to 4 bytes) still opens', () => {
  // Written by the version before format 3 (test/fixtures/traces/README.md).
  const d = decoded(new Uint8Array(readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'traces', 'format-2.mktrace'))));
  assert.equal(d.trace.size, 40);
  assert.equal(d.meta.clockHz, 3.4e9);
  assert.deepEqual({ ...d.trace.get(7), seq: 0 }, { seq: 0, timeCycles: 70, kind: TraceKind.crash, kindName: 'crash', src: 10, dst: -1, a: 0, b: 0, c: 0, label: 'crash 1' });
  assert.equal(d.trace.get(8).a, 0x500);
  assert.equal(d.trace.get(39).timeCycles, 390);
});

test('a time that goes backwards or a label past the string table is refused at its byte', () => {
  const bytes = encodeTrace(sampleTrace(100, 50), META);
  const headerLength = new DataView(bytes.buffer).getUint32(12, true);
  const timeAt = 16 + ((headerLength + 7) & ~7);
  const backwards = bytes.slice();
  new DataView(backwards.buffer).setFloat64(timeAt + 20 * 8, 5, true);
  const r = decodeTrace(backwards, 'run.mktrace');
  assert.ok(r instanceof TraceFileError);
  assert.equal(r.offset, timeAt + 20 * 8);
  assert.match(r.message, /event 20's time to be a number not before the previous event's/);
  const nan = bytes.slice();
  new DataView(nan.buffer).setFloat64(timeAt, NaN, true);
  assert.match(String(decodeTrace(nan, 'run.mktrace')), /event 0's time/);
  const labelAt = timeAt + 50 * 8 + 56 + 5 * 200;
  const label = bytes.slice();
  new DataView(label.buffer).setUint32(labelAt + 3 * 4, 99, true);
  const l = decodeTrace(label, 'run.mktrace');
  assert.ok(l instanceof TraceFileError);
  assert.equal(l.offset, labelAt + 12);
  assert.match(l.message, /event 3 names string 99, but the table has 4/);
});

/** A large synthetic trace saved as the writers save one: with an overview in its head. */
function largeFile(): { bytes: Uint8Array; meta: TraceFileMeta; events: number } {
  const events = SUMMARY_MIN_EVENTS + 1000;
  const { trace, endpointNames } = syntheticTrace(events, 5);
  const meta = { ...META, endpointNames };
  return { bytes: traceFileBytes(trace, meta), meta, events };
}

test('a large trace\'s head alone opens: its overview paints the whole trace as the events would, bucket for bucket', () => {
  const { bytes, events } = largeFile();
  // The head, found from a prefix as a reader finds it, is a small part of the file.
  let want = 16;
  let h = traceHeadLength(bytes.subarray(0, want), 'big.mktrace');
  while (!(h instanceof TraceFileError) && !h.complete) {
    want = h.length;
    h = traceHeadLength(bytes.subarray(0, want), 'big.mktrace');
  }
  if (h instanceof TraceFileError) throw h;
  assert.ok(h.length < bytes.length / 4, `head ${h.length} bytes of ${bytes.length}`);
  const head = decodeTraceHead(bytes.subarray(0, h.length), 'big.mktrace');
  if (head instanceof TraceFileError) throw head;
  assert.equal(head.count, events);
  const overview = head.overview;
  assert.ok(overview, 'a large trace has an overview');
  assert.ok(overview.summary.buckets <= OVERVIEW_BUCKETS);

  const full = modelForFile(decoded(bytes), 'always');
  full.refresh();
  assert.deepEqual(overview.lanes, full.allLanes());
  const open = new OpenOverview(overview, head.firstSeq + head.count);
  const fromCycles = overview.startCycles;
  const toCycles = overview.endCycles + 1;
  for (const pixelWidth of [800, 1600]) {
    const early = open.window({ fromCycles, toCycles, pixelWidth });
    assert.ok(early && early.mode === 'buckets', 'the whole trace is answered from the head');
    assert.deepEqual(early, traceWindow(full, { fromCycles, toCycles, pixelWidth }), `the same window as the events give, ${pixelWidth} px`);
    assert.equal(early.matched, events);
  }
  // Finer than the overview's buckets, or filtered by process: that needs the events.
  assert.equal(open.window({ fromCycles, toCycles: fromCycles + (toCycles - fromCycles) / 1e4, pixelWidth: 1000 }), undefined);
  assert.equal(open.window({ fromCycles, toCycles, pixelWidth: 1000, filter: { lanes: [0] } }), undefined);
});

test('a damaged overview is refused at its byte, head or whole file; format 3 (no overview) still opens', () => {
  const { bytes } = largeFile();
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const blockAt = 16 + ((headerLength + 7) & ~7);
  const header = JSON.parse(utf8Decode(bytes.subarray(16, 16 + headerLength))) as { overview: { summary: { buckets: number; cells: number; coverLengths: number[] } } };
  const floats = header.overview.summary.coverLengths.reduce((a, b) => a + b, 0);
  const cellsAt = blockAt + floats * 8;
  const damaged = (at: number, value: number) => {
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(at, value, true);
    return b;
  };
  const nan = bytes.slice();
  new DataView(nan.buffer).setFloat64(blockAt, NaN, true);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a covered time that is not a number', nan, new RegExp(`at byte ${blockAt}: expected a finite covered time in the overview`)],
    ['cells out of bucket order', damaged(cellsAt, header.overview.summary.buckets - 1), /expected the overview's cell 1 in bucket order/],
    ['a cell past the buckets', damaged(cellsAt, 1 << 30), /expected the overview's cell 0 in bucket order, below \d+/],
  ];
  for (const [name, b, message] of cases) {
    const head = decodeTraceHead(b, 'big.mktrace');
    assert.ok(head instanceof TraceFileError, name);
    assert.match(head.message, message, name);
  }
  // A header whose overview claims another block size.
  const text = utf8Decode(bytes.subarray(16, 16 + headerLength)).replace(/"bytes":(\d+)/, (_m, n: string) => `"bytes":${Number(n) + 8}`.padEnd(`"bytes":${n}`.length, ' '));
  const wrongSize = bytes.slice();
  wrongSize.set(utf8Encode(text).subarray(0, headerLength), 16);
  for (const r of [decodeTraceHead(wrongSize, 'big.mktrace'), decodeTrace(wrongSize, 'big.mktrace')]) {
    assert.ok(r instanceof TraceFileError);
    assert.match(r.message, /at byte 16: expected the overview block's length \(\d+ bytes for its shape\), found \d+ in the header's overview/);
  }
  // Format 3 is format 4 without an overview.
  const small = encodeTrace(sampleTrace(100, 50), META);
  const v3 = small.slice();
  v3[8] = 3;
  assert.equal(decoded(v3).trace.size, 50);
  const head = decodeTraceHead(v3, 'old.mktrace');
  assert.ok(!(head instanceof TraceFileError) && head.overview === undefined && head.count === 50);
});
