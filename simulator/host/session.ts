// The session: the one system the worker runs for the editor.
import type { SessionRequests } from '../protocol/workerProtocol';
import type { RunningSystem } from '../system/boot';
import type { HandlersFor, WorkerContext } from './workerContext';

export class Session {
  /** The running (or paused, or stopped) system; undefined before the first start. */
  system: RunningSystem | undefined;
}

export function sessionHandlers(_ctx: WorkerContext): HandlersFor<SessionRequests> {
  return {};
}
