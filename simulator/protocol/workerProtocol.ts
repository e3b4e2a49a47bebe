// The channel between the extension host and the simulator worker thread.
// extension/simulatorClient.ts and simulator/host/worker.ts both import this
// file; a change here is a change to both ends. The console's and the trace
// views' requests live in consoleProtocol.ts and traceProtocol.ts.
import type { ConsoleRequests } from './consoleProtocol';
import type { TraceRequests } from './traceProtocol';

/** One process as the System view shows it. */
export interface ProcessSummary {
  readonly label: string;
  readonly endpoint: number;
  readonly group: 'kernel' | 'servers' | 'drivers' | 'programs';
  readonly state: string;
  /** Label of the process this one waits on, when blocked. */
  readonly blockedOn?: string;
  readonly restarts: number;
  readonly lastExit?: string;
  readonly privileges?: PrivilegeSummary;
  readonly source?: string;
}

export interface PrivilegeSummary {
  readonly ipcTargets: string;
  readonly kernelCalls: readonly string[];
  readonly ioRanges: readonly string[];
  readonly irqs: readonly number[];
}

export interface DeviceSummary {
  readonly name: string;
  readonly kind: string;
  readonly ports: string;
  readonly irq?: number;
  readonly state: string;
}

/** A complete picture of the system; pushed whole, never as a delta. */
export interface SystemSnapshot {
  readonly name: string;
  readonly configuration: string;
  readonly running: boolean;
  readonly nowCycles: number;
  readonly processes: readonly ProcessSummary[];
  readonly devices: readonly DeviceSummary[];
}

/** One request: what the host sends and what the worker answers. */
export interface RequestSpec {
  readonly params: unknown;
  readonly result: unknown;
}

/** Starting, stopping and steering the running system (simulator/host/session.ts answers these). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the session's requests
export interface SessionRequests {}

/** Requests the host may make, with their parameters and results. */
export interface WorkerRequests extends SessionRequests, ConsoleRequests, TraceRequests {
  ping: { params: { payload: string }; result: { payload: string; simulatorVersion: string } };
  /** The running system, or the default system booted until its services are up when none runs. */
  describeSystem: { params: Record<string, never>; result: SystemSnapshot };
}

export type WorkerMethod = keyof WorkerRequests;
export type ParamsOf<M extends WorkerMethod> = WorkerRequests[M]['params'];
export type ResultOf<M extends WorkerMethod> = WorkerRequests[M]['result'];

/** Events the worker pushes without being asked. */
export interface WorkerEvents {
  snapshot: SystemSnapshot;
  log: { level: 'info' | 'warning' | 'error'; message: string };
}

export type WorkerEventName = keyof WorkerEvents;

export type HostToWorker = {
  [M in WorkerMethod]: { kind: 'request'; id: number; method: M; params: ParamsOf<M> };
}[WorkerMethod];

export type WorkerToHost =
  | { kind: 'reply'; inReplyTo: number; ok: true; result: unknown }
  | { kind: 'reply'; inReplyTo: number; ok: false; error: string }
  | { [E in WorkerEventName]: { kind: 'event'; event: E; body: WorkerEvents[E] } }[WorkerEventName];

export const SIMULATOR_VERSION = '0.1.0';
