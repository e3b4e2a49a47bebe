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

  it('S3 without an IOMMU: the System view\'s first row, the IOMMU view and a warning say whose memory the disk\'s DMA overwrote', async () => {
    const api = (await startDefault()) as SessionLabApi & IommuApi;
    await vscode.workspace.getConfiguration('microkernelLab').update('simulationSpeed', 0, vscode.ConfigurationTarget.Global);
    try {
      const outcome = (await vscode.commands.executeCommand('microkernelLab.system.start', 's3', 'microkernel')) as { ok: boolean; error?: string };
      assert.ok(outcome.ok, outcome.error);
      await vscode.commands.executeCommand('microkernelLab.iommu.focus');
      // While the system still runs, as soon as the DMA check finds the first overwrite.
      const row = await eventually('the state row says memory was overwritten', async () => {
        const roots = (await api.systemView.getChildren()) ?? [];
        const first = roots.length === 0 ? undefined : await api.systemView.getTreeItem(roots[0]);
        return first !== undefined && /^MEMORY OVERWRITTEN \(/.test(String(first.description)) ? first : undefined;
      }, 60_000);
      assert.match(String(row.description), /^MEMORY OVERWRITTEN \(the kernel(, vfs)?\) · /);
      assert.match((row.tooltip as vscode.MarkdownString).value, /disk0's DMA overwrote the kernel's memory at 0x[0-9a-f]+ \(512 bytes\), found by the DMA check \(no IOMMU\)/);
      const notice = await eventually('the warning', () => (api.session.controller as unknown as { lastCorruptionNotice?: string }).lastCorruptionNotice);
      assert.match(notice, /^Microkernel Lab: disk0's DMA overwrote the kernel's memory at 0x[0-9a-f]+ at [\d.]+ s: no IOMMU stopped it/);
      // The IOMMU view has no IOMMU to show, and lists the overwrites instead.
      const view = api.session.iommuView;
      const group = await eventually('the overwritten-memory group', () => {
        const roots = view.getChildren();
        return roots.find((r) => labelOf(view.getTreeItem(r)) === 'Memory overwritten by DMA');
      });
      const rows = view.getChildren(group).map((r) => labelOf(view.getTreeItem(r)));
      assert.match(rows[0] ?? '', /^disk0 → the kernel: 0x[0-9a-f]{8}$/);
      assert.equal(labelOf(view.getTreeItem(view.getChildren()[0])), 'This system has no IOMMU: nothing stops a device\'s DMA (configuration without one, or no system started).');
    } finally {
      await vscode.workspace.getConfiguration('microkernelLab').update('simulationSpeed', undefined, vscode.ConfigurationTarget.Global);
    }
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
