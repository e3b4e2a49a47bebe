// The extension activates in the extension host, and its registered commands match package.json.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { contributedCommands, labApi, labExtension } from './labApi';

const prefix = 'microkernelLab.';

/** Commands VS Code itself registers for every contributed view. */
function viewCommands(): Set<string> {
  const views = (labExtension().packageJSON?.contributes?.views ?? {}) as Record<string, { id: string }[]>;
  const suffixes = ['focus', 'resetViewLocation', 'toggleVisibility', 'removeView', 'open'];
  return new Set(Object.values(views).flatMap((list) => list.flatMap((v) => suffixes.map((s) => `${v.id}.${s}`))));
}

describe('extension', () => {
  it('activates and returns its API', async () => {
    const api = await labApi();
    assert.ok(labExtension().isActive, 'the extension is not active after activate()');
    assert.equal(typeof api.ping, 'function');
    assert.equal(typeof api.labPanel, 'function');
    assert.equal(typeof api.systemView?.getChildren, 'function');
  });

  it('contributes commands named microkernelLab.<area>.<verb> in the Microkernel Lab category', () => {
    const commands = contributedCommands();
    assert.ok(commands.length > 0, 'package.json contributes no commands');
    for (const c of commands) {
      assert.match(c.command, /^microkernelLab\.[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/, `bad command id ${c.command}`);
      assert.equal(c.category, 'Microkernel Lab', `${c.command} is not in the Microkernel Lab category`);
      assert.ok(c.title, `${c.command} has no title`);
    }
  });

  it('registers every command in package.json and no other', async () => {
    await labApi();
    const declared = new Set(contributedCommands().map((c) => c.command));
    const generated = viewCommands();
    const registered = new Set(
      (await vscode.commands.getCommands(true)).filter((c) => c.startsWith(prefix) && !(generated.has(c) && !declared.has(c))),
    );
    const notRegistered = [...declared].filter((c) => !registered.has(c));
    const notDeclared = [...registered].filter((c) => !declared.has(c));
    assert.deepEqual(notRegistered, [], 'declared in package.json but not registered');
    assert.deepEqual(notDeclared, [], 'registered but not declared in package.json');
  });
});
