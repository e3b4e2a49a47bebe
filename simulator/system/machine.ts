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
import { IommuPortDevice } from '../hw/iommuPorts';
import { PLATFORM } from '../hw/platform';
import { DEFAULT_COST_PROFILE } from '../kernel/costs/costProfiles';
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
  /** The cost profile's clock rate: simulated time counts its cycles, and the devices' rates were turned into them. */
  readonly clockHz: number;
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

export { DEFAULT_COST_PROFILE };
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
    iommu = new Iommu(sim.memory, sim.clock, traits.iommu === 'dev' ? { mode: 'dev' } : { mode: 'translate', invalidation: traits.iommu });
    iommu.onFault((f) => sim.trace.recordLabelled(f.timeCycles, TraceKind.iommuFault, f.deviceId, NONE, f.iova | 0, f.lengthBytes, f.direction === 'write' ? 1 : 0, f.reason));
    iommu.onStaleTransfer((s) => sim.trace.record(s.timeCycles, TraceKind.iommuStale, s.deviceId, NONE, s.iova | 0, s.lengthBytes, s.direction === 'write' ? 1 : 0));
    dma = iommu;
  } else {
    directDma = new DirectDma(sim.memory);
    dma = directDma;
  }
  // Each device turns its physical rates into cycles of the profile's clock here, once.
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
  if (iommu !== null) sim.registerPorts(PLATFORM.iommu.portBase, PLATFORM.iommu.portCount, new IommuPortDevice(iommu, sim.memory.sizeBytes));
  return { sim, configuration, clockHz: clock.hz, iommu, dma, directDma, nic, block, cdrom, printer, timer, console, devices };
}
