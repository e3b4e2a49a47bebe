// package.json's contributed commands and menus agree with the typed command table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CATEGORY, CommandId } from '../../../extension/commandIds';

interface Contributed {
  command: string;
  title: string;
  category?: string;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const contributed: Contributed[] = pkg.contributes.commands;

test('every command in the table is contributed in package.json, and no other', () => {
  assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(CommandId).sort());
});

test('every contributed command sits under the one category with a title', () => {
  for (const c of contributed) {
    assert.equal(c.category, CATEGORY, c.command);
    assert.ok(c.title.length > 0, c.command);
    assert.match(c.command, /^microkernelLab\.[a-z]+\.[a-zA-Z]+$/);
  }
});

test('menus only name contributed commands', () => {
  const ids = new Set(contributed.map((c) => c.command));
  for (const [menu, entries] of Object.entries(pkg.contributes.menus ?? {}) as [string, { command: string }[]][]) {
    for (const e of entries) assert.ok(ids.has(e.command), `${menu} names unknown command ${e.command}`);
  }
});

test('views belong to a contributed container', () => {
  const containers = new Set((pkg.contributes.viewsContainers.activitybar as { id: string }[]).map((c) => c.id));
  for (const container of Object.keys(pkg.contributes.views)) assert.ok(containers.has(container), container);
});
