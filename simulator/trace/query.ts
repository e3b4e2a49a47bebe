// Questions about single events: their decoded details, searches by message
// type, label or endpoint, and the chain of messages that served a request.
import { cyclesToMicros } from '../time/time';
import type {
  TraceChain,
  TraceChainStep,
  TraceEndpointRef,
  TraceEventDetails,
  TraceField,
  TraceSearchParams,
  TraceSearchResult,
} from '../protocol/traceProtocol';
import { compileFilter, matchLane } from './filter';
import { TraceKind, traceKindNames } from './kinds';
import { parseLocation, type TraceLocations } from './locations';
import type { TraceModel } from './model';

export const DEFAULT_SEARCH_LIMIT = 1000;
export const MAX_SEARCH_LIMIT = 100_000;
/** Events a chain may scan before it gives up (and says it is incomplete). */
const CHAIN_SCAN_BUDGET = 20_000_000;

function slotOf(model: TraceModel, seq: number): number {
  const t = model.trace;
  if (!Number.isInteger(seq) || seq < t.firstSeq || seq >= t.endSeq) {
    throw new RangeError(`event ${seq} is not in the trace (it holds events ${t.firstSeq} to ${t.endSeq - 1})`);
  }
  return seq % t.capacity;
}

function endpointRef(model: TraceModel, endpoint: number): TraceEndpointRef {
  return { endpoint, name: model.endpointName(endpoint), lane: model.laneOfEndpoint(endpoint) };
}

function messageType(model: TraceModel, type: number, receiver: number): { type: number; name?: string } {
  const name = model.naming.messageTypeName(type, model.endpointName(receiver));
  return name === undefined ? { type } : { type, name };
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** The decoded columns of one event, as name/value pairs. */
export function eventFields(model: TraceModel, seq: number): TraceField[] {
  const t = model.trace;
  const i = slotOf(model, seq);
  const { a, b, c } = { a: t.a[i]!, b: t.b[i]!, c: t.c[i]! };
  const label = t.strings.get(t.label[i]!);
  const n = model.naming;
  const call = (nr: number) => n.ipcCallName(nr) ?? `#${nr}`;
  const f = (name: string, value: string, raw?: number): TraceField => (raw === undefined ? { name, value } : { name, value, raw });
  switch (t.kind[i]!) {
    case TraceKind.ipcSend:
      return [f('message type', n.messageTypeName(a, model.endpointName(t.dst[i]!)) ?? hex(a), a), f('delivery', b === 0 ? 'at once' : 'queued', b), f('link', String(c), c)];
    case TraceKind.ipcReceive:
      return [f('message type', n.messageTypeName(a, model.endpointName(t.dst[i]!)) ?? hex(a), a), f('IPC call', call(b), b), f('link', String(c), c)];
    case TraceKind.ipcNotify:
      return [f('delivery', a === 1 ? 'at once' : 'pending', a)];
    case TraceKind.ipcError:
      return [f('IPC call', call(a), a), f('error', n.statusName(b), b)];
    case TraceKind.kernelCall:
      return [f('kernel call', n.kernelCallName(a) ?? `#${a}`, a), f('result', n.statusName(b), b), f('cycles charged', String(c), c)];
    case TraceKind.contextSwitch:
      return [f('cycles', String(a), a), f('address space changed', b === 1 ? 'yes' : 'no', b)];
    case TraceKind.interrupt:
      return [f('irq', String(a), a), f('delivered', b === 1 ? 'yes' : 'no (masked)', b)];
    case TraceKind.dma:
      return [f('device', label), f('iova', hex(a), a), f('bytes', String(b), b), f('direction', (c & 1) === 1 ? 'write' : 'read', c & 1), f('address', (c & 2) === 2 ? 'translated by the IOMMU' : 'physical (no IOMMU)', c & 2)];
    case TraceKind.corruption:
      return [f('physical address', hex(a), a), f('bytes', String(b), b), f('found', label)];
    case TraceKind.iommuStale:
      return [f('iova', hex(a), a), f('bytes', String(b), b), f('direction', c === 1 ? 'write' : 'read', c), f('through', 'stale IOTLB entry')];
    case TraceKind.iommuFault:
      return [f('iova', hex(a), a), f('bytes', String(b), b), f('direction', c === 1 ? 'write' : 'read', c), f('reason', label)];
    case TraceKind.fault:
      return [f('address', hex(a), a), f('access', b === 1 ? 'write' : 'read', b), f('reason', label)];
    case TraceKind.kill:
      return [f('signal', String(a), a)];
    case TraceKind.crash:
    case TraceKind.panic:
      return [f('message', label)];
    case TraceKind.exit:
      return [f('status', String(a), a)];
    case TraceKind.restart:
      return [f('old endpoint', String(a), a), f('label', label)];
    case TraceKind.processCreated:
      return [f('name', label), f('priority', String(a), a), f('kernel mode', b === 1 ? 'yes' : 'no', b)];
    case TraceKind.alarm:
    case TraceKind.ipcWait:
      return [];
    default:
      return [f('a', String(a), a), f('b', String(b), b), f('c', String(c), c), ...(label === '' ? [] : [f('label', label)])];
  }
}

/** One line for an event: who, what, to whom. */
export function describeEvent(model: TraceModel, seq: number): string {
  const t = model.trace;
  const i = slotOf(model, seq);
  const kind = t.kind[i]!;
  const src = model.endpointName(t.src[i]!);
  const dst = model.endpointName(t.dst[i]!);
  const a = t.a[i]!;
  const n = model.naming;
  const type = () => n.messageTypeName(a, dst) ?? hex(a);
  const link = t.c[i]! === 0 ? '' : ` (link ${t.c[i]!})`;
  switch (kind) {
    case TraceKind.ipcSend:
      return `${src} → ${dst} ${type()}${t.b[i]! === 0 ? '' : ' queued'}${link}`;
    case TraceKind.ipcReceive:
      return `${dst} ← ${src} ${type()} via ${n.ipcCallName(t.b[i]!) ?? t.b[i]!}${link}`;
    case TraceKind.ipcNotify:
      return `${src} notifies ${dst}${a === 1 ? '' : ' (pending)'}`;
    case TraceKind.ipcError:
      return `${src} ${n.ipcCallName(a) ?? a} to ${dst} failed: ${n.statusName(t.b[i]!)}`;
    case TraceKind.kernelCall:
      return `${src} ${n.kernelCallName(a) ?? `kernel call ${a}`} → ${n.statusName(t.b[i]!)}`;
    case TraceKind.contextSwitch:
      return `switch ${src} → ${dst}`;
    case TraceKind.interrupt:
      return `irq ${a} → ${dst}${t.b[i]! === 1 ? '' : ' (masked)'}`;
    case TraceKind.dma:
      return `${t.strings.get(t.label[i]!)} DMA ${(t.c[i]! & 1) === 1 ? 'write' : 'read'} ${t.b[i]!} bytes at ${hex(a)}${model.naming.isNoEndpoint(t.dst[i]!) ? '' : ` (${dst}'s memory)`}${(t.c[i]! & 2) === 2 ? '' : ', no IOMMU'}`;
    case TraceKind.corruption:
      return `MEMORY OVERWRITTEN: ${t.strings.get(t.label[i]!)}`;
    case TraceKind.iommuStale:
      return `stale IOTLB entry let ${model.laneLabel(model.homeLane[i]!)} ${t.c[i]! === 1 ? 'write' : 'read'} ${t.b[i]!} bytes at ${hex(a)}`;
    case TraceKind.iommuFault:
      return `IOMMU blocked ${model.laneLabel(model.homeLane[i]!)} at ${hex(a)}: ${t.strings.get(t.label[i]!)}`;
    case TraceKind.fault:
      return `${src} MMU fault at ${hex(a)}: ${t.strings.get(t.label[i]!)}`;
    case TraceKind.kill:
      return `${src} kills ${dst} (signal ${a})`;
    case TraceKind.crash:
      return `${src} crashed: ${t.strings.get(t.label[i]!)}`;
    case TraceKind.exit:
      return `${src} exited (${a})`;
    case TraceKind.restart:
      return `${src} restarted ${model.laneLabel(model.homeLane[i]!)} as endpoint ${t.dst[i]!}`;
    case TraceKind.panic:
      return `kernel panic in ${src}: ${t.strings.get(t.label[i]!)}`;
    case TraceKind.processCreated:
      return `${src} created ${t.strings.get(t.label[i]!)} (endpoint ${t.dst[i]!})`;
    case TraceKind.alarm:
      return `alarm for ${dst}`;
    case TraceKind.ipcWait:
      return n.isNoEndpoint(t.dst[i]!) ? `${src} waits for any message` : `${src} waits for a message from ${dst}`;
    default:
      return `${traceKindNames[kind] ?? `kind ${kind}`} ${t.strings.get(t.label[i]!)}`;
  }
}

/** The first ipcSend carrying `link`, scanning back from `seq`: the SENDREC request. */
function findRequest(model: TraceModel, link: number, seq: number): number {
  const t = model.trace;
  let found = -1;
  for (let s = seq; s >= t.firstSeq; s--) {
    const i = s % t.capacity;
    if (t.c[i] === link && t.kind[i] === TraceKind.ipcSend) found = s;
  }
  return found;
}

/** The next event after `from` of `kind` with the given link, src and dst (-1: any), or -1. */
function findForward(model: TraceModel, from: number, kind: number, link: number, src: number, dst: number, budget: { left: number }): number {
  const t = model.trace;
  for (let s = from + 1; s < t.endSeq && budget.left > 0; s++, budget.left--) {
    const i = s % t.capacity;
    if (t.kind[i] === kind && t.c[i] === link && (src === -1 || t.src[i] === src) && (dst === -1 || t.dst[i] === dst)) return s;
  }
  return -1;
}

/** The matching ipcReceive of a queued ipcSend, or the ipcSend of an ipcReceive. */
function matchingMessage(model: TraceModel, seq: number): { role: string; seq: number } | undefined {
  const t = model.trace;
  const i = seq % t.capacity;
  const kind = t.kind[i]!;
  const budget = { left: CHAIN_SCAN_BUDGET };
  if (kind === TraceKind.ipcSend && t.b[i]! === 1) {
    for (let s = seq + 1; s < t.endSeq && budget.left-- > 0; s++) {
      const j = s % t.capacity;
      if (t.kind[j] === TraceKind.ipcReceive && t.src[j] === t.src[i] && t.dst[j] === t.dst[i] && t.a[j] === t.a[i] && t.c[j] === t.c[i]) return { role: 'received', seq: s };
    }
  }
  if (kind === TraceKind.ipcReceive && t.b[i]! !== 4) {
    for (let s = seq - 1; s >= t.firstSeq && budget.left-- > 0; s--) {
      const j = s % t.capacity;
      if (t.kind[j] === TraceKind.ipcSend && t.b[j] === 1 && t.src[j] === t.src[i] && t.dst[j] === t.dst[i] && t.a[j] === t.a[i] && t.c[j] === t.c[i]) return { role: 'sent', seq: s };
    }
  }
  return undefined;
}

export function eventDetails(model: TraceModel, seq: number, locations?: TraceLocations): TraceEventDetails {
  model.refresh();
  const t = model.trace;
  const i = slotOf(model, seq);
  const kind = t.kind[i]!;
  const time = t.time[i]!;
  const isIpc = kind === TraceKind.ipcSend || kind === TraceKind.ipcReceive;
  const related: { role: string; seq: number }[] = [];
  const notes: string[] = [];
  const cost: { -readonly [K in keyof TraceEventDetails['cost']]: TraceEventDetails['cost'][K] } = { notes };
  const matching = isIpc ? matchingMessage(model, seq) : undefined;
  if (matching !== undefined) {
    related.push(matching);
    cost.deliveryCycles = Math.abs(t.timeAt(matching.seq) - time);
  }
  const link = isIpc ? t.c[i]! : 0;
  if (link !== 0) {
    const chain = traceChain(model, seq, 1);
    const request = chain.steps.find((s) => s.role === 'request');
    const reply = chain.steps.find((s) => s.role === 'reply');
    if (request !== undefined && request.seq !== seq) related.push({ role: 'request', seq: request.seq });
    if (reply !== undefined && reply.seq !== seq) related.push({ role: 'reply', seq: reply.seq });
    if (request !== undefined && reply !== undefined) cost.roundTripCycles = reply.timeCycles - request.timeCycles;
  }
  if (isIpc) notes.push('the message copy is charged to the clock but not recorded per message; see the run summary for copy cycles');
  if (kind === TraceKind.kernelCall) {
    cost.kernelCallCycles = t.c[i]!;
    if (t.c[i]! === 0) notes.push('the kernel charged no cycles for this call (refused before any work, or a trace written before kernel-call costs were recorded)');
  }
  if (kind === TraceKind.contextSwitch) {
    cost.contextSwitchCycles = t.a[i]!;
    cost.addressSpaceChanged = t.b[i]! === 1;
  }
  let location: TraceEventDetails['location'];
  if (locations !== undefined && (kind === TraceKind.kernelCall || kind === TraceKind.ipcSend || kind === TraceKind.ipcError || kind === TraceKind.ipcNotify)) {
    const text = locations.lookup(t.src[i]!, seq);
    location = text === undefined ? undefined : parseLocation(text);
  }
  // A device's events carry a device id, not an endpoint, in src; a DMA's dst is the process whose memory it reached.
  const hasSrc = !model.naming.isNoEndpoint(t.src[i]!) && kind !== TraceKind.dma && kind !== TraceKind.corruption && kind !== TraceKind.iommuFault && kind !== TraceKind.iommuStale;
  const hasDst = !model.naming.isNoEndpoint(t.dst[i]!) && kind !== TraceKind.iommuFault && kind !== TraceKind.iommuStale && kind !== TraceKind.ipcError;
  return {
    seq,
    timeCycles: time,
    timeMicros: cyclesToMicros(time, model.clockHz),
    kind,
    kindName: traceKindNames[kind] ?? `kind${kind}`,
    summary: describeEvent(model, seq),
    ...(hasSrc ? { src: endpointRef(model, t.src[i]!) } : {}),
    ...(hasDst ? { dst: endpointRef(model, t.dst[i]!) } : {}),
    ...(isIpc ? { messageType: messageType(model, t.a[i]!, t.dst[i]!), linkId: link } : {}),
    fields: eventFields(model, seq),
    cost,
    ...(location === undefined ? {} : { location }),
    related,
  };
}

/** How a search string is understood: message types, lanes, endpoints, kinds. */
/** Kernel call numbers are small; names are looked up over this range. */
const KERNEL_CALL_RANGE = 256;

function understand(model: TraceModel, query: string): { types: Set<number>; calls: Set<number>; lanes: Set<number>; kinds: Set<number>; endpoints: Set<number>; said: string[] } {
  const q = query.trim().toLowerCase();
  const calls = new Set<number>();
  const types = new Set<number>();
  const lanes = new Set<number>();
  const kinds = new Set<number>();
  const endpoints = new Set<number>();
  const said: string[] = [];
  if (q === '') return { types, calls, lanes, kinds, endpoints, said };
  const number = /^-?(0x[0-9a-f]+|\d+)$/.test(q) ? Number(q.startsWith('-') ? -Number(q.slice(1)) : Number(q)) : NaN;
  if (!Number.isNaN(number)) {
    types.add(number);
    endpoints.add(number);
    said.push(`message type ${hex(number)}`, `endpoint ${number}`);
  }
  for (const { type, name } of model.naming.messageTypes()) {
    const names = name.toLowerCase().split(' / ');
    if (names.some((n) => n === q) || (q.length >= 3 && names.some((n) => n.includes(q)))) {
      types.add(type);
      said.push(`message type ${name} (${hex(type)})`);
    }
  }
  for (const lane of model.allLanes()) {
    const label = lane.label.toLowerCase();
    if (label === q || (q.length >= 2 && label.includes(q))) {
      lanes.add(lane.id);
      said.push(`lane ${lane.label}`);
    }
  }
  for (const [value, name] of Object.entries(traceKindNames)) {
    if (name.toLowerCase() === q) {
      kinds.add(Number(value));
      said.push(`event kind ${name}`);
    }
  }
  for (let nr = 0; nr < KERNEL_CALL_RANGE; nr++) {
    const name = model.naming.kernelCallName(nr);
    if (name !== undefined && (name.toLowerCase() === q || `sys_${name.toLowerCase()}` === q)) {
      calls.add(nr);
      said.push(`kernel call ${name}`);
    }
  }
  return { types, calls, lanes, kinds, endpoints, said };
}

export function searchTrace(model: TraceModel, params: TraceSearchParams): TraceSearchResult {
  model.refresh();
  const t = model.trace;
  const anyEvent = params.query.trim() === '';
  const { types, calls, lanes, kinds, endpoints, said } = understand(model, params.query);
  if (anyEvent) said.push(params.lane === undefined ? 'any event' : `any event on lane ${model.laneLabel(params.lane)}`);
  const limit = Math.max(1, Math.min(MAX_SEARCH_LIMIT, Math.floor(params.limit ?? DEFAULT_SEARCH_LIMIT)));
  const f = compileFilter(model, params.filter);
  const direction = params.direction ?? 'all';
  const onLane = params.lane;
  let { start, end } = f.toCycles > f.fromCycles ? t.rangeByTime(f.fromCycles, f.toCycles) : { start: 0, end: 0 };
  let pivotCycles: number | undefined;
  if (direction === 'nearest') {
    pivotCycles = params.fromSeq !== undefined && params.fromSeq >= t.firstSeq && params.fromSeq < t.endSeq ? t.timeAt(params.fromSeq) : params.fromCycles;
  } else if (direction !== 'all') {
    const pivotSeq = params.fromSeq ?? (params.fromCycles === undefined ? undefined : direction === 'next' ? t.lowerBound(params.fromCycles + 1) - 1 : t.lowerBound(params.fromCycles));
    if (pivotSeq !== undefined) {
      if (direction === 'next') start = Math.max(start, pivotSeq + 1);
      else end = Math.min(end, pivotSeq);
    }
  }
  const matches = (s: number): boolean => {
    const i = s % t.capacity;
    const drawn = matchLane(model, f, i);
    if (drawn < 0 || (onLane !== undefined && drawn !== onLane)) return false;
    if (anyEvent) return true;
    const kind = t.kind[i]!;
    if (kinds.has(kind)) return true;
    if ((kind === TraceKind.ipcSend || kind === TraceKind.ipcReceive) && types.has(t.a[i]!)) return true;
    if (kind === TraceKind.kernelCall && calls.has(t.a[i]!)) return true;
    if (lanes.has(model.homeLane[i]!) || lanes.has(model.peerLane[i]!)) return true;
    return endpoints.size > 0 && (endpoints.has(t.src[i]!) || endpoints.has(t.dst[i]!));
  };
  const seqs: number[] = [];
  let total = 0;
  if (said.length > 0) {
    if (direction === 'nearest') {
      const found = pivotCycles === undefined || !Number.isFinite(pivotCycles) ? -1 : nearestMatch(model, matches, pivotCycles, start, end);
      if (found >= 0) {
        seqs.push(found);
        total = 1;
      }
    } else if (direction === 'previous') {
      for (let s = end - 1; s >= start; s--) {
        if (matches(s)) {
          seqs.push(s);
          total = 1;
          break;
        }
      }
    } else {
      const stopAtFirst = direction === 'next';
      for (let s = start; s < end; s++) {
        if (!matches(s)) continue;
        total++;
        if (seqs.length < limit) seqs.push(s);
        if (stopAtFirst) break;
      }
    }
  }
  return {
    understoodAs: said.length > 0 ? said : [`nothing known as '${params.query}'`],
    seqs: Float64Array.from(seqs),
    timeCycles: Float64Array.from(seqs, (s) => t.timeAt(s)),
    lanes: Int16Array.from(seqs, (s) => matchLane(model, f, s % t.capacity)),
    total,
    truncated: total > seqs.length,
  };
}

/**
 * The matching event in [start, end) nearest in time to `timeCycles` (a tie
 * goes to the earlier), or -1: events are visited outward from that time in
 * order of their distance to it, so the first match is the nearest.
 */
function nearestMatch(model: TraceModel, matches: (seq: number) => boolean, timeCycles: number, start: number, end: number): number {
  const t = model.trace;
  const pivot = Math.min(end, Math.max(start, t.lowerBound(timeCycles)));
  let before = pivot - 1;
  let after = pivot;
  while (before >= start || after < end) {
    const takeAfter = before < start || (after < end && t.timeAt(after) - timeCycles < timeCycles - t.timeAt(before));
    const s = takeAfter ? after++ : before--;
    if (matches(s)) return s;
  }
  return -1;
}

/**
 * The chain of a SENDREC exchange that `seq` belongs to (see TraceChain):
 * the root request, every SENDREC request the server sent between receiving
 * the request and sending the reply (each expanded the same way, up to
 * `maxDepth`), and the reply. A server that interleaves several clients'
 * requests gets all requests it made in that interval attributed to this one.
 */
/** Whether an event of kind `kind` from `src` to `dst` is the end of the process at `endpoint`. */
function endsProcess(kind: number, src: number, dst: number, endpoint: number): boolean {
  switch (kind) {
    case TraceKind.crash:
    case TraceKind.fault:
    case TraceKind.exit:
      return src === endpoint;
    case TraceKind.kill:
      return dst === endpoint;
    default:
      return false;
  }
}

export function traceChain(model: TraceModel, seq: number, maxDepth = 16): TraceChain {
  model.refresh();
  const t = model.trace;
  const i = slotOf(model, seq);
  const kind = t.kind[i]!;
  const link = t.c[i]!;
  if ((kind !== TraceKind.ipcSend && kind !== TraceKind.ipcReceive) || link === 0) {
    throw new RangeError(`event ${seq} is not a message of a SENDREC exchange (it has no link id)`);
  }
  const root = findRequest(model, link, seq);
  if (root < 0) throw new RangeError(`the request of link ${link} is no longer in the trace`);
  const steps: TraceChainStep[] = [];
  const budget = { left: CHAIN_SCAN_BUDGET };
  let complete = true;
  const step = (s: number, role: TraceChainStep['role'], depth: number, receiveSeq: number): TraceChainStep => {
    const j = s % t.capacity;
    return {
      seq: s,
      timeCycles: t.time[j]!,
      role,
      depth,
      src: endpointRef(model, t.src[j]!),
      dst: endpointRef(model, t.dst[j]!),
      messageType: messageType(model, t.a[j]!, t.dst[j]!),
      linkId: t.c[j]!,
      ...(receiveSeq >= 0 ? { receiveSeq } : {}),
    };
  };
  const expand = (request: number, depth: number): number => {
    const j = request % t.capacity;
    const l = t.c[j]!;
    const client = t.src[j]!;
    const server = t.dst[j]!;
    const received = t.b[j]! === 0 ? request : findForward(model, request, TraceKind.ipcReceive, l, client, server, budget);
    steps.push(step(request, depth === 0 ? 'request' : 'nestedRequest', depth, received === request ? -1 : received));
    // The reply, or the server's end: a restarted server keeps its endpoint, and what its new instance sends is not part of this exchange.
    let reply = -1;
    let serverEnd = t.endSeq;
    for (let s = request + 1; s < t.endSeq; s++) {
      const k = s % t.capacity;
      const kk = t.kind[k]!;
      if (kk === TraceKind.ipcSend && t.c[k] === l && t.dst[k] === client) {
        reply = s;
        break;
      }
      if (s > request && endsProcess(kk, t.src[k]!, t.dst[k]!, server)) {
        serverEnd = s;
        break;
      }
    }
    const scanEnd = reply < 0 ? serverEnd : reply;
    if (received >= 0 && depth < maxDepth) {
      const seen = new Set<number>();
      for (let s = request + 1; s < scanEnd && budget.left > 0; s++, budget.left--) {
        const k = s % t.capacity;
        if (t.kind[k] !== TraceKind.ipcSend) continue;
        const m = t.c[k]!;
        if (m === 0 || m === l) continue;
        const first = !seen.has(m);
        seen.add(m);
        if (s > received && t.src[k] === server && m > l && first) expand(s, depth + 1);
      }
    }
    if (budget.left <= 0) complete = false;
    if (reply < 0) {
      complete = false;
      return -1;
    }
    const k = reply % t.capacity;
    const replyReceive = t.b[k]! === 0 ? -1 : findForward(model, reply, TraceKind.ipcReceive, l, t.src[k]!, client, budget);
    steps.push(step(reply, depth === 0 ? 'reply' : 'nestedReply', depth, replyReceive));
    return reply;
  };
  expand(root, 0);
  steps.sort((x, y) => x.seq - y.seq);
  const replyStep = steps.find((s) => s.role === 'reply');
  return {
    rootSeq: root,
    steps,
    startCycles: t.timeAt(root),
    ...(replyStep === undefined ? {} : { endCycles: replyStep.timeCycles }),
    complete,
  };
}
