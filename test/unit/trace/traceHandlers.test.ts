// The worker's trace requests: the running system's trace, a loaded file, and
// errors a view can show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceHandlers } from '../../../node/worker/traceHandlers';
import type { Session } from '../../../node/worker/session';
import type { WorkerContext } from '../../../node/worker/workerContext';
import type { RunningSystem } from '../../../simulator/system/boot';
import { decodeTrace, TraceFileError } from '../../../simulator/trace/traceFile';
import { s1System } from './traceFixtures';

function handlers(system: RunningSystem | undefined) {
  const ctx: WorkerContext = { session: { system } as Session, post: () => undefined };
  return traceHandlers(ctx);
}

test('with no system and no file, every request says what to do', async () => {
  const h = handlers(undefined);
  await assert.rejects(async () => h.traceInfo({}), /no system is running/);
  await assert.rejects(async () => h.traceInfo({ source: 'file' }), /no trace file is loaded/);
});

test('the running system: info, a window, details, export', async () => {
  const system = s1System();
  const h = handlers(system);
  const info = await h.traceInfo({});
  assert.equal(info.source.kind, 'system');
  assert.equal(info.eventCount, system.sim.trace.size);
  assert.ok(info.lanes.some((l) => l.label === 'nic' && l.restarts >= 1));
  assert.ok(info.messageTypes.some((m) => m.name === 'NET_SEND'));
  const w = await h.traceWindow({ fromCycles: info.startCycles, toCycles: info.endCycles + 1, pixelWidth: 800 });
  assert.equal(w.mode, 'buckets');
  assert.equal(w.matched, info.eventCount);
  const d = await h.traceEvent({ seq: info.endSeq - 1 });
  assert.equal(d.seq, info.endSeq - 1);
  const csv = await h.traceExport({ format: 'csv', filter: { kinds: [7] } });
  assert.equal(csv.fileName, 's1.csv');
  assert.ok(csv.text!.split('\r\n').length > 2);
  const saved = await h.traceExport({ format: 'mktrace' });
  assert.ok(saved.bytes instanceof Uint8Array);
  const decoded = decodeTrace(saved.bytes, saved.fileName);
  assert.ok(!(decoded instanceof TraceFileError));
  assert.equal(decoded.trace.size, info.eventCount);
  assert.equal(decoded.meta.endpointNames[String(info.lanes.find((l) => l.label === 'inet')!.endpoints[0])], 'inet');
});

test('a loaded file becomes the default source, keeps its lanes, and unloads', async () => {
  const system = s1System();
  const h = handlers(system);
  const saved = await h.traceExport({ format: 'mktrace' });
  const loaded = await h.traceLoad({ bytes: saved.bytes!, fileName: 'run.mktrace' });
  assert.ok(loaded.ok);
  if (!loaded.ok) return;
  assert.equal(loaded.info.source.kind, 'file');
  assert.equal(loaded.info.source.name, 'run.mktrace');
  const live = await h.traceInfo({ source: 'system' });
  assert.deepEqual(
    loaded.info.lanes.map((l) => [l.label, l.group, l.restarts]),
    live.lanes.map((l) => [l.label, l.group, l.restarts]),
  );
  assert.equal((await h.traceInfo({})).source.kind, 'file');
  const exported = await h.traceExport({ format: 'perfetto' });
  assert.equal(exported.fileName, 'run.perfetto.json');
  assert.ok(Array.isArray(JSON.parse(exported.text!).traceEvents));
  assert.deepEqual(await h.traceUnload({}), { unloaded: true });
  assert.equal((await h.traceInfo({})).source.kind, 'system');
});

test('a damaged file gives a located error, not a crash', async () => {
  const h = handlers(undefined);
  const r = await h.traceLoad({ bytes: new TextEncoder().encode('not a trace at all'), fileName: 'bad.mktrace' });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error.file, 'bad.mktrace');
  assert.equal(r.error.offset, 0);
  assert.match(r.error.message, /MKTRACE/);
  await assert.rejects(async () => h.traceLoad({ bytes: 'text' as unknown as Uint8Array, fileName: 'x' }), /expected the file as bytes/);
  await assert.rejects(async () => h.traceExport({ format: 'pdf' as 'csv', source: 'file' }), /no trace file/);
});
