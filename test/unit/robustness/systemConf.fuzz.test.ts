// system.conf under mutation: thousands of damaged copies of MINIX's own files never make the
// parser (or the editor's completion and hover helpers over the same text) throw, and every
// diagnostic points inside the file it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseSystemConf, parseSystemConfFiles, type ParseResult } from '../../../simulator/config/systemConf.js';
import { servicePrivilege } from '../../../simulator/config/privileges.js';
import { Privilege } from '../../../simulator/kernel/privilege.js';
import { contextAt, definedLabels, wordRoleAt } from '../../../simulator/config/confContext.js';
import { assertLocatedIn, fuzz, mutateText, show } from './fuzz';

// As the parser's own tests: the vendored MINIX files in test/fixtures/minix, or MKLAB_MINIX_REFERENCE.
const REF = process.env.MKLAB_MINIX_REFERENCE ?? resolve('test', 'fixtures', 'minix');
/** Every .conf below `dir` (MINIX's whole tree is in tree/), by path relative to REF. */
function confFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? confFiles(join(dir, e.name)) : e.name.endsWith('.conf') ? [relative(REF, join(dir, e.name))] : [],
  );
}
const FILES = confFiles(REF)
  .sort()
  .map((name) => ({ path: name, text: readFileSync(join(REF, name), 'utf8') }));

const TOKENS = [
  'service', 'uid', 'ipc', 'system', 'irq', 'io', 'pci', 'device', 'class', 'control', 'type', 'scheduler', 'priority',
  'quantum', 'vm', 'sigmgr', 'descr', 'include', 'ALL', 'ALL_SYS', 'KERNEL', 'SYSTEM', 'USER', ';', '{', '}', '=', '"', '#',
  '0x', '0x10ec:0x8139', '10ec:8139', '0x300:0x310', '300:', ':', '0', '-1', '4294967296', '99999999999999999999', '1e309',
  'NaN', 'Infinity', '0x7fffffff', 'rs', 'pm', 'vfs', 'tty', 'UMAP', 'IRQCTL', 'DEVIO', 'PRIVCTL', 'ALL_', '"/etc/x.conf"',
  'include "hello.conf";', 'service x { };', '{ { { {', '} } }', '\n', '\\', 'constructor', '__proto__', 'toString', 'root', 'SELF',
];

const MUTANTS = 2000;

function checkResult(r: ParseResult, texts: ReadonlyMap<string, string>, what: string): void {
  for (const d of r.diagnostics) {
    const text = texts.get(d.file);
    assert.ok(text !== undefined, `${what}: diagnostic names an unknown file ${d.file}`);
    assertLocatedIn(text, d, what);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity), what);
    assert.ok(d.code.length > 0, what);
  }
  // What the parser accepts is what the simulator builds privileges from: values of the declared types, which the kernel compiles.
  for (const s of r.description.services) {
    assert.ok(s.uid === 'SELF' || Number.isSafeInteger(s.uid), `${what}: service ${s.label} has uid ${String(s.uid)}`);
    for (const n of [s.priority, s.quantumMs, s.cpu, ...s.irq.lines]) assert.ok(Number.isFinite(n), `${what}: service ${s.label} has a non-finite number`);
    new Privilege(servicePrivilege(s));
  }
}

test('the reference MINIX files parse cleanly, so the mutants start from real input', () => {
  assert.ok(FILES.length >= 6, `expected MINIX's .conf files in ${REF}`);
  for (const f of FILES) {
    const r = parseSystemConf(f.text, f.path);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], f.path);
  }
});

test('mutated system.conf files: no exception, every diagnostic inside its file, with a message', () => {
  let withErrors = 0;
  let total = 0;
  fuzz('system.conf mutants', MUTANTS, (rng, i) => {
    const f = rng.pick(FILES);
    const text = mutateText(rng, f.text, TOKENS);
    const what = `${f.path} mutant ${i}: ${show(text)}`;
    let r: ParseResult;
    try {
      r = parseSystemConf(text, f.path);
    } catch (e) {
      assert.fail(`${what}\nthe parser threw ${String(e)}`);
    }
    checkResult(r, new Map([[f.path, text]]), what);
    if (r.diagnostics.some((d) => d.severity === 'error')) withErrors++;
    total++;
    // The editor asks for context and roles at any offset of whatever is being typed.
    const offset = rng.int(text.length + 1);
    try {
      contextAt(text, offset);
      wordRoleAt(text, offset);
    } catch (e) {
      assert.fail(`${what}\ncompletion/hover at ${offset} threw ${String(e)}`);
    }
    if (i % 10 === 0) definedLabels(text);
  });
  // The mutants must reach the error paths, or this test proves nothing.
  assert.ok(withErrors > total * 0.3, `only ${withErrors} of ${total} mutants gave an error`);
});

test('mutated files read through include, and several files at once: diagnostics name the right file and stay inside it', () => {
  fuzz('system.conf include mutants', 300, (rng, i) => {
    const a = rng.pick(FILES);
    const b = rng.pick(FILES);
    const included = mutateText(rng, b.text, TOKENS);
    const main = `include "inc/${b.path}";\n` + mutateText(rng, a.text, TOKENS);
    const texts = new Map([
      ['main.conf', main],
      [`inc/${b.path}`, included],
    ]);
    const what = `include mutant ${i}: ${show(main, 200)} including ${show(included, 200)}`;
    try {
      checkResult(
        parseSystemConf(main, 'main.conf', { resolveInclude: (p) => (p === `inc/${b.path}` ? { file: p, text: included } : undefined) }),
        texts,
        what,
      );
      checkResult(
        parseSystemConfFiles([
          { path: 'main.conf', text: main },
          { path: `inc/${b.path}`, text: included },
        ]),
        texts,
        what,
      );
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.fail(`${what}\nthe parser threw ${String(e)}`);
    }
  });
});

test('pathological system.conf text: deep braces, huge numbers, a file that includes itself', () => {
  const cases: [string, string][] = [
    ['deep braces', 'service x {\n' + '{'.repeat(20000) + '\n};'],
    ['closing braces only', '}'.repeat(5000)],
    ['huge numbers', 'service x { uid 99999999999999999999999; irq 1e309; io 0xffffffffffffffffff:0x1; priority -0; quantum NaN; };'],
    ['nul and lone surrogates', 'service \u0000x\ud800 { ipc \udc00; };'],
    ['unterminated string', 'service x { descr "abc'],
    ['unterminated comment-like', 'service x { # no newline'],
    ['only a semicolon', ';'],
    ['empty', ''],
  ];
  for (const [name, text] of cases) {
    const r = parseSystemConf(text, 'p.conf');
    checkResult(r, new Map([['p.conf', text]]), name);
  }
  // `uid constructor` (or __proto__, toString) names no MINIX login: Object's own properties must not pass for one.
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const text = `service x {\n  uid ${name};\n};\n`;
    const r = parseSystemConf(text, 'p.conf');
    checkResult(r, new Map([['p.conf', text]]), `uid ${name}`);
    assert.deepEqual(r.diagnostics.map((d) => [d.code, d.line, d.column]), [['bad-uid', 2, 7]], `uid ${name}`);
  }
  const self = 'include "self.conf";\nservice y { uid 0; };\n';
  const r = parseSystemConf(self, 'self.conf', { resolveInclude: () => ({ file: 'self.conf', text: self }) });
  checkResult(r, new Map([['self.conf', self]]), 'self include');
  assert.ok(r.diagnostics.some((d) => d.code === 'include-depth'), 'a file that includes itself is reported');
});
