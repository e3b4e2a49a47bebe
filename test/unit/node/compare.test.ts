// `mklab bench compare`: one workload across configurations, every figure
// measured from the runs. The cycles per operation are checked against the
// CPU's busy time read independently off the simulator, and the ping-pong's
// round trip against the published one-way IPC figure it is calibrated to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForTest } from '../bundle';
import { compareCsv, compareMarkdown, measureOne, quantile, runCompare } from '../../../simulator/bench/compare';
import { PUBLISHED_FIGURES, bandLimits } from '../../../simulator/kernel/costs/publishedFigures';
import { CONFIGURATIONS } from '../../../simulator/config/configurations';
import { parseScenario } from '../../../simulator/config/scenario';
import { bootScenario } from '../../../simulator/system/scenarios';
import { costProfile } from '../../../simulator/kernel/costs/costProfiles';

test('nearest-rank quantiles', () => {
  const xs = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(quantile(xs, 0.5), 500);
  assert.equal(quantile(xs, 0.99), 990);
  assert.equal(quantile(xs, 0.999), 999);
  assert.equal(quantile([7], 0.999), 7);
});

test('a ping-pong round trip is twice the published one-way IPC of the profile, and the parts of its cycles add up to the total', () => {
  for (const profile of ['sel4-skylake', 'l4re-cortex-a76']) {
    const r = measureOne('ipc-pingpong', 'microkernel', profile, 1, 0.05);
    const figure = PUBLISHED_FIGURES.find((f) => f.id === `ipc-one-way/${profile}`)!;
    const { low, high } = bandLimits(figure);
    const oneWay = r.cycles_per_op.total / 2;
    assert.ok(oneWay >= low && oneWay <= high, `${profile}: ${oneWay} cycles one way, published ${figure.published} (${figure.source})`);
    const c = r.cycles_per_op;
    assert.ok(Math.abs(c.user + c.kernel_entry + c.message_copy + c.context_switch + c.iommu + c.interrupt + c.device - c.total) < 1e-6);
    // MINIX's round trip: SENDREC, the server's SEND and its next RECEIVE; two switches.
    assert.ok(Math.abs(r.kernel_entries_per_op - 3) < 0.001, `${r.kernel_entries_per_op} kernel entries per round trip`);
    assert.ok(Math.abs(r.context_switches_per_op - 2) < 0.001, `${r.context_switches_per_op} context switches per round trip`);
    // The latency a client measures is the same round trip, in nanoseconds of the profile's clock.
    assert.ok(Math.abs(r.latency_ns!.p50 - (c.total / costProfile(profile).clockHz) * 1e9) < 1, `${r.latency_ns!.p50} ns`);
  }
});

test('cycles per packet are the CPU\'s busy time over the packets, read independently off the simulator; isolation and the strict IOMMU cost more', () => {
  const results = new Map(CONFIGURATIONS.map((c) => [c, measureOne('packet-stream', c, 'sel4-skylake', 1, 0.05)]));
  // Independently: busy cycles (elapsed minus idle) in the same window, over the packets the peer got.
  const profile = costProfile('sel4-skylake');
  const text = JSON.stringify({ name: 'x', system: 'default', configuration: 'microkernel', seed: 1, duration: '50ms', costProfile: profile.name, workload: [{ kind: 'packet-stream', ratePerSecond: 100_000, sizeBytes: 64, direction: 'tx' }] });
  const system = bootScenario(parseScenario(text, 'x.json').scenario!, { trace: { enabled: false, capacity: 1 } });
  system.run({ untilCycles: 0.005 * profile.clockHz });
  const idle0 = system.sim.kernel.stats.idleCycles;
  const t0 = system.nowCycles;
  const p0 = system.network.deliveredToPeer;
  system.run({ untilCycles: 0.05 * profile.clockHz });
  const busy = system.nowCycles - t0 - (system.sim.kernel.stats.idleCycles - idle0);
  const perPacket = busy / (system.network.deliveredToPeer - p0);
  assert.ok(Math.abs(results.get('microkernel')!.cycles_per_op.total - perPacket) < 1e-6, `${results.get('microkernel')!.cycles_per_op.total} vs ${perPacket}`);
  const total = (c: string) => results.get(c as never)!.cycles_per_op.total;
  assert.ok(total('monolithic') < total('microkernel'), 'drivers in user mode cost more per packet than drivers in the kernel');
  assert.ok(total('microkernel') < total('microkernel-iommu-lazy') && total('microkernel-iommu-lazy') < total('microkernel-iommu'), 'lazy invalidation costs less than strict');
  assert.equal(results.get('monolithic')!.context_switches_per_op, 0, 'no context switch on the monolithic data path');
  assert.equal(results.get('microkernel')!.cycles_per_op.iommu, 0);
  assert.equal(results.get('monolithic')!.latency_ns, null, 'a packet has no latency of its own here');
});

test('several seeds give means and each figure\'s spread; CSV has a header row and Markdown a row per configuration', () => {
  const report = runCompare({ workload: 'request-response', configurations: ['microkernel', 'monolithic'], seeds: [1, 2], durationSeconds: 0.02 });
  assert.deepEqual(report.seeds, [1, 2]);
  assert.deepEqual(report.results.map((r) => r.config), ['microkernel', 'monolithic']);
  assert.equal(report.spread?.length, 2);
  for (const s of report.spread!) assert.ok(s.min.ops <= s.max.ops);
  const single = runCompare({ workload: 'request-response', configurations: ['microkernel', 'monolithic'], seeds: [1], durationSeconds: 0.02 });
  const csv = compareCsv(single).trim().split('\n');
  assert.equal(csv[0], 'config,ops,throughput_ops_per_s,latency_p50_ns,latency_p99_ns,latency_p999_ns,latency_mean_ns,context_switches_per_op,kernel_entries_per_op,cycles_per_op,user,kernel_entry,message_copy,context_switch,iommu,interrupt,device');
  assert.equal(csv.length, 3);
  const md = compareMarkdown(report);
  assert.match(md, /^\| configuration \| ops \| ops\/s \| p50 ns \| p99 ns \| p99\.9 ns \| mean ns \| ctx sw\/op \| kernel entries\/op \| cycles\/op \| user \| kernel entry \| copy \| ctx switch \| IOMMU \| interrupt \| device \|$/m);
  // Requests arrive at the seeds' own random moments: some figures differ from seed to seed, and the table says by how much.
  const varying = report.spread!.find((s) => s.min.latency_ns!.p99 < s.max.latency_ns!.p99);
  assert.ok(varying !== undefined, 'the two seeds gave the same p99 in every configuration');
  const row = md.split('\n').find((l) => l.startsWith(`| ${varying.config} |`))!.split(' | ');
  assert.equal(row[4], `${Math.round(report.results.find((r) => r.config === varying.config)!.latency_ns!.p99)} (${Math.round(varying.min.latency_ns!.p99)}–${Math.round(varying.max.latency_ns!.p99)})`);
  assert.match(md, /means over the seeds|the mean over the seeds/);
  // CSV keeps the range as columns of their own: each figure, then its minimum and maximum.
  const wide = compareCsv(report).trim().split('\n');
  assert.ok(wide[0]!.startsWith('config,ops,ops_min,ops_max,throughput_ops_per_s,throughput_ops_per_s_min,'), wide[0]);
  const cols = wide[0]!.split(',');
  const p99 = wide.find((l) => l.startsWith(`${varying.config},`))!.split(',');
  assert.ok(Number(p99[cols.indexOf('latency_p99_ns_min')]) < Number(p99[cols.indexOf('latency_p99_ns_max')]));
});

test('mklab bench compare prints the JSON shape users script against, and refuses bad usage with one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mklab-compare-'));
  try {
    const cli = join(dir, 'mklab.js');
    await bundleForTest('node/cli/cli.ts', cli);
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'bench', 'compare', ...args], { encoding: 'utf8' });
    const r = run('--workload', 'ipc-pingpong', '--configs', 'microkernel,monolithic', '--duration', '20ms', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report).sort(), ['durationSeconds', 'profile', 'results', 'seeds', 'workload']);
    const first = report.results[0];
    assert.deepEqual(Object.keys(first).sort(), ['config', 'context_switches_per_op', 'cycles_per_op', 'kernel_entries_per_op', 'latency_ns', 'ops', 'throughput_ops_per_s']);
    assert.deepEqual(Object.keys(first.latency_ns).sort(), ['mean', 'p50', 'p99', 'p999']);
    assert.deepEqual(Object.keys(first.cycles_per_op).sort(), ['context_switch', 'device', 'interrupt', 'iommu', 'kernel_entry', 'message_copy', 'total', 'user']);
    // On worker threads (one per run here) the report is the same, byte for byte, as on one thread.
    const threaded = run('--workload', 'packet-stream', '--configs', 'microkernel,monolithic,microkernel-iommu', '--seeds', '2', '--duration', '20ms', '--format', 'json', '--workers', '3');
    const single = run('--workload', 'packet-stream', '--configs', 'microkernel,monolithic,microkernel-iommu', '--seeds', '2', '--duration', '20ms', '--format', 'json', '--workers', '1');
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.equal(threaded.stdout, single.stdout);
    assert.equal(JSON.parse(threaded.stdout).spread.length, 3);
    for (const [args, message] of [
      [[], /--workload is required/],
      [['--workload', 'bogus'], /unknown workload 'bogus'/],
      [['--workload', 'ipc-pingpong', '--configs', 'exokernel'], /unknown configuration 'exokernel'/],
      [['--workload', 'ipc-pingpong', '--format', 'xml'], /--format must be json, csv or md/],
      [['--workload', 'ipc-pingpong', '--seeds', '0'], /--seeds must be an integer from 1 to 100/],
      [['--workload', 'ipc-pingpong', '--workers', '0'], /--workers must be an integer from 1 to 64/],
    ] as const) {
      const bad = run(...args);
      assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, message);
      assert.equal(bad.stderr.trimEnd().split('\n').length, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
