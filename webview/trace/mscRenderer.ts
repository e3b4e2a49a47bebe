// The message-sequence view: one column per lane, time downward, one row per
// event of the selected range; drawn on a canvas the height of the visible
// part of the scroll area (rows outside it are skipped).
import type { TraceLane, TraceWindowEvents } from '../../simulator/protocol/traceProtocol';
import type { MscRowSummary } from '../protocol/traceViewProtocol';
import type { KindCodes, Layout } from './layout';
import type { Palette } from './palette';
import { formatSeconds } from './timeFormat';

export const MSC_ROW_PX = 22;
export const MSC_TIME_GUTTER_PX = 96;
const MIN_COLUMN_PX = 90;

export interface MscModel {
  readonly window: TraceWindowEvents;
  readonly columns: readonly TraceLane[];
  readonly columnX: ReadonlyMap<number, number>;
  /** Event indices in the window, one per row. */
  readonly rows: readonly number[];
  /** For a row showing a queued message's receive: the row of its send, else -1. */
  readonly fromRow: Int32Array;
  readonly widthPx: number;
  /** Each row's time as the chart and its table show it: precise enough that rows at different times read differently (to the nanosecond). */
  readonly timeLabels: readonly string[];
}

/** The kinds a message-sequence chart shows. */
export function mscKinds(codes: KindCodes): number[] {
  return [
    codes.ipcSend, codes.ipcReceive, codes.ipcNotify, codes.ipcError, codes.interrupt, codes.dma, codes.iommuFault,
    codes.fault, codes.kill, codes.crash, codes.exit, codes.restart, codes.panic, codes.processCreated,
  ];
}

export function buildMsc(w: TraceWindowEvents, layout: Layout, codes: KindCodes, availableWidthPx: number, clockHz: number): MscModel {
  const e = w.events;
  const used = new Set<number>();
  const rows: number[] = [];
  const shown = new Set(mscKinds(codes));
  for (let i = 0; i < e.seq.length; i++) {
    if (!shown.has(e.kind[i]!)) continue;
    if ((layout.laneY[e.lane[i]!] ?? -1) < 0) continue;
    rows.push(i);
    used.add(e.lane[i]!);
    if (e.peerLane[i]! >= 0 && (layout.laneY[e.peerLane[i]!] ?? -1) >= 0) used.add(e.peerLane[i]!);
  }
  const columns = layout.lanes.filter((l) => used.has(l.id));
  const columnWidth = Math.max(MIN_COLUMN_PX, (availableWidthPx - MSC_TIME_GUTTER_PX) / Math.max(1, columns.length));
  const columnX = new Map<number, number>();
  columns.forEach((lane, c) => columnX.set(lane.id, MSC_TIME_GUTTER_PX + columnWidth * (c + 0.5)));
  const fromRow = new Int32Array(rows.length).fill(-1);
  const queued = new Map<string, number[]>();
  rows.forEach((i, r) => {
    const key = `${e.src[i]},${e.dst[i]},${e.a[i]},${e.c[i]}`;
    if (e.kind[i] === codes.ipcSend && e.b[i] === 1) {
      let list = queued.get(key);
      if (!list) queued.set(key, (list = []));
      list.push(r);
    } else if (e.kind[i] === codes.ipcReceive) {
      const from = queued.get(key)?.shift();
      if (from !== undefined) fromRow[r] = from;
    }
  });
  const timeLabels = rowTimeLabels(rows.map((i) => e.timeCycles[i]!), clockHz);
  return { window: w, columns, columnX, rows, fromRow, widthPx: MSC_TIME_GUTTER_PX + columnWidth * columns.length, timeLabels };
}

/**
 * The rows' times, each in its own unit with the decimals the smallest gap
 * between two adjacent rows at different times needs (at least the usual three,
 * at most to the nanosecond), so that no two such rows read the same.
 */
export function rowTimeLabels(times: readonly number[], clockHz: number): string[] {
  let gap = Infinity;
  for (let r = 1; r < times.length; r++) {
    const d = times[r]! - times[r - 1]!;
    if (d > 0 && d < gap) gap = d;
  }
  if (!Number.isFinite(gap)) return times.map((t) => formatSeconds(t, clockHz));
  const nanosecond = clockHz / 1e9;
  const label = (t: number, step: number) => {
    const seconds = Math.abs(t) / clockHz;
    const unit = seconds >= 1 ? 1 : seconds >= 1e-3 ? 1e-3 : seconds >= 1e-6 ? 1e-6 : 1e-9;
    // Never coarser than three decimals of the time's own unit.
    return formatSeconds(t, clockHz, Math.max(nanosecond, Math.min(step, unit * 1e-3 * clockHz)));
  };
  // Rounding can still meet at a half-way point: one decimal more until adjacent times read apart.
  for (let step = Math.max(nanosecond, gap); ; step = Math.max(nanosecond, step / 10)) {
    const labels = times.map((t) => label(t, step));
    if (step <= nanosecond || labels.every((l, r) => r === 0 || times[r] === times[r - 1] || l !== labels[r - 1])) return labels;
  }
}

export interface MscScene {
  readonly model: MscModel;
  readonly palette: Palette;
  readonly codes: KindCodes;
  readonly clockHz: number;
  readonly scrollTopPx: number;
  readonly heightPx: number;
  readonly widthPx: number;
  readonly selectedSeq: number | undefined;
  readonly linkId: number;
  readonly chain: ReadonlySet<number>;
  readonly messageTypeName: (type: number) => string;
}

export function drawMsc(ctx: CanvasRenderingContext2D, scene: MscScene): void {
  const { model, palette: p, codes } = scene;
  const e = model.window.events;
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, scene.widthPx, scene.heightPx);
  const top = scene.scrollTopPx;
  const firstRow = Math.max(0, Math.floor(top / MSC_ROW_PX) - 1);
  const lastRow = Math.min(model.rows.length - 1, Math.ceil((top + scene.heightPx) / MSC_ROW_PX));
  ctx.strokeStyle = p.grid;
  ctx.beginPath();
  for (const x of model.columnX.values()) {
    ctx.moveTo(Math.round(x) + 0.5, 0);
    ctx.lineTo(Math.round(x) + 0.5, scene.heightPx);
  }
  ctx.stroke();
  ctx.font = p.font;
  ctx.textBaseline = 'middle';
  const rowY = (r: number) => r * MSC_ROW_PX + MSC_ROW_PX / 2 - top;
  // Queued messages whose send row is above the visible rows still draw their arrow.
  for (let r = firstRow; r <= lastRow; r++) {
    const i = model.rows[r]!;
    const seq = e.seq[i]!;
    const y = rowY(r);
    const k = e.kind[i]!;
    const selected = seq === scene.selectedSeq;
    const linked = (k === codes.ipcSend || k === codes.ipcReceive) && scene.linkId !== 0 && e.c[i] === scene.linkId;
    if (selected || linked || scene.chain.has(seq)) {
      ctx.fillStyle = selected ? p.rangeFill : p.laneStripe;
      ctx.fillRect(0, y - MSC_ROW_PX / 2, scene.widthPx, MSC_ROW_PX);
    }
    ctx.fillStyle = p.muted;
    ctx.fillText(model.timeLabels[r] ?? formatSeconds(e.timeCycles[i]!, scene.clockHz), 4, y);
    const xHome = model.columnX.get(e.lane[i]!);
    const xPeer = e.peerLane[i]! >= 0 ? model.columnX.get(e.peerLane[i]!) : undefined;
    if (xHome === undefined) continue;
    if (k === codes.ipcSend || k === codes.ipcReceive || k === codes.ipcNotify) {
      if (k === codes.ipcSend && e.b[i] === 1 && isMatchedSend(model, r)) {
        ctx.fillStyle = p.muted;
        ctx.fillText('queued', xHome + 4, y);
        continue;
      }
      const colour = k === codes.ipcNotify ? p.notify : e.c[i] !== 0 ? p.request : p.message;
      const fromRow = model.fromRow[r]!;
      const senderX = k === codes.ipcReceive ? (xPeer ?? xHome - 30) : xHome;
      const receiverX = k === codes.ipcReceive ? xHome : (xPeer ?? xHome + 30);
      const y0 = fromRow >= 0 ? rowY(fromRow) : y;
      ctx.strokeStyle = selected ? p.selection : colour;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = selected || linked ? 2 : 1;
      if (k === codes.ipcNotify) ctx.setLineDash([3, 2]);
      ctx.beginPath();
      ctx.moveTo(senderX, y0);
      ctx.lineTo(receiverX, y);
      ctx.stroke();
      ctx.setLineDash([]);
      const dir = receiverX >= senderX ? 1 : -1;
      ctx.beginPath();
      ctx.moveTo(receiverX, y);
      ctx.lineTo(receiverX - dir * 6, y - 3.5);
      ctx.lineTo(receiverX - dir * 6, y + 3.5);
      ctx.closePath();
      ctx.fill();
      ctx.lineWidth = 1;
      const label = k === codes.ipcNotify ? 'notify' : scene.messageTypeName(e.a[i]!);
      ctx.fillStyle = p.foreground;
      ctx.textAlign = 'center';
      ctx.fillText(label, (senderX + receiverX) / 2, y - 6);
      ctx.textAlign = 'start';
    } else {
      ctx.fillStyle = k === codes.restart || k === codes.processCreated ? p.restart : k === codes.interrupt ? p.interrupt : k === codes.dma ? p.dma : p.error;
      ctx.beginPath();
      ctx.arc(xHome, y, 4, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = p.foreground;
      ctx.fillText(kindLabel(codes, k), xHome + 7, y);
    }
  }
}

function isMatchedSend(model: MscModel, row: number): boolean {
  for (let r = row + 1; r < model.rows.length; r++) if (model.fromRow[r] === row) return true;
  return false;
}

function kindLabel(codes: KindCodes, k: number): string {
  const names: [number, string][] = [
    [codes.ipcError, 'IPC error'], [codes.interrupt, 'interrupt'], [codes.dma, 'DMA'], [codes.iommuFault, 'IOMMU fault'],
    [codes.fault, 'MMU fault'], [codes.kill, 'killed'], [codes.crash, 'crash'], [codes.exit, 'exit'], [codes.restart, 'restart'],
    [codes.panic, 'PANIC'], [codes.processCreated, 'created'],
  ];
  return names.find(([code]) => code === k)?.[1] ?? 'event';
}

/** The rows as text, in the chart's order (time order): who sent to whom, or which event on which column. */
export function mscRows(model: MscModel, codes: KindCodes, messageTypeName: (type: number) => string): MscRowSummary[] {
  const e = model.window.events;
  const label = new Map(model.columns.map((l) => [l.id, l.label]));
  const laneLabel = (lane: number) => label.get(lane) ?? '';
  const matchedSends = new Set(model.fromRow);
  return model.rows.map((i, r) => {
    const k = e.kind[i]!;
    const home = laneLabel(e.lane[i]!);
    const peer = e.peerLane[i]! >= 0 ? laneLabel(e.peerLane[i]!) : '';
    const base = { seq: e.seq[i]!, timeCycles: e.timeCycles[i]! };
    if (k === codes.ipcNotify) return { ...base, from: home, to: peer, label: 'notify' };
    if (k === codes.ipcSend) {
      const type = messageTypeName(e.a[i]!);
      return { ...base, from: home, to: peer, label: e.b[i] === 1 && matchedSends.has(r) ? `${type} (queued)` : type };
    }
    if (k === codes.ipcReceive) return { ...base, from: peer, to: home, label: `${messageTypeName(e.a[i]!)} (received)` };
    return { ...base, from: home, to: '', label: kindLabel(codes, k) };
  });
}

/** The seq of the row at content offset `y` (scroll position included). */
export function pickMsc(model: MscModel, contentY: number): number | undefined {
  const r = Math.floor(contentY / MSC_ROW_PX);
  const i = model.rows[r];
  return i === undefined ? undefined : model.window.events.seq[i];
}

export function rowOfSeq(model: MscModel, seq: number): number {
  const e = model.window.events;
  return model.rows.findIndex((i) => e.seq[i] === seq);
}
