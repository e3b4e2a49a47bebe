// The System view's tree data provider resolves its groups and their children.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { labApi, labelOf, within } from './labApi';

const groups = ['Kernel', 'Servers', 'Drivers', 'Programs', 'Devices'];

describe('System view', () => {
  it('resolves the root groups and their children', async () => {
    const { systemView } = await labApi();
    const roots = (await within(Promise.resolve(systemView.getChildren()), 10_000, 'getChildren()')) ?? [];
    const items = await Promise.all(roots.map((r) => systemView.getTreeItem(r)));
    assert.deepEqual(items.map(labelOf), groups);
    for (const [i, root] of roots.entries()) {
      assert.notEqual(items[i].collapsibleState, vscode.TreeItemCollapsibleState.None, `${groups[i]} cannot be expanded`);
      const children = (await systemView.getChildren(root)) ?? [];
      assert.ok(children.length > 0, `${groups[i]} has no children`);
      for (const child of children) assert.ok(labelOf(await systemView.getTreeItem(child)), `a child of ${groups[i]} has no label`);
    }
    const drivers = await Promise.all(((await systemView.getChildren(roots[2])) ?? []).map(async (d) => labelOf(await systemView.getTreeItem(d))));
    for (const label of ['nic', 'cdrom', 'disk', 'printer']) assert.ok(drivers.includes(label), `the default system's drivers lack ${label}: ${drivers.join(', ')}`);
    const servers = await Promise.all(((await systemView.getChildren(roots[1])) ?? []).map(async (d) => labelOf(await systemView.getTreeItem(d))));
    for (const label of ['rs', 'ds', 'vfs', 'inet']) assert.ok(servers.includes(label), `the default system's servers lack ${label}: ${servers.join(', ')}`);
  });

  it('shows in the workbench and refreshes', async () => {
    await labApi();
    await vscode.commands.executeCommand('microkernelLab.system.focus');
    await vscode.commands.executeCommand('microkernelLab.system.refresh');
    const { systemView } = await labApi();
    const roots = (await systemView.getChildren()) ?? [];
    assert.equal(roots.length, groups.length);
  });
});
