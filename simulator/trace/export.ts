// Exports of the trace: Chrome trace-event JSON that Perfetto opens, and CSV.
// Both are produced as a sequence of text chunks, so a big trace can be written
// out piece by piece instead of as one string.
//
// Perfetto layout: one thread per lane, grouped into one process per lane group
// (kernel, servers, drivers, programs, devices). Spans are complete events ('X'),
// each message is a one-cycle 'X' slice on the sender's and the receiver's
// thread joined by a flow ('s' → 'f', emitted only when both ends are in the
// trace), markers are instant events ('i'), names are metadata ('M').
// Timestamps are microseconds of simulated time.
import type { TraceFilter, TraceLaneGroup } from '../protocol/traceProtocol';
import { cyclesToMicros } from '../time/time';
import { compileFilter, matchLane, type CompiledFilter } from './filter';
import { TraceKind, traceKindNames } from './kinds';
import { SPAN_BLOCKED_RECEIVE, SPAN_BLOCKED_SEND, SPAN_BLOCKED_SENDREC, SPAN_KERNEL, SPAN_RUNNING, type TraceModel } from './model';
import { describeEvent } from './query';
import { traceEndCycles } from './window';

const GROUP_PIDS: Readonly<Record<TraceLaneGroup, number>> = { kernel: 1, servers: 2, drivers: 3, programs: 4, devices: 5 };
const SPAN_NAMES: Readonly<Record<number, string>> = {
  [SPAN_RUNNING]: 'running',
  [SPAN_BLOCKED_SEND]: 'blocked in SEND',
  [SPAN_BLOCKED_RECEIVE]: 'blocked in RECEIVE',
  [SPAN_BLOCKED_SENDREC]: 'blocked in SENDREC',
  [SPAN_KERNEL]: 'kernel call',
};
/** Events per chunk of output. */
const CHUNK_EVENTS = 4096;

export interface ExportOptions {
  readonly filter?: TraceFilter;
}

interface Slice {
  start: number;
  end: number;
  name: string;
  cat: string;
  args: Record<string, string | number> | undefined;
}

/** The Perfetto JSON as chunks of text; their concatenation is one JSON document. */
export function* perfettoChunks(model: TraceModel, options: ExportOptions = {}): Generator<string> {
  model.refresh();
  const t = model.trace;
  const f = compileFilter(model, options.filter);
  const us = (cycles: number) => cyclesToMicros(cycles, model.clockHz);
  const shown = (lane: number) => lane >= 0 && (f.lanes === null || f.lanes[lane] === 1);
  const pidOf = (lane: number) => GROUP_PIDS[model.lane(lane).group];
  const out: string[] = [];
  let first = true;
  const emit = (event: object) => {
    out.push((first ? '' : ',\n') + JSON.stringify(event));
    first = false;
  };
  yield `{"displayTimeUnit":"ns","otherData":{"generator":"Microkernel Lab","clockHz":${model.clockHz}},"traceEvents":[\n`;

  for (const [group, pid] of Object.entries(GROUP_PIDS)) {
    emit({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: group } });
    emit({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
  }
  for (let lane = 0; lane < model.laneCount; lane++) {
    if (!shown(lane)) continue;
    emit({ name: 'thread_name', ph: 'M', pid: pidOf(lane), tid: lane + 1, args: { name: model.laneLabel(lane) } });
    emit({ name: 'thread_sort_index', ph: 'M', pid: pidOf(lane), tid: lane + 1, args: { sort_index: lane } });
  }
  yield out.splice(0).join('');

  // Message slices and flows, in one pass over the events.
  const slices: Slice[][] = Array.from({ length: model.laneCount }, () => []);
  const flows: { id: number; from: number; fromTime: number; to: number; toTime: number; name: string }[] = [];
  const pending = new Map<string, { lane: number; time: number }[]>();
  let nextFlow = 1;
  const messageSlice = (lane: number, time: number, name: string, args: Record<string, string | number>) => {
    slices[lane]!.push({ start: time, end: time + 1, name, cat: 'ipc', args });
  };
  const { start, end } = f.toCycles > f.fromCycles ? t.rangeByTime(f.fromCycles, f.toCycles) : { start: 0, end: 0 };
  for (let seq = start; seq < end; seq++) {
    const i = seq % t.capacity;
    if (matchLane(model, f, i) < 0) continue;
    const kind = t.kind[i]!;
    const home = model.homeLane[i]!;
    const peer = model.peerLane[i]!;
    const time = t.time[i]!;
    if (kind === TraceKind.ipcSend || kind === TraceKind.ipcReceive || kind === TraceKind.ipcNotify) {
      const sender = kind === TraceKind.ipcReceive ? peer : home;
      const receiver = kind === TraceKind.ipcReceive ? home : peer;
      const isNotify = kind === TraceKind.ipcNotify || (kind === TraceKind.ipcReceive && t.a[i]! === model.naming.notifyMessageType);
      const name = isNotify ? 'notify' : (model.naming.messageTypeName(t.a[i]!, model.laneLabel(receiver)) ?? `type 0x${(t.a[i]! >>> 0).toString(16)}`);
      const args = { seq, summary: describeEvent(model, seq), link: kind === TraceKind.ipcNotify ? 0 : t.c[i]! };
      const key = `${t.src[i]!}>${t.dst[i]!}>${isNotify ? 'n' : `${t.a[i]!}:${t.c[i]!}`}`;
      const atOnce = (kind === TraceKind.ipcSend && t.b[i]! === 0) || (kind === TraceKind.ipcNotify && t.a[i]! === 1);
      if (kind === TraceKind.ipcReceive) {
        const q = pending.get(key);
        const sent = q?.shift();
        if (q !== undefined && q.length === 0) pending.delete(key);
        if (shown(receiver)) messageSlice(receiver, time, `receive ${name}`, args);
        if (sent !== undefined && shown(receiver)) flows.push({ id: nextFlow++, from: sent.lane, fromTime: sent.time, to: receiver, toTime: time, name });
      } else if (kind === TraceKind.ipcNotify && atOnce) {
        // The ipcReceive recorded with it draws the receiving end and the flow.
        if (shown(sender)) messageSlice(sender, time, `notify ${model.laneLabel(receiver)}`, args);
        if (shown(sender)) pending.set(key, [...(pending.get(key) ?? []), { lane: sender, time }]);
      } else {
        if (shown(sender)) messageSlice(sender, time, `${kind === TraceKind.ipcNotify ? 'notify' : 'send'} ${name}`, args);
        if (atOnce) {
          if (receiver >= 0 && shown(receiver)) {
            messageSlice(receiver, time, `receive ${name}`, args);
            if (shown(sender)) flows.push({ id: nextFlow++, from: sender, fromTime: time, to: receiver, toTime: time, name });
          }
        } else if (shown(sender)) pending.set(key, [...(pending.get(key) ?? []), { lane: sender, time }]);
      }
      continue;
    }
    if (kind === TraceKind.contextSwitch || kind === TraceKind.ipcWait) continue;
    if (kind === TraceKind.kernelCall && t.c[i]! > 0) continue;
    emit({
      name: markerName(model, kind, i),
      cat: traceKindNames[kind] ?? 'event',
      ph: 'i',
      s: 't',
      ts: us(time),
      pid: pidOf(home),
      tid: home + 1,
      args: { seq, summary: describeEvent(model, seq) },
    });
    if (out.length >= CHUNK_EVENTS) yield out.splice(0).join('');
  }
  yield out.splice(0).join('');

  // Spans (clipped to the filter's time range) and message slices, nested per lane.
  const endOfTrace = traceEndCycles(model);
  const from = f.fromCycles;
  const to = Math.min(f.toCycles, endOfTrace);
  const addSpan = (lane: number, s: number, e: number, state: number, peer: number) => {
    const a = Math.max(s, from);
    const b = Math.min(e, to);
    if (!(b > a)) return;
    slices[lane]!.push({ start: a, end: b, name: SPAN_NAMES[state] ?? 'span', cat: 'state', args: peer >= 0 ? { peer: model.laneLabel(peer) } : undefined });
  };
  for (let lane = 0; lane < model.laneCount; lane++) {
    if (!shown(lane)) continue;
    for (const list of [model.primary[lane]!, model.kernel[lane]!]) {
      for (let k = list.firstEndingAfter(from); k < list.count && list.start[k]! < to; k++) addSpan(lane, list.start[k]!, list.end[k]!, list.state[k]!, list.peer[k]!);
    }
  }
  for (const o of model.openSpans()) if (shown(o.lane)) addSpan(o.lane, o.startCycles, endOfTrace, o.state, o.peer);
  for (let lane = 0; lane < model.laneCount; lane++) {
    const list = slices[lane]!;
    if (list.length === 0) continue;
    nest(list);
    for (const s of list) {
      emit({ name: s.name, cat: s.cat, ph: 'X', ts: us(s.start), dur: Math.max(0, us(s.end) - us(s.start)), pid: pidOf(lane), tid: lane + 1, ...(s.args === undefined ? {} : { args: s.args }) });
      if (out.length >= CHUNK_EVENTS) yield out.splice(0).join('');
    }
  }
  for (const fl of flows) {
    // Both ends sit at the start of a message slice, so each binds to it.
    emit({ name: fl.name, cat: 'ipc', ph: 's', id: fl.id, ts: us(fl.fromTime), pid: pidOf(fl.from), tid: fl.from + 1 });
    emit({ name: fl.name, cat: 'ipc', ph: 'f', bp: 'e', id: fl.id, ts: us(fl.toTime), pid: pidOf(fl.to), tid: fl.to + 1 });
    if (out.length >= CHUNK_EVENTS) yield out.splice(0).join('');
  }
  yield out.splice(0).join('') + '\n]}\n';
}

/** Sorts a lane's slices and trims any that would cross the end of the slice enclosing it, so slices nest. */
function nest(list: Slice[]): void {
  list.sort((x, y) => x.start - y.start || y.end - x.end);
  const stack: Slice[] = [];
  for (const s of list) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= s.start) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent !== undefined && s.end > parent.end) s.end = parent.end;
    stack.push(s);
  }
}

function markerName(model: TraceModel, kind: number, slot: number): string {
  const t = model.trace;
  switch (kind) {
    case TraceKind.interrupt:
      return `irq ${t.a[slot]!}`;
    case TraceKind.kernelCall:
      return model.naming.kernelCallName(t.a[slot]!) ?? `kernel call ${t.a[slot]!}`;
    case TraceKind.dma:
      return `DMA ${(t.c[slot]! & 1) === 1 ? 'write' : 'read'}`;
    case TraceKind.corruption:
      return 'MEMORY OVERWRITTEN';
    case TraceKind.iommuFault:
      return 'IOMMU fault';
    case TraceKind.iommuStale:
      return 'stale IOTLB DMA';
    default:
      return traceKindNames[kind] ?? `kind ${kind}`;
  }
}

export function exportPerfetto(model: TraceModel, options: ExportOptions = {}): string {
  return [...perfettoChunks(model, options)].join('');
}

export const CSV_HEADER = ['seq', 'time_cycles', 'time_us', 'kind', 'src', 'src_name', 'dst', 'dst_name', 'lane', 'message_type', 'a', 'b', 'c', 'label', 'summary'];

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: a header row, then one row per event, CRLF line ends. */
export function* csvChunks(model: TraceModel, options: ExportOptions = {}): Generator<string> {
  model.refresh();
  const t = model.trace;
  const f: CompiledFilter = compileFilter(model, options.filter);
  yield CSV_HEADER.join(',') + '\r\n';
  const { start, end } = f.toCycles > f.fromCycles ? t.rangeByTime(f.fromCycles, f.toCycles) : { start: 0, end: 0 };
  let rows: string[] = [];
  for (let seq = start; seq < end; seq++) {
    const i = seq % t.capacity;
    const lane = matchLane(model, f, i);
    if (lane < 0) continue;
    const kind = t.kind[i]!;
    const isMessage = kind === TraceKind.ipcSend || kind === TraceKind.ipcReceive;
    const row = [
      seq,
      t.time[i]!,
      cyclesToMicros(t.time[i]!, model.clockHz),
      traceKindNames[kind] ?? `kind${kind}`,
      t.src[i]!,
      model.endpointName(t.src[i]!),
      t.dst[i]!,
      model.endpointName(t.dst[i]!),
      model.laneLabel(lane),
      isMessage ? (model.naming.messageTypeName(t.a[i]!, model.endpointName(t.dst[i]!)) ?? '') : '',
      t.a[i]!,
      t.b[i]!,
      t.c[i]!,
      t.strings.get(t.label[i]!),
      describeEvent(model, seq),
    ];
    rows.push(row.map(csvField).join(','));
    if (rows.length >= CHUNK_EVENTS) {
      yield rows.join('\r\n') + '\r\n';
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('\r\n') + '\r\n';
}

export function exportCsv(model: TraceModel, options: ExportOptions = {}): string {
  return [...csvChunks(model, options)].join('');
}
