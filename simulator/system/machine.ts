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
import { KERNEL_OWNER } from '../hw/memory';
import { DEFAULT_IOMMU_COSTS, IOMMU_PAGE_BYTES, Iommu, type IommuCosts, type IommuError } from '../hw/iommu';
import type { DmaMapper } from '../kernel/kernel';
import type { Proc } from '../kernel/proc';
import { Errno, OK } from '../kernel/constants';
import { DEFAULT_NIC_TIMING, Nic, type NicTiming } from '../hw/nic';
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
  /** The NIC's line rate; DEFAULT_NIC_TIMING's (1 Gb/s) if absent. */
  readonly nicLineBitsPerSecond?: number;
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
  /** Memory that devices' DMA overwrote behind its owners' backs (without an IOMMU). */
  readonly corruption: CorruptionLog;
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
    const cost = sim.kernel.cost;
    const costs: IommuCosts = {
      ...DEFAULT_IOMMU_COSTS,
      mapCyclesPerPage: cost.iommuMapCyclesPerPage,
      unmapCyclesPerPage: cost.iommuUnmapCyclesPerPage,
      invalidationCycles: cost.iotlbInvalidationCycles,
      iotlbMissCycles: cost.iotlbMissCycles,
    };
    iommu = new Iommu(sim.memory, sim.clock, traits.iommu === 'dev' ? { mode: 'dev', costs } : { mode: 'translate', invalidation: traits.iommu, costs });
    // The CPU's share of IOMMU work delays whichever process does it: amddev or a driver in a kernel call, or the one running when a lazy flush falls due.
    iommu.onCharge((cycles) => sim.kernel.charge(sim.kernel.current, cycles, 'iommu'));
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
  const nic = new Nic({ clock, interrupts, dma, timing: nicTiming(options.nicLineBitsPerSecond ?? DEFAULT_NIC_TIMING.lineBitsPerSecond) });
  const block = new BlockDevice({ clock, interrupts, dma, image: options.diskImage ?? new Uint8Array(DEFAULT_DISK_BYTES) });
  const cdrom = new CdromDrive({ clock, interrupts, dma, ...(options.isoImage === undefined ? {} : { image: options.isoImage }) });
  const printer = new Printer({ clock, interrupts });
  const timer = new IntervalTimer({ clock, interrupts });
  const console = new ConsoleDevice({ clock, interrupts });
  const devices: MachineDevice[] = [nic, block, cdrom, printer, timer, console];
  for (const d of devices) sim.registerPorts(d.portBase, d.portCount, d);
  if (iommu !== null) {
    sim.registerPorts(PLATFORM.iommu.portBase, PLATFORM.iommu.portCount, new IommuPortDevice(iommu, sim.memory.sizeBytes));
    sim.kernel.dmaMapper = iommuDmaMapper(iommu, devices);
  }
  const corruption = watchDma(sim, iommu, directDma, devices);
  return { sim, configuration, clockHz: clock.hz, iommu, dma, directDma, nic, block, cdrom, printer, timer, console, devices, corruption };
}

/** Memory a device's DMA overwrote behind its owner's back: what the DMA check found. */
export interface CorruptionRecord {
  readonly timeCycles: number;
  readonly device: string;
  /** Whose memory: a process's name, or 'the kernel'. */
  readonly victim: string;
  readonly paddr: number;
  readonly lengthBytes: number;
}

export interface CorruptionLog {
  /** The first records (at most CORRUPTION_LOG_LIMIT), oldest first. */
  readonly records: CorruptionRecord[];
  /** Every overwrite found, kept or not. */
  count: number;
}

const CORRUPTION_LOG_LIMIT = 100;

/**
 * Records every DMA transfer in the trace, on the device's lane with the
 * memory's owner, and checks each write made without an IOMMU: one that
 * lands in the kernel's memory, or in a process that does not drive the
 * device (its privilege does not grant the device's ports), overwrote memory
 * behind its owner's back. That is recorded as a corruption, in the trace and
 * in the log the summary and the views read.
 */
function watchDma(sim: Simulator, iommu: Iommu | null, directDma: DirectDma | null, devices: readonly MachineDevice[]): CorruptionLog {
  const log: CorruptionLog = { records: [], count: 0 };
  const byId = new Map<number, MachineDevice>();
  const names = new Map<number, string>();
  for (const d of devices) {
    if (d.deviceId === undefined) continue;
    byId.set(d.deviceId, d);
    names.set(d.deviceId, d.describe().name);
  }
  const memory = sim.memory;
  const kernel = sim.kernel;
  const translated = iommu !== null;
  const listener = (deviceId: number, iova: number, paddr: number, lengthBytes: number, write: boolean): void => {
    const owner = memory.ownerAt(paddr);
    const proc = owner >= 0 ? kernel.procs[owner] : undefined;
    const endpoint = proc === undefined || proc.isFree ? NONE : proc.endpoint;
    const device = names.get(deviceId) ?? `device ${deviceId}`;
    sim.trace.recordLabelled(sim.clock.now(), TraceKind.dma, deviceId, endpoint, iova | 0, lengthBytes, (write ? 1 : 0) | (translated ? 2 : 0), device);
    if (!write || translated) return;
    const d = byId.get(deviceId);
    const kernelMemory = owner === KERNEL_OWNER;
    const foreign = proc !== undefined && !proc.isFree && (d === undefined || proc.priv === null || !proc.priv.allowsPorts(d.portBase, 1));
    if (!kernelMemory && !foreign) return;
    const victim = kernelMemory ? 'the kernel' : proc!.name;
    log.count++;
    if (log.records.length < CORRUPTION_LOG_LIMIT) log.records.push({ timeCycles: sim.clock.now(), device, victim, paddr, lengthBytes });
    sim.trace.recordLabelled(
      sim.clock.now(),
      TraceKind.corruption,
      deviceId,
      endpoint,
      paddr | 0,
      lengthBytes,
      0,
      `${device}'s DMA overwrote ${kernelMemory ? "the kernel's" : `${victim}'s`} memory at 0x${paddr.toString(16)} (${lengthBytes} bytes), found by the DMA check: no IOMMU stopped it`,
    );
  };
  iommu?.onTransfer(listener);
  directDma?.onTransfer(listener);
  return log;
}

/**
 * The NIC at a line rate: a faster NIC sits on a wider PCIe link, sized with
 * a quarter to spare over the line rate (a 100 Gb/s NIC gets 15.6 GB/s, about
 * the 15.75 GB/s of PCIe 3.0 x16 that 100 Gb/s NICs use), never narrower
 * than the gigabit NIC's.
 */
export function nicTiming(lineBitsPerSecond: number): NicTiming {
  return {
    ...DEFAULT_NIC_TIMING,
    lineBitsPerSecond,
    dmaBytesPerSecond: Math.max(DEFAULT_NIC_TIMING.dmaBytesPerSecond, (1.25 * lineBitsPerSecond) / 8),
  };
}

/**
 * DMAMAP on an IOMMU: a driver maps its own buffer, at its physical address
 * as IO-virtual address, for a device whose ports it is granted. A page still
 * mapped by an earlier instance of a driver (it died between map and unmap)
 * is unmapped when the new instance maps it; unmapping needs the mapper's
 * address space.
 */
function iommuDmaMapper(iommu: Iommu, devices: readonly MachineDevice[]): DmaMapper {
  const owners = new Map<number, object>();
  const key = (deviceId: number, page: number) => deviceId * 2 ** 20 + page;
  const owns = (p: Proc, deviceId: number) =>
    devices.some((d) => d.deviceId === deviceId && p.priv !== null && p.priv.allowsPorts(d.portBase, 1));
  const errno = (e: IommuError | undefined) =>
    e === undefined ? OK : e === 'already-mapped' ? Errno.EBUSY : e === 'not-mapped' ? Errno.EINVAL : Errno.EIO;
  const pages = (paddr: number, bytes: number) => Array.from({ length: bytes / IOMMU_PAGE_BYTES }, (_, i) => paddr / IOMMU_PAGE_BYTES + i);
  return {
    map(p, deviceId, paddr, bytes, write) {
      if (!owns(p, deviceId)) return Errno.EPERM;
      const space = p.space!;
      for (const page of pages(paddr, bytes)) {
        const owner = owners.get(key(deviceId, page));
        if (owner === undefined || owner === space) continue;
        if (iommu.mode === 'dev') iommu.devBlock(page * IOMMU_PAGE_BYTES, IOMMU_PAGE_BYTES, deviceId);
        else iommu.unmap(deviceId, page * IOMMU_PAGE_BYTES, IOMMU_PAGE_BYTES);
        owners.delete(key(deviceId, page));
      }
      const r = iommu.mode === 'dev' ? iommu.devAllow(paddr, bytes, deviceId) : iommu.map(deviceId, paddr, paddr, bytes, { read: true, write });
      if (r === undefined) for (const page of pages(paddr, bytes)) owners.set(key(deviceId, page), space);
      return errno(r);
    },
    unmap(p, deviceId, paddr, bytes) {
      if (!owns(p, deviceId)) return Errno.EPERM;
      if (pages(paddr, bytes).some((page) => owners.get(key(deviceId, page)) !== p.space)) return Errno.EINVAL;
      const r = iommu.mode === 'dev' ? iommu.devBlock(paddr, bytes, deviceId) : iommu.unmap(deviceId, paddr, bytes);
      if (r === undefined) for (const page of pages(paddr, bytes)) owners.delete(key(deviceId, page));
      return errno(r);
    },
    release(p) {
      const space = p.space;
      if (space === null) return;
      for (const [k, owner] of [...owners]) {
        if (owner !== space) continue;
        const deviceId = Math.floor(k / 2 ** 20);
        const paddr = (k % 2 ** 20) * IOMMU_PAGE_BYTES;
        if (iommu.mode === 'dev') iommu.devBlock(paddr, IOMMU_PAGE_BYTES, deviceId);
        else iommu.unmap(deviceId, paddr, IOMMU_PAGE_BYTES);
        owners.delete(k);
      }
    },
  };
}
