// Boots a system: the machine for a configuration, the system description
// (the default system.conf or a user's), the programs with the fault
// injection layer around every service, RS as the first process, and the
// workloads. The RunningSystem runs it in slices and answers for it.
import type { BuiltinService } from './builtin';
import { buildMachine, type Machine } from './machine';
import { cyclesPerUnit, cyclesToSeconds, msToCycles, secondsToCycles } from '../time/time';
import { costProfile as costProfileNamed } from '../kernel/costs/costProfiles';
import { builtinServices, defaultSystemConf, type CoreContext } from './registry';
import { summarisePrivilege } from './privileges';
import { servicePrivilege } from '../config/privileges';
import { ProgramRegistry } from '../engine/programRegistry';
import { ANY, ASYNCM, CLOCK, HARDWARE, NONE, SYSTEM } from '../kernel/constants';
import type { PrivilegeSpec } from '../kernel/privilege';
import type { CostProfile } from '../kernel/costs/costProfiles';
import type { TraceOptions } from '../trace/recorder';
import { TraceKind } from '../trace/kinds';
import { Digest } from '../core/digest';
import type { ExternalCommand, StopReason } from '../engine/simulator';
import { parseSystemConf, formatDiagnostic, type ServiceDescription } from '../config/systemConf';
import type { ExpectedOutcome, PacketStreamWorkload, RequestResponseWorkload, WorkloadItem } from '../config/scenario';
import type { ExitReason } from '../kernel/proc';
import { DEFAULT_CONFIGURATION, configurationTraits, type Configuration } from '../config/configurations';
import { STANDARD_LABELS } from '../config/minixNames';
import type { DeviceSummary, ProcessSummary, SystemSnapshot } from '../protocol/workerProtocol';
import type { IommuDescription } from '../hw/iommu';
import { type RsServiceDefinition, type RsServiceStatus, type RsStatusTable } from '../services/rs';
import type { DsStore } from '../services/ds';
import type { InetCounters } from '../services/inet';
import { PEER_MAC, parseStreamFrame, streamFrame, streamPayloadIntact } from '../services/inet';
import { STREAM_HEADER_BYTES, StreamKind } from '../services/messages';
import { NIC_MAX_FRAME_BYTES } from '../hw/nic';
import { POLL_MODE_MEMORY_BYTES, pollModeStream } from '../drivers/pollModeNic';
import { AMDDEV_DEVICE_OWNERS } from '../services/amddev';
import { PLATFORM } from '../hw/platform';
import { PACKET_STREAM_PROGRAM, packetStreamProgram, type PacketStreamCounters } from '../programs/packetStream';
import {
  PINGPONG_CLIENT, PINGPONG_SERVER, RR_CLIENT, RR_SERVER, newLatencySink, pingpongClient, poissonGaps, recordLatency, pingpongServer, rrClient, rrServer, type LatencySink,
} from '../programs/requestWorkloads';
import { SERVICE_PROGRAM, serviceUtility, type ServiceOperation } from '../programs/service';
import { isCodeFault } from '../config/faultTypes';
import { isOpenable, openedProgram } from './openedDrivers';
import type { ProgramMain } from '../sdk';
import { FaultInjector, isInjectableFault, type FaultParams, type FaultRecord, type InjectableFault } from '../faults/injector';
import type { FaultSpec } from '../config/scenario';
import { buildSummary, type SystemSummary } from './summary';
import { BUILTIN_IMAGES } from '../services/isofs/isoBuilder';
import { builtinDiskImage } from '../services/storageApps';

/** The program of a packet stream under kernel-bypass: the application with its poll-mode driver (its process is named as the packet stream's). */
const POLL_MODE_STREAM_PROGRAM = 'packet-stream-pmd';
/** The server of a network request-response under kernel-bypass, with its poll-mode driver (its process is named rr-server). */
const POLL_MODE_RR_PROGRAM = 'rr-server-pmd';

/** MINIX's heartbeat period for network drivers (its rc starts them with `-period 5HZ`). */
export const DEFAULT_NET_PERIOD_SECONDS = 5;
/** Simulated time between progress reports of run(). */
const DEFAULT_SLICE_SECONDS = 0.1;
const RS_LABEL = 'rs';

export interface BootOptions {
  readonly seed: number;
  /** The configuration table's default if absent. */
  readonly configuration?: Configuration;
  readonly costProfile?: CostProfile | string;
  /** A user's system.conf to boot instead of the default description. */
  readonly systemConf?: { readonly text: string; readonly file: string };
  readonly isoImage?: Uint8Array;
  /**
   * The heartbeat period RS gives the network drivers (system.conf `type net`), as
   * MINIX's rc does, in cycles of the cost profile's clock; default 5 s. Other
   * services are pinged only if their description gives them a period.
   */
  readonly heartbeatPeriodCycles?: number;
  /** MINIX's restart backoff; default on. */
  readonly restartBackoff?: boolean;
  /** The NIC's line rate; 1 Gb/s if absent. */
  readonly nicLineBitsPerSecond?: number;
  /** Containers that each run their own copy of the workload; 1 if absent. */
  readonly containers?: number;
  readonly trace?: TraceOptions;
  readonly captureSourceLocations?: boolean;
  /** User drivers and programs, described like built-in services (their conf entry gives their privileges). */
  readonly extraPrograms?: readonly BuiltinService[];
  /** Workloads to start (packet-stream, and the storage side's cd-read, print, block-read). */
  readonly workload?: readonly WorkloadItem[];
  /** Faults to inject at their times. */
  readonly faults?: readonly FaultSpec[];
  /**
   * Services (or, under kernel-bypass, the NIC's driver, which is then the application's) whose code is
   * loaded from its source with every mutation site open, so that code-level faults can strike them at
   * any time. The targets of `faults` of those types are opened anyway.
   */
  readonly openCode?: readonly string[];
  /** A name for snapshots and summaries. */
  readonly name?: string;
  /** How the run is expected to end, by configuration (the scenario's "expect"); default 'ok'. */
  readonly expect?: readonly ExpectedOutcome[];
}

/** A workload program started at boot, and how it ended (null while it runs). */
export interface WorkloadRun {
  readonly kind: string;
  readonly name: string;
  readonly endpoint: number;
  ended: { readonly reason: ExitReason; readonly timeCycles: number } | null;
}

/** Where the request workloads (ipc-pingpong, request-response) record each operation's latency. */
export interface RequestSinks {
  readonly 'ipc-pingpong': LatencySink;
  readonly 'request-response': LatencySink;
}

export interface RunOptions {
  readonly untilCycles: number;
  /** Length of one slice; progress is reported after each. Default 100 ms of simulated time. */
  readonly sliceCycles?: number;
  readonly progress?: (timeCycles: number, untilCycles: number) => void;
  /** Stop after this many simulator steps in all (a livelock can take endless steps in little simulated time). */
  readonly maxSteps?: number;
}

/** A command and the moment (in cycles) it is given at. */
export interface TimedCommand {
  readonly atCycles: number;
  readonly command: ExternalCommand;
}

export interface RunOutcome {
  /** 'command': stopped before a replayed command (RunningSystem.replayCommands with stopBeforeCommands). */
  readonly reason: StopReason | 'command';
  readonly timeCycles: number;
}

export interface NetworkCounters {
  readonly app: PacketStreamCounters;
  readonly inet: InetCounters;
  /** Distinct data packets the peer received. */
  deliveredToPeer: number;
  /**
   * Data frames the peer received whose content was damaged: the payload is
   * not the pattern its sequence number gives. Such a frame is not acknowledged.
   */
  corruptedAtPeer: number;
  acksSent: number;
}

interface ServiceEntry {
  readonly service: BuiltinService;
  readonly description: ServiceDescription;
  readonly privilege: PrivilegeSpec;
}

export class RunningSystem {
  readonly name: string;
  readonly machine: Machine;
  readonly injector: FaultInjector;
  readonly network: NetworkCounters;
  readonly rsStatus: RsStatusTable;
  readonly dsStore: DsStore;
  readonly systemConfText: string;
  /** Diagnostics of the system description (warnings; errors stop the boot). */
  readonly diagnostics: readonly string[];
  /** The workload programs started at boot, in the scenario's order. */
  readonly workloads: readonly WorkloadRun[];
  /** Latencies of the request workloads' operations. */
  readonly requests: RequestSinks;
  private lastStop: StopReason | null = null;
  private readonly services: ReadonlyMap<string, ServiceEntry>;

  constructor(
    readonly options: BootOptions,
    init: {
      machine: Machine; injector: FaultInjector; network: NetworkCounters; rsStatus: RsStatusTable; dsStore: DsStore;
      services: Map<string, ServiceEntry>; confText: string; diagnostics: string[]; workloads: WorkloadRun[]; requests: RequestSinks;
    },
  ) {
    this.workloads = init.workloads;
    this.requests = init.requests;
    init.machine.sim.on('processEnded', (e) => {
      const w = init.workloads.find((x) => x.endpoint === e.endpoint && x.ended === null);
      if (w !== undefined) w.ended = { reason: e.reason, timeCycles: e.timeCycles };
    });
    this.name = options.name ?? 'default';
    this.machine = init.machine;
    this.injector = init.injector;
    this.network = init.network;
    this.rsStatus = init.rsStatus;
    this.dsStore = init.dsStore;
    this.services = init.services;
    this.systemConfText = init.confText;
    this.diagnostics = init.diagnostics;
  }

  get sim() {
    return this.machine.sim;
  }

  /** The names a fault may target: every service of the system and every process running now. */
  targetNames(): ReadonlySet<string> {
    return new Set([...this.services.keys(), ...this.sim.processes().map((p) => p.name)]);
  }

  get configuration(): Configuration {
    return this.machine.configuration;
  }

  get nowCycles(): number {
    return this.sim.clock.now();
  }

  /** The cost profile's clock rate: nowCycles and every time in cycles count its cycles. */
  get clockHz(): number {
    return this.machine.clockHz;
  }

  get stopReason(): StopReason | null {
    return this.lastStop;
  }

  /** Runs until `untilCycles` (or a panic, or nothing left to do), in slices. */
  run(options: RunOptions): RunOutcome {
    const slice = Math.max(1, options.sliceCycles ?? secondsToCycles(DEFAULT_SLICE_SECONDS, this.clockHz));
    const stopAt = this.sim.steps + (options.maxSteps ?? Infinity);
    for (;;) {
      // Replayed commands are given at the very moment they were first given at.
      const feed = this.feed;
      while (this.feedNext < feed.length && feed[this.feedNext]!.atCycles <= this.nowCycles) {
        if (this.stopBeforeCommands && !this.feedReleased) {
          this.feedReleased = true;
          return { reason: 'command', timeCycles: this.nowCycles };
        }
        this.feedReleased = false;
        this.sim.command(feed[this.feedNext++]!.command);
      }
      const nextFeed = this.feedNext < feed.length ? feed[this.feedNext]!.atCycles : Infinity;
      const target = Math.min(options.untilCycles, this.nowCycles + slice, nextFeed);
      const r = this.sim.run({ untilCycles: target, ...(options.maxSteps === undefined ? {} : { maxSteps: stopAt - this.sim.steps }) });
      this.lastStop = r.reason;
      options.progress?.(r.timeCycles, options.untilCycles);
      if (r.reason !== 'until' || r.timeCycles >= options.untilCycles) return { reason: r.reason, timeCycles: r.timeCycles };
    }
  }

  private feed: readonly TimedCommand[] = [];
  private feedNext = 0;
  private feedReleased = false;
  /** Whether run() stops before each replayed command (the debugger stops before a campaign trial's faults). */
  stopBeforeCommands = false;

  /**
   * Commands given in another run of the same system, to be given again at the moments they were given
   * at, so that this run repeats it: a campaign trial watched in the debugger. (The moment, not the step:
   * how many steps a stretch of idle time takes depends on where the runs that cross it end.)
   */
  replayCommands(log: readonly TimedCommand[]): void {
    this.feed = [...log].sort((a, b) => a.atCycles - b.atCycles);
    this.feedNext = 0;
    this.feedReleased = false;
  }

  /** The next replayed command, if any is left. */
  get nextReplayedCommand(): TimedCommand | undefined {
    return this.feed[this.feedNext];
  }

  /** A `service` operation (up, down, restart, refresh, update, clone), carried out by RS; logged for replay. */
  service(op: ServiceOperation, label: string, program?: string): number {
    return this.sim.spawn({
      program: SERVICE_PROGRAM,
      name: 'service',
      privilege: { system: false, ipcTo: [RS_LABEL], kernelCalls: ['GETINFO'] },
      args: program === undefined ? { op, label } : { op, label, program },
    });
  }

  /** Arms a fault in the running instance of `label` (`service fi`); logged for replay. */
  injectFault(label: string, type: InjectableFault, params: FaultParams = {}): void {
    this.sim.command({ kind: 'custom', name: 'fault', data: { label, type, params: { ...params } } });
  }

  get faults(): readonly FaultRecord[] {
    return this.injector.records;
  }

  processes(): ProcessSummary[] {
    // The kernel's own tasks run inside the kernel and are not in the process list.
    const out: ProcessSummary[] = [
      { label: 'kernel', endpoint: HARDWARE, group: 'kernel', state: 'kernel task', restarts: 0 },
      { label: 'system', endpoint: SYSTEM, group: 'kernel', state: 'kernel task', restarts: 0 },
      { label: 'clock', endpoint: CLOCK, group: 'kernel', state: 'kernel task', restarts: 0 },
    ];
    const live = new Set<string>();
    for (const p of this.sim.processes()) {
      const entry = this.services.get(p.name);
      const status = this.rsStatus.get(p.name);
      live.add(p.name);
      const blocked = p.blockedOn === NONE ? undefined : this.nameOf(p.blockedOn);
      out.push({
        label: p.name,
        endpoint: p.endpoint,
        group: p.endpoint < 0 ? 'kernel' : entry === undefined ? 'programs' : groupOf(entry.service),
        state: p.state,
        ...(blocked === undefined ? {} : { blockedOn: blocked }),
        restarts: status?.restarts ?? 0,
        ...(status?.lastExit === undefined ? {} : { lastExit: status.lastExit }),
        ...(entry === undefined ? {} : { privileges: summarisePrivilege(entry.privilege), source: entry.service.sourceFile }),
      });
    }
    for (const status of this.rsStatus.values()) {
      if (live.has(status.label)) continue;
      const entry = this.services.get(status.label);
      out.push({
        label: status.label,
        endpoint: status.endpoint,
        group: entry === undefined ? 'programs' : groupOf(entry.service),
        state: status.state,
        restarts: status.restarts,
        ...(status.lastExit === undefined ? {} : { lastExit: status.lastExit }),
        ...(entry === undefined ? {} : { privileges: summarisePrivilege(entry.privilege), source: entry.service.sourceFile }),
      });
    }
    return out;
  }

  devices(): DeviceSummary[] {
    return this.machine.devices.map((d) => {
      const desc = d.describe();
      return {
        name: desc.name,
        kind: desc.kind,
        ports: `0x${desc.ports.base.toString(16)}:${desc.ports.count}`,
        irq: desc.irq,
        ...(desc.pci === undefined ? {} : { pci: desc.pci }),
        ...(desc.deviceId === undefined ? {} : { dmaRequesterId: desc.deviceId }),
        state: Object.entries(desc.state).map(([k, v]) => `${k}=${String(v)}`).join(' '),
      };
    });
  }

  iommuState(): IommuDescription | null {
    return this.machine.iommu?.describe() ?? null;
  }

  snapshot(): SystemSnapshot {
    return {
      name: this.name,
      configuration: this.configuration,
      running: this.sim.panicked === null,
      nowCycles: this.nowCycles,
      processes: this.processes(),
      devices: this.devices(),
    };
  }

  /** A digest of every trace event recorded so far (kind, time, endpoints, arguments, label). */
  traceDigest(): string {
    const d = new Digest();
    const t = this.sim.trace;
    // Read from the columns (as t.get does, without making an event object each time: a campaign digests every trial).
    for (let seq = t.firstSeq; seq < t.endSeq; seq++) {
      const i = seq % t.capacity;
      d.int(t.time[i]!).int(t.kind[i]!).int(t.src[i]!).int(t.dst[i]!).int(t.a[i]!).int(t.b[i]!).int(t.c[i]!).str(t.strings.get(t.label[i]!));
    }
    d.int(t.totalRecorded);
    return d.hex();
  }

  summary(scenario: string | null = null): SystemSummary {
    return buildSummary(this, scenario);
  }

  serviceStatus(label: string): RsServiceStatus | undefined {
    return this.rsStatus.get(label);
  }

  private nameOf(endpoint: number): string {
    const special = SPECIAL_ENDPOINTS[endpoint];
    if (special !== undefined) return special;
    return this.sim.processes().find((p) => p.endpoint === endpoint)?.name ?? `endpoint ${endpoint}`;
  }
}

const SPECIAL_ENDPOINTS: Readonly<Record<number, string>> = {
  [ANY]: 'ANY', [HARDWARE]: 'HARDWARE', [CLOCK]: 'CLOCK', [SYSTEM]: 'SYSTEM', [ASYNCM]: 'ASYNCM',
};

function groupOf(s: BuiltinService): ProcessSummary['group'] {
  return s.kind === 'driver' ? 'drivers' : s.kind === 'server' ? 'servers' : 'programs';
}

export function bootSystem(options: BootOptions): RunningSystem {
  const configuration = options.configuration ?? DEFAULT_CONFIGURATION;
  const traits = configurationTraits(configuration);
  // RS keeps its times in seconds and turns them into cycles of the cost profile's clock, once.
  const profile = typeof options.costProfile === 'object' ? options.costProfile : costProfileNamed(options.costProfile ?? 'default');
  const rsClockHz = profile.clockHz;
  const netPeriodCycles = options.heartbeatPeriodCycles;
  if (netPeriodCycles !== undefined && (!Number.isSafeInteger(netPeriodCycles) || netPeriodCycles <= 0)) throw new RangeError('heartbeatPeriodCycles must be a positive integer');
  const netPeriodSeconds = netPeriodCycles === undefined ? DEFAULT_NET_PERIOD_SECONDS : cyclesToSeconds(netPeriodCycles, rsClockHz);
  const rsStatus: RsStatusTable = new Map();
  const dsStore: DsStore = new Map();
  const network: NetworkCounters = {
    app: { attempted: 0, accepted: 0, refused: 0, acked: 0, received: 0 },
    inet: { accepted: 0, acked: 0, retransmissions: 0, refused: 0, driverChanges: 0, received: 0, requestsDropped: 0 },
    deliveredToPeer: 0,
    corruptedAtPeer: 0,
    acksSent: 0,
  };
  const programs = new ProgramRegistry();
  let machineRef: Machine | null = null;
  const rsDefs: RsServiceDefinition[] = [];
  const ctx: CoreContext = {
    rs: {
      services: rsDefs,
      clockHz: rsClockHz,
      restartBackoff: options.restartBackoff ?? true,
      status: rsStatus,
      recordRestart: (rs, newEp, oldEp, label) => machineRef!.sim.trace.recordLabelled(machineRef!.sim.clock.now(), TraceKind.restart, rs, newEp, oldEp, 0, 0, label),
    },
    dsStore,
    inet: network.inet,
    stackRxCycles: profile.netStackRxCyclesPerPacket,
  };
  const builtins = [...builtinServices(ctx), ...(options.extraPrograms ?? [])];
  const byLabel = new Map(builtins.map((s) => [s.label, s]));
  const confText = options.systemConf?.text ?? defaultSystemConf(builtins);
  const confFile = options.systemConf?.file ?? 'default/system.conf';
  const parsed = parseSystemConf(confText, confFile, { knownLabels: [...STANDARD_LABELS, ...byLabel.keys()] });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${confFile}: the system description has errors:\n${errors.map(formatDiagnostic).join('\n')}`);
  const diagnostics = parsed.diagnostics.map(formatDiagnostic);

  const isoImage = options.isoImage ?? cdImageOfWorkload(options.workload ?? []);
  const machine = buildMachine({
    seed: options.seed,
    configuration,
    programs,
    ...(options.costProfile === undefined ? {} : { costProfile: options.costProfile }),
    ...(isoImage === undefined ? {} : { isoImage }),
    diskImage: builtinDiskImage(),
    ...(options.nicLineBitsPerSecond === undefined ? {} : { nicLineBitsPerSecond: options.nicLineBitsPerSecond }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
    ...(options.captureSourceLocations === undefined ? {} : { captureSourceLocations: options.captureSourceLocations }),
  });
  machineRef = machine;
  const sim = machine.sim;
  // Under kernel-bypass an application drives the NIC (the packet stream's, or a network request-response's
  // server): a fault aimed at the NIC's driver strikes it.
  const bypass = traits.network === 'bypass';
  const nicDrivers = new Set(bypass ? builtins.filter((s) => s.device === 'nic').map((s) => s.label) : []);
  let bypassNicOwner: string = PACKET_STREAM_PROGRAM;
  const faultTarget = (label: string) => (nicDrivers.has(label) ? bypassNicOwner : label);
  const deviceOf = (label: string) => {
    const kind = bypass && label === bypassNicOwner ? 'nic' : byLabel.get(label)?.device;
    const d = machine.devices.find((x) => x.kind === kind);
    return d === undefined ? undefined : { kind: d.kind, portBase: d.portBase };
  };
  const injector = new FaultInjector(sim, deviceOf);
  sim.registerCommand('fault', (data) => {
    const d = data as { label: string; type: string; params: FaultParams };
    if (!isInjectableFault(d.type)) throw new Error(`unknown fault type ${d.type}`);
    injector.arm(faultTarget(d.label), d.type, d.params);
  });

  // Code-level faults strike code loaded from its source: the drivers such faults aim at, or that openCode names, are opened.
  const openLabels = new Set<string>([...(options.openCode ?? []), ...(options.faults ?? []).filter((f) => isCodeFault(f.type)).map((f) => f.target)].map(faultTarget));
  const wrapProgram = (label: string, main: ProgramMain, sourceFile: string, args: readonly unknown[] = []): ProgramMain =>
    openLabels.has(label) && isOpenable(sourceFile) ? injector.wrapOpened(label, openedProgram(sourceFile, args)) : injector.wrap(label, main);
  for (const service of builtins) programs.register(service.label, wrapProgram(service.label, service.main, service.sourceFile), { sourceFile: service.sourceFile });
  const services = new Map<string, ServiceEntry>();
  for (const description of parsed.description.services) {
    const service = byLabel.get(description.label);
    if (service === undefined) continue;
    const privilege = servicePrivilege(description);
    services.set(description.label, { service, description, privilege });
    if (service.kind === 'program' || service.label === RS_LABEL) continue;
    if (service.label === 'amddev' && machine.iommu === null) continue;
    // Under kernel-bypass the application owns the NIC: no driver, no network server.
    if (traits.network === 'bypass' && service.networkPath === true) continue;
    rsDefs.push({
      label: service.label,
      program: service.label,
      privilege,
      priority: description.priority,
      quantumCycles: Math.max(1, msToCycles(description.quantumMs, machine.clockHz)),
      // With drivers in the kernel (monolithic), the drivers and the servers they
      // serve (file systems, network stack) are kernel code; only RS and DS stay in user mode.
      kernelMode: traits.driversInKernel && service.label !== 'ds',
      memoryBytes: service.memoryBytes ?? 128 * 1024,
      args: {
        ...(service.device === undefined ? {} : deviceArgs(machine, service.device)),
        ...(service.label === 'amddev' && traits.network === 'bypass' ? { devices: bypassDeviceOwners() } : {}),
      },
      ...(service.bootOrder === undefined ? {} : { bootOrder: service.bootOrder }),
      ...heartbeatPeriod(description.type === 'net' ? netPeriodSeconds : service.heartbeatPeriodSeconds),
      ...(service.sef === false ? { sef: false } : {}),
    });
  }
  const rsEntry = services.get(RS_LABEL);
  if (rsEntry === undefined) throw new Error(`${confFile}: the system description has no 'service rs' entry, and nothing could start the other services`);
  const appCounters = network.app;
  // Wrapped like the services, so that a fault may target the workload program too.
  programs.register(PACKET_STREAM_PROGRAM, injector.wrap(PACKET_STREAM_PROGRAM, packetStreamProgram(appCounters)), { sourceFile: 'simulator/programs/packetStream.ts' });
  const pollMode = 'simulator/drivers/pollModeNic.ts';
  const pollModeArgs = [appCounters, profile.pollModeRxCyclesPerPacket] as const;
  programs.register(POLL_MODE_STREAM_PROGRAM, wrapProgram(PACKET_STREAM_PROGRAM, pollModeStream(...pollModeArgs), pollMode, pollModeArgs), { sourceFile: pollMode });
  programs.register(POLL_MODE_RR_PROGRAM, wrapProgram(RR_SERVER, pollModeStream(...pollModeArgs), pollMode, pollModeArgs), { sourceFile: pollMode });
  programs.register(SERVICE_PROGRAM, serviceUtility, { sourceFile: 'simulator/programs/service.ts' });
  const requests: RequestSinks = { 'ipc-pingpong': newLatencySink(), 'request-response': newLatencySink() };
  const requestSource = { sourceFile: 'simulator/programs/requestWorkloads.ts' };
  programs.register(PINGPONG_SERVER, injector.wrap(PINGPONG_SERVER, pingpongServer), requestSource);
  programs.register(PINGPONG_CLIENT, injector.wrap(PINGPONG_CLIENT, pingpongClient(requests['ipc-pingpong'])), requestSource);
  programs.register(RR_SERVER, injector.wrap(RR_SERVER, rrServer), requestSource);
  programs.register(RR_CLIENT, injector.wrap(RR_CLIENT, rrClient(requests['request-response'])), requestSource);

  // The simulated peer on the wire acknowledges every data packet it receives.
  const seen = new Set<number>();
  machine.nic.wire.onDeliver((packet) => {
    const f = parseStreamFrame(packet);
    if (f === undefined || f.kind !== StreamKind.DATA) return;
    if (!streamPayloadIntact(packet, f.seq)) {
      network.corruptedAtPeer++;
      return;
    }
    if (!seen.has(f.seq)) {
      seen.add(f.seq);
      network.deliveredToPeer++;
    }
    network.acksSent++;
    machine.nic.wire.inject(streamFrame(f.src, PEER_MAC, StreamKind.ACK, f.seq, 64));
  });

  sim.spawn({
    program: RS_LABEL,
    name: RS_LABEL,
    privilege: rsEntry.privilege,
    priority: rsEntry.description.priority,
    quantumCycles: Math.max(1, msToCycles(rsEntry.description.quantumMs, machine.clockHz)),
    memoryBytes: 128 * 1024,
  });
  const containers = options.containers ?? 1;
  if (!Number.isInteger(containers) || containers < 1) throw new RangeError('containers must be a positive integer');
  const usesNic = (options.workload ?? []).some((w) => w.kind === 'packet-stream' || (w.kind === 'request-response' && w.transport === 'network'));
  if (bypass && containers > 1 && usesNic) throw new Error(`kernel-bypass gives the NIC to one application: the workload uses the NIC, so it runs in one container, not ${containers}`);
  const workloads = Array.from({ length: containers }, (_, index) => ({ index, suffix: containers > 1 ? `@c${index + 1}` : '' })).flatMap((container) =>
    (options.workload ?? []).flatMap((item) => startWorkload(machine, services, item, requests, container)),
  );
  // What a request workload costs per operation is counted from its start.
  for (const item of options.workload ?? []) {
    if (item.kind !== 'ipc-pingpong' && item.kind !== 'request-response') continue;
    const sink = requests[item.kind];
    sim.clock.schedule(Math.max(0, item.start.cycles - sim.clock.now()), () => {
      sink.atStart ??= { contextSwitches: sim.kernel.stats.contextSwitches, kernelEntries: sim.kernel.stats.kernelEntries };
    }, `${item.kind}:start`);
  }
  if (workloads.some((w) => w.name === RR_SERVER) && !workloads.some((w) => w.name === PACKET_STREAM_PROGRAM)) bypassNicOwner = RR_SERVER;
  for (const f of options.faults ?? []) injector.schedule({ ...f, target: faultTarget(f.target) });
  return new RunningSystem(options, { machine, injector, network, rsStatus, dsStore, services, confText, diagnostics, workloads, requests });
}

/** amddev's owners under kernel-bypass: the NIC's DMA belongs to the application that drives it, the other devices' to their drivers. */
function bypassDeviceOwners(): string {
  const owners = Object.entries(AMDDEV_DEVICE_OWNERS).filter(([, id]) => id !== PLATFORM.nic.dmaRequesterId);
  const nic = PLATFORM.nic.dmaRequesterId;
  return [...owners, [PACKET_STREAM_PROGRAM, nic] as const, [RR_SERVER, nic] as const].map(([label, id]) => `${label}=${id}`).join(',');
}

function heartbeatPeriod(seconds: number | undefined): { periodSeconds?: number } {
  return seconds === undefined ? {} : { periodSeconds: seconds };
}

function deviceArgs(machine: Machine, kind: string): Record<string, number> {
  const d = machine.devices.find((x) => x.kind === kind);
  if (d === undefined) return {};
  return { port: d.portBase, portBase: d.portBase, irq: d.irq, ...(d.deviceId === undefined ? {} : { deviceId: d.deviceId }) };
}

/**
 * Starts an application that drives the NIC itself with its poll-mode driver
 * (kernel-bypass): the NIC's ports are its own and its registers are mapped
 * into it; amddev maps its buffers for the NIC.
 */
function spawnPollModeApp(machine: Machine, program: string, name: string, args: Record<string, string | number | boolean>, priority?: number): number {
  const nic = machine.nic;
  const registers = [{ base: nic.portBase, count: nic.portCount }];
  return machine.sim.spawn({
    program,
    name,
    ...(priority === undefined ? {} : { priority }),
    privilege: { system: false, ipcTo: ['amddev'], kernelCalls: ['SETALARM', 'GETINFO', 'UMAP'], ioRanges: registers, mappedIo: registers },
    memoryBytes: POLL_MODE_MEMORY_BYTES,
    args: { ...args, ...deviceArgs(machine, 'nic') },
  });
}

/** Which container a workload copy runs in: its index from 0, and the suffix of its processes' names ('' with one container). */
interface Container {
  readonly index: number;
  readonly suffix: string;
}

/** Starts a workload program: the packet stream here, the storage side's programs by their label (the kind without dashes). */
function startWorkload(machine: Machine, services: ReadonlyMap<string, ServiceEntry>, item: WorkloadItem, requests: RequestSinks, container: Container): WorkloadRun[] {
  const sim = machine.sim;
  const named = (name: string) => name + container.suffix;
  const args: Record<string, string | number | boolean> = { startAtCycles: item.start.cycles };
  for (const [k, v] of Object.entries(item)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') args[k] = v;
  }
  if (item.kind === 'packet-stream') {
    args['count'] = item.count ?? -1;
    // Each container's stream numbers its packets in a range of its own.
    args['seqBase'] = container.index * 2 ** 24;
    if (item.direction === 'rx') startPeerStream(machine, item);
    if (configurationTraits(machine.configuration).network === 'bypass') {
      const endpoint = spawnPollModeApp(machine, POLL_MODE_STREAM_PROGRAM, named(PACKET_STREAM_PROGRAM), args);
      return [{ kind: item.kind, name: named(PACKET_STREAM_PROGRAM), endpoint, ended: null }];
    }
    const endpoint = sim.spawn({
      program: PACKET_STREAM_PROGRAM,
      name: named(PACKET_STREAM_PROGRAM),
      privilege: { system: false, ipcTo: ['inet'], kernelCalls: ['SETALARM', 'GETINFO'] },
      args,
    });
    return [{ kind: item.kind, name: named(PACKET_STREAM_PROGRAM), endpoint, ended: null }];
  }
  if (item.kind === 'request-response' && item.transport === 'network') {
    // The peer is the client; the server answers it through the network server, or under kernel-bypass through its own poll-mode driver.
    if (item.loop === 'closed') startPeerClosedLoop(machine, item, requests['request-response'], container.index * 2 ** 24);
    else startPeerRequests(machine, item, requests['request-response'], container.index * 2 ** 24);
    if (configurationTraits(machine.configuration).network === 'bypass') {
      const endpoint = spawnPollModeApp(machine, POLL_MODE_RR_PROGRAM, named(RR_SERVER), { ...args, role: 'rr-server' }, 5);
      return [{ kind: item.kind, name: named(RR_SERVER), endpoint, ended: null }];
    }
    const endpoint = sim.spawn({ program: RR_SERVER, name: named(RR_SERVER), priority: 5, privilege: { system: false, ipcTo: ['inet'], kernelCalls: ['SETALARM', 'GETINFO'] }, args });
    return [{ kind: item.kind, name: named(RR_SERVER), endpoint, ended: null }];
  }
  if (item.kind === 'ipc-pingpong' || item.kind === 'request-response') {
    // A server, then its clients; they may message each other and nothing else. The server answers
    // at a higher priority than its clients call, as a MINIX server runs above user programs.
    const [serverProgram, clientProgram] = item.kind === 'ipc-pingpong' ? [PINGPONG_SERVER, PINGPONG_CLIENT] : [RR_SERVER, RR_CLIENT];
    const [serverName, clientName] = [named(serverProgram), named(clientProgram)];
    const kernelCalls = ['SETALARM', 'GETINFO', 'SAFECOPYFROM', 'SAFECOPYTO'] as const;
    const server = sim.spawn({ program: serverProgram, name: serverName, priority: 5, privilege: { system: false, ipcTo: [clientName], kernelCalls } });
    const clients = item.kind === 'ipc-pingpong' || item.loop === 'closed' ? item.clients : 1;
    const runs: WorkloadRun[] = [];
    for (let i = 0; i < clients; i++) {
      const endpoint = sim.spawn({ program: clientProgram, name: clientName, privilege: { system: false, ipcTo: [serverName], kernelCalls }, args: { ...args, server } });
      runs.push({ kind: item.kind, name: clientName, endpoint, ended: null });
    }
    return runs;
  }
  const label = item.kind.replace(/-/g, '');
  const entry = services.get(label);
  if (entry === undefined) throw new Error(`workload ${item.kind}: no program '${label}' in the system`);
  const endpoint = sim.spawn({ program: label, name: named(label), privilege: entry.privilege, priority: entry.description.priority, args });
  return [{ kind: item.kind, name: named(label), endpoint, ended: null }];
}


/** A request the peer has not seen answered this long after it was due counts as failed. */
const PEER_REQUEST_TIMEOUT_SECONDS = 1;

/**
 * A network request-response, the peer's side: a request frame every
 * 1/ratePerSecond seconds from the workload's start (open loop: the peer does
 * not wait for answers), and each response frame's latency, from the time its
 * request was due to the time the response has left the NIC, recorded in the
 * workload's sink. Requests unanswered after PEER_REQUEST_TIMEOUT_SECONDS are
 * failures.
 */
function startPeerRequests(machine: Machine, item: RequestResponseWorkload, sink: LatencySink, seqBase: number): void {
  const { clock } = machine.sim;
  const { nic } = machine;
  const size = Math.max(STREAM_HEADER_BYTES, item.requestBytes);
  const intervalCycles = Math.max(1, Math.round(cyclesPerUnit(item.ratePerSecond, clock.hz)));
  const timeoutCycles = secondsToCycles(PEER_REQUEST_TIMEOUT_SECONDS, clock.hz);
  const dueAt = new Map<number, number>();
  let seq = seqBase;
  let nextAt = Math.max(item.start.cycles, clock.now());
  const gap = item.arrivals === 'poisson' ? poissonGaps(intervalCycles, machine.sim.random.stream(`peer:requests:${seqBase}`)) : () => intervalCycles;
  nic.wire.onDeliver((packet, timeCycles) => {
    const f = parseStreamFrame(packet);
    if (f === undefined || f.kind !== StreamKind.RESPONSE) return;
    const due = dueAt.get(f.seq);
    if (due === undefined) return;
    dueAt.delete(f.seq);
    recordLatency(sink, timeCycles - due);
  });
  const send = (): void => {
    while (nextAt <= clock.now()) {
      nic.wire.injectAt(nextAt, streamFrame(nic.mac, PEER_MAC, StreamKind.REQUEST, seq, size));
      dueAt.set(seq++, nextAt);
      nextAt += gap();
    }
    // The oldest requests come first in the map: those past the timeout have failed.
    for (const [s, due] of dueAt) {
      if (clock.now() - due < timeoutCycles) break;
      dueAt.delete(s);
      sink.failed++;
    }
    clock.schedule(nextAt - clock.now(), send, 'peer:requests');
  };
  clock.schedule(nextAt - clock.now(), send, 'peer:requests');
}

/**
 * A network request-response in a closed loop, the peer's side: `clients`
 * clients, each sending its next request once its previous one is answered
 * (or has timed out, a failure) and not before its next slot at the rate;
 * latency counts from the send.
 */
function startPeerClosedLoop(machine: Machine, item: RequestResponseWorkload, sink: LatencySink, seqBase: number): void {
  const { clock } = machine.sim;
  const { nic } = machine;
  const size = Math.max(STREAM_HEADER_BYTES, item.requestBytes);
  const intervalCycles = Math.max(1, Math.round(cyclesPerUnit(item.ratePerSecond, clock.hz)));
  const timeoutCycles = secondsToCycles(PEER_REQUEST_TIMEOUT_SECONDS, clock.hz);
  let seq = seqBase;
  const waiting = new Map<number, { client: number; sentAt: number; slot: number; timer: number }>();
  const send = (client: number, slot: number): void => {
    const s = seq++;
    const sentAt = clock.now();
    nic.wire.injectAt(sentAt, streamFrame(nic.mac, PEER_MAC, StreamKind.REQUEST, s, size));
    const timer = clock.schedule(timeoutCycles, () => {
      if (!waiting.delete(s)) return;
      sink.failed++;
      next(client, slot);
    }, 'peer:request-timeout');
    waiting.set(s, { client, sentAt, slot, timer });
  };
  const next = (client: number, slot: number): void => {
    const at = Math.max(slot + intervalCycles, clock.now());
    clock.schedule(at - clock.now(), () => send(client, at), 'peer:requests');
  };
  nic.wire.onDeliver((packet, timeCycles) => {
    const f = parseStreamFrame(packet);
    if (f === undefined || f.kind !== StreamKind.RESPONSE) return;
    const w = waiting.get(f.seq);
    if (w === undefined) return;
    waiting.delete(f.seq);
    clock.cancel(w.timer);
    recordLatency(sink, timeCycles - w.sentAt);
    next(w.client, w.slot);
  });
  const start = Math.max(item.start.cycles, clock.now());
  for (let c = 0; c < item.clients; c++) clock.schedule(start - clock.now(), () => send(c, start), 'peer:requests');
}

/**
 * A received stream: the peer sends data frames of the workload's size at its
 * rate, or as fast as the wire carries them if that is slower, from its start
 * on; the network stack counts and drops them.
 */
function startPeerStream(machine: Machine, item: PacketStreamWorkload): void {
  const { clock } = machine.sim;
  const { nic } = machine;
  const size = Math.max(STREAM_HEADER_BYTES, Math.min(item.sizeBytes, NIC_MAX_FRAME_BYTES));
  const intervalCycles = Math.max(Math.round(cyclesPerUnit(item.ratePerSecond, clock.hz)), nic.wire.frameCycles(size));
  let seq = 0;
  let nextAt = Math.max(item.start.cycles, clock.now());
  // Events may come due late (the clock moves in steps of charged work): every frame due by now is sent, each on its own time.
  const send = (): void => {
    while (nextAt <= clock.now()) {
      if (item.count !== null && seq >= item.count) return;
      nic.wire.injectAt(nextAt, streamFrame(nic.mac, PEER_MAC, StreamKind.DATA, seq++, size));
      nextAt += intervalCycles;
    }
    clock.schedule(nextAt - clock.now(), send, 'peer:stream');
  };
  clock.schedule(nextAt - clock.now(), send, 'peer:stream');
}

/** The disc a cd-read workload names: a built-in image by name; a workspace image must be read by the caller and passed as isoImage. */
function cdImageOfWorkload(workload: readonly WorkloadItem[]): Uint8Array | undefined {
  for (const w of workload) {
    if (w.kind !== 'cd-read') continue;
    const name = w.image ?? 'builtin:cd.iso';
    const make = BUILTIN_IMAGES[name];
    if (make === undefined) throw new Error(`cd-read: the image '${name}' is not built in (built in: ${Object.keys(BUILTIN_IMAGES).join(', ')}); pass a workspace image's bytes as isoImage`);
    return make();
  }
  return undefined;
}
