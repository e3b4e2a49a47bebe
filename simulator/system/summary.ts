// The run summary: a plain JSON-able object with a stable shape (what
// `mklab run --json` prints) and a readable table of it.
import type { RunningSystem, WorkloadRun } from './boot';
import { expectedOutcome, type Outcome } from '../config/scenario';
import { describeExit } from '../services/rs';
import { cyclesToSeconds, formatClockHz } from '../time/time';
import { DEFAULT_COST_PROFILE } from '../kernel/costs/costProfiles';
import { configurationTraits } from '../config/configurations';

export const SUMMARY_FORMAT = 'microkernel-lab-summary';
export const SUMMARY_VERSION = 4;

/** One restart as the summary reports it, in seconds of simulated time. */
export interface RestartSummary {
  /** What ended the previous instance: crash, heartbeat (killed by RS for not answering), restart or refresh (asked for). */
  readonly cause: string;
  /** When the previous instance ended. */
  readonly diedAtSeconds: number;
  /** How long RS waited before starting the replacement (MINIX's backoff). */
  readonly delaySeconds: number;
  /** From when the service stopped serving (for a hang, its last answer to RS) to the replacement's init done; null while it is not up. */
  readonly downtimeSeconds: number | null;
}

export interface ServiceSummary {
  readonly label: string;
  readonly state: string;
  readonly endpoint: number;
  readonly restarts: number;
  readonly heartbeatKills: number;
  readonly updates: number;
  readonly downtimeCycles: number;
  readonly downtimeSeconds: number;
  readonly lastExit: string | null;
  /** When each replacement instance was started, in cycles. */
  readonly restartTimesCycles: readonly number[];
  /** Each restart (after a failure or a `service restart`): its cause, RS's delay and the outage. */
  readonly restartLog: readonly RestartSummary[];
  /** RS's heartbeat period for the service; null when it is not pinged. */
  readonly heartbeatPeriodSeconds: number | null;
}

/** A workload program and how it fared. */
export interface WorkloadSummary {
  readonly kind: string;
  readonly process: string;
  /** running: not ended when the run stopped; done: exited with status 0; failed: crashed, was killed, or exited with an error. */
  readonly state: 'running' | 'done' | 'failed';
  /** How it ended, as the System view says it; null while it runs. */
  readonly exit: string | null;
}

/** What a request workload (ipc-pingpong, request-response) did: operations and their latency in nanoseconds. */
export interface RequestSummary {
  readonly kind: string;
  readonly completed: number;
  readonly failed: number;
  /** Null before the first operation completes. */
  readonly latencyNs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly mean: number; readonly max: number } | null;
  /** Context switches and kernel entries per completed operation since the workload started (everything the system did meanwhile counted); null before the first operation. */
  readonly contextSwitchesPerOp: number | null;
  readonly kernelEntriesPerOp: number | null;
}

export interface SystemSummary {
  readonly format: typeof SUMMARY_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly scenario: string | null;
  readonly configuration: string;
  readonly seed: number;
  readonly costProfile: string;
  /** The cost profile's clock rate: every count of cycles here is of this clock. */
  readonly clockHz: number;
  readonly simulatedCycles: number;
  readonly simulatedSeconds: number;
  readonly stopReason: string | null;
  readonly services: readonly ServiceSummary[];
  readonly restarts: number;
  readonly downtimeCycles: number;
  readonly downtimeSeconds: number;
  readonly ipc: {
    readonly messages: number;
    readonly kernelCalls: number;
    readonly contextSwitches: number;
    readonly interrupts: number;
  };
  readonly faults: {
    readonly armed: number;
    readonly injected: number;
    readonly skipped: number;
    readonly byType: Readonly<Record<string, number>>;
    /** Why the injector stopped arming faults (a fault storm reached the cap), or null. */
    readonly stopped: string | null;
  };
  readonly iommu: {
    readonly present: boolean;
    /** 'strict' or 'lazy' IOTLB invalidation, 'dev' for the DEV bitmap (no translation, nothing to invalidate), null without an IOMMU. */
    readonly invalidation: string | null;
    readonly blockedTransfers: number;
    readonly pagesMapped: number;
  };
  readonly integrity: { readonly ok: boolean; readonly corruptedPages: number };
  /**
   * Memory that a device's DMA overwrote behind its owner's back (possible
   * only without an IOMMU): how many writes the DMA check found, and the first
   * few: when, which device, whose memory (a process, or the kernel) and where.
   */
  readonly corruption: {
    readonly count: number;
    readonly first: readonly { readonly timeSeconds: number; readonly device: string; readonly victim: string; readonly paddr: number; readonly bytes: number }[];
  };
  readonly panic: { readonly message: string; readonly process: string; readonly timeCycles: number } | null;
  readonly network: {
    readonly packetsAttempted: number;
    readonly packetsAccepted: number;
    readonly packetsRefused: number;
    readonly packetsDelivered: number;
    readonly packetsAcked: number;
    readonly retransmissions: number;
    /** Data frames from the peer that the network stack (or, under kernel-bypass, the application) received: a received stream. */
    readonly packetsReceived: number;
    /** Data frames that reached the peer with their content damaged (the end-to-end check of the payload failed). */
    readonly packetsCorrupted: number;
  };
  readonly workloads: readonly WorkloadSummary[];
  /** How far a failure reached: the workload processes that failed or were stopped by a kernel panic, of all the workload processes the run started. */
  readonly blastRadius: { readonly affected: number; readonly workloads: number };
  /** The request workloads the scenario runs, with their latency distribution. */
  readonly requests: readonly RequestSummary[];
  /** How the run ended (see Outcome): the most severe of panic, integrity, workload-failed, else ok. */
  readonly outcome: Outcome;
  /** The outcome the scenario expects in this configuration ('ok' unless it says otherwise). */
  readonly expectedOutcome: Outcome;
  readonly traceEvents: number;
  readonly traceDigest: string;
  readonly stateDigest: string;
}

export function buildSummary(system: RunningSystem, scenario: string | null): SystemSummary {
  const sim = system.sim;
  const bypass = configurationTraits(system.configuration).network === 'bypass';
  const services: ServiceSummary[] = [...system.rsStatus.values()]
    .map((s) => {
      const downtime = s.downtimeCycles + (s.downSinceCycles === null ? 0 : system.nowCycles - s.downSinceCycles);
      return {
        label: s.label,
        state: s.state,
        endpoint: s.endpoint,
        restarts: s.restarts,
        heartbeatKills: s.heartbeatKills,
        updates: s.updates,
        downtimeCycles: downtime,
        downtimeSeconds: seconds(downtime, system.clockHz),
        lastExit: s.lastExit ?? null,
        restartTimesCycles: [...s.restartTimesCycles],
        restartLog: s.restartLog
          .filter((r) => r.cause !== 'refresh')
          .map((r) => ({
            cause: r.cause,
            diedAtSeconds: seconds(r.diedAtCycles, system.clockHz),
            delaySeconds: seconds(r.restartedAtCycles - r.diedAtCycles, system.clockHz),
            downtimeSeconds: r.upAtCycles === null ? null : seconds(r.upAtCycles - r.downSinceCycles, system.clockHz),
          })),
        heartbeatPeriodSeconds: s.periodCycles === 0 ? null : seconds(s.periodCycles, system.clockHz),
      };
    })
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const byType: Record<string, number> = {};
  for (const f of system.faults) if (f.appliedAtCycles !== null) byType[f.type] = (byType[f.type] ?? 0) + 1;
  const iommu = system.machine.iommu;
  const integrity = sim.verifyKernelIntegrity();
  const panic = sim.panicked;
  const stats = sim.kernel.stats;
  const n = system.network;
  const costProfile = system.options.costProfile;
  const workloads = system.workloads.map(workloadSummary);
  const outcome: Outcome =
    panic !== null ? 'panic' : !integrity.ok ? 'integrity' : workloads.some((w) => w.state === 'failed') ? 'workload-failed' : 'ok';
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    name: system.name,
    scenario,
    configuration: system.configuration,
    seed: sim.seed,
    costProfile: typeof costProfile === 'string' ? costProfile : costProfile === undefined ? DEFAULT_COST_PROFILE : 'custom',
    clockHz: system.clockHz,
    simulatedCycles: system.nowCycles,
    simulatedSeconds: seconds(system.nowCycles, system.clockHz),
    stopReason: system.stopReason,
    services,
    restarts: services.reduce((t, s) => t + s.restarts, 0),
    downtimeCycles: services.reduce((t, s) => t + s.downtimeCycles, 0),
    downtimeSeconds: seconds(services.reduce((t, s) => t + s.downtimeCycles, 0), system.clockHz),
    ipc: { messages: stats.messages, kernelCalls: stats.kernelCalls, contextSwitches: stats.contextSwitches, interrupts: stats.interrupts },
    faults: {
      armed: system.faults.length,
      injected: system.faults.filter((f) => f.appliedAtCycles !== null).length,
      skipped: system.faults.filter((f) => f.skipped !== null).length,
      byType,
      stopped: system.injector.stopped,
    },
    iommu: {
      present: iommu !== null,
      invalidation: iommu === null ? null : iommu.mode === 'dev' ? 'dev' : iommu.invalidation,
      blockedTransfers: iommu?.totalFaults ?? 0,
      pagesMapped: iommu?.counters.pagesMapped ?? 0,
    },
    integrity: { ok: integrity.ok, corruptedPages: integrity.corruptedPages.length },
    corruption: {
      count: system.machine.corruption.count,
      first: system.machine.corruption.records.slice(0, 10).map((r) => ({
        timeSeconds: cyclesToSeconds(r.timeCycles, system.clockHz),
        device: r.device,
        victim: r.victim,
        paddr: r.paddr,
        bytes: r.lengthBytes,
      })),
    },
    panic: panic === null ? null : { message: panic.message, process: processName(system, panic.endpoint), timeCycles: panic.timeCycles },
    network: {
      packetsAttempted: n.app.attempted,
      packetsAccepted: n.app.accepted,
      packetsRefused: n.app.refused,
      packetsDelivered: n.deliveredToPeer,
      // Under kernel-bypass the application, not the network server, sees the acknowledgements and the received frames.
      packetsAcked: bypass ? n.app.acked : n.inet.acked,
      retransmissions: n.inet.retransmissions,
      packetsReceived: bypass ? n.app.received : n.inet.received,
      packetsCorrupted: n.corruptedAtPeer,
    },
    workloads,
    blastRadius: { affected: workloads.filter((w) => w.state === 'failed' || (panic !== null && w.state === 'running')).length, workloads: workloads.length },
    requests: requestSummaries(system),
    outcome,
    expectedOutcome: expectedOutcome(system.options.expect, system.configuration),
    traceEvents: sim.trace.totalRecorded,
    traceDigest: system.traceDigest(),
    stateDigest: sim.digest(),
  };
}

function requestSummaries(system: RunningSystem): RequestSummary[] {
  const kinds = new Set(system.workloads.map((w) => w.kind));
  return (['ipc-pingpong', 'request-response'] as const)
    .filter((k) => kinds.has(k))
    .map((kind) => {
      const sink = system.requests[kind];
      const sorted = [...sink.latenciesCycles].sort((a, b) => a - b);
      const ns = (c: number) => Math.round(cyclesToSeconds(c, system.clockHz) * 1e10) / 10;
      const rank = (q: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
      const stats = system.sim.kernel.stats;
      const per = (now: number, then: number | undefined) => (sink.completed === 0 || then === undefined ? null : Math.round(((now - then) / sink.completed) * 1000) / 1000);
      return {
        kind,
        completed: sink.completed,
        failed: sink.failed,
        contextSwitchesPerOp: per(stats.contextSwitches, sink.atStart?.contextSwitches),
        kernelEntriesPerOp: per(stats.kernelEntries, sink.atStart?.kernelEntries),
        latencyNs:
          sorted.length === 0
            ? null
            : { p50: ns(rank(0.5)), p99: ns(rank(0.99)), p999: ns(rank(0.999)), mean: ns(sorted.reduce((a, b) => a + b, 0) / sorted.length), max: ns(sorted[sorted.length - 1]!) },
      };
    });
}

function workloadSummary(w: WorkloadRun): WorkloadSummary {
  if (w.ended === null) return { kind: w.kind, process: w.name, state: 'running', exit: null };
  const ok = w.ended.reason.kind === 'exit' && w.ended.reason.status === 0;
  return { kind: w.kind, process: w.name, state: ok ? 'done' : 'failed', exit: describeExit(w.ended.reason) };
}

function processName(system: RunningSystem, endpoint: number): string {
  return system.sim.processes().find((p) => p.endpoint === endpoint)?.name ?? `endpoint ${endpoint}`;
}

/** Seconds of simulated time, to the millisecond. */
function seconds(cycles: number, clockHz: number): number {
  return Math.round(cyclesToSeconds(cycles, clockHz) * 1000) / 1000;
}

/** The summary as a readable table. */
/**
 * What a user reads first about how a run went, as lines: the kernel (panic or
 * not), its integrity, each workload, the blast radius and each request
 * workload's figures. `mklab run` prints them at the top of its summary; the
 * editor shows them when a run ends.
 */
export function summaryHeadline(s: SystemSummary): string[] {
  const lines: string[] = [];
  lines.push(s.panic === null ? 'kernel: no panic' : `KERNEL PANIC at ${s.panic.timeCycles}: ${s.panic.message}`);
  lines.push(`kernel integrity: ${s.integrity.ok ? 'intact' : `${s.integrity.corruptedPages} page(s) corrupted`}`);
  if (s.corruption.count > 0) {
    const shown = s.corruption.first.slice(0, 3).map((c) => `${c.device} into ${c.victim === 'the kernel' ? 'the kernel' : c.victim} at 0x${c.paddr.toString(16)} (${c.bytes} bytes, ${c.timeSeconds.toFixed(3)} s)`);
    lines.push(`MEMORY OVERWRITTEN by DMA, found by the DMA check (no IOMMU): ${s.corruption.count} write(s): ${shown.join('; ')}${s.corruption.count > shown.length ? '; …' : ''}`);
  }
  for (const w of s.workloads) lines.push(`workload ${w.kind} (${w.process}): ${w.state}${w.exit === null ? '' : `, ${w.exit}`}`);
  if (s.blastRadius.workloads > 0) lines.push(`blast radius: ${s.blastRadius.affected} of ${s.blastRadius.workloads} workload processes affected (failed, or stopped by a panic)`);
  for (const r of s.requests) {
    const l = r.latencyNs;
    const costs = r.contextSwitchesPerOp === null ? '' : `; per operation ${r.contextSwitchesPerOp} context switches, ${r.kernelEntriesPerOp} kernel entries`;
    lines.push(`${r.kind}: ${r.completed} done, ${r.failed} failed${l === null ? '' : `; latency p50 ${l.p50} ns, p99 ${l.p99} ns, p99.9 ${l.p999} ns, mean ${l.mean} ns, max ${l.max} ns`}${costs}`);
  }
  return lines;
}

export function formatSummary(s: SystemSummary): string {
  const lines: string[] = [];
  lines.push(`${s.scenario ?? s.name} — ${s.configuration}, seed ${s.seed}, ${s.costProfile}`);
  lines.push(`simulated ${s.simulatedSeconds} s (${s.simulatedCycles} cycles at ${formatClockHz(s.clockHz)}), stopped: ${s.stopReason ?? 'not run'}`);
  lines.push(...summaryHeadline(s));
  lines.push(`IOMMU: ${s.iommu.present ? `${s.iommu.invalidation}, ${s.iommu.blockedTransfers} transfer(s) blocked, ${s.iommu.pagesMapped} page(s) mapped` : 'none'}`);
  lines.push(`faults: ${s.faults.injected} injected of ${s.faults.armed} armed${Object.keys(s.faults.byType).length > 0 ? ` (${Object.entries(s.faults.byType).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  if (s.faults.stopped !== null) lines.push(`faults: ${s.faults.stopped}`);
  lines.push(`IPC: ${s.ipc.messages} messages, ${s.ipc.kernelCalls} kernel calls, ${s.ipc.contextSwitches} context switches, ${s.ipc.interrupts} interrupts`);
  const net = s.network;
  lines.push(`network: ${net.packetsAccepted} sent, ${net.packetsDelivered} delivered, ${net.packetsAcked} acknowledged, ${net.retransmissions} retransmitted, ${net.packetsRefused} refused, ${net.packetsReceived} received${net.packetsCorrupted > 0 ? `, ${net.packetsCorrupted} CORRUPTED at the peer` : ''}`);
  lines.push('');
  const header = ['service', 'state', 'restarts', 'hb kills', 'downtime s', 'last exit'];
  const rows = s.services.map((x) => [x.label, x.state, String(x.restarts), String(x.heartbeatKills), x.downtimeSeconds.toFixed(3), x.lastExit ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  lines.push(fmt(header));
  lines.push(fmt(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) lines.push(fmt(r));
  const restarted = s.services.filter((x) => x.restartLog.length > 0);
  if (restarted.length > 0) lines.push('');
  for (const x of restarted) {
    const delays = x.restartLog.map((r) => `${+r.delaySeconds.toFixed(1)}`).join(', ');
    lines.push(`${x.label}: restarted ${x.restartLog.length} time(s), each after ${delays} s; down ${x.downtimeSeconds.toFixed(3)} s in all`);
  }
  lines.push('');
  lines.push(`outcome: ${s.outcome}${s.outcome === s.expectedOutcome ? ' (as expected)' : `, but the scenario expects ${s.expectedOutcome}`}`);
  lines.push(`total: ${s.restarts} restart(s), ${s.downtimeSeconds.toFixed(3)} s downtime; trace ${s.traceEvents} events, digest ${s.traceDigest}`);
  return lines.join('\n');
}
