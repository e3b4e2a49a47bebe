// The trace view's filter as the user sets it (processes by label, kinds
// switched off, message types and a time range as typed) turned into the
// TraceFilter the worker applies, and the status line that says what it does.
import type { TraceFilter, TraceInfo } from '../../simulator/protocol/traceProtocol';

export interface FilterInput {
  readonly laneLabels: ReadonlySet<string>;
  readonly hiddenKinds: ReadonlySet<string>;
  readonly types: string;
  readonly from: string;
  readonly to: string;
}

export interface BuiltFilter {
  /** Undefined when every event passes. */
  readonly filter: TraceFilter | undefined;
  /** The lanes chosen (none: every lane shows). */
  readonly laneIds: readonly number[];
  /** What the status line says once the user has changed the filter. */
  readonly status: { readonly text: string; readonly isError: boolean };
}

/** Message types from the filter's text: names (as the trace knows them) or numbers, comma or space separated. */
export function parseTypes(text: string, info: TraceInfo): { types: number[]; unknown: string[] } {
  const types: number[] = [];
  const unknown: string[] = [];
  for (const token of text.split(/[,\s]+/).filter((t) => t.length > 0)) {
    if (/^-?\d+$/.test(token)) types.push(Number(token));
    else {
      const known = info.messageTypes.filter((t) => t.name.toLowerCase() === token.toLowerCase());
      if (known.length === 0) unknown.push(token);
      else types.push(...known.map((t) => t.type));
    }
  }
  return { types, unknown };
}

export function buildFilter(info: TraceInfo, input: FilterInput): BuiltFilter {
  const laneIds = info.lanes.filter((l) => input.laneLabels.has(l.label)).map((l) => l.id);
  const kinds = input.hiddenKinds.size === 0 ? undefined : info.kinds.filter((k) => !input.hiddenKinds.has(k.name)).map((k) => k.kind);
  const { types, unknown } = parseTypes(input.types, info);
  const from = input.from.trim() === '' ? undefined : Number(input.from);
  const to = input.to.trim() === '' ? undefined : Number(input.to);
  const next: { -readonly [K in keyof TraceFilter]: TraceFilter[K] } = {};
  if (laneIds.length > 0) next.lanes = laneIds;
  if (kinds) next.kinds = kinds;
  if (types.length > 0) next.messageTypes = types;
  if (from !== undefined && Number.isFinite(from)) next.fromCycles = from;
  if (to !== undefined && Number.isFinite(to)) next.toCycles = to;
  const active = [
    laneIds.length > 0 ? `${laneIds.length} process${laneIds.length === 1 ? '' : 'es'}` : '',
    kinds ? `${kinds.length} kinds` : '',
    types.length > 0 ? `message types ${types.join(', ')}` : '',
    next.fromCycles !== undefined || next.toCycles !== undefined ? 'a time range' : '',
  ].filter((s) => s);
  const text =
    unknown.length > 0
      ? `Unknown message type${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}.`
      : active.length > 0
        ? `Filtered by ${active.join(', ')}.`
        : 'Showing every event.';
  return { filter: Object.keys(next).length > 0 ? next : undefined, laneIds, status: { text, isError: unknown.length > 0 } };
}
