// Context at a position in a system.conf file: the service, key and value an editor's completion and hover need.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextAt, definedLabels, wordRoleAt, type ConfContext } from '../../../simulator/config/confContext.js';

/** The context at the `|` in `marked`, which is removed from the text. */
function at(marked: string): ConfContext {
  const offset = marked.indexOf('|');
  assert.ok(offset >= 0, 'no | in the text');
  return contextAt(marked.slice(0, offset) + marked.slice(offset + 1), offset);
}

function roleAt(marked: string): ReturnType<typeof wordRoleAt> {
  const offset = marked.indexOf('|');
  return wordRoleAt(marked.slice(0, offset) + marked.slice(offset + 1), offset);
}

const RTL = `# Realtek 8139
service rtl8139
{
\ttype net;
\tdescr "Realtek 8139 based card";
\tsystem
\t\tUMAP IRQCTL DEVIO
\t;
\tipc SYSTEM pm rs
\t\tpci inet;
};
`;

test('top level: between entries and right after service', () => {
  assert.deepEqual(at('|'), { kind: 'top-level', word: undefined });
  assert.equal(at('service a { uid 0; };\n|').kind, 'top-level');
  const c = at('serv|');
  assert.equal(c.kind, 'top-level');
  assert.deepEqual(c.kind === 'top-level' && c.word, { text: 'serv', prefix: 'serv', span: { start: 0, end: 4 } });
  assert.equal(at('service |').kind, 'service-label');
  assert.equal(at('service rtl|8139').kind, 'service-label');
  // A forgotten `;` after the `}` of an entry does not hide the next one.
  assert.equal(at('service a { uid 0; }\n|').kind, 'top-level');
});

test('inside an entry: keys at the start of a statement, with the service label', () => {
  assert.deepEqual(at('service rtl8139 {\n\t|\n};'), { kind: 'key', service: 'rtl8139', word: undefined });
  assert.deepEqual(at('service x { type net; sys|'), {
    kind: 'key',
    service: 'x',
    word: { text: 'sys', prefix: 'sys', span: { start: 22, end: 25 } },
  });
  const mid = at('service x { sy|stem DEVIO; };');
  assert.ok(mid.kind === 'key' && mid.word !== undefined);
  assert.deepEqual([mid.word.text, mid.word.prefix], ['system', 'sy']);
});

test('values: the key and the words already written, across lines', () => {
  const c = at(RTL.replace('IRQCTL ', 'IRQCTL |'));
  assert.deepEqual(c, { kind: 'value', service: 'rtl8139', key: 'system', values: ['UMAP', 'IRQCTL'], word: c.kind === 'value' ? c.word : undefined });
  assert.ok(c.kind === 'value' && c.word !== undefined && c.word.text === 'DEVIO' && c.word.prefix === '');
  const ipc = at(RTL.replace('pci inet', 'pci in|et'));
  assert.ok(ipc.kind === 'value');
  assert.equal(ipc.key, 'ipc');
  // `pci` is both a key and a label; in an ipc list it is a label, as MINIX reads it.
  assert.deepEqual(ipc.values, ['SYSTEM', 'pm', 'rs', 'pci']);
  const vm = at('service x { vm |');
  assert.deepEqual(vm, { kind: 'value', service: 'x', key: 'vm', values: [], word: undefined });
  const pci = at('service x { pci device 10ec:8139 |');
  assert.ok(pci.kind === 'value' && pci.key === 'pci');
  assert.deepEqual(pci.values, ['device', '10ec:8139']);
});

test('a forgotten `;` before the next key starts a new statement', () => {
  const c = at('service x {\n\tsystem DEVIO\n\tipc |\n};');
  assert.ok(c.kind === 'value');
  assert.equal(c.key, 'ipc');
  assert.deepEqual(c.values, []);
  const u = at('service x {\n\tuid 0\n\tsystem |');
  assert.ok(u.kind === 'value' && u.key === 'system');
});

test('comments, strings and nested blocks are not completion places', () => {
  assert.equal(at('# a comm|ent\nservice x {};').kind, 'comment');
  assert.equal(at('service x {\n\tsystem DEVIO; # allow |\n};').kind, 'comment');
  assert.equal(at('service x { descr "Real|tek"; };').kind, 'string');
  assert.equal(at('service x { descr "Realtek|').kind, 'string');
  assert.equal(at('service x { descr "Realtek"|; };').kind, 'value');
  assert.equal(at('service x { foo { | } };').kind, 'other');
  // `#` inside a word is part of the word, as in MINIX's configfile.c.
  assert.equal(at('service x { ipc a#b |').kind, 'value');
});

test('the labels a file defines', () => {
  assert.deepEqual(definedLabels(RTL), ['rtl8139']);
  assert.deepEqual(definedLabels('service a { ipc b; };\nservice b { class a; }\nservice c {};\n# service d {};'), ['a', 'b', 'c']);
  assert.deepEqual(definedLabels('service a { service z { }; };'), ['a']);
});

test('the role of the word under the position, for hovers', () => {
  assert.deepEqual(roleAt(RTL.replace('DEVIO', 'DE|VIO')), {
    kind: 'kernel-call',
    name: 'DEVIO',
    word: { text: 'DEVIO', prefix: 'DE', span: { start: RTL.indexOf('DEVIO'), end: RTL.indexOf('DEVIO') + 5 } },
  });
  assert.equal(roleAt(RTL.replace('\tsystem', '\tsys|tem'))?.kind, 'key');
  assert.equal(roleAt(RTL.replace('service rtl8139', 'ser|vice rtl8139'))?.kind, 'service-keyword');
  assert.equal(roleAt(RTL.replace('service rtl8139', 'service rtl|8139'))?.kind, 'service-label');
  const pm = roleAt(RTL.replace(' pm ', ' p|m '));
  assert.deepEqual(pm && pm.kind === 'label' && [pm.key, pm.label, pm.defined, pm.standard], ['ipc', 'pm', false, true]);
  const pci = roleAt(RTL.replace('\t\tpci', '\t\t|pci'));
  assert.deepEqual(pci && pci.kind === 'label' && pci.label, 'pci');
  assert.deepEqual(roleAt('service x { vm |MAP_PHYS; };')?.kind, 'vm-call');
  const all = roleAt('service x { system |ALL; };');
  assert.deepEqual(all && all.kind === 'keyword' && [all.key, all.name], ['system', 'ALL']);
  const io = roleAt('service x { io |378:4; };');
  assert.deepEqual(io && io.kind === 'value' && [io.key, io.text], ['io', '378:4']);
  // A key after a forgotten `;` is a key, not an unknown kernel call.
  const k = roleAt('service x {\n\tsystem DEVIO\n\ti|pc pm;\n};');
  assert.deepEqual(k && k.kind === 'key' && k.key, 'ipc');
  assert.equal(roleAt('# DEV|IO'), undefined);
  assert.equal(roleAt('service x { system DEVIO; | };'), undefined);
});
