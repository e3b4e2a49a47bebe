// The fault types the injector carries out. Every list of fault types offered to a user (the scenario
// schema and loader, the console's `service fi`, the editor's Inject Fault pick) is this one, so nothing
// offers a fault that cannot run. The injector's switch over them is checked to be exhaustive.
// It imports nothing, so that the scenario loader and the editor can use it without the injector.

export const INJECTABLE_FAULTS = ['crash', 'hang', 'wild-write', 'wild-dma', 'resource-leak'] as const;
export type InjectableFault = (typeof INJECTABLE_FAULTS)[number];

export function isInjectableFault(type: string): type is InjectableFault {
  return (INJECTABLE_FAULTS as readonly string[]).includes(type);
}
