// The trace view's arithmetic without a trace: hit-testing a click on a
// window made up here, zooming the viewport near the ends of the trace, and
// the sequence chart's time labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanState, type TraceLane, type TraceWindowEvents } from '../../../simulator/protocol/traceProtocol';
import { kindCodes, laneAt, layoutLanes } from '../../../webview/trace/layout';
import { rowTimeLabels } from '../../../webview/trace/mscRenderer';
import { pickEvent, type HitScene } from '../../../webview/trace/timelineRenderer';
import { formatSeconds } from '../../../webview/trace/timeFormat';
import { Viewport } from '../../../webview/trace/viewport';

const codes = kindCodes(undefined);
const lanes: TraceLane[] = ['vfs', 'isofs', 'cdrom'].map((label, id) => ({ id, label, group: id === 2 ? 'drivers' : 'servers', endpoints: [id + 10], restarts: 0 }));

interface Ev {
  seq: number;
  time: number;
  kind: number;
  lane: number;
  peer?: number;
}
interface Span {
  lane: number;
  state: number;
  start: number;
  end: number;
  seq: number;
}

/** A window of single events over [0, 1000) cycles, drawn 1000 px wide (a cycle a pixel). */
function scene(events: Ev[], spans: Span[] = []): HitScene {
  const viewport = new Viewport();
  viewport.bounds = { startCycles: 0, endCycles: 1000 };
  viewport.widthPx = 1000;
  viewport.set({ startCycles: 0, endCycles: 1000 });
  const n = events.length;
  const window: TraceWindowEvents = {
    mode: 'events',
    fromCycles: 0,
    toCycles: 1000,
    matched: n,
    laneCount: lanes.length,
    endSeq: n,
    events: {
      seq: Float64Array.from(events, (e) => e.seq),
      timeCycles: Float64Array.from(events, (e) => e.time),
      kind: Uint8Array.from(events, (e) => e.kind),
      lane: Int16Array.from(events, (e) => e.lane),
      peerLane: Int16Array.from(events, (e) => e.peer ?? -1),
      src: new Int32Array(n),
      dst: new Int32Array(n),
      a: new Int32Array(n),
      b: new Int32Array(n),
      c: new Int32Array(n),
      label: new Uint32Array(n),
      strings: [''],
    },
    spans: {
      lane: Uint16Array.from(spans, (s) => s.lane),
      state: Uint8Array.from(spans, (s) => s.state),
      startCycles: Float64Array.from(spans, (s) => s.start),
      endCycles: Float64Array.from(spans, (s) => s.end),
      peerLane: new Int16Array(spans.length).fill(-1),
      seq: Float64Array.from(spans, (s) => s.seq),
    },
  };
  return { viewport, layout: layoutLanes(lanes, undefined), codes, window };
}

test('a click picks the event on the lane under the pointer, not a message arrow that only crosses that lane', () => {
  // vfs sends to cdrom at 500: the arrow crosses isofs. isofs makes a kernel call at 503.
  const s = scene([
    { seq: 1, time: 500, kind: codes.ipcSend, lane: 0, peer: 2 },
    { seq: 2, time: 503, kind: codes.kernelCall, lane: 1 },
  ]);
  const y = (lane: number) => s.layout.laneY[lane]!;
  assert.equal(laneAt(s.layout, y(1))?.label, 'isofs');
  assert.equal(pickEvent(s, 500, y(1)), 2, 'on isofs, its own kernel call');
  assert.equal(pickEvent(s, 500, y(0)), 1, 'on vfs, the message it sends');
  assert.equal(pickEvent(s, 501, y(2)), 1, 'on cdrom, the message it receives');
  assert.equal(pickEvent(s, 520, y(1)), undefined, 'nothing near on isofs');
});

test('an arrow that only crosses the lane is picked when nothing of that lane is there', () => {
  const s = scene([{ seq: 1, time: 500, kind: codes.ipcSend, lane: 0, peer: 2 }]);
  assert.equal(pickEvent(s, 501, s.layout.laneY[1]!), 1);
});

test('a span answers for the event that opened it only when the window names that event', () => {
  const s = scene(
    [],
    [
      { lane: 1, state: SpanState.running, start: 100, end: 400, seq: 7 },
      { lane: 2, state: SpanState.blockedReceive, start: 100, end: 400, seq: -1 },
    ],
  );
  assert.equal(pickEvent(s, 250, s.layout.laneY[1]!), 7);
  assert.equal(pickEvent(s, 250, s.layout.laneY[2]!), undefined, 'a span whose event is filtered out (seq -1) picks nothing');
});

test('zooming keeps the time under the pointer in place, also at the ends of the trace', () => {
  const v = new Viewport();
  v.bounds = { startCycles: 0, endCycles: 1_000_000 };
  v.widthPx = 1000;
  v.set({ startCycles: 0, endCycles: 200_000 });
  // Panned as far left as allowed: half a span before the trace.
  v.panPx(-10_000);
  assert.equal(v.startCycles, -100_000);
  for (const x of [0, 40, 999]) {
    for (let k = 0; k < 4; k++) {
      const at = v.cyclesAt(x);
      v.zoomAt(x, 2);
      assert.ok(Math.abs(v.cyclesAt(x) - at) < 1e-6, `zooming in at x=${x} moved ${at} to ${v.cyclesAt(x)}`);
    }
    for (let k = 0; k < 4; k++) {
      const at = v.cyclesAt(x);
      v.zoomAt(x, 0.5);
      if (x === 0) assert.ok(Math.abs(v.cyclesAt(x) - at) < 1e-6, `zooming out at the left edge moved ${at} to ${v.cyclesAt(x)}`);
    }
  }
  // In the middle of the trace, both ways.
  v.set({ startCycles: 400_000, endCycles: 600_000 });
  for (const factor of [3, 1 / 3, 1.7, 1 / 1.7]) {
    const at = v.cyclesAt(321);
    v.zoomAt(321, factor);
    assert.ok(Math.abs(v.cyclesAt(321) - at) < 1e-6);
  }
  // Zooming out at the right edge of the screen near the trace's start cannot keep the pointer still without showing more than half a span of nothing.
  v.set({ startCycles: 0, endCycles: 10_000 });
  v.zoomAt(1000, 0.01);
  assert.ok(v.startCycles >= -v.spanCycles / 2 - 1e-6);
});

test('the sequence chart labels adjacent rows at different times differently, to the nanosecond', () => {
  const clockHz = 1e9;
  // 1 ms and a nanosecond later, 40 µs later, 3 ns later, then the same time again.
  const times = [1_000_000, 1_000_001, 1_040_001, 1_040_004, 1_040_004];
  const old = times.map((t) => formatSeconds(t, clockHz));
  assert.equal(old[0], old[1], 'three decimals of a millisecond cannot tell these apart');
  const labels = rowTimeLabels(times, clockHz);
  for (let r = 1; r < times.length; r++) {
    if (times[r] !== times[r - 1]) assert.notEqual(labels[r], labels[r - 1], `rows ${r - 1} and ${r}: ${labels[r - 1]} / ${labels[r]}`);
  }
  assert.equal(labels[3], labels[4], 'the same time reads the same');
  assert.equal(labels[2], '1.040001 ms');
  // Far apart rows keep the usual three decimals; below a nanosecond is not told apart.
  assert.deepEqual(rowTimeLabels([1_234_567, 2_345_678], clockHz), ['1.235 ms', '2.346 ms']);
  const sub = rowTimeLabels([1000, 1000.2], 1e9);
  assert.deepEqual(sub, ['1 µs', '1 µs']);
});

test('a DMA transfer is drawn as a flow from the device\'s lane to the process whose memory it reached; an overwrite in the error colour', async () => {
  const { drawTimeline } = await import('../../../webview/trace/timelineRenderer');
  // cdrom (lane 2) stands for the device; vfs (lane 0) owns the memory.
  const s = scene([
    { seq: 1, time: 300, kind: codes.dma, lane: 2, peer: 0 },
    { seq: 2, time: 600, kind: codes.corruption, lane: 2, peer: 1 },
    { seq: 3, time: 800, kind: codes.dma, lane: 2 },
  ]);
  const palette = new Proxy({} as Record<string, string>, { get: (_, name) => (name === 'font' ? '10px sans-serif' : `colour-${String(name)}`) });
  const strokes: { colour: string; segments: number[][] }[] = [];
  let dash: number[] = [];
  let path: number[][] = [];
  let last: number[] = [];
  const ctx = new Proxy({ strokeStyle: '' } as Record<string, unknown>, {
    get(target, name) {
      switch (name) {
        case 'setLineDash':
          return (d: number[]) => void (dash = d);
        case 'beginPath':
          return () => void (path = []);
        case 'moveTo':
          return (x: number, y: number) => void (last = [x, y]);
        case 'lineTo':
          return (x: number, y: number) => {
            path.push([...last, x, y]);
            last = [x, y];
          };
        case 'stroke':
          return () => {
            if (dash.length > 0) strokes.push({ colour: String(target['strokeStyle']), segments: path });
          };
        case 'measureText':
          return () => ({ width: 10 });
        default:
          return name in target ? target[name as string] : () => undefined;
      }
    },
    set(target, name, value) {
      target[name as string] = value;
      return true;
    },
  });
  drawTimeline(ctx as unknown as CanvasRenderingContext2D, {
    ...s,
    palette: palette as never,
    stale: false,
    highlights: { selectedSeq: undefined, linkId: 0, chain: new Set(), searchSeq: undefined },
    range: undefined,
    tickCycles: [],
  } as never);
  const y = (lane: number) => s.layout.laneY[lane]!;
  const flows = strokes.flatMap((st) => st.segments.map((seg) => ({ colour: st.colour, seg })));
  assert.ok(flows.some((f) => f.colour === 'colour-dma' && f.seg[0] === 300 && f.seg[1] === y(2) && f.seg[3] === y(0)), `DMA flow to vfs: ${JSON.stringify(flows)}`);
  assert.ok(flows.some((f) => f.colour === 'colour-error' && f.seg[0] === 600 && f.seg[1] === y(2) && f.seg[3] === y(1)), 'the overwrite, in the error colour, to isofs');
  assert.ok(!flows.some((f) => f.seg[0] === 800), 'a transfer into no process has no flow');
});
