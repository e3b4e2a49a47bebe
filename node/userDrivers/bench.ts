// What the isolation boundary costs, for `npm run bench -- user_driver`: kernel
// entries per second of a user driver in its own process against the same
// driver code run as a generator on the simulator's thread (what user drivers
// were before the boundary), and the start-up of one instance: back to back
// (each start finds the host started ahead by the one before still starting),
// and after a pause (it finds that host ready, as a driver RS restarts after it
// has run a while does).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sys } from '../../simulator/sdk/sys';
import { loadUserDriver } from './loader';

/** A kernel stand-in that takes every entry at once: what is measured is the crossing, not the kernel. */
function standInSys(): Sys {
  const sys = {
    endpoint: 100,
    name: 'bench',
    args: {},
    clockHz: 1e9,
    grants: null,
    capturesSourceLocations: false,
    mem: { baseVaddr: 0, sizeBytes: 0 },
    compute: () => undefined,
    ipc_raw: () => undefined,
    sys_call: () => undefined,
    setEntryFrames: () => undefined,
  };
  return sys as unknown as Sys;
}

const DRIVER = `import { ANY, Message } from 'microkernel-lab';
export function* main(sys) {
  const m = new Message();
  for (;;) {
    yield sys.receive(ANY, m);
    m.type++;
  }
}
`;

/** The same loop as a program on the simulator's thread. */
function* inThread(sys: Sys): Generator<unknown, void, number> {
  for (;;) yield (sys as unknown as { ipc_raw(a: number, b: number, c: null): unknown }).ipc_raw(3, 0, null);
}

export interface IsolationBench {
  readonly entriesPerSecond: number;
  readonly inThreadEntriesPerSecond: number;
  /** Microseconds one kernel entry of an isolated driver costs beyond one in the simulator's thread. */
  readonly overheadMicros: number;
  /** Median milliseconds from main(sys) to a running instance (process, realm, modules), starts back to back. */
  readonly startMs: number;
  /** The same with a pause before each start, in which the host started ahead gets ready. */
  readonly readyStartMs: number;
}

/** How long the host started ahead is given before a start is timed, in the ready measurement. */
const PAUSE_MS = 1500;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function startOnce(program: { main(sys: Sys): Iterator<unknown> & { release(): void } }): number {
  const t0 = performance.now();
  const instance = program.main(standInSys());
  instance.next();
  const ms = performance.now() - t0;
  instance.release();
  return ms;
}

export function benchIsolation(entries = 100_000, starts = 9, readyStarts = 5): IsolationBench {
  const dir = mkdtempSync(join(tmpdir(), 'mklab-bench-driver-'));
  try {
    const path = join(dir, 'loop.js');
    writeFileSync(path, DRIVER);
    const loaded = loadUserDriver(path);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '));
    const program = loaded.program;
    const startTimes: number[] = [];
    for (let i = 0; i < starts; i++) startTimes.push(startOnce(program));
    const readyTimes: number[] = [];
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < readyStarts; i++) {
      Atomics.wait(pause, 0, 0, PAUSE_MS);
      readyTimes.push(startOnce(program));
    }
    const instance = program.main(standInSys());
    instance.next();
    const t0 = performance.now();
    for (let i = 0; i < entries; i++) instance.next(0);
    const isolated = entries / ((performance.now() - t0) / 1000);
    instance.release();
    const local = inThread(standInSys());
    local.next();
    const t1 = performance.now();
    for (let i = 0; i < entries; i++) local.next(0);
    const threadRate = entries / ((performance.now() - t1) / 1000);
    return {
      entriesPerSecond: isolated,
      inThreadEntriesPerSecond: threadRate,
      overheadMicros: 1e6 / isolated - 1e6 / threadRate,
      startMs: median(startTimes),
      readyStartMs: median(readyTimes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
