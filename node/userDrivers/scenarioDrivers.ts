// The user drivers a scenario names, loaded from disk for `mklab run` and the editor's session alike.
import { existsSync, realpathSync } from 'node:fs';
import { readInputText } from '../files/boundedRead';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Scenario } from '../../simulator/config/scenario';
import type { ProgramMain } from '../../simulator/sdk/sys';
import type { BuiltinService } from '../../simulator/system/builtin';
import { formatDiagnostic, loadUserDriver } from '.';

/** Where RS starts the scenario's drivers at boot: after every built-in service. */
const FIRST_USER_BOOT_ORDER = 1000;

/**
 * Why `path` is not inside `folder` (after following links, so that a link
 * cannot lead a driver's code in from elsewhere), or undefined if it is.
 * Code is loaded only from the scenario's own folder tree: a scenario file
 * handed around cannot make the editor or CI run a file from anywhere else.
 */
function outsideFolder(path: string, folder: string): string | undefined {
  const within = (p: string, f: string) => {
    const r = relative(f, p);
    return r !== '' && !r.startsWith('..') && !isAbsolute(r);
  };
  if (!within(path, folder)) return `it is at ${path}`;
  let real: string;
  let realFolder: string;
  try {
    real = realpathSync(path);
    realFolder = realpathSync(folder);
  } catch {
    return undefined; // a missing file is reported where it is read
  }
  return within(real, realFolder) ? undefined : `it is a link to ${real}`;
}

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
    const outside = outsideFolder(path, baseDir);
    if (outside !== undefined) {
      problems.push(`${rel}: a driver must be a file in the scenario's folder ${baseDir} or below it; ${outside}`);
      continue;
    }
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
    const loaded = loadUserDriver(path, { name: label, memoryMb: scenario.options.driverMemoryMiB, stallMs: scenario.options.driverStallMs });
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
