// .mktrace files under mutation: a real trace saved from a short S1 run, truncated, with bytes
// flipped and with its header's counts, lengths and fields corrupted, either loads into the trace
// views (which then answer without throwing) or gives a TraceFileError at an offset inside the file.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { traceHandlers } from '../../../node/worker/traceHandlers';
import type { Session } from '../../../node/worker/session';
import type { WorkerContext } from '../../../node/worker/workerContext';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { decodeTrace, TraceFileError } from '../../../simulator/trace/traceFile';
import { utf8Decode, utf8Encode } from '../../../simulator/core/utf8';
import { fuzzAsync, mutateBytes } from './fuzz';

/** S1's NIC first crashes at one simulated minute; a little past it the trace holds a crash and a restart. */
const RUN_CYCLES = 62e9;

let saved: Uint8Array = new Uint8Array(0);
let headerLength = 0;

function handlers() {
  const ctx: WorkerContext = { session: { system: undefined } as Session, post: () => undefined };
  return traceHandlers(ctx);
}

before(async () => {
  const system = bootScenario(builtinScenario('s1'));
  system.run({ untilCycles: RUN_CYCLES });
  const ctx: WorkerContext = { session: { system } as Session, post: () => undefined };
  // Saved exactly as the Trace view's Save does.
  const r = await traceHandlers(ctx).traceExport({ format: 'mktrace' });
  saved = r.bytes!;
  headerLength = new DataView(saved.buffer, saved.byteOffset).getUint32(12, true);
});

/** Loads the bytes as the worker does for the editor, then asks what the views ask; only TraceFileError-shaped refusals are allowed. */
async function loadLikeTheEditor(bytes: Uint8Array, what: string): Promise<boolean> {
  const h = handlers();
  try {
    const r = await h.traceLoad({ bytes, fileName: 'fuzz.mktrace' });
    if (!r.ok) {
      assert.ok(r.error.offset >= 0 && r.error.offset <= bytes.length, `${what}: offset ${r.error.offset} outside ${bytes.length} bytes`);
      assert.ok(r.error.message.length > 0, what);
      return false;
    }
    const info = await h.traceInfo({});
    const w = await h.traceWindow({ fromCycles: info.startCycles, toCycles: info.endCycles + 1, pixelWidth: 400 });
    assert.ok(w.matched <= info.eventCount, what);
    if (info.eventCount > 0) {
      await h.traceEvent({ seq: info.endSeq - 1 });
      await h.traceSearch({ query: 'nic', limit: 5 });
    }
    return true;
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.fail(`${what}\nloading threw ${String(e)}\n${(e as Error).stack ?? ''}`);
  }
}

function decodeChecked(bytes: Uint8Array, what: string, everyEvent = true): boolean {
  let r: ReturnType<typeof decodeTrace>;
  try {
    r = decodeTrace(bytes, 'fuzz.mktrace');
  } catch (e) {
    assert.fail(`${what}\ndecodeTrace threw ${String(e)}`);
  }
  if (r instanceof TraceFileError) {
    assert.ok(Number.isInteger(r.offset) && r.offset >= 0 && r.offset <= bytes.length, `${what}: offset ${r.offset} outside ${bytes.length} bytes: ${r.message}`);
    assert.match(r.message, /^fuzz\.mktrace: at byte \d+: \S/, what);
    return false;
  }
  // Whatever loads must be a usable trace: every label names a string of the table.
  const t = r.trace;
  if (everyEvent) for (let seq = t.firstSeq; seq < t.endSeq; seq++) {
    const e = t.get(seq);
    assert.equal(typeof e.label, 'string', `${what}: event ${seq} has no label string`);
  }
  return true;
}

test('the saved S1 trace loads, holds a NIC crash, and is big enough to fuzz', async () => {
  assert.ok(saved.length > 10_000, `${saved.length} bytes`);
  assert.ok(decodeChecked(saved, 'the saved trace'));
  assert.ok(await loadLikeTheEditor(saved, 'the saved trace'));
});

test('mutated trace bytes (flips, edge values, cuts; mostly in the header): a loaded trace or a located error', async () => {
  const hot: [number, number][] = [
    [0, 16],
    [16, 16 + headerLength],
    [16 + headerLength, Math.min(saved.length, 16 + headerLength + 4096)],
  ];
  let refused = 0;
  const N = 2000;
  await fuzzAsync('trace byte mutants', N, async (rng, i) => {
    const bytes = mutateBytes(rng, saved, hot);
    const what = `byte mutant ${i}`;
    if (!decodeChecked(bytes, what, i % 20 === 0)) refused++;
    if (i % 40 === 0) await loadLikeTheEditor(bytes, what);
  });
  assert.ok(refused > N * 0.2, `only ${refused} of ${N} mutants were refused`);
});

test('every truncation of the saved trace is refused at an offset inside what is left', () => {
  for (let n = 0; n < saved.length; n += n < 64 ? 1 : 97) {
    const cut = saved.subarray(0, n);
    assert.equal(decodeChecked(cut, `cut to ${n} bytes`), false, `cut to ${n} bytes loaded`);
  }
});

/** Rebuilds the file around a new header text, keeping the columns, with the header length fixed up (or not). */
function withHeader(header: string, fixLength: boolean): Uint8Array {
  const h = utf8Encode(header);
  // Format 3 pads the header (and each column) to 8 bytes.
  const oldStart = 16 + ((headerLength + 7) & ~7);
  const start = 16 + ((h.length + 7) & ~7);
  const out = new Uint8Array(start + saved.length - oldStart);
  out.set(saved.subarray(0, 16));
  new DataView(out.buffer).setUint32(12, fixLength ? h.length : headerLength, true);
  out.set(h, 16);
  out.set(saved.subarray(oldStart), start);
  return out;
}

const WEIRD: unknown[] = [null, true, 0, -1, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -1e308, '', 'NaN', '1e9', [], [''], [1, 2], {}, { '1': 2 }, { '': null }];

test('corrupted header fields (counts, string table, names, clock) with consistent framing: loaded or refused, never thrown', async () => {
  const original = JSON.parse(utf8Decode(saved.subarray(16, 16 + headerLength))) as Record<string, unknown>;
  const keys = Object.keys(original);
  assert.ok(['count', 'strings', 'endpointNames', 'clockHz'].every((k) => keys.includes(k)), keys.join());
  await fuzzAsync('trace header mutants', 150, async (rng, i) => {
    const header: Record<string, unknown> = JSON.parse(JSON.stringify(original)) as Record<string, unknown>;
    const edits = 1 + rng.int(2);
    for (let e = 0; e < edits; e++) {
      const key = rng.pick(keys);
      switch (rng.int(4)) {
        case 0:
          delete header[key];
          break;
        case 1:
          if (key === 'count') header[key] = (original.count as number) + rng.int(5) - 2;
          else header[key] = rng.pick(WEIRD);
          break;
        case 2:
          if (key === 'strings') header[key] = [...(original.strings as string[]), ...(original.strings as string[]).slice(0, 3)];
          else header[key] = rng.pick(WEIRD);
          break;
        default:
          header[key] = rng.pick(WEIRD);
      }
    }
    const text = rng.chance(0.1) ? JSON.stringify(rng.pick(WEIRD)) : JSON.stringify(header);
    const bytes = withHeader(text, rng.chance(0.9));
    const what = `header mutant ${i}: ${text.slice(0, 300)}`;
    decodeChecked(bytes, what);
    await loadLikeTheEditor(bytes, what);
  });
});

// Regressions found by the header fuzzing: each of these loaded and then crashed the trace view with a TypeError.
test('regression: a header without endpointNames, or with a non-object header, or a repeated string, is refused at byte 16', async () => {
  const original = JSON.parse(utf8Decode(saved.subarray(16, 16 + headerLength))) as Record<string, unknown>;
  const { endpointNames: _names, ...noNames } = original;
  const cases: [string, string, RegExp][] = [
    ['no endpointNames (header mutant 18)', JSON.stringify(noNames), /at byte 16: expected endpointNames as an object of process names/],
    ['endpointNames null', JSON.stringify({ ...original, endpointNames: null }), /endpointNames/],
    ['a header that is null', 'null', /at byte 16: expected the header to be a JSON object/],
    ['clockHz 0', JSON.stringify({ ...original, clockHz: 0 }), /clockHz/],
    ['a string repeated in the table', JSON.stringify({ ...original, strings: [...(original.strings as string[]), 'nic'] }), /each string once/],
    ['a number in the string table', JSON.stringify({ ...original, strings: ['', 5] }), /hold strings/],
  ];
  for (const [name, header, message] of cases) {
    const bytes = withHeader(header, true);
    const r = decodeTrace(bytes, 'fuzz.mktrace');
    assert.ok(r instanceof TraceFileError, name);
    assert.match(r.message, message, name);
    assert.equal(await loadLikeTheEditor(bytes, name), false, name);
  }
});

test('a large trace\'s head under mutation (header and overview block): opened and answering whole-trace windows, or refused at a byte inside it', async () => {
  const { syntheticTrace } = await import('../../../simulator/trace/synthetic');
  const { traceFileBytes } = await import('../../../simulator/system/traceNames');
  const { SUMMARY_MIN_EVENTS } = await import('../../../simulator/trace/model');
  const { decodeTraceHead, traceHeadLength } = await import('../../../simulator/trace/traceFile');
  const { OpenOverview } = await import('../../../simulator/trace/overview');
  const { trace, endpointNames } = syntheticTrace(SUMMARY_MIN_EVENTS, 3);
  const file = traceFileBytes(trace, { scenario: 'synthetic', configuration: 'microkernel', seed: 3, costProfile: 'sel4-skylake', clockHz: 3e9, endpointNames });
  const length = traceHeadLength(file, 'big.mktrace');
  assert.ok(!(length instanceof TraceFileError) && length.complete);
  const head = file.slice(0, length.length);
  const hl = new DataView(head.buffer).getUint32(12, true);
  const hot: [number, number][] = [[8, 16], [16, 16 + hl], [16 + hl, head.length]];
  let refused = 0;
  const N = 600;
  await fuzzAsync('trace head mutants', N, async (rng, i) => {
    const bytes = mutateBytes(rng, head, hot);
    const what = `head mutant ${i}`;
    let r: ReturnType<typeof decodeTraceHead>;
    try {
      r = decodeTraceHead(bytes, 'big.mktrace');
    } catch (e) {
      assert.fail(`${what}\ndecodeTraceHead threw ${String(e)}`);
    }
    if (r instanceof TraceFileError) {
      assert.ok(r.offset >= 0 && r.offset <= bytes.length, `${what}: offset ${r.offset} outside ${bytes.length} bytes`);
      refused++;
      return;
    }
    if (r.overview === undefined) return;
    try {
      const open = new OpenOverview(r.overview, r.firstSeq + r.count);
      const w = open.window({ fromCycles: r.overview.startCycles, toCycles: r.overview.endCycles + 1, pixelWidth: 1000 });
      if (w !== undefined) assert.ok(w.matched >= 0 && w.mode === 'buckets', what);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      assert.fail(`${what}\nthe overview's window threw ${String(e)}`);
    }
  });
  assert.ok(refused > N * 0.2, `only ${refused} of ${N} mutants were refused`);
});
