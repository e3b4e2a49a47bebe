// The lab panel opens and its webview script answers a message from the extension.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, labApi, within } from './labApi';

function labPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Microkernel Lab');
}

/** Waits until the tab model (updated asynchronously by the workbench) shows `count` lab panels. */
async function waitForLabPanelTabs(count: number, ms = 10_000): Promise<void> {
  await eventually(`${count} lab panel tab(s)`, () => (labPanelTabs().length === count ? true : undefined), ms).catch((e: Error) => {
    throw new Error(`${e.message}: ${labPanelTabs().length} lab panel tabs`);
  });
}

describe('lab panel', () => {
  it('opens with the title Microkernel Lab', async () => {
    const api = await labApi();
    await vscode.commands.executeCommand('microkernelLab.panel.open');
    assert.ok(api.labPanel(), 'labPanel() is undefined after microkernelLab.panel.open');
    await waitForLabPanelTabs(1);
  });

  it('answers a message posted to its webview', async () => {
    const api = await labApi();
    await vscode.commands.executeCommand('microkernelLab.panel.open');
    const panel = api.labPanel();
    assert.ok(panel);
    assert.equal(await within(panel.roundTrip('hello from the test'), 30_000, 'roundTrip()'), 'echo:hello from the test');
  });

  it('opening it again reuses the panel', async () => {
    const api = await labApi();
    const first = api.labPanel();
    assert.ok(first, 'no lab panel is open');
    await vscode.commands.executeCommand('microkernelLab.panel.open');
    assert.equal(api.labPanel(), first, 'opening it again made a second panel');
    // The panel shown again still answers, and the editor shows it in one tab.
    assert.equal(await within(first.roundTrip('again'), 30_000, 'roundTrip() after opening again'), 'echo:again');
    await waitForLabPanelTabs(1);
  });
});
