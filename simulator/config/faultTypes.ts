// The fault types the injector (faults/injector.ts) carries out: its switch over them is checked to be
// exhaustive, so this list cannot name a fault that does not run. Every list of fault types offered to a
// user (the scenario schema and loader, the console's `service fi`, the editor's Inject Fault pick) is
// this one. It lives with the scenario model, which the injector reads and the editor may import.

/**
 * The code-level faults, after SWIFI's (Ng and Chen; MINIX's injector, Herder et al., DSN 2009): each
 * mutates one site of the driver's code, from the moment it strikes, in the instance it struck. Sites are
 * enumerated from the driver's source (simulator/compile/mutation.ts).
 */
export const CODE_FAULTS = [
  'corrupt-source', 'corrupt-destination', 'corrupt-pointer', 'skip-init', 'remove-instruction', 'remove-branch', 'invert-loop',
] as const;
export type CodeFault = (typeof CODE_FAULTS)[number];

export const INJECTABLE_FAULTS = [
  'crash', 'hang', 'wild-write', 'wild-dma', 'resource-leak',
  // Interface faults, at the boundary between a driver and the kernel (as MINIX's SWIFI corrupts the arguments of calls).
  'bad-ipc-args', 'bad-kernel-call-args', 'irq-fault',
  ...CODE_FAULTS,
] as const;
export type InjectableFault = (typeof INJECTABLE_FAULTS)[number];

export function isInjectableFault(type: string): type is InjectableFault {
  return (INJECTABLE_FAULTS as readonly string[]).includes(type);
}

export function isCodeFault(type: string): type is CodeFault {
  return (CODE_FAULTS as readonly string[]).includes(type);
}
