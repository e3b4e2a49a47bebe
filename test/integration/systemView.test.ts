// The System view: empty (with a Start button) before a start, then the
// system's state on its first row and its groups below; when a run ends the
// row and a notification say how it went, as `mklab run`'s summary does.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { labApi, labelOf, within } from './labApi';
import { eventually, sessionApi, startDefault, type Outcome, type SessionLabApi } from './sessionHelpers';

const groups = ['Kernel', 'Servers', 'Drivers', 'Programs', 'Devices'];

/** The rows of the System view's top level, as tree items. */
async function rootItems(api: SessionLabApi): Promise<vscode.TreeItem[]> {
  const roots = (await api.systemView.getChildren()) ?? [];
  return Promise.all(roots.map((r) => api.systemView.getTreeItem(r)));
}

/** Starts a built-in scenario in a configuration, at full speed, and waits until its run has ended. */
async function runToEnd(api: SessionLabApi, scenario: string, configuration: string) {
  const outcome = (await vscode.commands.executeCommand('microkernelLab.system.start', scenario, configuration)) as Outcome;
  assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
  return eventually(`${scenario} ends`, () => {
    const s = api.session.controller.status as { runId: number; state: string; report?: { outcome: string; headline: string[]; text: string } } | undefined;
    return s?.runId === outcome.status.runId && s.report !== undefined ? s : undefined;
  }, 60_000);
}

describe('System view', () => {
  before(async () => {
    await vscode.workspace.getConfiguration('microkernelLab').update('simulationSpeed', 0, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('microkernelLab').update('simulationSpeed', undefined, vscode.ConfigurationTarget.Global);
    // Later suites expect the worker as a fresh window has it: no session.
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
  });

  it('is empty before a start (its welcome offers Start System), then shows the system\'s state and its groups', async () => {
    const api = await sessionApi();
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
    const before = (await within(Promise.resolve(api.systemView.getChildren()), 10_000, 'getChildren()')) ?? [];
    assert.deepEqual(before, [], 'nothing runs yet, so the view shows no system');
    const welcome = vscode.extensions.getExtension('microkernel-lab.microkernel-lab')!.packageJSON.contributes.viewsWelcome as { view: string; contents: string }[];
    assert.match(welcome.find((w) => w.view === 'microkernelLab.system')!.contents, /^No system is running\.\n\[Start System…\]\(command:microkernelLab\.system\.start\)/);

    // Started, it shows the state row, then the groups, once RS has started the drivers.
    await startDefault();
    const items = await eventually('the state row and the groups', async () => {
      const i = await rootItems(api);
      return i.length === groups.length + 1 ? i : undefined;
    });
    assert.deepEqual(items.slice(1).map(labelOf), groups);
    assert.equal(labelOf(items[0]!), 's1 · microkernel-iommu');
    assert.equal(items[0]!.description, 'running');
    const { systemView } = await labApi();
    const roots = (await systemView.getChildren()) ?? [];
    for (const [i, root] of roots.slice(1).entries()) {
      assert.notEqual(items[i + 1]!.collapsibleState, vscode.TreeItemCollapsibleState.None, `${groups[i]} cannot be expanded`);
      const children = (await systemView.getChildren(root)) ?? [];
      assert.ok(children.length > 0, `${groups[i]} has no children`);
    }
    const drivers = await Promise.all(((await systemView.getChildren(roots[3])) ?? []).map(async (d) => labelOf(await systemView.getTreeItem(d))));
    for (const label of ['nic', 'cdrom', 'disk', 'printer']) assert.ok(drivers.includes(label), `the default system's drivers lack ${label}: ${drivers.join(', ')}`);
    await vscode.commands.executeCommand('microkernelLab.system.stop');
    await eventually('the row says stopped', async () => (String((await rootItems(api))[0]?.description).startsWith('stopped at') ? true : undefined));
  });

  it('S5 under monolithic-containers: the state row and a notification say the kernel panicked and the blast radius is 3 of 3', async () => {
    const api = await sessionApi();
    const ended = await runToEnd(api, 's5', 'monolithic-containers');
    assert.equal(ended.state, 'panicked');
    assert.equal(ended.report!.outcome, 'panic');
    const row = await eventually('the state row', async () => {
      const first = (await rootItems(api))[0];
      return first !== undefined && /PANIC/.test(String(first.description)) ? first : undefined;
    });
    assert.match(String(row.description), /^KERNEL PANIC in nic at 1\.00 s$/);
    assert.match((row.tooltip as vscode.MarkdownString).value, /blast radius: 3 of 3 workload processes affected/);
    assert.match(api.session.controller.statusBarText, /^\$\(error\) /, 'the status bar says the kernel panicked');
    const notice = await eventually('the notification', () => (api.session.controller as unknown as { lastNotice?: { severity: string; text: string; actions: string[] } }).lastNotice);
    assert.equal(notice.severity, 'warning', 'a panic the scenario expects is a warning, not an error');
    assert.match(notice.text, /^Microkernel Lab: s5 \(monolithic-containers\): kernel panic in nic at 1\.00 s: .*injected fault: crash.*\. Blast radius: 3 of 3 workload processes\. As the scenario expects \(panic\)\.$/);
    assert.deepEqual(notice.actions, ['Show Summary', 'Open Trace', 'Replay in Debugger']);
    // Show Summary opens the summary `mklab run` prints.
    const doc = (await vscode.commands.executeCommand('microkernelLab.system.showSummary')) as vscode.TextDocument;
    assert.match(doc.getText(), /^s5 — monolithic-containers, seed 1/);
    assert.match(doc.getText(), /outcome: panic \(as expected\)/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('S5 under microkernel-iommu: only the driver restarts; every container goes on (blast radius 0 of 3)', async () => {
    const api = await sessionApi();
    const ended = await runToEnd(api, 's5', 'microkernel-iommu');
    assert.equal(ended.state, 'finished');
    assert.ok(ended.report!.headline.includes('blast radius: 0 of 3 workload processes affected (failed, or stopped by a panic)'), ended.report!.headline.join('\n'));
    const row = (await rootItems(api))[0]!;
    assert.match(String(row.description), /^finished at \d+\.\d+ s: ok \(as expected\)$/);
    const notice = (api.session.controller as unknown as { lastNotice: { severity: string; text: string } }).lastNotice;
    assert.equal(notice.severity, 'info');
    assert.match(notice.text, /Blast radius: 0 of 3 workload processes\. As the scenario expects \(ok\)\.$/);
  });

  it('S4 under kernel-bypass ends saying each request cost no context switch and no kernel entry', async () => {
    const api = await sessionApi();
    const ended = await runToEnd(api, 's4', 'kernel-bypass');
    const line = ended.report!.headline.find((l) => l.startsWith('request-response: '));
    assert.match(line ?? '', /; per operation 0 context switches, 0 kernel entries$/);
    const notice = (api.session.controller as unknown as { lastNotice: { text: string } }).lastNotice;
    assert.match(notice.text, /request-response: \d+ done, 0 failed; latency p50 \d+(\.\d+)? ns.*per operation 0 context switches, 0 kernel entries\./);
  });

  it('S7 under microkernel-iommu ends with the request latency distribution near saturation', async () => {
    const api = await sessionApi();
    const ended = await runToEnd(api, 's7', 'microkernel-iommu');
    const line = ended.report!.headline.find((l) => l.startsWith('request-response: '))!;
    const [p50, p99] = [/p50 ([\d.]+) ns/, /p99 ([\d.]+) ns/].map((r) => Number(r.exec(line)![1]));
    assert.ok(p99! > p50!, `near saturation the tail moves away from the median: ${line}`);
  });
});
