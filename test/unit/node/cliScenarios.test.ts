// The comparison scenarios by name on the command line, as CI runs them:
// S5's blast radius in the two designs it contrasts, and S4 under
// kernel-bypass with no context switch per request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForTest } from '../bundle';

let dir = '';
let cli = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-scenarios-'));
  cli = join(dir, 'mklab.js');
  await bundleForTest('node/cli/cli.ts', cli);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, 'run', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('mklab run s5: under monolithic-containers the panic reaches all three containers; under microkernel-iommu none; both as S5 expects', () => {
  const mono = run('s5', '--config', 'monolithic-containers', '--json');
  assert.equal(mono.status, 0, mono.stderr);
  const m = JSON.parse(mono.stdout);
  assert.deepEqual([m.outcome, m.expectedOutcome, m.blastRadius], ['panic', 'panic', { affected: 3, workloads: 3 }]);
  const micro = run('s5', '--config', 'microkernel-iommu');
  assert.equal(micro.status, 0, micro.stderr);
  assert.match(micro.stdout, /^blast radius: 0 of 3 workload processes affected/m);
  assert.match(micro.stdout, /^nic: restarted 1 time\(s\)/m);
  assert.match(micro.stdout, /^outcome: ok \(as expected\)$/m);
});

test('mklab run s4 --config kernel-bypass: every request served with 0 context switches and 0 kernel entries', () => {
  const r = run('s4', '--config', 'kernel-bypass');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^request-response: \d+ done, 0 failed; .*; per operation 0 context switches, 0 kernel entries$/m);
  const micro = run('s4', '--config', 'microkernel', '--json');
  const req = JSON.parse(micro.stdout).requests[0];
  assert.ok(req.contextSwitchesPerOp > 4 && req.kernelEntriesPerOp > 20, JSON.stringify(req));
});

test('mklab run --trace keeps every event of a run longer than the editor\'s ring, and says so; with a limit it says what it dropped', async () => {
  const { readFileSync } = await import('node:fs');
  const { decodeTrace } = await import('../../../simulator/trace/traceFile');
  const file = join(dir, 'long.mktrace');
  // 40 minutes of s1 records some 1.4 million events: more than the 1,048,576 a ring of the old size held.
  const r = run('s1', '--duration', '40min', '--trace', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  const total = JSON.parse(r.stdout).traceEvents as number;
  assert.ok(total > 1 << 20, `only ${total} events`);
  assert.equal(r.stderr.includes('dropped'), false, r.stderr);
  const decoded = decodeTrace(readFileSync(file), file);
  assert.ok(!(decoded instanceof Error), String(decoded));
  assert.equal(decoded.trace.size, total, 'every event of the run is in the file');
  assert.equal(decoded.meta.dropped ?? 0, 0);

  const small = join(dir, 'small.mktrace');
  const limited = run('s1', '--duration', '20s', '--trace', small, '--trace-events', '1000');
  assert.equal(limited.status, 0, limited.stderr);
  const m = /the trace holds the last 1000 of the run's (\d+) events; the oldest (\d+) were dropped \(--trace-events 1000\)/.exec(limited.stderr);
  assert.ok(m !== null, limited.stderr);
  assert.equal(Number(m[1]) - Number(m[2]), 1000);
  const d2 = decodeTrace(readFileSync(small), small);
  assert.ok(!(d2 instanceof Error));
  assert.equal(d2.meta.dropped, Number(m[2]), 'the file says how many were dropped');

  for (const [args, message] of [
    [['--trace-events', '1000'], /--trace-events needs --trace FILE/],
    [['--trace', small, '--trace-events', '0'], /--trace-events: expected an integer from 1 to/],
  ] as const) {
    const bad = run('s1', '--duration', '1s', ...args);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, message);
  }
});
