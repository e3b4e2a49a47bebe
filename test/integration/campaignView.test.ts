// The campaign view (Run Fault Campaign) in a real VS Code: a campaign run from
// its form fills the survival table and chart with the outcomes the trials had,
// lists the trials that harmed the system, and opens one's trace when clicked;
// Cancel stops a long campaign; reopened, the view shows the last results again.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, labApi, type CampaignPanelApi } from './labApi';

/** The part of the trace view's test handle used here (see traceView.test.ts). */
interface TraceViewHandle {
  whenRendered(accept: (w: { sourceName: string; lanes: string[]; matched: number }) => boolean, timeoutMs?: number): Promise<{ matched: number }>;
}

async function openView(): Promise<CampaignPanelApi> {
  const api = await labApi();
  await vscode.commands.executeCommand('microkernelLab.campaign.open');
  return eventually('the campaign view', () => api.campaignPanel());
}

describe('campaign view', function () {
  this.timeout(240_000);

  it('runs a campaign from its form: the survival table and chart show what the trials did, the harmful trials are listed', async () => {
    const panel = await openView();
    await panel.choose({ types: ['crash', 'hang'], configurations: ['microkernel-iommu', 'monolithic'], faults: 4, faultsPerTrial: 1, seed: 1 });
    await panel.press('run');
    let last = '';
    const state = await eventually('four rows and a status', async () => {
      const s = await panel.state();
      last = s.status;
      return !s.running && s.rows.length === 4 && /^4 trials/.test(s.status) ? s : undefined;
    }, 120_000).catch((e: Error) => {
      throw new Error(`${e.message}; the view says: ${last}`);
    });
    assert.match(state.status, /^4 trials, 4 faults injected; the system survived 2 of 4 \(50\.0 %\)\.$/);
    const cells = Object.fromEntries(state.rows.map((r) => r.split(' | ')).map((c) => [`${c[0]}/${c[1]}`, c]));
    // MINIX's contrast: the user-mode driver's crash and hang are recovered; in the monolithic kernel each is a system failure.
    assert.equal(cells['crash/microkernel-iommu']![6], '1 (100.0 %)', 'crash-recovered');
    assert.equal(cells['hang/microkernel-iommu']![7], '1 (100.0 %)', 'hang-recovered');
    assert.equal(cells['crash/monolithic']![10], '1 (100.0 %)', 'system-failure');
    assert.equal(cells['crash/monolithic']![11], '0.0 %');
    assert.equal(cells['crash/microkernel-iommu']![11], '100.0 %');
    assert.deepEqual(state.chart, { series: ['microkernel-iommu', 'monolithic'], drawn: true });
    assert.equal(state.harmful.length, 2);
    for (const h of state.harmful) assert.match(h, /^monolithic:nic:(crash|hang):1:[0-9a-f]{8} \| system-failure \| (kernel panic|no progress)/);
  });

  it('a harmful trial, clicked, runs again and opens its trace in the trace view', async () => {
    const panel = await openView();
    const { harmful } = await panel.state();
    const crash = harmful.map((h) => h.split(' | ')[0]!).find((id) => id.includes(':crash:'));
    assert.ok(crash, harmful.join('\n'));
    await panel.clickTrial(crash);
    const view = await eventually('the trace view', async () => (await vscode.commands.executeCommand('microkernelLab.trace.open')) as TraceViewHandle | undefined);
    const shown = await view.whenRendered((r) => r.sourceName === `trial-${crash.replaceAll(':', '-')}.mktrace` && r.lanes.includes('nic'), 120_000);
    assert.ok(shown.matched > 0);
  });

  it('a harmful trial\'s Debug link starts the debugger on that trial, stopped just before its fault', async () => {
    const panel = await openView();
    // The reopened view shows the last results once the page has asked for them.
    const harmful = await eventually('the harmful trials', async () => {
      const listed = (await panel.state()).harmful;
      return listed.length > 0 ? listed : undefined;
    });
    const crash = harmful.map((h) => h.split(' | ')[0]!).find((id) => id.includes(':crash:'));
    assert.ok(crash, harmful.join('\n'));
    const stops: { description?: string; reason: string }[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('microkernel', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string; body?: { description?: string; reason: string } }) => {
          if (m.type === 'event' && m.event === 'stopped' && m.body) stops.push(m.body);
        },
      }),
    });
    try {
      await panel.clickDebug(crash);
      const stop = await eventually('the trial to stop before its fault', async () => stops[0], 120_000);
      assert.equal(stop.reason, 'breakpoint');
      assert.match(stop.description ?? '', /^Before the fault: the trial arms crash in nic now, at \d/);
      const session = vscode.debug.activeDebugSession;
      assert.equal(session?.configuration['trial'], crash);
      await vscode.debug.stopDebugging(session);
    } finally {
      tracker.dispose();
    }
  });

  it('Cancel stops a long campaign after the trial in progress and shows the trials done', async () => {
    const panel = await openView();
    await panel.choose({ types: ['crash'], configurations: ['microkernel'], faults: 2000 });
    await panel.press('run');
    // Cancelled once a trial is done (on a busy machine the first may not have started when the view says it runs;
    // cancelled then, the campaign rightly stops after 0 trials).
    await eventually('a trial to be done', async () => {
      const s = await panel.state();
      return s.running && /^[1-9]\d* of \d+ trials/.test(s.status) ? true : undefined;
    }, 120_000);
    await panel.press('cancel');
    const state = await eventually('the campaign to stop', async () => {
      const s = await panel.state();
      return s.running ? undefined : s;
    }, 120_000);
    assert.match(state.status, /^Cancelled after \d+ trials/);
    const trials = Number(/^Cancelled after (\d+) trials/.exec(state.status)![1]);
    assert.ok(trials >= 1 && trials < 2000, state.status);
  });

  it('shows the last results again when reopened', async () => {
    (await openView()).dispose();
    const panel = await openView();
    const state = await eventually('the restored results', async () => {
      const s = await panel.state();
      return s.rows.length > 0 && s.chart?.drawn === true ? s : undefined;
    });
    assert.match(state.status, /^Cancelled after \d+ trials/);
    assert.ok(state.rows.every((r) => r.startsWith('crash | microkernel | ')));
    // Copy Table puts the survival table, as mklab campaign prints it, on the clipboard.
    await panel.press('copy');
    const copied = await eventually('the table on the clipboard', async () => {
      const text = await vscode.env.clipboard.readText();
      return text.startsWith('| fault type |') ? text : undefined;
    });
    assert.match(copied, /^\| crash \| microkernel \| \d+ \| \d+ \|/m);
  });
});
