// Starting, steering and breaking a system through the extension's commands, as a user's
// palette or the System view's buttons run them, seen through the System view's tree data.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { driver, eventually, groupRows, sessionApi, startDefault, type Outcome } from './sessionHelpers';

describe('session', () => {
  after(async () => {
    (await sessionApi()).session.forceWorkspaceTrust(undefined);
    // Later suites expect the worker as a fresh window has it: no session, the default system described.
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
  });

  it('starts the default system through its command; the System view lists its drivers live, the status bar its time', async () => {
    const api = await startDefault();
    const labels = (await groupRows(api, 'Drivers')).map((r) => r.node.process.label);
    for (const label of ['nic', 'cdrom', 'disk', 'printer']) assert.ok(labels.includes(label), `no ${label} among ${labels.join(', ')}`);
    assert.equal(api.session.controller.status?.state, 'running');
    assert.equal(api.session.controller.status?.name, 's1');
    const t0 = api.session.controller.status!.nowCycles;
    await eventually('simulated time moves', async () => (api.session.controller.status!.nowCycles > t0 ? true : undefined), 5000);
    assert.match(api.session.controller.statusBarText, /\$\(play\) .+ · \d+ restarts?/);
    const nic = (await driver(api, 'nic'))!;
    assert.equal(nic.item.contextValue, 'driver', 'the driver row carries the driver actions');
    assert.match(String(nic.item.description), /ep \d+/);
    const tooltip = (nic.item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /Kernel calls: .*DEVIO/);
    assert.match(tooltip, /IRQ: \d+/);
  });

  it('restarts a driver through its command: the restart count rises and it is running again', async () => {
    const api = await startDefault();
    const before = (await driver(api, 'nic'))!.node.process;
    const outcome = (await vscode.commands.executeCommand('microkernelLab.driver.restart', 'nic')) as Outcome;
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
    const after = await eventually('nic restarted and running', () =>
      driver(api, 'nic', (p) => p.restarts === before.restarts + 1 && p.serviceState === 'running'),
    );
    assert.equal(after.node.process.endpoint, before.endpoint, 'the restarted driver keeps its endpoint (MINIX 3.4)');
    assert.match(String(after.item.description), /1 restart\b/);
    assert.notEqual((after.item.iconPath as vscode.ThemeIcon).id, 'error');
  });

  it('an injected crash is seen by the reincarnation server, which restarts the driver; the walkthrough ticks each step when it really happened', async () => {
    const walkthrough = (await sessionApi()).session.walkthrough;
    walkthrough.resetForTests();
    const refused = (await vscode.commands.executeCommand('microkernelLab.system.start', 'no-such-scenario')) as Outcome;
    assert.equal(refused.ok, false);
    assert.equal(walkthrough.completed.length, 0, 'a start that failed ticks nothing');
    const api = await startDefault();
    assert.ok(walkthrough.completed.includes('start'));
    assert.ok(!walkthrough.completed.includes('crash'), 'no fault injected yet');
    const outcome = (await vscode.commands.executeCommand('microkernelLab.driver.injectFault', 'nic', 'crash')) as Outcome;
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
    const nic = await eventually('nic crashed and came back', () => driver(api, 'nic', (p) => p.restarts === 1 && p.serviceState === 'running'));
    await eventually('the crash step ticked once RS restarted the driver', () => (walkthrough.completed.includes('crash') ? true : undefined));
    assert.match(nic.node.process.lastExit ?? '', /^crashed: .*injected fault: crash/);
    assert.ok((api.session.controller.status?.restarts ?? 0) >= 1);
    // The row itself says how often it was restarted and how it last ended.
    assert.match(String(nic.item.description), /^[^·]+ · ep \d+ · 1 restart · last: crashed$/);
    // A second crash soon after: RS waits (MINIX's backoff) and the row says for how long at most.
    const again = (await vscode.commands.executeCommand('microkernelLab.driver.injectFault', 'nic', 'crash')) as Outcome;
    assert.ok(again.ok, again.ok ? '' : again.error);
    const waiting = await eventually('nic in backoff', () => driver(api, 'nic', (p) => p.serviceState === 'backoff'));
    assert.match(String(waiting.item.description), /^restarting \(backoff, ≤ \d+ s\) · ep \d+ · 2 restarts · last: crashed$/);
  });

  it('pauses and resumes; a driver action on a node of the view works like one on a label', async () => {
    const api = await startDefault();
    const paused = (await vscode.commands.executeCommand('microkernelLab.system.pause')) as Outcome;
    assert.ok(paused.ok && paused.status.state === 'paused');
    // The worker pushes the paused system to the views; no tick may have run after the pause.
    const shown = await eventually('the paused system in the System view', async () => {
      const s = api.systemView.current?.session;
      return s?.state === 'paused' ? s : undefined;
    });
    assert.equal(shown.nowCycles, paused.status.nowCycles, 'time moved while paused');
    assert.equal(api.session.controller.status?.nowCycles, paused.status.nowCycles, 'time moved while paused');
    const printer = (await groupRows(api, 'Drivers')).find((r) => r.node.process.label === 'printer')!;
    const killed = (await vscode.commands.executeCommand('microkernelLab.driver.kill', printer.node)) as Outcome;
    assert.ok(killed.ok && /SIGKILL.*when the system resumes/.test(killed.message), killed.ok ? killed.message : killed.error);
    const resumed = (await vscode.commands.executeCommand('microkernelLab.system.resume')) as Outcome;
    assert.ok(resumed.ok && resumed.status.state === 'running');
    await eventually('printer restarted after resume', () => driver(api, 'printer', (p) => p.restarts === 1 && p.serviceState === 'running'));
  });

  it('bad input to a driver command gets a clear error, and the system runs on', async () => {
    const api = await startDefault();
    const bad = (await vscode.commands.executeCommand('microkernelLab.driver.injectFault', 'nic', 'meteor')) as Outcome;
    assert.ok(!bad.ok && /unknown fault type 'meteor'/.test(bad.error));
    const nobody = (await vscode.commands.executeCommand('microkernelLab.driver.restart', 'nosuch')) as Outcome;
    assert.ok(!nobody.ok && /'nosuch' is not a service/.test(nobody.error));
    assert.equal(api.session.controller.status?.state, 'running');
  });

  // code-server runs these tests with --disable-workspace-trust, so vscode.workspace.isTrusted is
  // always true here. Every start goes through one trust check (extension/session/trust.ts), whose
  // answer also travels to the worker as `trusted`; the test forces that answer to "restricted",
  // then lets VS Code's answer back and shows that the same files then run.
  it('in restricted mode refuses a workspace scenario with a user driver, still runs built-in systems, and runs it once trusted', async () => {
    const api = await sessionApi();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the tests run with a workspace folder');
    const dir = join(folder, 'drivers');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'echo.ts'), `import type { Sys } from 'microkernel-lab';\nexport function* main(sys: Sys) {\n  for (;;) yield sys.compute(1000);\n}\n`);
    writeFileSync(join(dir, 'echo.conf'), 'service echo {\n  system BASIC;\n  ipc ALL;\n};\n');
    const file = join(folder, 'mine.mklab.json');
    writeFileSync(file, JSON.stringify({ name: 'mine', system: 'default', configuration: 'microkernel-iommu', seed: 5, duration: '1h', userDrivers: ['drivers/echo.ts'] }, null, 2));

    await startDefault();
    api.session.forceWorkspaceTrust(false);
    assert.equal(api.session.workspaceTrusted(), false);
    const refused = (await vscode.commands.executeCommand('microkernelLab.system.start', file)) as Outcome;
    assert.ok(!refused.ok, 'a workspace driver was started in restricted mode');
    assert.match(refused.error, /restricted mode/);
    assert.match(refused.error, /drivers\/echo\.ts/);
    assert.equal(api.session.controller.status?.name, 's1', 'the running system was replaced');
    assert.ok(!(await groupRows(api, 'Drivers')).some((r) => r.node.process.label === 'echo'));

    const builtin = (await vscode.commands.executeCommand('microkernelLab.system.start', 's2')) as Outcome;
    assert.ok(builtin.ok && builtin.status.name === 's2', 'a built-in scenario is refused in restricted mode');

    api.session.forceWorkspaceTrust(undefined);
    assert.equal(api.session.workspaceTrusted(), true);
    const trusted = (await vscode.commands.executeCommand('microkernelLab.system.start', file)) as Outcome;
    assert.ok(trusted.ok, trusted.ok ? '' : trusted.error);
    await eventually('the user driver in the System view', () => driver(api, 'echo'));
  });
});
