// End to end: the packaged .vsix installed into code-server, the workbench driven in
// Chromium: a command from the palette opens the lab panel, a click inside its webview
// goes to the simulator worker and back. Screenshots go to test-artifacts/e2e.
// Needs microkernel-lab.vsix (npm run package) and the tools of scripts/ensureTools.mjs.
import { after, before, describe, it, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import {
  installExtension,
  isolatedEnv,
  launchChromium,
  startCodeServer,
  writeUserSettings,
  type CodeServer,
} from '../launcher/codeServer.mjs';

const root = resolve(__dirname, '..', '..', '..');
const vsix = process.env.MKLAB_VSIX ? resolve(process.env.MKLAB_VSIX) : join(root, 'microkernel-lab.vsix');
const artifacts = join(root, 'test-artifacts', 'e2e');
const commandTitle = 'Microkernel Lab: Open Lab Panel';

const temp = mkdtempSync(join(tmpdir(), 'mklab-e2e-'));
const userDataDir = join(temp, 'user-data');
const extensionsDir = join(temp, 'extensions');
const workspace = join(temp, 'workspace');
const serverLog = join(temp, 'code-server.log');
const env = isolatedEnv(temp);

let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let failedStep: string | undefined;

function say(message: string): void {
  console.log(`[e2e] ${message}`);
}

async function screenshot(name: string): Promise<void> {
  if (!page) return;
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  say(`screenshot ${file}`);
}

/** A test that is skipped once an earlier step failed, and leaves a screenshot when it fails. */
function step(name: string, timeoutMs: number, body: (t: TestContext) => Promise<void>): void {
  it(name, { timeout: timeoutMs }, async (t) => {
    if (failedStep) {
      t.skip(`an earlier step failed: ${failedStep}`);
      return;
    }
    try {
      await body(t);
    } catch (e) {
      failedStep = name;
      await screenshot(`failed-${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`);
      throw e;
    }
  });
}

function webview(p: Page): FrameLocator {
  return p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * Opens the quick input with F1, types `text` and presses Enter on the row showing `rowText`.
 * The palette lists only what the workbench knew when it opened, so until the extension's
 * contributions are registered it is closed and opened again.
 */
async function runFromPalette(p: Page, text: string, rowText: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = p.locator('.quick-input-widget input');
  const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: rowText }).first();
  for (;;) {
    await p.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    try {
      await row.waitFor({ timeout: 3_000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await p.keyboard.press('Escape');
      await p.waitForTimeout(1_000);
    }
  }
  await p.keyboard.press('Enter');
}

describe('workbench end to end', () => {
  before(() => {
    mkdirSync(artifacts, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    writeUserSettings(userDataDir);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (existsSync(serverLog)) copyFileSync(serverLog, join(artifacts, 'code-server.log'));
    rmSync(temp, { recursive: true, force: true });
  });

  step('installs the packaged .vsix into code-server', 180_000, async () => {
    assert.ok(existsSync(vsix), `${vsix} is missing: run npm run package first`);
    const output = installExtension({ vsix, extensionsDir, userDataDir, env });
    say(output.split('\n').filter((l) => /install/i.test(l)).join(' ') || output);
    const installed = readdirSync(extensionsDir).filter((d) => d.startsWith('microkernel-lab.microkernel-lab-'));
    assert.equal(installed.length, 1, `expected one installed copy, found ${JSON.stringify(readdirSync(extensionsDir))}`);
  });

  step('opens the workbench in Chromium', 120_000, async () => {
    server = await startCodeServer({ userDataDir, extensionsDir, env, logFile: serverLog });
    say(`code-server on ${server.url} (process group ${server.pid})`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    // The activity bar appears once the workbench has restored its parts.
    await page.locator('.part.activitybar').waitFor({ timeout: 60_000 });
    await screenshot('01-workbench');
  });

  step(`runs "${commandTitle}" from the command palette`, 90_000, async () => {
    assert.ok(page);
    await runFromPalette(page, `>${commandTitle}`, 'Open Lab Panel');
    await page.locator('.tab', { hasText: 'Microkernel Lab' }).first().waitFor({ timeout: 60_000 });
    await webview(page).locator('#ping').waitFor({ timeout: 60_000 });
    await screenshot('02-lab-panel');
  });

  step('a click on "Ping the simulator" in the webview shows the simulator\'s answer', 60_000, async () => {
    assert.ok(page);
    const frame = webview(page);
    const button = frame.locator('#ping');
    assert.equal((await button.textContent())?.trim(), 'Ping the simulator');
    await button.click();
    const answer = frame.locator('#answer', { hasText: /^\s*Simulator answered:/ });
    await answer.waitFor({ timeout: 30_000 });
    const text = (await answer.textContent())?.trim() ?? '';
    say(`clicked #ping in the webview; #answer now reads: "${text}"`);
    assert.match(text, /^Simulator answered:/);
    await screenshot('03-ping-answered');
    await page
      .locator('iframe.webview.ready')
      .screenshot({ path: join(artifacts, '03-webview.png') })
      .catch(() => {});
  });

  step('the System view shows Kernel, Servers, Drivers and Devices', 60_000, async () => {
    assert.ok(page);
    await runFromPalette(page, 'view System', 'System');
    for (const group of ['Kernel', 'Servers', 'Drivers', 'Devices']) {
      await page.locator('.monaco-list-row', { hasText: group }).first().waitFor({ timeout: 30_000 });
    }
    await screenshot('04-system-view');
  });
});
