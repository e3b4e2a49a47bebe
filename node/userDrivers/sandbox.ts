// A fresh vm context per driver instance holding only deterministic built-ins.
import * as vm from 'node:vm';

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

export interface SandboxOptions {
  /** Replaces Math.random; without it Math.random throws. Give it a seeded stream for determinism. */
  readonly random?: () => number;
  /** Receives console output; without it console output is dropped. */
  readonly console?: (level: ConsoleLevel, text: string) => void;
  /** A label for the context in debuggers. */
  readonly name?: string;
}

/**
 * Built-ins that read the clock, depend on garbage collection, share memory between threads or
 * compile code the step counter cannot see. Code generation from strings (eval, Function) is
 * switched off by the context's options instead, since deleting those would break `instanceof Function`.
 */
const REMOVED_GLOBALS = ['Date', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry', 'WebAssembly'];

// Runs inside the context, so that Math.random and console are functions of the driver's realm.
const SETUP = `(function (removed, source, write) {
  'use strict';
  for (const name of removed) delete globalThis[name];
  Math.random = source === undefined
    ? function random() { throw new Error('Math.random is not available to this driver: the simulator was given no seeded random stream for it'); }
    : function random() { return source(); };
  const format = (value) => {
    if (typeof value === 'string') return value;
    try { const json = JSON.stringify(value); return json === undefined ? String(value) : json; } catch { return String(value); }
  };
  const console = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    console[level] = function (...values) { if (write !== undefined) write(level, values.map(format).join(' ')); };
  }
  Object.defineProperty(globalThis, 'console', { value: Object.freeze(console), writable: false, configurable: false, enumerable: false });
})`;

export function createSandbox(options: SandboxOptions = {}): vm.Context {
  // A null-prototype global, so that `this.constructor` does not lead to the host's Function.
  const context = vm.createContext(Object.create(null) as object, {
    name: options.name ?? 'user driver',
    codeGeneration: { strings: false, wasm: false },
    // Promise jobs queued by a driver run only after a top-level evaluation, never at a host-chosen later time.
    microtaskMode: 'afterEvaluate',
  });
  const setup = vm.runInContext(SETUP, context) as (
    removed: readonly string[],
    random: (() => number) | undefined,
    write: ((level: ConsoleLevel, text: string) => void) | undefined,
  ) => void;
  const random = options.random;
  const write = options.console;
  setup(
    REMOVED_GLOBALS,
    random === undefined ? undefined : () => random(),
    write === undefined ? undefined : (level, text) => write(level, String(text)),
  );
  return context;
}
