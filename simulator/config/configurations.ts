// The configurations a system can be built in, one row each: what the row
// means for the machine (an IOMMU, and how it invalidates its IOTLB) and for
// the boot (drivers in the kernel or in user mode), and the sentence the
// pickers, the CLI's help and package.json show for it. Every other module
// reads this table: the scenario loader's accepted names, the JSON Schema's
// enum (a unit test compares them), the CLI's --config, the debugger's launch
// check, the worker's catalog, the editor's quick pick, the machine and the
// boot. Adding a configuration means adding a row here (and code only for a
// trait no row had before). Pure data: the extension imports it too.

/**
 * How the machine connects devices to memory: directly, through an IOMMU
 * translating with I/O page tables and invalidating its IOTLB at every unmap
 * or in batches, or through an IOMMU in MINIX's AMD DEV mode (physical
 * addresses, one bit per page that blocks or allows device access).
 */
export type IommuTrait = 'none' | 'strict' | 'lazy' | 'dev';

export interface ConfigurationTraits {
  readonly name: string;
  /** One sentence for people: pickers, help, package.json's enumDescriptions. */
  readonly description: string;
  /** Drivers and the servers they serve run as kernel code, so that their faults are kernel panics. */
  readonly driversInKernel: boolean;
  readonly iommu: IommuTrait;
  /**
   * Where packets go: through the NIC driver and the network server
   * ('stack'), or straight between the NIC and a poll-mode driver inside the
   * application ('bypass'), which then owns the NIC and starts neither.
   */
  readonly network: 'stack' | 'bypass';
  /** Containers share the kernel: the configuration the scenario's `containers` option is meant for (every configuration runs that many copies of the workload). */
  readonly containers: boolean;
}

export const CONFIGURATION_TABLE = [
  {
    name: 'microkernel-iommu',
    description: "Drivers in user mode; each device's DMA confined by the IOMMU, which invalidates its IOTLB at every unmap.",
    driversInKernel: false,
    iommu: 'strict',
    network: 'stack',
    containers: false,
  },
  {
    name: 'microkernel-iommu-lazy',
    description: 'Drivers in user mode behind the IOMMU, which invalidates its IOTLB in batches: cheaper unmaps, but a device may use a stale translation until the flush.',
    driversInKernel: false,
    iommu: 'lazy',
    network: 'stack',
    containers: false,
  },
  {
    name: 'microkernel-iommu-dev',
    description: "Drivers in user mode behind the IOMMU in MINIX's AMD DEV mode: devices use physical addresses and a bitmap blocks every page no driver asked amddev for.",
    driversInKernel: false,
    iommu: 'dev',
    network: 'stack',
    containers: false,
  },
  {
    name: 'microkernel',
    description: 'Drivers in user mode; no IOMMU, so DMA reaches all memory.',
    driversInKernel: false,
    iommu: 'none',
    network: 'stack',
    containers: false,
  },
  {
    name: 'monolithic',
    description: 'Drivers in the kernel: a driver fault is a kernel panic.',
    driversInKernel: true,
    iommu: 'none',
    network: 'stack',
    containers: false,
  },
  {
    name: 'kernel-bypass',
    description: "A poll-mode NIC driver inside the application: the NIC's registers mapped into it, DMA through its own IOMMU domain, no kernel on the data path; a driver fault takes down that application only.",
    driversInKernel: false,
    iommu: 'strict',
    network: 'bypass',
    containers: false,
  },
  {
    name: 'monolithic-containers',
    description: "Containers on one monolithic kernel: each runs its own copy of the workload, all share the kernel's drivers, so a driver fault is a kernel panic that takes every container down.",
    driversInKernel: true,
    iommu: 'none',
    network: 'stack',
    containers: true,
  },
] as const satisfies readonly ConfigurationTraits[];

export type Configuration = (typeof CONFIGURATION_TABLE)[number]['name'];

/** Every configuration's name, in the table's order (the order pickers and enums show). */
export const CONFIGURATIONS: readonly Configuration[] = CONFIGURATION_TABLE.map((row) => row.name);

/** What a scenario-less start (a system.conf, the built-in default system) boots in. */
export const DEFAULT_CONFIGURATION: Configuration = 'microkernel-iommu';

export function isConfiguration(name: unknown): name is Configuration {
  return typeof name === 'string' && (CONFIGURATIONS as readonly string[]).includes(name);
}

/** The row of a configuration; throws, naming the valid names, for any other string. */
export function configurationTraits(name: string): ConfigurationTraits {
  const row = CONFIGURATION_TABLE.find((r) => r.name === name);
  if (row === undefined) throw new Error(unknownConfigurationMessage(name));
  return row;
}

/** Why `name` is refused, with the names that are accepted. */
export function unknownConfigurationMessage(name: string): string {
  return `unknown configuration '${name}' (available: ${CONFIGURATIONS.join(', ')})`;
}

/** The configuration whose IOMMU invalidates as `iommu` says, if one does (the first in the table). */
export function configurationWithIommu(iommu: IommuTrait): Configuration | undefined {
  return CONFIGURATION_TABLE.find((r) => r.iommu === iommu)?.name;
}
