// A view's filter (lanes, kinds, message types, time range) compiled into
// lookup tables, and the one test every query applies to an event.
import type { TraceFilter } from '../protocol/traceProtocol';
import { TraceKind } from './kinds';
import type { TraceModel } from './model';

export interface CompiledFilter {
  readonly fromCycles: number;
  readonly toCycles: number;
  /** kinds[k] = 1 when kind k passes; null: every kind. */
  readonly kinds: Uint8Array | null;
  /** lanes[l] = 1 when lane l is shown; null: every lane. */
  readonly lanes: Uint8Array | null;
  readonly messageTypes: ReadonlySet<number> | null;
}

export function compileFilter(model: TraceModel, filter: TraceFilter = {}, fromCycles = -Infinity, toCycles = Infinity): CompiledFilter {
  let kinds: Uint8Array | null = null;
  if (filter.kinds !== undefined) {
    kinds = new Uint8Array(256);
    for (const k of filter.kinds) if (Number.isInteger(k) && k >= 0 && k < 256) kinds[k] = 1;
  }
  let lanes: Uint8Array | null = null;
  if (filter.lanes !== undefined) {
    lanes = new Uint8Array(Math.max(1, model.laneCount));
    for (const l of filter.lanes) if (Number.isInteger(l) && l >= 0 && l < lanes.length) lanes[l] = 1;
  }
  return {
    fromCycles: Math.max(fromCycles, filter.fromCycles ?? -Infinity),
    toCycles: Math.min(toCycles, filter.toCycles ?? Infinity),
    kinds,
    lanes,
    messageTypes: filter.messageTypes === undefined ? null : new Set(filter.messageTypes),
  };
}

/**
 * The lane an event is counted on under this filter: its home lane when that is
 * shown, else its peer lane when that is shown; -1 when the event does not pass.
 */
export function matchLane(model: TraceModel, f: CompiledFilter, slot: number): number {
  const t = model.trace;
  const kind = t.kind[slot]!;
  if (f.kinds !== null && f.kinds[kind] !== 1) return -1;
  if (f.messageTypes !== null && (kind === TraceKind.ipcSend || kind === TraceKind.ipcReceive) && !f.messageTypes.has(t.a[slot]!)) return -1;
  const home = model.homeLane[slot]!;
  if (f.lanes === null) return home;
  if (home >= 0 && f.lanes[home] === 1) return home;
  const peer = model.peerLane[slot]!;
  if (peer >= 0 && f.lanes[peer] === 1) return peer;
  return -1;
}
