// The console panel opens from its command, and lines typed into its terminal go
// through the webview and the extension host to the shell in the simulator worker
// and back onto the terminal's screen.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, labApi, within } from './labApi';

interface ConsoleHandle {
  type(data: string): Promise<void>;
  screen(): Promise<string>;
}

function consoleTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Microkernel Console');
}

async function openConsole(): Promise<ConsoleHandle> {
  await labApi();
  const handle = await vscode.commands.executeCommand<ConsoleHandle | undefined>('microkernelLab.console.open');
  assert.ok(handle && typeof handle.type === 'function', 'microkernelLab.console.open returned no console handle');
  return handle;
}

/** Types a line and returns what the screen shows after the line's prompt. */
async function run(shell: ConsoleHandle, line: string): Promise<string> {
  await within(shell.type(`${line}\r`), 30_000, `typing '${line}'`);
  const screen = await within(shell.screen(), 10_000, 'reading the screen');
  const at = screen.lastIndexOf(`# ${line}`);
  assert.ok(at >= 0, `the screen does not show the typed line '${line}':\n${screen}`);
  return screen.slice(at + line.length + 2);
}

describe('console', () => {
  it('opens as one panel titled Microkernel Console, reused when opened again', async () => {
    await openConsole();
    await openConsole();
    // The tab model follows the workbench a moment later.
    await eventually('one console tab', () => (consoleTabs().length === 1 ? true : undefined), 10_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${consoleTabs().length} console tabs`);
    });
  });

  it('sends a typed line to the shell in the worker and shows its answer', async () => {
    const shell = await openConsole();
    const help = await run(shell, 'help');
    assert.match(help, /service <operation> <label> \[args\]/);
    assert.match(help, /trace tail \[N\]/);
    assert.match(await run(shell, 'frobnicate now'), /frobnicate: command not found/);
    assert.match(await run(shell, `cat 'unclosed`), /sh: unterminated single quote/);
  });

  it('runs ps and service restart nic over the system the session started', async () => {
    const started = (await vscode.commands.executeCommand('microkernelLab.system.start', 's1')) as { ok: boolean } | undefined;
    assert.ok(started?.ok, 'the S1 system did not start');
    const shell = await openConsole();
    const ps = await eventually('ps to list the NIC driver', async () => {
      const out = await run(shell, 'ps');
      return /\bnic\s+driver\b/.test(out) ? out : undefined;
    }, 20_000);
    const nic = /^\s*(\d+)\s+nic\s+driver\s+\S+\s+\S+\s+(\d+)/m.exec(ps);
    assert.ok(nic, `ps shows no nic driver:\n${ps}`);
    const restarted = await run(shell, 'service restart nic');
    const done = /nic restarted: endpoint (\d+) kept, restarts (\d+) → (\d+)/.exec(restarted);
    assert.ok(done, `service restart nic did not report a restart:\n${restarted}`);
    assert.equal(done[1], nic[1], 'the restart kept the endpoint ps showed');
    assert.equal(Number(done[3]), Number(done[2]) + 1);
    const after = /^\s*(\d+)\s+nic\s+driver\s+\S+\s+\S+\s+(\d+)/m.exec(await run(shell, 'ps'));
    assert.ok(after);
    assert.equal(after[1], nic[1], 'the NIC driver keeps its endpoint (MINIX 3.4)');
    assert.ok(Number(after[2]) > Number(nic[2]), 'its restart count rose');
    await vscode.commands.executeCommand('microkernelLab.system.stop');
  });
});
