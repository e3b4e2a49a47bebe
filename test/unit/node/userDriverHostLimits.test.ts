// A user driver that makes the engine give up (a heap out of memory, a value too large for it, gigabytes of array
// buffers) ends its own process, not mklab's: the run goes on, the driver is reported crashed out of memory and RS
// restarts it, and the packet stream beside it keeps flowing. Each hostile driver runs in a spawned mklab, so that a
// regression shows as a failed assertion here, not as a dead test runner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleForTest } from '../bundle';
import { classifyHostDeath } from '../../../node/userDrivers/isolation/hostDeath';
import { Death, Wire } from '../../../node/userDrivers/isolation/protocol';

let dir = '';
let cli = '';
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-hostlimits-'));
  cli = join(dir, 'mklab.js');
  await bundleForTest('node/cli/cli.ts', cli);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  readonly outcome: string;
  readonly panic: unknown;
  readonly network: { readonly packetsAttempted: number; readonly packetsDelivered: number };
  readonly services: readonly { readonly label: string; readonly restarts: number; readonly lastExit: string | null; readonly restartLog: readonly { readonly cause: string }[] }[];
}

/** Runs `body` as the user driver `label` beside a packet stream, in a scenario with `options`, and returns the summary. */
function runHostile(label: string, body: string, options: Record<string, number>): { status: number | null; stderr: string; summary: Summary } {
  writeFileSync(join(dir, `${label}.ts`), `import type { Sys } from 'microkernel-lab';\nexport function* main(sys: Sys) {\n  yield sys.compute(1000);\n${body}\n}\n`);
  writeFileSync(join(dir, `${label}.conf`), `service ${label} {\n  system BASIC;\n  ipc ALL;\n};\n`);
  const file = join(dir, `${label}.mklab.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name: label,
      system: 'default',
      configuration: 'microkernel-iommu',
      seed: 3,
      duration: '2s',
      workload: [{ kind: 'packet-stream', ratePerSecond: 2000, sizeBytes: 512 }],
      userDrivers: [`${label}.ts`],
      options,
    }),
  );
  // A timeout, so that a run that never ends fails here instead of holding the runner.
  const r = spawnSync(process.execPath, [cli, 'run', file, '--json'], { encoding: 'utf8', cwd: dir, timeout: 240_000 });
  assert.equal(r.signal, null, `mklab was ended by ${r.signal}: ${r.stderr.slice(-2000)}`);
  assert.equal(r.status, 0, `mklab exited with status ${r.status}: ${r.stderr.slice(-2000)}`);
  return { status: r.status, stderr: r.stderr, summary: JSON.parse(r.stdout) as Summary };
}

function assertCrashedOutOfMemory(summary: Summary, label: string, memoryMb: number, detail: RegExp): void {
  assert.equal(summary.outcome, 'ok', 'the run ended as the scenario expects');
  assert.equal(summary.panic, null);
  const driver = summary.services.find((s) => s.label === label);
  assert.ok(driver !== undefined, 'the summary lists the driver');
  assert.ok(driver.restarts >= 1, `RS restarted the driver: ${JSON.stringify(driver)}`);
  assert.ok(driver.restartLog.some((r) => r.cause === 'crash'), `its end counted as a crash: ${JSON.stringify(driver.restartLog)}`);
  assert.match(driver.lastExit ?? '', new RegExp(`^crashed: OutOfMemory: the driver ${label} used more than its ${memoryMb} MiB of memory and was stopped: `));
  assert.match(driver.lastExit ?? '', detail);
  const nic = summary.services.find((s) => s.label === 'nic');
  assert.equal(nic?.restarts, 0, 'the other drivers were untouched');
  // 2,000 packets a second for 2 s: every one sent and delivered while the driver died and came back.
  assert.equal(summary.network.packetsAttempted, 4000);
  assert.equal(summary.network.packetsDelivered, 4000, 'the packet stream kept running');
}

test('a driver whose huge array fills the JavaScript heap (fatal to the engine) crashes out of memory; mklab carries on', () => {
  // A dictionary-mode array grown by fill: large-object allocations a worker thread's heap limit does not stop.
  // The stall limit is set high so that, on a loaded machine, the engine's own out of memory comes first.
  const { summary } = runHostile('bigarray', '  const a = new Array(2 ** 26).fill(0);\n  yield sys.compute(a.length);', { driverMemoryMiB: 32, driverStallMs: 60_000 });
  assertCrashedOutOfMemory(summary, 'bigarray', 32, /JavaScript heap out of memory/);
});

test('a driver that builds a value larger than the engine can hold (a fatal invalid size) crashes out of memory; mklab carries on', () => {
  // 2**27 one-character strings: past the largest array the engine makes, which it treats as a fatal error.
  const { summary } = runHostile('splitter', "  const parts = 'x'.repeat(2 ** 27).split('');\n  yield sys.compute(parts.length);", { driverStallMs: 60_000 });
  assertCrashedOutOfMemory(summary, 'splitter', 256, /Fatal JavaScript invalid size error/);
});

test('a driver that fills gigabytes of array buffers, which no heap limit counts, is stopped at its memory limit; mklab carries on', () => {
  const { summary } = runHostile('buffers', '  const big = new Uint8Array(2 ** 32);\n  big.fill(1);\n  yield sys.compute(big[7]!);', { driverMemoryMiB: 32, driverStallMs: 60_000 });
  assertCrashedOutOfMemory(summary, 'buffers', 32, /its process held \d+ MiB resident, past its limit of \d+ MiB/);
});

test("a host's end is classified from its exit and the last of its standard error", () => {
  const heap = classifyHostDeath(null, 'SIGABRT', '<--- JS stacktrace --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n----- Native stack trace -----\n\n 1: 0xb7a940 node::OOMErrorHandler() [node]\n');
  assert.equal(heap.death, Death.outOfMemory);
  assert.match(heap.detail, /JavaScript heap out of memory/);
  const size = classifyHostDeath(null, 'SIGTRAP', '\n\n#\n# Fatal error in , line 0\n# Fatal JavaScript invalid size error 134217728 (see crbug.com/1201626)\n#\n#\n#\n#FailureMessage Object: 0x7ffd\n 1: 0xd32b41  [node]\n');
  assert.equal(size.death, Death.outOfMemory);
  assert.match(size.detail, /Fatal JavaScript invalid size error 134217728\)$/);
  const watched = classifyHostDeath(null, 'SIGKILL', '\nmklab-driver-host: OutOfMemory: 150 MiB resident, past its limit of 148 MiB\n');
  assert.deepEqual(watched, { death: Death.outOfMemory, detail: 'its process held 150 MiB resident, past its limit of 148 MiB' });
  const other = classifyHostDeath(null, 'SIGSEGV', 'something\n 1: 0x1234 frame [node]\n');
  assert.deepEqual(other, { death: Death.failed, detail: 'its process ended with signal SIGSEGV: something' });
  assert.deepEqual(classifyHostDeath(3, null, ''), { death: Death.failed, detail: 'its process ended with exit status 3' });
});

test("a driver's death is reported once, with its reason, without touching the message area", () => {
  const wire = Wire.create();
  wire.write(0, '{"op":"next"}', undefined);
  const before = wire.read();
  wire.die(Death.outOfMemory, 'its process held 150 MiB');
  wire.die(Death.failed, 'a second report');
  assert.equal(Atomics.load(wire.ctl, 4), Death.outOfMemory);
  assert.equal(Atomics.load(wire.ctl, 1), 1, 'the simulator was woken once');
  assert.equal(wire.deathReason(), 'its process held 150 MiB');
  assert.deepEqual(wire.read(), before);
});
