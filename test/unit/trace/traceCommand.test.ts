// `mklab trace export` on a file written by `mklab run --trace`, as a user runs them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTrace, TraceFileError } from '../../../simulator/trace/traceFile';
import { costProfiles } from '../../../simulator/kernel/costs/costProfiles';
import { bundleForTest } from '../bundle';

let dir: string;
let cli: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-trace-'));
  cli = join(dir, 'mklab.js');
  await bundleForTest('node/cli/cli.ts', cli);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function mklab(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run --trace, then trace export to CSV and Perfetto: every event comes out', () => {
  const run = mklab('run', 's1', '--duration', '90s', '--trace', 'run.mktrace');
  assert.equal(run.status, 0, run.stderr);
  const decoded = decodeTrace(readFileSync(join(dir, 'run.mktrace')), 'run.mktrace');
  assert.ok(!(decoded instanceof TraceFileError));
  // The header says which profile ran and the clock its cycles count.
  assert.equal(decoded.meta.costProfile, 'sel4-skylake');
  assert.equal(decoded.meta.clockHz, costProfiles['sel4-skylake']!.clockHz);
  const events = decoded.trace.size;
  assert.ok(events > 1000);

  const csv = mklab('trace', 'export', 'run.mktrace', '--format', 'csv', '-o', 'run.csv');
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(csv.stdout, new RegExp(`run\\.csv: ${events} events exported as csv`));
  const text = readFileSync(join(dir, 'run.csv'), 'utf8');
  const lines = text.split('\r\n').filter((l) => l !== '');
  assert.equal(lines[0], 'seq,time_cycles,time_us,kind,src,src_name,dst,dst_name,lane,message_type,a,b,c,label,summary');
  // No field of S1's trace holds a line break, so rows are lines.
  assert.equal(lines.length, events + 1);
  assert.match(text, /,restart,/);

  const json = mklab('trace', 'export', 'run.mktrace', '--format', 'perfetto');
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
  assert.ok(doc.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'nic'));
  assert.ok(doc.traceEvents.some((e) => e.ph === 's'));

  const info = mklab('trace', 'info', 'run.mktrace');
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`${events} events`));
  assert.match(info.stdout, /seed 1, sel4-skylake \(3\.4 GHz\)/);
  assert.match(info.stdout, /drivers\s+nic \(1 restarts\)/);
});

test('bad usage and damaged files get clear messages and exit statuses', () => {
  const noFormat = mklab('trace', 'export', 'x.mktrace');
  assert.equal(noFormat.status, 2);
  assert.match(noFormat.stderr, /--format must be perfetto or csv/);
  const wrong = mklab('trace', 'export', 'x.mktrace', '--format', 'pdf');
  assert.equal(wrong.status, 2);
  const missing = mklab('trace', 'export', 'missing.mktrace', '--format', 'csv');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read the trace file missing\.mktrace: ENOENT/);
  writeFileSync(join(dir, 'bad.mktrace'), 'MKTRACE\0garbage!!');
  const bad = mklab('trace', 'export', 'bad.mktrace', '--format', 'csv');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /bad\.mktrace: at byte \d+: expected/);
  const sub = mklab('trace', 'frobnicate');
  assert.equal(sub.status, 2);
  assert.match(sub.stderr, /unknown subcommand 'frobnicate'/);
});

test('run --trace FILE.json writes Perfetto JSON directly, .csv writes CSV', () => {
  const json = mklab('run', 's1', '--duration', '2s', '--trace', 'direct.json');
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(readFileSync(join(dir, 'direct.json'), 'utf8')) as { traceEvents: { ph: string }[] };
  assert.ok(doc.traceEvents.some((e) => e.ph === 'X'));
  const csv = mklab('run', 's1', '--duration', '2s', '--trace', 'direct.csv');
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(readFileSync(join(dir, 'direct.csv'), 'utf8'), /^seq,time_cycles,/);
});
