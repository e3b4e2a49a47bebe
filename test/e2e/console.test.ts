// End to end: the packaged .vsix in code-server, driven in Chromium. A user starts the
// default system, opens the console from the palette, types `ps` into the terminal and
// sees the process list with the NIC driver, types `service restart nic` and sees RS
// restart it, and `ps` again shows its restart count risen. Screenshots of the console
// go to test-artifacts/e2e/console-*.png.
import { after, before, describe, it, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { installExtension, isolatedEnv, launchChromium, startCodeServer, writeUserSettings, type CodeServer } from '../launcher/codeServer.mjs';

const root = resolve(__dirname, '..', '..', '..');
const vsix = process.env.MKLAB_VSIX ? resolve(process.env.MKLAB_VSIX) : join(root, 'microkernel-lab.vsix');
const artifacts = join(root, 'test-artifacts', 'e2e');
const temp = mkdtempSync(join(tmpdir(), 'mklab-e2e-console-'));
const userDataDir = join(temp, 'user-data');
const extensionsDir = join(temp, 'extensions');
const workspace = join(temp, 'workspace');
const serverLog = join(temp, 'code-server.log');
const env = isolatedEnv(temp);

let server: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let failed: string | undefined;
let nicBefore: { endpoint: number; restarts: number } | undefined;

function say(message: string): void {
  console.log(`[e2e] ${message}`);
}

async function shot(name: string): Promise<void> {
  if (!page) return;
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file }).catch(() => {});
  say(`screenshot ${file}`);
}

function step(name: string, timeoutMs: number, body: (p: Page) => Promise<void>): void {
  it(name, { timeout: timeoutMs }, async (t: TestContext) => {
    if (failed) {
      t.skip(`an earlier step failed: ${failed}`);
      return;
    }
    try {
      assert.ok(page || name.startsWith('installs'), 'no page');
      await body(page!);
    } catch (e) {
      failed = name;
      await shot(`console-failed-${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`);
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

async function choose(p: Page, text: string): Promise<void> {
  const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

function consoleFrame(p: Page): FrameLocator {
  return p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** The terminal's rows as xterm's DOM renderer shows them. */
async function rows(p: Page): Promise<string[]> {
  const texts = await consoleFrame(p).locator('.xterm-rows > div').allTextContents();
  return texts.map((t) => t.replace(/\u00a0/g, ' ').trimEnd());
}

/** What the screen shows after the last prompt line `# <line>`, once `until` matches it. */
async function outputOf(p: Page, line: string, until: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await rows(p);
    const at = screen.map((r) => r === `# ${line}`).lastIndexOf(true);
    const after = at >= 0 ? screen.slice(at + 1).join('\n') : '';
    if (until.test(after)) return after;
    if (Date.now() > deadline) throw new Error(`the console did not show ${until} after '# ${line}'; the screen reads:\n${screen.join('\n')}`);
    await p.waitForTimeout(200);
  }
}

/** Types a line into the terminal as a user does, and presses Enter. */
async function typeLine(p: Page, line: string): Promise<void> {
  await p.keyboard.type(line, { delay: 20 });
  await p.keyboard.press('Enter');
}

function nicRow(output: string): { endpoint: number; restarts: number } {
  const m = /^\s*(\d+)\s+nic\s+driver\s+\S+\s+\S+\s+(\d+)/m.exec(output);
  assert.ok(m, `no nic driver row in:\n${output}`);
  return { endpoint: Number(m[1]), restarts: Number(m[2]) };
}

describe('console end to end', () => {
  before(() => {
    mkdirSync(artifacts, { recursive: true });
    mkdirSync(workspace, { recursive: true });
    writeUserSettings(userDataDir);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (existsSync(serverLog)) copyFileSync(serverLog, join(artifacts, 'console-code-server.log'));
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

  step('starts the default system (S1) from the palette', 90_000, async (p) => {
    await palette(p, '>Microkernel Lab: Start System', 'Start System');
    await choose(p, 'S1 (default)');
    await choose(p, 'As the scenario says');
    await p.locator('.statusbar-item', { hasText: /\d+(\.\d+)? s · \d+ restarts?/ }).first().waitFor({ timeout: 30_000 });
  });

  step('opens the console from the palette', 90_000, async (p) => {
    await palette(p, '>Microkernel Lab: Open Console', 'Open Console');
    await p.locator('.tab', { hasText: 'Microkernel Console' }).first().waitFor({ timeout: 60_000 });
    const frame = consoleFrame(p);
    await frame.locator('.xterm-rows').waitFor({ timeout: 60_000 });
    const deadline = Date.now() + 30_000;
    while (!(await rows(p)).some((r) => r === '#') && Date.now() < deadline) await p.waitForTimeout(200);
    assert.ok((await rows(p)).some((r) => r.startsWith('Microkernel Lab console')), 'no greeting on the console');
    await frame.locator('.xterm').click();
  });

  step('`ps` lists the processes, the NIC driver among them', 60_000, async (p) => {
    await typeLine(p, 'ps');
    const out = await outputOf(p, 'ps', /processes, system 's1'/);
    say(`ps printed:\n${out}`);
    for (const name of ['rs', 'ds', 'inet', 'disk', 'cdrom', 'printer']) assert.match(out, new RegExp(`\\b${name}\\b`));
    nicBefore = nicRow(out);
    await shot('console-ps');
  });

  step('`service restart nic` restarts the NIC driver and `ps` shows its restart count risen', 60_000, async (p) => {
    assert.ok(nicBefore);
    await typeLine(p, 'service restart nic');
    const out = await outputOf(p, 'service restart nic', /nic restarted: endpoint \d+ → \d+, restarts \d+ → \d+/);
    say(`service restart nic printed:\n${out}`);
    await typeLine(p, 'ps');
    const ps = await outputOf(p, 'ps', /processes, system 's1'/);
    const nicAfter = nicRow(ps);
    say(`nic: endpoint ${nicBefore.endpoint} → ${nicAfter.endpoint}, restarts ${nicBefore.restarts} → ${nicAfter.restarts}`);
    assert.notEqual(nicAfter.endpoint, nicBefore.endpoint);
    assert.ok(nicAfter.restarts > nicBefore.restarts, 'the restart count did not rise');
    await shot('console-restart');
    const file = join(artifacts, 'console.png');
    await p.locator('iframe.webview.ready').screenshot({ path: file });
    assert.ok(existsSync(file), `no screenshot at ${file}`);
    say(`screenshot ${file}`);
  });
});
