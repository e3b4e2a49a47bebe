// Published figures the simulator is calibrated against (SPEC's "Figures to
// calibrate against"), as data: what was measured, its value and unit, where
// it comes from, and how far a simulated value may stray and still count as a
// match. `mklab bench calibrate` runs the simulator for each and compares.
//
// Rows of the table left out, because the simulator has nothing to compare:
// seL4 on Cortex-A9 (367 cycles) and Liedtke's L3 on the i486 (250 cycles),
// for want of a cost profile of those machines; L4Re's intra-address-space
// IPC (247 cycles), because every user process here has its own address
// space; rIOMMU, which the machine does not model; the MINIX fault-injection
// campaign and RS timings, which are behaviour rather than cost (the unit
// tests check RS's periods and backoff).

/** How far a simulated value may be from the published one: a fraction of it, or a number of the unit's points. */
export type Band = { readonly relative: number } | { readonly absolute: number };

export type FigureUnit = 'cycles' | 'ns' | '%';

/** What a figure measures, so that the calibration knows which run gives it. */
export type FigureMeasure =
  | { readonly kind: 'ipc-one-way'; readonly profile: string }
  | { readonly kind: 'null-syscall'; readonly profile: string }
  | { readonly kind: 'iommu-map-unmap' }
  | { readonly kind: 'iommu-throughput-share'; readonly configuration: 'microkernel-iommu' | 'microkernel-iommu-lazy' }
  | { readonly kind: 'per-packet'; readonly configuration: 'monolithic' | 'kernel-bypass' };

export interface PublishedFigure {
  readonly id: string;
  readonly published: number;
  readonly unit: FigureUnit;
  readonly source: string;
  readonly band: Band;
  readonly measure: FigureMeasure;
}

const SEL4_PAGE = 'seL4 performance page (sel4.systems/About/Performance)';
const SEL4BENCH_MELTDOWN = 'sel4bench results, Skylake with the Meltdown mitigation';
const L4RE_PAGE = 'L4Re performance page, Cortex-A76 (Raspberry Pi 5)';
const AMIT = 'Amit, Ben-Yehuda, Tsafrir, Schuster: vIOMMU, USENIX ATC 2011';
const XDP = 'Høiland-Jørgensen et al.: The eXpress Data Path, CoNEXT 2018';

export const PUBLISHED_FIGURES: readonly PublishedFigure[] = [
  { id: 'ipc-one-way/sel4-haswell', published: 775, unit: 'cycles', source: `${SEL4_PAGE}: one-way IPC, Haswell i7-4770`, band: { relative: 0.1 }, measure: { kind: 'ipc-one-way', profile: 'sel4-haswell' } },
  { id: 'ipc-one-way/sel4-skylake', published: 718, unit: 'cycles', source: `${SEL4_PAGE}: one-way IPC, Skylake, no Meltdown mitigation`, band: { relative: 0.1 }, measure: { kind: 'ipc-one-way', profile: 'sel4-skylake' } },
  { id: 'ipc-one-way/sel4-skylake-meltdown', published: 940, unit: 'cycles', source: `${SEL4BENCH_MELTDOWN}: IPC call 714 -> 940`, band: { relative: 0.1 }, measure: { kind: 'ipc-one-way', profile: 'sel4-skylake-meltdown' } },
  { id: 'ipc-one-way/l4re-cortex-a76', published: 384, unit: 'cycles', source: `${L4RE_PAGE}: inter-address-space IPC`, band: { relative: 0.1 }, measure: { kind: 'ipc-one-way', profile: 'l4re-cortex-a76' } },
  { id: 'null-syscall/sel4-skylake', published: 135, unit: 'cycles', source: 'sel4bench results, Skylake: null syscall', band: { relative: 0.1 }, measure: { kind: 'null-syscall', profile: 'sel4-skylake' } },
  { id: 'null-syscall/sel4-skylake-meltdown', published: 630, unit: 'cycles', source: `${SEL4BENCH_MELTDOWN}: null syscall 135 -> 630`, band: { relative: 0.1 }, measure: { kind: 'null-syscall', profile: 'sel4-skylake-meltdown' } },
  { id: 'null-syscall/l4re-cortex-a76', published: 138, unit: 'cycles', source: `${L4RE_PAGE}: syscall`, band: { relative: 0.1 }, measure: { kind: 'null-syscall', profile: 'l4re-cortex-a76' } },
  { id: 'iommu-strict/map-unmap', published: 6_909, unit: 'cycles', source: `${AMIT}: strict map plus unmap of one page`, band: { relative: 0.2 }, measure: { kind: 'iommu-map-unmap' } },
  { id: 'iommu-strict/throughput', published: 43, unit: '%', source: `${AMIT}: netperf share of line rate, strict invalidation`, band: { absolute: 10 }, measure: { kind: 'iommu-throughput-share', configuration: 'microkernel-iommu' } },
  { id: 'iommu-lazy/throughput', published: 91, unit: '%', source: `${AMIT}: netperf share of line rate, batched invalidation`, band: { absolute: 10 }, measure: { kind: 'iommu-throughput-share', configuration: 'microkernel-iommu-lazy' } },
  { id: 'kernel-bypass/per-packet', published: 22.9, unit: 'ns', source: `${XDP}: DPDK drop, one core, 43.5 Mpps`, band: { relative: 0.2 }, measure: { kind: 'per-packet', configuration: 'kernel-bypass' } },
  { id: 'monolithic/per-packet', published: 208, unit: 'ns', source: `${XDP}: Linux stack drop, one core, 4.8 Mpps`, band: { relative: 0.2 }, measure: { kind: 'per-packet', configuration: 'monolithic' } },
];

/** The lowest and highest values within a figure's band. */
export function bandLimits(f: Pick<PublishedFigure, 'published' | 'band'>): { low: number; high: number } {
  const width = 'relative' in f.band ? f.published * f.band.relative : f.band.absolute;
  return { low: f.published - width, high: f.published + width };
}

/** Whether a simulated value matches the figure; a value not measured (null) never does. */
export function withinBand(f: Pick<PublishedFigure, 'published' | 'band'>, simulated: number | null): boolean {
  if (simulated === null || !Number.isFinite(simulated)) return false;
  const { low, high } = bandLimits(f);
  return simulated >= low && simulated <= high;
}

/** The band as people read it: "±10 %" of the figure, or "±10 points". */
export function formatBand(band: Band): string {
  return 'relative' in band ? `±${Math.round(band.relative * 100)} %` : `±${band.absolute} points`;
}
