// The simulator worker thread answers requests, also after a restart.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { labApi, within } from './labApi';

describe('simulator worker', () => {
  it('echoes a ping with its version', async () => {
    const api = await labApi();
    const answer = await within(api.ping('ping-1'), 15_000, 'ping()');
    assert.equal(answer.payload, 'ping-1');
    assert.equal(typeof answer.simulatorVersion, 'string');
    assert.ok(answer.simulatorVersion.length > 0, 'empty simulatorVersion');
  });

  it('answers after the restart command', async () => {
    const api = await labApi();
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
    const answer = await within(api.ping('after restart'), 15_000, 'ping() after restart');
    assert.equal(answer.payload, 'after restart');
  });

  it('runs the ping command without error', async () => {
    await labApi();
    await within(vscode.commands.executeCommand('microkernelLab.simulator.ping'), 15_000, 'the ping command');
  });
});
