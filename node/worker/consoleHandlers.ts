// The console's requests: lines typed at the MINIX-like shell, run over the
// session's system, and Tab completion.
import type { ConsoleRequests } from '../../simulator/protocol/consoleProtocol';
import type { Advance, ShellContext } from '../../simulator/shell/command';
import { completeLine, executeLine } from '../../simulator/shell/shell';
import { errorText } from '../../simulator/shell/ansi';
import type { Session } from './session';
import type { HandlersFor, WorkerContext } from './workerContext';

const DEFAULT_COLUMNS = 80;

/** What `service` may do with the session's system: run it forward while it runs, only send while paused. */
function advanceOf(session: Session): Advance {
  const state = session.state;
  if (state === 'paused') return { kind: 'paused' };
  if (state === 'running') {
    const until = session.status().untilCycles;
    const now = session.system?.nowCycles ?? 0;
    return until === null ? { kind: 'run' } : { kind: 'run', limitCycles: Math.max(0, until - now) };
  }
  const why = state === 'finished' ? 'finished its run' : state === 'panicked' ? 'panicked' : 'been stopped';
  return { kind: 'refused', reason: `the system has ${why}: start it again (Microkernel Lab: Start System…)` };
}

function shellContext(session: Session, columns: unknown): ShellContext {
  const width = typeof columns === 'number' && Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : DEFAULT_COLUMNS;
  return { system: session.system, columns: width, advance: advanceOf(session) };
}

export function consoleHandlers(ctx: WorkerContext): HandlersFor<ConsoleRequests> {
  return {
    consoleExecute: ({ line, columns }) => {
      if (typeof line !== 'string') return { output: errorText('sh: the line must be text') };
      return { output: executeLine(line, shellContext(ctx.session, columns)) };
    },
    consoleComplete: ({ line, cursor }) => {
      if (typeof line !== 'string') return { start: 0, end: 0, candidates: [] };
      const c = completeLine(line, typeof cursor === 'number' ? cursor : line.length, shellContext(ctx.session, DEFAULT_COLUMNS));
      return { start: c.start, end: c.end, candidates: [...c.candidates] };
    },
  };
}
