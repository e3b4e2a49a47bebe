// Level of detail: a window returns every event it covers, exactly at full zoom
// and as bucket counts that add up when zoomed out; lanes survive restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceKind } from '../../../simulator/trace/kinds';
import { SPAN_BLOCKED_RECEIVE, SPAN_BLOCKED_SEND, SPAN_BLOCKED_SENDREC, SPAN_KERNEL, SPAN_RUNNING } from '../../../simulator/trace/model';
import { traceWindow } from '../../../simulator/trace/window';
import { TraceModel } from '../../../simulator/trace/model';
import { TraceRecorder } from '../../../simulator/trace/recorder';
import { MAX_BUCKETS } from '../../../simulator/trace/summary';
import { traceNaming } from '../../../simulator/system/traceNames';
import { NetRequest } from '../../../simulator/services/messages';
import { SpanState, type TraceWindow } from '../../../simulator/protocol/traceProtocol';
import { bruteForce, s1Model, syntheticModel } from './traceFixtures';

function total(w: TraceWindow): number {
  if (w.mode === 'events') return w.events.seq.length;
  let sum = 0;
  for (const c of w.counts.count) sum += c;
  return sum;
}

test('no event is lost at any zoom: counts per bucket add up to the events of the window', () => {
  const model = syntheticModel(200_000);
  const t = model.trace;
  const end = t.timeAt(t.endSeq - 1) + 1;
  const windows: [number, number][] = [
    [0, end],
    [end / 3, end / 3 + end / 50],
    [end / 2, end / 2 + end / 1000],
    [end / 2, end / 2 + 20_000],
    [12_345, 12_346],
  ];
  for (const [from, to] of windows) {
    const want: number = bruteForce(model, from, to).length;
    for (const pixelWidth of [1, 7, 800, 3000]) {
      const w = traceWindow(model, { fromCycles: from, toCycles: to, pixelWidth });
      assert.equal(w.matched, want, `matched in [${from}, ${to}) at ${pixelWidth} px`);
      assert.equal(total(w), want, `events or counts in [${from}, ${to}) at ${pixelWidth} px`);
      if (w.mode === 'buckets') {
        assert.ok(w.bucketCount <= pixelWidth);
        assert.equal(w.dominantState.length, w.laneCount * w.bucketCount);
      }
    }
  }
});

test('a bucket counts exactly the events of its lane, kind and time slice', () => {
  const model = syntheticModel(100_000);
  const t = model.trace;
  const end = t.timeAt(t.endSeq - 1) + 1;
  const w = traceWindow(model, { fromCycles: 0, toCycles: end, pixelWidth: 200 });
  assert.equal(w.mode, 'buckets');
  if (w.mode !== 'buckets') return;
  for (const k of [0, 17, Math.floor(w.counts.count.length / 2), w.counts.count.length - 1]) {
    const lane: number = w.counts.lane[k]!;
    const bucket: number = w.counts.bucket[k]!;
    const kind: number = w.counts.kind[k]!;
    const from: number = bucket * w.bucketCycles;
    const to: number = bucket === w.bucketCount - 1 ? end : (bucket + 1) * w.bucketCycles;
    const want = bruteForce(model, from, to, (i) => model.homeLane[i] === lane && t.kind[i] === kind).length;
    assert.equal(w.counts.count[k], want, `lane ${model.laneLabel(lane)} bucket ${bucket} kind ${kind}`);
  }
});

test('a window at full zoom returns exactly the events of the window, in order, with their columns', () => {
  const model = s1Model();
  const t = model.trace;
  const mid = t.timeAt(Math.floor((t.firstSeq + t.endSeq) / 2));
  const from = mid - 2_000_000;
  const to = mid + 2_000_000;
  const w = traceWindow(model, { fromCycles: from, toCycles: to, pixelWidth: 1200 });
  assert.equal(w.mode, 'events');
  if (w.mode !== 'events') return;
  assert.deepEqual([...w.events.seq], bruteForce(model, from, to));
  assert.ok(w.events.seq.length > 0);
  for (let k = 0; k < w.events.seq.length; k++) {
    const e = t.get(w.events.seq[k]!);
    assert.equal(w.events.timeCycles[k], e.timeCycles);
    assert.equal(w.events.kind[k], e.kind);
    assert.equal(w.events.a[k], e.a);
    assert.equal(w.events.strings[w.events.label[k]!], e.label);
  }
  for (let k = 0; k < w.spans.state.length; k++) {
    assert.ok(w.spans.startCycles[k]! >= from && w.spans.endCycles[k]! <= to && w.spans.startCycles[k]! < w.spans.endCycles[k]!, 'spans are clipped to the window');
  }
});

test('filters by lane, kind and message type keep exactly the matching events', () => {
  const model = s1Model();
  model.refresh();
  const t = model.trace;
  const nic = model.laneOfLabel('nic');
  const inet = model.laneOfLabel('inet');
  const end = t.timeAt(t.endSeq - 1) + 1;
  const byLane = traceWindow(model, { fromCycles: 0, toCycles: end, pixelWidth: 500, filter: { lanes: [nic] } });
  assert.equal(byLane.matched, bruteForce(model, 0, end, (i) => model.homeLane[i] === nic || model.peerLane[i] === nic).length);
  const interrupts = traceWindow(model, { fromCycles: 0, toCycles: end, pixelWidth: 500, filter: { kinds: [TraceKind.interrupt], lanes: [nic] } });
  assert.ok(interrupts.matched > 0);
  assert.equal(interrupts.matched, bruteForce(model, 0, end, (i) => t.kind[i] === TraceKind.interrupt && model.homeLane[i] === nic).length);
  const type = NetRequest.SEND;
  const sends = traceWindow(model, { fromCycles: 0, toCycles: end, pixelWidth: 500, filter: { kinds: [TraceKind.ipcSend], messageTypes: [type], lanes: [inet] } });
  assert.ok(sends.matched > 0);
  assert.equal(sends.matched, bruteForce(model, 0, end, (i) => t.kind[i] === TraceKind.ipcSend && t.a[i] === type && (model.homeLane[i] === inet || model.peerLane[i] === inet)).length);
});

test('a restarted service keeps one lane, and its endpoint (MINIX 3.4)', () => {
  const model = s1Model();
  model.refresh();
  const lanes = model.allLanes();
  const nics = lanes.filter((l) => l.label === 'nic');
  assert.equal(nics.length, 1);
  const nic = nics[0]!;
  assert.ok(nic.restarts >= 1, 'the NIC driver was restarted in the first three minutes');
  assert.equal(nic.endpoints.length, 1, 'the new instances took the endpoint of the one that crashed');
  for (const ep of nic.endpoints) assert.equal(model.laneOfEndpoint(ep), nic.id);
  assert.equal(nic.group, 'drivers');
  assert.equal(lanes.find((l) => l.label === 'inet')?.group, 'servers');
  assert.equal(lanes.find((l) => l.label === 'kernel')?.group, 'kernel');
  // The new instances' messages land on the same lane.
  const t = model.trace;
  const last = nic.endpoints[nic.endpoints.length - 1]!;
  const restartedAt = t.time[bruteForce(model, 0, Infinity, (i) => t.kind[i] === TraceKind.restart && t.dst[i] === last)[0]! % t.capacity]!;
  const seqs = bruteForce(model, 0, Infinity, (i) => t.kind[i] === TraceKind.ipcSend && t.src[i] === last && t.time[i]! > restartedAt);
  assert.ok(seqs.length > 0, 'the restarted driver sent messages');
  for (const s of seqs) assert.equal(model.homeLane[s % t.capacity], nic.id);
});

test('span states are the protocol\'s SpanState values', () => {
  assert.deepEqual(
    [SPAN_RUNNING, SPAN_BLOCKED_SEND, SPAN_BLOCKED_RECEIVE, SPAN_BLOCKED_SENDREC, SPAN_KERNEL],
    [SpanState.running, SpanState.blockedSend, SpanState.blockedReceive, SpanState.blockedSendrec, SpanState.kernel],
  );
});

test('spans: a SENDREC caller is blocked from its request until the reply, and servers wait in RECEIVE', () => {
  const model = syntheticModel(20_000);
  const t = model.trace;
  const end = t.timeAt(t.endSeq - 1) + 1;
  const w = traceWindow(model, { fromCycles: 0, toCycles: end, pixelWidth: 100, maxEvents: 20_000 });
  assert.equal(w.mode, 'events');
  if (w.mode !== 'events') return;
  const client = model.laneOfLabel('client0');
  const sendrec = [...w.spans.state.keys()].filter((k) => w.spans.lane[k] === client && w.spans.state[k] === SPAN_BLOCKED_SENDREC);
  assert.ok(sendrec.length > 10);
  for (const k of sendrec.slice(0, 50)) {
    const request = t.get(w.spans.seq[k]!);
    assert.equal(request.kind, TraceKind.ipcSend);
    assert.equal(request.timeCycles, w.spans.startCycles[k]);
    // The span ends where the reply with the same link id reached the client.
    const reply = bruteForce(model, request.timeCycles + 1, end, (i) => t.kind[i] === TraceKind.ipcSend && t.c[i] === request.c && t.dst[i] === request.src)[0]!;
    assert.equal(w.spans.endCycles[k], t.timeAt(reply));
  }
  const vfs = model.laneOfLabel('vfs');
  assert.ok([...w.spans.state.keys()].some((k) => w.spans.lane[k] === vfs && w.spans.state[k] === SPAN_BLOCKED_RECEIVE));
  assert.ok([...w.spans.state.keys()].some((k) => w.spans.lane[k] === vfs && w.spans.state[k] === SPAN_RUNNING));
  // A lane's running and blocked spans never overlap.
  for (let lane = 0; lane < model.laneCount; lane++) {
    const list = model.primary[lane]!;
    for (let k = 1; k < list.count; k++) assert.ok(list.start[k]! >= list.end[k - 1]!, `lane ${model.laneLabel(lane)} span ${k}`);
  }
});

test('bad windows get clear errors', () => {
  const model = syntheticModel(100);
  assert.throws(() => traceWindow(model, { fromCycles: 10, toCycles: 10, pixelWidth: 100 }), /fromCycles < toCycles/);
  assert.throws(() => traceWindow(model, { fromCycles: 0, toCycles: 10, pixelWidth: 0 }), /pixelWidth/);
  assert.throws(() => traceWindow(model, { fromCycles: NaN, toCycles: 10, pixelWidth: 10 }), /time window/);
});

/** A window's counts as "lane/bucket/kind" -> count. */
function countMap(w: TraceWindow): Map<string, number> {
  const m = new Map<string, number>();
  if (w.mode !== 'buckets') return m;
  for (let i = 0; i < w.counts.count.length; i++) m.set(`${w.counts.lane[i]}/${w.counts.bucket[i]}/${w.counts.kind[i]}`, w.counts.count[i]!);
  return m;
}

test('a zoomed-out window read off the summary level has the counts and states a scan of the same buckets has', () => {
  // The same trace with and without a summary (a file of a quarter million events or more gets one).
  const summarised = syntheticModel(150_000, 5, 'always');
  const scanned = syntheticModel(150_000, 5, 'never');
  summarised.refresh();
  const s = summarised.summary!;
  assert.ok(s !== null && s.bucketCount > 1000, 'the summary has base buckets');
  const t = summarised.trace;
  const end = t.timeAt(t.endSeq - 1) + 1;
  const cases: [number, number, number, number[] | undefined][] = [
    [0, end, 1400, undefined],
    [0, end, 3, undefined],
    [end * 0.37, end * 0.61, 2800, undefined],
    [end * 0.1, end * 0.9, 900, [TraceKind.ipcSend, TraceKind.contextSwitch]],
  ];
  for (const [from, to, pixelWidth, kinds] of cases) {
    const filter = kinds === undefined ? undefined : { kinds };
    const a = traceWindow(summarised, { fromCycles: from, toCycles: to, pixelWidth, ...(filter ? { filter } : {}) });
    assert.equal(a.mode, 'buckets');
    if (a.mode !== 'buckets') continue;
    // Whole base buckets, a power of two of them each, no wider than asked, covering what was asked.
    const ratio = a.bucketCycles / s.width;
    assert.equal(2 ** Math.round(Math.log2(ratio)), ratio);
    assert.ok(a.bucketCycles <= (to - from) / pixelWidth);
    assert.ok(a.fromCycles <= from && a.toCycles >= Math.min(to, end), 'the window covers the asked range');
    assert.ok(a.bucketCount <= 2 * pixelWidth + 2);
    // A scan of exactly those buckets (no summary) gives the same answer.
    const b = traceWindow(scanned, { fromCycles: a.fromCycles, toCycles: a.toCycles, pixelWidth: a.bucketCount, ...(filter ? { filter } : {}) });
    assert.equal(b.mode, 'buckets');
    if (b.mode !== 'buckets') continue;
    assert.equal(b.bucketCycles, a.bucketCycles);
    assert.equal(a.matched, b.matched);
    assert.equal(a.matched, bruteForce(scanned, a.fromCycles, a.toCycles, (i) => kinds === undefined || kinds.includes(t.kind[i]!)).length);
    assert.deepEqual(countMap(a), countMap(b));
    assert.deepEqual(a.dominantState, b.dominantState);
  }
  // A filter by lane can move an event to its peer's lane: the summary does not answer, the scan does.
  const lanes = traceWindow(summarised, { fromCycles: 0, toCycles: end, pixelWidth: 500, filter: { lanes: [1, 2] } });
  assert.ok(lanes.mode === 'buckets' && lanes.fromCycles === 0 && lanes.bucketCount === 500);
  // So with a time range in the filter: whole buckets would count events outside it.
  const ranged = traceWindow(summarised, { fromCycles: 0, toCycles: end, pixelWidth: 500, filter: { fromCycles: end / 3, toCycles: end / 2 } });
  assert.equal(ranged.matched, bruteForce(scanned, end / 3, end / 2).length);
});

test('the summary\'s coarser levels answer the same windows from fewer cells, once the trace stops growing', () => {
  const withLevels = syntheticModel(300_000, 8, 'always');
  withLevels.refresh();
  const s = withLevels.summary!;
  const list = s.buildLevels().list;
  assert.ok(list.length >= 2, `${list.length} levels over ${s.bucketCount} base buckets`);
  for (let k = 0; k < list.length; k++) {
    const coarser = list[k]!;
    const finer = k === 0 ? s : list[k - 1]!;
    assert.equal(coarser.width, finer.width * 8, 'each level is 8 times coarser');
    assert.ok(coarser.memoryBytes() < finer.memoryBytes());
  }
  const t = withLevels.trace;
  const end = t.timeAt(t.endSeq - 1) + 1;
  for (const [from, to, pixelWidth] of [[0, end, 1400], [0, end, 40], [end * 0.2, end * 0.7, 900], [end * 0.5, end * 0.52, 300]] as const) {
    // The level picked is the coarsest no wider than the buckets asked for; the base gives the same answer.
    const ideal = (to - from) / pixelWidth;
    const level = s.levelFor(ideal);
    assert.ok(level.width <= ideal && (level === list[list.length - 1] || level.width * 8 > ideal));
    const a = traceWindow(withLevels, { fromCycles: from, toCycles: to, pixelWidth });
    const fresh = syntheticModel(300_000, 8, 'always');
    fresh.refresh();
    // A summary seen for the first time answers from its base buckets (it may still be growing).
    assert.equal(fresh.summary!.levelFor(ideal), fresh.summary);
    const b = traceWindow(syntheticModel(300_000, 8, 'always'), { fromCycles: from, toCycles: to, pixelWidth });
    assert.deepEqual(a, b, `[${from}, ${to}) at ${pixelWidth} px`);
  }
});

test('the summary level stays bounded: as a kept trace grows, its base buckets merge in pairs and still count every event', () => {
  const source = syntheticModel(150_000, 6, 'never').trace;
  const growing = new TraceRecorder({ capacity: source.size, mode: 'stop' });
  for (const str of source.strings.all().slice(1)) growing.strings.intern(str);
  const model = new TraceModel(growing, traceNaming(), { clockHz: 3.4e9, summary: 'always' });
  const copy = (to: number) => {
    for (let seq = growing.endSeq; seq < to; seq++) growing.record(source.time[seq]!, source.kind[seq]! as TraceKind, source.src[seq]!, source.dst[seq]!, source.a[seq]!, source.b[seq]!, source.c[seq]!, source.label[seq]!);
  };
  copy(50);
  model.refresh();
  const firstWidth = model.summary!.width;
  copy(source.size);
  model.refresh();
  const s = model.summary!;
  const span = source.timeAt(source.endSeq - 1) - source.timeAt(0);
  assert.ok(s.width >= firstWidth * 64, `the width grew from ${firstWidth} to ${s.width}`);
  assert.ok(s.bucketCount <= MAX_BUCKETS && s.width * MAX_BUCKETS >= span);
  // The merged buckets answer as a scan of the same buckets does.
  const scanned = new TraceModel(source, traceNaming(), { clockHz: 3.4e9, summary: 'never' });
  const a = traceWindow(model, { fromCycles: 0, toCycles: span + 1, pixelWidth: 2000 });
  assert.ok(a.mode === 'buckets');
  const b = traceWindow(scanned, { fromCycles: a.fromCycles, toCycles: a.toCycles, pixelWidth: a.bucketCount });
  assert.equal(a.matched, source.size);
  assert.deepEqual(countMap(a), countMap(b));
  assert.ok(a.mode === 'buckets' && b.mode === 'buckets');
  assert.deepEqual(a.dominantState, b.dominantState);
});
