// End to end: the packaged .vsix in code-server, driven in Chromium. A user starts the default
// system from the palette (two quick picks), the System view shows its drivers live with their
// endpoints, a driver's inline restart button restarts it, and the screenshot of the running
// system is saved as test-artifacts/e2e/system-view-running.png.
import { after, before, describe, it, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { installExtension, isolatedEnv, launchChromium, startCodeServer, writeUserSettings, type CodeServer } from '../launcher/codeServer.mjs';

const root = resolve(__dirname, '..', '..', '..');
const vsix = process.env.MKLAB_VSIX ? resolve(process.env.MKLAB_VSIX) : join(root, 'microkernel-lab.vsix');
const artifacts = join(root, 'test-artifacts', 'e2e');
const temp = mkdtempSync(join(tmpdir(), 'mklab-e2e-system-'));
const userDataDir = join(temp, 'user-data');
const extensionsDir = join(temp, 'extensions');
const workspace = join(temp, 'workspace');
const serverLog = join(temp, 'code-server.log');
const env = isolatedEnv(temp);

let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let failed: string | undefined;

async function shot(name: string): Promise<void> {
  if (page) await page.screenshot({ path: join(artifacts, `${name}.png`) }).catch(() => {});
}

/** A step that is skipped after an earlier one failed, and leaves a screenshot when it fails itself. */
function step(name: string, timeoutMs: number, body: (p: Page) => Promise<void>): void {
  it(name, { timeout: timeoutMs }, async (t: TestContext) => {
    if (failed) return t.skip(`an earlier step failed: ${failed}`);
    try {
      await body(page!);
    } catch (e) {
      failed = name;
      await shot(`system-view-failed-${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`);
      throw e;
    }
  });
}

/** F1, the text, then Enter on the row; retried until the extension's contributions are in the palette. */
async function palette(p: Page, text: string, row: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = p.locator('.quick-input-widget input');
  const wanted = p.locator('.quick-input-widget .monaco-list-row', { hasText: row }).first();
  for (;;) {
    await p.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    try {
      await wanted.waitFor({ timeout: 3_000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await p.keyboard.press('Escape');
      await p.waitForTimeout(1_000);
    }
  }
  await p.keyboard.press('Enter');
}

/** Picks the row of the open quick pick that shows `text`. */
async function choose(p: Page, text: string): Promise<void> {
  const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

describe('System view end to end', () => {
  before(() => {
    mkdirSync(artifacts, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    writeUserSettings(userDataDir);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (existsSync(serverLog)) copyFileSync(serverLog, join(artifacts, 'system-view-code-server.log'));
    rmSync(temp, { recursive: true, force: true });
  });

  step('installs the .vsix and opens the workbench', 240_000, async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run npm run package first`);
    installExtension({ vsix, extensionsDir, userDataDir, env });
    server = await startCodeServer({ userDataDir, extensionsDir, env, logFile: serverLog });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.part.activitybar').waitFor({ timeout: 90_000 });
  });

  step('starts the default system from the palette through its two quick picks', 90_000, async (p) => {
    await palette(p, '>Microkernel Lab: Start System', 'Start System');
    await choose(p, 'S1 (default)');
    await choose(p, 'As the scenario says');
    await palette(p, 'view System', 'System');
    const nic = p.locator('.monaco-list-row', { hasText: /^nic.*ep \d+/ }).first();
    await nic.waitFor({ timeout: 30_000 });
    for (const label of ['cdrom', 'disk', 'printer']) await p.locator('.monaco-list-row', { hasText: new RegExp(`^${label}`) }).first().waitFor({ timeout: 10_000 });
    // The status bar shows the running system's simulated time and restarts.
    await p.locator('.statusbar-item', { hasText: /\d+(\.\d+)? s · \d+ restarts?/ }).first().waitFor({ timeout: 15_000 });
  });

  step('the inline restart button on the nic row restarts it, and the row shows the restart', 60_000, async (p) => {
    const nic = p.locator('.monaco-list-row', { hasText: /^nic.*ep \d+/ }).first();
    await nic.hover();
    await nic.locator('.action-label[aria-label*="Restart Driver"]').click();
    await p.locator('.monaco-list-row', { hasText: /^nic.*1 restart\b/ }).first().waitFor({ timeout: 20_000 });
    await p.mouse.move(700, 850);
    await p.waitForTimeout(500);
    await shot('system-view-running');
    const file = join(artifacts, 'system-view-running.png');
    assert.ok(existsSync(file), `no screenshot at ${file}`);
    console.log(`[e2e] screenshot ${file}`);
  });
});
