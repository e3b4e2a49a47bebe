// Function breakpoints on IPC, as the user types them in the Breakpoints view:
//   nic <- DL_WRITEV_S    a DL_WRITEV_S message sent to nic (stops at the sender's kernel entry)
//   inet -> DL_WRITEV_S   a DL_WRITEV_S message sent by inet
//   nic <- *           any message or notification to nic
//   nic -> DEVIO       nic making the kernel call DEVIO
// Message types are the names the trace view shows (from the services' own
// protocol tables), or numbers (decimal or 0x hex).
import { IpcCall, kernelCallNames } from '../../simulator/kernel/constants';
import { traceNaming } from '../../simulator/system/traceNames';

export interface IpcBreakpoint {
  readonly text: string;
  /** The process that receives ('<-') or sends or calls ('->'). */
  readonly label: string;
  readonly direction: 'to' | 'from';
  /** A message type; undefined for any. */
  readonly type?: number;
  /** A kernel call number (direction 'from' only). */
  readonly kernelCall?: number;
  /** The type as the user wrote it, for messages. */
  readonly what: string;
}

export class BreakpointSyntaxError extends Error {}

/** Message types by name, upper case (a number shared by two protocols has both names). */
function typeNames(): Map<string, number> {
  const names = new Map<string, number>();
  for (const t of traceNaming().messageTypes()) for (const n of t.name.split(' / ')) names.set(n.toUpperCase(), t.type);
  return names;
}

let cachedTypes: Map<string, number> | undefined;

/** Parses `label <- TYPE` or `label -> TYPE`; throws BreakpointSyntaxError saying what was expected. */
export function parseIpcBreakpoint(text: string): IpcBreakpoint {
  const m = /^\s*([A-Za-z_][\w.-]*)\s*(<-|->)\s*(\S+)?\s*$/.exec(text);
  if (m === null) {
    throw new BreakpointSyntaxError(
      `'${text}': expected 'label <- TYPE' (a message of TYPE sent to label) or 'label -> TYPE' (sent by label), e.g. 'nic <- DL_WRITEV_S'; TYPE may be '*'`,
    );
  }
  const label = m[1]!;
  const direction = m[2] === '<-' ? 'to' : 'from';
  const what = m[3] ?? '*';
  if (what === '*') return { text, label, direction, what };
  const number = /^(0x[0-9a-f]+|\d+)$/i.test(what) ? Number(what) : undefined;
  if (number !== undefined) return { text, label, direction, type: number, what };
  cachedTypes ??= typeNames();
  const upper = what.toUpperCase();
  if (upper === 'NOTIFY') return { text, label, direction, type: -IpcCall.NOTIFY, what: 'NOTIFY' };
  const type = cachedTypes.get(upper);
  if (type !== undefined) return { text, label, direction, type, what: upper };
  const call = Object.entries(kernelCallNames).find(([, name]) => name === upper);
  if (call !== undefined) {
    if (direction === 'to') throw new BreakpointSyntaxError(`'${text}': ${upper} is a kernel call; write '${label} -> ${upper}' to stop when ${label} makes it`);
    return { text, label, direction, kernelCall: Number(call[0]), what: upper };
  }
  const near = [...cachedTypes.keys()].filter((n) => n.split('_')[0] === upper.split('_')[0]);
  const known = (near.length > 0 ? near : [...cachedTypes.keys()]).sort().slice(0, 12).join(', ');
  throw new BreakpointSyntaxError(`'${text}': unknown message type '${what}' (known: ${known}${near.length > 12 || near.length === 0 ? ', ...' : ''}; or a number, or '*')`);
}

/** What a kernel entry must offer to be matched (names resolved by the caller). */
export interface IpcEntryFacts {
  readonly caller: string;
  readonly kind: 'ipc' | 'kernelCall';
  readonly callNr: number;
  /** The receiver's name, for each message an IPC sends (SENDA may send several: one call per message). */
  readonly receiver: string | undefined;
  /** The message's type; undefined for a notification. */
  readonly messageType: number | undefined;
}

export function matchesIpcBreakpoint(bp: IpcBreakpoint, e: IpcEntryFacts): boolean {
  if (bp.kernelCall !== undefined) return e.kind === 'kernelCall' && e.callNr === bp.kernelCall && e.caller === bp.label;
  if (e.kind !== 'ipc' || e.receiver === undefined) return false;
  if ((bp.direction === 'to' ? e.receiver : e.caller) !== bp.label) return false;
  if (bp.type === undefined) return true;
  if (e.messageType === undefined) return bp.type === -IpcCall.NOTIFY;
  return e.messageType === bp.type;
}
