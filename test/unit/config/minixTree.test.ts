// Every service description of MINIX's current tree (vendored in
// test/fixtures/minix/tree, see its README) is read as MINIX's service(8)
// reads it: no file is refused, `domain` lists protocol families, and the
// names the parser accepts in `system` and `vm` lists are MINIX's own tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { checkConfFiles, parseSystemConfFiles } from '../../../simulator/config/systemConf.js';
import { KERNEL_CALLS, SOCKET_DOMAINS, VM_CALLS } from '../../../simulator/config/minixNames.js';

const TREE = resolve('test', 'fixtures', 'minix', 'tree');

function confFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? confFiles(path) : name.endsWith('.conf') ? [path] : [];
  });
}

const FILES = confFiles(TREE).map((path) => ({ path: relative(TREE, path), text: readFileSync(path, 'utf8') }));

/**
 * The names MINIX's service utility accepts in a `vm` and a `system` list:
 * vm_table and system_tab in minix/commands/minix-service/parse.c (MINIX
 * master, commit 4db99f401), as written there.
 */
const MINIX_VM_TABLE = [
  'EXIT', 'FORK', 'EXEC_NEWMEM', 'PUSH_SIG', 'WILLEXIT', 'ADDDMA', 'DELDMA', 'GETDMA', 'REMAP', 'REMAP_RO', 'SHM_UNMAP', 'GETPHYS',
  'GETREF', 'RS_SET_PRIV', 'INFO', 'RS_UPDATE', 'RS_MEMCTL', 'PROCCTL', 'MAPCACHEPAGE', 'SETCACHEPAGE', 'FORGETCACHEPAGE',
  'CLEARCACHE', 'VFS_MMAP', 'VFS_REPLY', 'GETRUSAGE', 'RS_PREPARE',
];
const MINIX_SYSTEM_TAB = [
  'PRIVCTL', 'TRACE', 'KILL', 'UMAP', 'VIRCOPY', 'PHYSCOPY', 'UMAP_REMOTE', 'VUMAP', 'IRQCTL', 'DEVIO', 'SDEVIO', 'VDEVIO', 'ABORT',
  'IOPENABLE', 'READBIOS', 'STIME', 'VMCTL', 'MEMSET', 'PADCONF',
];

test('every .conf of MINIX\'s tree is read without an error, each file alone and all together', () => {
  assert.ok(FILES.length >= 40, `expected MINIX's files in ${TREE}, found ${FILES.length}`);
  for (const file of FILES) {
    const errors = checkConfFiles([file])[0]!.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${d.line}:${d.column} ${d.message}`), [], file.path);
  }
  const together = parseSystemConfFiles(FILES.filter((f) => !f.path.startsWith('minix/tests/')));
  assert.deepEqual(together.diagnostics.filter((d) => d.severity === 'error'), []);
});

test('`domain` names the socket families a service serves, as lwip.conf and uds.conf write them', () => {
  const services = parseSystemConfFiles(FILES.filter((f) => /\/(lwip|uds)\.conf$/.test(f.path))).description.services;
  const domains = Object.fromEntries(services.map((s) => [s.label, s.domains]));
  // NetBSD's PF_INET 2, PF_INET6 24, PF_ROUTE 34, PF_LINK 18, PF_LOCAL 1.
  assert.deepEqual(domains, { lwip: [2, 24, 34, 18], uds: [1] });
  assert.equal(SOCKET_DOMAINS['INET6'], 24);
  const bad = parseSystemConfFiles([{ path: 'x.conf', text: 'service x {\n  domain INET NOSUCH 35;\n};\n' }]).diagnostics;
  assert.deepEqual(bad.map((d) => [d.code, d.line, d.column]), [['bad-domain', 2, 15], ['bad-domain', 2, 22]]);
});

test('the calls accepted in `vm` and `system` lists are exactly MINIX\'s tables, so RS_PREPARE and GETRUSAGE are not questioned', () => {
  assert.deepEqual(VM_CALLS.filter((c) => c.listable).map((c) => c.name).sort(), [...MINIX_VM_TABLE].sort());
  // INT86 is listed by older releases; it is reported as obsolete instead.
  assert.deepEqual(KERNEL_CALLS.filter((c) => c.listable && c.obsolete === undefined).map((c) => c.name).sort(), [...MINIX_SYSTEM_TAB].sort());
  const r = parseSystemConfFiles([{ path: 'rs.conf', text: 'service x {\n  vm RS_PREPARE GETRUSAGE FORGETCACHEPAGE;\n};\n' }]);
  assert.deepEqual(r.diagnostics, []);
});

test('an upper-case IPC target in MINIX\'s own files is reported as what it is: a name that matches no process', () => {
  const vbox = FILES.find((f) => f.path.endsWith('vbox/vbox.conf'))!;
  const warnings = checkConfFiles([vbox])[0]!.diagnostics;
  assert.deepEqual(warnings.map((d) => d.severity), ['warning', 'warning', 'warning']);
  assert.match(warnings[0]!.message, /^IPC target 'PM' matches no process: MINIX compares names exactly and the process is 'pm', so this entry grants nothing/);
});
