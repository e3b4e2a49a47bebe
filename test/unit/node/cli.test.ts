// The mklab command line, built fresh and run as a user runs it.
import { test, before, after } from 'node:test';
import { validateXML } from 'xmllint-wasm';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeTrace, encodeTrace, TraceFileError } from '../../../simulator/trace/traceFile';
import { costProfiles } from '../../../simulator/kernel/costs/costProfiles';
import { bundleForTest } from '../bundle';

let dir: string;
let cli: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-cli-'));
  cli = join(dir, 'mklab.js');
  await bundleForTest('node/cli/cli.ts', cli);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function mklab(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('run with no scenario boots the default system (S1) and prints its summary', () => {
  const r = mklab('run', '--duration', '25min');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^s1 — microkernel-iommu, seed \d+/);
  assert.match(r.stdout, /kernel integrity: intact/);
  assert.match(r.stdout, /^nic\s+running\s+[1-9]\d*\s/m);
  assert.match(r.stdout, /wall time: \d+\.\d\d s/);
});

test('run --json prints one JSON object with restarts, downtime, IOMMU blocks, integrity, panics and messages', () => {
  const r = mklab('run', 's1', '--json', '--duration', '25min', '--seed', '5');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.seed, 5);
  // Simulated time counts cycles of the profile's clock: 25 minutes are 1,500 seconds of them.
  assert.equal(s.costProfile, 'sel4-skylake');
  assert.equal(s.clockHz, costProfiles['sel4-skylake']!.clockHz);
  assert.equal(s.simulatedCycles, 25 * 60 * s.clockHz);
  assert.equal(s.simulatedSeconds, 1500);
  const nic = s.services.find((x: { label: string }) => x.label === 'nic');
  assert.ok(nic.restarts >= 2, `nic restarted ${nic.restarts} times`);
  assert.ok(nic.downtimeCycles > 0);
  assert.equal(s.iommu.blockedTransfers, 0);
  assert.equal(s.integrity.ok, true);
  assert.equal(s.panic, null);
  assert.ok(s.ipc.messages > 1000);
  assert.equal(typeof s.wallTimeMs, 'number');
});

test('the same seed gives the same summary twice, wall time aside', () => {
  const strip = (text: string) => {
    const { wallTimeMs: _w, ...rest } = JSON.parse(text);
    return rest;
  };
  const a = mklab('run', 's3', '--json', '--config', 'microkernel');
  const b = mklab('run', 's3', '--json', '--config', 'microkernel');
  assert.deepEqual(strip(a.stdout), strip(b.stdout));
});

test('s2 --config monolithic panics; microkernel-iommu recovers by restarting isofs', () => {
  const mono = JSON.parse(mklab('run', 's2', '--config', 'monolithic', '--json').stdout);
  assert.match(mono.panic.message, /isofs: IsoError/);
  const micro = JSON.parse(mklab('run', 's2', '--config', 'microkernel-iommu', '--json').stdout);
  assert.equal(micro.panic, null);
  assert.ok(micro.services.find((x: { label: string }) => x.label === 'isofs').restarts >= 1);
});

test('s3 shows the IOMMU fault log with the IOMMU and the integrity failure without it', () => {
  const withIommu = JSON.parse(mklab('run', 's3', '--json').stdout);
  assert.equal(withIommu.iommu.blockedTransfers, 2);
  assert.equal(withIommu.integrity.ok, true);
  const without = JSON.parse(mklab('run', 's3', '--config', 'microkernel', '--json').stdout);
  assert.equal(without.integrity.ok, false);
});

test('--trace saves a trace that reloads', () => {
  const file = join(dir, 'run.mktrace');
  const r = mklab('run', 's3', '--trace', file);
  assert.equal(r.status, 0, r.stderr);
  const d = decodeTrace(new Uint8Array(readFileSync(file)), file);
  assert.ok(!(d instanceof TraceFileError), String(d));
  assert.ok(d.trace.size > 100);
  assert.equal(d.meta.scenario, 's3');
  assert.ok(Object.values(d.meta.endpointNames).includes('disk'));
});

test('bad usage is refused with exit status 2 and says what was expected', () => {
  const unknown = mklab('run', 's9');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no built-in scenario 's9' \(available: s1, s2, s3, s4, s5, s7, default\)/);
  const config = mklab('run', '--config', 'exokernel');
  assert.equal(config.status, 2);
  assert.match(config.stderr, /--config: unknown configuration 'exokernel' \(available: microkernel-iommu, microkernel-iommu-lazy, microkernel-iommu-dev, microkernel, monolithic, kernel-bypass, monolithic-containers\)/);
  const seed = mklab('run', '--seed', '-3');
  assert.equal(seed.status, 2);
});

test('a malformed scenario file gives located errors and exit status 1', () => {
  const file = join(dir, 'bad.mklab.json');
  writeFileSync(file, '{\n  "name": "x",\n  "seed": "seven"\n}\n');
  const r = mklab('run', file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.mklab\.json:3:\d+: error: .*seed/);
});

test('a scenario file with a user driver boots it beside the built-in services', () => {
  writeFileSync(join(dir, 'spin.ts'), `import type { Sys } from 'microkernel-lab';\nexport function* main(sys: Sys) {\n  for (;;) yield sys.compute(1_000_000);\n}\n`);
  writeFileSync(join(dir, 'spin.conf'), 'service spin {\n  system BASIC;\n  ipc ALL;\n};\n');
  const file = join(dir, 'mine.mklab.json');
  writeFileSync(file, JSON.stringify({ name: 'mine', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '1s', userDrivers: ['spin.ts'] }));
  const r = mklab('run', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  const spin = (JSON.parse(r.stdout) as { services: { label: string; state: string }[] }).services.find((s) => s.label === 'spin');
  assert.ok(spin, 'the summary lists the user driver');
  // It never answers RS's init handshake, so it stays 'starting'; what matters is that RS started it at boot.
  assert.ok(spin.state === 'starting' || spin.state === 'running', `RS started the user driver at boot (state ${spin.state})`);
  rmSync(join(dir, 'spin.conf'));
  const missing = mklab('run', file);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /spin\.ts: expected spin\.conf beside it/);
});

test('a user driver that allocates without end or reaches for the host is stopped and restarted; mklab carries on and reports it', () => {
  writeFileSync(
    join(dir, 'hog.ts'),
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  // Were the host reachable, this would end mklab with status 7.
  try { (sys as any).constructor.constructor('return process')().exit(7); } catch {}
  yield sys.compute(1000);
  const kept: number[][] = [];
  for (;;) kept.push(new Array(1 << 20).fill(kept.length));
}
`,
  );
  writeFileSync(join(dir, 'hog.conf'), 'service hog {\n  system BASIC;\n  ipc ALL;\n};\n');
  const file = join(dir, 'hog.mklab.json');
  writeFileSync(file, JSON.stringify({ name: 'hog', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '2s', userDrivers: ['hog.ts'], options: { driverMemoryMiB: 32 } }));
  const r = mklab('run', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { panics: number; services: { label: string; restarts: number; lastExit: string | null; restartLog: { cause: string }[] }[] };
  const hog = summary.services.find((s) => s.label === 'hog')!;
  assert.ok(hog.restarts >= 1, `RS restarted the driver: ${JSON.stringify(hog)}`);
  assert.match(hog.lastExit ?? '', /OutOfMemory: the driver hog used more than its 32 MiB of memory/);
  const nic = summary.services.find((s) => s.label === 'nic')!;
  assert.equal(nic.restarts, 0, 'other drivers were untouched');
});

test('--junit writes a JUnit report: a pass, a failure with its reason and replay command, an error for a bad scenario; each validates against the JUnit schema', async () => {
  const passed = join(dir, 'pass.xml');
  assert.equal(mklab('run', 's1', '--config', 'monolithic', '--duration', '2min', '--junit', passed).status, 0);
  const ok = readFileSync(passed, 'utf8');
  assert.match(ok, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="mklab" tests="1" failures="0" errors="0"/);
  assert.match(ok, /<testcase name="s1 in monolithic ends as expected \(panic\)" classname="mklab.run.s1" time="\d+\.\d{3}"\/>/);
  assert.match(ok, /<property name="seed" value="1"\/>/);

  const file = join(dir, 'wrong.mklab.json');
  writeFileSync(file, JSON.stringify({ name: 'wrong', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '1s', expect: { '*': 'panic' } }));
  const failed = join(dir, 'fail.xml');
  const r = mklab('run', file, '--junit', failed);
  assert.equal(r.status, 1);
  const xml = readFileSync(failed, 'utf8');
  assert.match(xml, /<testsuites name="mklab" tests="1" failures="1" errors="0"/);
  assert.match(xml, /<failure message="the run ended with outcome &apos;ok&apos;, but the scenario expects &apos;panic&apos; in microkernel-iommu" type="ok">/);
  assert.ok(xml.includes(`replay: mklab run ${file} --config microkernel-iommu --seed 3`), xml);

  writeFileSync(file, '{\n  "name": "broken",\n  "seed": -1\n}\n');
  const broken = join(dir, 'error.xml');
  assert.equal(mklab('run', file, '--junit', broken).status, 1);
  const error = readFileSync(broken, 'utf8');
  assert.match(error, /tests="1" failures="0" errors="1"/);
  assert.match(error, /<error message="the scenario has errors" type="scenario">.*wrong\.mklab\.json:3:\d+/s);

  // What CI systems read: Jenkins' JUnit schema (test/fixtures/junit), checked by libxml2.
  const schema = { fileName: 'jenkins-junit.xsd', contents: readFileSync(resolve('test', 'fixtures', 'junit', 'jenkins-junit.xsd'), 'utf8') };
  for (const [name, report] of [['pass.xml', ok], ['fail.xml', xml], ['error.xml', error]] as const) {
    const result = await validateXML({ xml: [{ fileName: name, contents: report }], schema: [schema] });
    assert.ok(result.valid, `${name}: ${result.errors.map((e) => e.message).join('; ')}`);
  }
});

test('conf check passes real MINIX files and locates errors in bad ones', () => {
  const reference = process.env.MKLAB_MINIX_REFERENCE ?? resolve('test', 'fixtures', 'minix');
  const good = mklab('conf', 'check', join(reference, 'rtl8139.conf'), join(reference, 'printer.conf'));
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /2 file\(s\) checked: 0 error\(s\)/);
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, 'service x {\n  system FOO;\n};\n');
  const r = mklab('conf', 'check', bad);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.conf:2:10: error: unknown kernel call 'FOO'/);
});

test('bench calibrate --json measures every published figure; each profile meets its one-way IPC; exit status 1 while any figure is off', () => {
  const r = mklab('bench', 'calibrate', '--json');
  assert.equal(r.stderr, '');
  const { figures } = JSON.parse(r.stdout) as { figures: Record<string, unknown>[] };
  assert.ok(figures.length > 0);
  for (const f of figures) {
    assert.deepEqual(Object.keys(f).sort(), ['band', 'id', 'pass', 'published', 'simulated', 'source', 'unit']);
    assert.equal(typeof f['id'], 'string');
    assert.equal(typeof f['published'], 'number');
    assert.ok(typeof f['simulated'] === 'number' || f['simulated'] === null);
    assert.equal(typeof f['pass'], 'boolean');
  }
  for (const profile of Object.keys(costProfiles)) {
    const ipc = figures.find((f) => f['id'] === `ipc-one-way/${profile}`);
    assert.ok(ipc !== undefined, `a one-way IPC figure for ${profile}`);
    assert.equal(ipc['pass'], true, `${profile}: simulated ${String(ipc['simulated'])} against published ${String(ipc['published'])}`);
  }
  for (const f of figures) assert.equal(f['pass'], true, `${String(f['id'])}: simulated ${String(f['simulated'])} against published ${String(f['published'])}`);
  assert.equal(r.status, 0);
});

test('bench calibrate --profile prints a table of that profile\'s figures', () => {
  const r = mklab('bench', 'calibrate', '--profile', 'l4re-cortex-a76');
  assert.match(r.stdout, /^figure\s+published\s+unit\s+simulated\s+band\s+result\s+source$/m);
  assert.match(r.stdout, /^ipc-one-way\/l4re-cortex-a76\s+384\s+cycles\s+\d+(\.\d)?\s+±10 %\s+pass\s+L4Re/m);
  assert.doesNotMatch(r.stdout, /sel4-haswell/);
  assert.equal(r.status, /FAIL/.test(r.stdout) ? 1 : 0);
});

test('bench usage errors get one line and exit status 2', () => {
  for (const args of [['bench'], ['bench', 'calibrat'], ['bench', 'calibrate', '--bogus'], ['bench', 'calibrate', '--profile', 'pdp-11']]) {
    const r = mklab(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^mklab bench/);
  }
});

test('every command refuses an unknown or malformed flag with one line and exit status 2, never a stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['run', '--bogus'], /^mklab run: unknown option '--bogus' \(see 'mklab run --help'\)$/m],
    [['run', '--config'], /^mklab run: option '--config' needs a value/],
    [['run', '--json=yes'], /^mklab run: option '--json' takes no value/],
    [['run', 's1', 's2'], /^mklab run: expected at most one scenario, got 2/],
    [['conf', 'check'], /^mklab conf: expected at least one system\.conf file/],
    [['conf', 'check', '--bogus', 'x.conf'], /^mklab conf: unknown option '--bogus'/],
    [['conf', 'lint'], /^mklab conf: unknown subcommand 'lint'/],
    [['trace', 'info', '--what', 'x.mktrace'], /^mklab trace: unknown option '--what'/],
    [['trace', 'export', 'x.mktrace', '--format', 'svg'], /^mklab trace: export: --format must be perfetto or csv, not 'svg'/],
    [['trace'], /^mklab trace: expected the subcommand export or info/],
    [['replay', '--bogus'], /^mklab replay: unknown option '--bogus' \(see 'mklab replay --help'\)$/m],
    [['bench', 'compare', '--workload', 'ipc-pingpong', '--bogus'], /^mklab bench: unknown option '--bogus' \(see 'mklab bench --help'\)$/m],
    [['frob'], /^mklab: unknown command 'frob'/],
  ];
  for (const [args, message] of cases) {
    const r = mklab(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('run reads a cd-read workload\'s ISO 9660 image from a path relative to the scenario\'s folder, not the current one', () => {
  // An image made by a real tool, in a folder below the scenario's; mklab runs from another folder (the test's).
  const scenarioDir = join(dir, 'iso-scenario');
  const tree = join(dir, 'iso-tree');
  mkdirSync(join(scenarioDir, 'images'), { recursive: true });
  mkdirSync(tree, { recursive: true });
  // More than one 4 KiB read of the workload: the file crosses a chunk boundary.
  writeFileSync(join(tree, 'HELLO.TXT'), 'hello from an image beside the scenario\n'.repeat(250));
  try {
    execFileSync('genisoimage', ['-quiet', '-R', '-J', '-o', join(scenarioDir, 'images', 'my.iso'), tree]);
  } catch (error) {
    throw new Error(`genisoimage is needed (Debian/Ubuntu: apt-get install genisoimage): ${(error as Error).message}`);
  }
  const scenario = (path: string) => JSON.stringify({
    name: 'my-cd', system: 'default', configuration: 'microkernel-iommu', seed: 1, duration: '1s',
    workload: [{ kind: 'cd-read', path, image: 'images/my.iso' }],
  });
  const file = join(scenarioDir, 'cd.mklab.json');
  writeFileSync(file, scenario('/HELLO.TXT'));
  const r = mklab('run', file, '--json');
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { outcome: string; workloads: { kind: string; process: string; state: string; exit: string | null }[] };
  // The summary says whether each workload's reads succeeded, not how many bytes they returned.
  assert.deepEqual(summary.workloads, [{ kind: 'cd-read', process: 'cdread', state: 'done', exit: 'exited with status 0' }]);
  assert.equal(summary.outcome, 'ok');
  // The same image without the file: the read fails, so the image read above was the user's own.
  writeFileSync(file, scenario('/ABSENT.TXT'));
  const absent = mklab('run', file, '--json');
  assert.equal(absent.status, 1);
  assert.equal((JSON.parse(absent.stdout) as { workloads: { state: string }[] }).workloads[0]!.state, 'failed');
  assert.match(absent.stderr, /^mklab run: the run ended with outcome 'workload-failed' \(cd-read exited with status 1\)/m);
});

test('a run whose kernel memory is corrupted exits 1 and says so, even when the scenario states no expectation', () => {
  // Built-in s3 without its "expect": under the microkernel without an IOMMU the wild DMA overwrites kernel memory.
  const file = join(dir, 's3-no-expect.mklab.json');
  writeFileSync(file, JSON.stringify({
    name: 's3-no-expect', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '1s', costProfile: 'sel4-skylake',
    workload: [
      { kind: 'block-read', start: '10ms', blocks: 8, blockSize: 4096, pattern: 'sequential', repeat: 1000 },
      { kind: 'cd-read', start: '10ms', image: 'builtin:cd.iso', path: '/README.TXT', repeat: 3 },
    ],
    faults: [
      { at: '300ms', target: 'disk', type: 'wild-dma', params: { target: 'kernel', paddr: 32768 } },
      { at: '600ms', target: 'disk', type: 'wild-dma', params: { target: 'vfs' } },
    ],
    options: { heartbeatPeriod: '500ms', restartBackoff: true },
  }));
  const r = mklab('run', file, '--config', 'microkernel');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^kernel integrity: [1-9]\d* page\(s\) corrupted$/m);
  assert.match(r.stdout, /^outcome: integrity, but the scenario expects ok$/m);
  assert.match(r.stderr, /^mklab run: the run ended with outcome 'integrity' \([1-9]\d* kernel page\(s\) corrupted\), but the scenario expects 'ok' in microkernel$/m);
  // With the IOMMU the same copy's transfers are blocked: the kernel stays intact and that is not the reason given.
  const guarded = mklab('run', file);
  assert.match(guarded.stdout, /^kernel integrity: intact$/m);
  assert.doesNotMatch(guarded.stderr, /outcome 'integrity'/);
});

test('conf check --json reports every file with its diagnostics, and --help explains the command', () => {
  const reference = process.env.MKLAB_MINIX_REFERENCE ?? resolve('test', 'fixtures', 'minix');
  const bad = join(dir, 'bad-json.conf');
  writeFileSync(bad, 'service x {\n  system FOO;\n};\n');
  const r = mklab('conf', 'check', '--json', join(reference, 'rtl8139.conf'), bad, join(dir, 'absent.conf'));
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { files: { path: string; ok: boolean; error?: string; diagnostics: { line: number; column: number; code: string }[] }[]; errors: number };
  assert.deepEqual(report.files.map((f) => [f.path.endsWith('rtl8139.conf'), f.ok]), [[true, true], [false, false], [false, false]]);
  const badFile = report.files.find((f) => f.path === bad)!;
  assert.deepEqual(badFile.diagnostics.map((d) => [d.line, d.column]), [[2, 10]]);
  assert.match(report.files.find((f) => f.path.endsWith('absent.conf'))!.error!, /cannot read .*absent\.conf: ENOENT/);
  assert.equal(report.errors, 2);
  const help = mklab('conf', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: mklab conf check \[--json\] FILE\.\.\./);
});

test('inputs must be regular files within their size limit; the error names the file and the limit', () => {
  // A device reads without end: refused before any byte is read.
  const conf = mklab('conf', 'check', '/dev/zero');
  assert.equal(conf.status, 1);
  assert.match(conf.stderr, /^\/dev\/zero: expected the system\.conf file to be a regular file, found a character device$/m);
  const trace = mklab('trace', 'info', dir);
  assert.equal(trace.status, 1);
  assert.match(trace.stderr, /expected the trace file to be a regular file, found a folder/);
  // A scenario over its 1 MiB limit (a sparse file: nothing is written).
  const big = join(dir, 'big.mklab.json');
  writeFileSync(big, '');
  truncateSync(big, 2 * 1024 * 1024);
  const scenario = mklab('run', big);
  assert.equal(scenario.status, 1);
  assert.match(scenario.stderr, /big\.mklab\.json: the scenario file is 2 MiB, more than the limit of 1 MiB/);
  // A cd-read workload naming a device as its image.
  const cd = join(dir, 'cd-device.mklab.json');
  writeFileSync(cd, JSON.stringify({ name: 'cd', system: 'default', configuration: 'microkernel-iommu', seed: 1, duration: '10ms', workload: [{ kind: 'cd-read', image: '/dev/zero', path: '/README.TXT' }] }));
  const image = mklab('run', cd);
  assert.equal(image.status, 1);
  assert.match(image.stderr, /cd-read: \/dev\/zero: expected the CD image to be a regular file, found a character device/);
});

test('a trace whose header states an impossible clock is refused, naming the file and the field', () => {
  const file = join(dir, 'clock.mktrace');
  assert.equal(mklab('run', 's1', '--duration', '2s', '--trace', file).status, 0);
  const decoded = decodeTrace(new Uint8Array(readFileSync(file)), file);
  assert.ok(!(decoded instanceof TraceFileError));
  const broken = join(dir, 'broken-clock.mktrace');
  writeFileSync(broken, encodeTrace(decoded.trace, { ...decoded.meta, clockHz: 1e-300 }));
  const r = mklab('trace', 'export', broken, '--format', 'perfetto');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '', 'nothing is exported');
  assert.match(r.stderr, /broken-clock\.mktrace: at byte 16: expected the clock rate \(clockHz\) as a number of hertz from 1000 to 1000000000000, found 1e-300/);
});

test('a fault naming a target the system does not have is an error located in the scenario file', () => {
  const file = join(dir, 'typo.mklab.json');
  writeFileSync(file, '{\n  "name": "typo", "system": "default", "configuration": "microkernel-iommu", "seed": 1, "duration": "1s",\n  "faults": [\n    { "at": "10ms", "target": "nicc", "type": "crash" }\n  ]\n}\n');
  const r = mklab('run', file);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /typo\.mklab\.json:4:31: fault 0 targets 'nicc', which is no service or program of this system \(it has: .*\bnic\b.*\)/);
});

test('mklab run exits 0 only when the run ends as the scenario expects: panics, corruption and failed workloads fail it', () => {
  // S1 expects the panic under monolithic and nothing else anywhere.
  assert.equal(mklab('run', 's1', '--config', 'monolithic', '--duration', '2min').status, 0);
  // The same system without that expectation: the panic fails the run, and says why.
  const base = { name: 'mine', system: 'default', configuration: 'monolithic', seed: 1, duration: '2min', workload: [{ kind: 'packet-stream', ratePerSecond: 100, sizeBytes: 64 }], faults: [{ at: '1min', target: 'nic', type: 'crash' }] };
  const plain = join(dir, 'plain.mklab.json');
  writeFileSync(plain, JSON.stringify(base));
  const panicked = mklab('run', plain);
  assert.equal(panicked.status, 1);
  assert.match(panicked.stderr, /the run ended with outcome 'panic' \(nic: .*injected fault: crash.*\), but the scenario expects 'ok' in monolithic/);
  assert.match(panicked.stdout, /^outcome: panic, but the scenario expects ok$/m);
  // A workload that crashes fails the run, unless the scenario expects it.
  const crash = { ...base, configuration: 'microkernel-iommu', faults: [{ at: '1min', target: 'packet-stream', type: 'crash' }] };
  writeFileSync(plain, JSON.stringify(crash));
  const failed = mklab('run', plain, '--json');
  assert.equal(failed.status, 1);
  const summary = JSON.parse(failed.stdout) as { outcome: string; expectedOutcome: string; workloads: { kind: string; state: string; exit: string }[] };
  assert.equal(summary.outcome, 'workload-failed');
  assert.deepEqual(summary.workloads.map((w) => [w.kind, w.state]), [['packet-stream', 'failed']]);
  assert.match(summary.workloads[0]!.exit, /^crashed: .*injected fault: crash/);
  writeFileSync(plain, JSON.stringify({ ...crash, expect: { '*': 'workload-failed' } }));
  assert.equal(mklab('run', plain).status, 0);
  // s3 without an IOMMU corrupts the kernel, as it expects; with the expectation removed it would fail.
  const s3 = JSON.parse(mklab('run', 's3', '--config', 'microkernel', '--json').stdout) as { outcome: string; expectedOutcome: string };
  assert.deepEqual([s3.outcome, s3.expectedOutcome], ['integrity', 'integrity']);
});

test('a scenario loads driver code only from its own folder tree: a path or a link leading out is refused', () => {
  const project = join(dir, 'project');
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(join(project, 'drivers'), { recursive: true });
  mkdirSync(elsewhere, { recursive: true });
  const driver = `import type { Sys } from 'microkernel-lab';\nexport function* main(sys: Sys) {\n  for (;;) yield sys.compute(1_000_000);\n}\n`;
  const conf = (label: string) => `service ${label} {\n  system BASIC;\n  ipc ALL;\n};\n`;
  writeFileSync(join(project, 'drivers', 'inside.ts'), driver);
  writeFileSync(join(project, 'drivers', 'inside.conf'), conf('inside'));
  writeFileSync(join(elsewhere, 'outside.ts'), driver);
  writeFileSync(join(elsewhere, 'outside.conf'), conf('outside'));
  symlinkSync(join(elsewhere, 'outside.ts'), join(project, 'drivers', 'linked.ts'));
  writeFileSync(join(project, 'drivers', 'linked.conf'), conf('linked'));
  const scenario = (drivers: string[]) => {
    const file = join(project, 'lab.mklab.json');
    writeFileSync(file, JSON.stringify({ name: 'lab', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '100ms', userDrivers: drivers }));
    return file;
  };
  assert.equal(mklab('run', scenario(['drivers/inside.ts'])).status, 0);
  const up = mklab('run', scenario(['../elsewhere/outside.ts']));
  assert.equal(up.status, 1);
  assert.match(up.stderr, /\.\.\/elsewhere\/outside\.ts: a driver must be a file in the scenario's folder .*project or below it; it is at .*elsewhere\/outside\.ts/);
  const absolute = mklab('run', scenario([join(elsewhere, 'outside.ts')]));
  assert.equal(absolute.status, 1);
  assert.match(absolute.stderr, /a driver must be a file in the scenario's folder/);
  const linked = mklab('run', scenario(['drivers/linked.ts']));
  assert.equal(linked.status, 1);
  assert.match(linked.stderr, /drivers\/linked\.ts: a driver must be .*; it is a link to .*elsewhere\/outside\.ts/);
});

test('campaign on worker threads gives the same summary as on one thread; replay names the outcome of a trial', () => {
  const args = ['campaign', '--faults', '6', '--types', 'crash,hang,wild-write', '--configs', 'microkernel-iommu,monolithic', '--json'];
  const threaded = mklab(...args, '--workers', '2');
  const single = mklab(...args, '--workers', '1');
  assert.equal(threaded.status, 0, threaded.stderr);
  assert.equal(single.status, 0, single.stderr);
  assert.equal(threaded.stdout, single.stdout);
  const s = JSON.parse(threaded.stdout);
  assert.equal(s.format, 'microkernel-lab-campaign');
  assert.equal(s.trials, 6);
  // MINIX's contrast: the user-mode drivers survive every one of these faults; the monolithic kernel none.
  const survival = Object.fromEntries(s.rows.map((r: { type: string; configuration: string; survival: number }) => [`${r.type}/${r.configuration}`, r.survival]));
  assert.deepEqual(survival, {
    'crash/microkernel-iommu': 1, 'crash/monolithic': 0,
    'hang/microkernel-iommu': 1, 'hang/monolithic': 0,
    'wild-write/microkernel-iommu': 1, 'wild-write/monolithic': 0,
  });
  const replay = mklab('replay', 'monolithic:nic:crash:1:00000001');
  assert.equal(replay.status, 0, replay.stderr);
  assert.match(replay.stdout, /^monolithic:nic:crash:1:00000001: system-failure \(kernel panic, kernel memory corrupted, or the system hung/);
  assert.match(replay.stdout, /kernel panic: nic: Error: injected fault: crash/);
  const bad = mklab('replay', 'x');
  assert.equal(bad.status, 2);
});
