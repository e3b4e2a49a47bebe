// The shared part of the end-to-end tests: one code-server with the packaged .vsix in a
// temporary folder, Chromium on its workbench, steps that stop after the first failure,
// and the palette, quick pick, webview, waiting and screenshot helpers the tests drive it with.
import { after, before, it, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
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

export const artifacts = join(root, 'test-artifacts', 'e2e');

export interface SessionOptions {
  /** The start of the temporary folder's name, e.g. `mklab-e2e-console-`. */
  tempPrefix: string;
  /** What every log line starts with, e.g. `[e2e]`. */
  logPrefix: string;
  /** The start of the name of the screenshot a failing step leaves, e.g. `console-failed-`. */
  failedShotPrefix: string;
  /** The name code-server's log is copied to in test-artifacts/e2e. */
  serverLogName: string;
  /** Whether each screenshot is announced in the log; true unless told. */
  logScreenshots?: boolean;
}

/** One test file's code-server, browser and page, from the .vsix install to the teardown. */
export class WorkbenchSession {
  readonly vsix = process.env.MKLAB_VSIX ? resolve(process.env.MKLAB_VSIX) : join(root, 'microkernel-lab.vsix');
  readonly temp: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  private readonly serverLog: string;
  private readonly env: NodeJS.ProcessEnv;
  private server: CodeServer | undefined;
  private browser: Browser | undefined;
  private failedStep: string | undefined;
  /** The workbench's page once `openPage` has run. */
  page: Page | undefined;

  constructor(private readonly options: SessionOptions) {
    this.temp = mkdtempSync(join(tmpdir(), options.tempPrefix));
    this.userDataDir = join(this.temp, 'user-data');
    this.extensionsDir = join(this.temp, 'extensions');
    this.workspace = join(this.temp, 'workspace');
    this.serverLog = join(this.temp, 'code-server.log');
    this.env = isolatedEnv(this.temp);
  }

  say(message: string): void {
    console.log(`${this.options.logPrefix} ${message}`);
  }

  /** Saves the whole page as test-artifacts/e2e/<name>.png; a failure to do so is ignored. */
  async screenshot(name: string): Promise<void> {
    if (!this.page) return;
    const file = join(artifacts, `${name}.png`);
    await this.page.screenshot({ path: file }).catch(() => {});
    if (this.options.logScreenshots ?? true) this.say(`screenshot ${file}`);
  }

  /** Registers the hooks that prepare the folders and, at the end, stop everything and keep the server's log. */
  registerHooks(): void {
    before(() => {
      mkdirSync(artifacts, { recursive: true });
      mkdirSync(this.workspace, { recursive: true });
      writeUserSettings(this.userDataDir);
    });

    after(async () => {
      await this.browser?.close().catch(() => {});
      await this.server?.stop();
      if (existsSync(this.serverLog)) copyFileSync(this.serverLog, join(artifacts, this.options.serverLogName));
      rmSync(this.temp, { recursive: true, force: true });
    });
  }

  /**
   * A test that is skipped once an earlier step failed, and leaves a screenshot when it fails.
   * `body` gets the page, which is undefined only in the steps before `openPage`.
   */
  step(name: string, timeoutMs: number, body: (page: Page, t: TestContext) => Promise<void>): void {
    it(name, { timeout: timeoutMs }, async (t) => {
      if (this.failedStep) {
        t.skip(`an earlier step failed: ${this.failedStep}`);
        return;
      }
      try {
        await body(this.page!, t);
      } catch (e) {
        this.failedStep = name;
        await this.screenshot(`${this.options.failedShotPrefix}${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`);
        throw e;
      }
    });
  }

  /** Installs the packaged .vsix into the session's extensions folder; returns code-server's output. */
  install(): string {
    assert.ok(existsSync(this.vsix), `${this.vsix} is missing: run npm run package first`);
    return installExtension({ vsix: this.vsix, extensionsDir: this.extensionsDir, userDataDir: this.userDataDir, env: this.env });
  }

  async startServer(): Promise<CodeServer> {
    this.server = await startCodeServer({
      userDataDir: this.userDataDir,
      extensionsDir: this.extensionsDir,
      env: this.env,
      logFile: this.serverLog,
    });
    return this.server;
  }

  /** Launches Chromium and loads the workbench on the workspace folder (without waiting for its parts). */
  async openPage(viewport = { width: 1400, height: 900 }): Promise<Page> {
    assert.ok(this.server, 'code-server is not started');
    this.browser = await launchChromium();
    this.page = await this.browser.newPage({ viewport });
    await this.page.goto(`${this.server.url}/?folder=${encodeURIComponent(this.workspace)}`);
    return this.page;
  }

  /** Starts code-server and opens the workbench in Chromium, once it shows the extension's contributions. */
  async openWorkbench(viewport?: { width: number; height: number }): Promise<Page> {
    await this.startServer();
    const page = await this.openPage(viewport);
    await whenLabContributed(page);
    return page;
  }
}

/**
 * Waits until the workbench has restored its parts and registered the extension's contributions:
 * its view container shows in the activity bar, and the palette lists its commands from then on.
 */
export async function whenLabContributed(p: Page): Promise<void> {
  await p.locator('.part.activitybar').waitFor({ timeout: 90_000 });
  await p.locator('.part.activitybar [aria-label^="Microkernel Lab"]').first().waitFor({ timeout: 60_000 });
}

/**
 * Asks `probe` again and again until it returns a value (not undefined, null or false), and
 * returns that; after `timeoutMs` fails with `what` and, if given, what `describe` says of the last answer.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100, describe }: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${describe ? `; ${await describe()}` : ''}`);
    await delay(intervalMs);
  }
}

/** The content frame of the webview panel that is shown. */
export function webviewFrame(p: Page): FrameLocator {
  return p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/**
 * Opens the quick input with F1, types `text`, and presses Enter once the highlighted row's label
 * shows `rowText`; returns once the palette has taken the Enter (it has closed, or shows what the
 * command opened). Enter runs the highlighted row, and until the list has caught up with the typed
 * text that is a row of the list shown before, often the command run last: `rowText` must not match
 * such a row (a view's label is best matched whole). The palette lists only what the workbench knew
 * when it opened, so until the extension's contributions are registered it is closed and opened again.
 */
export async function runFromPalette(p: Page, text: string, rowText: string | RegExp, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const widget = p.locator('.quick-input-widget');
  const input = widget.locator('input');
  const row = widget.locator('.monaco-list-row.focused', { has: p.locator('.label-name', { hasText: rowText }) });
  for (let attempt = 1; ; attempt++) {
    await p.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(text);
    try {
      await row.waitFor({ timeout: 3_000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      console.log(`[e2e] the palette does not offer ${rowText} yet (attempt ${attempt}); opening it again`);
      await p.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 15_000 });
    }
  }
  await p.keyboard.press('Enter');
  await p
    .waitForFunction(
      (typed) => {
        const box = document.querySelector<HTMLInputElement>('.quick-input-widget input');
        return box === null || !box.checkVisibility() || box.value !== typed;
      },
      text,
      { timeout: 15_000 },
    )
    .catch((e: Error) => {
      throw new Error(`the palette did not run ${rowText}: it still shows '${text}' (${e.message.split('\n')[0]})`);
    });
}

/** Picks the row of the open quick pick that shows `text`. */
export async function choose(p: Page, text: string): Promise<void> {
  const row = p.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

/** The session's status bar item once it shows a running system: its simulated time and restarts. */
export function runningStatus(p: Page) {
  return p.locator('.statusbar-item', { has: p.locator('.codicon-play'), hasText: / · \d+ restarts?/ }).first();
}

/** Starts the default system (S1) from the palette through its two quick picks, and waits until the status bar shows it running. */
export async function startDefaultSystem(p: Page): Promise<void> {
  await runFromPalette(p, '>Microkernel Lab: Start System', 'Start System');
  await choose(p, 'S1 (default)');
  await choose(p, 'As the scenario says');
  await runningStatus(p).waitFor({ timeout: 60_000 });
}
