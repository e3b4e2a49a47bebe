// The extension host's side of the simulator worker: starts the worker on
// first use, sends typed requests, routes replies and events, and notices
// when the worker dies or stops answering.
import { Worker } from 'node:worker_threads';
import type {
  HostToWorker,
  ParamsOf,
  ResultOf,
  WorkerEventName,
  WorkerEvents,
  WorkerMethod,
  WorkerToHost,
} from '../simulator/protocol/workerProtocol';

export class SimulatorUnavailableError extends Error {}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

type Listener<E extends WorkerEventName> = (body: WorkerEvents[E]) => void;

export class SimulatorClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<WorkerEventName, Set<(body: never) => void>>();
  private readonly exitListeners = new Set<(reason: string) => void>();

  constructor(
    private readonly workerPath: string,
    private readonly requestTimeoutMs = 10_000,
  ) {}

  get running(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Sends a request; it fails if no answer comes within `timeoutMs` (the client's default unless given: a long comparison gives
   * its own). Buffers in `transfer` move to the worker instead of being copied (a large trace file), and are unusable here after.
   */
  request<M extends WorkerMethod>(method: M, params: ParamsOf<M>, timeoutMs = this.requestTimeoutMs, transfer: readonly ArrayBuffer[] = []): Promise<ResultOf<M>> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SimulatorUnavailableError(`the simulator did not answer '${method}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const message = { kind: 'request', id, method, params } as HostToWorker;
      try {
        worker.postMessage(message, transfer as ArrayBuffer[]);
      } catch (e) {
        // A buffer that cannot move (not detachable) is copied instead.
        if (transfer.length === 0) throw e;
        worker.postMessage(message);
      }
    });
  }

  on<E extends WorkerEventName>(event: E, listener: Listener<E>): { dispose(): void } {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as (body: never) => void;
    set.add(entry);
    return { dispose: () => set.delete(entry) };
  }

  /** Called with a reason when the worker ends without being asked to. */
  onUnexpectedExit(listener: (reason: string) => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  async restart(): Promise<void> {
    await this.stop();
    this.ensureWorker();
  }

  /** Ends the worker thread as a crash would, so that its end is reported as unexpected; for tests only. */
  async crashForTests(): Promise<void> {
    await this.worker?.terminate();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failPending('the simulator was stopped');
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // Source maps let stack traces (the source line of each kernel entry, a
    // driver's crash) name the TypeScript sources that ship beside the bundle.
    const worker = new Worker(this.workerPath, { execArgv: ['--enable-source-maps'] });
    worker.on('message', (m: WorkerToHost) => this.receive(m));
    worker.on('error', (e) => this.lost(worker, `the simulator failed: ${e.message}`));
    worker.on('exit', (code) => this.lost(worker, `the simulator stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }

  private lost(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failPending(reason);
    for (const l of this.exitListeners) l(reason);
  }

  private failPending(reason: string): void {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new SimulatorUnavailableError(reason));
    }
    this.pending.clear();
  }

  private receive(m: WorkerToHost): void {
    if (m.kind === 'reply') {
      const p = this.pending.get(m.inReplyTo);
      if (!p) return;
      this.pending.delete(m.inReplyTo);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      return;
    }
    const set = this.listeners.get(m.event);
    if (set) for (const l of set) l(m.body as never);
  }
}
