// The SDK's types as the editor sees them in a folder New Driver wrote: the build's declarations
// (scripts/sdkTypes.mjs) copied to drivers/.mklab, the drivers' tsconfig.json that maps
// 'microkernel-lab' to them, and the template's driver, type-checked by the TypeScript compiler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { DRIVER_SDK_TYPES_PATH, DRIVER_TSCONFIG, driverTemplate } from '../../../simulator/config/driverTemplate';

let dir: string;
let declarations: string;

before(async () => {
  // Loaded at run time from the checkout: the build script is plain JavaScript beside the sources.
  const generator = (await import(pathToFileURL(resolve('scripts/sdkTypes.mjs')).href)) as { sdkDeclarations(root: string): string };
  declarations = generator.sdkDeclarations(resolve('.'));
  dir = mkdtempSync(join(tmpdir(), 'mklab-sdktypes-'));
  const files = driverTemplate('ticker');
  for (const f of [files.driver, files.conf, files.scenario, DRIVER_TSCONFIG, { path: DRIVER_SDK_TYPES_PATH, text: declarations }]) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks the drivers folder as the editor does, through its tsconfig.json, with `extra` files written beside the driver. */
function check(extra: Record<string, string> = {}): { text: string; file: string; code: number }[] {
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, 'drivers', name), text);
  try {
    const config = ts.getParsedCommandLineOfConfigFile(join(dir, DRIVER_TSCONFIG.path), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    })!;
    assert.deepEqual(config.errors, [], 'the tsconfig.json New Driver writes is valid');
    const program = ts.createProgram(config.fileNames, config.options);
    return ts.getPreEmitDiagnostics(program).map((d) => ({
      text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      file: d.file?.fileName.slice(dir.length + 1) ?? '',
      code: d.code,
    }));
  } finally {
    for (const name of Object.keys(extra)) rmSync(join(dir, 'drivers', name), { force: true });
  }
}

test('the declarations stand alone: one module that imports nothing, the SDK\'s exports in it', () => {
  const source = ts.createSourceFile('microkernel-lab.d.ts', declarations, ts.ScriptTarget.ES2022);
  const imports = source.statements.filter((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s) || (ts.isExportDeclaration(s) && s.moduleSpecifier));
  assert.deepEqual(imports.map((s) => s.getText(source)), []);
  assert.doesNotMatch(declarations, /\bimport\(/, 'no import types either');
  const declared = source.statements.flatMap((s) =>
    ts.isVariableStatement(s) ? s.declarationList.declarations.map((d) => d.name.getText(source)) : 'name' in s && s.name ? [(s.name as ts.Identifier).text] : [],
  );
  for (const inside of ['Proc', 'Kernel', 'PhysicalMemory', 'SysHost', 'Privilege']) assert.ok(!declared.includes(inside), `${inside} is the simulator's, not the SDK's`);
  const exported = source.statements.filter(ts.isExportDeclaration).flatMap((s) => (s.exportClause && ts.isNamedExports(s.exportClause) ? s.exportClause.elements.map((e) => e.getText(source)) : []));
  for (const name of ['Sys', 'Message', 'ANY', 'OK', 'Errno', 'isNotify', 'ref', 'secondsToCycles', 'type Trap', 'type Program']) assert.ok(exported.includes(name), name);
  assert.ok(declarations.length < 40_000, `${declarations.length} characters`);
});

test('the New Driver template\'s driver type-checks against the SDK\'s declarations with no diagnostic', () => {
  assert.deepEqual(check(), []);
  // The program really holds the driver and found the SDK through the tsconfig's paths.
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, DRIVER_TSCONFIG.path), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const resolved = ts.resolveModuleName('microkernel-lab', join(dir, 'drivers/ticker.ts'), config.options, ts.sys).resolvedModule;
  assert.equal(resolved?.resolvedFileName, join(dir, DRIVER_SDK_TYPES_PATH));
  assert.ok(config.fileNames.includes(join(dir, 'drivers/ticker.ts')));
});

test('a wrong call is an error: a misspelt method, a wrong argument, and what a user driver\'s Sys lacks', () => {
  const diagnostics = check({
    'wrong.ts': [
      "import { ANY, Message, ref, type Sys } from 'microkernel-lab';",
      'export function* main(sys: Sys) {',
      '  const m = new Message();',
      '  yield sys.sendd(ANY, m);',
      "  yield sys.receive('any', m);",
      '  yield sys.senda([], 1);',
      '  yield sys.sys_getuptime(ref(\'now\'));',
      '  console.log(sys.endpoint, m.type);',
      '}',
      '',
    ].join('\n'),
  });
  const wrong = diagnostics.filter((d) => d.file === 'drivers/wrong.ts');
  assert.deepEqual(diagnostics.filter((d) => d.file !== 'drivers/wrong.ts'), []);
  assert.match(wrong[0]?.text ?? '', /Property 'sendd' does not exist on type 'Sys'. Did you mean 'send'\?/);
  assert.match(wrong[1]?.text ?? '', /Argument of type 'string' is not assignable to parameter of type 'number'/);
  assert.match(wrong[2]?.text ?? '', /Property 'senda' does not exist on type 'Sys'/);
  assert.match(wrong[3]?.text ?? '', /'Ref<string>' is not assignable to parameter of type 'Ref<number>'|Type 'string' is not assignable to type 'number'/);
  assert.equal(wrong.length, 4, wrong.map((d) => d.text).join('\n'));
});

test('a JavaScript driver and a driver of several modules are typed too', () => {
  assert.deepEqual(
    check({
      'util.ts': 'export const PERIOD_MS = 100;\n',
      'js.js': "import { ANY, Message } from 'microkernel-lab';\nexport function* main(sys) {\n  const m = new Message();\n  for (;;) yield sys.receive(ANY, m);\n}\n",
      'two.ts': "import { msToCycles, type Sys } from 'microkernel-lab';\nimport { PERIOD_MS } from './util.ts';\nexport function* main(sys: Sys) {\n  for (;;) yield sys.sys_setalarm(msToCycles(PERIOD_MS, sys.clockHz));\n}\n",
    }),
    [],
  );
});
