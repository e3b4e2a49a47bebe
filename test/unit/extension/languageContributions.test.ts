// package.json's language, grammar and JSON Schema contributions point at shipped files that agree with the parser's tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { KERNEL_CALLS, SERVICE_KEYS, VM_CALLS } from '../../../simulator/config/minixNames';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const grammarText = readFileSync('syntaxes/minix-system-conf.tmLanguage.json', 'utf8');

test('the system.conf language, its configuration and grammar are contributed and exist', () => {
  const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === 'minix-system-conf');
  assert.ok(lang);
  assert.ok(lang.aliases.includes('MINIX system.conf'));
  assert.ok(lang.filenames.includes('system.conf'));
  assert.ok(existsSync(lang.configuration));
  const config = JSON.parse(readFileSync(lang.configuration, 'utf8'));
  assert.equal(config.comments.lineComment, '#');
  const grammar = pkg.contributes.grammars.find((g: { language: string }) => g.language === 'minix-system-conf');
  assert.ok(existsSync(grammar.path));
  assert.equal(JSON.parse(grammarText).scopeName, grammar.scopeName);
});

test('the grammar names every kernel call, VM call and key the parser knows', () => {
  const words = new Set(grammarText.match(/[A-Za-z_0-9]+/g));
  for (const c of KERNEL_CALLS) assert.ok(words.has(c.name), c.name);
  for (const c of VM_CALLS) assert.ok(words.has(c.name), c.name);
  for (const k of SERVICE_KEYS) assert.ok(words.has(k.name), k.name);
});

test('scenario files are validated with the shipped JSON Schema', () => {
  const v = pkg.contributes.jsonValidation.find((j: { url: string }) => j.url === './schemas/scenario.schema.json');
  assert.ok(v);
  assert.deepEqual(v.fileMatch, ['*.mklab.json', '**/.mklab/scenarios/*.json']);
  assert.ok(existsSync(v.url));
});

test('the .vsix allowlist ships the grammar, the language configuration and the schemas', () => {
  const allow = readFileSync('.vscodeignore', 'utf8').split('\n');
  for (const entry of ['!syntaxes/**', '!language-configuration.json', '!schemas/**']) assert.ok(allow.includes(entry), entry);
});
