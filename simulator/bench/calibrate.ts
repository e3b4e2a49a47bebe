// Measurements the calibration compares with published figures. Every value
// here comes from running the simulator and reading its clock: nothing is
// computed from the cost profile's fields, so a change anywhere on the path
// (kernel, costs, scheduling) shows up in the figures.
import { CLOCK, OK } from '../kernel/constants';
import { Message } from '../kernel/message';
import { ProgramRegistry } from '../engine/programRegistry';
import { Simulator } from '../engine/simulator';
import { DEFAULT_COST_PROFILE, costProfile, type CostProfile } from '../kernel/costs/costProfiles';
import { PUBLISHED_FIGURES, withinBand, type Band, type FigureUnit } from '../kernel/costs/publishedFigures';
import { configurationTraits, isConfiguration, type Configuration } from '../config/configurations';
import { parseScenario } from '../config/scenario';
import { bootScenario } from '../system/scenarios';
import { buildMachine } from '../system/machine';
import type { RunningSystem } from '../system/boot';
import { cyclesToSeconds, secondsToCycles } from '../time/time';
import type { Program, Sys } from '../sdk/sys';
import { buildPingPong } from './ipcBench';

/** Rounds the ping-pong runs beyond a short one; the difference of the two runs is steady state only. */
const ROUNDS = 1000;
const WARMUP_ROUNDS = 10;

function pingPongCycles(profile: CostProfile | string, rounds: number): number {
  const sim = buildPingPong({ seed: 1, costProfile: profile, trace: { enabled: false, capacity: 1 }, config: { clients: 1, rounds } });
  const result = sim.run();
  if (result.reason !== 'idle' || sim.kernel.stats.messages !== 2 * rounds) throw new Error(`ping-pong did not complete ${rounds} rounds (${result.reason})`);
  return sim.clock.now();
}

/**
 * One-way IPC as sel4bench reports it: a client does SENDREC to a server in
 * another address space, which replies and receives again; half the steady
 * round trip. Two runs of different length are subtracted so that start-up and
 * exit are not counted.
 */
export function measureIpcOneWayCycles(profile: CostProfile | string): number {
  const long = pingPongCycles(profile, WARMUP_ROUNDS + ROUNDS);
  const short = pingPongCycles(profile, WARMUP_ROUNDS);
  return (long - short) / ROUNDS / 2;
}

/** A null system call: entering the kernel and returning with no work, averaged over a loop of calls. */
export function measureNullSyscallCycles(profile: CostProfile | string): number {
  const calls = 1000;
  let cycles = -1;
  const programs = new ProgramRegistry();
  // The deaf process waits for a clock notification that never comes, so a
  // non-blocking send to it enters the kernel, finds no receiver and returns:
  // a system call that does no work.
  programs.register('deaf', function* (sys: Sys): Program {
    yield sys.receive(CLOCK, new Message());
    return 0;
  });
  programs.register('null-call', function* (sys: Sys): Program {
    const peer = sys.args['peer'] as number;
    const m = new Message();
    const start = sys.uptimeCycles();
    for (let i = 0; i < calls; i++) {
      if ((yield sys.sendnb(peer, m)) === OK) throw new Error('null call: the peer took a message');
    }
    cycles = sys.uptimeCycles() - start;
    return 0;
  });
  const sim = new Simulator({ seed: 1, costProfile: profile, trace: { enabled: false, capacity: 1 }, programs });
  const deaf = sim.spawn({ program: 'deaf', name: 'deaf', priority: 5 });
  sim.spawn({ program: 'null-call', name: 'caller', args: { peer: deaf } });
  sim.run();
  if (cycles < 0) throw new Error('null call loop did not finish');
  return cycles / calls;
}

/** Packets per second offered to the network stack: more than any configuration carries, so each runs at its own limit. */
const SATURATING_RATE = 10_000_000;
/** Boot and the start of the stream are left out: packets are counted from here to STREAM_END_SECONDS. */
const STREAM_START_SECONDS = 0.005;
const STREAM_END_SECONDS = 0.025;

export interface PacketThroughput {
  /** Packets that reached the peer per simulated second in the measured window. */
  readonly packetsPerSecond: number;
  /** Simulated nanoseconds per delivered packet. */
  readonly nsPerPacket: number;
}

/** Boots the default system in `configuration` with one workload item (and options), its trace off, for a measurement that ends at `endSeconds`. */
function bootMeasured(name: string, configuration: Configuration, profile: CostProfile, endSeconds: number, item: object, options: object = {}): RunningSystem {
  const text = JSON.stringify({ name, system: 'default', configuration, seed: 1, duration: `${endSeconds}s`, costProfile: profile.name, options, workload: [item], faults: [] });
  const parsed = parseScenario(text, `${name}.json`);
  if (parsed.scenario === undefined) throw new Error(`calibration scenario: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  return bootScenario(parsed.scenario, { costProfile: profile, trace: { enabled: false, capacity: 1 } });
}

/** Runs the packet-stream workload (64-byte packets, offered faster than it can go) in a configuration and measures its steady throughput. */
export function measurePacketThroughput(configuration: Configuration, profile: CostProfile): PacketThroughput {
  const system = bootMeasured('calibrate-packet-stream', configuration, profile, STREAM_END_SECONDS, { kind: 'packet-stream', ratePerSecond: SATURATING_RATE, sizeBytes: 64, direction: 'tx' });
  const start = secondsToCycles(STREAM_START_SECONDS, profile.clockHz);
  const end = secondsToCycles(STREAM_END_SECONDS, profile.clockHz);
  system.run({ untilCycles: start });
  const delivered0 = system.network.deliveredToPeer;
  system.run({ untilCycles: end });
  const packets = system.network.deliveredToPeer - delivered0;
  const seconds = cyclesToSeconds(system.nowCycles - start, profile.clockHz);
  if (packets <= 0) throw new Error(`${configuration}: no packet reached the peer in the measured window`);
  return { packetsPerSecond: packets / seconds, nsPerPacket: (seconds / packets) * 1e9 };
}

/** Frames per second the peer offers in the drop test: above what any configuration takes, below the 100 Gb/s wire's 148.8 million. */
const DROP_OFFERED_RATE = 60_000_000;
/** The drop test's wire: the 100 Gb/s NICs of the XDP paper, so that the CPU and not the wire limits the rate. */
const DROP_NIC_GBPS = 100;
const DROP_START_SECONDS = 0.001;
const DROP_END_SECONDS = 0.004;

/** What the packet-drop test measured in its window. */
export interface DropMeasurement {
  readonly frames: number;
  /** Simulated nanoseconds per frame dropped. */
  readonly nsPerPacket: number;
  /** Per frame dropped, as the kernel counted them in the window. */
  readonly kernelEntriesPerPacket: number;
  readonly contextSwitchesPerPacket: number;
  readonly interruptsPerPacket: number;
}

/**
 * The packet-drop test of the XDP paper (Høiland-Jørgensen et al., CoNEXT
 * 2018): the peer sends 64-byte frames faster than one core can take them and
 * the receiving side drops each as early as its design allows; the figure is
 * the simulated time per frame dropped, in the measured window.
 */
export function measureDropNsPerPacket(configuration: Configuration, profile: CostProfile): number {
  return measureDrop(configuration, profile).nsPerPacket;
}

/** Runs the packet-drop test in a configuration; see measureDropNsPerPacket. */
export function measureDrop(configuration: Configuration, profile: CostProfile): DropMeasurement {
  const system = bootMeasured('calibrate-packet-drop', configuration, profile, DROP_END_SECONDS, { kind: 'packet-stream', ratePerSecond: DROP_OFFERED_RATE, sizeBytes: 64, direction: 'rx' }, { nicGbps: DROP_NIC_GBPS });
  // The network server counts what it drops; under kernel-bypass the application does.
  const bypass = configurationTraits(configuration).network === 'bypass';
  const dropped = () => (bypass ? system.network.app.received : system.network.inet.received);
  const start = secondsToCycles(DROP_START_SECONDS, profile.clockHz);
  system.run({ untilCycles: start });
  const stats = system.sim.kernel.stats;
  const before = { frames: dropped(), entries: stats.kernelEntries, switches: stats.contextSwitches, interrupts: stats.interrupts };
  system.run({ untilCycles: secondsToCycles(DROP_END_SECONDS, profile.clockHz) });
  const frames = dropped() - before.frames;
  if (frames <= 0) throw new Error(`${configuration}: no frame was received in the measured window`);
  return {
    frames,
    nsPerPacket: (cyclesToSeconds(system.nowCycles - start, profile.clockHz) / frames) * 1e9,
    kernelEntriesPerPacket: (stats.kernelEntries - before.entries) / frames,
    contextSwitchesPerPacket: (stats.contextSwitches - before.switches) / frames,
    interruptsPerPacket: (stats.interrupts - before.interrupts) / frames,
  };
}

/**
 * A strict map plus unmap of one page, as Amit et al. timed it: the IOMMU of a
 * machine in the strict configuration maps and unmaps a page in a fresh domain
 * many times; the figure is the simulated time that passes per pair.
 */
export function measureIommuMapUnmapCycles(profile: CostProfile): number {
  const pairs = 1000;
  const page = 4096; // the IOMMU's page
  const machine = buildMachine({ configuration: 'microkernel-iommu', seed: 1, programs: new ProgramRegistry(), costProfile: profile, trace: { enabled: false, capacity: 1 } });
  const iommu = machine.iommu;
  if (iommu === null) throw new Error('microkernel-iommu built a machine without an IOMMU');
  const device = 0xca1;
  const failed = iommu.createDomain(device, 'calibration');
  if (failed !== undefined) throw new Error(`calibration IOMMU domain: ${failed}`);
  const paddr = machine.sim.memory.sizeBytes - page;
  const start = machine.sim.clock.now();
  for (let i = 0; i < pairs; i++) {
    const e = iommu.map(device, 0, paddr, page, { read: true, write: true }) ?? iommu.unmap(device, 0, page);
    if (e !== undefined) throw new Error(`calibration map/unmap: ${e}`);
  }
  return (machine.sim.clock.now() - start) / pairs;
}

export interface CalibrationRow {
  readonly id: string;
  readonly published: number;
  readonly unit: FigureUnit;
  readonly source: string;
  /** The measured value, or null when the simulator cannot run what the figure measures. */
  readonly simulated: number | null;
  readonly band: Band;
  readonly pass: boolean;
  /** Why a figure was not measured. */
  readonly note?: string;
}

export interface CalibrationOptions {
  /** Only this profile's figures, and the machine's figures under it; default: every profile, machine figures under DEFAULT_COST_PROFILE. */
  readonly profile?: string;
}

/** Runs the simulator for every published figure (or those of one profile) and compares. */
export function runCalibration(options: CalibrationOptions = {}): CalibrationRow[] {
  const machineProfile = costProfile(options.profile ?? DEFAULT_COST_PROFILE);
  const throughput = new Map<Configuration, PacketThroughput>();
  const measured = (c: Configuration): PacketThroughput => {
    let t = throughput.get(c);
    if (t === undefined) throughput.set(c, (t = measurePacketThroughput(c, machineProfile)));
    return t;
  };
  const rows: CalibrationRow[] = [];
  for (const f of PUBLISHED_FIGURES) {
    const m = f.measure;
    if ((m.kind === 'ipc-one-way' || m.kind === 'null-syscall') && options.profile !== undefined && m.profile !== options.profile) continue;
    let simulated: number | null = null;
    let note: string | undefined;
    switch (m.kind) {
      case 'ipc-one-way':
        simulated = measureIpcOneWayCycles(m.profile);
        break;
      case 'null-syscall':
        simulated = measureNullSyscallCycles(m.profile);
        break;
      case 'iommu-map-unmap':
        simulated = measureIommuMapUnmapCycles(machineProfile);
        break;
      case 'iommu-throughput-share':
        simulated = (100 * measured(m.configuration).packetsPerSecond) / measured('microkernel').packetsPerSecond;
        break;
      case 'per-packet':
        if (isConfiguration(m.configuration)) simulated = measureDropNsPerPacket(m.configuration, machineProfile);
        else note = `no ${m.configuration} configuration yet: not measured`;
        break;
    }
    const { measure: _measure, ...figure } = f;
    rows.push({ ...figure, simulated, pass: withinBand(f, simulated), ...(note === undefined ? {} : { note }) });
  }
  return rows;
}
