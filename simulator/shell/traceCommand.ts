// `trace tail [N]`: the last events of the trace, decoded with trace/kinds.ts
// and named after the processes they concern.
import { IDLE, NONE, ipcCallNames, kernelCallNames, statusName } from '../kernel/constants';
import type { RunningSystem } from '../system/boot';
import { TraceKind } from '../trace/kinds';
import type { TraceEvent } from '../trace/recorder';
import { colour, dim, printable, table, type NamedColour } from './ansi';
import { ShellError, positiveInteger, type ShellCommand } from './command';
import { endpointNames, hex } from './names';
import { formatMs } from '../time/time';

const DEFAULT_EVENTS = 20;
const MAX_EVENTS = 1000;

const KIND_COLOURS: Partial<Record<TraceKind, NamedColour>> = {
  [TraceKind.ipcError]: 'yellow',
  [TraceKind.iommuFault]: 'red',
  [TraceKind.iommuStale]: 'yellow',
  [TraceKind.fault]: 'red',
  [TraceKind.crash]: 'red',
  [TraceKind.panic]: 'brightRed',
  [TraceKind.kill]: 'yellow',
  [TraceKind.restart]: 'green',
  [TraceKind.processCreated]: 'cyan',
  [TraceKind.interrupt]: 'magenta',
  [TraceKind.dma]: 'blue',
  [TraceKind.corruption]: 'brightRed',
};

const SHORT_NAMES: Partial<Record<TraceKind, string>> = {
  [TraceKind.ipcSend]: 'send',
  [TraceKind.ipcReceive]: 'receive',
  [TraceKind.ipcNotify]: 'notify',
  [TraceKind.ipcError]: 'ipc error',
  [TraceKind.kernelCall]: 'kernel call',
  [TraceKind.contextSwitch]: 'switch',
  [TraceKind.iommuFault]: 'iommu fault',
  [TraceKind.iommuStale]: 'stale dma',
  [TraceKind.corruption]: 'OVERWRITTEN',
  [TraceKind.fault]: 'mmu fault',
  [TraceKind.processCreated]: 'created',
};

/** A reply carries a status in its type: negative types are shown as MINIX's error names. */
function messageType(type: number): string {
  return type < 0 ? `reply ${statusName(type)}` : `type ${hex(type)}`;
}

function ipcCallName(n: number): string {
  return ipcCallNames[n] ?? `call ${n}`;
}

/** What the columns a, b, c and label mean for this kind, in words. */
function details(e: TraceEvent): string {
  switch (e.kind) {
    case TraceKind.ipcSend:
      return `${messageType(e.a)}${e.b === 1 ? ', queued' : ''}${e.c !== 0 ? `, link ${e.c}` : ''}`;
    case TraceKind.ipcReceive:
      return `${messageType(e.a)} by ${ipcCallName(e.b)}${e.c !== 0 ? `, link ${e.c}` : ''}`;
    case TraceKind.ipcNotify:
      return e.a === 1 ? 'delivered' : 'pending';
    case TraceKind.ipcError:
      return `${ipcCallName(e.a)} failed: ${statusName(e.b)}`;
    case TraceKind.kernelCall:
      return `${kernelCallNames[e.a] ?? `call ${e.a}`} → ${statusName(e.b)}, ${e.c} cycles`;
    case TraceKind.contextSwitch:
      if (e.dst === IDLE) return 'CPU idle';
      return `${e.a} cycles${e.b === 1 ? ', address space switched' : ''}`;
    case TraceKind.interrupt:
      return `irq ${e.a}, ${e.b === 1 ? 'delivered' : 'masked'}`;
    case TraceKind.dma:
      return `${e.label !== '' ? `${e.label} ` : ''}${(e.c & 1) === 1 ? 'write' : 'read'} ${e.b} bytes at iova ${hex(e.a)}${(e.c & 2) === 2 ? '' : ' (no IOMMU)'}`;
    case TraceKind.corruption:
      return e.label;
    case TraceKind.iommuStale:
      return `device ${e.src}: ${e.c === 1 ? 'write' : 'read'} ${e.b} bytes at iova ${hex(e.a)} let through by a stale IOTLB entry`;
    case TraceKind.iommuFault:
      return `device ${e.src}: ${e.c === 1 ? 'write' : 'read'} ${e.b} bytes at iova ${hex(e.a)} blocked (${e.label})`;
    case TraceKind.fault:
      return `${e.b === 1 ? 'write' : 'read'} at ${hex(e.a)}`;
    case TraceKind.kill:
      return `signal ${e.a}`;
    case TraceKind.crash:
    case TraceKind.panic:
      return e.label;
    case TraceKind.exit:
      return `status ${e.a}`;
    case TraceKind.restart:
      return `${e.label}: endpoint ${e.a} → ${e.dst}`;
    case TraceKind.processCreated:
      return `${e.label}, priority ${e.a}`;
    case TraceKind.alarm:
      return 'alarm';
    case TraceKind.ipcWait:
      return 'blocked in RECEIVE';
    case TraceKind.custom:
      return `${e.label} ${e.a} ${e.b} ${e.c}`;
    default:
      return `a=${e.a} b=${e.b} c=${e.c}`;
  }
}

/** Which endpoints an event's src and dst columns hold (devices and unused columns are not endpoints). */
function parties(e: TraceEvent, name: (ep: number) => string): [string, string] {
  switch (e.kind) {
    case TraceKind.dma:
    case TraceKind.corruption:
      return [`device ${e.src}`, e.dst === NONE ? '-' : name(e.dst)];
    case TraceKind.iommuFault:
      return [`device ${e.src}`, '-'];
    case TraceKind.fault:
    case TraceKind.crash:
    case TraceKind.exit:
    case TraceKind.panic:
      return [name(e.src), '-'];
    case TraceKind.alarm:
      return ['clock', name(e.dst)];
    default:
      return [e.src === NONE ? '-' : name(e.src), e.dst === NONE ? '-' : name(e.dst)];
  }
}

export function traceTail(system: RunningSystem, count: number, columns: number): string {
  const trace = system.sim.trace;
  if (!trace.enabled && trace.size === 0) return dim('tracing is off for this system');
  if (trace.size === 0) return dim('the trace is empty');
  const name = endpointNames(system);
  const from = Math.max(trace.firstSeq, trace.endSeq - count);
  const rows: string[][] = [];
  for (let seq = from; seq < trace.endSeq; seq++) {
    const e = trace.get(seq);
    const kindName = SHORT_NAMES[e.kind] ?? e.kindName;
    const kindColour = KIND_COLOURS[e.kind];
    const [src, dst] = parties(e, name);
    rows.push([formatMs(e.timeCycles, system.clockHz), kindColour === undefined ? kindName : colour(kindColour, kindName), src, dst, printable(details(e))]);
  }
  const body = table(
    [{ title: 'TIME (ms)', align: 'right' }, { title: 'EVENT' }, { title: 'FROM' }, { title: 'TO' }, { title: 'DETAILS', shrinkable: true }],
    rows,
    columns,
  );
  const held = trace.endSeq - from;
  const note = dim(`last ${held} of ${trace.totalRecorded} events${trace.dropped > 0 ? ` (${trace.dropped} overwritten)` : ''}`);
  return `${body}\n${note}`;
}

export const traceCommand: ShellCommand = {
  name: 'trace',
  usage: 'trace tail [N]',
  summary: `the last N trace events (default ${DEFAULT_EVENTS}), decoded`,
  details: [
    'Every IPC, kernel call, context switch, interrupt, DMA transfer, IOMMU fault, crash',
    'and restart is in the trace. Endpoints are shown by name; an ended instance keeps',
    'its name while its creation is still in the trace.',
  ],
  needsSystem: true,
  run(args, { system, columns }) {
    if (args[0] !== 'tail') throw new ShellError(args.length === 0 ? 'usage: trace tail [N]' : `unknown subcommand '${args[0]}' (try: trace tail [N])`);
    if (args.length > 2) throw new ShellError('usage: trace tail [N]');
    const count = args[1] === undefined ? DEFAULT_EVENTS : positiveInteger(args[1], 'N', MAX_EVENTS);
    return traceTail(system, count, columns);
  },
  complete(before) {
    return before.length === 0 ? ['tail'] : [];
  },
};

