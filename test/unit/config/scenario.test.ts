// Scenario loader: valid files, located errors, time strings, and agreement with the published JSON Schema.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { expectedOutcome, OUTCOMES, parseScenario, retimeScenario, SCENARIO_KEYS, timeToCycles, WORKLOAD_KINDS } from '../../../simulator/config/scenario.js';
import { INJECTABLE_FAULTS } from '../../../simulator/faults/injector.js';
import { CONFIGURATIONS, CONFIGURATION_TABLE } from '../../../simulator/config/configurations.js';
import { DEFAULT_COST_PROFILE, costProfiles } from '../../../simulator/kernel/costs/costProfiles.js';

type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync('schemas/scenario.schema.json', 'utf8')) as Schema;

const VALID = `{
  "$schema": "../schemas/scenario.schema.json",
  "name": "S1: NIC driver crashes overnight",
  "description": "The rtl8139 driver crashes every hour under traffic.",
  "system": "default",
  "configuration": "microkernel-iommu",
  "seed": 42,
  "duration": "6h",
  "costProfile": "sel4-skylake",
  "workload": [
    { "kind": "packet-stream", "ratePerSecond": 10000, "sizeBytes": 1500 },
    { "kind": "cd-read", "image": "images/bad.iso", "path": "/README.TXT", "repeat": 3, "start": "1s" },
    { "kind": "print", "bytes": 4096 },
    { "kind": "block-read", "blocks": 100, "pattern": "random" },
    { "kind": "ipc-pingpong", "clients": 4, "messages": 100 },
    { "kind": "request-response", "ratePerSecond": 500.5, "requestBytes": 64 }
  ],
  "faults": [
    { "at": "1h", "target": "rtl8139", "type": "crash", "repeatEvery": "1h" },
    { "at": 5000, "target": "rtl8139", "type": "wild-dma", "params": { "address": "kernel", "bytes": 64 }, "count": 2, "repeatEvery": "10ms" }
  ],
  "options": { "heartbeatPeriod": "5s", "restartBackoff": false },
  "userDrivers": ["drivers/myNic.ts"]
}`;

test('a valid scenario loads with every field typed and defaulted', () => {
  const r = parseScenario(VALID, 's1.json', { clockHz: 2_000_000_000 });
  assert.deepEqual(r.diagnostics, []);
  const s = r.scenario!;
  assert.equal(s.seed, 42);
  assert.equal(s.configuration, 'microkernel-iommu');
  assert.deepEqual(s.duration, { written: '6h', cycles: 6 * 3600 * 2_000_000_000 });
  assert.equal(s.workload.length, 6);
  assert.deepEqual(s.workload[0], { kind: 'packet-stream', start: { written: 0, cycles: 0 }, ratePerSecond: 10000, sizeBytes: 1500, direction: 'tx', count: null });
  assert.equal(s.workload[1]!.start.cycles, 2_000_000_000);
  assert.deepEqual(s.workload[3], { kind: 'block-read', start: { written: 0, cycles: 0 }, blocks: 100, blockSize: 4096, pattern: 'random', repeat: 1 });
  assert.equal(s.faults[0]!.repeatEvery!.cycles, 3600 * 2_000_000_000);
  assert.equal(s.faults[0]!.count, null);
  assert.deepEqual(s.faults[1]!.params, { address: 'kernel', bytes: 64 });
  assert.equal(s.faults[1]!.at.cycles, 5000);
  assert.deepEqual(s.options, { heartbeatPeriod: { written: '5s', cycles: 10_000_000_000 }, restartBackoff: false, driverMemoryMiB: 256, driverStallMs: 5000, nicGbps: 1, containers: null });
  assert.deepEqual(s.userDrivers, ['drivers/myNic.ts']);
  assert.deepEqual(
    [s.ranges.get('/faults/1/at')!.line, s.ranges.get('/faults/1/at')!.column],
    at(VALID, '"at": 5000', '5000'),
  );
});

test('minimal scenario gets the documented defaults', () => {
  const r = parseScenario('{"name":"m","system":"default","configuration":"monolithic","seed":0,"duration":1000}', 'm.json');
  const s = r.scenario!;
  assert.equal(s.costProfile, 'default');
  assert.deepEqual(s.workload, []);
  assert.equal(s.clockHz, costProfiles[DEFAULT_COST_PROFILE]!.clockHz, 'times count cycles of the default profile\'s clock');
  assert.deepEqual(s.options.heartbeatPeriod, { written: '5s', cycles: 5 * s.clockHz });
  assert.equal(s.options.restartBackoff, true);
});

test("a time with a unit follows the cost profile's clock, a time in cycles stays; the profile must exist", () => {
  const arm = parseScenario(VALID.replace('"sel4-skylake"', '"l4re-cortex-a76"'), 'arm.json').scenario!;
  const armHz = costProfiles['l4re-cortex-a76']!.clockHz;
  assert.equal(arm.clockHz, armHz);
  assert.equal(arm.duration.cycles, 6 * 3600 * armHz);
  assert.equal(arm.faults[1]!.at.cycles, 5000);
  const x86Hz = costProfiles['sel4-skylake']!.clockHz;
  const moved = retimeScenario(arm, x86Hz);
  assert.equal(moved.clockHz, x86Hz);
  assert.deepEqual(moved.duration, { written: '6h', cycles: 6 * 3600 * x86Hz });
  assert.equal(moved.workload[1]!.start.cycles, x86Hz);
  assert.equal(moved.faults[0]!.repeatEvery!.cycles, 3600 * x86Hz);
  assert.deepEqual(moved.faults[1]!.at, { written: 5000, cycles: 5000 });
  assert.equal(moved.options.heartbeatPeriod.cycles, 5 * x86Hz);
  assert.deepEqual(retimeScenario(moved, armHz), arm);

  const text = VALID.replace('"sel4-skylake"', '"skylake"');
  const e = errorsOf(text);
  assert.deepEqual(e.map(([c, l, col]) => [c, l, col]), [['unknown-cost-profile', ...at(text, '"costProfile": "skylake"', '"skylake"')]]);
  assert.match(e[0]![3], /unknown cost profile "skylake": expected "default" or one of "sel4-haswell"/);
});

test('the schema names exactly the cost profiles the simulator has', () => {
  const names = ((schema.properties as Record<string, Schema>).costProfile!.enum as string[]);
  assert.deepEqual([...names].sort(), ['default', ...Object.keys(costProfiles)].sort());
});

test('time strings turn into cycles at the given clock rate', () => {
  assert.equal(timeToCycles('500ms', 1e9), 500_000_000);
  assert.equal(timeToCycles('1.5 s', 3e9), 4_500_000_000);
  assert.equal(timeToCycles('250us', 1e9), 250_000);
  assert.equal(timeToCycles('6h', 1e9), 21_600_000_000_000);
  assert.equal(timeToCycles('2min', 1e6), 120_000_000);
  assert.equal(timeToCycles('1234 cycles', 1e9), 1234);
  assert.equal(timeToCycles(77, 1e9), 77);
  assert.equal(timeToCycles('0.1ns', 1e9), undefined);
  assert.equal(timeToCycles('5 parsecs', 1e9), undefined);
  assert.equal(timeToCycles(-1, 1e9), undefined);
  assert.equal(timeToCycles(1.5, 1e9), undefined);
});

/** 1-based line and column of `part` inside the first occurrence of `context` in `text`. */
function at(text: string, context: string, part: string): [number, number] {
  const offset = text.indexOf(context) + context.indexOf(part);
  const before = text.slice(0, offset).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

function errorsOf(text: string): [string, number, number, string][] {
  const r = parseScenario(text, 'bad.json');
  assert.equal(r.scenario, undefined);
  return r.diagnostics.map((d) => [d.code, d.line, d.column, d.message]);
}

test('invalid values are located at the offending JSON value', () => {
  const text = VALID.replace('"seed": 42', '"seed": 4.5').replace('"sizeBytes": 1500', '"sizeBytes": 0').replace('"type": "crash"', '"type": "explode"');
  const e = errorsOf(text);
  assert.deepEqual(
    e.map(([c, l, col]) => [c, l, col]),
    [
      ['type', ...at(text, '"seed": 4.5', '4.5')],
      ['range', ...at(text, '"sizeBytes": 0', '0')],
      ['enum', ...at(text, '"type": "explode"', '"explode"')],
    ],
  );
  assert.deepEqual(at(text, '"seed": 4.5', '4.5'), [7, 11]);
  assert.match(e[0]![3], /"seed" must be an integer, found the number 4.5/);
  assert.match(e[2]![3], /"type" must be one of "crash", "hang"/);
});

test('a packet stream goes either way; any other direction, and a NIC speed out of range, are refused where they are written', () => {
  const rx = parseScenario(VALID.replace('"sizeBytes": 1500 }', '"sizeBytes": 1500, "direction": "rx" }'), 'rx.json');
  assert.equal(rx.scenario?.workload[0]?.kind === 'packet-stream' && rx.scenario.workload[0].direction, 'rx');
  const text = VALID.replace('"sizeBytes": 1500 }', '"sizeBytes": 1500, "direction": "sideways" }').replace('"restartBackoff": false', '"restartBackoff": false, "nicGbps": 0');
  const e = errorsOf(text);
  assert.deepEqual(
    e.map(([c, l, col]) => [c, l, col]),
    [
      ['range', ...at(text, '"nicGbps": 0', '0')],
      ['enum', ...at(text, '"direction": "sideways"', '"sideways"')],
    ].sort((a, b) => (a[1] as number) - (b[1] as number)),
  );
  assert.ok(e.some((d) => /"direction" must be one of "tx", "rx", found the string "sideways"/.test(d[3])));
  assert.ok(e.some((d) => /"nicGbps" must be between 0.01 and 400, found 0/.test(d[3])));
});

test('missing required properties, unknown properties and bad times are reported', () => {
  const e = errorsOf('{\n  "name": "x",\n  "sytem": "default",\n  "configuration": "microkernel",\n  "duration": "soon"\n}');
  assert.deepEqual(
    e.map(([c, l, col]) => [c, l, col]),
    [
      ['missing-property', 1, 1],
      ['missing-property', 1, 1],
      ['unknown-property', 3, 3],
      ['bad-time', 5, 15],
    ],
  );
  assert.ok(e.some(([, , , m]) => m.includes('needs the property "seed"')));
  assert.ok(e.some(([, , , m]) => m.includes('needs the property "system"')));
});

test('JSON syntax errors are located, never thrown', () => {
  assert.deepEqual(errorsOf('{\n  "name": "x",\n  "seed": 1,,\n}').map(([c, l, col]) => [c, l, col]), [['json-syntax', 3, 13]]);
  assert.deepEqual(errorsOf('{"name": "x"').map(([c, l, col]) => [c, l, col]), [['json-syntax', 1, 1]]);
  assert.deepEqual(errorsOf('{"name": tru}').map(([c, l, col]) => [c, l, col]), [['json-syntax', 1, 10]]);
  assert.deepEqual(errorsOf('{"name": "a\nb"}').map(([c, l]) => [c, l]), [['json-syntax', 1]]);
  for (const t of ['', '[', '"', '{"a":', '{"a" 1}', '[1,]', '{}{}', '\u0000', '['.repeat(10000)]) {
    assert.ok(parseScenario(t, 'x.json').diagnostics.length > 0, JSON.stringify(t.slice(0, 20)));
  }
});

// A small JSON Schema (draft-07) validator covering exactly the keywords the scenario schema uses.
function validate(s: Schema, v: unknown, root: Schema = schema): boolean {
  if (typeof s.$ref === 'string') {
    const target = (s.$ref as string).replace('#/definitions/', '');
    return validate((root.definitions as Record<string, Schema>)[target]!, v, root);
  }
  const typeOk = (t: string): boolean =>
    t === 'integer' ? Number.isInteger(v) : t === 'number' ? typeof v === 'number' : t === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : t === 'array' ? Array.isArray(v) : typeof v === t;
  if (s.type !== undefined && !(Array.isArray(s.type) ? (s.type as string[]).some(typeOk) : typeOk(s.type as string))) return false;
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(v)) return false;
  if (s.const !== undefined && s.const !== v) return false;
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < (s.minimum as number)) return false;
    if (s.maximum !== undefined && v > (s.maximum as number)) return false;
    if (s.exclusiveMinimum !== undefined && v <= (s.exclusiveMinimum as number)) return false;
  }
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < (s.minLength as number)) return false;
    if (s.pattern !== undefined && !new RegExp(s.pattern as string, 'u').test(v)) return false;
  }
  if (Array.isArray(v) && s.items !== undefined && !v.every((x) => validate(s.items as Schema, x, root))) return false;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in o)) return false;
    for (const [k, x] of Object.entries(o)) {
      if (props[k] !== undefined) {
        if (!validate(props[k]!, x, root)) return false;
      } else if (s.additionalProperties === false) return false;
      else if (typeof s.additionalProperties === 'object' && !validate(s.additionalProperties as Schema, x, root)) return false;
    }
  }
  if (s.oneOf !== undefined && (s.oneOf as Schema[]).filter((b) => validate(b, v, root)).length !== 1) return false;
  return true;
}

test('the JSON Schema and the loader agree on valid and invalid examples', () => {
  const base = JSON.parse(VALID) as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- variants reach into nested objects freely
  const variants: [string, (o: Record<string, any>) => void][] = [
    ['valid as is', () => undefined],
    ['seed not integer', (o) => (o.seed = 1.5)],
    ['seed negative', (o) => (o.seed = -1)],
    ['seed missing', (o) => delete o.seed],
    ['bad configuration', (o) => (o.configuration = 'exokernel')],
    ['configuration made of containers', (o) => (o.configuration = 'monolithic-containers')],
    ['every configuration of the table', (o) => (o.configuration = CONFIGURATIONS[CONFIGURATIONS.length - 1])],
    ['retired iommuMode agreeing with the configuration', (o) => (o.options.iommuMode = 'strict')],
    ['unknown cost profile', (o) => (o.costProfile = 'pentium')],
    ['unknown root property', (o) => (o.extra = 1)],
    ['bad duration string', (o) => (o.duration = '6 hours')],
    ['duration as cycles', (o) => (o.duration = 123456)],
    ['negative cycles', (o) => (o.duration = -5)],
    ['unknown workload kind', (o) => (o.workload[0].kind = 'teleport')],
    ['workload missing rate', (o) => delete o.workload[0].ratePerSecond],
    ['workload extra property', (o) => (o.workload[2].colour = 'red')],
    ['workload zero rate', (o) => (o.workload[0].ratePerSecond = 0)],
    ['bad fault type', (o) => (o.faults[0].type = 'explode')],
    ['fault param object', (o) => (o.faults[1].params = { nested: { a: 1 } })],
    ['fault missing target', (o) => delete o.faults[0].target],
    ['bad iommu mode', (o) => (o.options.iommuMode = 'paranoid')],
    ['containers', (o) => (o.options.containers = 8)],
    ['containers out of range', (o) => (o.options.containers = 65)],
    ['containers zero', (o) => (o.options.containers = 0)],
    ['userDrivers not strings', (o) => (o.userDrivers = [1])],
    ['empty name', (o) => (o.name = '  ')],
  ];
  for (const [what, change] of variants) {
    const o = structuredClone(base);
    change(o);
    const text = JSON.stringify(o, null, 2);
    const loaderOk = parseScenario(text, 'v.json').scenario !== undefined;
    assert.equal(validate(schema, o), loaderOk, `schema and loader disagree on: ${what}`);
  }
});

test('every property the loader accepts is in the schema, and vice versa', () => {
  const props = (s: Schema): string[] => Object.keys((s.properties ?? {}) as object).sort();
  const defs = schema.definitions as Record<string, Schema>;
  assert.deepEqual(props(schema), [...SCENARIO_KEYS.root].sort());
  assert.deepEqual(props((schema.properties as Record<string, Schema>).options!), [...SCENARIO_KEYS.options].sort());
  assert.deepEqual(props(defs.fault!), [...SCENARIO_KEYS.fault].sort());
  const branches = defs.workloadItem!.oneOf as Schema[];
  assert.deepEqual(branches.map((b) => ((b.properties as Record<string, Schema>).kind!.const as string)).sort(), [...WORKLOAD_KINDS].sort());
  for (const b of branches) {
    const kind = (b.properties as Record<string, Schema>).kind!.const as keyof typeof SCENARIO_KEYS.workload;
    assert.deepEqual(props(b), [...SCENARIO_KEYS.workload[kind]].sort(), kind);
  }
  const configuration = (schema.properties as Record<string, Schema>).configuration!;
  assert.deepEqual(configuration.enum, CONFIGURATION_TABLE.map((c) => c.name));
  assert.deepEqual(configuration.enumDescriptions, CONFIGURATION_TABLE.map((c) => c.description));
  // "expect" is keyed by the same names (or "*") and gives the run outcomes the summary reports.
  const expect = (schema.properties as Record<string, Schema>).expect!;
  assert.deepEqual((expect.propertyNames as Schema).enum, ['*', ...CONFIGURATION_TABLE.map((c) => c.name)]);
  assert.deepEqual((expect.additionalProperties as Schema).enum, [...OUTCOMES]);
  // Every property has a description, so VS Code can show it on hover.
  const missing: string[] = [];
  const walk = (s: Schema, path: string): void => {
    for (const [k, p] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) {
      if (typeof p.description !== 'string' || p.description.length < 5) missing.push(path + '/' + k);
      walk(p, path + '/' + k);
    }
    for (const b of (s.oneOf ?? []) as Schema[]) walk(b, path);
  };
  walk(schema, '');
  for (const [n, d] of Object.entries(defs)) walk(d, '#' + n);
  assert.deepEqual(missing, []);
});

test('the schema offers exactly the fault types the injector runs, and the loader refuses any other where it is written', () => {
  const fault = (schema.definitions as Record<string, Schema>).fault!;
  assert.deepEqual((fault.properties as Record<string, Schema>).type!.enum, [...INJECTABLE_FAULTS]);
  const text = VALID.replace('"type": "crash"', '"type": "melt-down"');
  const e = errorsOf(text);
  assert.deepEqual(
    e.map(([c, l, col]) => [c, l, col]),
    [['enum', ...at(text, '"type": "melt-down"', '"melt-down"')]],
  );
  assert.equal(e[0]![3], `"type" must be one of ${INJECTABLE_FAULTS.map((t) => JSON.stringify(t)).join(', ')}, found the string "melt-down"`);
});

test('the loader accepts exactly the configurations of the table', () => {
  const load = (configuration: string) => parseScenario(JSON.stringify({ name: 'c', system: 'default', configuration, seed: 0, duration: 1000 }), 'c.json');
  for (const name of CONFIGURATIONS) {
    const r = load(name);
    assert.deepEqual(r.diagnostics, [], name);
    assert.equal(r.scenario!.configuration, name);
  }
  for (const name of ['exokernel', 'Microkernel', '']) assert.equal(load(name).scenario, undefined, name);
});

test('the retired options load with a warning where they agree, and iommuMode contradicting the IOMMU is an error', () => {
  const withOptions = (configuration: string, options: string) =>
    parseScenario(`{"name":"r","system":"default","configuration":"${configuration}","seed":0,"duration":1000,\n"options": ${options}}`, 'r.json');
  const strict = withOptions('microkernel-iommu', '{ "iommuMode": "strict", "containers": 3 }');
  assert.ok(strict.scenario, 'an agreeing iommuMode still loads');
  assert.deepEqual(strict.diagnostics.map((d) => [d.severity, d.code, d.line, d.column]), [['warning', 'retired-option', 2, 14]]);
  assert.match(strict.diagnostics[0]!.message, /"iommuMode" is no longer read: .*microkernel-iommu: strict, microkernel-iommu-lazy: lazy/);
  assert.equal(strict.scenario.options.containers, 3, 'containers is read again: every configuration runs that many copies of the workload');
  assert.equal(withOptions('microkernel', '{ "iommuMode": "lazy" }').diagnostics[0]!.severity, 'warning', 'without an IOMMU the mode never mattered');
  assert.equal(withOptions('microkernel-iommu-lazy', '{ "iommuMode": "lazy" }').diagnostics[0]!.severity, 'warning');
  const lazy = withOptions('microkernel-iommu', '{ "iommuMode": "lazy" }');
  assert.equal(lazy.scenario, undefined);
  assert.deepEqual(lazy.diagnostics.map((d) => [d.severity, d.line, d.column]), [['error', 2, 27]]);
  assert.match(lazy.diagnostics[0]!.message, /contradicts the configuration "microkernel-iommu".*write "configuration": "microkernel-iommu-lazy"/);
  assert.match(withOptions('microkernel-iommu-lazy', '{ "iommuMode": "strict" }').diagnostics[0]!.message, /write "configuration": "microkernel-iommu"/);
});

test('"expect" maps configurations (or "*") to run outcomes, and names what is wrong where it is written', () => {
  const base = { name: 'x', system: 'default', configuration: 'microkernel', seed: 1, duration: '1s' };
  const ok = parseScenario(JSON.stringify({ ...base, expect: { '*': 'workload-failed', monolithic: 'panic' } }), 'x.json');
  assert.ok(ok.scenario, JSON.stringify(ok.diagnostics));
  assert.equal(expectedOutcome(ok.scenario.expect, 'monolithic'), 'panic');
  assert.equal(expectedOutcome(ok.scenario.expect, 'microkernel'), 'workload-failed');
  assert.equal(expectedOutcome([], 'microkernel'), 'ok');
  const text = '{"name":"x","system":"default","configuration":"microkernel","seed":1,"duration":"1s","expect":{"exokernel":"ok","monolithic":"crash"}}';
  const bad = parseScenario(text, 'x.json');
  assert.equal(bad.scenario, undefined);
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.code, d.column]),
    [['unknown-property', text.indexOf('"exokernel"') + 1], ['enum', text.indexOf('"crash"') + 1]],
  );
});

test('a scenario sets the limits of its user drivers, and an impossible limit is located', () => {
  const base = { name: 'x', system: 'default', configuration: 'microkernel', seed: 0, duration: 1000 };
  const set = parseScenario(JSON.stringify({ ...base, options: { driverMemoryMiB: 64, driverStallMs: 250 } }), 'limits.mklab.json');
  assert.equal(set.scenario?.options.driverMemoryMiB, 64);
  assert.equal(set.scenario?.options.driverStallMs, 250);
  const bad = parseScenario('{\n  "name": "x", "system": "default", "configuration": "microkernel", "seed": 0, "duration": 1000,\n  "options": { "driverMemoryMiB": 1 }\n}\n', 'bad.mklab.json');
  assert.equal(bad.scenario, undefined);
  assert.deepEqual({ line: bad.diagnostics[0]!.line, column: bad.diagnostics[0]!.column }, { line: 3, column: 35 });
  assert.match(bad.diagnostics[0]!.message, /"driverMemoryMiB" must be between 16 and 16384, found 1/);
});
