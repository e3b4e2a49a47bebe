// The trace view in the extension host: it opens on the running S1 system and
// on a loaded .mktrace file, asks the worker for a window and draws it; an
// event's details come back; the export commands write files that parse; a
// bad trace file gets a located error and breaks nothing.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { syntheticTrace } from '../../simulator/trace/synthetic';
import { encodeTrace } from '../../simulator/trace/traceFile';
import { SUMMARY_MIN_EVENTS } from '../../simulator/trace/model';
import { traceFileBytes } from '../../simulator/system/traceNames';
import { eventually, labApi, within } from './labApi';
import type { TraceViewHandle } from '../../extension/trace/tracePanel';

type Outcome = { ok: true; path?: string; eventCount?: number; fileName?: string } | { ok: false; error: string };

const temp = mkdtempSync(join(tmpdir(), 'mklab-trace-view-'));

async function openView(): Promise<TraceViewHandle> {
  const handle = (await vscode.commands.executeCommand('microkernelLab.trace.open')) as TraceViewHandle | undefined;
  assert.ok(handle && typeof handle.whenRendered === 'function', 'microkernelLab.trace.open returned no view handle');
  return handle;
}

describe('trace view', () => {
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('microkernelLab.system.stop');
    await vscode.commands.executeCommand('microkernelLab.simulator.restart');
    rmSync(temp, { recursive: true, force: true });
  });

  it('opens on the running S1 system and draws a window from the worker with the nic and inet lanes', async () => {
    await labApi();
    const started = (await vscode.commands.executeCommand('microkernelLab.system.start', 's1')) as { ok: boolean; error?: string };
    assert.ok(started?.ok, `S1 did not start: ${started?.error}`);
    const view = await openView();
    const w = await view.whenRendered((r) => r.lanes.includes('nic') && r.lanes.includes('inet') && r.matched > 0, 45_000);
    assert.ok(w.toCycles > w.fromCycles);
    assert.ok(w.matched > 0, 'the window holds events');
  });

  it('shows the details of a selected event', async () => {
    const view = await openView();
    // A fitted window of a long run is bucketed and names no message; any held event has details.
    const seq = view.lastRendered?.firstMessageSeq ?? 5;
    await view.select(seq);
    const selected = await eventually('the view reports the selected event', () =>
      view.selection?.seq === seq && view.selection.summary ? view.selection : undefined,
    );
    assert.ok(selected.summary!.length > 3, `summary: ${selected.summary}`);
  });

  it('exports the running trace for Perfetto and as CSV, and the files parse', async () => {
    const perfettoPath = join(temp, 's1.perfetto.json');
    const perfetto = (await within(vscode.commands.executeCommand('microkernelLab.trace.exportPerfetto', perfettoPath), 60_000, 'exportPerfetto')) as Outcome;
    assert.ok(perfetto.ok, perfetto.ok ? '' : perfetto.error);
    const json = JSON.parse(readFileSync(perfettoPath, 'utf8')) as { traceEvents: { ph: string; name?: string }[] };
    assert.ok(Array.isArray(json.traceEvents) && json.traceEvents.length > 10, 'Perfetto JSON has trace events');
    assert.ok(json.traceEvents.some((e) => e.ph === 's' || e.ph === 'f' || e.ph === 'X'), 'it has slices or flows');
    // The notification says where the file went and offers to open it in Perfetto UI.
    const notice = perfetto.ok ? (perfetto as unknown as { notice: { text: string; actions: string[] } }).notice : undefined;
    assert.match(notice?.text ?? '', /^Microkernel Lab: Wrote [\d,]+ events to /);
    assert.ok(notice?.text.includes(`events to ${perfettoPath} (Perfetto (Chrome trace JSON)). Open it in Perfetto UI (https://ui.perfetto.dev)`), notice?.text);
    assert.deepEqual(notice?.actions, ['Reveal File', 'Open Perfetto UI', 'How to Open It']);

    const csvPath = join(temp, 's1.csv');
    const csv = (await within(vscode.commands.executeCommand('microkernelLab.trace.exportCsv', csvPath), 60_000, 'exportCsv')) as Outcome;
    assert.ok(csv.ok, csv.ok ? '' : csv.error);
    const lines = readFileSync(csvPath, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
    const columns = lines[0]!.split(',').length;
    assert.ok(columns >= 5, `CSV header: ${lines[0]}`);
    assert.ok(lines.length > 10, 'CSV has rows');
    assert.equal(lines.length - 1, csv.ok ? csv.eventCount : -1, 'one row per exported event');
  });

  it('loads a .mktrace file and draws its lanes', async () => {
    const { trace, endpointNames } = syntheticTrace(20_000, 11);
    const file = join(temp, 'synthetic.mktrace');
    writeFileSync(file, encodeTrace(trace, { scenario: 'synthetic', configuration: 'microkernel-iommu', seed: 11, costProfile: 'sel4-skylake', clockHz: 3_400_000_000, endpointNames }));
    const view = await openView();
    const outcome = (await vscode.commands.executeCommand('microkernelLab.trace.load', file)) as Outcome;
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
    const names = new Set(Object.values(endpointNames));
    const w = await view.whenRendered((r) => r.sourceName === 'synthetic.mktrace' && r.lanes.some((l) => names.has(l)), 30_000);
    assert.ok(w.matched > 0);
  });

  it('opens a large .mktrace file by its head: the whole trace is drawn from its overview before the events are read, then the events answer', async () => {
    const { trace, endpointNames } = syntheticTrace(SUMMARY_MIN_EVENTS + 5_000, 12);
    const file = join(temp, 'large.mktrace');
    writeFileSync(file, traceFileBytes(trace, { scenario: 'synthetic', configuration: 'microkernel-iommu', seed: 12, costProfile: 'sel4-skylake', clockHz: 3_400_000_000, endpointNames }));
    const view = await openView();
    const first = view.whenRendered((r) => r.sourceName === 'large.mktrace', 30_000);
    const outcome = (await vscode.commands.executeCommand('microkernelLab.trace.load', file)) as Outcome & { drawnFromHead?: boolean };
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.error);
    assert.equal(outcome.drawnFromHead, true, 'the view drew the trace from the head before the events were read');
    const w = await first;
    assert.equal(w.mode, 'buckets');
    assert.equal(w.matched, SUMMARY_MIN_EVENTS + 5_000, 'the whole trace, every event counted, from the overview');
    // The events answer now: an event's details.
    const info = await view.request('traceInfo', {});
    assert.equal(info.eventCount, SUMMARY_MIN_EVENTS + 5_000);
    const d = await view.request('traceEvent', { seq: info.endSeq - 1 });
    assert.equal(d.seq, info.endSeq - 1);
  });

  it('refuses a broken trace file with its name and byte offset, and keeps working', async () => {
    const file = join(temp, 'broken.mktrace');
    writeFileSync(file, 'this is not a trace at all, just text');
    const outcome = (await vscode.commands.executeCommand('microkernelLab.trace.load', file)) as Outcome;
    assert.equal(outcome.ok, false);
    assert.match(outcome.ok ? '' : outcome.error, /broken\.mktrace: at byte \d+: /);
    const api = await labApi();
    assert.equal((await api.ping('still there')).payload, 'still there');
    const view = await openView();
    assert.equal(view.lastRendered?.sourceName, 'large.mktrace', 'the previously loaded trace stays shown');
  });
});
