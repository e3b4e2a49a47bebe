// The editor's controls around a running system, as a user meets them: Live Update on a
// driver, the settings a start picks up, the status bar, the walkthrough, and what the user
// is told when the simulator's worker dies.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { within } from './labApi';
import { driver, eventually, sessionApi, startDefault, type Outcome, type SessionLabApi } from './sessionHelpers';

interface Controls {
  controller: {
    status: { state: string; name?: string; configuration?: string; nowCycles: number; clockHz: number; restarts: number; speed: number } | undefined;
    statusBarText: string;
    statusBarVisible: boolean;
    statusBarCommand: string | undefined;
  };
  crashSimulatorForTests(): Promise<void>;
}
type ControlsApi = SessionLabApi & { session: SessionLabApi['session'] & Controls };
type NicRow = { endpoint: number; restarts: number; serviceState?: string; updates?: number; lastExit?: string };

async function controlsApi(): Promise<ControlsApi> {
  return (await sessionApi()) as ControlsApi;
}

async function started(): Promise<ControlsApi> {
  await startDefault();
  return controlsApi();
}

const nicRow = async (api: ControlsApi, accept: (p: NicRow) => boolean = () => true) =>
  (await driver(api, 'nic', (p) => accept(p as NicRow)))?.node.process as NicRow | undefined;

function consoleTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Microkernel Console');
}

describe('editor controls', () => {
  after(async () => {
    // Later suites expect the worker as a fresh window has it: no session, the default system described.
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
  });

  it('Live Update on the NIC driver swaps in a new instance at the same endpoint; the System view counts an update, not a restart', async () => {
    const api = await started();
    const before = (await nicRow(api, (p) => p.serviceState === 'running'))!;
    assert.equal(before.updates, 0);
    const restartsBefore = api.session.controller.status!.restarts;
    const outcome = (await vscode.commands.executeCommand('microkernelLab.driver.update', 'nic')) as Outcome;
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
    assert.match(outcome.message, /service update nic sent to the reincarnation server/);
    const after = await eventually('nic updated and running', () => nicRow(api, (p) => p.updates === 1 && p.serviceState === 'running'));
    assert.equal(after.endpoint, before.endpoint, 'the updated driver keeps its endpoint (MINIX 3.4)');
    assert.equal(after.restarts, before.restarts, 'a live update is not a restart');
    assert.equal(api.session.controller.status!.restarts, restartsBefore, 'the status bar counts no restart for a live update');
    assert.equal(api.session.controller.status!.state, 'running');
    // A second update is a second count; the driver keeps running throughout.
    const again = (await vscode.commands.executeCommand('microkernelLab.driver.update', 'nic')) as Outcome;
    assert.ok(again.ok, again.ok ? '' : again.error);
    await eventually('nic updated twice', () => nicRow(api, (p) => p.updates === 2 && p.serviceState === 'running'));
  });

  it('Live Update without a running system says to start one', async () => {
    await controlsApi();
    await vscode.commands.executeCommand('microkernelLab.system.stop');
    const outcome = (await vscode.commands.executeCommand('microkernelLab.driver.update', 'nic')) as Outcome;
    assert.ok(!outcome.ok);
    assert.match(outcome.error, /cannot update: the system has been stopped; start a system again/);
  });

  it('a start without a configuration uses the default configuration and heartbeat period from the settings', async () => {
    const api = await controlsApi();
    const settings = vscode.workspace.getConfiguration('microkernelLab');
    const global = vscode.ConfigurationTarget.Global;
    await settings.update('defaultConfiguration', 'microkernel', global);
    await settings.update('heartbeatPeriodMs', 200, global);
    try {
      const outcome = (await vscode.commands.executeCommand('microkernelLab.system.start', 'default')) as Outcome & { status: { configuration?: string } };
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
      assert.equal(outcome.status.name, 's1');
      assert.equal(outcome.status.configuration, 'microkernel', 'S1 names microkernel-iommu; the setting should win');
      const runId = outcome.status.runId;
      await eventually('the new system in the System view', async () => (api.systemView.current?.session?.runId === runId ? true : undefined));
      await eventually('nic running', () => nicRow(api, (p) => p.serviceState === 'running'));
      // Only RS's heartbeat notices a hang: RS checks once a second and kills the driver at the first check
      // more than two periods after its last answer, so with a 200 ms period within about 2 s of simulated
      // time; with S1's own period of 5 s it would take at least 10 s.
      const hung = (await vscode.commands.executeCommand('microkernelLab.driver.injectFault', 'nic', 'hang')) as Outcome;
      assert.ok(hung.ok, hung.ok ? '' : hung.error);
      const t0 = hung.status.nowCycles;
      await eventually('nic killed for missed heartbeats and restarted', () =>
        nicRow(api, (p) => /no heartbeat/.test(p.lastExit ?? '') && p.serviceState === 'running'),
      );
      const status = api.session.controller.status!;
      const tookS = (status.nowCycles - t0) / status.clockHz;
      assert.ok(tookS < 3, `the hung driver was caught after ${tookS.toFixed(2)} s of simulated time`);

      await settings.update('simulationSpeed', 4, global);
      await eventually('the new speed applied to the running system', async () => (api.session.controller.status?.speed === 4 ? true : undefined), 5000);
    } finally {
      await settings.update('defaultConfiguration', undefined, global);
      await settings.update('heartbeatPeriodMs', undefined, global);
      await settings.update('simulationSpeed', undefined, global);
    }
    const back = (await vscode.commands.executeCommand('microkernelLab.system.start', 'default')) as Outcome & { status: { configuration?: string } };
    assert.ok(back.ok && back.status.configuration === 'microkernel-iommu', 'with the settings reset the scenario decides again');
  });

  it('the status bar shows running or paused and the restarts so far; clicking it opens the console', async () => {
    const api = await started();
    const controller = api.session.controller;
    await eventually('the status bar shows a running system', async () => (controller.statusBarVisible && controller.statusBarText.startsWith('$(play) ') ? true : undefined));
    assert.match(controller.statusBarText, /· 0 restarts$/);
    const paused = (await vscode.commands.executeCommand('microkernelLab.system.pause')) as Outcome;
    assert.ok(paused.ok);
    assert.match(controller.statusBarText, /^\$\(debug-pause\) /);
    const resumed = (await vscode.commands.executeCommand('microkernelLab.system.resume')) as Outcome;
    assert.ok(resumed.ok);
    assert.match(controller.statusBarText, /^\$\(play\) /);
    const crash = (await vscode.commands.executeCommand('microkernelLab.driver.injectFault', 'nic', 'crash')) as Outcome;
    assert.ok(crash.ok);
    await eventually('the status bar counts the restart', async () => (/· 1 restart$/.test(controller.statusBarText) ? true : undefined));
    assert.equal(controller.status?.restarts, 1);

    assert.equal(controller.statusBarCommand, 'microkernelLab.console.open');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(controller.statusBarCommand!);
    await eventually('the console open', async () => (consoleTabs().length === 1 ? true : undefined), 10_000);

    const stopped = (await vscode.commands.executeCommand('microkernelLab.system.stop')) as Outcome;
    assert.ok(stopped.ok);
    assert.match(controller.statusBarText, /^\$\(debug-stop\) .* · 1 restart$/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  // VS Code shows the Welcome editor for any walkthrough id, so this checks only that opening ours
  // fails nowhere; what its steps name is checked in test/unit/extension/walkthrough.test.ts.
  it('the walkthrough opens in the Welcome editor from its command without error', async () => {
    await controlsApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const id = 'microkernel-lab.microkernel-lab#microkernelLab.gettingStarted';
    await within(vscode.commands.executeCommand('workbench.action.openWalkthrough', id, false), 10_000, 'openWalkthrough');
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.label);
    await eventually('the Welcome editor', async () => (labels().some((l) => /welcome|walkthrough/i.test(l)) ? true : undefined), 10_000).catch((e: Error) => {
      throw new Error(`${e.message}; open tabs: ${labels().join(', ') || 'none'}`);
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('when the simulator worker dies, the user is told and offered Restart Simulator, after which it answers again', async () => {
    const api = await started();
    const offers: { message: string; items: string[] }[] = [];
    const window = vscode.window as { showErrorMessage: (message: string, ...items: unknown[]) => Thenable<unknown> };
    const original = window.showErrorMessage;
    // The user answers the notification by clicking its button.
    window.showErrorMessage = (message: string, ...items: unknown[]) => {
      const labels = items.filter((i): i is string => typeof i === 'string');
      offers.push({ message, items: labels });
      return Promise.resolve(labels.includes('Restart Simulator') ? 'Restart Simulator' : undefined);
    };
    try {
      await api.session.crashSimulatorForTests();
      await eventually('an error message', async () => (offers.length > 0 ? true : undefined), 10_000);
      assert.match(offers[0]!.message, /^Microkernel Lab: the simulator stopped \(exit code \d+\)\.$/);
      assert.deepEqual(offers[0]!.items, ['Restart Simulator']);
      // The system that ran in the dead worker is gone, and the status bar no longer claims it runs.
      assert.equal(api.session.controller.status, undefined);
      assert.equal(api.session.controller.statusBarVisible, false);
      const answer = await within(api.ping('after the crash'), 15_000, 'ping after Restart Simulator');
      assert.equal(answer.payload, 'after the crash');
      // A new worker answers, so every request the crash failed has been answered: the user was told once.
      assert.equal(offers.length, 1, `expected one message, got ${JSON.stringify(offers)}`);
    } finally {
      window.showErrorMessage = original;
    }
    const stale = (await vscode.commands.executeCommand('microkernelLab.driver.restart', 'nic')) as Outcome;
    assert.ok(!stale.ok && /no system is running/.test(stale.error), stale.ok ? 'a driver command worked on a system that is gone' : stale.error);
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
    assert.equal((await within(api.ping('after restart'), 15_000, 'ping after the restart command')).payload, 'after restart');
    await startDefault();
  });
});
