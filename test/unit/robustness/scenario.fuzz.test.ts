// Scenario files under mutation: damaged text and structurally wrong documents (wrong types,
// missing fields, huge numbers, NaN-like strings, deep nesting) never make the loader throw;
// its diagnostics lie inside the text; what it accepts holds only finite, in-range values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, type Scenario, type ScenarioResult } from '../../../simulator/config/scenario.js';
import { SCENARIO_TEMPLATES } from '../../../simulator/config/scenarioTemplates.js';
import { S2_JSON, S3_JSON } from '../../../simulator/system/storageScenarios.js';
import { BUILTIN_IMAGES } from '../../../simulator/services/isofs/isoBuilder.js';
import { ScenarioBootError, bootScenario } from '../../../simulator/system/scenarios.js';
import { secondsToCycles } from '../../../simulator/time/time.js';
import { FUZZ_SCALE, assertLocatedIn, deepJson, fuzz, mutateText, show, type Choices } from './fuzz';

const CLOCK_HZ = 2_000_000_000;

/** The built-in scenarios and the New Scenario templates, as the user would find them on disk. */
const BASES: readonly string[] = [S2_JSON, S3_JSON, ...SCENARIO_TEMPLATES.map((t) => JSON.stringify(t.content, null, 2))];

const TOKENS = [
  '"name"', '"system"', '"configuration"', '"seed"', '"duration"', '"workload"', '"faults"', '"options"', '"kind"', '"at"',
  '"repeatEvery"', '"count"', '"userDrivers"', '"6h"', '"500ms"', '"1.5 s"', '"NaN"', '"Infinity"', '"-1s"', '"1e400h"',
  '"0.0000000001ns"', '1e309', '-1e309', '9007199254740993', '-0', '0.5', 'NaN', 'Infinity', 'null', 'true', '{', '}', '[', ']',
  ':', ',', '"', '\\u', '\\ud800', '//', '/*', '*/', '"\\', '{"a":', '[[[[', ']]]]',
];

function load(text: string, what: string): ScenarioResult {
  try {
    return parseScenario(text, 'fuzz.mklab.json', { clockHz: CLOCK_HZ });
  } catch (e) {
    assert.fail(`${what}\nthe loader threw ${String(e)}`);
  }
}

/** Every number anywhere in an accepted scenario is finite: no NaN or Infinity reaches the simulator. */
function assertFiniteNumbers(value: unknown, path: string, what: string): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${what}: ${path} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFiniteNumbers(v, `${path}/${i}`, what));
  else if (value !== null && typeof value === 'object' && !(value instanceof Map)) {
    for (const [k, v] of Object.entries(value)) assertFiniteNumbers(v, `${path}/${k}`, what);
  }
}

function checkAccepted(s: Scenario, text: string, what: string): void {
  assertFiniteNumbers(s, '', what);
  assert.ok(Number.isSafeInteger(s.seed) && s.seed >= 0, `${what}: seed ${s.seed}`);
  assert.ok(Number.isSafeInteger(s.duration.cycles) && s.duration.cycles > 0, `${what}: duration ${s.duration.cycles}`);
  for (const f of s.faults) {
    assert.ok(Number.isSafeInteger(f.at.cycles) && f.at.cycles >= 0, `${what}: fault at ${f.at.cycles}`);
    if (f.repeatEvery !== null) assert.ok(f.repeatEvery.cycles > 0, `${what}: a repeating fault with period ${f.repeatEvery.cycles}`);
  }
  for (const w of s.workload) assert.ok(Number.isSafeInteger(w.start.cycles) && w.start.cycles >= 0, `${what}: workload start ${w.start.cycles}`);
  for (const [pointer, range] of s.ranges) assertLocatedIn(text, { ...range, message: `value at "${pointer}"` }, `${what}: range of "${pointer}"`);
}

function check(text: string, what: string): ScenarioResult {
  const r = load(text, what);
  for (const d of r.diagnostics) {
    assertLocatedIn(text, d, what);
    assert.equal(d.file, 'fuzz.mklab.json', what);
  }
  if (r.scenario === undefined) assert.ok(r.diagnostics.some((d) => d.severity === 'error'), `${what}: refused without an error`);
  else checkAccepted(r.scenario, text, what);
  return r;
}

test('the built-in scenarios load, so the mutants start from valid files', () => {
  for (const text of BASES) assert.ok(check(text, 'base').scenario !== undefined);
});

test('mutated scenario text: no exception, diagnostics inside the text, accepted scenarios hold finite values', () => {
  let refused = 0;
  const N = 2500;
  fuzz('scenario text mutants', N, (rng, i) => {
    const text = mutateText(rng, rng.pick(BASES), TOKENS);
    if (check(text, `text mutant ${i}: ${show(text)}`).scenario === undefined) refused++;
  });
  assert.ok(refused > N * 0.3, `only ${refused} of ${N} mutants were refused`);
});

/** Values of the wrong type or out of range, written as raw JSON text. */
const WEIRD = [
  '"NaN"', '"Infinity"', '"-Infinity"', '"__proto__"', '"constructor"', '"hasOwnProperty"', '"1e309"', '"-0"', '"0x10"', '"  6h  "', '"6 h"', '"6hours"', '""', '"\\u0000"', '"\\ud800"',
  '1e309', '-1e309', '1e308', '-1', '-0', '0', '0.5', '9007199254740993', '4294967296', '123456789012345678901234567890',
  'null', 'true', 'false', '[]', '{}', '[null]', '{"":{}}', deepJson(300), deepJson(100, '{"a":', '}'), '"' + 'x'.repeat(5000) + '"',
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const RAW = '\u0001raw:';

/** A structural mutant: one value replaced by a weird one, a key dropped or added, a container emptied or wrapped. */
function structuralMutant(rng: Choices, base: Json): string {
  const doc = JSON.parse(JSON.stringify(base)) as Json;
  const containers: { parent: Json[] | { [k: string]: Json }; key: string | number }[] = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        containers.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        containers.push({ parent: v, key: k });
        walk(v[k]!);
      }
    }
  };
  walk(doc);
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits && containers.length > 0; e++) {
    const { parent, key } = rng.pick(containers);
    const set = (x: Json): void => {
      (parent as Record<string | number, Json>)[key] = x;
    };
    switch (rng.int(5)) {
      case 0:
      case 1:
        set(RAW + rng.pick(WEIRD));
        break;
      case 2:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key as string];
        break;
      case 3: {
        const old = (parent as Record<string | number, Json>)[key]!;
        set(rng.chance(0.5) ? [old] : { value: old });
        break;
      }
      default:
        if (!Array.isArray(parent)) parent[rng.pick(['extra', 'Name', 'seed ', '__proto__', 'constructor', 'toString'])] = RAW + rng.pick(WEIRD);
        else parent.push(RAW + rng.pick(WEIRD));
    }
  }
  return JSON.stringify(doc, null, 2).replace(/"\\u0001raw:((?:[^"\\]|\\.)*)"/g, (_m, raw: string) => JSON.parse(`"${raw}"`) as string);
}

test('structurally wrong scenarios: wrong types, missing fields, huge numbers, NaN-like strings, deep nesting', () => {
  const bases = BASES.map((t) => JSON.parse(t) as Json);
  let refused = 0;
  const N = 2000;
  fuzz('scenario structural mutants', N, (rng, i) => {
    const text = structuralMutant(rng, rng.pick(bases));
    if (check(text, `structural mutant ${i}: ${show(text)}`).scenario === undefined) refused++;
  });
  assert.ok(refused > N * 0.3, `only ${refused} of ${N} mutants were refused`);
});

test('pathological scenario documents', () => {
  const cases: [string, string][] = [
    ['deep arrays', deepJson(100_000)],
    ['deep objects', deepJson(50_000, '{"a":', '}')],
    ['unclosed deep arrays', '['.repeat(100_000)],
    ['a huge number', '1' + '0'.repeat(400)],
    ['a duplicate key', '{"name":"a","name":"b","system":"default","configuration":"microkernel","seed":1,"duration":"1s"}'],
    ['__proto__ as a key', '{"__proto__":{"seed":1},"name":"a","system":"default","configuration":"microkernel","seed":1,"duration":"1s"}'],
    ['a lone surrogate in a key', '{"\\ud800":1}'],
    ['a BOM', '\ufeff{}'],
    ['empty', ''],
    ['only a comment', '/* x'],
  ];
  for (const [name, text] of cases) check(text, name);
});

test('accepted mutants boot and run: the simulator takes whatever the loader accepts', () => {
  const bases = BASES.map((t) => JSON.parse(t) as Json);
  let booted = 0;
  fuzz('scenario accepted mutants boot', 200, (rng, i) => {
    if (booted >= 10 * FUZZ_SCALE) return;
    const text = structuralMutant(rng, rng.pick(bases));
    const r = parseScenario(text, 'fuzz.mklab.json');
    // A system.conf path needs the file's text.
    if (r.scenario === undefined || r.scenario.system !== 'default') return;
    // A workspace disc image is read by the caller (the session), as a system.conf is.
    if (r.scenario.workload.some((w) => w.kind === 'cd-read' && w.image !== null && !(w.image in BUILTIN_IMAGES))) return;
    booted++;
    const what = `accepted mutant ${i}: ${show(text, 2000)}`;
    try {
      const system = bootScenario(r.scenario);
      system.run({ untilCycles: Math.min(r.scenario.duration.cycles, secondsToCycles(0.02, system.clockHz)) });
    } catch (e) {
      // What only the booted system can tell (a fault's target that it does not have) is refused at its location in the file.
      if (e instanceof ScenarioBootError && /^fuzz\.mklab\.json:\d+:\d+: /.test(e.message)) return;
      // The loader accepted it: the simulator must not refuse it otherwise (that would be an error without a location).
      assert.fail(`${what}\nbooting or running threw ${String(e)}\n${(e as Error).stack ?? ''}`);
    }
  });
  assert.ok(booted >= 10, `only ${booted} mutants were accepted`);
});

// Found by the structural fuzzing (seed 1, mutant 240): 1e309 in a fault's params was accepted as Infinity.
test('regression: a fault parameter too large for a number is refused where it is written', () => {
  const text = S3_JSON.replace('"paddr": 32768', '"paddr": 1e309');
  assert.notEqual(text, S3_JSON);
  const r = check(text, 'paddr 1e309');
  assert.equal(r.scenario, undefined);
  const d = r.diagnostics.find((x) => x.severity === 'error')!;
  assert.match(d.message, /fault parameter "paddr" is too large a number/);
  const line = text.split('\n')[d.line - 1]!;
  assert.equal(line.slice(d.column - 1, d.endColumn - 1), '1e309');
});

// Found by booting accepted mutants: the S1 template (New Scenario from Template) asked for an "rx" packet
// stream, which the loader accepted and the simulator refused when the user started it.
test('regression: every New Scenario template loads, boots and runs', () => {
  for (const t of SCENARIO_TEMPLATES) {
    const r = parseScenario(JSON.stringify(t.content, null, 2), `${t.fileStem}.mklab.json`);
    assert.ok(r.scenario !== undefined, t.id);
    const system = bootScenario(r.scenario);
    assert.notEqual(system.run({ untilCycles: secondsToCycles(0.02, system.clockHz) }).reason, 'panic', t.id);
  }
});

// Found by booting accepted mutants: a cd-read image named like an Object property ("__proto__",
// "hasOwnProperty", "constructor") was looked up as a built-in image and crashed the boot with a TypeError.
test('regression: a cd-read image named like an Object property is not taken for a built-in image', () => {
  for (const name of ['__proto__', 'hasOwnProperty', 'valueOf', 'constructor', 'toString']) {
    const r = check(S2_JSON.replace('builtin:corrupted-cdr.iso', name), name);
    assert.ok(r.scenario !== undefined, name);
    assert.equal(BUILTIN_IMAGES[name], undefined, name);
    assert.throws(() => bootScenario(r.scenario!), (e: unknown) => e instanceof Error && !(e instanceof TypeError) && /is not built in/.test(e.message), name);
  }
});
