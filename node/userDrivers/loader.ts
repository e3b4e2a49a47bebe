// Loads a user's driver from their folder: compiles its module graph, checks it, and runs each instance in a fresh sandbox.
import { statSync } from 'node:fs';
import { readInputText } from '../files/boundedRead';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import * as vm from 'node:vm';
import { compileDriverModule, DRIVER_EXTENSIONS, TICK_NAME, type CompiledModule, type ModuleImport } from './compileModule';
import { CpuGuard, DEFAULT_CPU_BUDGET, isCpuBudgetExceeded } from './cpuGuard';
import type { Diagnostic } from './diagnostics';
import { guarded, locateError } from './locateError';
import { createSandbox, type SandboxOptions } from './sandbox';

export const DEFAULT_LOAD_TIMEOUT_MS = 2000;

export interface LoadOptions extends SandboxOptions {
  /** The program's name; the entry file's name without its extension if absent. */
  readonly name?: string;
  /** Steps a driver instance may take between two kernel entries. */
  readonly budget?: number;
  /** Wall-clock limit on evaluating the modules' top-level code, a backstop for work the step counter cannot see. */
  readonly timeoutMs?: number;
  /** The folder relative imports must stay inside; the entry file's folder if absent. */
  readonly root?: string;
  /** Modules the host lets drivers import by name, such as the SDK's constants. */
  readonly hostModules?: Readonly<Record<string, unknown>>;
}

export type UserMain = (sys: unknown) => GuardedGenerator;

export interface UserProgram {
  readonly name: string;
  /** The entry file, absolute. */
  readonly source: string;
  /** Every file of the driver, absolute, the entry first. */
  readonly files: readonly string[];
  readonly budget: number;
  /**
   * Starts an instance: evaluates the driver's modules afresh in a new sandbox (a restarted driver
   * starts with fresh globals, as a new MINIX process image would) and calls its main with `sys`.
   * Throws only if evaluation fails where loading succeeded, which only the wall-clock backstop can cause.
   */
  readonly main: UserMain;
  /** Maps a 1-based position in the code that ran back to the user's file; undefined for files not in the driver. */
  originalPosition(file: string, line: number, column: number): { line: number; column: number } | undefined;
}

export type LoadResult =
  | { readonly ok: true; readonly program: UserProgram }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * A driver instance's generator. Every resumption is a return from the kernel, so it resets the
 * guard first; if the driver spun past its budget (even if it caught the error) the step throws
 * the guard's CpuBudgetExceeded.
 */
export class GuardedGenerator implements Generator<unknown, unknown, unknown> {
  constructor(
    private readonly inner: Generator<unknown, unknown, unknown>,
    readonly guard: CpuGuard,
  ) {}

  next(...args: [] | [unknown]): IteratorResult<unknown, unknown> {
    return this.step(() => this.inner.next(...args));
  }

  return(value: unknown): IteratorResult<unknown, unknown> {
    return this.step(() => this.inner.return(value));
  }

  throw(error: unknown): IteratorResult<unknown, unknown> {
    return this.step(() => this.inner.throw(error));
  }

  [Symbol.iterator](): this {
    return this;
  }

  private step(run: () => IteratorResult<unknown, unknown>): IteratorResult<unknown, unknown> {
    this.guard.reset();
    let result: IteratorResult<unknown, unknown>;
    try {
      result = run();
    } catch (error) {
      const thrown = readableThrow(error);
      throw this.guard.tripped ?? thrown;
    }
    if (this.guard.tripped) throw this.guard.tripped;
    // The driver's realm made this object; the kernel gets one of its own.
    return result.done ? { done: true, value: result.value } : { done: false, value: result.value };
  }
}

/**
 * What a driver throws reaches the kernel, which prints it. A value that cannot be printed (a proxy
 * whose traps throw, an object whose toString throws) is replaced by an error that says so; any
 * other value passes unchanged, so that its stack still locates the throw.
 */
function readableThrow(error: unknown): unknown {
  try {
    if ((typeof error === 'object' || typeof error === 'function') && error !== null) {
      Object.getPrototypeOf(error);
      const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
      void [String(name), String(message), String(stack)];
    }
    String(error);
    return error;
  } catch {
    return new Error('the driver threw a value that cannot be read or printed (a proxy, or an object whose toString throws)');
  }
}

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
  if (!Number.isSafeInteger(budget) || budget < 1) {
    return { ok: false, diagnostics: [{ file: entry, line: 1, column: 1, code: 'cpu-budget', message: `the CPU budget must be a positive integer, got ${budget}` }] };
  }
  const hostModules = new Map(Object.entries(options.hostModules ?? {}));
  const graph = compileGraph(entry, root, new Set(hostModules.keys()));
  graph.diagnostics.push(...findCycles(entry, graph, root));
  if (graph.diagnostics.length > 0) return { ok: false, diagnostics: graph.diagnostics };

  const files = [...graph.modules.keys()];
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  const instantiate = (): { exports: Record<string, unknown>; guard: CpuGuard } => {
    const guard = new CpuGuard(budget);
    return { exports: evaluateGraph(entry, graph, hostModules, guard, timeoutMs, options), guard };
  };
  const program: UserProgram = {
    name: options.name ?? basename(entry, extname(entry)),
    source: entry,
    files,
    budget,
    originalPosition(file, line, column) {
      const compiled = graph.modules.get(file);
      if (!compiled) return undefined;
      const at = compiled.positions({ line: line - 1, column: column - 1 });
      return { line: at.line + 1, column: at.column + 1 };
    },
    main(sys) {
      const { exports, guard } = instantiate();
      guard.reset();
      try {
        const main = mainExport(exports);
        const generator = (main as (sys: unknown) => Generator<unknown, unknown, unknown>)(sys);
        if (guard.tripped) throw guard.tripped;
        return new GuardedGenerator(generator, guard);
      } catch (error) {
        const thrown = readableThrow(error);
        throw guard.tripped ?? thrown;
      }
    },
  };

  // Evaluating once now turns top-level errors and a missing main into diagnostics rather than process crashes.
  // Reading main may run the driver's code too (module.exports may have a getter), so it is inside the try.
  let main: unknown;
  let isGenerator = false;
  try {
    main = mainExport(instantiate().exports);
    isGenerator = typeof main === 'function' && Object.prototype.toString.call(main) === '[object GeneratorFunction]';
  } catch (error) {
    return { ok: false, diagnostics: [evaluationDiagnostic(error, program)] };
  }
  const mainLocation = graph.modules.get(entry)?.mainLocation ?? { line: 1, column: 1 };
  if (typeof main !== 'function') {
    return {
      ok: false,
      diagnostics: [{ file: entry, ...mainLocation, code: 'no-main', message: 'a driver must export a generator function named main (export function* main(sys) { ... }) or export one as default' }],
    };
  }
  if (!isGenerator) {
    return {
      ok: false,
      diagnostics: [{ file: entry, ...mainLocation, code: 'main-not-generator', message: 'main must be a generator function (function* main(sys)), so that its blocking calls can be written yield* sys.receive(...)' }],
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

const MODULE_PARAMETERS = ['exports', 'require', 'module', TICK_NAME];

function evaluateGraph(
  entry: string,
  graph: Graph,
  hostModules: ReadonlyMap<string, unknown>,
  guard: CpuGuard,
  timeoutMs: number,
  sandboxOptions: SandboxOptions,
): Record<string, unknown> {
  const context = createSandbox(sandboxOptions);
  const newModule = vm.runInContext('() => ({ exports: {} })', context) as () => { exports: Record<string, unknown> };
  const evaluated = new Map<string, { exports: Record<string, unknown> }>();
  const evaluate = (file: string): Record<string, unknown> => {
    const done = evaluated.get(file);
    if (done) return done.exports;
    const compiled = graph.modules.get(file)!;
    const links = graph.links.get(file)!;
    const module = newModule();
    evaluated.set(file, module);
    const body = vm.compileFunction(compiled.code, MODULE_PARAMETERS, { filename: file, parsingContext: context });
    const require = (specifier: unknown): unknown => {
      if (typeof specifier === 'string' && hostModules.has(specifier)) return hostModules.get(specifier);
      const target = typeof specifier === 'string' ? links.get(specifier) : undefined;
      if (target === undefined) throw new Error(`${String(specifier)} cannot be loaded by a driver`);
      return evaluate(target);
    };
    const tick = (line: number, column: number): void => guard.tick(file, line, column);
    body.call(module.exports, module.exports, require, module, tick);
    return module.exports;
  };
  const start = '__mklabStart';
  Object.defineProperty(context, start, { value: () => evaluate(entry), configurable: true });
  try {
    const timeout = Number.isFinite(timeoutMs) && timeoutMs > 0 ? { timeout: Math.ceil(timeoutMs) } : {};
    vm.runInContext(`${start}()`, context, { ...timeout, filename: 'microkernel-lab:load' });
  } finally {
    delete (context as Record<string, unknown>)[start];
  }
  return evaluated.get(entry)!.exports;
}

/** The driver's main: its export named main, else its default export (`module.exports` may be anything). */
function mainExport(exports: unknown): unknown {
  if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return undefined;
  const named = exports as Record<string, unknown>;
  return named.main ?? named.default;
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
  if (guarded(() => (error as { code?: unknown }).code) === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
    return {
      file: program.source,
      line: 1,
      column: 1,
      code: 'timeout',
      message: 'loading the driver did not finish in time: its top-level code does work the step counter cannot see (a slow regular expression, a huge built-in operation)',
    };
  }
  const located = locateError(error, program);
  return { file: located.file, line: located.line, column: located.column, code: 'load-exception', message: `loading the driver threw ${located.message}` };
}
