// End to end: the packaged .vsix in code-server, driven in Chromium. A user starts the
// default system, opens the console from the palette, types `ps` into the terminal and
// sees the process list with the NIC driver, types `service restart nic` and sees RS
// restart it, and `ps` again shows its restart count risen. Screenshots of the console
// go to test-artifacts/e2e/console-*.png.
import { describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, poll, runFromPalette, startDefaultSystem, webviewFrame, WorkbenchSession } from './workbenchSession';

const session = new WorkbenchSession({
  tempPrefix: 'mklab-e2e-console-',
  logPrefix: '[e2e]',
  failedShotPrefix: 'console-failed-',
  serverLogName: 'console-code-server.log',
});
const say = (message: string): void => session.say(message);
const shot = (name: string): Promise<void> => session.screenshot(name);
let nicBefore: { endpoint: number; restarts: number } | undefined;

/** A session step that also fails, with a clear message, when the page is missing after the first step. */
function step(name: string, timeoutMs: number, body: (p: Page) => Promise<void>): void {
  session.step(name, timeoutMs, async (page) => {
    assert.ok(page || name.startsWith('installs'), 'no page');
    await body(page);
  });
}

/** The terminal's rows as xterm's DOM renderer shows them. */
async function rows(p: Page): Promise<string[]> {
  const texts = await webviewFrame(p).locator('.xterm-rows > div').allTextContents();
  return texts.map((t) => t.replace(/\u00a0/g, ' ').trimEnd());
}

/** What the screen shows after the last prompt line `# <line>`, once `until` matches it. */
async function outputOf(p: Page, line: string, until: RegExp, timeoutMs = 30_000): Promise<string> {
  let screen: string[] = [];
  return poll(
    `the console's answer to '# ${line}'`,
    async () => {
      screen = await rows(p);
      const at = screen.map((r) => r === `# ${line}`).lastIndexOf(true);
      const after = at >= 0 ? screen.slice(at + 1).join('\n') : '';
      return until.test(after) && after;
    },
    { timeoutMs, describe: () => `the console did not show ${until}; the screen reads:\n${screen.join('\n')}` },
  );
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
  session.registerHooks();

  step('installs the .vsix and opens the workbench', 240_000, async () => {
    session.install();
    await session.openWorkbench();
  });

  step('starts the default system (S1) from the palette', 90_000, startDefaultSystem);

  step('opens the console from the palette', 90_000, async (p) => {
    await runFromPalette(p, '>Microkernel Lab: Open Console', 'Open Console');
    await p.locator('.tab', { hasText: 'Microkernel Console' }).first().waitFor({ timeout: 60_000 });
    const frame = webviewFrame(p);
    await frame.locator('.xterm-rows').waitFor({ timeout: 60_000 });
    // The shell's first prompt follows its greeting.
    const screen = await poll('the console\'s first prompt', async () => {
      const now = await rows(p);
      return now.some((r) => r === '#') && now;
    });
    assert.ok(screen.some((r) => r.startsWith('Microkernel Lab console')), 'no greeting on the console');
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
    const out = await outputOf(p, 'service restart nic', /nic restarted: endpoint \d+ kept, restarts \d+ → \d+/);
    say(`service restart nic printed:\n${out}`);
    await typeLine(p, 'ps');
    const ps = await outputOf(p, 'ps', /processes, system 's1'/);
    const nicAfter = nicRow(ps);
    say(`nic: endpoint ${nicBefore.endpoint} → ${nicAfter.endpoint}, restarts ${nicBefore.restarts} → ${nicAfter.restarts}`);
    assert.equal(nicAfter.endpoint, nicBefore.endpoint, 'the restarted driver keeps its endpoint (MINIX 3.4)');
    assert.ok(nicAfter.restarts > nicBefore.restarts, 'the restart count did not rise');
    await shot('console-restart');
    const file = join(artifacts, 'console.png');
    await p.locator('iframe.webview.ready').screenshot({ path: file });
    assert.ok(existsSync(file), `no screenshot at ${file}`);
    say(`screenshot ${file}`);
  });
});
