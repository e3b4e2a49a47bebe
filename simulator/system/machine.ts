// The machine: a simulator and its devices (NIC, block device, CD-ROM,
// printer, timer, console) on their ports and interrupt lines, with an IOMMU
// (strict or lazy) or direct DMA between the devices and memory, as the
// configuration's row of the configuration table says.
import { Simulator } from '../engine/simulator';
import type { ProgramRegistry } from '../engine/programRegistry';
import type { CostProfile } from '../kernel/costs/costProfiles';
import type { TraceOptions } from '../trace/recorder';
import { TraceKind } from '../trace/kinds';
import { NONE } from '../kernel/constants';
import type { DmaPort } from '../hw/bus';
import type { MachineDevice } from '../hw/device';
import { DirectDma } from '../hw/directDma';
import { Iommu } from '../hw/iommu';
import { Nic } from '../hw/nic';
import { BlockDevice } from '../hw/blockDevice';
import { CdromDrive } from '../hw/cdrom';
import { Printer } from '../hw/printer';
import { IntervalTimer } from '../hw/timer';
import { ConsoleDevice } from '../hw/consoleDevice';
import { IOMMU_PORT_BASE, IOMMU_PORT_COUNT, IommuPortDevice } from '../hw/iommuPorts';
import { configurationTraits, type Configuration } from '../config/configurations';

export interface MachineOptions {
  readonly seed: number;
  readonly configuration: Configuration;
  readonly programs: ProgramRegistry;
  readonly costProfile?: CostProfile | string;
  readonly isoImage?: Uint8Array;
  readonly diskImage?: Uint8Array;
  readonly trace?: TraceOptions;
  readonly memoryBytes?: number;
  readonly captureSourceLocations?: boolean;
}

export interface Machine {
  readonly sim: Simulator;
  readonly configuration: Configuration;
  /** Null without an IOMMU. */
  readonly iommu: Iommu | null;
  readonly dma: DmaPort;
  readonly directDma: DirectDma | null;
  readonly nic: Nic;
  readonly block: BlockDevice;
  readonly cdrom: CdromDrive;
  readonly printer: Printer;
  readonly timer: IntervalTimer;
  readonly console: ConsoleDevice;
  readonly devices: readonly MachineDevice[];
}

export const DEFAULT_COST_PROFILE = 'sel4-skylake';
/** The simulated core's clock rate: scenario times are turned into cycles at this rate (the scenario loader's default). */
export const CLOCK_HZ = 1_000_000_000;

/** A simulated time for people: ms, s, min or h, as fits. */
export function formatSimTime(cycles: number): string {
  const s = cycles / CLOCK_HZ;
  if (s >= 3600) return `${+(s / 3600).toFixed(2)} h`;
  if (s >= 60) return `${+(s / 60).toFixed(2)} min`;
  if (s >= 1) return `${+s.toFixed(2)} s`;
  return `${+(s * 1000).toFixed(1)} ms`;
}
const DEFAULT_DISK_BYTES = 1024 * 1024;

export function buildMachine(options: MachineOptions): Machine {
  const configuration = options.configuration;
  const traits = configurationTraits(configuration);
  const sim = new Simulator({
    seed: options.seed,
    costProfile: options.costProfile ?? DEFAULT_COST_PROFILE,
    programs: options.programs,
    ...(options.trace === undefined ? {} : { trace: options.trace }),
    ...(options.memoryBytes === undefined ? {} : { memoryBytes: options.memoryBytes }),
    ...(options.captureSourceLocations === undefined ? {} : { captureSourceLocations: options.captureSourceLocations }),
    config: { configuration },
  });
  let iommu: Iommu | null = null;
  let directDma: DirectDma | null = null;
  let dma: DmaPort;
  if (traits.iommu !== 'none') {
    iommu = new Iommu(sim.memory, sim.clock, { mode: 'translate', invalidation: traits.iommu });
    iommu.onFault((f) => sim.trace.recordLabelled(f.timeCycles, TraceKind.iommuFault, f.deviceId, NONE, f.iova | 0, f.lengthBytes, f.direction === 'write' ? 1 : 0, f.reason));
    dma = iommu;
  } else {
    directDma = new DirectDma(sim.memory);
    dma = directDma;
  }
  const clock = sim.clock;
  const interrupts = sim.interrupts;
  const nic = new Nic({ clock, interrupts, dma });
  const block = new BlockDevice({ clock, interrupts, dma, image: options.diskImage ?? new Uint8Array(DEFAULT_DISK_BYTES) });
  const cdrom = new CdromDrive({ clock, interrupts, dma, ...(options.isoImage === undefined ? {} : { image: options.isoImage }) });
  const printer = new Printer({ clock, interrupts });
  const timer = new IntervalTimer({ clock, interrupts });
  const console = new ConsoleDevice({ clock, interrupts });
  const devices: MachineDevice[] = [nic, block, cdrom, printer, timer, console];
  for (const d of devices) sim.registerPorts(d.portBase, d.portCount, d);
  if (iommu !== null) sim.registerPorts(IOMMU_PORT_BASE, IOMMU_PORT_COUNT, new IommuPortDevice(iommu, sim.memory.sizeBytes));
  return { sim, configuration, iommu, dma, directDma, nic, block, cdrom, printer, timer, console, devices };
}
