// A user's driver runs inside the booted system, in a process of its own; one that spins without entering the kernel,
// runs out of memory or gets stuck inside a built-in is stopped, reported and restarted, and the system lives on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadUserDriver, type LoadOptions } from '../../../node/userDrivers';
import { bootSystem } from '../../../simulator/system/boot';
import type { ProgramMain } from '../../../simulator/sdk/sys';
import type { BuiltinService } from '../../../simulator/system/builtin';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'mklab-userdrv-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

function userService(label: string, source: string, options: LoadOptions = {}): BuiltinService {
  const path = join(dir, `${label}.ts`);
  writeFileSync(path, source);
  const loaded = loadUserDriver(path, { name: label, budget: 100_000, ...options });
  assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.diagnostics));
  return {
    label,
    kind: 'driver',
    main: loaded.program.main as unknown as ProgramMain,
    sourceFile: path,
    conf: `service ${label} {\n  system BASIC;\n  ipc ALL;\n};\n`,
    description: 'a user driver',
    bootOrder: 90,
    sef: false,
  };
}

test('a user driver that loops without entering the kernel is stopped at its line, reported, and restarted; the system lives on', () => {
  const spinner = userService(
    'spinner',
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  let n = 0;
  while (true) {
    n++;
  }
}
`,
  );
  const system = bootSystem({ seed: 11, heartbeatPeriodCycles: 500_000_000, extraPrograms: [spinner] });
  const ended: string[] = [];
  system.sim.on('processEnded', (e) => {
    if (e.name === 'spinner') ended.push(e.reason.kind === 'crash' ? e.reason.message : e.reason.kind);
  });
  const outcome = system.run({ untilCycles: 2_000_000_000 });
  assert.notEqual(outcome.reason, 'panic');
  assert.ok(ended.length >= 1, 'the spinning driver was never stopped');
  assert.match(ended[0]!, /spinner\.ts:4/, `the report names the loop's file and line: ${ended[0]}`);
  const status = system.serviceStatus('spinner');
  assert.ok(status !== undefined && status.restarts >= 1, 'RS restarted the driver');
  assert.equal(system.serviceStatus('nic')?.restarts ?? 0, 0, 'other drivers were untouched');
});

/** Boots the default system with `service`, runs it and returns how each instance of it ended (crash messages). */
function endsOf(service: BuiltinService, untilCycles: number) {
  const system = bootSystem({ seed: 11, heartbeatPeriodCycles: 500_000_000, extraPrograms: [service] });
  const ended: string[] = [];
  system.sim.on('processEnded', (e) => {
    if (e.name === service.label) ended.push(e.reason.kind === 'crash' ? e.reason.message : e.reason.kind);
  });
  const outcome = system.run({ untilCycles });
  return { system, outcome, ended };
}

test('a user driver that allocates without end is stopped at its memory limit and restarted; the simulator lives on', () => {
  const hog = userService(
    'hog',
    `import { ANY, Message, type Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  yield sys.compute(1000);
  const kept: number[][] = [];
  for (;;) kept.push(new Array(1 << 20).fill(kept.length));
}
`,
    { memoryMb: 32, budget: 10_000_000 },
  );
  const { system, outcome, ended } = endsOf(hog, 600_000_000);
  assert.notEqual(outcome.reason, 'panic');
  assert.ok(ended.length >= 1, 'the driver was never stopped');
  assert.match(ended[0]!, /^OutOfMemory: the driver hog used more than its 32 MiB of memory/);
  assert.ok((system.serviceStatus('hog')?.restarts ?? 0) >= 1, 'RS restarted the driver');
  assert.equal(system.serviceStatus('nic')?.restarts ?? 0, 0, 'other drivers were untouched');
});

test('a user driver stuck inside a built-in (a catastrophic regular expression) is stopped from outside its process', () => {
  const stuck = userService(
    'stuck',
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  yield sys.compute(1000);
  /^(a+)+$/.test('a'.repeat(60) + 'b');
}
`,
    { stallMs: 200 },
  );
  const { system, outcome, ended } = endsOf(stuck, 300_000_000);
  assert.notEqual(outcome.reason, 'panic');
  assert.ok(ended.length >= 1, 'the driver was never stopped');
  assert.match(ended[0]!, /^StallLimit: the driver stuck did not return to the kernel within 0\.2 s/);
  assert.ok((system.serviceStatus('stuck')?.restarts ?? 0) >= 1, 'RS restarted the driver');
});

test("a user driver's runtime error is reported at the line of the user's own file that threw it", () => {
  const thrower = userService(
    'thrower',
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  yield sys.compute(1000);
  const table: number[] = [];
  table[0]!.toFixed(2);
}
`,
  );
  const { outcome, ended } = endsOf(thrower, 100_000_000);
  assert.notEqual(outcome.reason, 'panic');
  assert.match(ended[0] ?? '', /^TypeError: .* \(at .*thrower\.ts:5:\d+\)$/);
});

test('a user driver that prints in a loop without entering the kernel is stopped after a counted number of requests', () => {
  const chatty = userService(
    'chatty',
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  yield sys.compute(1000);
  for (;;) console.log('still here');
}
`,
    { budget: 10_000_000 },
  );
  const { outcome, ended } = endsOf(chatty, 5_000_000);
  assert.notEqual(outcome.reason, 'panic');
  assert.match(ended[0] ?? '', /^RequestLimit: the driver chatty made 100000 requests \(memory, console, random\) without entering the kernel/);
});

test('a user driver that asks a built-in for a string too large to exist crashes with the engine\'s reason at its line and is restarted', () => {
  // 2**29 characters is past the longest string V8 can make: the built-in refuses at once with a RangeError,
  // which reaches the user as a crash at the line that asked, before any memory is taken.
  const huge = userService(
    'huge',
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  yield sys.compute(1000);
  const text = 'x'.repeat(2 ** 29);
  yield sys.compute(text.length);
}
`,
    { stallMs: 300 },
  );
  const { system, outcome, ended } = endsOf(huge, 100_000_000);
  assert.notEqual(outcome.reason, 'panic');
  assert.ok(ended.length >= 1, 'the driver was never stopped');
  assert.match(ended[0]!, /^RangeError: Invalid string length \(at .*huge\.ts:4:\d+\)$/);
  assert.ok((system.serviceStatus('huge')?.restarts ?? 0) >= 1, 'RS restarted the driver');
  assert.equal(system.serviceStatus('nic')?.restarts ?? 0, 0, 'other drivers were untouched');
});

test('a user driver stuck inside a built-in sort with a slow comparator is stopped at its stall limit, not left to run', () => {
  // The comparator enters the step counter once a call; each call is slow, so the host time runs out long before the budget.
  const sorter = userService(
    'sorter',
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  yield sys.compute(1000);
  const pad = 'x'.repeat(1 << 16);
  const values = Array.from(new Array(1 << 20).keys(), Math.sin);
  values.sort((a, b) => pad.indexOf('y') + a - b);
  yield sys.compute(values.length);
}
`,
    { stallMs: 300, budget: 10_000_000 },
  );
  const started = Date.now();
  const { system, outcome, ended } = endsOf(sorter, 100_000_000);
  assert.notEqual(outcome.reason, 'panic');
  assert.ok(ended.length >= 1, 'the driver was never stopped');
  assert.match(ended[0]!, /^StallLimit: the driver sorter did not return to the kernel within 0\.3 s/);
  assert.ok((system.serviceStatus('sorter')?.restarts ?? 0) >= 1, 'RS restarted the driver');
  assert.ok(Date.now() - started < 30_000, 'each instance was stopped near its limit, not after the sort finished');
});
