// End to end: the packaged .vsix in code-server, driven in Chromium, as a driver developer debugs
// the NIC driver. Open Driver Source opens the driver's shipped source; a breakpoint goes on its
// SAFECOPYFROM line (the copy of an outgoing packet from the network server's grant); Start
// Debugging runs the launch.json of the workspace (s1). The debug toolbar appears, the editor marks
// the stopped line, the Call Stack shows the nic thread with its SAFECOPYFROM frame, and the
// Variables view's Message scope names the request nic is handling (DL_WRITEV_S). Step Over goes to
// nic's next kernel entry (the write of the TX tail register), Step Back returns by replay, and Stop
// ends the session and its adapter process. Screenshots go to test-artifacts/e2e/debug-*.png.
import { describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { poll, runFromPalette, startDefaultSystem, WorkbenchSession } from './workbenchSession';

const session = new WorkbenchSession({
  tempPrefix: 'mklab-e2e-debug-',
  logPrefix: '[e2e debug]',
  failedShotPrefix: 'debug-failed-',
  serverLogName: 'debug-code-server.log',
});
const say = (message: string): void => session.say(message);
const shot = (name: string): Promise<void> => session.screenshot(name);
const step = session.step.bind(session);

/** The lines of the driver as the installed extension ships it, and the 1-based lines the test stops at. */
let nic: { file: string; copyLine: number; mapLine: number } | undefined;

function lineOf(lines: string[], text: string): number {
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `the shipped nic.ts has no line with ${text}`);
  return i + 1;
}

/** The 1-based line the editor marks as the top stack frame, read from the line number beside it; undefined if none. Runs in the page. */
function markedLine(): number | undefined {
  const marks = Array.from(document.querySelectorAll('.monaco-editor .debug-top-stack-frame-line'));
  for (const mark of marks) {
    const editor = mark.closest('.monaco-editor');
    const top = mark.getBoundingClientRect().top;
    for (const n of Array.from(editor?.querySelectorAll('.margin .line-numbers') ?? [])) {
      if (Math.abs(n.getBoundingClientRect().top - top) < 2) return Number(n.textContent?.trim());
    }
  }
  return undefined;
}

async function stoppedLine(p: Page): Promise<number | undefined> {
  return p.evaluate(markedLine);
}

/** Waits until the editor marks `line` as the stopped line (checked in the page at every frame). */
async function waitForStoppedLine(p: Page, line: number, timeoutMs = 20_000): Promise<void> {
  await p
    .waitForFunction(`(${markedLine.toString()})() === ${line}`, undefined, { timeout: timeoutMs, polling: 'raf' })
    .catch(async () => {
      throw new Error(`the editor marks line ${(await stoppedLine(p)) ?? 'none'} as the stopped line, expected ${line} (waited ${timeoutMs} ms)`);
    });
}

/**
 * Opens a row of a tree (a thread in the Call Stack, a scope in Variables) as a user does, with a click on
 * its twistie, unless the workbench has already expanded it. (Seen in code-server 4.139.1: when the Run and
 * Debug view opens with the first session, neither the stopped thread nor the first scope is expanded; when
 * the view was open before the session started, both are.)
 */
async function expand(row: Locator): Promise<void> {
  await row.waitFor({ timeout: 15_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  await row.and(row.page().locator('[aria-expanded="true"]')).waitFor({ timeout: 10_000 });
}

/** A button of the floating debug toolbar, by the start of its tooltip. */
function toolbarButton(p: Page, title: string) {
  return p.locator(`.debug-toolbar .action-item .action-label[aria-label^="${title}"]`).first();
}

/** The process ids of this session's debug adapters (the installed extension's dist/simulator.js, started as a process). */
function adapterPids(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(session.extensionsDir) && l.includes('dist/simulator.js'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('debugger end to end', () => {
  session.registerHooks();

  step('installs the .vsix, writes a launch.json for s1 and opens the workbench', 240_000, async () => {
    session.install();
    const installed = readdirSync(session.extensionsDir).find((d) => d.startsWith('microkernel-lab.microkernel-lab-'));
    assert.ok(installed, `no installed extension in ${session.extensionsDir}`);
    const file = join(session.extensionsDir, installed, 'simulator', 'drivers', 'nic.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    nic = { file, copyLine: lineOf(lines, 'yield sys.sys_safecopyfrom(m.source'), mapLine: lineOf(lines, 'yield sys.sys_dmamap(deviceId') };
    mkdirSync(join(session.workspace, '.vscode'), { recursive: true });
    writeFileSync(
      join(session.workspace, '.vscode', 'launch.json'),
      JSON.stringify({ version: '0.2.0', configurations: [{ type: 'microkernel', request: 'launch', name: 'Debug s1', scenario: 's1' }] }, null, 2),
    );
    await session.openWorkbench();
  });

  step('Open Driver Source opens the NIC driver shipped with the extension', 90_000, async (p) => {
    assert.ok(nic);
    await startDefaultSystem(p);
    await runFromPalette(p, '>Microkernel Lab: Open Driver Source', 'Open Driver Source');
    const nicRow = p.locator('.quick-input-widget .monaco-list-row .label-name', { hasText: /^nic$/ }).first();
    await nicRow.waitFor({ timeout: 15_000 });
    await nicRow.click();
    await p.locator('.tab.active', { hasText: 'nic.ts' }).waitFor({ timeout: 20_000 });
    // The session's simulation is not needed by the debugger, which runs its own.
    await runFromPalette(p, '>Microkernel Lab: Stop System', 'Stop System');
  });

  step('a breakpoint goes on the line where nic copies a packet from inet (SAFECOPYFROM)', 30_000, async (p) => {
    assert.ok(nic);
    await p.locator('.editor-instance .monaco-editor').first().click({ position: { x: 200, y: 100 } });
    await runFromPalette(p, `:${nic.copyLine}`, new RegExp(`go to line ${nic.copyLine}\\b`, 'i'));
    await p.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${nic.copyLine}, Col`) }).first().waitFor({ timeout: 10_000 });
    await runFromPalette(p, '>Debug: Toggle Breakpoint', 'Toggle Breakpoint');
    await p.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await shot('debug-01-breakpoint');
  });

  step('Start Debugging stops nic at the breakpoint: toolbar, stopped line, Call Stack and Message scope', 60_000, async (p) => {
    assert.ok(nic);
    // The palette's `debug ` prefix lists the workspace's launch configurations, as Select and Start Debugging does.
    await runFromPalette(p, 'debug Debug s1', 'Debug s1');
    await toolbarButton(p, 'Step Over').waitFor({ timeout: 30_000 });
    await waitForStoppedLine(p, nic.copyLine, 30_000);
    // The stopped editor is the shipped file already open: the adapter's source path is the installed copy, not another nic.ts.
    assert.equal(await p.locator('.tab', { hasText: 'nic.ts' }).count(), 1, 'a second nic.ts editor was opened for the stopped frame');
    await expand(p.locator('.monaco-list-row', { has: p.locator('.thread', { hasText: /^nic \(endpoint \d+\)/ }) }).first());
    const frame = p.locator('.monaco-list-row .stack-frame', { hasText: 'SAFECOPYFROM (kernel call)' }).first();
    await frame.waitFor({ timeout: 15_000 });
    assert.match((await frame.textContent()) ?? '', new RegExp(`nic\\.ts\\s*${nic.copyLine}:\\d+`));
    await expand(p.locator('.monaco-list-row', { hasText: /^Message$/ }).first());
    await p.locator('.monaco-list-row', { hasText: /^type\s*[:=]\s*DL_WRITEV_S \(0x202\)/ }).first().waitFor({ timeout: 15_000 });
    await p.locator('.monaco-list-row', { hasText: /^from\s*[:=]\s*inet \(endpoint \d+\)/ }).first().waitFor({ timeout: 15_000 });
    await p.mouse.move(700, 880);
    await shot('debug-02-stopped-at-breakpoint');
  });

  step('Step Over goes to nic\'s next kernel entry, the DMAMAP that maps the packet\'s buffer for the device', 30_000, async (p) => {
    assert.ok(nic);
    // nic's next entry comes before it copies the next packet, so the breakpoint may stay. Behind the
    // IOMMU the driver maps the buffer it just filled (its dmaMap helper) before it hands it to the device.
    await toolbarButton(p, 'Step Over').click();
    await waitForStoppedLine(p, nic.mapLine);
    await p.locator('.monaco-list-row .stack-frame', { hasText: 'DMAMAP (kernel call)' }).first().waitFor({ timeout: 15_000 });
    await p.locator('.monaco-list-row', { hasText: /^type\s*[:=]\s*DL_WRITEV_S \(0x202\)/ }).first().waitFor({ timeout: 15_000 });
    await shot('debug-03-stepped-over');
  });

  step('Step Back returns to the SAFECOPYFROM entry', 30_000, async (p) => {
    assert.ok(nic);
    await toolbarButton(p, 'Step Back').click();
    await waitForStoppedLine(p, nic.copyLine);
    await p.locator('.monaco-list-row .stack-frame', { hasText: 'SAFECOPYFROM (kernel call)' }).first().waitFor({ timeout: 15_000 });
    await shot('debug-04-stepped-back');
  });

  step('Restart boots the system again in a new adapter, which stops at the breakpoint; the old adapter exits', 30_000, async (p) => {
    assert.ok(nic);
    const before = adapterPids();
    assert.equal(before.length, 1, `expected one debug adapter process, found ${before.join(', ')}`);
    await toolbarButton(p, 'Restart').click();
    await poll('one new debug adapter process after Restart', () => {
      const now = adapterPids();
      return now.length === 1 && now[0] !== before[0];
    }, { timeoutMs: 15_000, describe: () => `the processes are ${adapterPids().join(', ') || 'none'} (before: ${before[0]})` });
    await p.locator('.monaco-list-row .stack-frame', { hasText: 'SAFECOPYFROM (kernel call)' }).first().waitFor({ timeout: 15_000 });
    await waitForStoppedLine(p, nic.copyLine);
  });

  step('Stop ends the session: the toolbar goes, and no adapter process is left', 30_000, async (p) => {
    assert.ok(adapterPids().length > 0, 'no debug adapter process was found while the session ran');
    await toolbarButton(p, 'Stop').click();
    await p.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
    assert.equal(await stoppedLine(p), undefined, 'the editor still marks a stopped line');
    await poll('no debug adapter process after Stop', () => adapterPids().length === 0, {
      timeoutMs: 10_000,
      describe: () => `left: ${adapterPids().join(', ')}`,
    });
    say('the session ended and its adapter process exited');
    await shot('debug-05-stopped');
  });
});
