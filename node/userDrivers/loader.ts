// Loads a user's driver from their folder: compiles its module graph, checks it, and runs each instance in a process of its own.
import { statSync } from 'node:fs';
import { readInputText } from '../files/boundedRead';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import type { Sys } from '../../simulator/sdk/sys';
import { compileDriverModule, DRIVER_EXTENSIONS, type CompiledModule, type ModuleImport } from '../../simulator/compile/compileModule';
import { DEFAULT_CPU_BUDGET, isCpuBudgetExceeded } from '../../simulator/compile/cpuGuard';
import type { Diagnostic } from '../../simulator/compile/diagnostics';
import { locateError } from './locateError';
import {
  checkIsolated, DEFAULT_MEMORY_MB, DEFAULT_STALL_MS, DriverStopped, IsolatedInstance, type HostServices, type IsolatedProgram,
} from './isolation/host';

/** The name a driver imports the SDK by, for its values (Message, ANY, OK...) as well as its types. */
export const SDK_MODULE = 'microkernel-lab';

export const DEFAULT_LOAD_TIMEOUT_MS = 2000;

export interface LoadOptions extends HostServices {
  /** The program's name; the entry file's name without its extension if absent. */
  readonly name?: string;
  /** Steps a driver instance may take between two kernel entries: the deterministic limit. */
  readonly budget?: number;
  /** Host milliseconds the modules' top-level code may take at load, a backstop for work the step counter cannot see. */
  readonly timeoutMs?: number;
  /** Host milliseconds an instance may run between kernel entries before it is stopped from outside its process. */
  readonly stallMs?: number;
  /** Memory (old generation) an instance's process may use, in MiB; past it the instance is stopped (array buffers count too, see isolation/host.ts). */
  readonly memoryMb?: number;
  /** The folder relative imports must stay inside; the entry file's folder if absent. */
  readonly root?: string;
}

export type UserMain = (sys: Sys) => IsolatedInstance;

export interface UserProgram {
  readonly name: string;
  /** The entry file, absolute. */
  readonly source: string;
  /** Every file of the driver, absolute, the entry first. */
  readonly files: readonly string[];
  readonly budget: number;
  /** The limits enforced from outside each instance's process. */
  readonly memoryMb: number;
  readonly stallMs: number;
  /**
   * Starts an instance in a process of its own: its modules are evaluated
   * afresh in a new realm (a restarted driver starts with fresh globals, as a
   * new MINIX process image would) and its main is called with the SDK of that
   * realm, which reaches `sys` only through text. Never throws: an instance
   * that cannot start fails at its first resume, as a crashing driver.
   */
  readonly main: UserMain;
  /** Maps a 1-based position in the code that ran back to the user's file; undefined for files not in the driver. */
  originalPosition(file: string, line: number, column: number): { line: number; column: number } | undefined;
}

export type LoadResult =
  | { readonly ok: true; readonly program: UserProgram }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

interface Graph {
  readonly modules: Map<string, CompiledModule>;
  /** For each file, its import specifiers resolved to files. */
  readonly links: Map<string, Map<string, string>>;
  readonly diagnostics: Diagnostic[];
}

/** Never throws for bad input: every problem comes back as a located diagnostic. */
export function loadUserDriver(path: string, options: LoadOptions = {}): LoadResult {
  const entry = resolve(path);
  const root = resolve(options.root ?? dirname(entry));
  const budget = options.budget ?? DEFAULT_CPU_BUDGET;
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const limit = (value: number, what: string, least: number) =>
    Number.isSafeInteger(value) && value >= least ? undefined : `${what} must be an integer of at least ${least}, got ${value}`;
  const bad = limit(budget, 'the CPU budget', 1) ?? limit(memoryMb, 'the memory limit (MiB)', 16) ?? limit(stallMs, 'the stall limit (ms)', 1);
  if (bad !== undefined) return { ok: false, diagnostics: [{ file: entry, line: 1, column: 1, code: 'cpu-budget', message: bad }] };
  const graph = compileGraph(entry, root, new Set([SDK_MODULE]));
  graph.diagnostics.push(...findCycles(entry, graph, root));
  if (graph.diagnostics.length > 0) return { ok: false, diagnostics: graph.diagnostics };

  const files = [...graph.modules.keys()];
  const isolated: IsolatedProgram = {
    name: options.name ?? basename(entry, extname(entry)),
    config: {
      entry,
      files,
      links: Object.fromEntries([...graph.links].map(([file, links]) => [file, Object.fromEntries(links)])),
      budget,
      sdkModule: SDK_MODULE,
    },
    modules: files.map((file) => ({ file, code: graph.modules.get(file)!.code })),
    limits: { memoryMb, stallMs },
    host: { random: options.random, console: options.console },
    // A runtime error names the user's file, line and column, mapped back through the compilation.
    locate: (error) => {
      const at = locateError(error, program);
      return at.located ? { file: at.file, line: at.line, column: at.column } : undefined;
    },
  };
  const program: UserProgram = {
    name: isolated.name,
    source: entry,
    files,
    budget,
    memoryMb,
    stallMs,
    originalPosition(file, line, column) {
      const compiled = graph.modules.get(file);
      if (!compiled) return undefined;
      const at = compiled.positions({ line: line - 1, column: column - 1 });
      return { line: at.line + 1, column: at.column + 1 };
    },
    main: (sys) => new IsolatedInstance(isolated, sys),
  };

  // Evaluating once now, in a process of its own, turns top-level errors and a missing main into diagnostics.
  const checked = checkIsolated(isolated, options.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS);
  if ('error' in checked) return { ok: false, diagnostics: [evaluationDiagnostic(checked.error, program)] };
  const mainLocation = graph.modules.get(entry)?.mainLocation ?? { line: 1, column: 1 };
  if (checked.main === 'none') {
    return {
      ok: false,
      diagnostics: [{ file: entry, ...mainLocation, code: 'no-main', message: 'a driver must export a generator function named main (export function* main(sys) { ... }) or export one as default' }],
    };
  }
  if (checked.main === 'function') {
    return {
      ok: false,
      diagnostics: [{ file: entry, ...mainLocation, code: 'main-not-generator', message: 'main must be a generator function (function* main(sys)), so that its blocking calls can be written yield sys.receive(...)' }],
    };
  }
  return { ok: true, program };
}

function compileGraph(entry: string, root: string, hostModules: ReadonlySet<string>): Graph {
  const graph: Graph = { modules: new Map(), links: new Map(), diagnostics: [] };
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    let text: string;
    try {
      text = readInputText(file, 'userDriver');
    } catch (error) {
      graph.diagnostics.push({ file, line: 1, column: 1, code: 'unreadable', message: `the driver file cannot be read: ${(error as Error).message}` });
      continue;
    }
    const result = compileDriverModule(file, text, hostModules);
    if (!result.ok) {
      graph.diagnostics.push(...result.diagnostics);
      continue;
    }
    graph.modules.set(file, result.module);
    const links = new Map<string, string>();
    graph.links.set(file, links);
    for (const imported of result.module.imports) {
      const target = resolveImport(file, imported, root);
      if (typeof target !== 'string') {
        graph.diagnostics.push(target);
        continue;
      }
      links.set(imported.specifier, target);
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return graph;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const TYPESCRIPT_FOR_JAVASCRIPT: Readonly<Record<string, string>> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

function resolveImport(from: string, imported: ModuleImport, root: string): string | Diagnostic {
  const { specifier } = imported;
  const located = { file: from, line: imported.line, column: imported.column, endLine: imported.endLine, endColumn: imported.endColumn };
  const target = resolve(dirname(from), specifier);
  const fromRoot = relative(root, target);
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) {
    return { ...located, code: 'import-outside-folder', message: `${JSON.stringify(specifier)} is outside the driver's folder ${root}` };
  }
  const extension = extname(target).toLowerCase();
  const candidates = DRIVER_EXTENSIONS.includes(extension)
    ? [target, ...(TYPESCRIPT_FOR_JAVASCRIPT[extension] ? [target.slice(0, -extension.length) + TYPESCRIPT_FOR_JAVASCRIPT[extension]] : [])]
    : [...DRIVER_EXTENSIONS.map((e) => target + e), ...DRIVER_EXTENSIONS.map((e) => resolve(target, 'index' + e))];
  const found = candidates.find(isFile);
  if (found) return found;
  return {
    ...located,
    code: 'import-not-found',
    message: `${JSON.stringify(specifier)} was not found: expected one of ${candidates.map((c) => relative(dirname(from), c)).join(', ')}`,
  };
}

function findCycles(entry: string, graph: Graph, root: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    stack.push(file);
    const imports = graph.modules.get(file)?.imports ?? [];
    for (const imported of imports) {
      const target = graph.links.get(file)?.get(imported.specifier);
      if (target === undefined || done.has(target)) continue;
      const index = stack.indexOf(target);
      if (index >= 0) {
        const cycle = [...stack.slice(index), target].map((f) => relative(root, f)).join(' → ');
        diagnostics.push({
          file,
          line: imported.line,
          column: imported.column,
          endLine: imported.endLine,
          endColumn: imported.endColumn,
          code: 'import-cycle',
          message: `import cycle: ${cycle}; a driver's files must import each other without a cycle`,
        });
        continue;
      }
      visit(target);
    }
    stack.pop();
    done.add(file);
  };
  visit(entry);
  return diagnostics;
}

function evaluationDiagnostic(error: unknown, program: UserProgram): Diagnostic {
  if (isCpuBudgetExceeded(error)) {
    return {
      file: error.file,
      line: error.line,
      column: error.column,
      code: 'cpu-budget',
      message: `the driver's top-level code ran ${error.budget} steps without finishing; this loop never ends`,
    };
  }
  if (error instanceof DriverStopped && error.name === 'StallLimit') {
    return {
      file: program.source,
      line: 1,
      column: 1,
      code: 'timeout',
      message: 'loading the driver did not finish in time: its top-level code does work the step counter cannot see (a slow regular expression, a huge built-in operation)',
    };
  }
  if (error instanceof DriverStopped) {
    return { file: program.source, line: 1, column: 1, code: 'limit', message: `loading the driver failed: ${error.message}` };
  }
  const located = locateError(error, program);
  return { file: located.file, line: located.line, column: located.column, code: 'load-exception', message: `loading the driver threw ${located.message}` };
}
