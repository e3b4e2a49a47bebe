// User drivers loaded from a folder without a build step: located errors, a process and realm of their own, and a step
// budget that stops spinning drivers. Each instance runs against a recording stand-in for the kernel's Sys.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import {
  CpuBudgetExceeded,
  loadUserDriver,
  locateError,
  type Diagnostic,
  type LoadOptions,
  type LoadResult,
  type UserProgram,
} from '../../../node/userDrivers';
import type { Sys } from '../../../simulator/sdk/sys';
import { RecordingSys } from '../recordingSys';
import * as hostSdk from '../../../simulator/sdk';

const root = mkdtempSync(join(tmpdir(), 'mklab-user-drivers-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

/** Writes the files into a new folder and returns the path of the first. */
function driverFolder(files: Record<string, string>): string {
  const folder = join(root, `case${folders++}`);
  mkdirSync(folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
  return join(folder, Object.keys(files)[0]!);
}

function loaded(result: LoadResult): UserProgram {
  if (!result.ok) assert.fail(`expected the driver to load, got ${JSON.stringify(result.diagnostics, null, 2)}`);
  return result.program;
}

function refused(result: LoadResult): readonly Diagnostic[] {
  if (result.ok) assert.fail('expected the driver to be refused');
  return result.diagnostics;
}

function load(files: Record<string, string>, options: LoadOptions = {}): { path: string; result: LoadResult } {
  const path = driverFolder(files);
  return { path, result: loadUserDriver(path, options) };
}

function start(program: UserProgram): { instance: ReturnType<UserProgram['main']>; sys: RecordingSys } {
  const sys = new RecordingSys();
  return { instance: program.main(sys as unknown as Sys), sys };
}

/** Runs a driver instance to its end, resuming every kernel entry with `status`; its kernel entries, in order. */
function runToEnd(program: UserProgram, status = 0): string[] {
  const { instance, sys } = start(program);
  for (let step = instance.next(); !step.done; step = instance.next(status)) {
    if (sys.requests.length > 10_000) assert.fail('the driver did not end');
  }
  return sys.requests;
}

/** What a driver printed with console.log, for tests that look at values it computed. */
function logging(): { lines: string[]; options: LoadOptions } {
  const lines: string[] = [];
  return { lines, options: { console: (_level, text) => lines.push(text) } };
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} is not in the source`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const TS_DRIVER = `import { ANY, Message, type Sys } from 'microkernel-lab';

interface Reading {
  readonly type: number;
  readonly value: number;
}
type Total = number;

export function* main(sys: Sys): Generator<unknown, Total, number> {
  const m: Message = new Message();
  let total: Total = 0;
  for (let i: number = 0; i < 3; i++) {
    const r: number = yield sys.receive(ANY, m);
    total += r;
  }
  yield sys.send(3, new Message(total));
  return total;
}
`;

test('a TypeScript driver with types, interfaces and an SDK import loads and its main runs as a generator', () => {
  const program = loaded(load({ 'sensor.ts': TS_DRIVER }).result);
  assert.equal(program.name, 'sensor');
  const { instance, sys } = start(program);
  assert.equal(instance.next().done, false);
  assert.equal(instance.next(5).done, false);
  assert.equal(instance.next(7).done, false);
  assert.equal(instance.next(30).done, false);
  assert.deepEqual(instance.next(0), { value: 42, done: true });
  assert.deepEqual(sys.requests, ['RECEIVE 31438 type=0', 'RECEIVE 31438 type=0', 'RECEIVE 31438 type=0', 'SEND 3 type=42']);
});

test('a JavaScript driver loads, with main as a named or a default export', () => {
  const named = loaded(load({ 'echo.js': "import { Message } from 'microkernel-lab';\nexport function* main(sys) {\n  const m = new Message(9);\n  yield sys.receive(4, m);\n  yield sys.send(3, m);\n}\n" }).result);
  assert.deepEqual(runToEnd(named), ['RECEIVE 4 type=9', 'SEND 3 type=9']);
  const byDefault = loaded(load({ 'quiet.mjs': 'export default function* (sys) {\n  yield sys.compute(7);\n}\n' }).result);
  assert.deepEqual(runToEnd(byDefault), ['work 7']);
});

test('an exception thrown by the driver is located at its file, line and column', () => {
  const source = `import { type Sys } from 'microkernel-lab';

export function* main(sys: Sys): Generator<unknown, void, number> {
  const limit: number = 2; const reply: number = yield sys.compute(1);
  if (reply > limit) throw new RangeError('reply too large');
}
`;
  const { path, result } = load({ 'strict.ts': source });
  const program = loaded(result);
  const { instance } = start(program);
  instance.next();
  let thrown: unknown;
  assert.throws(() => instance.next(5), (error: unknown) => ((thrown = error), true));
  const located = locateError(thrown, program);
  assert.deepEqual(
    { file: located.file, line: located.line, column: located.column, message: located.message, located: located.located },
    { file: path, ...where(source, "new RangeError('reply too large')"), message: `RangeError: reply too large (at ${path}:5:${where(source, "new RangeError('reply too large')").column})`, located: true },
  );
  // The kernel prints the crash as name and message: the message itself says where, in the user's own file.
  assert.match((thrown as Error).message, new RegExp(`reply too large \\(at .*strict\\.ts:5:\\d+\\)$`));
});

test('an exception raised in a helper file is located in the helper', () => {
  const helper = 'export function parse(text: string): number {\n  const value: number = Number(text);\n  if (Number.isNaN(value) || value > 5) throw new Error(`not a small number: ${text}`);\n  return value;\n}\n';
  const { result } = load({
    'main.ts': "import { parse } from './parse';\nexport function* main(sys: any): Generator<unknown, void, number> {\n  parse(String(yield sys.compute(1)));\n}\n",
    'parse.ts': helper,
  });
  const program = loaded(result);
  const { instance } = start(program);
  instance.next();
  let thrown: unknown;
  assert.throws(() => instance.next(7), (error: unknown) => ((thrown = error), true));
  const located = locateError(thrown, program);
  assert.equal(located.file, program.files[1]);
  assert.equal(located.line, 3);
  assert.match(located.message, /^Error: not a small number: 7 \(at .*parse\.ts:3:\d+\)$/);
});

test('a syntax error is reported with file, line, column and what was expected, and nothing is thrown', () => {
  const source = 'export function* main(sys: unknown) {\n  const pair = [1, 2\n  yield 3;\n}\n';
  const { path, result } = load({ 'broken.ts': source });
  const [diagnostic, ...others] = refused(result);
  assert.equal(others.length, 0);
  assert.deepEqual(
    { file: diagnostic!.file, line: diagnostic!.line, column: diagnostic!.column, code: diagnostic!.code },
    { file: path, line: 3, column: 3, code: 'syntax' },
  );
  assert.match(diagnostic!.message, /expected ","/);
  assert.match(diagnostic!.message, /"yield"/);

  const unclosed = refused(load({ 'open.js': 'export function* main(sys) {\n  if (sys) {\n' }).result);
  assert.equal(unclosed[0]!.code, 'syntax');
  assert.match(unclosed[0]!.message, /not closed/);
});

test('importing a host module and calling require are refused, each located at the offending code', () => {
  const source = "import fs from 'node:fs';\nimport { helper } from './helper';\nexport function* main() {\n  const cp = require('child_process');\n  yield [fs, cp, helper];\n}\n";
  const { path, result } = load({ 'sneaky.js': source, 'helper.js': 'export const helper = 1;\n' });
  const diagnostics = refused(result);
  assert.deepEqual(
    diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, code: d.code })),
    [
      { file: path, ...where(source, "'node:fs'"), code: 'forbidden-import' },
      { file: path, ...where(source, "'child_process'"), code: 'forbidden-import' },
    ],
  );
  assert.match(diagnostics[0]!.message, /"node:fs" cannot be imported by a driver/);

  const indirect = "export function* main() {\n  const load = require;\n  yield load('fs');\n}\n";
  const [bare] = refused(load({ 'indirect.js': indirect }).result);
  assert.deepEqual({ line: bare!.line, column: bare!.column, code: bare!.code }, { ...where(indirect, 'require'), code: 'forbidden-require' });

  const [dynamic] = refused(load({ 'dynamic.js': "export function* main() {\n  yield import('node:fs');\n}\n" }).result);
  assert.deepEqual({ line: dynamic!.line, code: dynamic!.code }, { line: 2, code: 'forbidden-import' });
});

const SPINNER = `export function* main(sys: { compute(cycles: number): unknown }) {
  yield sys.compute(1);
  let spins = 0;
  while (true) {
    spins++;
  }
}
`;

test('a driver spinning without entering the kernel is stopped by its step budget, naming the loop, the same way every time', () => {
  const budget = 200_000;
  const program = loaded(load({ 'spinner.ts': SPINNER }, { budget }).result);
  const stops = [0, 1].map(() => {
    const { instance, sys } = start(program);
    assert.equal(instance.next().done, false);
    assert.deepEqual(sys.requests, ['work 1']);
    let stop: unknown;
    assert.throws(() => instance.next(0), (error: unknown) => ((stop = error), true));
    assert.ok(stop instanceof CpuBudgetExceeded);
    return { file: stop.file, line: stop.line, column: stop.column, ticks: stop.ticks };
  });
  assert.deepEqual(stops[0], { file: program.source, ...where(SPINNER, 'while (true)'), ticks: budget + 1 });
  assert.deepEqual(stops[1], stops[0]);
});

test('the budget counts only since the last kernel entry, and a driver cannot escape it by catching the error', () => {
  const busy = `export function* main(sys) {
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 30000; i++) {}
    yield sys.compute(round + 1);
  }
  try {
    for (;;) {}
  } catch (stopped) {
    yield sys.compute(99);
  }
}
`;
  const program = loaded(load({ 'busy.js': busy }, { budget: 50_000 }).result);
  const { instance, sys } = start(program);
  for (let round = 0; round < 5; round++) instance.next();
  assert.deepEqual(sys.requests, ['work 1', 'work 2', 'work 3', 'work 4', 'work 5']);
  assert.throws(() => instance.next(), (error: unknown) => error instanceof CpuBudgetExceeded && error.line === 7);
  assert.equal(sys.requests.length, 5, 'the catch block never reached the kernel');
});

test('an endless loop in top-level code is reported at its line instead of hanging the load', () => {
  const source = "let ready = false;\nwhile (!ready) {\n  ready = false;\n}\nexport function* main() {}\n";
  const { path, result } = load({ 'top.js': source }, { budget: 100_000 });
  const [diagnostic] = refused(result);
  assert.deepEqual({ file: diagnostic!.file, line: diagnostic!.line, code: diagnostic!.code }, { file: path, line: 2, code: 'cpu-budget' });
});

test('top-level work the step counter cannot see is stopped from outside its process by the load backstop', () => {
  const source = "const slow = /^(a+)+$/.test('a'.repeat(40) + 'b');\nexport function* main() { yield slow; }\n";
  const [diagnostic] = refused(load({ 'regex.js': source }, { timeoutMs: 100 }).result);
  assert.equal(diagnostic!.code, 'timeout');
  assert.match(diagnostic!.message, /did not finish in time/);
});

test('a driver split across files loads its relative imports, including a .js specifier for a .ts file', () => {
  const { result } = load({
    'nic.ts': "import { checksum } from './lib/checksum.js';\nimport * as ring from './ring';\nexport function* main(sys) {\n  yield sys.compute(checksum([1, 2, 3]) + ring.size);\n}\n",
    'lib/checksum.ts': 'export function checksum(bytes: number[]): number {\n  let sum = 0;\n  for (const b of bytes) sum = (sum + b) & 0xff;\n  return sum;\n}\n',
    'ring.ts': 'export const size: number = 16;\n',
  });
  const program = loaded(result);
  assert.equal(program.files.length, 3);
  assert.deepEqual(runToEnd(program), ['work 22']);
});

test('an import cycle, a missing file and a path outside the folder are located errors', () => {
  const cycle = refused(load({ 'a.ts': "import { b } from './b';\nexport const a = 1;\nexport function* main() { yield b; }\n", 'b.ts': "import { a } from './a';\nexport const b = a;\n" }).result);
  assert.equal(cycle.length, 1);
  assert.equal(cycle[0]!.code, 'import-cycle');
  assert.match(cycle[0]!.file, /b\.ts$/);
  assert.match(cycle[0]!.message, /a\.ts → b\.ts → a\.ts/);

  const missing = refused(load({ 'm.js': "import { x } from './nowhere';\nexport function* main() { yield x; }\n" }).result);
  assert.deepEqual({ line: missing[0]!.line, column: missing[0]!.column, code: missing[0]!.code }, { line: 1, column: 19, code: 'import-not-found' });

  const outside = refused(load({ 'o.js': "import { x } from '../../secrets';\nexport function* main() { yield x; }\n" }).result);
  assert.equal(outside[0]!.code, 'import-outside-folder');
});

test('host and nondeterministic globals are not reachable from a driver', () => {
  // Host APIs (network, timers, the job queue), shared memory, compiled code and clocks: none may reach a driver.
  const hidden = [
    'process', 'require', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'fetch', 'XMLHttpRequest', 'WebSocket',
    'Buffer', 'Date', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'WeakRef', 'FinalizationRegistry', 'Temporal', 'performance',
  ];
  const source = `export function* main(sys) {
  console.log(JSON.stringify(${JSON.stringify(hidden)}.filter((name) => name in globalThis || typeof globalThis[name] !== 'undefined')));
  // Intl.DateTimeFormat formats the current time when given no date: a clock to the millisecond without Date.
  let clock;
  try { clock = new Intl.DateTimeFormat('en', { second: 'numeric', fractionalSecondDigits: 3 }).format(); } catch (error) { clock = error.name; }
  console.log(String(clock));
  console.log(JSON.stringify(Object.getOwnPropertyNames(globalThis).filter((name) => !/^[A-Z]|^(globalThis|Infinity|NaN|undefined|eval|isFinite|isNaN|parseFloat|parseInt|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|escape|unescape|console|__mklabRealm)$/.test(name))));
  console.log(new Intl.NumberFormat('en').format(1234.5));
  let escape;
  try { escape = globalThis.constructor.constructor('return process')(); } catch (error) { escape = error.name; }
  console.log(String(escape));
  try { console.log(String(Math.random())); } catch (error) { console.log(error.message); }
  yield sys.compute(1);
}
`;
  const probe = logging();
  runToEnd(loaded(load({ 'probe.js': source }, probe.options).result));
  assert.deepEqual(probe.lines, [
    '[]',
    'TypeError',
    '[]',
    '1,234.5',
    'EvalError',
    'Math.random is not available to this driver: the simulator was given no seeded random stream for it',
  ]);

  const values = [0.25, 0.5];
  const seeded = logging();
  runToEnd(loaded(load({ 'dice.js': "export function* main(sys) {\n  console.log('rolling', { n: 2 });\n  console.log(JSON.stringify([Math.random(), Math.random()]));\n  yield sys.compute(1);\n}\n" }, {
    ...seeded.options,
    random: () => values.shift()!,
  }).result));
  assert.deepEqual(seeded.lines, ['rolling {"n":2}', '[0.25,0.5]']);
});

test('no object a driver can reach leads out of its realm: the SDK, messages, errors and stack frames are its own', () => {
  // Each probe tries a known way out of a vm context and prints what it reached.
  const source = `import { Message, ANY } from 'microkernel-lab';
const tries = {
  sys: (sys) => sys.constructor.constructor('return process')(),
  method: (sys) => sys.receive.constructor('return process')(),
  memory: (sys) => sys.mem.read.constructor('return process')(),
  message: () => new Message().words.constructor.constructor('return process')(),
  sdk: () => Message.constructor('return process')(),
  arguments: function () { return arguments.callee.caller; },
  frames: () => {
    Error.prepareStackTrace = (_e, frames) => frames.map((f) => { const fn = f.getFunction(); return fn ? fn.constructor('return process')() : undefined; });
    try { return new Error().stack.filter(Boolean)[0]; } finally { Error.prepareStackTrace = undefined; }
  },
  thrown: (sys) => { try { sys.mem.read(-1, 1e12); } catch (e) { return e.constructor.constructor('return process')(); } },
};
export function* main(sys) {
  for (const [name, attempt] of Object.entries(tries)) {
    let reached;
    try { reached = attempt(sys); } catch (error) { reached = error && error.name; }
    const ok = reached === undefined || reached === null || typeof reached === 'string';
    console.log(name + ': ' + (ok ? 'contained' : 'ESCAPED ' + typeof reached));
  }
  yield sys.receive(ANY, new Message());
}
`;
  const probe = logging();
  runToEnd(loaded(load({ 'escape.js': source }, probe.options).result));
  assert.deepEqual(probe.lines, ['sys', 'method', 'memory', 'message', 'sdk', 'arguments', 'frames', 'thrown'].map((n) => `${n}: contained`));
});

test('each instance of a driver starts with fresh module state, as a restarted process would', () => {
  const program = loaded(load({ 'counter.js': 'let started = 0;\nexport function* main(sys) {\n  started++;\n  yield sys.compute(started);\n}\n' }).result);
  assert.deepEqual(runToEnd(program), ['work 1']);
  assert.deepEqual(runToEnd(program), ['work 1']);
});

test('bad drivers come back as diagnostics, never as exceptions', () => {
  const cases: Record<string, string> = {
    'plain.js': 'export function main() { return 1; }\n',
    'nothing.js': 'export const version = 1;\n',
    'async.ts': 'export async function* main() {\n  await 1;\n}\n',
    'thrower.js': "throw new TypeError('not ready');\nexport function* main() {}\n",
    'reserved.js': 'export function* main() { __mklabTick = null; }\n',
  };
  const codes = Object.entries(cases).map(([name, text]) => refused(load({ [name]: text }).result).map((d) => `${d.code}@${d.line}`));
  assert.deepEqual(codes, [['main-not-generator@1'], ['no-main@1'], ['forbidden-syntax@1', 'forbidden-syntax@2'], ['load-exception@1'], ['reserved-name@1']]);
  const [unreadable] = refused(loadUserDriver(join(root, 'does-not-exist.ts')));
  assert.equal(unreadable!.code, 'unreadable');
});

test('the inserted step checks do not change what the driver computes', () => {
  const source = `const double = (x: number) => x * 2;
const pair = () => ({ a: 1, b: 2 });
const curry = (a: number) => (b: number) => a + b;
class Ring {
  private items: number[] = [];
  get size(): number { return this.items.length; }
  push(x: number): this { this.items.push(x); return this; }
}
export function* main(): Generator<unknown, void, unknown> {
  yield* [];
  let n = 0;
  outer: for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) { if (j > i) continue outer; n++; }
  let k = 0;
  do k++; while (k < 3)
  while (k < 6) k++;
  for (const key in { x: 1, y: 2 }) n += key.length;
  const ring = new Ring().push(1).push(2);
  console.log(JSON.stringify([n, k, double(4), pair().b, curry(2)(3), ring.size, [1, 2, 3].map((v) => v + 1).join(',')]));
}
`;
  const out = logging();
  runToEnd(loaded(load({ 'shapes.ts': source }, out.options).result));
  assert.deepEqual(out.lines, [JSON.stringify([12, 6, 8, 2, 5, 2, '2,3,4'])]);
});

test("the SDK a driver imports has every value of the simulator's SDK, made in the driver's own realm", () => {
  const out = logging();
  runToEnd(loaded(load({ 'keys.js': "import * as sdk from 'microkernel-lab';\nexport function* main(sys) {\n  console.log(JSON.stringify(Object.keys(sdk).sort()));\n  console.log(JSON.stringify([sdk.ANY, sdk.OK, sdk.Errno.ECALLDENIED, sdk.KernelCall.SETALARM, sdk.secondsToCycles(1, 1e9), sdk.isNotify(new sdk.Message(0x1000)), sdk.WORK_REQUEST]));\n  yield sys.compute(1);\n}\n" }, out.options).result));
  const hostValues = Object.keys(hostSdk).filter((k) => k !== 'default').sort();
  assert.deepEqual((JSON.parse(out.lines[0]!) as string[]).filter((k) => k !== 'default'), hostValues);
  assert.deepEqual(JSON.parse(out.lines[1]!), [hostSdk.ANY, hostSdk.OK, hostSdk.Errno.ECALLDENIED, hostSdk.KernelCall.SETALARM, 1e9, true, hostSdk.WORK_REQUEST]);
});
