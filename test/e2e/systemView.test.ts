// End to end: the packaged .vsix in code-server, driven in Chromium. A user starts the default
// system from the palette (two quick picks), the System view shows its drivers live with their
// endpoints, a driver's inline restart button restarts it, and the screenshot of the running
// system is saved as test-artifacts/e2e/system-view-running.png.
import { describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, poll, runFromPalette, startDefaultSystem, WorkbenchSession } from './workbenchSession';

const session = new WorkbenchSession({
  tempPrefix: 'mklab-e2e-system-',
  logPrefix: '[e2e]',
  failedShotPrefix: 'system-view-failed-',
  serverLogName: 'system-view-code-server.log',
  logScreenshots: false,
});
const shot = (name: string): Promise<void> => session.screenshot(name);
const step = session.step.bind(session);

describe('System view end to end', () => {
  session.registerHooks();

  step('installs the .vsix and opens the workbench', 240_000, async () => {
    session.install();
    await session.openWorkbench();
  });

  step('starts the default system from the palette through its two quick picks', 90_000, async (p) => {
    // Once the status bar shows the running system's simulated time and restarts.
    await startDefaultSystem(p);
    await runFromPalette(p, 'view System', /^System$/);
    const nic = p.locator('.monaco-list-row', { hasText: /^nic.*ep \d+/ }).first();
    await nic.waitFor({ timeout: 30_000 });
    for (const label of ['cdrom', 'disk', 'printer']) await p.locator('.monaco-list-row', { hasText: new RegExp(`^${label}`) }).first().waitFor({ timeout: 10_000 });
  });

  step('the inline restart button on the nic row restarts it, and the row shows the restart', 60_000, async (p) => {
    const nic = p.locator('.monaco-list-row', { hasText: /^nic.*ep \d+/ }).first();
    await nic.hover();
    await nic.locator('.action-label[aria-label*="Restart Driver"]').click();
    await p.locator('.monaco-list-row', { hasText: /^nic.*1 restart\b/ }).first().waitFor({ timeout: 20_000 });
    // With the mouse away from the row, its tooltip goes, so the screenshot shows the tree as it rests.
    await p.mouse.move(700, 850);
    const hovers = p.locator('.monaco-hover:visible, .workbench-hover-container:visible');
    await poll('the tooltip to go', async () => (await hovers.count()) === 0, { timeoutMs: 10_000 });
    await shot('system-view-running');
    const file = join(artifacts, 'system-view-running.png');
    assert.ok(existsSync(file), `no screenshot at ${file}`);
    console.log(`[e2e] screenshot ${file}`);
  });
});
