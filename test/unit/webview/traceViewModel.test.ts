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
import { formatSeconds } from '../../../webview/trace/timeFormat';

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

type OutputCall = Exclude<keyof TraceViewOutput, 'mscWidthPx' | 'revealRows'>;

/** `run.id` is the session's run (SessionStatus.runId) the host's traceInfo names; a test may start "another run". */
function harness(system: RunningSystem | undefined, saved?: SavedState, run = { id: 1 }) {
  const session = { system, status: () => ({ runId: run.id }) } as unknown as Session;
  const handlers = traceHandlers({ session, post: () => undefined });
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
  const revealed: { top: number; bottom: number }[] = [];
  const count = (name: OutputCall) => () => void calls.set(name, (calls.get(name) ?? 0) + 1);
  const output: TraceViewOutput = {
    redraw: count('redraw'),
    changed: count('changed'),
    statusChanged: count('statusChanged'),
    traceChanged: count('traceChanged'),
    lanesChanged: count('lanesChanged'),
    revealRows: (top, bottom) => void revealed.push({ top, bottom }),
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
  return { vm, handlers, selected, rendered, calls: (name: OutputCall) => calls.get(name) ?? 0, clock, sentWindows, revealed, run };
}

async function until(what: string, ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A view showing the S1 system's trace, with the first window it asked for arrived. */
async function showing(saved?: SavedState, run?: { id: number }) {
  const h = harness(s1(), saved, run);
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
  // With no process filter every box is checked: unchecking all but nic leaves nic.
  for (const choice of vm.laneChoices()) if (choice.key !== 'nic') vm.setLaneShown(choice.key, false);
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
  for (const choice of first.vm.laneChoices()) if (choice.key !== 'inet') first.vm.setLaneShown(choice.key, false);
  first.vm.switchTab('msc');
  await first.vm.select(first.info.firstSeq + 10, false);
  const saved = first.vm.savedState()!;
  assert.equal(saved.sourceKey, `system:s1:s1:${first.info.source.seed}:run 1`);

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

/** The details read for the selection, once they have arrived. */
async function selectedDetails(vm: TraceViewModel) {
  await until('the details of the selection', () => vm.details.kind === 'event' && vm.details.details.seq === vm.selectedSeq);
  const d = vm.details;
  assert.ok(d.kind === 'event');
  return d.details;
}

test('a click selects at any zoom: over buckets, the event on the lane under the pointer nearest in time', async () => {
  const { vm, info, handlers } = await showing();
  assert.equal(vm.feed.cached!.window.mode, 'buckets', 'the whole trace is too dense for single events');
  const nic = info.lanes.find((l) => l.label === 'nic')!;
  const x = Math.round(vm.viewport.widthPx * 0.37);
  const at = vm.viewport.cyclesAt(x);
  await vm.clickAt(x, vm.layout.laneY[nic.id]! + 6);
  const d = await selectedDetails(vm);
  // No event drawn on nic's lane is nearer the click: every event within that distance of it, read as single events, says so.
  const distance = Math.abs(d.timeCycles - at);
  const w = await handlers.traceWindow({ fromCycles: Math.floor(at - distance - 1), toCycles: Math.ceil(at + distance + 2), pixelWidth: 1000, maxEvents: 20000 });
  assert.equal(w.mode, 'events');
  if (w.mode !== 'events') return;
  const e = w.events;
  const index = e.seq.indexOf(d.seq);
  assert.ok(index >= 0 && e.lane[index] === nic.id, `event #${d.seq} (${d.summary}) is drawn on nic's lane`);
  for (let i = 0; i < e.seq.length; i++) {
    if (e.lane[i] === nic.id) assert.ok(Math.abs(e.timeCycles[i]! - at) >= distance, `event #${e.seq[i]} is nearer than #${d.seq}`);
  }
  assert.doesNotMatch(vm.status.text, /zoom in/i);

  // Beside every lane (a group's heading) nothing is picked.
  const heading = vm.layout.rows.find((r) => r.kind === 'group')!;
  await vm.clickAt(x, heading.y + 2);
  assert.equal(vm.selectedSeq, d.seq);
});

test('wheel zoom keeps the time under the pointer and stops following: news of the running system no longer moves the window', async () => {
  const system = bootScenario(builtinScenario('s1'));
  system.run({ untilCycles: 2e9 });
  const h = harness(system);
  h.vm.showTrace(await h.handlers.traceInfo({}));
  const v = h.vm.viewport;
  // The wheel, out and in, at x = 800, while following.
  for (const factor of [1 / 1.3, 1.6, 1 / 1.2]) {
    h.vm.setFollow(true);
    const at = v.cyclesAt(800);
    h.vm.zoom(factor, 800);
    assert.equal(h.vm.follow, false, `a wheel zoom by ${factor} stops following`);
    assert.ok(Math.abs(v.cyclesAt(800) - at) < v.spanCycles * 1e-9, `the time under the pointer stays (${at} → ${v.cyclesAt(800)})`);
  }
  const before = [v.startCycles, v.endCycles];
  const grown = h.vm.info!.endSeq;
  system.run({ untilCycles: 4e9 });
  h.vm.systemProgress(true, system.nowCycles);
  await until('the grown trace', () => h.vm.info!.endSeq > grown);
  assert.deepEqual([v.startCycles, v.endCycles], before, 'the window stays under the pointer');
  // The buttons zoom out around the tail while following.
  h.vm.setFollow(true);
  h.vm.zoom(1 / 1.5);
  assert.equal(h.vm.follow, true);
  assert.ok(Math.abs(v.endCycles - (h.vm.info!.endCycles + v.spanCycles * 0.02)) < 1, 'the window still ends at the tail');
});

test('search brings the match’s lane into view as well as its time', async () => {
  const { vm, handlers, revealed } = await showing();
  vm.setSearchText('NET_SEND');
  await vm.search('next');
  const d = await selectedDetails(vm);
  const w = await handlers.traceWindow({ fromCycles: d.timeCycles - 1000, toCycles: d.timeCycles + 1000, pixelWidth: 100 });
  assert.ok(w.mode === 'events');
  const lane = w.events.lane[w.events.seq.indexOf(d.seq)]!;
  const y = vm.layout.laneY[lane]!;
  assert.ok(y >= 0);
  assert.deepEqual(revealed.at(-1), { top: y - 11, bottom: y + 11 }, `the row of lane ${lane} is revealed`);
});

test('an event whose kind is filtered out cannot be selected through the span it opened', async () => {
  const { vm, handlers, info } = await showing();
  vm.setKindShown('contextSwitch', false);
  const match = (await handlers.traceSearch({ query: 'NET_SEND', direction: 'next', fromCycles: secondsToCycles(10, info.clockHz), limit: 1 })).timeCycles[0]!;
  vm.show(match - 100_000, match + 100_000);
  await until('single events drawn', () => !vm.windowStale && vm.feed.cached!.window.mode === 'events');
  const drawn = vm.feed.cached!.window;
  assert.ok(drawn.mode === 'events');
  // The same window without the filter: running spans, each opened by a context switch.
  const all = await handlers.traceWindow({ fromCycles: drawn.fromCycles, toCycles: drawn.toCycles, pixelWidth: 2000 });
  assert.ok(all.mode === 'events');
  const v = vm.viewport;
  // Nothing drawn near x that a click there could pick instead: no mark on the lane, no message arrow.
  const codes = vm.codes;
  const quiet = (x: number, lane: number) =>
    drawn.events.seq.every((_, i) => {
      const e = drawn.events;
      const message = e.kind[i] === codes.ipcSend || e.kind[i] === codes.ipcReceive || e.kind[i] === codes.ipcNotify;
      return (!message && e.lane[i] !== lane) || Math.abs(v.xOf(e.timeCycles[i]!) - x) > 10;
    });
  let clicks = 0;
  for (let i = 0; i < all.spans.lane.length && clicks < 3; i++) {
    const seq = all.spans.seq[i]!;
    const y = vm.layout.laneY[all.spans.lane[i]!]!;
    const x0 = Math.max(0, v.xOf(all.spans.startCycles[i]!));
    const x1 = Math.min(v.widthPx, v.xOf(all.spans.endCycles[i]!));
    const x = Math.round((x0 + x1) / 2);
    if (seq < 0 || y < 0 || x1 - x0 < 30 || !quiet(x, all.spans.lane[i]!)) continue;
    if ((await handlers.traceEvent({ seq })).kindName !== 'contextSwitch') continue;
    clicks++;
    await vm.clickAt(x, y);
    const d = await selectedDetails(vm);
    assert.notEqual(d.kindName, 'contextSwitch', `a click inside the span opened by hidden event #${seq} selected #${d.seq}: ${d.summary}`);
    await vm.select(undefined, false);
  }
  assert.ok(clicks > 0, 'a running span opened by a context switch, with nothing drawn near its middle');
  for (let i = 0; i < drawn.spans.seq.length; i++) {
    const seq = drawn.spans.seq[i]!;
    if (seq >= 0) assert.notEqual((await handlers.traceEvent({ seq })).kindName, 'contextSwitch', 'the filtered window names no hidden event');
  }
});

test('the process check boxes show what is shown: all checked with no filter; unchecking one hides its lane', async () => {
  const { vm, info } = await showing();
  const labels = info.lanes.map((l) => l.label);
  assert.ok(vm.laneChoices().every((c) => c.checked), 'every lane shows, so every box is checked');
  vm.setLaneShown('inet', false);
  assert.deepEqual(vm.laneChoices().filter((c) => !c.checked).map((c) => c.key), ['inet']);
  assert.deepEqual(new Set(vm.layout.lanes.map((l) => l.label)), new Set(labels.filter((l) => l !== 'inet')));
  assert.equal(vm.status.text, `Filtered by ${labels.length - 1} processes.`);
  vm.setLaneShown('inet', true);
  assert.equal(vm.filter, undefined, 'every box checked again is no filter');
  assert.ok(vm.laneChoices().every((c) => c.checked));
  assert.equal(vm.layout.lanes.length, labels.length);
  // The last box stays checked.
  for (const l of labels) if (l !== 'nic') vm.setLaneShown(l, false);
  vm.setLaneShown('nic', false);
  assert.deepEqual(vm.layout.lanes.map((l) => l.label), ['nic']);
  assert.deepEqual(vm.laneChoices().filter((c) => c.checked).map((c) => c.key), ['nic']);
  assert.equal(vm.status.isError, true);
});

test('the sequence chart’s rows read different times wherever their times differ', async () => {
  const { vm, info, handlers } = await showing();
  // Past a second the usual three decimals tell milliseconds apart, and messages come microseconds apart.
  const match = (await handlers.traceSearch({ query: 'NET_SEND', direction: 'next', fromCycles: secondsToCycles(10, info.clockHz), limit: 1 })).timeCycles[0]!;
  vm.show(match - 200_000, match + 200_000);
  vm.switchTab('msc');
  await until('the chart', () => vm.mscHead.kind === 'chart');
  const model = vm.mscModel!;
  const times = model.rows.map((i) => model.window.events.timeCycles[i]!);
  assert.equal(model.timeLabels.length, times.length);
  let close = 0;
  for (let r = 1; r < times.length; r++) {
    if (times[r] === times[r - 1]) continue;
    if (formatSeconds(times[r]!, info.clockHz) === formatSeconds(times[r - 1]!, info.clockHz)) close++;
    assert.notEqual(model.timeLabels[r], model.timeLabels[r - 1], `rows ${r - 1} and ${r} at ${times[r - 1]} and ${times[r]} cycles`);
  }
  assert.ok(close > 0, 'some adjacent rows are closer than three decimals tell');
});

test('another run of the same scenario and seed is another trace: nothing of the last one stays', async () => {
  const run = { id: 1 };
  const { vm, info, calls } = await showing(undefined, run);
  assert.equal(info.source.runId, 1);
  vm.setSearchText('NET_SEND');
  await vm.search('next');
  await selectedDetails(vm);
  vm.setLaneShown('inet', false);
  vm.setKindShown('contextSwitch', false);
  vm.setFilterText({ types: 'NET_SEND', from: '1000' });
  vm.dragRange({ startCycles: info.startCycles, endCycles: info.startCycles + 1e6 });
  vm.rangeChosen();
  const key = vm.savedState()!.sourceKey;
  const controls = calls('controlsChanged');

  run.id = 2;
  await vm.refreshInfo();
  assert.equal(vm.info!.source.runId, 2);
  assert.notEqual(vm.savedState()!.sourceKey, key);
  assert.equal(vm.selectedSeq, undefined);
  assert.deepEqual(vm.details, { kind: 'message', text: 'Select an event to see its details.', isError: false });
  assert.equal(vm.searchText, '');
  assert.equal(vm.savedState()!.search, '');
  assert.equal(vm.highlights.searchSeq, undefined);
  assert.equal(vm.range, undefined);
  assert.equal(vm.filter, undefined);
  assert.deepEqual(vm.filterText, { types: '', from: '', to: '' });
  assert.ok(vm.laneChoices().every((c) => c.checked) && vm.kindChoices().every((c) => c.checked));
  assert.equal(vm.layout.lanes.length, vm.info!.lanes.length);
  assert.deepEqual(vm.mscRows, []);
  assert.match(vm.status.text, /^System s1: /);
  assert.ok(calls('controlsChanged') > controls, 'the page puts the emptied fields back');
  const state = vm.report(palette);
  assert.deepEqual(state.filter, { lanes: [], hiddenKinds: [], types: '', from: '', to: '' });
  assert.equal(state.detailsSummary, undefined);
});

test('the worker finds the event nearest a time on a lane, under the view’s filter, as a window draws it', async () => {
  const { handlers, info } = await showing();
  const inet = info.lanes.find((l) => l.label === 'inet')!.id;
  const filter = { kinds: info.kinds.filter((k) => k.name !== 'contextSwitch').map((k) => k.kind) };
  const every = await handlers.traceSearch({ query: '', direction: 'all', lane: inet, filter, limit: 100_000 });
  assert.ok(every.seqs.length > 10 && !every.truncated);
  assert.ok(every.lanes.every((l) => l === inet));
  for (const fraction of [0, 0.013, 0.25, 0.5, 0.77, 1]) {
    const at = info.startCycles + (info.endCycles - info.startCycles) * fraction;
    const found = await handlers.traceSearch({ query: '', direction: 'nearest', fromCycles: at, lane: inet, filter });
    assert.equal(found.seqs.length, 1);
    let best = -1;
    for (let i = 0; i < every.seqs.length; i++) if (best < 0 || Math.abs(every.timeCycles[i]! - at) < Math.abs(every.timeCycles[best]! - at)) best = i;
    assert.equal(found.seqs[0], every.seqs[best], `nearest to ${at}`);
    assert.equal(found.lanes[0], inet);
  }
  // A query narrows it as usual: the NET_SEND nearest the end on its sender's lane.
  const sender = (await handlers.traceSearch({ query: 'NET_SEND', limit: 1 })).lanes[0]!;
  const send = await handlers.traceSearch({ query: 'NET_SEND', direction: 'nearest', fromCycles: info.endCycles, lane: sender });
  assert.equal(send.seqs.length, 1);
  assert.match((await handlers.traceEvent({ seq: send.seqs[0]! })).summary, /NET_SEND/);
  assert.equal((await handlers.traceSearch({ query: 'NET_SEND', direction: 'previous', fromCycles: info.endCycles + 1, lane: sender })).seqs[0], send.seqs[0]);
});

test('the keys that step through events work at any zoom: over buckets the worker finds the event', async () => {
  const { vm, handlers } = await showing();
  assert.equal(vm.feed.cached!.window.mode, 'buckets');
  vm.stepSelection(0);
  const first = await selectedDetails(vm);
  const centre = (vm.viewport.startCycles + vm.viewport.endCycles) / 2;
  const nearest = await handlers.traceSearch({ query: '', direction: 'nearest', fromCycles: centre });
  assert.equal(first.seq, nearest.seqs[0], 'Enter: the event nearest the centre');
  vm.stepSelection(1);
  await until('the next event', () => vm.selectedSeq !== first.seq);
  const second = await selectedDetails(vm);
  assert.ok(second.seq > first.seq && second.timeCycles >= first.timeCycles, 'period: a later event');
  vm.stepSelection(-1);
  await until('back', () => vm.selectedSeq === first.seq);
  assert.doesNotMatch(vm.status.text, /zoom in/i);
});

test('a large trace file answers zoomed-out windows from its summary, and each one covers and serves what the view shows', async () => {
  const { syntheticTrace } = await import('../../../simulator/trace/synthetic');
  const { encodeTrace } = await import('../../../simulator/trace/traceFile');
  const { SUMMARY_MIN_EVENTS } = await import('../../../simulator/trace/model');
  const { trace, endpointNames } = syntheticTrace(SUMMARY_MIN_EVENTS + 20_000, 9);
  const bytes = encodeTrace(trace, { scenario: 'synthetic', configuration: 'microkernel', seed: 9, costProfile: 'sel4-skylake', clockHz: 3e9, endpointNames });
  const h = harness(undefined);
  const loaded = await h.handlers.traceLoad({ bytes, fileName: 'large.mktrace' });
  if (!loaded.ok) throw new Error(loaded.error.message);
  h.vm.showTrace(loaded.info);
  await until('the first window', () => !h.vm.windowStale);
  const first = h.vm.feed.cached!.window;
  assert.equal(first.mode, 'buckets');
  assert.equal(first.matched, loaded.info.eventCount, 'the whole trace is counted');
  // Read off the summary: whole buckets of a power-of-two width, starting before the view's margin (it asked from before the trace).
  assert.ok(first.fromCycles < loaded.info.startCycles && first.fromCycles <= h.vm.viewport.startCycles && first.toCycles >= h.vm.viewport.endCycles);
  const steps: [string, () => void][] = [
    ['zoom in around a point', () => h.vm.zoom(3, 300)],
    ['zoom in again', () => h.vm.zoom(2, 700)],
    ['pan left', () => h.vm.pan(-400)],
    ['pan right', () => h.vm.pan(900)],
    ['zoom out', () => h.vm.zoom(1 / 4, 500)],
    ['fit', () => h.vm.fit()],
  ];
  for (const [what, step] of steps) {
    step();
    await until(what, () => !h.vm.windowStale);
    const w = h.vm.feed.cached!.window;
    assert.ok(w.fromCycles <= h.vm.viewport.startCycles && w.toCycles >= h.vm.viewport.endCycles, `${what}: the window covers the view`);
  }
  // A request per view change, not a loop of requests that never serve.
  assert.ok(h.sentWindows().length <= steps.length + 2, `${h.sentWindows().length} window requests`);
});

test('the debugger\'s position is marked when it debugs this trace\'s system, brought into view, and goes when the session ends', async () => {
  const { vm, info } = await showing();
  const system = { scenario: info.source.scenario, configuration: info.source.configuration, seed: info.source.seed };
  // Zoomed in on the first tenth of a second; the debugger stops at 10 s.
  vm.show(0, secondsToCycles(0.1, info.clockHz));
  const at = secondsToCycles(10, info.clockHz);
  vm.debugPosition({ system, nowCycles: at, clockHz: info.clockHz, traceSeq: 100, process: 'inet', eventSeq: 99 });
  const marked = vm.report(palette);
  assert.deepEqual(marked.debugMarker, { timeCycles: at, process: 'inet' });
  assert.ok(marked.startCycles <= at && at <= marked.endCycles, 'the marker is in view');
  assert.ok(Math.abs(marked.endCycles - marked.startCycles - secondsToCycles(0.1, info.clockHz)) < 2, 'at the same zoom');
  assert.equal(vm.highlights.debugCycles, at);
  assert.equal(vm.status.text, `Debugger: inet's kernel entry at ${formatSeconds(at, info.clockHz)} (event #99).`);
  // Another system's session: nothing is marked, and the status says why.
  vm.debugPosition({ system: { ...system, seed: system.seed + 1 }, nowCycles: at, clockHz: info.clockHz, traceSeq: 100 });
  assert.equal(vm.report(palette).debugMarker, undefined);
  assert.match(vm.status.text, new RegExp(`^The debugger stopped in s1 \\(${system.configuration}, seed ${system.seed + 1}\\); this trace comes from s1 .*not marked here\\.$`));
  vm.debugPosition({ system, nowCycles: at, clockHz: info.clockHz, traceSeq: 100 });
  assert.equal(vm.report(palette).debugMarker?.timeCycles, at);
  vm.debugPosition(undefined);
  assert.equal(vm.report(palette).debugMarker, undefined);
  assert.equal(vm.status.text, 'The debug session ended.');
});

test('a large trace file opened by its head paints the whole trace from its overview before its events are read; what needs the events waits for them', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { syntheticTrace } = await import('../../../simulator/trace/synthetic');
  const { traceFileBytes } = await import('../../../simulator/system/traceNames');
  const { SUMMARY_MIN_EVENTS } = await import('../../../simulator/trace/model');
  const { trace, endpointNames } = syntheticTrace(SUMMARY_MIN_EVENTS + 20_000, 9);
  const bytes = traceFileBytes(trace, { scenario: 'synthetic', configuration: 'microkernel', seed: 9, costProfile: 'sel4-skylake', clockHz: 3e9, endpointNames });
  const dir = mkdtempSync(join(tmpdir(), 'mklab-head-'));
  try {
    const path = join(dir, 'large.mktrace');
    writeFileSync(path, bytes);
    const h = harness(undefined);
    const head = await h.handlers.traceOpenHead({ path, fileName: 'large.mktrace' });
    if (!head.ok || head.info === null) throw new Error(`the head did not open: ${JSON.stringify(head)}`);
    assert.equal(head.info.eventCount, SUMMARY_MIN_EVENTS + 20_000);
    h.vm.showTrace(head.info);
    await until('the first window, from the head', () => !h.vm.windowStale);
    assert.equal(h.sentWindows().length, 1, 'one window asked for: the one the view shows');
    const first = h.vm.feed.cached!.window;
    assert.equal(first.mode, 'buckets');
    assert.equal(first.matched, head.info.eventCount, 'every event counted, from the overview');
    // An event's details need the events: the request waits for them.
    const got: { details?: { seq: number } } = {};
    const asked = Promise.resolve(h.handlers.traceEvent({ seq: 5 })).then((d) => (got.details = d));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.details, undefined, 'no answer before the events are read');
    const loaded = await h.handlers.traceLoad({ bytes, fileName: 'large.mktrace' });
    assert.ok(loaded.ok);
    await asked;
    assert.equal((got.details as { seq: number } | undefined)?.seq, 5);
    assert.deepEqual(loaded.info.lanes, head.info.lanes, 'the head named the lanes the events give');
    // Shown again with the events, the view keeps its window and draws it as the events give it.
    const before = { start: h.vm.viewport.startCycles, end: h.vm.viewport.endCycles };
    h.vm.showTrace(loaded.info);
    await until('the window from the events', () => !h.vm.windowStale);
    assert.deepEqual({ start: h.vm.viewport.startCycles, end: h.vm.viewport.endCycles }, before);
    assert.deepEqual(h.vm.feed.cached!.window, first, 'the same buckets: the overview is the summary the events give');
    // A head whose events never come: the waiting request fails with why.
    await h.handlers.traceOpenHead({ path, fileName: 'large.mktrace' });
    const orphan = Promise.resolve(h.handlers.traceChain({ seq: 5 }));
    h.handlers.traceUnload({});
    await assert.rejects(orphan, /the trace file was closed/);
    // A file that is not a trace is refused with its byte.
    writeFileSync(join(dir, 'bad.mktrace'), 'not a trace at all');
    const bad = await h.handlers.traceOpenHead({ path: join(dir, 'bad.mktrace'), fileName: 'bad.mktrace' });
    assert.ok(!bad.ok && /expected the magic 'MKTRACE'/.test(bad.error.message) && bad.error.offset === 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
