// The channel between the extension host and the simulator worker thread.
// extension/simulatorClient.ts and simulator/host/worker.ts both import this
// file; a change here is a change to both ends.

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

/** Requests the host may make, with their parameters and results. */
export interface WorkerRequests {
  ping: { params: { payload: string }; result: { payload: string; simulatorVersion: string } };
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
