// End to end: the packaged .vsix in code-server, driven in Chromium. S1 is
// started from the command palette, the trace view opened from it; its lanes
// list the NIC driver and the network server; a click on the whole trace selects
// an event of the lane under the pointer; a search finds a DL_WRITEV_S message,
// a click on it shows its details, a process filter leaves one lane, and a click
// on a NIC kernel call's source line opens the driver's file at that line; S1
// started again is another trace, with none of the last one's search and filters.
// Screenshots go to test-artifacts/e2e (trace-view*.png).
import { describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { artifacts, runFromPalette, startDefaultSystem, webviewFrame as traceView, WorkbenchSession } from './workbenchSession';

const session = new WorkbenchSession({
  tempPrefix: 'mklab-e2e-trace-',
  logPrefix: '[e2e trace]',
  failedShotPrefix: 'failed-trace-view-',
  serverLogName: 'code-server-trace-view.log',
});
const say = (message: string): void => session.say(message);
const screenshot = (name: string): Promise<void> => session.screenshot(name);
const step = session.step.bind(session);

/** Waits until the timeline has drawn the view as it is now, from data fetched for it. */
async function drawnCurrent(view: FrameLocator): Promise<void> {
  const canvas = view.locator('#timeline');
  const span = await canvas.evaluate(() => String((globalThis as { __mklabTraceView?: { viewport: { spanCycles: number } } }).__mklabTraceView!.viewport.spanCycles));
  await view
    .locator(`#timeline[data-stale="false"][data-span-cycles="${span}"]`)
    .waitFor({ timeout: 20_000 })
    .catch(async () => {
      const drawn = await canvas.evaluate((c) => `span ${c.dataset.spanCycles}, stale ${c.dataset.stale}`);
      throw new Error(`the timeline did not draw the view of span ${span} from current data (drawn: ${drawn})`);
    });
}

describe('trace view end to end', () => {
  session.registerHooks();

  step('installs the .vsix and opens the workbench', 240_000, async () => {
    session.install();
    await session.openWorkbench({ width: 1500, height: 950 });
  });

  step('starts S1 from the palette', 120_000, startDefaultSystem);

  step('opens the trace view: lanes for nic and inet', 90_000, async (page) => {
    assert.ok(page);
    await runFromPalette(page, '>Microkernel Lab: Open Trace View', 'Open Trace View');
    await page.locator('.tab', { hasText: 'IPC Trace' }).first().waitFor({ timeout: 60_000 });
    const view = traceView(page);
    await view.locator('#laneList li.lane[data-lane="nic"]').waitFor({ timeout: 60_000 });
    await view.locator('#laneList li.lane[data-lane="inet"]').waitFor({ timeout: 60_000 });
    const lanes = await view.locator('#laneList li.lane').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.lane));
    say(`lanes: ${lanes.join(', ')}`);
    assert.ok(lanes.includes('nic') && lanes.includes('inet'));
    await view.locator('#timeline[data-mode]').waitFor({ timeout: 30_000 });
    await screenshot('trace-view-01-lanes');
  });

  step('a click on the whole trace selects the event nearest the pointer on the lane under it', 60_000, async (page) => {
    assert.ok(page);
    const view = traceView(page);
    const canvas = view.locator('#timeline');
    // Once the trace holds more events than the view draws one by one, the whole trace is drawn as buckets.
    await canvas.focus();
    let mode: string | null = null;
    for (let i = 0; i < 45 && mode !== 'buckets'; i++) {
      if (i > 0) await page.waitForTimeout(2000);
      await canvas.press('f');
      await drawnCurrent(view);
      mode = await canvas.getAttribute('data-mode');
    }
    assert.equal(mode, 'buckets', 'the whole trace is drawn as buckets');
    const box = (await canvas.boundingBox())!;
    const listTop = (await view.locator('#laneList').boundingBox())!.y;
    const row = (await view.locator('#laneList li.lane[data-lane="nic"]').boundingBox())!;
    await canvas.click({ position: { x: box.width * 0.6, y: row.y - listTop + row.height / 2 } });
    const summary = view.locator('#detailsSummary');
    await summary.waitFor({ timeout: 20_000 });
    const text = (await summary.textContent()) ?? '';
    const status = (await view.locator('#status').textContent()) ?? '';
    say(`clicked the nic lane of the whole trace, drawn as ${mode}: ${text} (${status})`);
    assert.match(text, /nic/);
    assert.doesNotMatch(status, /zoom in/i);
    await screenshot('trace-view-01b-click-whole-trace');
    await canvas.press('Escape');
    await view.locator('#details', { hasText: 'Select an event' }).waitFor({ timeout: 10_000 });
  });

  step('a click on a DL_WRITEV_S message shows its details', 120_000, async (page) => {
    assert.ok(page);
    const view = traceView(page);
    const search = view.locator('#search');
    await search.fill('DL_WRITEV_S');
    await search.press('Enter');
    await view.locator('#status', { hasText: /Match for/ }).waitFor({ timeout: 30_000 });
    const canvas = view.locator('#timeline');
    await canvas.focus();
    // The match is centred; zoom in around it until single messages are drawn, then a bit more.
    for (let i = 0; i < 60 && (await canvas.getAttribute('data-mode')) !== 'events'; i++) {
      await canvas.press('+');
      await drawnCurrent(view);
    }
    assert.equal(await canvas.getAttribute('data-mode'), 'events', 'the view reached single events');
    for (let i = 0; i < 8; i++) await canvas.press('+');
    // A click selects what the drawn window holds under the pointer: it must be the window of this view.
    await drawnCurrent(view);
    const box = (await canvas.boundingBox())!;
    const listTop = (await view.locator('#laneList').boundingBox())!.y;
    const summary = view.locator('#detailsSummary');
    // The match is at the centre of the view. A message delivered at once is an arrow there
    // from inet to nic; a queued one's arrow leaves the sender there, or reaches the receiver there.
    let text = '';
    for (const lane of ['inet', 'nic']) {
      const row = (await view.locator(`#laneList li.lane[data-lane="${lane}"]`).boundingBox())!;
      const y = row.y - listTop + row.height / 2;
      await canvas.press('Escape');
      await view.locator('#details', { hasText: 'Select an event' }).waitFor({ timeout: 10_000 });
      await canvas.click({ position: { x: box.width / 2, y } });
      // The view picks the event under the pointer as it handles the click: if it found none, the details still ask for one.
      const missed = (await view.locator('#details', { hasText: 'Select an event' }).count()) > 0;
      if (!missed) await summary.waitFor({ timeout: 20_000 });
      text = missed ? '' : ((await summary.textContent()) ?? '');
      say(`clicked the timeline on the ${lane} lane at (${Math.round(box.width / 2)}, ${Math.round(y)}): ${text || 'nothing selected'}`);
      if (/DL_WRITEV_S/.test(text)) break;
    }
    assert.match(text, /DL_WRITEV_S/);
    const details = (await view.locator('#details').textContent()) ?? '';
    assert.match(details, /Source/);
    assert.match(details, /Destination/);
    assert.match(details, /nic/);
    await screenshot('trace-view-02-details');
  });

  step('a process filter leaves the nic lane only', 60_000, async (page) => {
    assert.ok(page);
    const view = traceView(page);
    await view.locator('#filters summary').click();
    // Every lane shows, so every process is checked; unchecking all but nic leaves nic.
    const boxes = view.locator('#laneFilter input');
    assert.deepEqual(new Set(await boxes.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).checked))), new Set([true]));
    const labels = view.locator('#laneFilter label');
    for (let i = 0; i < (await labels.count()); i++) {
      const label = labels.nth(i);
      if (((await label.textContent()) ?? '').trim() !== 'nic') await label.locator('input').uncheck();
    }
    await view.locator('#status', { hasText: /Filtered by 1 process/ }).waitFor({ timeout: 10_000 });
    const lanes = await view.locator('#laneList li.lane').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.lane));
    assert.deepEqual(lanes, ['nic']);
    await screenshot('trace-view');
    await page
      .locator('iframe.webview.ready')
      .screenshot({ path: join(artifacts, 'trace-view-webview.png') })
      .catch(() => {});
  });

  step('a click on the source line of a NIC DEVIO kernel call opens the driver at that line', 120_000, async (page) => {
    assert.ok(page);
    const view = traceView(page);
    // Keep kernel calls only (the nic lane is still the process filter), then step through nic's matches.
    const kinds = view.locator('#kindFilter input');
    for (let i = 0; i < (await kinds.count()); i++) {
      const input = kinds.nth(i);
      if ((await input.getAttribute('id')) === 'kind-5') await input.check();
      else await input.uncheck();
    }
    const search = view.locator('#search');
    await search.fill('nic');
    const summary = view.locator('#detailsSummary');
    const link = view.locator('#details button[data-control="openSource"]');
    let where = '';
    for (let i = 0; i < 40 && !where; i++) {
      const before = (await view.locator('#status').textContent()) ?? '';
      await search.press('Enter');
      // The status names each match's event number once its details are shown.
      await view.locator('#status', { hasText: /Match for|No later match/ }).filter({ hasNotText: before }).waitFor({ timeout: 20_000 });
      await summary.waitFor({ timeout: 20_000 });
      const text = (await summary.textContent()) ?? '';
      const linkText = (await link.count()) > 0 ? ((await link.textContent()) ?? '') : '';
      if (/^nic DEVIO/.test(text) && /drivers[\\/]nic\.ts:\d+/.test(linkText)) where = linkText;
    }
    say(`source line: ${where}`);
    assert.ok(where, 'found a nic DEVIO kernel call with a source line');
    const line = Number(/nic\.ts:(\d+)/.exec(where)![1]);
    await link.click();
    await page.locator('.tab', { hasText: 'nic.ts' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col`) }).first().waitFor({ timeout: 15_000 });
    const lineText = (await page.locator('.editor-instance .view-line').allTextContents()).join('\n');
    assert.match(lineText, /sys\.\w+/, 'the driver’s code is shown');
    await screenshot('trace-view-03-source-link');
  });

  step('S1 started again is another trace: the search, filters and details of the last one go', 150_000, async (page) => {
    assert.ok(page);
    const view = traceView(page);
    await startDefaultSystem(page);
    await page.locator('.tab', { hasText: 'IPC Trace' }).first().click();
    await view.locator('#laneList li.lane[data-lane="inet"]').waitFor({ timeout: 60_000 });
    await view.locator('#details', { hasText: 'Select an event' }).waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('#search').inputValue(), '');
    const checked = await view.locator('#laneFilter input, #kindFilter input').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).checked));
    assert.ok(checked.length > 0 && checked.every((c) => c), 'every process and kind is checked again');
    const lanes = await view.locator('#laneList li.lane').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.lane));
    say(`after starting S1 again: lanes ${lanes.join(', ')}; status: ${(await view.locator('#status').textContent()) ?? ''}`);
    assert.ok(lanes.includes('nic') && lanes.includes('inet'));
    await screenshot('trace-view-04-started-again');
  });
});
