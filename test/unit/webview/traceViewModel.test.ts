// The trace view's view model in plain Node: paired over the webview channel
// with a host that answers from the worker's own trace handlers over a
// running S1 system, as the extension forwards them. What the page would
// draw is read from the model's state; what it tells the host, from the host's end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceHandlers } from '../../../node/worker/traceHandlers';
import type { Session } from '../../../node/worker/session';
import type { TraceInfo } from '../../../simulator/protocol/traceProtocol';
import type { RunningSystem } from '../../../simulator/system/boot';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { hostEndpoint, viewEndpoint } from '../../../webview/protocol/rpc';
import type { RenderedWindow, TraceViewProtocol } from '../../../webview/protocol/traceViewProtocol';
import { chainStepLabel, TraceViewModel, type SavedState, type TraceViewOutput } from '../../../webview/trace/viewModel';
import { channelPair } from './fakeChannel';
import { secondsToCycles } from '../../../simulator/time/time';

/** Twenty simulated seconds of S1: packets flow through inet and the NIC driver. */
const RUN_SECONDS = 20;
const WIDTH_PX = 1000;
const palette = { background: '#1e1e1e', foreground: '#cccccc' };

let shared: RunningSystem | undefined;
function s1(): RunningSystem {
  if (!shared) {
    shared = bootScenario(builtinScenario('s1'));
    shared.run({ untilCycles: secondsToCycles(RUN_SECONDS, shared.clockHz) });
  }
  return shared;
}

type OutputCall = Exclude<keyof TraceViewOutput, 'mscWidthPx'>;

function harness(system: RunningSystem | undefined, saved?: SavedState) {
  const handlers = traceHandlers({ session: { system } as Session, post: () => undefined });
  const channels = channelPair();
  const host = hostEndpoint<TraceViewProtocol>(channels.host, { peerName: 'the trace view' });
  host.handle('traceInfo', (p) => handlers.traceInfo(p));
  host.handle('traceWindow', (p) => handlers.traceWindow(p));
  host.handle('traceEvent', (p) => handlers.traceEvent(p));
  host.handle('traceSearch', (p) => handlers.traceSearch(p));
  host.handle('traceChain', (p) => handlers.traceChain(p));
  const selected: { seq: number | undefined; summary?: string }[] = [];
  const rendered: RenderedWindow[] = [];
  host.on('selected', (m) => selected.push(m));
  host.on('rendered', (w) => rendered.push(w));

  const calls = new Map<OutputCall, number>();
  const count = (name: OutputCall) => () => void calls.set(name, (calls.get(name) ?? 0) + 1);
  const output: TraceViewOutput = {
    redraw: count('redraw'),
    changed: count('changed'),
    statusChanged: count('statusChanged'),
    traceChanged: count('traceChanged'),
    lanesChanged: count('lanesChanged'),
    filterChoicesChanged: count('filterChoicesChanged'),
    controlsChanged: count('controlsChanged'),
    tabChanged: count('tabChanged'),
    detailsChanged: count('detailsChanged'),
    mscChanged: count('mscChanged'),
    mscWidthPx: () => 900,
  };
  const clock = { ms: 0 };
  const vm = new TraceViewModel(viewEndpoint<TraceViewProtocol>(channels.view, { peerName: 'the extension' }), output, () => clock.ms, saved);
  vm.setWidth(WIDTH_PX);
  const sentWindows = () => channels.sent.flatMap((m) => (m.kind === 'request' && m.method === 'traceWindow' ? [m.params as { filter?: unknown }] : []));
  return { vm, handlers, selected, rendered, calls: (name: OutputCall) => calls.get(name) ?? 0, clock, sentWindows };
}

async function until(what: string, ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A view showing the S1 system's trace, with the first window it asked for arrived. */
async function showing(saved?: SavedState) {
  const h = harness(s1(), saved);
  const info = await h.handlers.traceInfo({});
  h.vm.showTrace(info);
  await until('the first window', () => !h.vm.windowStale);
  return { ...h, info };
}

test('a new trace fits the view, lists its lanes, describes itself and asks for the window shown', async () => {
  const { vm, info, rendered, calls } = await showing();
  assert.ok(vm.viewport.startCycles < info.startCycles && vm.viewport.endCycles > info.endCycles, 'the whole trace is in view');
  assert.deepEqual(new Set(vm.layout.lanes.map((l) => l.label)), new Set(info.lanes.map((l) => l.label)));
  assert.match(vm.status.text, new RegExp(`^System s1: ${info.eventCount.toLocaleString('en-US')} events, ${info.lanes.length} lanes, .+ of simulated time\\.$`));
  assert.ok(calls('traceChanged') >= 1 && calls('lanesChanged') >= 1 && calls('filterChoicesChanged') >= 1);
  const w = vm.feed.cached!.window;
  assert.ok(w.fromCycles <= vm.viewport.startCycles && w.toCycles >= vm.viewport.endCycles, 'the window covers the view');
  vm.rendered(w);
  await until('the host hears what was drawn', () => rendered.length === 1);
  assert.equal(rendered[0]!.sourceName, 's1');
  assert.equal(rendered[0]!.matched, w.matched);
  assert.deepEqual(rendered[0]!.lanes, vm.layout.lanes.map((l) => l.label));
  assert.deepEqual(vm.report(palette).lanes, rendered[0]!.lanes);
});

test('filters: message types by name, processes, kinds and a time range reach the requests; unknown names are errors', async () => {
  const { vm, info, sentWindows, calls } = await showing();
  // Read through a function: an assertion about one value must not narrow the type of the next.
  const filter = () => vm.filter;
  const netSend = info.messageTypes.filter((t) => t.name === 'NET_SEND').map((t) => t.type);
  assert.ok(netSend.length > 0, 'the trace knows NET_SEND');

  vm.setFilterText({ types: 'net_send' });
  assert.deepEqual(filter(), { messageTypes: netSend });
  assert.deepEqual(vm.status, { text: `Filtered by message types ${netSend.join(', ')}.`, isError: false });
  await until('a window asked with the filter', () => sentWindows().some((p) => JSON.stringify(p.filter) === JSON.stringify(filter())));

  vm.setFilterText({ types: 'NET_SEND, NO_SUCH_TYPE' });
  assert.deepEqual(vm.status, { text: 'Unknown message type: NO_SUCH_TYPE.', isError: true });

  vm.setFilterText({ types: '' });
  const nic = info.lanes.find((l) => l.label === 'nic')!;
  vm.setLaneShown('nic', true);
  vm.setKindShown('contextSwitch', false);
  assert.deepEqual(vm.layout.lanes.map((l) => l.label), ['nic']);
  assert.deepEqual(filter()?.lanes, [nic.id]);
  const contextSwitch = info.kinds.find((k) => k.name === 'contextSwitch')!.kind;
  const kinds = filter()?.kinds ?? [];
  assert.ok(!kinds.includes(contextSwitch) && kinds.length === info.kinds.length - 1, 'every kind but context switches');
  assert.equal(vm.status.text, `Filtered by 1 process, ${info.kinds.length - 1} kinds.`);
  assert.equal(vm.laneChoices().find((c) => c.key === 'nic')?.checked, true);
  assert.equal(vm.kindChoices().find((c) => c.key === 'contextSwitch')?.checked, false);

  const controls = calls('controlsChanged');
  vm.rangeFromView();
  assert.equal(filter()?.fromCycles, Math.max(0, Math.floor(vm.viewport.startCycles)));
  assert.equal(filter()?.toCycles, Math.ceil(vm.viewport.endCycles));
  assert.equal(calls('controlsChanged'), controls + 1, 'the fields show the range taken');

  vm.clearFilters();
  assert.equal(filter(), undefined);
  assert.deepEqual(vm.filterText, { types: '', from: '', to: '' });
  assert.equal(vm.status.text, 'Showing every event.');
  assert.equal(vm.layout.lanes.length, info.lanes.length);
});

test('selecting reads the details; an older answer never replaces a newer selection; a chain lists its messages', async () => {
  const { vm, info, handlers, selected } = await showing();
  const details = () => vm.details;
  const shown = () => {
    const d = vm.details;
    return d.kind === 'event' ? d : undefined;
  };
  const sends = await handlers.traceSearch({ query: 'NET_SEND', direction: 'all', limit: 50 });
  let requestSeq: number | undefined;
  for (const seq of sends.seqs) if ((await handlers.traceEvent({ seq })).linkId) requestSeq ??= seq;
  assert.ok(requestSeq !== undefined, 'a NET_SEND that is part of a request');
  const other = info.firstSeq;

  const first = vm.select(other, false);
  const second = vm.select(requestSeq, false);
  assert.deepEqual(details(), { kind: 'message', text: `Reading event #${requestSeq}…`, isError: false });
  await Promise.all([first, second]);
  const expected = await handlers.traceEvent({ seq: requestSeq });
  assert.equal(vm.selectedSeq, requestSeq);
  assert.equal(shown()?.details.seq, requestSeq);
  assert.equal(vm.status.text, `Selected: ${expected.summary}`);
  assert.equal(vm.report(palette).detailsSummary, expected.summary);
  await until('the host hears the selection', () => selected.length > 0);
  assert.deepEqual(selected, [{ seq: requestSeq, summary: expected.summary }], 'the first, overtaken selection was never reported');

  vm.press('showChain');
  await until('the chain', () => shown()?.chain !== undefined);
  const chain = await handlers.traceChain({ seq: requestSeq });
  assert.deepEqual(vm.report(palette).chain, chain.steps.map(chainStepLabel));
  assert.match(vm.status.text, new RegExp(`^The request was served by ${chain.steps.length} messages`));
  assert.ok(vm.highlights.chain.has(requestSeq));

  vm.press('openSource');
  assert.deepEqual(vm.status, { text: 'The selected event names no source line.', isError: true });

  vm.clearSelection();
  assert.equal(vm.selectedSeq, undefined);
  assert.deepEqual(details(), { kind: 'message', text: 'Select an event to see its details.', isError: false });
  vm.press('showChain');
  assert.deepEqual(vm.status, { text: 'The selected event belongs to no request.', isError: true });

  await vm.select(info.endSeq + 1000, false);
  const pane = details();
  assert.ok(pane.kind === 'message' && pane.isError, 'an event the trace does not hold is an error in the pane');
});

test('selecting with centring brings the event into view and stops following', async () => {
  const { vm, info, calls } = await showing();
  vm.setFollow(true);
  assert.equal(vm.follow, true);
  vm.show(info.startCycles, info.startCycles + 1_000_000);
  assert.equal(vm.follow, false, 'showing a window stops following');
  vm.setFollow(true);
  const controls = calls('controlsChanged');
  const last = info.endSeq - 1;
  await vm.select(last, true);
  const t = vm.details.kind === 'event' ? vm.details.details.timeCycles : NaN;
  assert.ok(vm.viewport.startCycles <= t && t <= vm.viewport.endCycles, 'the selected event is in view');
  vm.pan(-100);
  assert.equal(vm.follow, false);
  assert.ok(calls('controlsChanged') > controls, 'the follow box is told');
});

test('search steps from match to match, forwards and back', async () => {
  const { vm, info, handlers } = await showing();
  vm.show(info.startCycles, info.startCycles + 2_000_000);
  const centre = (vm.viewport.startCycles + vm.viewport.endCycles) / 2;
  const all = await handlers.traceSearch({ query: 'NET_SEND', direction: 'all' });
  const after = all.seqs.findIndex((_, i) => all.timeCycles[i]! > centre);
  assert.ok(after >= 0 && after + 1 < all.seqs.length, 'two matches after the centre');
  const expected = { seqs: all.seqs.slice(after, after + 2), timeCycles: all.timeCycles.slice(after, after + 2) };
  vm.setSearchText('NET_SEND');
  await vm.search('next');
  assert.equal(vm.selectedSeq, expected.seqs[0]);
  assert.equal(vm.highlights.searchSeq, expected.seqs[0]);
  assert.match(vm.status.text, new RegExp(`^Match for .*NET_SEND.* at .+ \\(event #${expected.seqs[0]}\\)\\.$`));
  assert.ok(vm.viewport.startCycles <= expected.timeCycles[0]! && expected.timeCycles[0]! <= vm.viewport.endCycles);
  await vm.search('next');
  assert.equal(vm.selectedSeq, expected.seqs[1]);
  await vm.search('previous');
  assert.equal(vm.selectedSeq, expected.seqs[0]);
  assert.equal(vm.savedState()?.search, 'NET_SEND');
});

test('the sequence tab charts a short window and declines a dense one', async () => {
  const { vm, info, handlers, calls } = await showing();
  vm.switchTab('msc');
  assert.equal(calls('tabChanged'), 1);
  await until('the chart reports', () => vm.mscHead.kind === 'text' && /too many for a sequence chart/.test(vm.mscHead.text));
  assert.equal(vm.mscModel, undefined);

  const match = (await handlers.traceSearch({ query: 'NET_SEND', direction: 'next', fromCycles: info.startCycles, limit: 1 })).timeCycles[0]!;
  vm.show(match - 200_000, match + 200_000);
  void vm.loadMsc();
  await until('the chart', () => vm.mscHead.kind === 'chart');
  const model = vm.mscModel!;
  assert.ok(model.rows.length > 0);
  assert.equal(vm.mscRows.length, model.rows.length);
  assert.ok(vm.mscRows.some((r) => r.label.startsWith('NET_SEND')), 'the message is a row, named by its type');
  assert.match(vm.mscHead.kind === 'chart' ? vm.mscHead.title : '', new RegExp(`^${model.rows.length} events from .+ to .+ \\(visible window\\)$`));
  const reported = vm.report(palette).msc!;
  assert.equal(reported.rowCount, model.rows.length);
  assert.deepEqual(reported.columns, model.columns.map((c) => c.label));
});

test('the saved state brings back the window, filters, selection and tab for the same trace, and not for another', async () => {
  const first = await showing();
  const start = first.info.startCycles + 1_000_000;
  first.vm.show(start, start + 5_000_000);
  first.vm.setLaneShown('inet', true);
  first.vm.switchTab('msc');
  await first.vm.select(first.info.firstSeq + 10, false);
  const saved = first.vm.savedState()!;
  assert.equal(saved.sourceKey, 'system:s1:s1:' + first.info.source.seed);

  const again = await showing(saved);
  assert.deepEqual([again.vm.viewport.startCycles, again.vm.viewport.endCycles], [saved.startCycles, saved.endCycles]);
  assert.deepEqual(again.vm.layout.lanes.map((l) => l.label), ['inet']);
  assert.equal(again.vm.tab, 'msc');
  await until('the selection is read again', () => again.vm.details.kind === 'event');
  assert.equal(again.vm.selectedSeq, first.info.firstSeq + 10);

  const other = harness(s1(), saved);
  const renamed: TraceInfo = { ...first.info, source: { ...first.info.source, kind: 'file', name: 'other.mktrace' } };
  other.vm.showTrace(renamed);
  assert.equal(other.vm.selectedSeq, undefined, 'another trace forgets the selection');
  assert.ok(other.vm.viewport.startCycles < renamed.startCycles, 'and shows the whole trace');
});

test('a growing system: following keeps the tail in view, and news of growth does not hide what the user was just told', async () => {
  const system = bootScenario(builtinScenario('s1'));
  system.run({ untilCycles: 2e9 });
  const h = harness(system);
  h.vm.showTrace(await h.handlers.traceInfo({}));
  h.vm.setFollow(true);
  const before = h.vm.info!;
  h.vm.setStatus('Wrote 100 events to s1.csv (CSV).');
  system.run({ untilCycles: 4e9 });
  h.clock.ms = 1000;
  h.vm.systemProgress(true, system.nowCycles);
  await until('the grown trace', () => h.vm.info!.endSeq > before.endSeq);
  assert.ok(h.vm.viewport.endCycles >= h.vm.info!.endCycles, 'the view follows the tail');
  assert.equal(h.vm.status.text, 'Wrote 100 events to s1.csv (CSV).');

  system.run({ untilCycles: 6e9 });
  h.clock.ms = 7000;
  const grown = h.vm.info!;
  h.vm.systemProgress(true, system.nowCycles);
  await until('the trace grows again', () => h.vm.info!.endSeq > grown.endSeq);
  assert.match(h.vm.status.text, /^System s1: /, 'once the message is old, news of the trace replaces it');
});

test('a host that cannot answer shows its reason', async () => {
  const h = harness(undefined);
  await h.vm.refreshInfo();
  assert.deepEqual(h.vm.status, { text: 'The trace could not be read: no system is running: start one, or load a trace file', isError: true });
  h.vm.showTrace(undefined, 'No trace to show yet (no system is running).');
  assert.equal(h.vm.status.text, 'No trace to show yet (no system is running).');
  assert.equal(h.vm.savedState(), undefined, 'nothing to keep before a trace is known');
});
