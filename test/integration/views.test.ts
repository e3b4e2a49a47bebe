// The IOMMU view and the driver inspection commands over a running system.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { labelOf } from './labApi';
import { eventually, groupRows, startDefault, type SessionLabApi } from './sessionHelpers';

interface IommuApi {
  session: {
    iommuView: {
      current(): Promise<{ invalidation: string; domains: { label: string; mappings: unknown[] }[]; blocked: { device: string; iova: number; timeCycles: number }[] } | null | undefined>;
      getChildren(element?: unknown): unknown[];
      getTreeItem(element: unknown): vscode.TreeItem;
    };
  };
}

describe('IOMMU view and driver inspection', () => {
  after(() => vscode.commands.executeCommand('microkernelLab.simulator.restart'));

  it('shows the mode, a domain per device with its mappings, and a blocked wild DMA with device, address and time', async () => {
    const api = (await startDefault()) as SessionLabApi & IommuApi;
    await vscode.commands.executeCommand('microkernelLab.iommu.focus');
    const view = api.session.iommuView;
    const before = await view.current();
    assert.ok(before, 'the default system has an IOMMU');
    assert.equal(before.invalidation, 'strict');
    assert.ok(before.domains.some((d) => d.label === 'nic0' && d.mappings.length > 0), `domains: ${JSON.stringify(before.domains.map((d) => d.label))}`);
    const outcome = (await vscode.commands.executeCommand('microkernelLab.driver.injectFault', 'nic', 'wild-dma')) as { ok: boolean };
    assert.ok(outcome.ok);
    const after = await eventually('a blocked transfer', async () => {
      const s = await view.current();
      return s && s.blocked.length > 0 ? s : undefined;
    });
    assert.equal(after.blocked[0]!.device, 'nic0');
    const roots = view.getChildren();
    const labels = roots.map((r) => labelOf(view.getTreeItem(r)));
    assert.deepEqual(labels, ['Mode: strict', 'Domains', 'Blocked transfers']);
    const blockedRows = view.getChildren(roots[2]).map((r) => view.getTreeItem(r));
    assert.ok(blockedRows.length >= 1);
    assert.match(labelOf(blockedRows[0]!), /^nic0: (read|write) 0x[0-9a-f]{8}$/);
    assert.match(String(blockedRows[0]!.description), /\d+\.\d+ (s|ms) · /);
  });

  it('shows a driver’s privileges and its entry in the system description', async () => {
    const api = await startDefault();
    const nic = (await groupRows(api, 'Drivers')).find((r) => r.node.process.label === 'nic')!;
    const doc = (await vscode.commands.executeCommand('microkernelLab.driver.showPrivileges', nic.node)) as vscode.TextDocument;
    assert.ok(doc, 'no document was opened');
    const text = doc.getText();
    assert.match(text, /# Privileges of nic/);
    assert.match(text, /\*\*Kernel calls:\*\* .*DEVIO/);
    assert.match(text, /service nic\s*\{/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('opens a built-in driver’s source from the installation', async () => {
    await startDefault();
    const editor = (await vscode.commands.executeCommand('microkernelLab.driver.openSource', 'nic')) as vscode.TextEditor | undefined;
    // The integration tier runs the extension from the repository, where the sources are.
    assert.ok(editor, 'no editor was opened');
    assert.match(editor.document.uri.path, /simulator\/drivers\/nic\.ts$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('opens a built-in driver’s source before any system has run, to set breakpoints before debugging', async () => {
    // A fresh simulator has run no system yet.
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
    const editor = (await vscode.commands.executeCommand('microkernelLab.driver.openSource', 'nic')) as vscode.TextEditor | undefined;
    assert.ok(editor, 'no editor was opened');
    assert.match(editor.document.uri.path, /simulator\/drivers\/nic\.ts$/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // A name that is no shipped source says so.
    const none = await vscode.commands.executeCommand('microkernelLab.driver.openSource', 'nosuch');
    assert.equal(none, undefined);
  });
});
