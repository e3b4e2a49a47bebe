// Shared set-up for kernel tests: a simulator with inline programs.
import { Simulator, type SimulatorOptions } from '../../../simulator/engine/simulator';
import { ProgramRegistry } from '../../../simulator/engine/programRegistry';
import type { ProgramMain } from '../../../simulator/sdk/sys';

export function makeSim(programs: Record<string, ProgramMain>, options: Partial<SimulatorOptions> = {}): Simulator {
  const registry = new ProgramRegistry();
  for (const [name, main] of Object.entries(programs)) registry.register(name, main);
  return new Simulator({
    seed: 1,
    costProfile: 'sel4-skylake',
    memoryBytes: 4 * 1024 * 1024,
    kernelMemoryBytes: 64 * 1024,
    maxProcesses: 32,
    ...options,
    programs: registry,
  });
}

/** Endpoint of a live process by name; fails the test if there is none. */
export function ep(sim: Simulator, name: string): number {
  const e = sim.endpointOf(name);
  if (e === undefined) throw new Error(`no process named ${name}`);
  return e;
}
