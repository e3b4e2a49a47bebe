// End to end: the packaged .vsix installed into code-server, the workbench driven in
// Chromium: a command from the palette opens the lab panel, a click inside its webview
// goes to the simulator worker and back. Screenshots go to test-artifacts/e2e.
// Needs microkernel-lab.vsix (npm run package) and the tools of scripts/ensureTools.mjs.
import { describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { artifacts, runFromPalette, startDefaultSystem, webviewFrame, whenLabContributed, WorkbenchSession } from './workbenchSession';

const commandTitle = 'Microkernel Lab: Open Lab Panel';
/** The repository (this file runs from out/test/e2e): its TypeScript checks the installed copy. */
const repoRoot = resolve(__dirname, '..', '..', '..');

const session = new WorkbenchSession({
  tempPrefix: 'mklab-e2e-',
  logPrefix: '[e2e]',
  failedShotPrefix: 'failed-',
  serverLogName: 'code-server.log',
});
const say = (message: string): void => session.say(message);
const screenshot = (name: string): Promise<void> => session.screenshot(name);
const step = session.step.bind(session);

describe('workbench end to end', () => {
  session.registerHooks();

  step('installs the packaged .vsix into code-server', 180_000, async () => {
    // What a marketplace user downloads stays within a megabyte.
    const bytes = statSync(session.vsix).size;
    assert.ok(bytes <= 1024 * 1024, `the .vsix is ${Math.round(bytes / 1024)} KiB, more than 1,024 KiB`);
    const output = session.install();
    say(output.split('\n').filter((l) => /install/i.test(l)).join(' ') || output);
    const installed = readdirSync(session.extensionsDir).filter((d) => d.startsWith('microkernel-lab.microkernel-lab-'));
    assert.equal(installed.length, 1, `expected one installed copy, found ${JSON.stringify(readdirSync(session.extensionsDir))}`);
  });

  step('the driver sources shipped with it type-check on their own, so an opened driver shows no errors', 120_000, async () => {
    const copy = join(session.extensionsDir, readdirSync(session.extensionsDir).find((d) => d.startsWith('microkernel-lab.microkernel-lab-'))!);
    assert.ok(existsSync(join(copy, 'simulator', 'drivers', 'nic.ts')), 'the NIC driver\'s source is in the package');
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(copy, 'simulator', 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, `tsc on the installed copy:\n${tsc.stdout}${tsc.stderr}`);
    say('the installed copy of the built-in sources type-checks');
  });

  step('opens the workbench in Chromium', 120_000, async () => {
    const server = await session.startServer();
    say(`code-server on ${server.url} (process group ${server.pid})`);
    const page = await session.openPage();
    await whenLabContributed(page);
    await screenshot('01-workbench');
  });

  step(`runs "${commandTitle}" from the command palette`, 90_000, async (page) => {
    assert.ok(page);
    await runFromPalette(page, `>${commandTitle}`, 'Open Lab Panel');
    await page.locator('.tab', { hasText: 'Microkernel Lab' }).first().waitFor({ timeout: 60_000 });
    await webviewFrame(page).locator('#ping').waitFor({ timeout: 60_000 });
    await screenshot('02-lab-panel');
  });

  step('a click on "Ping the simulator" in the webview shows the simulator\'s answer', 60_000, async (page) => {
    assert.ok(page);
    const frame = webviewFrame(page);
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

  step('the System view is empty before a start, with a Start System button; started, it shows the system\'s state, Kernel, Servers, Drivers and Devices', 120_000, async (page) => {
    assert.ok(page);
    await runFromPalette(page, 'view System', /^System$/);
    await page.getByText('No system is running.').first().waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Start System…' }).first().waitFor({ timeout: 10_000 });
    await startDefaultSystem(page);
    await page.locator('.monaco-list-row', { hasText: 's1 · microkernel-iommu' }).first().waitFor({ timeout: 30_000 });
    for (const group of ['Kernel', 'Servers', 'Drivers', 'Devices']) {
      await page.locator('.monaco-list-row', { hasText: group }).first().waitFor({ timeout: 30_000 });
    }
    await screenshot('04-system-view');
  });
});
