// Draws the timeline on a canvas: lanes, spans (running, blocked, in the
// kernel), messages as arrows from sender to receiver, markers for the rest,
// and, when the window is too dense, per-pixel buckets. Also hit-tests clicks.
import { SpanState, type TraceWindow, type TraceWindowBuckets, type TraceWindowEvents } from '../../simulator/protocol/traceProtocol';
import { LANE_HEIGHT_PX, laneAt, type KindCodes, type Layout } from './layout';
import type { Palette } from './palette';
import { formatCycles, formatSeconds, niceStep } from './timeFormat';
import type { TimeRange, Viewport } from './viewport';
import { cyclesIn, cyclesToSeconds } from '../../simulator/time/time';

export interface Highlights {
  readonly selectedSeq: number | undefined;
  /** Link id of the selected request/reply pair (0 for none). */
  readonly linkId: number;
  /** Seqs of the chain of messages that served the selected request. */
  readonly chain: ReadonlySet<number>;
  readonly searchSeq: number | undefined;
  /** The debugger's current time, marked across every lane. */
  readonly debugCycles: number | undefined;
}

/** What hit-testing a click needs of the scene. */
export type HitScene = Pick<TimelineScene, 'viewport' | 'layout' | 'codes' | 'window'>;

export interface TimelineScene {
  readonly viewport: Viewport;
  readonly layout: Layout;
  readonly palette: Palette;
  readonly codes: KindCodes;
  readonly window: TraceWindow | undefined;
  /** True while the drawn window is older than the view (a request is on its way). */
  readonly stale: boolean;
  readonly highlights: Highlights;
  readonly range: TimeRange | undefined;
  readonly tickCycles: readonly number[];
}

/** Per-window facts computed once: queued sends matched to their receives, replies, bucket totals. */
interface Prepared {
  /** For an ipcReceive: the time of its queued ipcSend in the window, or NaN. */
  readonly sendTime: Float64Array;
  /** For an ipcSend b=1: 1 when its receive is in the window (the receive draws the arrow). */
  readonly matchedSend: Uint8Array;
  /** 1 for messages taken to be replies (second message of a link id). */
  readonly reply: Uint8Array;
  /** Total events per lane and bucket (buckets mode). */
  readonly totals: Float32Array;
  readonly maxTotal: number;
}

const prepared = new WeakMap<TraceWindow, Prepared>();

function prepare(w: TraceWindow, codes: KindCodes): Prepared {
  let p = prepared.get(w);
  if (p) return p;
  if (w.mode === 'events') {
    const e = w.events;
    const n = e.seq.length;
    const sendTime = new Float64Array(n).fill(NaN);
    const matchedSend = new Uint8Array(n);
    const reply = new Uint8Array(n);
    const queued = new Map<string, number[]>();
    const links = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const k = e.kind[i]!;
      if (k === codes.ipcSend || k === codes.ipcReceive) {
        const link = e.c[i]!;
        if (link !== 0 && k === codes.ipcSend) {
          const seen = links.get(link) ?? 0;
          if (seen > 0) reply[i] = 1;
          links.set(link, seen + 1);
        }
        const key = `${e.src[i]},${e.dst[i]},${e.a[i]},${link}`;
        if (k === codes.ipcSend && e.b[i] === 1) {
          let list = queued.get(key);
          if (!list) queued.set(key, (list = []));
          list.push(i);
        } else if (k === codes.ipcReceive) {
          const from = queued.get(key)?.shift();
          if (from !== undefined) {
            sendTime[i] = e.timeCycles[from]!;
            matchedSend[from] = 1;
            reply[i] = reply[from]!;
          }
        }
      }
    }
    p = { sendTime, matchedSend, reply, totals: new Float32Array(0), maxTotal: 0 };
  } else {
    const lanes = Math.max(w.laneCount, 1);
    const totals = new Float32Array(lanes * w.bucketCount);
    const c = w.counts;
    let maxTotal = 0;
    for (let i = 0; i < c.count.length; i++) {
      const cell = c.lane[i]! * w.bucketCount + c.bucket[i]!;
      if (cell >= totals.length) continue;
      const t = (totals[cell] = totals[cell]! + c.count[i]!);
      if (t > maxTotal) maxTotal = t;
    }
    p = { sendTime: new Float64Array(0), matchedSend: new Uint8Array(0), reply: new Uint8Array(0), totals, maxTotal };
  }
  prepared.set(w, p);
  return p;
}

export function drawTimeline(ctx: CanvasRenderingContext2D, scene: TimelineScene): void {
  const { viewport: vp, layout, palette: p } = scene;
  const width = vp.widthPx;
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, layout.heightPx);
  let stripe = false;
  for (const row of layout.rows) {
    if (row.kind === 'group') {
      ctx.fillStyle = p.groupBand;
      ctx.fillRect(0, row.y, width, row.height);
      stripe = false;
    } else {
      if (stripe) {
        ctx.fillStyle = p.laneStripe;
        ctx.globalAlpha = 0.5;
        ctx.fillRect(0, row.y, width, row.height);
        ctx.globalAlpha = 1;
      }
      stripe = !stripe;
    }
  }
  ctx.strokeStyle = p.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of scene.tickCycles) {
    const x = Math.round(vp.xOf(t)) + 0.5;
    ctx.moveTo(x, 0);
    ctx.lineTo(x, layout.heightPx);
  }
  ctx.stroke();
  if (scene.range) {
    const x0 = vp.xOf(scene.range.startCycles);
    const x1 = vp.xOf(scene.range.endCycles);
    ctx.fillStyle = p.rangeFill;
    ctx.globalAlpha = 0.35;
    ctx.fillRect(Math.min(x0, x1), 0, Math.abs(x1 - x0), layout.heightPx);
    ctx.globalAlpha = 1;
  }
  const w = scene.window;
  if (!w) return;
  if (scene.stale) ctx.globalAlpha = 0.85;
  if (w.mode === 'events') drawEvents(ctx, scene, w, prepare(w, scene.codes));
  else drawBuckets(ctx, scene, w, prepare(w, scene.codes));
  ctx.globalAlpha = 1;
  drawDebugMarker(ctx, scene);
}

/** The debugger's time: a line across every lane, with a flag at the top. */
function drawDebugMarker(ctx: CanvasRenderingContext2D, scene: TimelineScene): void {
  const t = scene.highlights.debugCycles;
  if (t === undefined) return;
  const vp = scene.viewport;
  const x = Math.round(vp.xOf(t)) + 0.5;
  if (x < 0 || x > vp.widthPx) return;
  const p = scene.palette;
  ctx.strokeStyle = p.debugMarker;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, 0);
  ctx.lineTo(x, scene.layout.heightPx);
  ctx.stroke();
  ctx.fillStyle = p.debugMarker;
  ctx.beginPath();
  ctx.moveTo(x - 5, 0);
  ctx.lineTo(x + 5, 0);
  ctx.lineTo(x, 7);
  ctx.closePath();
  ctx.fill();
  ctx.lineWidth = 1;
}

function spanStyle(p: Palette, state: number): { colour: string; half: number; alpha: number } {
  switch (state) {
    case SpanState.running:
      return { colour: p.running, half: 5, alpha: 0.9 };
    case SpanState.kernel:
      return { colour: p.kernel, half: 7, alpha: 1 };
    case SpanState.blockedSend:
    case SpanState.blockedSendrec:
      return { colour: p.blocked, half: 3, alpha: 0.45 };
    default:
      return { colour: p.blocked, half: 2, alpha: 0.25 };
  }
}

const spanStates = [SpanState.blockedReceive, SpanState.blockedSend, SpanState.blockedSendrec, SpanState.running, SpanState.kernel];

function drawEvents(ctx: CanvasRenderingContext2D, scene: TimelineScene, w: TraceWindowEvents, prep: Prepared): void {
  const { viewport: vp, layout, palette: p, codes } = scene;
  const width = vp.widthPx;
  const laneY = layout.laneY;
  const s = w.spans;
  const base = ctx.globalAlpha;
  for (const state of spanStates) {
    const style = spanStyle(p, state);
    ctx.fillStyle = style.colour;
    ctx.globalAlpha = base * style.alpha;
    for (let i = 0; i < s.lane.length; i++) {
      if (s.state[i] !== state) continue;
      const y = laneY[s.lane[i]!] ?? -1;
      if (y < 0) continue;
      let x0 = vp.xOf(s.startCycles[i]!);
      let x1 = vp.xOf(s.endCycles[i]!);
      if (x1 < 0 || x0 > width) continue;
      if (x0 < 0) x0 = 0;
      if (x1 > width) x1 = width;
      ctx.fillRect(x0, y - style.half, Math.max(1, x1 - x0), style.half * 2);
    }
  }
  ctx.globalAlpha = base;

  const e = w.events;
  const n = e.seq.length;
  // Messages: plain, requests and replies in three strokes.
  const strokes: [string, (i: number) => boolean][] = [
    [p.message, (i) => e.c[i] === 0],
    [p.request, (i) => e.c[i] !== 0 && prep.reply[i] === 0],
    [p.reply, (i) => e.c[i] !== 0 && prep.reply[i] === 1],
  ];
  for (const [colour, accept] of strokes) {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 1;
    ctx.beginPath();
    const heads: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = e.kind[i]!;
      if (k !== codes.ipcSend && k !== codes.ipcReceive) continue;
      if (!accept(i)) continue;
      const arrow = messageArrow(scene, w, prep, i);
      if (!arrow) continue;
      ctx.moveTo(arrow.x0, arrow.y0);
      ctx.lineTo(arrow.x1, arrow.y1);
      heads.push(arrow.x0, arrow.y0, arrow.x1, arrow.y1);
    }
    ctx.stroke();
    ctx.beginPath();
    for (let h = 0; h < heads.length; h += 4) arrowHead(ctx, heads[h]!, heads[h + 1]!, heads[h + 2]!, heads[h + 3]!);
    ctx.fill();
  }
  // Notifications: dashed arrows.
  ctx.strokeStyle = p.notify;
  ctx.fillStyle = p.notify;
  ctx.setLineDash([3, 2]);
  ctx.beginPath();
  const notifyHeads: number[] = [];
  for (let i = 0; i < n; i++) {
    if (e.kind[i] !== codes.ipcNotify) continue;
    const x = vp.xOf(e.timeCycles[i]!);
    if (x < -2 || x > width + 2) continue;
    const y0 = laneY[e.lane[i]!] ?? -1;
    const y1 = e.peerLane[i]! >= 0 ? (laneY[e.peerLane[i]!] ?? -1) : -1;
    if (y0 < 0 && y1 < 0) continue;
    const from = y0 < 0 ? y1 - 8 : y0;
    const to = y1 < 0 ? y0 + 8 : y1;
    ctx.moveTo(x, from);
    ctx.lineTo(x, to);
    notifyHeads.push(x, from, x, to);
  }
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.beginPath();
  for (let h = 0; h < notifyHeads.length; h += 4) arrowHead(ctx, notifyHeads[h]!, notifyHeads[h + 1]!, notifyHeads[h + 2]!, notifyHeads[h + 3]!);
  ctx.fill();
  // DMA flows: from the device's lane to the process whose memory the transfer reached (red when it was overwritten).
  ctx.setLineDash([2, 2]);
  for (let i = 0; i < n; i++) {
    const k = e.kind[i]!;
    if (k !== codes.dma && k !== codes.corruption) continue;
    const x = vp.xOf(e.timeCycles[i]!);
    if (x < -2 || x > width + 2) continue;
    const y0 = laneY[e.lane[i]!] ?? -1;
    const y1 = e.peerLane[i]! >= 0 ? (laneY[e.peerLane[i]!] ?? -1) : -1;
    if (y0 < 0 || y1 < 0) continue;
    ctx.strokeStyle = k === codes.corruption ? p.error : p.dma;
    ctx.beginPath();
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y1);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  // Markers.
  for (let i = 0; i < n; i++) {
    const k = e.kind[i]!;
    if (k === codes.ipcSend || k === codes.ipcReceive || k === codes.ipcNotify) continue;
    const x = vp.xOf(e.timeCycles[i]!);
    if (x < -6 || x > width + 6) continue;
    const y = laneY[e.lane[i]!] ?? -1;
    if (y < 0) continue;
    drawMarker(ctx, p, codes, k, x, y);
  }
  drawHighlights(ctx, scene, w, prep);
}

interface Arrow {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The arrow of message event `i` (ipcSend or ipcReceive), or undefined when it is not drawn. */
function messageArrow(scene: HitScene, w: TraceWindowEvents, prep: Prepared, i: number): Arrow | undefined {
  const { viewport: vp, layout, codes } = scene;
  const e = w.events;
  const width = vp.widthPx;
  const laneY = layout.laneY;
  const x = vp.xOf(e.timeCycles[i]!);
  const home = laneY[e.lane[i]!] ?? -1;
  const peer = e.peerLane[i]! >= 0 ? (laneY[e.peerLane[i]!] ?? -1) : -1;
  if (e.kind[i] === codes.ipcSend) {
    if (x < -2 || x > width + 2) return undefined;
    if (e.b[i] === 1 && prep.matchedSend[i] === 1) return undefined;
    if (home < 0 && peer < 0) return undefined;
    const y0 = home < 0 ? peer - 9 : home;
    const y1 = peer < 0 ? home + 9 : peer;
    if (e.b[i] === 1) return { x0: x, y0, x1: x + 6, y1: y0 + (y1 > y0 ? 7 : -7) };
    return { x0: x, y0, x1: x, y1 };
  }
  // A queued message's receive: from its send (sender lane) to its delivery (receiver lane).
  const t0 = prep.sendTime[i]!;
  const x0 = Number.isNaN(t0) ? x : vp.xOf(t0);
  if (Math.max(x0, x) < -2 || Math.min(x0, x) > width + 2) return undefined;
  if (home < 0 && peer < 0) return undefined;
  const y0 = peer < 0 ? home - 9 : peer;
  const y1 = home < 0 ? peer + 9 : home;
  return { x0, y0, x1: x, y1 };
}

function arrowHead(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const size = 5;
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - size * Math.cos(angle - 0.45), y1 - size * Math.sin(angle - 0.45));
  ctx.lineTo(x1 - size * Math.cos(angle + 0.45), y1 - size * Math.sin(angle + 0.45));
  ctx.closePath();
}

function drawMarker(ctx: CanvasRenderingContext2D, p: Palette, codes: KindCodes, k: number, x: number, y: number): void {
  switch (k) {
    case codes.kernelCall:
      ctx.fillStyle = p.kernel;
      ctx.fillRect(x - 0.5, y - 10, 1.5, 5);
      return;
    case codes.contextSwitch:
      ctx.fillStyle = p.muted;
      ctx.fillRect(x - 0.5, y + 6, 1, 4);
      return;
    case codes.interrupt:
      ctx.fillStyle = p.interrupt;
      ctx.beginPath();
      ctx.moveTo(x - 4, y - 10);
      ctx.lineTo(x + 4, y - 10);
      ctx.lineTo(x, y - 3);
      ctx.closePath();
      ctx.fill();
      return;
    case codes.dma:
      ctx.fillStyle = p.dma;
      ctx.fillRect(x - 2, y - 6, 4, 12);
      return;
    case codes.iommuFault:
    case codes.corruption:
    case codes.kill:
      ctx.strokeStyle = p.error;
      ctx.lineWidth = k === codes.kill ? 1.5 : 2.5;
      ctx.beginPath();
      ctx.moveTo(x - 5, y - 5);
      ctx.lineTo(x + 5, y + 5);
      ctx.moveTo(x + 5, y - 5);
      ctx.lineTo(x - 5, y + 5);
      ctx.stroke();
      ctx.lineWidth = 1;
      return;
    case codes.crash:
    case codes.panic:
      ctx.fillStyle = p.error;
      ctx.beginPath();
      ctx.arc(x, y, k === codes.panic ? 8 : 6, 0, Math.PI * 2);
      ctx.fill();
      return;
    case codes.fault:
      ctx.fillStyle = p.error;
      ctx.beginPath();
      ctx.moveTo(x, y - 6);
      ctx.lineTo(x + 5, y);
      ctx.lineTo(x, y + 6);
      ctx.lineTo(x - 5, y);
      ctx.closePath();
      ctx.fill();
      return;
    case codes.restart:
      ctx.strokeStyle = p.restart;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.arc(x, y, 6, 0.3, Math.PI * 1.8);
      ctx.stroke();
      ctx.lineWidth = 1;
      return;
    case codes.processCreated:
      ctx.fillStyle = p.restart;
      ctx.beginPath();
      ctx.moveTo(x, y - 7);
      ctx.lineTo(x + 5, y + 3);
      ctx.lineTo(x - 5, y + 3);
      ctx.closePath();
      ctx.fill();
      return;
    case codes.exit:
      ctx.fillStyle = p.muted;
      ctx.fillRect(x - 4, y - 4, 8, 8);
      return;
    case codes.ipcError:
      ctx.fillStyle = p.error;
      ctx.fillRect(x - 1, y - 9, 2, 12);
      return;
    default:
      ctx.fillStyle = p.muted;
      ctx.beginPath();
      ctx.arc(x, y, 2.5, 0, Math.PI * 2);
      ctx.fill();
  }
}

function drawHighlights(ctx: CanvasRenderingContext2D, scene: TimelineScene, w: TraceWindowEvents, prep: Prepared): void {
  const h = scene.highlights;
  if (h.selectedSeq === undefined && h.linkId === 0 && h.chain.size === 0 && h.searchSeq === undefined) return;
  const { viewport: vp, layout, palette: p, codes } = scene;
  const e = w.events;
  for (let i = 0; i < e.seq.length; i++) {
    const seq = e.seq[i]!;
    const k = e.kind[i]!;
    const isMessage = k === codes.ipcSend || k === codes.ipcReceive;
    const selected = seq === h.selectedSeq;
    const linked = isMessage && h.linkId !== 0 && e.c[i] === h.linkId;
    const inChain = h.chain.has(seq);
    const found = seq === h.searchSeq;
    if (!selected && !linked && !inChain && !found) continue;
    ctx.strokeStyle = selected ? p.selection : p.highlight;
    ctx.lineWidth = selected ? 3 : 2;
    const arrow = isMessage ? messageArrow(scene, w, prep, i) : undefined;
    ctx.beginPath();
    if (arrow) {
      ctx.moveTo(arrow.x0, arrow.y0);
      ctx.lineTo(arrow.x1, arrow.y1);
    } else {
      const x = vp.xOf(e.timeCycles[i]!);
      const y = layout.laneY[e.lane[i]!] ?? -1;
      if (y < 0) continue;
      ctx.rect(x - 7, y - 9, 14, 18);
    }
    ctx.stroke();
  }
  ctx.lineWidth = 1;
}

function drawBuckets(ctx: CanvasRenderingContext2D, scene: TimelineScene, w: TraceWindowBuckets, prep: Prepared): void {
  const { viewport: vp, layout, palette: p, codes } = scene;
  const width = vp.widthPx;
  const count = w.bucketCount;
  const firstBucket = Math.max(0, Math.floor((vp.startCycles - w.fromCycles) / w.bucketCycles));
  const lastBucket = Math.min(count - 1, Math.ceil((vp.endCycles - w.fromCycles) / w.bucketCycles));
  const base = ctx.globalAlpha;
  const x = (b: number) => vp.xOf(w.fromCycles + b * w.bucketCycles);
  for (const lane of layout.lanes) {
    const y = layout.laneY[lane.id]!;
    if (lane.id >= w.laneCount) continue;
    const row = lane.id * count;
    // Dominant state, run-length merged.
    let b = firstBucket;
    while (b <= lastBucket) {
      const state = w.dominantState[row + b]!;
      let end = b + 1;
      while (end <= lastBucket && w.dominantState[row + end] === state) end++;
      if (state !== 0) {
        const style = spanStyle(p, state);
        ctx.fillStyle = style.colour;
        ctx.globalAlpha = base * style.alpha;
        const x0 = Math.max(0, x(b));
        const x1 = Math.min(width, x(end));
        ctx.fillRect(x0, y - style.half, Math.max(1, x1 - x0), style.half * 2);
      }
      b = end;
    }
    // Event density along the bottom of the lane.
    if (prep.maxTotal > 0) {
      ctx.fillStyle = p.density;
      ctx.globalAlpha = base * 0.7;
      const scale = (LANE_HEIGHT_PX / 2 - 1) / Math.log2(1 + prep.maxTotal);
      for (let k = firstBucket; k <= lastBucket; k++) {
        const t = prep.totals[row + k]!;
        if (t === 0) continue;
        const hPx = Math.max(1, Math.log2(1 + t) * scale);
        const x0 = x(k);
        ctx.fillRect(x0, y + LANE_HEIGHT_PX / 2 - hPx, Math.max(1, x(k + 1) - x0), hPx);
      }
    }
  }
  ctx.globalAlpha = base;
  // Rare but important kinds stay visible as markers at any zoom.
  const rare = new Set([codes.crash, codes.panic, codes.restart, codes.iommuFault, codes.corruption, codes.kill, codes.fault, codes.processCreated, codes.exit]);
  const c = w.counts;
  for (let i = 0; i < c.count.length; i++) {
    const k = c.kind[i]!;
    if (!rare.has(k)) continue;
    const y = layout.laneY[c.lane[i]!] ?? -1;
    if (y < 0) continue;
    const bucket = c.bucket[i]!;
    if (bucket < firstBucket || bucket > lastBucket) continue;
    drawMarker(ctx, p, codes, k, (x(bucket) + x(bucket + 1)) / 2, y);
  }
}

/**
 * Where message event `i` is drawn, as a segment: its arrow; a notification's
 * dashed line; a queued send whose receive draws the arrow, the point where that
 * arrow leaves the sender. Undefined when it is not drawn.
 */
function messageSegment(scene: HitScene, w: TraceWindowEvents, prep: Prepared, i: number): Arrow | undefined {
  const { viewport: vp, layout, codes } = scene;
  const e = w.events;
  const home = layout.laneY[e.lane[i]!] ?? -1;
  const peer = e.peerLane[i]! >= 0 ? (layout.laneY[e.peerLane[i]!] ?? -1) : -1;
  const x = vp.xOf(e.timeCycles[i]!);
  if (e.kind[i] === codes.ipcNotify) {
    if (home < 0 && peer < 0) return undefined;
    const from = home < 0 ? peer - 8 : home;
    return { x0: x, y0: from, x1: x, y1: peer < 0 ? home + 8 : peer };
  }
  const arrow = messageArrow(scene, w, prep, i);
  if (arrow) return arrow;
  if (e.kind[i] === codes.ipcSend && e.b[i] === 1 && prep.matchedSend[i] === 1 && home >= 0) return { x0: x, y0: home, x1: x, y1: home };
  return undefined;
}

/** How far from an event's mark (or a message's arrow) a click still picks it, in CSS pixels. */
const PICK_PX = 6;
/** How close a click must come to an arrow that only crosses the lane under the pointer. */
const CROSSING_PICK_PX = 3;

/**
 * The seq of the event under (x, y), or undefined. Events mode only. The lane
 * under the pointer decides: first the nearest event drawn on that lane, or
 * whose message arrow starts or ends on it, within PICK_PX; then the span under
 * the pointer on that lane (it answers for the event that opened it, when the
 * window names it: not when that event's kind is filtered out); last a message
 * arrow that merely crosses the lane, within CROSSING_PICK_PX.
 */
export function pickEvent(scene: HitScene, x: number, y: number): number | undefined {
  const w = scene.window;
  if (!w || w.mode !== 'events') return undefined;
  const prep = prepare(w, scene.codes);
  const { viewport: vp, layout, codes } = scene;
  const lane = laneAt(layout, y)?.id;
  const laneCentre = lane === undefined ? NaN : layout.laneY[lane]!;
  const onLane = (yy: number) => Math.abs(yy - laneCentre) <= LANE_HEIGHT_PX / 2;
  const e = w.events;
  let best: number | undefined;
  let bestScore = Infinity;
  let crossing: number | undefined;
  let crossingScore = Infinity;
  for (let i = 0; i < e.seq.length; i++) {
    const k = e.kind[i]!;
    const own = e.lane[i] === lane;
    if (k === codes.ipcSend || k === codes.ipcReceive || k === codes.ipcNotify) {
      const seg = messageSegment(scene, w, prep, i);
      if (!seg) continue;
      const t = seg.y1 === seg.y0 ? 0 : (y - seg.y0) / (seg.y1 - seg.y0);
      const dx = Math.abs(seg.x0 + (seg.x1 - seg.x0) * Math.min(1, Math.max(0, t)) - x);
      // Whether the arrow starts or ends on the lane under the pointer (else it may only cross it).
      const touches = onLane(seg.y0) || onLane(seg.y1);
      if (touches) {
        // The message's own lane first, at equal distance.
        const score = dx + (own ? 0 : 0.5);
        if (dx <= PICK_PX && score < bestScore) {
          bestScore = score;
          best = e.seq[i];
        }
      } else if (y >= Math.min(seg.y0, seg.y1) - 4 && y <= Math.max(seg.y0, seg.y1) + 4 && dx <= CROSSING_PICK_PX && dx < crossingScore) {
        crossingScore = dx;
        crossing = e.seq[i];
      }
    } else if (own) {
      const dx = Math.abs(vp.xOf(e.timeCycles[i]!) - x);
      const score = dx + (k === codes.contextSwitch ? 3 : 1);
      if (dx <= PICK_PX && score < bestScore) {
        bestScore = score;
        best = e.seq[i];
      }
    }
  }
  if (best !== undefined) return best;
  if (lane !== undefined) {
    const s = w.spans;
    const t = vp.cyclesAt(x);
    for (let i = 0; i < s.lane.length; i++) {
      if (s.lane[i] !== lane) continue;
      if (s.startCycles[i]! <= t && t < s.endCycles[i]! && s.seq[i]! >= 0) return s.seq[i];
    }
  }
  return crossing;
}

/** Tick times for the ruler and grid: a nice step in simulated time about every 110 px. */
export function rulerTicks(vp: Viewport, clockHz: number): { ticks: number[]; stepCycles: number } {
  const stepSeconds = niceStep(cyclesToSeconds(vp.cyclesPerPx * 110, clockHz));
  const stepCycles = Math.max(1, cyclesIn(stepSeconds, clockHz));
  const ticks: number[] = [];
  const first = Math.ceil(vp.startCycles / stepCycles) * stepCycles;
  for (let t = first; t <= vp.endCycles && ticks.length < 200; t += stepCycles) ticks.push(t);
  return { ticks, stepCycles };
}

export function drawRuler(ctx: CanvasRenderingContext2D, vp: Viewport, p: Palette, clockHz: number, heightPx: number): number[] {
  const { ticks, stepCycles } = rulerTicks(vp, clockHz);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, vp.widthPx, heightPx);
  ctx.strokeStyle = p.grid;
  ctx.beginPath();
  ctx.moveTo(0, heightPx - 0.5);
  ctx.lineTo(vp.widthPx, heightPx - 0.5);
  for (const t of ticks) {
    const x = Math.round(vp.xOf(t)) + 0.5;
    ctx.moveTo(x, heightPx * 0.35);
    ctx.lineTo(x, heightPx);
  }
  ctx.stroke();
  ctx.font = p.font;
  ctx.textBaseline = 'top';
  for (const t of ticks) {
    const x = Math.round(vp.xOf(t)) + 3;
    ctx.fillStyle = p.foreground;
    ctx.fillText(formatSeconds(t, clockHz, stepCycles), x, 2);
    ctx.fillStyle = p.muted;
    ctx.fillText(`${formatCycles(t)} cyc`, x, heightPx / 2 + 1);
  }
  return ticks;
}
