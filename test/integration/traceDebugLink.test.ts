// The trace view and the debugger in the real editor: "Debug from here" on a
// message in the trace of the running S1 system starts a debug session at the
// kernel entry that sent it (the sender's thread, its message in Variables);
// the view marks the debugger's time and keeps it in view as the session
// steps; a second "Debug from here" moves the same session back to an earlier
// message; when the session ends the mark goes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceViewHandle } from '../../extension/trace/tracePanel';
import type { TraceViewState } from '../../webview/protocol/traceViewProtocol';
import { eventually, labApi } from './labApi';

interface StopBody {
  readonly reason: string;
  readonly threadId: number;
  readonly description?: string;
}

function stateWhere(view: TraceViewHandle, accept: (s: TraceViewState) => boolean, timeoutMs = 30_000): Promise<TraceViewState> {
  const now = view.viewState;
  return now && accept(now) ? Promise.resolve(now) : view.whenState(accept, timeoutMs);
}

async function variables(session: vscode.DebugSession, threadId: number, scope: string): Promise<Map<string, string>> {
  const trace = (await session.customRequest('stackTrace', { threadId })) as { stackFrames: { id: number }[] };
  const scopes = (await session.customRequest('scopes', { frameId: trace.stackFrames[0]!.id })) as { scopes: { name: string; variablesReference: number }[] };
  const s = scopes.scopes.find((x) => x.name === scope);
  assert.ok(s, `scope ${scope} among ${scopes.scopes.map((x) => x.name).join(', ')}`);
  const vars = (await session.customRequest('variables', { variablesReference: s.variablesReference })) as { variables: { name: string; value: string }[] };
  return new Map(vars.variables.map((v) => [v.name, v.value]));
}

async function threadName(session: vscode.DebugSession, threadId: number): Promise<string> {
  const threads = (await session.customRequest('threads')) as { threads: { id: number; name: string }[] };
  return threads.threads.find((t) => t.id === threadId)?.name ?? `no thread ${threadId}`;
}

describe('trace view and debugger', () => {
  const stops: StopBody[] = [];
  let tracker: vscode.Disposable | undefined;

  before(() => {
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('microkernel', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string; body?: StopBody }) => {
          if (m.type === 'event' && m.event === 'stopped' && m.body) stops.push(m.body);
        },
      }),
    });
  });

  after(async () => {
    tracker?.dispose();
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('microkernelLab.system.stop');
  });

  it('"Debug from here" on a message starts the debugger at its sender\'s kernel entry; the view marks the debugger\'s time as it steps and moves; the mark goes with the session', async () => {
    await labApi();
    const started = (await vscode.commands.executeCommand('microkernelLab.system.start', 's1')) as { ok: boolean; error?: string };
    assert.ok(started.ok, started.error);
    const view = (await vscode.commands.executeCommand('microkernelLab.trace.open')) as TraceViewHandle;
    await view.refresh();
    await stateWhere(view, (s) => s.sourceName === 's1', 45_000);

    // Two of inet's DL_WRITEV_S requests to nic, as the trace holds them.
    const sends = await eventually('two DL_WRITEV_S messages from inet to nic', async () => {
      const found = await view.request('traceSearch', { query: 'DL_WRITEV_S', direction: 'all', limit: 40 });
      const details = [];
      for (const seq of found.seqs) {
        const d = await view.request('traceEvent', { seq });
        if (d.kindName === 'ipcSend' && d.src?.name === 'inet' && d.dst?.name === 'nic') details.push(d);
      }
      return details.length >= 2 ? details : undefined;
    });
    const later = sends[1]!;
    const earlier = sends[0]!;

    // Selected in the view, then "Debug from here" pressed as a click does.
    await view.select(later.seq);
    await stateWhere(view, (s) => s.selectedSeq === later.seq && s.detailsSummary !== undefined);
    const sessionStarted = new Promise<vscode.DebugSession>((resolve) => {
      const d = vscode.debug.onDidStartDebugSession((s) => {
        if (s.type === 'microkernel') {
          d.dispose();
          resolve(s);
        }
      });
    });
    stops.length = 0;
    await view.press('debugFromHere');
    const session = await sessionStarted;
    assert.equal(session.name, `Event #${later.seq} of s1`);
    const stop = await eventually('the session stops at the event', async () => stops[0], 60_000);
    assert.equal(stop.reason, 'goto');
    assert.match(stop.description ?? '', new RegExp(`^Trace event #${later.seq}: ipcSend inet → nic at [\\d.]+ ms: inet's kernel entry that made it$`));
    assert.match(await threadName(session, stop.threadId), /^inet \(endpoint \d+\)$/);
    const message = await variables(session, stop.threadId, 'Message');
    assert.match(message.get('type') ?? '', /^DL_WRITEV_S \(0x[0-9a-f]+\)$/);
    assert.match(message.get('to') ?? '', /^nic \(endpoint \d+\)$/);

    // The view marks the debugger's time: the send's moment (at or just before the event), in the window shown.
    const position = await eventually('the debugger\'s position reaches the view', async () => view.debugPosition);
    const info = await view.request('traceInfo', {});
    assert.deepEqual(position.system, { scenario: info.source.scenario, configuration: info.source.configuration, seed: info.source.seed });
    const marked = await stateWhere(view, (s) => s.debugMarker?.process === 'inet');
    assert.equal(view.visible, true, 'the view stays in sight: the source opened in the group beside it');
    assert.ok(vscode.window.tabGroups.all.length >= 2);
    const at = marked.debugMarker!.timeCycles;
    assert.ok(at <= later.timeCycles && at >= earlier.timeCycles, `marker at ${at}, event at ${later.timeCycles}`);
    assert.ok(marked.startCycles <= at && at <= marked.endCycles, `the window ${marked.startCycles}–${marked.endCycles} shows the marker at ${at}`);
    assert.equal(marked.follow, false, 'the view follows the debugger, not the running system');

    // A step: the mark moves on with the debugger.
    stops.length = 0;
    await session.customRequest('next', { threadId: stop.threadId });
    await eventually('the step stops', async () => stops[0], 30_000);
    const stepped = await stateWhere(view, (s) => s.debugMarker !== undefined && s.debugMarker.timeCycles > at);
    assert.equal(stepped.debugMarker!.process, 'inet');

    // "Debug from here" on the earlier send moves the same session back there (a replay), no second session.
    stops.length = 0;
    const outcome = (await vscode.commands.executeCommand('microkernelLab.trace.debugFromHere', earlier.seq)) as { ok: boolean; how?: string; error?: string };
    assert.deepEqual(outcome, { ok: true, how: 'moved', sessionName: session.name });
    const back = await eventually('the session stops at the earlier event', async () => stops[0], 60_000);
    assert.equal(back.reason, 'goto');
    assert.match(back.description ?? '', new RegExp(`^Trace event #${earlier.seq}: ipcSend inet → nic `));
    assert.equal(vscode.debug.activeDebugSession?.id, session.id);
    const moved = await stateWhere(view, (s) => s.debugMarker !== undefined && s.debugMarker.timeCycles <= earlier.timeCycles);
    assert.ok(moved.startCycles <= moved.debugMarker!.timeCycles && moved.debugMarker!.timeCycles <= moved.endCycles);

    // The session ends: the mark goes.
    await vscode.debug.stopDebugging(session);
    await stateWhere(view, (s) => s.debugMarker === undefined);
  });
});
