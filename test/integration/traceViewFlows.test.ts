// The trace view's user flows in the extension host: a CD read followed from
// the application through vfs and isofs to the cdrom driver and back (chain
// and message-sequence view), the view's window, filters and selection kept
// across hide and show (S3); a NIC kernel call's source link opening the
// driver's line, following the tail of a running system, the same system
// started again being another trace, and the canvas colours following the
// colour theme (S1).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TraceChain, TraceEventDetails, TraceInfo } from '../../simulator/protocol/traceProtocol';
import type { TraceViewHandle } from '../../extension/trace/tracePanel';
import type { TraceViewState } from '../../webview/protocol/traceViewProtocol';
import { eventually, labApi } from './labApi';

type Started = { ok: boolean; error?: string };

async function openView(): Promise<TraceViewHandle> {
  const handle = (await vscode.commands.executeCommand('microkernelLab.trace.open')) as TraceViewHandle | undefined;
  assert.ok(handle && typeof handle.whenState === 'function', 'microkernelLab.trace.open returned no view handle');
  return handle;
}

/** The view's state now if it passes `accept`, else the first reported later that does. */
function stateWhere(view: TraceViewHandle, accept: (s: TraceViewState) => boolean, timeoutMs = 30_000): Promise<TraceViewState> {
  const now = view.viewState;
  return now && accept(now) ? Promise.resolve(now) : view.whenState(accept, timeoutMs);
}

function kind(info: TraceInfo, name: string): number {
  const k = info.kinds.find((x) => x.name === name);
  assert.ok(k, `the trace knows no kind ${name}`);
  return k.kind;
}

async function start(name: string): Promise<TraceViewHandle> {
  await labApi();
  const started = (await vscode.commands.executeCommand('microkernelLab.system.start', name)) as Started;
  assert.ok(started?.ok, `${name} did not start: ${started?.error}`);
  const view = await openView();
  await view.refresh();
  await stateWhere(view, (s) => s.sourceName === name, 45_000);
  return view;
}

/** The first complete chain of a CD read that reaches the cdrom driver. */
async function cdReadChain(view: TraceViewHandle): Promise<TraceChain> {
  return eventually('a complete cdread → vfs → isofs → cdrom chain in the S3 trace', async () => {
    const info = await view.request('traceInfo', {});
    const sends = await view.request('traceSearch', { query: 'cdread', direction: 'all', filter: { kinds: [kind(info, 'ipcSend')] }, limit: 40 });
    for (const seq of sends.seqs) {
      const chain = await view.request('traceChain', { seq });
      if (chain.complete && chain.steps[0]?.src.name === 'cdread' && chain.steps.some((s) => s.dst.name === 'cdrom')) return chain;
    }
    return undefined;
  });
}

const stepLine = (s: TraceChain['steps'][number]) => `${s.role}: ${s.src.name} → ${s.dst.name} ${s.messageType.name ?? String(s.messageType.type)}`;

describe('trace view flows', () => {
  let themeChanged = false;

  after(async () => {
    if (themeChanged) await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, themeTarget());
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('microkernelLab.system.stop');
  });

  it('follows a CD read from the application through vfs and isofs to the cdrom driver and back, and lists the chain', async () => {
    const view = await start('s3');
    const chain = await cdReadChain(view);
    const steps = chain.steps;
    const first = steps[0]!;
    const last = steps[steps.length - 1]!;
    assert.deepEqual([first.role, first.depth, first.src.name, first.dst.name], ['request', 0, 'cdread', 'vfs']);
    assert.deepEqual([last.role, last.depth, last.src.name, last.dst.name], ['reply', 0, 'vfs', 'cdread']);
    assert.equal(last.linkId, first.linkId, 'the reply carries the request’s link id');
    const at = (role: string, src: string, dst: string) => steps.findIndex((s) => s.role === role && s.src.name === src && s.dst.name === dst);
    const toIsofs = at('nestedRequest', 'vfs', 'isofs');
    const toDriver = at('nestedRequest', 'isofs', 'cdrom');
    const fromDriver = at('nestedReply', 'cdrom', 'isofs');
    const fromIsofs = at('nestedReply', 'isofs', 'vfs');
    assert.ok(toIsofs > 0 && toDriver > toIsofs && fromDriver > toDriver && fromIsofs > fromDriver && fromIsofs < steps.length - 1, `steps: ${steps.map(stepLine).join('; ')}`);
    assert.equal(steps[toIsofs]!.depth, 1);
    assert.equal(steps[toDriver]!.depth, 2);
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i]!.timeCycles >= steps[i - 1]!.timeCycles, 'steps are in time order');
    assert.ok(chain.endCycles !== undefined && chain.endCycles > chain.startCycles);

    // The details pane's "Show the chain" lists the same steps.
    await view.select(chain.rootSeq);
    await stateWhere(view, (s) => s.selectedSeq === chain.rootSeq && s.detailsSummary !== undefined);
    await view.press('showChain');
    const shown = await stateWhere(view, (s) => s.chain !== undefined && s.selectedSeq === chain.rootSeq);
    assert.deepEqual(shown.chain, steps.map(stepLine));
  });

  it('shows the request in the message-sequence view: a column per process, the messages in time order', async () => {
    const view = await openView();
    const chain = await cdReadChain(view);
    const lanes = ['cdread', 'vfs', 'isofs', 'cdrom'];
    await view.setFilter({ lanes, types: '' });
    await view.show(chain.startCycles - 1, chain.endCycles! + 1);
    await view.showTab('msc');
    const state = await stateWhere(view, (s) => s.tab === 'msc' && s.msc !== undefined && s.filter.lanes.length === 4 && s.startCycles < chain.startCycles);
    const msc = state.msc!;
    for (const lane of lanes) assert.ok(msc.columns.includes(lane), `column ${lane} in ${msc.columns.join(', ')}`);
    assert.ok(msc.rowCount >= chain.steps.length && msc.rows.length === Math.min(msc.rowCount, 200));
    for (let i = 1; i < msc.rows.length; i++) assert.ok(msc.rows[i]!.timeCycles >= msc.rows[i - 1]!.timeCycles, 'rows are in time order');
    // Every message of the chain is a row from its sender's column to its receiver's.
    for (const step of chain.steps) {
      const row = msc.rows.find((r) => r.seq === step.seq || r.seq === step.receiveSeq);
      assert.ok(row, `no row for ${stepLine(step)}`);
      assert.deepEqual([row.from, row.to], [step.src.name, step.dst.name], stepLine(step));
    }
    // The chart holds exactly the events the worker has for these processes in that window.
    const info = await view.request('traceInfo', {});
    const kinds = ['ipcSend', 'ipcReceive', 'ipcNotify', 'ipcError', 'interrupt', 'dma', 'iommuFault', 'fault', 'kill', 'crash', 'exit', 'restart', 'panic', 'processCreated']
      .filter((n) => info.kinds.some((k) => k.name === n))
      .map((n) => kind(info, n));
    const laneIds = info.lanes.filter((l) => lanes.includes(l.label)).map((l) => l.id);
    const w = await view.request('traceWindow', {
      fromCycles: Math.floor(state.startCycles),
      toCycles: Math.ceil(state.endCycles),
      pixelWidth: 4000,
      maxEvents: 3000,
      filter: { lanes: laneIds, kinds },
    });
    assert.equal(msc.rowCount, w.matched);
    await view.showTab('timeline');
    await view.setFilter({ lanes: [], types: '' });
  });

  it('keeps its window, filters and selection when hidden and shown again', async () => {
    const view = await openView();
    const chain = await cdReadChain(view);
    const driverRequest = chain.steps.find((s) => s.dst.name === 'cdrom')!;
    await view.setFilter({ lanes: ['isofs', 'cdrom'], types: 'BDEV_READ, BDEV_OPEN' });
    await view.select(driverRequest.seq);
    const from = Math.round(driverRequest.timeCycles - 20_000);
    const to = Math.round(driverRequest.timeCycles + 60_000);
    await view.show(from, to);
    const before = await stateWhere(
      view,
      (s) => s.selectedSeq === driverRequest.seq && s.detailsSummary !== undefined && s.filter.types === 'BDEV_READ, BDEV_OPEN' && Math.abs(s.startCycles - from) < 1,
    );
    assert.deepEqual([...before.lanes].sort(), ['cdrom', 'isofs']);
    assert.match(before.detailsSummary!, /isofs → cdrom/);

    const loads = view.loads;
    const other = await vscode.workspace.openTextDocument({ content: 'another editor in the trace view’s group' });
    await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.Active, preview: false });
    await eventually('the trace view hidden', () => (view.visible ? undefined : true));
    const shown = await openView();
    assert.equal(shown.loads >= loads, true);
    await eventually('the trace view loaded again', () => (shown.loads > loads ? true : undefined));
    const after = await shown.whenState((s) => s.sourceName === 's3' && s.detailsSummary !== undefined && s.selectedSeq !== undefined, 30_000);
    assert.equal(after.selectedSeq, before.selectedSeq);
    assert.equal(after.detailsSummary, before.detailsSummary);
    assert.deepEqual(after.filter, before.filter);
    assert.deepEqual([...after.lanes].sort(), ['cdrom', 'isofs']);
    const span = before.endCycles - before.startCycles;
    assert.ok(Math.abs(after.startCycles - before.startCycles) < span * 1e-6, `start ${after.startCycles} vs ${before.startCycles}`);
    assert.ok(Math.abs(after.endCycles - before.endCycles) < span * 1e-6, `end ${after.endCycles} vs ${before.endCycles}`);
    await shown.setFilter({ lanes: [], types: '' });
  });

  it('opens the NIC driver’s source at the line of a DEVIO kernel call from the details pane', async () => {
    const view = await start('s1');
    const details = await eventually<TraceEventDetails>('a nic DEVIO kernel call with a source location', async () => {
      const info = await view.request('traceInfo', {});
      const calls = await view.request('traceSearch', { query: 'nic', direction: 'all', filter: { kinds: [kind(info, 'kernelCall')] }, limit: 300 });
      for (const seq of [...calls.seqs].reverse()) {
        const d = await view.request('traceEvent', { seq });
        if (d.src?.name === 'nic' && /DEVIO/.test(d.summary) && d.location) return d;
      }
      return undefined;
    });
    const location = details.location!;
    assert.match(location.file, /simulator[\\/]drivers[\\/]nic\.ts$/);
    await view.select(details.seq);
    await stateWhere(view, (s) => s.selectedSeq === details.seq && s.detailsSummary === details.summary);
    await view.press('openSource');
    const editor = await eventually('the driver’s source in an editor', () => {
      const e = vscode.window.activeTextEditor;
      return e && /simulator[\\/]drivers[\\/]nic\.ts$/.test(e.document.uri.fsPath) ? e : undefined;
    });
    assert.equal(editor.selection.active.line, location.line - 1, 'the cursor is on the recorded line');
    assert.match(editor.document.lineAt(location.line - 1).text, /\bsys\.\w+/, 'the line makes a kernel call');
    // The source opened beside the trace view, which stays in sight; a second jump reuses that group.
    const groups = vscode.window.tabGroups.all.length;
    assert.ok(view.visible, 'the trace view is still shown');
    await view.press('openSource');
    await eventually('the source shown again', () => (vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('nic.ts') ? true : undefined));
    assert.equal(vscode.window.tabGroups.all.length, groups, 'no new editor group for a second jump');
    assert.ok(view.visible, 'the trace view is still shown after a second jump');
  });

  it('follows the running system: the window’s end advances with the simulated time, and stays put once following is off', async () => {
    const view = await openView();
    await view.setFollow(true);
    const first = await stateWhere(view, (s) => s.follow);
    const info = await view.request('traceInfo', {});
    // The view learns the trace's end on its own schedule: wait until its window reaches past the end seen here.
    const later = await view.whenState((s) => s.follow && s.endCycles > info.endCycles && s.endCycles > first.endCycles, 20_000);
    assert.ok(later.endCycles > info.endCycles, 'the window reaches past where the trace ended when following began');
    const span = first.endCycles - first.startCycles;
    assert.ok(Math.abs(later.endCycles - later.startCycles - span) < span * 0.01, 'following keeps the span');
    await view.setFollow(false);
    const stopped = await stateWhere(view, (s) => !s.follow);
    await eventually('the system runs on past the view', async () => ((await view.request('traceInfo', {})).endCycles > stopped.endCycles ? true : undefined));
    // The view redraws a grown trace from a window fetched for what it shows (half a span either side): with following off, that stays put.
    const half = (stopped.endCycles - stopped.startCycles) / 2;
    const from = Math.floor(stopped.startCycles - half);
    const to = Math.ceil(stopped.endCycles + half);
    await view.whenRendered((w) => w.fromCycles === from && w.toCycles === to, 20_000);
    assert.equal(view.viewState?.endCycles, stopped.endCycles, 'the window stays where it was');
  });

  it('takes the same scenario with the same seed started again for another trace: the last one’s selection and filters go', async () => {
    const view = await openView();
    const info = await view.request('traceInfo', {});
    assert.equal(typeof info.source.runId, 'number', 'the trace names the session’s run');
    await view.setFollow(false);
    await view.setFilter({ lanes: ['nic', 'inet'], types: 'NET_SEND' });
    const sends = await view.request('traceSearch', { query: 'NET_SEND', direction: 'all', limit: 1 });
    const seq = sends.seqs[0]!;
    await view.select(seq);
    await stateWhere(view, (s) => s.selectedSeq === seq && s.detailsSummary !== undefined && s.filter.lanes.length === 2 && s.filter.types === 'NET_SEND');

    // Started again as the first S1 test started it, and the view shown again.
    await start('s1');
    const next = await view.request('traceInfo', {});
    assert.equal(next.source.seed, info.source.seed);
    assert.notEqual(next.source.runId, info.source.runId);
    const after = await stateWhere(view, (s) => s.sourceName === 's1' && s.selectedSeq === undefined && s.filter.lanes.length === 0, 45_000);
    assert.equal(after.detailsSummary, undefined);
    assert.deepEqual(after.filter, { lanes: [], hiddenKinds: [], types: '', from: '', to: '' });
    // The system runs on, so lanes may have come since `next`: every lane it had shows, and none the trace lacks.
    const latest = await view.request('traceInfo', {});
    const shown = new Set(after.lanes);
    for (const l of next.lanes) assert.ok(shown.has(l.label), `lane ${l.label} shows again (shown: ${after.lanes.join(', ')})`);
    const known = new Set(latest.lanes.map((l) => l.label));
    for (const l of after.lanes) assert.ok(known.has(l), `lane ${l} is one of the new trace's (${[...known].join(', ')})`);
  });

  it('redraws in the colours of a new colour theme', async () => {
    const view = await openView();
    const before = await stateWhere(view, (s) => s.palette.background.length > 0);
    const config = vscode.workspace.getConfiguration('workbench');
    const current = config.get<string>('colorTheme') ?? '';
    const next = /light/i.test(current) ? 'Default Dark Modern' : 'Default Light Modern';
    themeChanged = true;
    await config.update('colorTheme', next, themeTarget());
    const after = await view.whenState((s) => s.palette.background !== before.palette.background, 20_000);
    assert.notEqual(after.palette.foreground, before.palette.foreground);
    const luminance = (hex: string) => {
      const n = parseInt(/^#([0-9a-f]{6})/i.exec(hex)?.[1] ?? '0', 16);
      return 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
    };
    if (next.includes('Light')) assert.ok(luminance(after.palette.background) > 128, `light background: ${after.palette.background}`);
    else assert.ok(luminance(after.palette.background) < 128, `dark background: ${after.palette.background}`);
  });
});

function themeTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}
