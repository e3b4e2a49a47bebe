// The channel between the extension host and the simulator worker thread.
// extension/simulatorClient.ts and node/worker/worker.ts both import this
// file; a change here is a change to both ends. The console's and the trace
// views' requests live in consoleProtocol.ts and traceProtocol.ts.
import type { ConsoleRequests } from './consoleProtocol';
import type { TraceRequests } from './traceProtocol';
import type { CompareProgress, CompareRequests } from './compareProtocol';
import type { CampaignProgress, CampaignRequests } from './campaignProtocol';

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
  /** What the reincarnation server says of the service (starting, running, backoff, down, updating), for services only. */
  readonly serviceState?: string;
  /** Live updates the reincarnation server has carried out (a live update is not a restart), for services only. */
  readonly updates?: number;
  /** In backoff: at most this long (seconds of simulated time) before the reincarnation server restarts the service. */
  readonly backoffSeconds?: number;
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
  /** PCI vendor:device id ("1234:4d01"), for a PCI device. */
  readonly pci?: string;
  /** The requester id its DMA carries (the IOMMU's domain), for a device with DMA. */
  readonly dmaRequesterId?: number;
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
  /** The editor's session around the system, when the snapshot comes from one. */
  readonly session?: SessionStatus;
}

/** Where a system to start comes from: a built-in scenario, a workspace scenario file, or a workspace system.conf. */
export type SystemSource =
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'scenarioFile'; readonly file: string; readonly text: string }
  | { readonly kind: 'systemConf'; readonly file: string; readonly text: string }
  /** A fault campaign's trial, by its id: booted and run as the campaign ran it (its faults at the same steps). */
  | { readonly kind: 'trial'; readonly id: string };

export interface StartParams {
  readonly source: SystemSource;
  /** A configuration name; the scenario's own (microkernel-iommu for a system.conf) if absent. */
  readonly configuration?: string;
  readonly seed?: number;
  /** A cost profile name; the scenario's own if absent. */
  readonly costProfile?: string;
  /** RS's heartbeat period; the scenario's own (MINIX: 5 s) if absent. */
  readonly heartbeatPeriodMs?: number;
  /** Trace events kept (a ring). */
  readonly traceCapacity?: number;
  /** Simulated seconds per wall-clock second; 0 runs as fast as the worker can. */
  readonly speed: number;
  /** Whether the workspace is trusted; workspace code (user drivers) runs only if it is. */
  readonly trusted: boolean;
}

export type SessionState = 'idle' | 'running' | 'paused' | 'finished' | 'panicked' | 'stopped';

/** The editor's session: which system, where its simulated time is, whether it runs. */
export interface SessionStatus {
  readonly state: SessionState;
  /** Counts the starts in this worker, so a snapshot can be told from one of an earlier system. */
  readonly runId: number;
  readonly name?: string;
  readonly configuration?: string;
  readonly nowCycles: number;
  /** Where the run ends (the scenario's duration); null when it runs until stopped. */
  readonly untilCycles: number | null;
  readonly clockHz: number;
  /** Restarts of all services so far. */
  readonly restarts: number;
  readonly speed: number;
  /** True when the simulation cannot keep up with the requested speed. */
  readonly lagging: boolean;
  /** Why the run stopped by itself (panic, end of the scenario), or a note on the last operation. */
  readonly message?: string;
  /** The seed the system runs with (a replay in the debugger needs it). */
  readonly seed?: number;
  /** True when this is the system of a debug session (the debug adapter's own), not the editor's session. */
  readonly debugger?: boolean;
  /** How the run went, once it has ended (finished, panicked or stopped). */
  readonly report?: RunReport;
  /** Memory a device's DMA overwrote behind its owner's back, as the DMA check found it while the system ran (without an IOMMU). */
  readonly corruption?: CorruptionStatus;
}

export interface CorruptionStatus {
  /** Every overwrite found so far. */
  readonly count: number;
  /** The first ones, oldest first: when, which device, whose memory ('the kernel' or a process) and where. */
  readonly first: readonly { readonly timeCycles: number; readonly device: string; readonly victim: string; readonly paddr: number; readonly lengthBytes: number }[];
}

/** How an ended run went, as `mklab run`'s summary says it. */
export interface RunReport {
  /** 'ok', 'panic', 'integrity' (the kernel's memory was corrupted) or 'workload-failed'. */
  readonly outcome: string;
  /** What the scenario expects in this configuration. */
  readonly expectedOutcome: string;
  /** The summary's first lines: the kernel, its integrity, each workload, the blast radius, request figures. */
  readonly headline: readonly string[];
  /** The whole summary, as `mklab run` prints it. */
  readonly text: string;
  /** When and in which process the kernel panicked, if it did. */
  readonly panic: { readonly process: string; readonly message: string; readonly timeCycles: number } | null;
  readonly blastRadius: { readonly affected: number; readonly workloads: number };
  readonly corruptedPages: number;
}

export type DriverOperation = 'restart' | 'kill' | 'update' | 'down' | 'up' | 'refresh';

export interface ScenarioEntry {
  readonly name: string;
  readonly description: string;
  readonly configuration: string;
  /** In cycles of `clockHz`, the clock of the scenario's cost profile. */
  readonly durationCycles: number;
  readonly clockHz: number;
}

export interface FaultTypeEntry {
  readonly type: string;
  readonly description: string;
}

/** The IOMMU as the IOMMU view shows it. */
export interface IommuView {
  /** The clock the blocked transfers' times count cycles of. */
  readonly clockHz: number;
  readonly mode: string;
  readonly invalidation: 'strict' | 'lazy';
  readonly domains: readonly {
    readonly deviceId: number;
    readonly label: string;
    readonly faultCount: number;
    readonly mappings: readonly { readonly iova: number; readonly paddr: number; readonly lengthBytes: number; readonly read: boolean; readonly write: boolean }[];
  }[];
  readonly faultCount: number;
  /** The latest blocked transfers, newest last. */
  readonly blocked: readonly {
    readonly seq: number;
    readonly timeCycles: number;
    readonly deviceId: number;
    readonly device: string;
    readonly iova: number;
    readonly lengthBytes: number;
    readonly direction: string;
    readonly reason: string;
  }[];
  readonly iotlbEntries: number;
  readonly iotlbCapacity: number;
  readonly transfers: number;
  /** Transfers let through by a cached translation of a page already unmapped (lazy invalidation's window). */
  readonly staleTransfers: number;
}

/** Starting, stopping and steering the running system (node/worker/session.ts answers these). */
export interface SessionRequests {
  /** Built-in scenarios, configurations, cost profiles and injectable fault types. */
  sessionCatalog: {
    params: Record<string, never>;
    result: { scenarios: ScenarioEntry[]; configurations: string[]; costProfiles: string[]; faultTypes: FaultTypeEntry[] };
  };
  startSystem: { params: StartParams; result: SessionStatus };
  stopSystem: { params: Record<string, never>; result: SessionStatus };
  pauseSystem: { params: Record<string, never>; result: SessionStatus };
  resumeSystem: { params: Record<string, never>; result: SessionStatus };
  setSpeed: { params: { speed: number }; result: SessionStatus };
  sessionStatus: { params: Record<string, never>; result: SessionStatus };
  /** A `service` operation or a kill on a running service; `message` says what was done. */
  driverOperation: { params: { op: DriverOperation; label: string }; result: { message: string; status: SessionStatus } };
  injectFault: { params: { label: string; type: string }; result: { message: string; status: SessionStatus } };
  serviceDetails: {
    params: { label: string };
    result: { label: string; group: string; privileges?: PrivilegeSummary; source?: string; conf?: string };
  };
  /** The IOMMU of the running system; null without a system or without an IOMMU. */
  iommuState: { params: { blockedLimit?: number }; result: IommuView | null };
}

/** Requests the host may make, with their parameters and results. */
export interface WorkerRequests extends SessionRequests, ConsoleRequests, TraceRequests, CompareRequests, CampaignRequests {
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
  compareProgress: CompareProgress;
  campaignProgress: CampaignProgress;
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
