// The console's requests: lines typed at the MINIX-like shell.
import type { ConsoleRequests } from '../protocol/consoleProtocol';
import type { HandlersFor, WorkerContext } from './workerContext';

export function consoleHandlers(_ctx: WorkerContext): HandlersFor<ConsoleRequests> {
  return {};
}
