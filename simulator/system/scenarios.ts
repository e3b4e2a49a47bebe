// The built-in scenarios, runnable by name ('s1', 's2', 's3'; 'default' is
// s1), and runScenario, which boots a scenario's system, runs it for its
// duration and returns the summary.
import { parseScenario, type Configuration, type Scenario } from '../config/scenario';
import { formatDiagnostic } from '../config/systemConf';
import { bootSystem, type RunningSystem } from './boot';
import { CLOCK_HZ, DEFAULT_COST_PROFILE } from './machine';
import type { BuiltinService } from './builtin';
import type { SystemSummary } from './summary';
import { storageScenarios } from './storageScenarios';

const S1_JSON = `{
  "name": "s1",
  "description": "An Ethernet driver that crashes overnight is restarted by the reincarnation server, with MINIX's backoff; traffic resumes and the system runs on. Under the monolithic configuration the first crash is a kernel panic.",
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
  "options": { "heartbeatPeriod": "5s", "restartBackoff": true, "iommuMode": "strict" }
}
`;

function load(text: string, file: string): Scenario {
  const r = parseScenario(text, file, { clockHz: CLOCK_HZ });
  if (r.scenario === undefined) throw new Error(`${file}: ${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return r.scenario;
}

/** The built-in scenarios by name. */
export function builtinScenarios(): ReadonlyMap<string, Scenario> {
  const map = new Map<string, Scenario>();
  map.set('s1', load(S1_JSON, 'builtin/s1.json'));
  for (const s of storageScenarios) map.set(s.name, s);
  map.set('default', map.get('s1')!);
  return map;
}

export function builtinScenario(name: string): Scenario {
  const s = builtinScenarios().get(name.toLowerCase());
  if (s === undefined) throw new Error(`no built-in scenario '${name}' (available: ${[...builtinScenarios().keys()].join(', ')})`);
  return s;
}

export interface ScenarioOverrides {
  readonly configuration?: Configuration;
  readonly seed?: number;
  /** Replaces the scenario's duration. */
  readonly durationCycles?: number;
  /** Called after each slice of simulated time. */
  readonly progress?: (timeCycles: number, untilCycles: number) => void;
  /** The text of the scenario's system.conf when `system` names a file (the caller reads it). */
  readonly systemConf?: { readonly text: string; readonly file: string };
  readonly isoImage?: Uint8Array;
  readonly extraPrograms?: readonly BuiltinService[];
  /** Receives the booted system before it runs (views, tests). */
  readonly onBoot?: (system: RunningSystem) => void;
}

/** Boots the scenario's system, runs it for its duration (or until a panic) and returns the summary. */
export function runScenario(scenario: Scenario, overrides: ScenarioOverrides = {}): SystemSummary {
  const system = bootScenario(scenario, overrides);
  overrides.onBoot?.(system);
  const until = overrides.durationCycles ?? scenario.duration.cycles;
  system.run({ untilCycles: until, ...(overrides.progress === undefined ? {} : { progress: overrides.progress }) });
  return system.summary(scenario.name);
}

/** Boots a scenario's system without running it. */
export function bootScenario(scenario: Scenario, overrides: ScenarioOverrides = {}): RunningSystem {
  if (scenario.system !== 'default' && overrides.systemConf === undefined) {
    throw new Error(`scenario ${scenario.name}: its system '${scenario.system}' is a system.conf file; pass its text as systemConf`);
  }
  return bootSystem({
    name: scenario.name,
    seed: overrides.seed ?? scenario.seed,
    configuration: overrides.configuration ?? scenario.configuration,
    costProfile: scenario.costProfile === 'default' ? DEFAULT_COST_PROFILE : scenario.costProfile,
    heartbeatPeriodCycles: scenario.options.heartbeatPeriod.cycles,
    restartBackoff: scenario.options.restartBackoff,
    iommuMode: scenario.options.iommuMode,
    workload: scenario.workload,
    faults: scenario.faults,
    ...(overrides.systemConf === undefined ? {} : { systemConf: overrides.systemConf }),
    ...(overrides.isoImage === undefined ? {} : { isoImage: overrides.isoImage }),
    ...(overrides.extraPrograms === undefined ? {} : { extraPrograms: overrides.extraPrograms }),
  });
}
