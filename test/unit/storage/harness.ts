// A storage system for tests: the system helper's machine, the storage services spawned straight from their system.conf entries (no RS), and helpers to run applications.
import { buildMachine, type Machine } from '../../../simulator/system/machine';
import { configurationTraits, type Configuration } from '../../../simulator/config/configurations';
import { servicePrivilege } from '../../../simulator/config/privileges';
import { storageServices } from '../../../simulator/system/storageServices';
import { parseSystemConf } from '../../../simulator/config/systemConf';
import { ProgramRegistry } from '../../../simulator/engine/programRegistry';
import type { ExitReason } from '../../../simulator/kernel/proc';
import type { ProgramArgs } from '../../../simulator/kernel/proc';

export interface StorageSystem {
  readonly machine: Machine;
  /** How each process ended, by name, in order. */
  readonly ended: { name: string; endpoint: number; reason: ExitReason }[];
}

export const SERVICE_LABELS = ['amddev', 'disk', 'cdrom', 'printer', 'isofs', 'vfs'] as const;

export function bootStorage(configuration: Configuration, options: { isoImage?: Uint8Array; diskImage?: Uint8Array; seed?: number } = {}): StorageSystem {
  const programs = new ProgramRegistry();
  for (const s of storageServices) programs.register(s.label, s.main, { sourceFile: s.sourceFile });
  const machine = buildMachine({
    seed: options.seed ?? 7,
    configuration,
    programs,
    memoryBytes: 4 * 1024 * 1024,
    ...(options.isoImage === undefined ? {} : { isoImage: options.isoImage }),
    ...(options.diskImage === undefined ? {} : { diskImage: options.diskImage }),
  });
  const ended: StorageSystem['ended'] = [];
  machine.sim.on('processEnded', (e) => ended.push({ name: e.name, endpoint: e.endpoint, reason: e.reason }));
  const services = storageServices.filter((s) => s.bootOrder !== undefined).sort((a, b) => a.bootOrder! - b.bootOrder!);
  for (const s of services) {
    if (s.label === 'amddev' && machine.iommu === null) continue;
    const parsed = parseSystemConf(s.conf, `${s.label}.conf`);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`${s.label}.conf: ${errors.map((d) => d.message).join('; ')}`);
    const ep = machine.sim.spawn({
      program: s.label,
      name: s.label,
      privilege: servicePrivilege(parsed.description.services[0]!),
      priority: 3,
      kernelMode: configurationTraits(configuration).driversInKernel,
    });
    if (ep < 0) throw new Error(`cannot start ${s.label}: ${ep}`);
    // Let each service finish its initialisation before the next starts, as RS does.
    machine.sim.run({ maxSteps: 2_000 });
  }
  return { machine, ended };
}

/** Starts an application (a user process allowed to look services up) and runs until it ends; returns how it ended. */
export function runApp(sys: StorageSystem, program: string, args: ProgramArgs, name = program, maxSteps = 400_000): ExitReason | 'panic' | 'running' {
  const sim = sys.machine.sim;
  const ep = sim.spawn({ program, name, args, privilege: { system: false, ipcTo: 'ALL', kernelCalls: ['GETINFO'] } });
  if (ep < 0) throw new Error(`cannot start ${program}: ${ep}`);
  for (let steps = 0; steps < maxSteps; ) {
    const r = sim.run({ maxSteps: 5_000 });
    steps += 5_000;
    if (r.reason === 'panic') return 'panic';
    const done = sys.ended.find((e) => e.endpoint === ep);
    if (done !== undefined) return done.reason;
    if (r.reason === 'idle') break;
  }
  return 'running';
}

/** Starts an application and leaves it running. */
export function startApp(sys: StorageSystem, program: string, args: ProgramArgs, name = program): number {
  const ep = sys.machine.sim.spawn({ program, name, args, privilege: { system: false, ipcTo: 'ALL', kernelCalls: ['GETINFO'] } });
  if (ep < 0) throw new Error(`cannot start ${program}: ${ep}`);
  return ep;
}

export function alive(sys: StorageSystem, name: string): boolean {
  return sys.machine.sim.endpointOf(name) !== undefined;
}
