// What booting a scenario needs from disk, read in one place for every Node
// front end (mklab run, the editor's session, the debugger): the system.conf
// its `system` names, the workspace CD image a cd-read workload names, and its
// user drivers, all relative to the scenario file's folder. The boot itself is
// the simulator's bootScenario; this only supplies its inputs.
import { readInputBytes, readInputText, InputFileError } from '../files/boundedRead';
import { isAbsolute, resolve } from 'node:path';
import type { Scenario } from '../../simulator/config/scenario';
import type { BuiltinService } from '../../simulator/system/builtin';
import { BUILTIN_IMAGES } from '../../simulator/services/isofs/isoBuilder';
import { loadScenarioDrivers } from '../userDrivers/scenarioDrivers';

/** A file the scenario names could not be read or loaded; the message says which and why, one problem a line. */
export class ScenarioFileError extends Error {}

export interface ScenarioFiles {
  readonly systemConf?: { readonly text: string; readonly file: string };
  readonly isoImage?: Uint8Array;
  readonly extraPrograms: readonly BuiltinService[];
}

/** Reads everything `scenario` names on disk, relative to `baseDir` (the scenario file's folder), as bootScenario's overrides. */
export function readScenarioFiles(scenario: Scenario, baseDir: string): ScenarioFiles {
  const confFile = scenario.system === 'default' ? undefined : resolve(baseDir, scenario.system);
  const systemConf = confFile === undefined ? undefined : { text: readText(confFile), file: confFile };
  const isoImage = workspaceIsoImage(scenario, baseDir);
  const { services, problems } = loadScenarioDrivers(scenario, baseDir);
  if (problems.length > 0) throw new ScenarioFileError(`the scenario's drivers could not be loaded:\n${problems.join('\n')}`);
  return {
    ...(systemConf === undefined ? {} : { systemConf }),
    ...(isoImage === undefined ? {} : { isoImage }),
    extraPrograms: services,
  };
}

function readText(path: string): string {
  try {
    return readInputText(path, 'systemConf');
  } catch (e) {
    throw new ScenarioFileError((e as Error).message);
  }
}

/** The bytes of the workspace image a cd-read workload names; built-in images are made by the boot itself. */
function workspaceIsoImage(scenario: Scenario, baseDir: string): Uint8Array | undefined {
  for (const w of scenario.workload) {
    if (w.kind !== 'cd-read' || w.image === null || BUILTIN_IMAGES[w.image] !== undefined) continue;
    const path = isAbsolute(w.image) ? w.image : resolve(baseDir, w.image);
    try {
      return readInputBytes(path, 'isoImage');
    } catch (e) {
      throw new ScenarioFileError(`cd-read: ${e instanceof InputFileError ? e.message : String(e)}`);
    }
  }
  return undefined;
}
