// End to end: the packaged .vsix in code-server, driven in Chromium. A user opens Compare
// Architectures from the palette, keeps three configurations, runs the network request-response
// comparison with the Run button, and sees the charts drawn and the table filled; the screenshot of
// the view is saved as test-artifacts/e2e/benchmark-view.png (the README's picture).
import { describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { artifacts, runFromPalette, webviewFrame, WorkbenchSession } from './workbenchSession';

const session = new WorkbenchSession({
  tempPrefix: 'mklab-e2e-bench-',
  logPrefix: '[e2e]',
  failedShotPrefix: 'benchmark-view-failed-',
  serverLogName: 'benchmark-view-code-server.log',
  logScreenshots: false,
});
const step = session.step.bind(session);

describe('benchmark view end to end', () => {
  session.registerHooks();

  step('installs the .vsix and opens the workbench', 240_000, async () => {
    session.install();
    await session.openWorkbench();
  });

  step('Compare Architectures runs a comparison from its form; the charts and the table show it', 120_000, async (p) => {
    await runFromPalette(p, '>Microkernel Lab: Compare Architectures', 'Compare Architectures');
    await p.locator('.tab', { hasText: 'Compare Architectures' }).first().waitFor({ timeout: 60_000 });
    const frame = webviewFrame(p);
    const workload = frame.locator('#workload');
    await frame.locator('#workload option[value="network-request-response"]').waitFor({ state: 'attached', timeout: 60_000 });
    await workload.selectOption('network-request-response');
    for (const name of ['microkernel-iommu-lazy', 'microkernel-iommu-dev', 'monolithic-containers']) await frame.locator(`#configurations input[value="${name}"]`).uncheck();
    await frame.locator('#duration').fill('50');
    await frame.locator('#run').click();
    await frame.locator('#results tbody tr').nth(3).waitFor({ timeout: 90_000 });
    const configs = await frame.locator('#results tbody tr td:first-child').allTextContents();
    assert.deepEqual(configs, ['microkernel-iommu', 'microkernel', 'monolithic', 'kernel-bypass']);
    // Three charts, each a uPlot canvas with a size.
    const canvases = frame.locator('.chart canvas');
    assert.equal(await canvases.count(), 3);
    for (let i = 0; i < 3; i++) {
      const box = await canvases.nth(i).boundingBox();
      assert.ok(box !== null && box.width > 200 && box.height > 100, `chart ${i} has no size`);
    }
    assert.match((await frame.locator('#status').textContent()) ?? '', /^network-request-response: 4 configuration\(s\)/);
    await p.locator('iframe.webview.ready').screenshot({ path: join(artifacts, 'benchmark-view.png') });
    const file = join(artifacts, 'benchmark-view.png');
    assert.ok(existsSync(file), `no screenshot at ${file}`);
    console.log(`[e2e] screenshot ${file}`);
  });
});
