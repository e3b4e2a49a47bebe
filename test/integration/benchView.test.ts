// The benchmark view (Compare Architectures) in a real VS Code: a comparison
// run from its form draws its three charts and fills its table with what the
// simulator measured; Cancel stops a long one; the results export as CSV and
// Markdown; reopened, the view shows the last results again.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { eventually, labApi, type BenchPanelApi } from './labApi';

/** The part of the trace view's test handle used here (see traceView.test.ts). */
interface TraceViewHandle {
  whenRendered(accept: (w: { sourceName: string; lanes: string[]; matched: number }) => boolean, timeoutMs?: number): Promise<{ matched: number }>;
}

async function openView(): Promise<BenchPanelApi> {
  const api = await labApi();
  await vscode.commands.executeCommand('microkernelLab.compare.open');
  return eventually('the benchmark view', () => api.benchPanel());
}

async function settled(panel: BenchPanelApi, ms = 120_000) {
  return eventually('the comparison to end', async () => {
    const s = await panel.state();
    return s.running ? undefined : s;
  }, ms);
}

describe('benchmark view', function () {
  this.timeout(240_000);

  it('runs a comparison from its form and draws the charts of what was measured', async () => {
    const panel = await openView();
    await panel.choose({ workload: 'network-request-response', configurations: ['microkernel', 'kernel-bypass'], profile: 'sel4-skylake', seeds: 1, durationSeconds: 0.02 });
    await panel.press('run');
    let last = '';
    const state = await eventually('two result rows', async () => {
      const s = await panel.state();
      last = s.status;
      return !s.running && s.rows.length === 2 ? s : undefined;
    }, 120_000).catch((e: Error) => {
      throw new Error(`${e.message}; the view says: ${last}`);
    });
    assert.match(state.status, /^network-request-response: 2 configuration\(s\), cost profile sel4-skylake/);
    assert.deepEqual(state.charts.map((c) => [c.name, c.drawn]), [['cycles', true], ['latency', true], ['switches', true]]);
    assert.deepEqual(state.charts[0]!.series, ['device', 'interrupt', 'IOMMU', 'context switch', 'copy', 'kernel entry', 'user']);
    const [micro, bypass] = state.rows.map((r) => r.split(' | '));
    assert.equal(micro![0], 'microkernel');
    assert.equal(bypass![0], 'kernel-bypass');
    // Column 7, ctx sw/op: kernel-bypass serves a request without one, the microkernel with several.
    assert.equal(bypass![7], '0.00');
    assert.ok(Number(micro![7]) > 4, micro!.join(' | '));
  });

  it('a configuration\'s name in the table opens the trace of its run in the trace view', async () => {
    const panel = await openView();
    await panel.clickConfiguration('kernel-bypass');
    // The trace view opens in the benchmark view's place; its handle shows what it drew.
    const view = await eventually('the trace view', async () => (await vscode.commands.executeCommand('microkernelLab.trace.open')) as TraceViewHandle | undefined);
    const shown = await view.whenRendered((r) => r.sourceName === 'compare-network-request-response-kernel-bypass.mktrace' && r.lanes.includes('rr-server'), 120_000);
    assert.ok(shown.matched > 0);
  });

  it('exports the results as CSV and as Markdown', async () => {
    const panel = await openView();
    const dir = mkdtempSync(join(tmpdir(), 'mklab-bench-'));
    for (const [button, file, head] of [
      ['export-csv', join(dir, 'compare.csv'), /^config,ops,throughput_ops_per_s,.*\nmicrokernel,/],
      ['export-md', join(dir, 'compare.md'), /^Workload `network-request-response`.*\n\n\| configuration \| ops \| ops\/s \|[^\n]*\n\|---\|/],
    ] as const) {
      panel.exportNextTo(file);
      await panel.press(button);
      const text = await eventually(`${file} written`, () => (existsSync(file) ? readFileSync(file, 'utf8') : undefined));
      assert.match(text, head);
      assert.match(text, /kernel-bypass/);
    }
  });

  it('Cancel stops a long comparison and keeps the results shown before', async () => {
    const panel = await openView();
    await panel.choose({ workload: 'packet-stream', configurations: ['microkernel', 'monolithic', 'microkernel-iommu'], seeds: 20, durationSeconds: 0.2 });
    await panel.press('run');
    await eventually('the comparison to start', async () => ((await panel.state()).running ? true : undefined));
    await panel.press('cancel');
    const state = await settled(panel);
    assert.match(state.status, /^Cancelled/);
    assert.deepEqual(state.rows.map((r) => r.split(' | ')[0]), ['microkernel', 'kernel-bypass'], 'the previous results stay');
  });

  it('shows the last results again when reopened', async () => {
    (await openView()).dispose();
    const panel = await openView();
    const state = await eventually('the restored results', async () => {
      const s = await panel.state();
      return s.rows.length === 2 && s.charts.every((c) => c.drawn) ? s : undefined;
    });
    assert.deepEqual(state.rows.map((r) => r.split(' | ')[0]), ['microkernel', 'kernel-bypass']);
  });
});
