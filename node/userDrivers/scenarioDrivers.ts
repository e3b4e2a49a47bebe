// The user drivers a scenario names, loaded from disk for `mklab run` and the editor's session alike.
import { existsSync } from 'node:fs';
import { readInputText } from '../files/boundedRead';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Scenario } from '../../simulator/config/scenario';
import type { ProgramMain } from '../../simulator/sdk/sys';
import type { BuiltinService } from '../../simulator/system/builtin';
import { formatDiagnostic, loadUserDriver } from '.';

/** Where RS starts the scenario's drivers at boot: after every built-in service. */
const FIRST_USER_BOOT_ORDER = 1000;

/**
 * Loads each driver of `scenario.userDrivers` (relative to `baseDir`). A driver `foo.ts` takes its
 * privileges from `foo.conf` beside it, as MINIX's per-driver files do. Every problem is a line of
 * `problems`; the services are only usable when there is none.
 */
export function loadScenarioDrivers(scenario: Scenario, baseDir: string): { services: BuiltinService[]; problems: string[] } {
  const services: BuiltinService[] = [];
  const problems: string[] = [];
  for (const rel of scenario.userDrivers) {
    const path = resolve(baseDir, rel);
    const label = basename(path, extname(path));
    const confPath = join(dirname(path), `${label}.conf`);
    if (!existsSync(confPath)) {
      problems.push(`${rel}: expected ${label}.conf beside it, describing the driver's privileges (service ${label} { ... };)`);
      continue;
    }
    let conf: string;
    try {
      conf = readInputText(confPath, 'systemConf');
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    const loaded = loadUserDriver(path, { name: label });
    if (!loaded.ok) {
      problems.push(...loaded.diagnostics.map(formatDiagnostic));
      continue;
    }
    services.push({
      label,
      kind: 'driver',
      main: loaded.program.main as unknown as ProgramMain,
      sourceFile: loaded.program.source,
      conf,
      description: `user driver ${rel}`,
      // Listed in the scenario to run, so RS starts them at boot.
      bootOrder: FIRST_USER_BOOT_ORDER + services.length,
      // A user's driver does not report its initialisation through SEF: RS counts it as up once started.
      sef: false,
    });
  }
  return { services, problems };
}
