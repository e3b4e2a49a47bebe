// The `microkernel` debug type in the real editor: a launch configuration
// starts the adapter (dist/simulator.js run as a process) through the extension's factory,
// the session stops at the system's first kernel entry, and it can be stopped.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, sessionApi } from './sessionHelpers';

describe('debugger', () => {
  it('starts a microkernel debug session that stops on entry at a driver source line, and stops it', async () => {
    await sessionApi();
    const stops: { threadId: number; reason: string }[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('microkernel', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string; body?: { threadId: number; reason: string } }) => {
          if (m.type === 'event' && m.event === 'stopped' && m.body) stops.push(m.body);
        },
      }),
    });
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession((s) => {
        if (s.type === 'microkernel') {
          d.dispose();
          resolve(s);
        }
      });
    });
    try {
      const ok = await vscode.debug.startDebugging(undefined, { type: 'microkernel', request: 'launch', name: 'integration', scenario: 's1', stopOnEntry: true });
      assert.equal(ok, true, 'startDebugging succeeded');
      const session = await started;
      const stop = await eventually('the session stops on entry', async () => stops[0], 30_000);
      assert.equal(stop.reason, 'entry');
      const threads = (await session.customRequest('threads')) as { threads: { id: number; name: string }[] };
      assert.ok(threads.threads.some((t) => /^rs \(endpoint \d+\)$/.test(t.name)), threads.threads.map((t) => t.name).join(', '));
      const trace = (await session.customRequest('stackTrace', { threadId: stop.threadId })) as { stackFrames: { source?: { path?: string }; line: number }[] };
      assert.match(trace.stackFrames[0]?.source?.path ?? '', /simulator[\\/]services[\\/]rs\.ts$/);
      assert.ok(trace.stackFrames[0]!.line > 0);

      const ended = new Promise<void>((resolve) => {
        const d = vscode.debug.onDidTerminateDebugSession((s) => {
          if (s.id === session.id) {
            d.dispose();
            resolve();
          }
        });
      });
      await vscode.debug.stopDebugging(session);
      await ended;
      assert.equal(vscode.debug.activeDebugSession, undefined);
    } finally {
      tracker.dispose();
    }
  });
});
