// Answers the extension host's requests inside the worker thread. Kept apart
// from the thread binding (worker.ts) so it can be tested in plain Node.
import {
  SIMULATOR_VERSION,
  type HostToWorker,
  type ResultOf,
  type SystemSnapshot,
  type WorkerMethod,
  type WorkerToHost,
  type ParamsOf,
} from '../protocol/workerProtocol';
import { placeholderSystem } from './placeholderSystem';

type Handlers = { [M in WorkerMethod]: (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };

export class WorkerService {
  private readonly system: SystemSnapshot = placeholderSystem();

  constructor(private readonly post: (message: WorkerToHost) => void) {}

  private readonly handlers: Handlers = {
    ping: ({ payload }) => ({ payload, simulatorVersion: SIMULATOR_VERSION }),
    describeSystem: () => this.system,
  };

  async handle(message: HostToWorker): Promise<void> {
    const handler = this.handlers[message.method] as (p: unknown) => unknown;
    if (typeof handler !== 'function') {
      this.post({ kind: 'reply', inReplyTo: message.id, ok: false, error: `unknown method '${String(message.method)}'` });
      return;
    }
    try {
      const result = await handler(message.params);
      this.post({ kind: 'reply', inReplyTo: message.id, ok: true, result });
    } catch (e) {
      this.post({ kind: 'reply', inReplyTo: message.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
