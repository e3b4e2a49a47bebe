// User drivers under mutation: damaged sources (syntax errors, throws at load, endless loops, wrong
// exports) either load with located diagnostics or run and are stopped; nothing a driver does
// makes the loader, the step budget or the error locator throw into the host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileDriverModule } from '../../../simulator/compile/compileModule';
import { loadUserDriver, locateError, type Diagnostic, type LoadResult, type UserProgram } from '../../../node/userDrivers';
import { bootSystem } from '../../../simulator/system/boot';
import type { BuiltinService } from '../../../simulator/system/builtin';
import type { ProgramMain } from '../../../simulator/sdk/sys';
import { RecordingSys } from '../recordingSys';
import type { Sys } from '../../../simulator/sdk/sys';
import { FUZZ_SEED, Rng, assertLocatedIn, mutateText, show } from './fuzz';

const root = mkdtempSync(join(tmpdir(), 'mklab-driver-fuzz-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

const TS_DRIVER = `import { ANY, Message, type Sys } from 'microkernel-lab';
import { checksum } from './util';

const table: number[] = [];
for (let i = 0; i < 16; i++) table.push(i * 3);

export function* main(sys: Sys): Generator<unknown, number, number> {
  const m = new Message();
  let total = 0;
  for (let n = 0; n < 3; n++) {
    const r: number = yield sys.receive(ANY, m);
    total += checksum([r & 0xff, m.type]) + (table[m.type & 15] ?? 0);
    if (total > 1e9) throw new RangeError(\`total \${total} too large\`);
  }
  return total;
}
`;

const TS_UTIL = `export function checksum(bytes: readonly number[]): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xffff;
  return sum;
}
`;

const JS_DRIVER = `import { ANY, Message } from 'microkernel-lab';
export default function* echo(sys) {
  const seen = new Map();
  const m = new Message();
  while (true) {
    const r = yield sys.receive(ANY, m);
    seen.set(r, (seen.get(r) ?? 0) + 1);
    if (seen.size > 100) break;
    m.type = seen.get(r);
    yield sys.send(3, m);
  }
}
`;

const TOKENS = [
  'while (true) {}', 'for (;;) {}', 'throw new Error("boom");', 'throw 42;', 'throw null;', 'throw { message: { toString() { throw 1; } } };',
  'function f() { return f(); } f();', 'export const main = 5;', 'export function main() {}', 'export default 1;', 'export {};',
  'module.exports = null;', 'require("fs")', 'import("fs")', 'await 1', 'async ', 'yield', 'yield*', '__mklabTick(1,1);',
  'process.exit(1)', 'globalThis.constructor', 'eval("1")', 'new Function("return this")()', 'debugger;', 'arguments',
  '{', '}', '(', ')', '[', ']', ';', ',', '=>', '`', '${', '"', "'", '/*', '*/', '//', '<', '>', ':', '?', '!', '@', '#x', 'enum E { A }',
  'as any', 'satisfies', 'declare', 'namespace N {}', 'x!', 'import type', 'export *', 'label: for (;;) continue label;',
];

/** What the host gives a driver: blocking calls that yield requests. */
function writeDriver(files: Record<string, string>): string {
  const folder = join(root, `case${folders++}`);
  mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return join(folder, Object.keys(files)[0]!);
}

function checkDiagnostics(diagnostics: readonly Diagnostic[], what: string): void {
  assert.ok(diagnostics.length > 0, `${what}: refused without a diagnostic`);
  for (const d of diagnostics) {
    let text = '';
    try {
      text = readFileSync(d.file, 'utf8');
    } catch {
      assert.equal(d.code, 'unreadable', `${what}: diagnostic names ${d.file}`);
    }
    assertLocatedIn(text, d, `${what} [${d.code}]`);
  }
}

/** Runs an instance for at most `steps` kernel entries; an exception must be locatable inside the driver's files. */
function runInstance(program: UserProgram, steps: number, what: string): 'done' | 'stopped' | 'running' {
  let thrown: unknown;
  try {
    const instance = program.main(new RecordingSys() as unknown as Sys);
    let r = instance.next();
    for (let i = 0; i < steps && !r.done; i++) r = instance.next(i % 3 === 0 ? 0 : -i);
    return r.done ? 'done' : 'running';
  } catch (e) {
    thrown = e;
  }
  let located: ReturnType<typeof locateError>;
  try {
    located = locateError(thrown, program);
  } catch (e) {
    assert.fail(`${what}\nlocateError threw ${String(e)} for a driver that threw`);
  }
  assert.ok(located.message.length > 0, what);
  assert.ok(program.files.includes(located.file), `${what}: located in ${located.file}`);
  if (located.located) assertLocatedIn(readFileSync(located.file, 'utf8'), located, what);
  return 'stopped';
}

function loadChecked(path: string, what: string): LoadResult {
  let r: LoadResult;
  try {
    r = loadUserDriver(path, { budget: 50_000, timeoutMs: 500 });
  } catch (e) {
    assert.fail(`${what}\nloadUserDriver threw ${String(e)}`);
  }
  if (!r.ok) checkDiagnostics(r.diagnostics, what);
  return r;
}

test('the base drivers load and run to the end', () => {
  const ts = loadChecked(writeDriver({ 'nic.ts': TS_DRIVER, 'util.ts': TS_UTIL }), 'ts base');
  assert.ok(ts.ok);
  assert.equal(runInstance(ts.program, 10, 'ts base'), 'done');
  const js = loadChecked(writeDriver({ 'echo.js': JS_DRIVER }), 'js base');
  assert.ok(js.ok);
  assert.equal(runInstance(js.program, 5, 'js base'), 'running');
});

test('mutated driver sources compile or give diagnostics inside the source', () => {
  const rng = new Rng(FUZZ_SEED, 40);
  const bases: [string, string][] = [
    ['nic.ts', TS_DRIVER],
    ['util.ts', TS_UTIL],
    ['echo.js', JS_DRIVER],
  ];
  let refused = 0;
  const N = 1500;
  for (let i = 0; i < N; i++) {
    const [file, base] = rng.pick(bases);
    const text = mutateText(rng, base, TOKENS);
    const what = `${file} mutant ${i} (seed ${FUZZ_SEED}): ${show(text)}`;
    let r: ReturnType<typeof compileDriverModule>;
    try {
      r = compileDriverModule(`/drivers/${file}`, text, new Set());
    } catch (e) {
      assert.fail(`${what}\ncompiling threw ${String(e)}`);
    }
    if (!r.ok) {
      refused++;
      for (const d of r.diagnostics) assertLocatedIn(text, d, `${what} [${d.code}]`);
    }
  }
  assert.ok(refused > N * 0.3, `only ${refused} of ${N} mutants were refused`);
});

test('mutated drivers loaded from disk and run: located diagnostics, or an instance that ends, runs, or is stopped', () => {
  const rng = new Rng(FUZZ_SEED, 41);
  const outcomes = new Map<string, number>();
  // Each load and each run starts a thread: 80 mutants here, more in `npm run fuzz`.
  for (let i = 0; i < 80; i++) {
    const ts = rng.chance(0.6);
    const files: Record<string, string> = ts
      ? { 'nic.ts': mutateText(rng, TS_DRIVER, TOKENS), 'util.ts': rng.chance(0.3) ? mutateText(rng, TS_UTIL, TOKENS) : TS_UTIL }
      : { 'echo.js': mutateText(rng, JS_DRIVER, TOKENS) };
    const what = `driver mutant ${i} (seed ${FUZZ_SEED}): ${show(Object.values(files)[0]!)}`;
    const r = loadChecked(writeDriver(files), what);
    const outcome = r.ok ? runInstance(r.program, 20, what) : `refused:${r.diagnostics[0]!.code}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  // Both sides must be reached: mutants that load and run, and mutants that are refused.
  assert.ok([...outcomes.keys()].some((k) => !k.startsWith('refused')), JSON.stringify([...outcomes]));
  assert.ok([...outcomes.keys()].filter((k) => k.startsWith('refused')).length >= 2, JSON.stringify([...outcomes]));
});

/** Hostile drivers: each must be refused with a located diagnostic, or load and then be stopped with a locatable error. */
const HOSTILE: Record<string, string> = {
  'throws an Error at load': 'throw new Error("at load");\nexport function* main() {}\n',
  'throws a number at load': 'throw 42;\nexport function* main() {}\n',
  'throws undefined at load': 'throw undefined;\nexport function* main() {}\n',
  'throws a symbol at load': 'throw Symbol("s");\nexport function* main() {}\n',
  'throws an object whose message cannot be printed': 'throw { name: "E", message: { toString() { throw new Error("no"); } } };\nexport function* main() {}\n',
  'throws an object whose toString loops': 'throw { message: { toString() { for (;;) {} } } };\nexport function* main() {}\n',
  'throws a proxy that throws on every access': 'throw new Proxy({}, { get() { throw new Error("trap"); }, has() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });\nexport function* main() {}\n',
  'loops forever at load': 'for (;;) {}\nexport function* main() {}\n',
  'recurses forever at load': 'function f(): number { return f() + 1; }\nf();\nexport function* main() {}\n',
  'main is a number': 'export const main = 5;\n',
  'main is a plain function': 'export function main() { return 1; }\n',
  'main is an arrow function returning an iterator-like object': 'export const main = () => ({ next() { return { done: false, value: 1 }; } });\n',
  'no main': 'export const other = 1;\n',
  'main replaced through module.exports': 'export function* main() {}\nmodule.exports = null;\n',
  'module.exports with a throwing getter for main': 'module.exports = { get main() { throw new Error("getter"); } };\n',
  'module.exports with a looping getter for main': 'module.exports = { get main() { for (;;) {} } };\n',
  'main loops before its first yield': 'export function* main() { for (;;) {} }\n',
  'main loops after a yield': 'export function* main() { yield 1; while (true) {} }\n',
  'main recurses forever': 'function g(n: number): number { return g(n + 1); }\nexport function* main() { yield 1; g(0); }\n',
  'main throws a proxy': 'export function* main() { yield 1; throw new Proxy({}, { get() { throw new Error("trap"); } }); }\n',
  'main swallows the budget error and keeps spinning': 'export function* main() { yield 1; for (;;) { try { for (;;) {} } catch {} } }\n',
  'main yields a getter that throws': 'export function* main() { yield { get call() { throw new Error("x"); } }; }\n',
  'syntax error at the end': 'export function* main() {\n  yield (1 +\n',
  'nul bytes and lone surrogates': 'export function* main() { yield "\u0000\ud800"; }\n\u0000',
  'an empty file': '',
};

test('hostile drivers: refused with a located diagnostic, or loaded, run and stopped; the host never sees an exception', () => {
  const outcomes: Record<string, string> = {};
  for (const [name, source] of Object.entries(HOSTILE)) {
    const r = loadChecked(writeDriver({ 'hostile.ts': source }), name);
    outcomes[name] = r.ok ? runInstance(r.program, 10, name) : `refused:${r.diagnostics[0]!.code}`;
  }
  // What a user must be told: a bad main is refused at load, a spinning driver is stopped.
  assert.equal(outcomes['main is a number'], 'refused:no-main');
  assert.equal(outcomes['main is a plain function'], 'refused:main-not-generator');
  assert.equal(outcomes['no main'], 'refused:no-main');
  assert.equal(outcomes['loops forever at load'], 'refused:cpu-budget');
  assert.equal(outcomes['main loops after a yield'], 'stopped');
  assert.equal(outcomes['main swallows the budget error and keeps spinning'], 'stopped');
  assert.equal(outcomes['syntax error at the end'], 'refused:syntax');
  assert.equal(outcomes['throws an Error at load'], 'refused:load-exception');
});

// Regressions found by this fuzzing, each of which made loadUserDriver throw or point outside the file.
test('regression: a thrown object whose message throws when printed is a located load error, not an exception in the host', () => {
  const r = loadChecked(writeDriver({ 'hostile.ts': HOSTILE['throws an object whose message cannot be printed']! }), 'unprintable message');
  assert.ok(!r.ok);
  assert.equal(r.diagnostics[0]!.code, 'load-exception');
  assert.match(r.diagnostics[0]!.message, /E: a message that cannot be printed/);
  const proxy = loadChecked(writeDriver({ 'hostile.ts': HOSTILE['throws a proxy that throws on every access']! }), 'proxy');
  assert.ok(!proxy.ok);
  assert.equal(proxy.diagnostics[0]!.code, 'load-exception');
  const getter = loadChecked(writeDriver({ 'hostile.ts': HOSTILE['module.exports with a looping getter for main']! }), 'looping getter');
  assert.ok(!getter.ok);
  assert.equal(getter.diagnostics[0]!.code, 'cpu-budget');
});

test('regression: an error on the first line of a driver (driver mutant 186, "imp") is located inside that line', () => {
  const r = loadChecked(writeDriver({ 'nic.ts': 'imp' }), 'imp');
  assert.ok(!r.ok);
  assert.deepEqual({ line: r.diagnostics[0]!.line, code: r.diagnostics[0]!.code }, { line: 1, code: 'load-exception' });
  assert.ok(r.diagnostics[0]!.column <= 4, `column ${r.diagnostics[0]!.column}`);
});

test('hostile drivers running inside a booted system are stopped and restarted; the simulator never throws', () => {
  const names = ['main throws a proxy', 'main loops after a yield', 'main recurses forever', 'main swallows the budget error and keeps spinning', 'main yields a getter that throws'];
  const extraPrograms: BuiltinService[] = names.map((name, i) => {
    const r = loadUserDriver(writeDriver({ [`hostile${i}.ts`]: HOSTILE[name]! }), { name: `hostile${i}`, budget: 100_000 });
    assert.ok(r.ok, name);
    return {
      label: `hostile${i}`,
      kind: 'driver',
      main: r.program.main as unknown as ProgramMain,
      sourceFile: r.program.source,
      conf: `service hostile${i} {\n  system BASIC;\n  ipc ALL;\n};\n`,
      description: name,
      bootOrder: 90,
      sef: false,
    };
  });
  const system = bootSystem({ seed: 5, heartbeatPeriodCycles: 500_000_000, extraPrograms });
  const ended = new Map<string, number>();
  const proxyReasons: string[] = [];
  system.sim.on('processEnded', (e) => {
    ended.set(e.name, (ended.get(e.name) ?? 0) + 1);
    if (e.name === 'hostile0' && e.reason.kind === 'crash') proxyReasons.push(e.reason.message);
  });
  let outcome: ReturnType<typeof system.run>;
  try {
    outcome = system.run({ untilCycles: 1_000_000_000 });
  } catch (e) {
    assert.fail(`the simulator threw ${String(e)}\n${(e as Error).stack ?? ''}`);
  }
  assert.notEqual(outcome.reason, 'panic');
  for (let i = 0; i < names.length; i++) assert.ok((ended.get(`hostile${i}`) ?? 0) >= 1, `${names[i]} was never stopped`);
  // A proxy whose get trap throws is reported as unreadable; printing the crash must not throw out of the kernel.
  assert.match(proxyReasons[0] ?? '', /cannot be read or printed/);
  assert.equal(system.serviceStatus('nic')?.restarts ?? 0, 0, 'other drivers were untouched');
});
