// system.conf parser: real MINIX files, the privileges MINIX would grant, and located errors for malformed input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  checkConfFiles,
  formatDiagnostic,
  parseSystemConf,
  standaloneHint,
  STANDALONE_RS_ENTRY,
  type ConfEdit,
  type ParseResult,
  type ServiceDescription,
} from '../../../simulator/config/systemConf.js';
import { bootScenario, systemConfScenario } from '../../../simulator/system/scenarios.js';
import { servicePrivilege, allowsIoPort, allowsIpcTo } from '../../../simulator/config/privileges.js';
import { KernelCall } from '../../../simulator/kernel/constants.js';
import { Privilege } from '../../../simulator/kernel/privilege.js';
import { BASIC_KERNEL_CALLS, KERNEL_CALLS, kernelCallNumber, SERVICE_KEYS, VM_CALLS } from '../../../simulator/config/minixNames.js';

// Real MINIX files, vendored in test/fixtures/minix; MKLAB_MINIX_REFERENCE may point elsewhere.
const REF = process.env.MKLAB_MINIX_REFERENCE ?? resolve('test', 'fixtures', 'minix');
const refFiles = readdirSync(REF).filter((n) => n.endsWith('.conf'));

function parseRef(name: string): ParseResult {
  return parseSystemConf(readFileSync(join(REF, name), 'utf8'), name);
}

function service(r: ParseResult, label: string): ServiceDescription {
  const s = r.description.services.find((x) => x.label === label);
  assert.ok(s, `service ${label} not found`);
  return s;
}

function errors(r: ParseResult): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

test('every reference MINIX file parses with no errors and no warnings', () => {
  assert.ok(refFiles.length >= 6);
  for (const f of refFiles) {
    const r = parseRef(f);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning').map(formatDiagnostic),
      [],
      f,
    );
    assert.ok(r.description.services.length >= 1, f);
  }
  const sys = parseRef('system.conf');
  assert.deepEqual(
    sys.description.services.map((s) => s.label),
    ['rs', 'ds', 'vm', 'pm', 'sched', 'vfs', 'mfs', 'tty', 'init', 'floppy', 'dp8390', 'rtl8139', 'pci', 'at_wini', 'isofs', 'printer', 'amddev', 'filter'],
  );
});

test('rtl8139.conf grants the basic calls plus UMAP, IRQCTL and DEVIO, its PCI ids and its ipc list', () => {
  const s = service(parseRef('rtl8139.conf'), 'rtl8139');
  assert.equal(s.type, 'net');
  assert.equal(s.descr, 'Realtek 8139 based card');
  assert.deepEqual(s.system.listed, ['UMAP', 'IRQCTL', 'DEVIO']);
  assert.deepEqual(new Set(s.kernelCalls), new Set([...BASIC_KERNEL_CALLS, 'UMAP', 'IRQCTL', 'DEVIO']));
  assert.equal(s.kernelCalls.includes('PRIVCTL'), false);
  assert.equal(s.pciDevices.length, 17);
  assert.deepEqual(s.pciDevices[0], { vendorId: 0x10ec, deviceId: 0x8139 });
  assert.deepEqual(s.ipc, { kind: 'list', labels: ['SYSTEM', 'pm', 'rs', 'log', 'tty', 'ds', 'vm', 'pci', 'inet', 'lwip', 'amddev'] });
  // No io or irq key: MINIX's defaults are none (the PCI server grants the device's own later).
  assert.deepEqual(s.io, { all: false, ranges: [] });
  assert.deepEqual(s.irq, { all: false, lines: [] });
  const p = servicePrivilege(s);
  const kernel = new Privilege(p);
  assert.ok(kernel.allowsKernelCall(KernelCall.DEVIO) && kernel.allowsKernelCall(KernelCall.IRQCTL) && kernel.allowsKernelCall(KernelCall.UMAP));
  assert.equal(kernel.allowsKernelCall(KernelCall.PRIVCTL), false);
  assert.equal(allowsIpcTo(p, 'pci', true), true);
  assert.equal(allowsIpcTo(p, 'vfs', true), false);
});

test('printer: I/O ranges and IRQ as MINIX reads them (hex base:len)', () => {
  const s = service(parseRef('printer.conf'), 'printer');
  assert.deepEqual(s.io.ranges, [
    { base: 0x378, length: 4 },
    { base: 0x278, length: 4 },
  ]);
  assert.deepEqual(s.irq.lines, [7]);
  const p = servicePrivilege(s);
  assert.equal(allowsIoPort(p, 0x37b), true);
  assert.equal(allowsIoPort(p, 0x37c), false);
  assert.ok(s.kernelCalls.includes('READBIOS') && s.kernelCalls.includes('KILL'));
  // The kernel grants the calls it implements; READBIOS is not one of them.
  assert.ok(Array.isArray(p.kernelCalls) && p.kernelCalls.includes('KILL') && !(p.kernelCalls as readonly string[]).includes('READBIOS'));
});

test('floppy and at_wini: io without a length means one port; pci class masks', () => {
  const sys = parseRef('system.conf');
  assert.deepEqual(service(sys, 'floppy').io.ranges, [
    { base: 0x3f0, length: 8 },
    { base: 0, length: 0x10 },
    { base: 0x81, length: 1 },
  ]);
  const w = service(sys, 'at_wini');
  assert.deepEqual(w.irq.lines, [14, 15]);
  assert.deepEqual(w.pciClasses, [
    { classCode: 0x010100, mask: 0xffff00 },
    { classCode: 0x018000, mask: 0xffff00 },
    { classCode: 0x010400, mask: 0xffff00 },
  ]);
  assert.deepEqual(service(sys, 'dp8390').pciDevices, [{ vendorId: 0x10ec, deviceId: 0x8029 }]);
});

test('an entry with no system, ipc, uid or scheduling keys gets MINIX defaults', () => {
  const s = service(parseRef('system.conf'), 'filter');
  assert.deepEqual(s.system, { all: false, basic: true, listed: [] });
  assert.deepEqual(new Set(s.kernelCalls), new Set(BASIC_KERNEL_CALLS));
  assert.equal(s.uid, 12);
  assert.equal(s.sigmgr, 'rs');
  assert.equal(s.scheduler, 'sched');
  assert.equal(s.priority, 7);
  assert.equal(s.quantumMs, 200);
  assert.deepEqual(s.control, ['at_wini', 'bios_wini']);
  const iso = service(parseRef('system.conf'), 'isofs');
  assert.deepEqual(iso.ipc, { kind: 'all-sys' });
  assert.equal(iso.uid, 0);
});

test('boot services: system ALL, NONE, vm lists, sigmgr SELF, scheduler KERNEL', () => {
  const sys = parseRef('system.conf');
  const rs = service(sys, 'rs');
  assert.equal(rs.system.all, true);
  assert.ok(rs.kernelCalls.includes('PRIVCTL') && rs.kernelCalls.includes('UPDATE'));
  assert.deepEqual(rs.ipc, { kind: 'all' });
  assert.equal(rs.sigmgr, 'SELF');
  assert.equal(rs.scheduler, 'KERNEL');
  assert.equal(rs.priority, 4);
  assert.equal(rs.quantumMs, 500);
  assert.ok(rs.vmCalls.includes('RS_SET_PRIV') && rs.vmCalls.includes('BRK'));
  const init = service(sys, 'init');
  assert.deepEqual(init.kernelCalls, []);
  assert.deepEqual(init.ipc, { kind: 'list', labels: ['pm', 'vfs', 'rs', 'vm'] });
  assert.deepEqual(service(sys, 'vm').vmCalls, []);
  assert.equal(service(sys, 'tty').io.all, true);
  const tty = servicePrivilege(service(sys, 'tty'));
  assert.ok(allowsIoPort(tty, 0) && allowsIoPort(tty, 0xffff));
});

test('keys and values carry source ranges for hovers', () => {
  const s = service(parseRef('printer.conf'), 'printer');
  const io = s.keys.find((k) => k.key === 'io')!;
  assert.deepEqual([io.keyRange.line, io.keyRange.column, io.keyRange.endColumn], [3, 8, 10]);
  assert.deepEqual(
    io.values.map((v) => [v.text, v.range.line, v.range.column, v.range.endColumn]),
    [
      ['378:4', 3, 16, 21],
      ['278:4', 4, 16, 21],
    ],
  );
  assert.deepEqual([s.labelRange.line, s.labelRange.column], [1, 9]);
});

function one(r: ParseResult, code: string) {
  const d = r.diagnostics.filter((x) => x.code === code);
  assert.equal(d.length, 1, `expected one ${code}, got: ${r.diagnostics.map(formatDiagnostic).join('\n')}`);
  return d[0]!;
}

test('a missing ; between keys is located after the value, and both keys still count', () => {
  const text = ['service drv', '{', '\tuid 0', '\tsystem UMAP DEVIO;', '\tirq 5;', '};', ''].join('\n');
  const r = parseSystemConf(text, 'drv.conf');
  const d = one(r, 'missing-semicolon');
  assert.equal(d.severity, 'error');
  assert.deepEqual([d.line, d.column], [3, 7]);
  assert.match(d.message, /expected ';' after 'uid 0'/);
  const s = service(r, 'drv');
  assert.equal(s.uid, 0);
  assert.deepEqual(s.system.listed, ['UMAP', 'DEVIO']);
  assert.deepEqual(s.irq.lines, [5]);
});

test('a missing ; after a list before another key is found too', () => {
  const r = parseSystemConf('service d {\n  system UMAP\n  io 300:8;\n};\n', 'd.conf');
  const d = one(r, 'missing-semicolon');
  assert.deepEqual([d.line, d.column], [2, 14]);
  assert.deepEqual(service(r, 'd').io.ranges, [{ base: 0x300, length: 8 }]);
  assert.deepEqual(errors(r).length, 1);
});

test('unknown key, with a suggestion', () => {
  const r = parseSystemConf('service d {\n  sytem UMAP;\n  irq 3;\n};\n', 'd.conf');
  const d = one(r, 'unknown-key');
  assert.deepEqual([d.line, d.column, d.endColumn, d.severity], [2, 3, 8, 'error']);
  assert.match(d.message, /unknown key 'sytem' \(did you mean 'system'\?\)/);
  assert.deepEqual(service(r, 'd').irq.lines, [3]);
});

test('bad I/O range', () => {
  const r = parseSystemConf('service d {\n\tio 3f8:8 zz:2 300:;\n};\n', 'd.conf');
  const bad = r.diagnostics.filter((x) => x.code === 'bad-io-range');
  assert.deepEqual(
    bad.map((x) => [x.line, x.column, x.endColumn]),
    [
      [2, 11, 15],
      [2, 16, 20],
    ],
  );
  assert.match(bad[0]!.message, /bad I\/O range 'zz:2': expected hex base\[:len\]/);
  assert.deepEqual(service(r, 'd').io.ranges, [{ base: 0x3f8, length: 8 }]);
});

test('unknown kernel call is an error at the call, known ones still granted', () => {
  const r = parseSystemConf('service d {\n  system\n    UMAP\n    FOO\n    DEVIOO\n  ;\n};\n', 'd.conf');
  const bad = r.diagnostics.filter((x) => x.code === 'unknown-kernel-call');
  assert.deepEqual(bad.map((x) => [x.line, x.column, x.message]), [
    [4, 5, "unknown kernel call 'FOO'"],
    [5, 5, "unknown kernel call 'DEVIOO' (did you mean 'DEVIO'?)"],
  ]);
  assert.deepEqual(service(r, 'd').system.listed, ['UMAP']);
});

test('a call MINIX 3.4 does not accept in a list says whether the simulator grants it anyway', () => {
  const r = parseSystemConf('service d {\n  system\n    GETKSIG\n    SCHEDULE\n    SETALARM\n  ;\n  vm\n    WATCH_EXIT\n  ;\n};\n', 'd.conf');
  const info = (code: string) => r.diagnostics.filter((x) => x.code === code).map((x) => [x.line, x.column, x.message]);
  assert.deepEqual(info('kernel-call-not-listable'), [
    [3, 5, "kernel call 'GETKSIG' is not accepted in a 'system' list by MINIX 3.4: MINIX 3.4's service utility ignores it; the simulator grants it"],
    [4, 5, "kernel call 'SCHEDULE' is not accepted in a 'system' list by MINIX 3.4: MINIX 3.4's service utility ignores it"],
    [5, 5, "kernel call 'SETALARM' is not accepted in a 'system' list by MINIX 3.4: it is a basic kernel call and is granted anyway"],
  ]);
  assert.deepEqual(info('vm-call-not-listable'), [
    [8, 5, "VM call 'WATCH_EXIT' is not accepted in a 'vm' list by MINIX 3.4: MINIX 3.4's service utility ignores it"],
  ]);
  const kernel = new Privilege(servicePrivilege(service(r, 'd')));
  assert.equal(kernel.allowsKernelCall(KernelCall.GETKSIG), true);
});

test('unterminated block is located at its {, and services before it survive', () => {
  const r = parseSystemConf('service a {\n  irq 1;\n};\nservice b\n{\n  irq 2;\n', 'x.conf');
  const d = one(r, 'unterminated-block');
  assert.deepEqual([d.line, d.column], [5, 1]);
  assert.deepEqual(service(r, 'a').irq.lines, [1]);
  assert.deepEqual(service(r, 'b').irq.lines, [2]);
});

test('a file with one error still yields every other service', () => {
  const text = readFileSync(join(REF, 'system.conf'), 'utf8').replace('\tio\t3f0:8', '\tio\t3g0:8');
  const r = parseSystemConf(text, 'system.conf');
  assert.equal(errors(r).length, 1);
  assert.equal(one(r, 'bad-io-range').line, text.split('\n').findIndex((l) => l.includes('3g0:8')) + 1);
  assert.equal(r.description.services.length, 18);
  assert.deepEqual(service(r, 'floppy').irq.lines, [6]);
  assert.deepEqual(service(r, 'pci').io.ranges[0], { base: 0xcf8, length: 8 });
});

test('a missing ; after a service block is an error, and the next service is kept', () => {
  const r = parseSystemConf('service a { irq 1; }\nservice b { irq 2; };\n', 'x.conf');
  const d = one(r, 'missing-semicolon');
  assert.deepEqual([d.line, d.column, d.severity], [1, 21, 'error']);
  assert.deepEqual(r.description.services.map((s) => s.label), ['a', 'b']);
});

test('unknown IPC target is a warning; labels of other services in the set are known', () => {
  const r = parseSystemConf('service a {\n  ipc SYSTEM pm b nosuch;\n};\nservice b { ipc a; };\n', 'x.conf');
  const d = one(r, 'unknown-label');
  assert.deepEqual([d.line, d.column, d.severity], [2, 19, 'warning']);
  assert.match(d.message, /unknown IPC target 'nosuch'/);
  assert.deepEqual(errors(r), []);
});

test('MINIX grammar details: keywords alone, quoted descr, class, comments only after white space', () => {
  const text = [
    '# comment at the start',
    'service base { system IRQCTL; irq 4; };',
    'service d {',
    '  class base;',
    '  descr "My \\"quoted\\" card";',
    '  ipc ALL pm;',
    '  uid root;',
    '  priority 0x3;',
    '  pci device 8086:100e/1028:0002;',
    '};',
  ].join('\n');
  const r = parseSystemConf(text, 'x.conf');
  const s = service(r, 'd');
  assert.equal(s.descr, 'My "quoted" card');
  assert.deepEqual(s.irq.lines, [4]);
  assert.ok(s.kernelCalls.includes('IRQCTL'));
  assert.deepEqual(s.classes, ['base']);
  assert.equal(s.uid, 0);
  assert.equal(s.priority, 3);
  assert.deepEqual(s.pciDevices, [{ vendorId: 0x8086, deviceId: 0x100e, subVendorId: 0x1028, subDeviceId: 2 }]);
  const kw = one(r, 'keyword-in-list');
  assert.deepEqual([kw.line, kw.column], [6, 7]);
  // As in MINIX's configfile.c, '#' right after a non-space character is part of a word, not a comment.
  const hash = parseSystemConf('service c {\n  irq 9; # a comment\n  irq 10;#word\n};\n', 'c.conf');
  assert.deepEqual(hash.diagnostics.map((x) => [x.code, x.line, x.column]), [['unknown-key', 3, 10]]);
  const loop = parseSystemConf('service a { class b; };\nservice b { class a; };\n', 'x.conf');
  assert.deepEqual(
    loop.diagnostics.filter((x) => x.code === 'class-cycle').map((x) => [x.line, x.column]),
    [
      [1, 19],
      [2, 19],
    ],
  );
});

test('checkConfFiles reports per file and knows labels across files', () => {
  const out = checkConfFiles([
    { path: 'a.conf', text: 'service a { ipc b SYSTEM; };' },
    { path: 'b.conf', text: 'service b { ipc a; system FROB; };' },
  ]);
  assert.deepEqual(out.map((f) => f.path), ['a.conf', 'b.conf']);
  assert.deepEqual(out[0]!.diagnostics, []);
  assert.deepEqual(out[1]!.diagnostics.map((d) => [d.code, d.line, d.column]), [['unknown-kernel-call', 1, 27]]);
});

test('never throws on hostile input', () => {
  for (const text of ['', '}}}}', '{', 'service', 'service x', 'service x {', '"unterminated', 'service x { ipc ; }; ;;;', '\\', '\u0000\u00ff{{{', '{'.repeat(500)]) {
    const r = parseSystemConf(text, 'h.conf');
    assert.ok(Array.isArray(r.diagnostics));
  }
});

test('name tables: kernel call numbers from com.h, descriptions for every key and call', () => {
  assert.equal(kernelCallNumber('DEVIO'), 0x600 + 21);
  assert.equal(kernelCallNumber('SAFECOPYFROM'), 0x600 + 31);
  assert.equal(kernelCallNumber('PADCONF'), 0x600 + 57);
  assert.ok(KERNEL_CALLS.every((c) => c.description.length > 10));
  assert.ok(VM_CALLS.every((c) => c.description.length > 5));
  assert.deepEqual(
    SERVICE_KEYS.map((k) => k.name).sort(),
    ['class', 'control', 'cpu', 'descr', 'domain', 'io', 'ipc', 'irq', 'pci', 'priority', 'quantum', 'scheduler', 'sigmgr', 'system', 'type', 'uid', 'vm'],
  );
});

/** The character offset of a 1-based line and column of `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
}

function applyEdit(text: string, edit: ConfEdit): string {
  const start = offsetOf(text, edit.range.line, edit.range.column);
  const end = offsetOf(text, edit.range.endLine, edit.range.endColumn);
  return text.slice(0, start) + edit.text + text.slice(end);
}

/** The text of `range` in `text`. */
function textAt(text: string, range: ConfEdit['range']): string {
  return text.slice(offsetOf(text, range.line, range.column), offsetOf(text, range.endLine, range.endColumn));
}

test('a "did you mean" diagnostic carries its suggestion as a replacement of exactly the bad word', () => {
  // [text, code of the diagnostic, the bad word, the word meant]
  const cases: [string, string, string, string][] = [
    ['service d {\n  system\n    UMAP\n    DEVIOO\n  ;\n};\n', 'unknown-kernel-call', 'DEVIOO', 'DEVIO'],
    ['service d {\n  vm REMAPP;\n};\n', 'unknown-vm-call', 'REMAPP', 'REMAP'],
    ['service d {\n  ipc SYSTEM pm tyy ds;\n};\n', 'unknown-label', 'tyy', 'tty'],
    ['service d {\n  ipc SYSTEM RS;\n};\n', 'unknown-label', 'RS', 'rs'],
    ['service d {\n  control helpr;\n};\nservice helper { };\n', 'unknown-label', 'helpr', 'helper'],
    ['service d {\n  sytem UMAP;\n  irq 3;\n};\n', 'unknown-key', 'sytem', 'system'],
    ['service d {\n  Descr "x";\n};\n', 'unknown-key', 'Descr', 'descr'],
    ['sevice d {\n  irq 3;\n};\n', 'expected-service', 'sevice', 'service'],
    // Misspelt keywords, where the keyword could stand.
    ['service d {\n  system BASC;\n};\n', 'unknown-kernel-call', 'BASC', 'BASIC'],
    ['service d {\n  vm NON;\n};\n', 'unknown-vm-call', 'NON', 'NONE'],
    ['service d {\n  ipc ALL_SYSS;\n};\n', 'unknown-label', 'ALL_SYSS', 'ALL_SYS'],
    ['service d {\n  io AL;\n};\n', 'bad-io-range', 'AL', 'ALL'],
    ['service d {\n  irq NON;\n};\n', 'bad-irq', 'NON', 'NONE'],
    ['service d {\n  sigmgr SELFF;\n};\n', 'unknown-label', 'SELFF', 'SELF'],
    ['service d {\n  scheduler KERNAL;\n};\n', 'unknown-label', 'KERNAL', 'KERNEL'],
    ['service d {\n  type nett;\n};\n', 'bad-type', 'nett', 'net'],
    ['service d {\n  pci devce 8086:100e;\n};\n', 'bad-pci', 'devce', 'device'],
    ['service d {\n  uid roott;\n};\n', 'bad-uid', 'roott', 'root'],
    ['service d {\n  domain ROUT;\n};\n', 'bad-domain', 'ROUT', 'ROUTE'],
  ];
  for (const [text, code, bad, meant] of cases) {
    const r = parseSystemConf(text, 'd.conf');
    const d = one(r, code);
    assert.ok(d.replacement, `${code} for '${bad}' has no replacement: ${d.message}`);
    assert.equal(d.replacement.text, meant, d.message);
    assert.deepEqual(d.replacement.range, { file: 'd.conf', line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn });
    assert.equal(textAt(text, d.replacement.range), bad, `the replacement covers exactly '${bad}'`);
    // The message names the word too ("did you mean 'X'?", or for a label in the wrong case "the process is 'x'").
    assert.ok(d.message.includes(`did you mean '${meant}'`) || d.message.includes(`the process is '${meant}'`), d.message);
    // Applied, the fix leaves the file clean of that problem (and of any other).
    const fixed = applyEdit(text, d.replacement);
    assert.deepEqual(parseSystemConf(fixed, 'd.conf').diagnostics.map(formatDiagnostic), [], fixed);
  }
});

test('no replacement where the parser cannot tell what was meant, nor a keyword where it could not stand', () => {
  const r = parseSystemConf('service d {\n  system UMAP FOO BASC;\n  ipc SYSTEM nosuch;\n  frob 1;\n  io zz9;\n};\n', 'd.conf');
  for (const code of ['unknown-key', 'unknown-label', 'bad-io-range']) assert.equal(one(r, code).replacement, undefined, code);
  const calls = r.diagnostics.filter((d) => d.code === 'unknown-kernel-call');
  assert.deepEqual(calls.map((d) => [textAt('service d {\n  system UMAP FOO BASC;\n', d), d.replacement]), [
    ['FOO', undefined],
    // BASIC stands alone only: in a list, 'BASC' is no misspelt keyword.
    ['BASC', undefined],
  ]);
});

test('a file that describes services but no RS gets a hint, on its first label, that it cannot boot by itself', () => {
  const text = readFileSync(join(REF, 'e1000.conf'), 'utf8');
  const parsed = parseSystemConf(text, 'e1000.conf');
  const hint = standaloneHint(parsed, 'e1000.conf');
  assert.ok(hint);
  assert.equal(hint.severity, 'information');
  assert.equal(hint.code, 'cannot-boot-alone');
  assert.equal(textAt(text, hint), 'e1000');
  assert.match(hint.message, /^This file describes e1000 only: no `service rs`, so it cannot boot by itself\./);
  assert.match(hint.message, /does not add the file to the built-in base system/);
  assert.match(hint.message, /add a `service rs` entry \(Quick Fix\)/);
  assert.match(hint.message, /e1000\.ts, with this entry beside it as e1000\.conf, named in a scenario's userDrivers/);
  assert.deepEqual(hint.insertion, { range: { file: 'e1000.conf', line: 1, column: 1, endLine: 1, endColumn: 1 }, text: STANDALONE_RS_ENTRY });
  // A whole system (MINIX's system.conf has RS) and a file with no service get no hint.
  assert.equal(standaloneHint(parseRef('system.conf'), 'system.conf'), undefined);
  assert.equal(standaloneHint(parseSystemConf('# nothing yet\n', 'x.conf'), 'x.conf'), undefined);
  // Several services: they are named, and no driver advice (that is for one driver's file).
  const many = standaloneHint(parseSystemConf('service a { };\nservice b { };\nservice c { };\nservice d { };\nservice e { };\n', 'x.conf'), 'x.conf');
  assert.match(many?.message ?? '', /^This file describes a, b, c and 2 more, but no `service rs`/);
  assert.doesNotMatch(many?.message ?? '', /userDrivers/);
});

test('with errors the hint offers no entry: the entry would not make the file boot', () => {
  const hint = standaloneHint(parseSystemConf('service d {\n  system FOO;\n};\n', 'd.conf'), 'd.conf');
  assert.ok(hint);
  assert.equal(hint.insertion, undefined);
  assert.match(hint.message, /fix its errors and add a `service rs` entry/);
});

/** Boots `text` as Start System boots a workspace system.conf; returns the processes, or throws as the boot does. */
function bootAlone(text: string, file: string): string[] {
  const system = bootScenario(systemConfScenario(file, file), { systemConf: { text, file } });
  system.run({ untilCycles: 20_000_000 });
  assert.equal(system.sim.panicked, null, `${file} panicked`);
  return system.sim.processes().map((p) => p.name);
}

test("the hint's `service rs` entry makes a per-driver file, and a system.conf without RS, boot", () => {
  const e1000 = readFileSync(join(REF, 'e1000.conf'), 'utf8');
  assert.throws(() => bootAlone(e1000, 'e1000.conf'), /no 'service rs' entry/);
  const withRs = applyEdit(e1000, standaloneHint(parseSystemConf(e1000, 'e1000.conf'), 'e1000.conf')!.insertion!);
  assert.ok(withRs.startsWith(STANDALONE_RS_ENTRY + 'service e1000'));
  assert.equal(standaloneHint(parseSystemConf(withRs, 'e1000.conf'), 'e1000.conf'), undefined);
  assert.deepEqual(parseSystemConf(withRs, 'e1000.conf').diagnostics.map(formatDiagnostic), []);
  // The simulator has no e1000 program: RS boots alone, as the hint says.
  assert.deepEqual(bootAlone(withRs, 'e1000.conf'), ['rs']);
  // Services the simulator has a program for are started by the added RS.
  const own = 'service ds\n{\n\tuid 0;\n\tipc ALL_SYS;\n\tsystem ALL;\n\tsigmgr rs;\n\tscheduler KERNEL;\n};\n\nservice printer\n{\n\tsystem IRQCTL DEVIO;\n\tio 378:4;\n\tirq 7;\n\tipc SYSTEM rs ds;\n};\n';
  const hint = standaloneHint(parseSystemConf(own, 'system.conf'), 'system.conf')!;
  assert.match(hint.message, /^This file describes ds and printer, but no `service rs`/);
  const booted = bootAlone(applyEdit(own, hint.insertion!), 'system.conf');
  for (const label of ['rs', 'ds', 'printer']) assert.ok(booted.includes(label), `${label} is not running: ${booted.join(', ')}`);
});

test("every MINIX file without RS and without errors boots once the hint's entry is added", () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(dir, name.name));
      else if (name.name.endsWith('.conf')) files.push(join(dir, name.name));
    }
  };
  walk(REF);
  let booted = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const hint = standaloneHint(parseSystemConf(text, path), path);
    if (hint?.insertion === undefined) continue;
    const fixed = applyEdit(text, hint.insertion);
    assert.ok(bootAlone(fixed, path).includes('rs'), path);
    booted++;
  }
  assert.ok(booted >= 30, `only ${booted} files booted`);
});
