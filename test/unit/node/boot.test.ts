// One boot for every front end: `mklab run`, the editor's session and the
// debugger boot the same system from the same scenario file (same trace, same
// state), and a system.conf started on its own is the scenario it amounts to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_USAGE, runCommand } from '../../../node/cli/runCommand';
import { bootFromParams } from '../../../node/worker/session';
import { parseLaunchArguments } from '../../../node/dap/launchConfig';
import { DebugRuntime } from '../../../node/dap/runtime';
import { decodeTrace, TraceFileError } from '../../../simulator/trace/traceFile';
import type { TraceRecorder } from '../../../simulator/trace/recorder';
import { Digest } from '../../../simulator/core/digest';
import { CONFIGURATION_TABLE, DEFAULT_CONFIGURATION } from '../../../simulator/config/configurations';
import type { RunningSystem } from '../../../simulator/system/boot';
import { timeToCycles } from '../../../simulator/time/time';

const RUN = '300ms';

let dir: string;
let file: string;
let text: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-boot-'));
  // A user driver beside its conf, a workload and a fault: everything a front end reads or passes on.
  // The driver computes whenever nothing else is ready (the lowest priority but one), so that it leaves the system running.
  writeFileSync(join(dir, 'tick.ts'), `import type { Sys } from 'microkernel-lab';\nexport function* main(sys: Sys) {\n  const up = { value: 0 };\n  for (;;) {\n    yield sys.compute(100000);\n    yield sys.sys_getuptime(up);\n  }\n}\n`);
  writeFileSync(join(dir, 'tick.conf'), 'service tick {\n  system BASIC;\n  ipc ALL;\n  priority 14;\n};\n');
  file = join(dir, 'lab.mklab.json');
  text = JSON.stringify({
    name: 'lab',
    system: 'default',
    configuration: 'microkernel-iommu-lazy',
    seed: 9,
    duration: '10s',
    workload: [{ kind: 'packet-stream', ratePerSecond: 200, sizeBytes: 256, direction: 'tx' }],
    faults: [{ at: '150ms', target: 'nic', type: 'wild-dma' }],
    options: { heartbeatPeriod: '50ms' },
    userDrivers: ['tick.ts'],
  });
  writeFileSync(file, text);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every retained event of a trace, hashed: time, kind, endpoints, arguments and label. */
function traceDigest(trace: TraceRecorder): string {
  const d = new Digest();
  for (let seq = trace.firstSeq; seq < trace.endSeq; seq++) {
    const e = trace.get(seq);
    d.int(e.timeCycles).int(e.kind).int(e.src).int(e.dst).int(e.a).int(e.b).int(e.c).str(e.label);
  }
  return d.int(trace.size).hex();
}

function runCli(...argv: string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runCommand(argv, { out: (t) => (out += t), err: (t) => (err += t), progressStream: { write: () => true } });
  return { status, out, err };
}

/** Runs the system for RUN, in cycles of its own clock. */
function runFor(system: RunningSystem): RunningSystem {
  system.run({ untilCycles: timeToCycles(RUN, system.clockHz)! });
  return system;
}

test('mklab run, the editor session and a debug launch boot the same system from the same scenario file', () => {
  const traceFile = join(dir, 'cli.mktrace');
  const cli = runCli(file, '--duration', RUN, '--trace', traceFile, '--json');
  assert.equal(cli.status, 0, cli.err);
  const saved = decodeTrace(new Uint8Array(readFileSync(traceFile)), traceFile);
  assert.ok(!(saved instanceof TraceFileError), String(saved));
  const { wallTimeMs: _wall, ...cliSummary } = JSON.parse(cli.out) as Record<string, unknown>;

  const session = runFor(bootFromParams({ source: { kind: 'scenarioFile', file, text }, speed: 0, trusted: true }).system);

  const launch = parseLaunchArguments({ scenario: 'lab.mklab.json', cwd: dir }, true);
  const ignore = () => undefined;
  const runtime = new DebugRuntime(launch.params, (f) => f, { stopped: ignore, output: ignore, thread: ignore, ended: ignore });
  const debug = runFor(runtime.system);

  // The run did what the scenario asks: the user driver, the lazy IOMMU and its blocked wild DMA.
  assert.equal(session.configuration, 'microkernel-iommu-lazy');
  assert.equal(session.machine.iommu?.invalidation, 'lazy');
  assert.ok(session.processes().some((p) => p.label === 'tick'), 'the user driver runs');
  assert.ok((session.iommuState()?.faultCount ?? 0) > 0, 'the wild DMA was blocked');
  assert.ok(session.sim.trace.size > 1000);

  assert.equal(traceDigest(saved.trace), traceDigest(session.sim.trace), 'mklab run and the session recorded the same trace');
  assert.equal(traceDigest(debug.sim.trace), traceDigest(session.sim.trace), 'the debugger and the session recorded the same trace');
  assert.equal(debug.sim.digest(), session.sim.digest(), 'the debugger and the session reached the same state');
  assert.deepEqual(cliSummary, JSON.parse(JSON.stringify(session.summary('lab'))), 'mklab run and the session summarise the same run');
});

test('a system.conf started on its own boots as a scenario naming it in the default configuration with seed 1', () => {
  const conf = bootFromParams({ source: { kind: 'builtin', name: 's1' }, speed: 0, trusted: true }).system.systemConfText;
  writeFileSync(join(dir, 'system.conf'), conf);
  const started = bootFromParams({ source: { kind: 'systemConf', file: join(dir, 'system.conf'), text: conf }, speed: 0, trusted: false });
  assert.equal(started.untilCycles, null, 'a system.conf runs until it is stopped');
  assert.equal(started.system.configuration, DEFAULT_CONFIGURATION);
  const scenarioText = JSON.stringify({ name: 'conf', system: 'system.conf', configuration: DEFAULT_CONFIGURATION, seed: 1, duration: '1s' });
  const asScenario = bootFromParams({ source: { kind: 'scenarioFile', file: join(dir, 'conf.mklab.json'), text: scenarioText }, speed: 0, trusted: false });
  runFor(started.system);
  runFor(asScenario.system);
  assert.equal(started.system.traceDigest(), asScenario.system.traceDigest());
  assert.equal(started.system.sim.digest(), asScenario.system.sim.digest());
});

test("mklab run's help describes every configuration; an unknown or planned --config is refused, naming those that run", () => {
  const help = RUN_USAGE.replace(/\s+/g, ' ');
  for (const c of CONFIGURATION_TABLE) assert.ok(help.includes(` ${c.name} ${c.description}`), c.name);
  for (const name of ['exokernel', 'Monolithic']) {
    const r = runCli('s1', '--config', name);
    assert.equal(r.status, 2);
    assert.match(r.err, /--config: .*\(available: microkernel-iommu, microkernel-iommu-lazy, microkernel-iommu-dev, microkernel, monolithic, kernel-bypass, monolithic-containers\)/);
  }
  assert.throws(() => bootFromParams({ source: { kind: 'builtin', name: 's1' }, speed: 0, trusted: true, configuration: 'exokernel' as never }), /unknown configuration 'exokernel' \(available: /);
});
