// Exports: Perfetto's trace-event JSON checked against the format on a real S1
// trace, and CSV with its header and RFC 4180 quoting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, exportCsv, exportPerfetto, perfettoChunks, CSV_HEADER } from '../../../simulator/trace/export';
import { TraceKind } from '../../../simulator/trace/kinds';
import { TraceRecorder } from '../../../simulator/trace/recorder';
import { modelForFile } from '../../../simulator/system/traceNames';
import { s1Model } from './traceFixtures';
import { cyclesToMicros } from '../../../simulator/time/time';

interface ChromeEvent {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: string;
  s?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

let cached: { doc: { traceEvents: ChromeEvent[]; displayTimeUnit: string }; model: ReturnType<typeof s1Model> } | undefined;
function perfetto(): { doc: { traceEvents: ChromeEvent[]; displayTimeUnit: string }; model: ReturnType<typeof s1Model> } {
  if (cached === undefined) {
    const model = s1Model();
    cached = { doc: JSON.parse(exportPerfetto(model)), model };
  }
  return cached;
}

function byThread(events: ChromeEvent[]): Map<string, ChromeEvent[]> {
  const out = new Map<string, ChromeEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const key = `${e.pid}/${e.tid}`;
    let list = out.get(key);
    if (list === undefined) out.set(key, (list = []));
    list.push(e);
  }
  return out;
}

test('Perfetto export: known phases, required fields, microsecond timestamps', () => {
  const { doc, model } = perfetto();
  assert.ok(Array.isArray(doc.traceEvents));
  const events = doc.traceEvents;
  assert.ok(events.length > 1000);
  const phases = new Set(events.map((e) => e.ph));
  for (const ph of phases) assert.ok(['M', 'X', 's', 'f', 'i'].includes(ph), `phase ${ph}`);
  for (const ph of ['M', 'X', 's', 'f', 'i']) assert.ok(phases.has(ph), `has phase ${ph}`);
  for (const e of events) {
    assert.equal(typeof e.name, 'string');
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid));
    if (e.ph !== 'M') assert.ok(typeof e.ts === 'number' && e.ts >= 0, `ts of ${e.name}`);
    if (e.ph === 'X') assert.ok(typeof e.dur === 'number' && e.dur >= 0, `dur of ${e.name}`);
    if (e.ph === 'i') assert.equal(e.s, 't');
  }
  // Timestamps are microseconds of simulated time at the trace's clock.
  const t = model.trace;
  const irq = events.find((e) => e.ph === 'i' && e.cat === 'interrupt')!;
  const seq = irq.args!['seq'] as number;
  assert.equal(irq.ts, cyclesToMicros(t.timeAt(seq), model.clockHz));
  const last = events.reduce((m, e) => (e.ts === undefined ? m : Math.max(m, e.ts + (e.dur ?? 0))), 0);
  assert.ok(last <= cyclesToMicros(t.timeAt(t.endSeq - 1), model.clockHz) + 0.001 && last > 170e6, `the trace spans about three simulated minutes, ends at ${last} µs`);
});

test('Perfetto export: every flow start has its end, each bound to a slice on its thread', () => {
  const { doc } = perfetto();
  const events = doc.traceEvents;
  const starts = new Map<number, ChromeEvent>();
  const ends = new Map<number, ChromeEvent>();
  for (const e of events) {
    if (e.ph === 's') {
      assert.ok(!starts.has(e.id!), `flow id ${e.id} starts once`);
      starts.set(e.id!, e);
    }
    if (e.ph === 'f') {
      assert.ok(!ends.has(e.id!), `flow id ${e.id} ends once`);
      assert.equal(e.bp, 'e');
      ends.set(e.id!, e);
    }
  }
  assert.ok(starts.size > 100);
  assert.deepEqual([...starts.keys()].sort((a, b) => a - b), [...ends.keys()].sort((a, b) => a - b));
  const slicesByThread = byThread(events);
  for (const list of slicesByThread.values()) list.sort((a, b) => a.ts! - b.ts!);
  const enclosed = (f: ChromeEvent) => {
    const list = slicesByThread.get(`${f.pid}/${f.tid}`) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.ts! <= f.ts!) lo = mid + 1;
      else hi = mid;
    }
    // Slices starting at or before the flow; the nearest ones are the candidates.
    for (let k = lo - 1; k >= Math.max(0, lo - 64); k--) if (f.ts! <= list[k]!.ts! + list[k]!.dur!) return true;
    return false;
  };
  for (const [id, s] of starts) {
    const f = ends.get(id)!;
    assert.ok(s.ts! <= f.ts!, `flow ${id} goes forward in time`);
    assert.ok(enclosed(s) && enclosed(f), `flow ${id} binds to slices`);
  }
});

test('Perfetto export: slices on one thread nest, and names come as metadata', () => {
  const { doc, model } = perfetto();
  const events = doc.traceEvents;
  // Microseconds back to the cycles they were made from, so that nesting is checked exactly.
  const cycles = (us: number) => Math.round((us * model.clockHz) / 1e6);
  const start = (s: ChromeEvent) => cycles(s.ts!);
  const end = (s: ChromeEvent) => cycles(s.ts! + s.dur!);
  for (const [thread, slices] of byThread(events)) {
    slices.sort((a, b) => start(a) - start(b) || end(b) - end(a));
    const stack: ChromeEvent[] = [];
    for (const s of slices) {
      while (stack.length > 0 && end(stack[stack.length - 1]!) <= start(s)) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent !== undefined) assert.ok(end(s) <= end(parent), `${thread}: '${s.name}' at ${s.ts} crosses '${parent.name}'`);
      stack.push(s);
    }
  }
  const meta = events.filter((e) => e.ph === 'M');
  const processNames = new Map(meta.filter((e) => e.name === 'process_name').map((e) => [e.pid, e.args!['name']]));
  const threadNames = new Map(meta.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, e.args!['name']]));
  for (const e of events) {
    if (e.ph === 'M') continue;
    assert.ok(processNames.has(e.pid), `process ${e.pid} is named`);
    assert.ok(threadNames.has(`${e.pid}/${e.tid}`), `thread ${e.pid}/${e.tid} is named`);
  }
  assert.deepEqual([...processNames.values()].sort(), ['devices', 'drivers', 'kernel', 'programs', 'servers']);
  const names = [...threadNames.values()];
  for (const label of ['nic', 'inet', 'rs', 'packet-stream', 'kernel']) assert.equal(names.filter((n) => n === label).length, 1, `one thread for ${label}`);
  const nicThread = [...threadNames].find(([, n]) => n === 'nic')![0];
  assert.equal(Number(nicThread.split('/')[0]), 3, 'drivers are grouped in one process');
  assert.ok(model.allLanes().find((l) => l.label === 'nic')!.restarts >= 1);
  assert.ok(events.some((e) => e.ph === 'i' && e.name === 'restart'), 'the restart is a marker');
});

test('Perfetto export comes in chunks that join into the same document', () => {
  const model = s1Model();
  const chunks = [...perfettoChunks(model)];
  assert.ok(chunks.length > 10);
  assert.equal(chunks.join(''), exportPerfetto(model));
});

test('CSV: header, one row per event, names resolved, RFC 4180 quoting', () => {
  const t = new TraceRecorder({ capacity: 16 });
  t.recordLabelled(0, TraceKind.processCreated, 0x6ace, 5, 4, 0, 0, 'nic');
  t.recordLabelled(10, TraceKind.processCreated, 0x6ace, 6, 4, 0, 0, 'inet');
  t.record(20, TraceKind.ipcSend, 6, 5, 0x202, 0, 0);
  t.recordLabelled(30, TraceKind.crash, 5, 0x6ace, 0, 0, 0, 'TypeError: bad "ring", index 3\nat line 2');
  const model = modelForFile({ trace: t, meta: { scenario: 'x', configuration: 'microkernel', seed: 1, costProfile: 'custom', clockHz: 1e9, endpointNames: {} } });
  const text = exportCsv(model);
  assert.ok(text.endsWith('\r\n'));
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], CSV_HEADER);
  assert.equal(rows.length, 1 + 4);
  const col = (name: string) => CSV_HEADER.indexOf(name);
  const send = rows[3]!;
  assert.equal(send[col('kind')], 'ipcSend');
  assert.equal(send[col('src_name')], 'inet');
  assert.equal(send[col('dst_name')], 'nic');
  assert.equal(send[col('message_type')], 'DL_WRITEV_S');
  assert.equal(send[col('time_us')], '0.02');
  const crash = rows[4]!;
  assert.equal(crash[col('label')], 'TypeError: bad "ring", index 3\nat line 2');
  assert.match(text, /"TypeError: bad ""ring"", index 3\nat line 2"/);
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
});

/** A small RFC 4180 reader for the test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}
