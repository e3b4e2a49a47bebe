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
} from '../../simulator/protocol/workerProtocol';
import { bootScenario, builtinScenario } from '../../simulator/system/scenarios';
import { consoleHandlers } from './consoleHandlers';
import { Session, sessionHandlers } from './session';
import { traceHandlers } from './traceHandlers';
import { compareHandlers } from './compareHandlers';
import { campaignHandlers } from './campaignHandlers';
import type { WorkerContext } from './workerContext';

/** How far the default system runs before it is described: long enough for RS to have started every service. */
const BOOT_CYCLES = 50_000_000;

type Handlers = { [M in WorkerMethod]: (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };

export class WorkerService {
  private defaultSystem: SystemSnapshot | undefined;
  private readonly context: WorkerContext;
  private readonly handlers: Handlers;

  constructor(private readonly post: (message: WorkerToHost) => void) {
    this.context = { session: new Session(), post };
    this.handlers = {
      ping: ({ payload }) => ({ payload, simulatorVersion: SIMULATOR_VERSION }),
      describeSystem: () => this.context.session.snapshot() ?? (this.defaultSystem ??= bootedDefaultSystem()),
      ...sessionHandlers(this.context),
      ...consoleHandlers(this.context),
      ...traceHandlers(this.context),
      ...compareHandlers(this.context),
      ...campaignHandlers(this.context),
    };
  }

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

/** The built-in default system, booted and paused once its services are up. */
function bootedDefaultSystem(): SystemSnapshot {
  const system = bootScenario(builtinScenario('default'));
  system.run({ untilCycles: BOOT_CYCLES });
  return { ...system.snapshot(), running: false };
}
