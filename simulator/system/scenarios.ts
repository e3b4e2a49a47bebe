// The built-in scenarios, runnable by name ('s1' to 's5', 's7'; 'default' is
// s1); bootScenario, the one function that turns a scenario (and a front
// end's overrides) into a booted system; runScenario, which boots one, runs it
// for its duration and returns the summary. A scenario's times written with a
// unit keep their length in seconds: booting turns them into cycles of the
// clock of the cost profile the system runs with.
import { DEFAULT_CONTAINERS, defaultScenarioOptions, parseScenario, retimeScenario, type Scenario } from '../config/scenario';
import { DEFAULT_CONFIGURATION, configurationTraits, type Configuration } from '../config/configurations';
import { formatDiagnostic } from '../config/systemConf';
import { bootSystem, type RunningSystem } from './boot';
import { DEFAULT_COST_PROFILE, costProfile, type CostProfile } from '../kernel/costs/costProfiles';
import { secondsToCycles } from '../time/time';
import type { BuiltinService } from './builtin';
import type { SystemSummary } from './summary';
import type { TraceOptions } from '../trace/recorder';
import { storageScenarios } from './storageScenarios';

const S1_JSON = `{
  "name": "s1",
  "description": "An Ethernet driver that crashes overnight is restarted by the reincarnation server, with MINIX's backoff; traffic resumes and the system runs on. Under the monolithic configuration the first crash is a kernel panic; under kernel-bypass it ends the application that holds the driver, and only that.",
  "system": "default",
  "configuration": "microkernel-iommu",
  "seed": 1,
  "duration": "2h",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "packet-stream", "ratePerSecond": 10, "sizeBytes": 128, "direction": "tx" }
  ],
  "faults": [
    { "at": "1min", "target": "nic", "type": "crash", "repeatEvery": "10min" }
  ],
  "options": { "heartbeatPeriod": "5s", "restartBackoff": true },
  "expect": { "monolithic": "panic", "kernel-bypass": "workload-failed" }
}
`;

const S4_JSON = `{
  "name": "s4",
  "description": "What isolation costs per request: the peer sends 64-byte requests at 20,000/s over the NIC to a server that answers each with 1 KiB. Run it under each configuration (mklab run s4 --config C, or mklab bench compare --workload network-request-response): kernel-bypass serves a request with no kernel entry and no context switch; a user-mode driver adds context switches and copies, the IOMMU its maps and invalidations.",
  "system": "default",
  "configuration": "microkernel-iommu",
  "seed": 1,
  "duration": "200ms",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "request-response", "start": "10ms", "ratePerSecond": 20000, "requestBytes": 64, "responseBytes": 1024, "transport": "network" }
  ],
  "faults": []
}
`;

const S5_JSON = `{
  "name": "s5",
  "description": "Do containers isolate drivers? Three containers each stream packets through the one NIC; the NIC driver crashes at 1 s. Under monolithic-containers the driver is kernel code: the kernel panics and every container's network goes with it (blast radius 3 of 3). Under microkernel-iommu only the driver restarts and every container goes on (0 of 3).",
  "system": "default",
  "configuration": "monolithic-containers",
  "seed": 1,
  "duration": "5s",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "packet-stream", "ratePerSecond": 200, "sizeBytes": 128, "direction": "tx" }
  ],
  "faults": [
    { "at": "1s", "target": "nic", "type": "crash" }
  ],
  "options": { "containers": 3 },
  "expect": { "monolithic-containers": "panic", "monolithic": "panic", "*": "ok" }
}
`;

const S7_JSON = `{
  "name": "s7",
  "description": "Latency under load: requests over the NIC at 90,000/s, about nine tenths of what the strict-IOMMU microkernel's CPU can serve. Compare the latency distributions across configurations (mklab bench compare --workload network-request-response shows the same at a light load): near saturation the queues grow and p99 moves away from p50 where isolation costs the most.",
  "system": "default",
  "configuration": "microkernel-iommu",
  "seed": 1,
  "duration": "200ms",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "request-response", "start": "10ms", "ratePerSecond": 90000, "requestBytes": 64, "responseBytes": 1024, "transport": "network" }
  ],
  "faults": []
}
`;

function load(text: string, file: string): Scenario {
  const r = parseScenario(text, file);
  if (r.scenario === undefined) throw new Error(`${file}: ${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.scenario;
}

/** The built-in scenarios by name. */
export function builtinScenarios(): ReadonlyMap<string, Scenario> {
  const map = new Map<string, Scenario>();
  map.set('s1', load(S1_JSON, 'builtin/s1.json'));
  for (const s of storageScenarios) map.set(s.name, s);
  map.set('s4', load(S4_JSON, 'builtin/s4.json'));
  map.set('s5', load(S5_JSON, 'builtin/s5.json'));
  map.set('s7', load(S7_JSON, 'builtin/s7.json'));
  map.set('default', map.get('s1')!);
  return map;
}

export function builtinScenario(name: string): Scenario {
  const s = builtinScenarios().get(name.toLowerCase());
  if (s === undefined) throw new Error(`no built-in scenario '${name}' (available: ${[...builtinScenarios().keys()].join(', ')})`);
  return s;
}

/** What booting reads of a scenario; how long it runs is for whoever runs it. */
export type BootableScenario = Pick<Scenario, 'name' | 'system' | 'configuration' | 'seed' | 'costProfile' | 'clockHz' | 'workload' | 'faults' | 'options'> &
  Partial<Pick<Scenario, 'expect' | 'ranges'>>;

/** What a front end may set beside the scenario: the user's choices, and the inputs it read from disk. */
export interface BootOverrides {
  readonly configuration?: Configuration;
  readonly seed?: number;
  /** Replaces the scenario's cost profile. */
  readonly costProfile?: CostProfile | string;
  /** Replaces the scenario's heartbeat period. */
  readonly heartbeatPeriodSeconds?: number;
  readonly trace?: TraceOptions;
  /** Record the program's source location at each kernel entry (the editor's trace view and the debugger show it). */
  readonly captureSourceLocations?: boolean;
  /** The text of the scenario's system.conf when `system` names a file (the caller reads it). */
  readonly systemConf?: { readonly text: string; readonly file: string };
  /** A workspace CD image a cd-read workload names (the caller reads it; built-in images are made by the boot). */
  readonly isoImage?: Uint8Array;
  /** The scenario's user drivers, loaded by the caller. */
  readonly extraPrograms?: readonly BuiltinService[];
  /** Services whose code is loaded from its source for code-level faults (BootOptions.openCode). */
  readonly openCode?: readonly string[];
}

export interface ScenarioOverrides extends BootOverrides {
  /** Replaces the scenario's duration. */
  readonly durationCycles?: number;
  /** Called after each slice of simulated time. */
  readonly progress?: (timeCycles: number, untilCycles: number) => void;
  /** Receives the booted system before it runs (views, tests). */
  readonly onBoot?: (system: RunningSystem) => void;
}

/** Boots the scenario's system, runs it for its duration (or until a panic) and returns the summary. */
export function runScenario(scenario: Scenario, overrides: ScenarioOverrides = {}): SystemSummary {
  const system = bootScenario(scenario, overrides);
  overrides.onBoot?.(system);
  const until = overrides.durationCycles ?? retimeScenario(scenario, system.clockHz).duration.cycles;
  system.run({ untilCycles: until, ...(overrides.progress === undefined ? {} : { progress: overrides.progress }) });
  return system.summary(scenario.name);
}

/**
 * Boots a scenario's system without running it: the one way every front end
 * (the CLI, the editor's session, the debugger, the worker's default system,
 * the benchmarks and the tests) turns a scenario into a running system. The
 * scenario says everything; the overrides replace what the user chose
 * otherwise and carry what the caller read from disk.
 */
export function bootScenario(given: BootableScenario, overrides: BootOverrides = {}): RunningSystem {
  const profile = typeof overrides.costProfile === 'object' ? overrides.costProfile : costProfile(overrides.costProfile ?? given.costProfile);
  const scenario = retimeScenario(given, profile.clockHz);
  if (scenario.system !== 'default' && overrides.systemConf === undefined) {
    throw new Error(`scenario ${scenario.name}: its system '${scenario.system}' is a system.conf file; pass its text as systemConf`);
  }
  const system = bootSystem({
    name: scenario.name,
    ...(scenario.expect === undefined ? {} : { expect: scenario.expect }),
    seed: overrides.seed ?? scenario.seed,
    configuration: overrides.configuration ?? scenario.configuration,
    costProfile: typeof overrides.costProfile === 'object' ? overrides.costProfile : profile.name,
    heartbeatPeriodCycles:
      overrides.heartbeatPeriodSeconds === undefined ? scenario.options.heartbeatPeriod.cycles : Math.max(1, secondsToCycles(overrides.heartbeatPeriodSeconds, profile.clockHz)),
    restartBackoff: scenario.options.restartBackoff,
    nicLineBitsPerSecond: scenario.options.nicGbps * 1e9,
    containers: scenario.options.containers ?? (configurationTraits(overrides.configuration ?? scenario.configuration).containers ? DEFAULT_CONTAINERS : 1),
    workload: scenario.workload,
    faults: scenario.faults,
    ...(overrides.trace === undefined ? {} : { trace: overrides.trace }),
    ...(overrides.captureSourceLocations === undefined ? {} : { captureSourceLocations: overrides.captureSourceLocations }),
    ...(overrides.systemConf === undefined ? {} : { systemConf: overrides.systemConf }),
    ...(overrides.isoImage === undefined ? {} : { isoImage: overrides.isoImage }),
    ...(overrides.extraPrograms === undefined ? {} : { extraPrograms: overrides.extraPrograms }),
    ...(overrides.openCode === undefined ? {} : { openCode: overrides.openCode }),
  });
  checkFaultTargets(scenario, system);
  return system;
}

/** A scenario names something the system it boots does not have; the message says where (file:line:column) and what exists. */
export class ScenarioBootError extends Error {}

/** Every fault must target a service or process of the booted system: a misspelt target would otherwise never fire. */
function checkFaultTargets(scenario: BootableScenario, system: RunningSystem): void {
  const names = system.targetNames();
  scenario.faults.forEach((f, i) => {
    if (f.target === 'kernel' || names.has(f.target)) return;
    const where = scenario.ranges?.get(`/faults/${i}/target`);
    const at = where === undefined ? `scenario ${scenario.name}` : `${where.file}:${where.line}:${where.column}`;
    throw new ScenarioBootError(`${at}: fault ${i} targets '${f.target}', which is no service or program of this system (it has: ${[...names].sort().join(', ')})`);
  });
}

/**
 * A system.conf started on its own, as the scenario it amounts to: that system
 * in the default configuration, seed 1, the default cost profile and options,
 * no workload and no faults. It has no duration: it runs until it is stopped.
 */
export function systemConfScenario(name: string, file: string): BootableScenario {
  return {
    name,
    system: file,
    configuration: DEFAULT_CONFIGURATION,
    seed: 1,
    costProfile: 'default',
    clockHz: costProfile(DEFAULT_COST_PROFILE).clockHz,
    workload: [],
    faults: [],
    options: defaultScenarioOptions(costProfile(DEFAULT_COST_PROFILE).clockHz),
  };
}
