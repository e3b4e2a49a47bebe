// End to end: the packaged .vsix in code-server, driven in Chromium, in the Light Modern
// theme. A user starts the default system, opens the console from the palette, types `ps`
// into the terminal and sees the process list with the NIC driver, types `service restart
// nic` and sees RS restart it, and `ps` again shows its restart count risen, in yellow,
// which must read well on the light background. With the console focused, F1 and
// Ctrl+Shift+P open the command palette. Screenshots of the console go to
// test-artifacts/e2e/console-*.png.
import { before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { writeUserSettings } from '../launcher/codeServer.mjs';
import { contrastRatio, parseColour, type Rgba } from '../../webview/console/contrast';
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
/** Set once every step has passed: the checks after the steps need the console as the steps leave it. */
let stepsDone = false;

/** A light theme whose terminal yellow (VS Code's default light #949800) has only about 3:1 on its background. */
const LIGHT_THEME = 'Light Modern';

/** A session step that also fails, with a clear message, when the page is missing after the first step. */
function step(name: string, timeoutMs: number, body: (p: Page) => Promise<void>): void {
  session.step(name, timeoutMs, async (page) => {
    assert.ok(page || name.startsWith('installs'), 'no page');
    await body(page);
  });
}

/**
 * A check of the console the steps left behind. Unlike a step it runs whether or not the
 * checks before it passed (each stands alone), but only once all the steps have passed.
 */
function check(name: string, timeoutMs: number, body: (p: Page) => Promise<void>): void {
  it(name, { timeout: timeoutMs }, async (t) => {
    if (!stepsDone || !session.page) {
      t.skip('the steps before did not all pass');
      return;
    }
    try {
      await body(session.page);
    } catch (e) {
      await shot(`console-failed-${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}`);
      throw e;
    }
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

/** `colour` drawn over the opaque `ground`. */
function over(colour: Rgba, ground: Rgba): Rgba {
  const mix = (c: number, g: number) => c * colour.a + g * (1 - colour.a);
  return { r: mix(colour.r, ground.r), g: mix(colour.g, ground.g), b: mix(colour.b, ground.b), a: 1 };
}

function colourOf(css: string): Rgba {
  const c = parseColour(css);
  assert.ok(c, `the page gave a colour this test cannot read: ${css}`);
  return c;
}

/** What a rendered span of text looks like: its text, colour, and the backgrounds under it, innermost first. */
interface RenderedText {
  text: string;
  classes: string;
  colour: string;
  backgrounds: string[];
}

/** The console's quick input (the palette) once it shows, in command mode. */
async function paletteOpened(p: Page, key: string): Promise<void> {
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 }).catch((e: Error) => {
    throw new Error(`${key} with the console focused did not open the command palette (${e.message.split('\n')[0]})`);
  });
  const value = await input.inputValue();
  assert.ok(value.startsWith('>'), `${key} opened the quick input, but not as the command palette: '${value}'`);
}

describe('console end to end', () => {
  session.registerHooks();
  // After the session's hook has written the user settings: the same, in a light theme.
  before(() => writeUserSettings(session.userDataDir, { 'workbench.colorTheme': LIGHT_THEME }));

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
    stepsDone = true;
  });

  check('yellow text (the restart count) reads at 4.5:1 or more on the light theme\'s terminal background', 60_000, async (p) => {
    const frame = webviewFrame(p);
    const bodyClasses = (await frame.locator('body').getAttribute('class')) ?? '';
    assert.match(bodyClasses, /\bvscode-light\b/, `the workbench is not in a light theme (${LIGHT_THEME}): the console's body has '${bodyClasses}'`);
    const themeYellow = await frame.locator('html').evaluate((html) => getComputedStyle(html).getPropertyValue('--vscode-terminal-ansiYellow').trim());
    // ps printed the NIC driver's restart count in ANSI yellow (SGR 33): xterm's class xterm-fg-3.
    const spans = await poll(
      'yellow text on the console',
      async () => {
        const found = await frame.locator('.xterm-rows span.xterm-fg-3').evaluateAll((elements) =>
          elements.map((e): RenderedText => {
            const backgrounds: string[] = [];
            for (let at: Element | null = e; at; at = at.parentElement) backgrounds.push(getComputedStyle(at).backgroundColor);
            return { text: e.textContent ?? '', classes: e.className, colour: getComputedStyle(e).color, backgrounds };
          }),
        );
        return found.filter((s) => s.text.trim() !== '').length > 0 && found.filter((s) => s.text.trim() !== '');
      },
      { timeoutMs: 20_000, describe: async () => `the screen reads:\n${(await rows(p)).join('\n')}` },
    );
    for (const span of spans) {
      // What is under the text: every background from the page down to the span, each drawn over the one below.
      const ground = span.backgrounds.reduceRight((under, css) => over(colourOf(css), under), { r: 255, g: 255, b: 255, a: 1 } as Rgba);
      const text = over(colourOf(span.colour), ground);
      const ratio = contrastRatio(text, ground);
      say(`yellow '${span.text.trim()}' (${span.classes}): ${span.colour} on rgb(${ground.r}, ${ground.g}, ${ground.b}), ${ratio.toFixed(2)}:1; the theme's yellow is ${themeYellow}`);
      assert.ok(
        ratio >= 4.5,
        `'${span.text.trim()}' is drawn in ${span.colour} on rgb(${ground.r}, ${ground.g}, ${ground.b}): ${ratio.toFixed(2)}:1, below 4.5:1 (the theme's yellow is ${themeYellow})`,
      );
    }
    await p.locator('iframe.webview.ready').screenshot({ path: join(artifacts, 'console-light.png') });
  });

  check('F1 and Ctrl+Shift+P open the command palette while the console has focus, and typing goes on after', 90_000, async (p) => {
    const frame = webviewFrame(p);
    const widget = p.locator('.quick-input-widget');
    for (const key of ['F1', 'Control+Shift+P']) {
      await frame.locator('.xterm').click();
      await p.keyboard.press(key);
      await paletteOpened(p, key);
      await shot(`console-palette-${key.replace(/\W+/g, '-').toLowerCase()}`);
      await p.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 15_000 });
    }
    // The keys left nothing on the shell's line, and the terminal still takes what is typed.
    await frame.locator('.xterm').click();
    await typeLine(p, 'ps');
    await outputOf(p, 'ps', /processes, system 's1'/);
  });
});
