// Built-in drivers loaded from their source with every mutation site open, so that code-level faults
// (compile/mutation.ts) can strike them as SWIFI strikes a driver's text. The driver's own file is
// compiled as a user's driver is (TypeScript stripped, a step budget in every loop and function, lines
// kept); what it imports is the simulator's own modules, the same objects the compiled-in driver uses.
// A system opens a driver only when a fault asks for it: the compiled-in code is what runs otherwise.
import nicSource from 'source-text:../drivers/nic.ts';
import storageSource from 'source-text:../drivers/storageDriver.ts';
import printerSource from 'source-text:../drivers/printer.ts';
import pollModeSource from 'source-text:../drivers/pollModeNic.ts';
import * as sdk from '../sdk';
import * as hwNic from '../hw/nic';
import * as hwPlatform from '../hw/platform';
import * as hwPrinter from '../hw/printer';
import * as hwStorage from '../hw/storageDevice';
import * as amddev from '../services/amddev';
import * as inet from '../services/inet';
import * as messages from '../services/messages';
import * as sef from '../services/sef';
import * as storageMessages from '../services/storageMessages';
import * as nicRing from '../drivers/nicRing';
import { BLOCK_DRIVER_CONFIG } from '../drivers/block';
import { CDROM_DRIVER_CONFIG } from '../drivers/cdrom';
import type { StorageDriverConfig } from '../drivers/storageDriver';
import type { ProgramMain, Sys } from '../sdk';
import { compileDriverModule } from '../compile/compileModule';
import { formatDiagnostic } from '../compile/diagnostics';
import { MutationSwitches, type MutationSite } from '../compile/mutation';
import { CpuGuard } from '../compile/cpuGuard';
import type { OpenedProgram } from '../faults/injector';

/**
 * Steps a mutated driver may take between two kernel entries before it counts as spinning forever. The
 * built-in drivers' longest stretch (the NIC's ring set-up) is a few hundred steps.
 */
export const OPENED_STEP_BUDGET = 200_000;

interface OpenableDriver {
  /** The file, as the trace, the reports and Open Driver Source name it. */
  readonly file: string;
  readonly text: string;
  /** The modules its imports name, by the specifier it writes. */
  readonly modules: Readonly<Record<string, unknown>>;
  /** The program of one instance, from the module's exports (and the arguments of its factory, if it has one). */
  readonly main: (exports: Record<string, unknown>, args: readonly unknown[]) => ProgramMain;
}

const sdkModules = { '../sdk': sdk, '../sdk/index': sdk };

/** The drivers that can be opened, by the source file the system's service table names. */
const OPENABLE: Readonly<Record<string, OpenableDriver>> = {
  'simulator/drivers/nic.ts': {
    file: 'simulator/drivers/nic.ts',
    text: nicSource,
    modules: {
      ...sdkModules, '../hw/nic': hwNic, '../hw/platform': hwPlatform, '../services/amddev': amddev,
      '../services/messages': messages, '../services/sef': sef, './nicRing': nicRing,
    },
    main: (exports) => exports['nicDriver'] as ProgramMain,
  },
  'simulator/drivers/printer.ts': {
    file: 'simulator/drivers/printer.ts',
    text: printerSource,
    modules: { ...sdkModules, '../hw/printer': hwPrinter, '../hw/platform': hwPlatform, '../services/sef': sef, '../services/storageMessages': storageMessages },
    main: (exports) => exports['printerDriverMain'] as ProgramMain,
  },
  // Under kernel-bypass, the application's poll-mode NIC driver (a factory of the application's program).
  'simulator/drivers/pollModeNic.ts': {
    file: 'simulator/drivers/pollModeNic.ts',
    text: pollModeSource,
    modules: {
      ...sdkModules, '../hw/nic': hwNic, '../hw/platform': hwPlatform, '../services/inet': inet, '../services/amddev': amddev,
      './nicRing': nicRing, '../services/messages': messages,
    },
    main: (exports, args) => (exports['pollModeStream'] as (...a: readonly unknown[]) => ProgramMain)(...args),
  },
  // The disk and CD-ROM drivers are one program with a configuration each (block.ts, cdrom.ts).
  'simulator/drivers/block.ts': storageDriverWith(BLOCK_DRIVER_CONFIG),
  'simulator/drivers/cdrom.ts': storageDriverWith(CDROM_DRIVER_CONFIG),
};

function storageDriverWith(config: StorageDriverConfig): OpenableDriver {
  return {
    file: 'simulator/drivers/storageDriver.ts',
    text: storageSource,
    modules: {
      ...sdkModules, '../services/sef': sef, '../hw/storageDevice': hwStorage, '../hw/platform': hwPlatform,
      '../services/amddev': amddev, '../services/storageMessages': storageMessages,
    },
    main: (exports) => (exports['storageDriver'] as (c: StorageDriverConfig) => ProgramMain)(config),
  };
}

interface CompiledDriver {
  readonly factory: (exports: object, require: (s: string) => unknown, module: { exports: object }, tick: (line: number, column: number) => void, mut: MutationSwitches) => void;
  readonly sites: readonly MutationSite[];
}

/** Compiled once per process: the text and its sites do not change while it runs. */
const compiled = new Map<string, CompiledDriver>();

function compile(driver: OpenableDriver): CompiledDriver {
  const known = compiled.get(driver.file);
  if (known !== undefined) return known;
  const result = compileDriverModule(driver.file, driver.text, new Set(), { mutable: true });
  if (!result.ok) throw new Error(`a built-in driver does not compile: ${result.diagnostics.map(formatDiagnostic).join('; ')}`);
  const factory = new Function('exports', 'require', 'module', '__mklabTick', '__mklabMut', result.module.code) as CompiledDriver['factory'];
  const entry = { factory, sites: result.module.sites ?? [] };
  compiled.set(driver.file, entry);
  return entry;
}

/** Whether a service's driver can be opened for code-level faults. */
export function isOpenable(sourceFile: string | undefined): boolean {
  return sourceFile !== undefined && Object.hasOwn(OPENABLE, sourceFile);
}

/** The mutation sites of a built-in driver, by the source file its service names. */
export function openedSites(sourceFile: string): readonly MutationSite[] {
  const driver = OPENABLE[sourceFile];
  if (driver === undefined) throw new Error(`${sourceFile} cannot be opened for code-level faults`);
  return compile(driver).sites;
}

/** A program that runs each instance from the opened source, with switches of its own. */
export function openedProgram(sourceFile: string, args: readonly unknown[] = []): (sys: Sys) => OpenedProgram {
  const driver = OPENABLE[sourceFile];
  if (driver === undefined) throw new Error(`${sourceFile} cannot be opened for code-level faults`);
  const { factory, sites } = compile(driver);
  const require = (specifier: string): unknown => {
    const m = driver.modules[specifier];
    if (m === undefined) throw new Error(`${driver.file} imports ${specifier}, which its opened form does not provide`);
    return m;
  };
  return (sys) => {
    // A fresh module per instance, as a restarted driver is loaded afresh: a mutation dies with its instance.
    const switches = new MutationSwitches(sites);
    const guard = new CpuGuard(OPENED_STEP_BUDGET);
    const module = { exports: {} as Record<string, unknown> };
    factory(module.exports, require, module, (line, column) => guard.tick(driver.file, line, column), switches);
    return { program: driver.main(module.exports, args)(sys), switches, guard, file: driver.file };
  };
}
