// What every group of worker request handlers shares: the session (the
// running system, if any) and the way to push events to the host.
import type { ParamsOf, ResultOf, WorkerMethod, WorkerToHost } from '../../simulator/protocol/workerProtocol';
import type { Session } from './session';

export interface WorkerContext {
  readonly session: Session;
  post(message: WorkerToHost): void;
}

export type Handler<M extends WorkerMethod> = (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;

/** Handlers for every request named in `R` (one of the protocol's request groups). */
export type HandlersFor<R> = { [M in keyof R & WorkerMethod]: Handler<M> };
