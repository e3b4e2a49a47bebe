// Runs the benchmarks (not tests): `npm run bench` runs all, `npm run bench -- ipc` one.
// Each bench prints a readable table and one machine-readable line,
//   bench <name> key=value ...
// Benches are registered by name below; the simulator code is bundled with esbuild into out/bench.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';

const outdir = 'out/bench';

/** Bundles a simulator module for Node (a fresh build every run); returns the bundle's path. */
async function build(entry, name) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.error('bench: esbuild is missing; install the dev dependencies first (npm ci)');
    process.exit(1);
  }
  mkdirSync(outdir, { recursive: true });
  const outfile = `${outdir}/${name}.mjs`;
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', plugins: [(await import('./bundleText.mjs')).bundleText()] });
  return resolve(outfile);
}

/** Bundles a simulator module for Node and imports it. */
async function load(entry, name) {
  return import(pathToFileURL(await build(entry, name)).href + `?t=${performance.now()}`);
}

/**
 * The IPC bench's simulator in a child process of its own (benchIpcSimulator.mjs), asked for one
 * measurement at a time over its standard input and output, one JSON line each way.
 */
function ipcChild(bundle, clients) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'benchIpcSimulator.mjs'), bundle, String(clients)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  let failed;
  const fail = (error) => {
    failed = error;
    for (const w of waiting.splice(0)) w.reject(error);
  };
  child.on('error', fail);
  child.on('exit', (code) => fail(new Error(`bench ipc: the simulator's process ended (status ${code})`)));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line)));
  return {
    ask(what) {
      if (failed !== undefined) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${what}\n`);
      });
    },
    close() {
      child.stdin.end();
    },
  };
}

/** The first Python that can import SimPy, or undefined. */
function findSimpyPython() {
  const pythons = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  return pythons.find((python) => spawnSync(python, ['-c', 'import simpy'], { encoding: 'utf8' }).status === 0);
}

/** Messages per second of one run of the SimPy model (its own timing of its event loop). */
function runSimpy(python, clients, rounds) {
  const r = spawnSync(python, ['bench/simpy/pingpong.py', String(clients), String(rounds)], { encoding: 'utf8' });
  const m = /msgs_per_s=(\d+)/.exec(r.stdout ?? '');
  if (r.error || r.status !== 0 || !m) throw new Error(`bench: the SimPy model failed: ${r.error?.message ?? r.stderr}`);
  return Number(m[1]);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padStart(widths[i])).join('  '));
}

const benches = {
  async compare() {
    // A full `mklab bench compare --configs all` of the default workload (the default system's packet
    // stream), run as a user runs it: the CLI measuring each configuration on a worker thread, one per
    // core. Beside it, the same comparison on one thread in the same run, so the figure is a ratio.
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`bench compare: the build failed: ${build.stderr}`);
    const run = (workers) => {
      const started = performance.now();
      const r = spawnSync(process.execPath, ['dist/mklab.js', 'bench', 'compare', '--workload', 'packet-stream', '--configs', 'all', '--format', 'json', '--workers', String(workers)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench compare: mklab failed: ${r.stderr}`);
      return { seconds: (performance.now() - started) / 1000, report: JSON.parse(r.stdout) };
    };
    const cores = (await import('node:os')).availableParallelism();
    const parallel = run(cores);
    const serial = run(1);
    const simulated = parallel.report.results.length * parallel.report.durationSeconds;
    const packets = parallel.report.results.reduce((n, r) => n + r.ops, 0);
    console.log(`compare: ${parallel.report.results.length} configurations of ${parallel.report.workload}, ${parallel.report.durationSeconds} s simulated each`);
    console.log(`  ${cores} worker thread(s): ${parallel.seconds.toFixed(2)} s; one thread: ${serial.seconds.toFixed(2)} s`);
    console.log(`bench compare workload=${parallel.report.workload} configs=${parallel.report.results.length} workers=${cores} wall_s=${parallel.seconds.toFixed(2)} vs_one_thread=${(serial.seconds / parallel.seconds).toFixed(2)} sim_s_per_wall_s=${(simulated / parallel.seconds).toFixed(3)} measured_packets_per_wall_s=${Math.round(packets / parallel.seconds)}`);
  },
  async campaign() {
    // A fault-injection campaign as a user runs it (`mklab campaign`, one worker thread per core): one trial
    // of every fault type in every configuration, one fault each, so the rate covers the mix. Beside it the
    // same campaign on one thread, in the same run, so the speed-up is a ratio. The projection to MINIX's
    // 3,400,000 faults (Herder et al., DSN 2009) is the measured rate scaled, with the trials as they are.
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`bench campaign: the build failed: ${build.stderr}`);
    const cores = (await import('node:os')).availableParallelism();
    const run = (workers) => {
      const started = performance.now();
      // 15 fault types x 7 configurations: one trial each.
      const r = spawnSync(process.execPath, ['dist/mklab.js', 'campaign', '--types', 'all', '--configs', 'all', '--faults', '105', '--json', '--workers', String(workers)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench campaign: mklab failed: ${r.stderr}`);
      return { seconds: (performance.now() - started) / 1000, summary: JSON.parse(r.stdout) };
    };
    const parallel = run(cores);
    const serial = run(1);
    const faults = parallel.summary.faultsInjected;
    const trials = parallel.summary.trials;
    const rate = faults / parallel.seconds;
    const projectedMinutes = 3_400_000 / rate / 60;
    console.log(`campaign: ${trials} trials (${parallel.summary.options.types.length} fault types x ${parallel.summary.options.configurations.length} configurations), ${faults} faults injected`);
    console.log(`  ${cores} worker thread(s): ${parallel.seconds.toFixed(2)} s; one thread: ${serial.seconds.toFixed(2)} s`);
    console.log(`  3,400,000 faults at this rate: ${projectedMinutes.toFixed(0)} min (target 30 min on 2 cores)`);
    console.log(`bench campaign trials=${trials} faults=${faults} workers=${cores} wall_s=${parallel.seconds.toFixed(2)} trials_per_s=${(trials / parallel.seconds).toFixed(2)} faults_per_s=${rate.toFixed(2)} vs_one_thread=${(serial.seconds / parallel.seconds).toFixed(2)} projected_3_4M_faults_min=${projectedMinutes.toFixed(0)}`);
  },
  async reverse() {
    const { runReverseBench } = await import('../bench/reverse/run.mjs');
    const minutes = options.minutes === undefined ? 65 : Number(options.minutes);
    if (!Number.isSafeInteger(minutes) || minutes < 62 || minutes > 24 * 60) {
      console.error(`bench reverse: minutes= takes a whole number from 62 to 1440, found ${options.minutes}`);
      process.exit(2);
    }
    const history = options.history === undefined ? undefined : Number(options.history);
    if (history !== undefined && (!Number.isSafeInteger(history) || history < 1000 || history > 50_000_000)) {
      console.error(`bench reverse: history= takes a whole number of kernel entries from 1000 to 50000000, found ${options.history}`);
      process.exit(2);
    }
    const restore = options.restore === undefined ? undefined : Number(options.restore);
    if (restore !== undefined && (!Number.isSafeInteger(restore) || restore < 0 || restore > 16)) {
      console.error(`bench reverse: restore= takes a whole number of restore points from 0 to 16, found ${options.restore}`);
      process.exit(2);
    }
    await runReverseBench({ minutes, history, restore });
  },
  async trace_view() {
    const { runTraceViewBench } = await import('../bench/traceView/run.mjs');
    const events = options.events === undefined ? 1_000_000 : Number(options.events);
    if (!Number.isSafeInteger(events) || events < 1000 || events > 100_000_000) {
      console.error(`bench trace_view: events= takes a whole number from 1000 to 100000000, found ${options.events}`);
      process.exit(2);
    }
    await runTraceViewBench({ events });
  },
  async ipc() {
    // Every figure here is a ratio of runs made in this process and its children, so all of them
    // must run on the same CPU: on machines whose cores differ (a shared core next to a busy
    // neighbour) a ratio across cores means little. On Linux this bench re-runs itself pinned to
    // one core (its children inherit it); without taskset, or where core 0 may not be used, it
    // runs unpinned. (Only this one: the trace-view bench needs a browser's several processes.)
    if (process.platform === 'linux' && process.env.MKLAB_BENCH_PINNED === undefined && spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
      const pinned = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, process.argv[1], 'ipc'], {
        stdio: 'inherit',
        env: { ...process.env, MKLAB_BENCH_PINNED: '0' },
      });
      if (pinned.status !== 0) process.exit(pinned.status ?? 1);
      return;
    }
    // The simulator runs in a child process that never forks: a fork (the SimPy runs are child processes)
    // marks every page of the forking process copy-on-write, and the simulator, writing its 33 MB trace
    // ring, then ran ~3x slower for a few hundred milliseconds after each one, which is when its windows
    // were measured. This process only starts children; the simulator's process starts none.
    const clients = 4;
    const simulator = await ipcChild(await build('simulator/bench/ipcBench.ts', 'ipcBench'), clients);
    const python = findSimpyPython();
    const sim = [];
    const bare = [];
    const traced = [];
    const simpy = [];
    let cold;
    try {
      for (let i = 0; i < 9; i++) {
        const w = await simulator.ask('window');
        sim.push(w.sim);
        bare.push(w.bare);
        traced.push(w.traced);
        if (python !== undefined && i % 2 === 0) simpy.push(runSimpy(python, clients, 20_000));
      }
      // Cold: a fresh simulator from its first message, paying the first touch of the trace ring.
      cold = (await simulator.ask('cold')).cold;
    } finally {
      simulator.close();
    }
    const simRate = median(sim);
    const bareRate = median(bare);
    const tracedRate = median(traced);
    const coldRate = median(cold);
    const simpyRate = simpy.length > 0 ? median(simpy) : undefined;
    console.log(`IPC ping-pong: ${clients} clients doing SENDREC to one server, tracing on into a 1 Mi-event ring`);
    console.log('  steady: median of 9 windows of 200,000 messages on one running simulator, bare loops interleaved');
    console.log('  bare loop + trace writes: the bare loop recording each message and switch into a filled 1 Mi-event ring,');
    console.log('    what tracing alone costs the rendezvous: the most any kernel that traces could reach');
    console.log('  cold: median of 3 fresh simulators of 800,000 messages each; SimPy: 20,000 rounds, median of 5, interleaved');
    table([
      ['model', 'msgs/s', 'simulator is'],
      ['simulator (steady)', Math.round(simRate), '1.00x'],
      ['simulator (cold)', Math.round(coldRate), `${(simRate / coldRate).toFixed(2)}x`],
      ['bare generator loop', Math.round(bareRate), `${(simRate / bareRate).toFixed(2)}x`],
      ['bare loop + trace writes', Math.round(tracedRate), `${(simRate / tracedRate).toFixed(2)}x (it is ${(tracedRate / bareRate).toFixed(2)}x the bare loop)`],
      ['SimPy', simpyRate === undefined ? 'n/a' : simpyRate, simpyRate === undefined ? 'n/a' : `${(simRate / simpyRate).toFixed(1)}x`],
    ]);
    console.log(
      `bench ipc msgs_per_s=${Math.round(simRate)} vs_bare=${(simRate / bareRate).toFixed(2)} traced_bare_vs_bare=${(tracedRate / bareRate).toFixed(2)} vs_simpy=${simpyRate === undefined ? 'na' : (simRate / simpyRate).toFixed(1)} cold_msgs_per_s=${Math.round(coldRate)}`,
    );
  },
};

benches.user_driver = async () => {
  // A user driver's kernel entries cross into its own process (through the relay thread) and back; the same loop as
  // a generator on the simulator's thread (as user drivers ran before the boundary) is the reference, measured in the
  // same run. Start-up is timed back to back and after a pause (the host started ahead then ready).
  const { benchIsolation } = await load('node/userDrivers/bench.ts', 'userDriver');
  const runs = [0, 1, 2].map(() => benchIsolation(100_000, 9, 5));
  const pick = (key) => median(runs.map((r) => r[key]));
  const rate = pick('entriesPerSecond');
  const local = pick('inThreadEntriesPerSecond');
  console.log('User driver isolation: a driver in its own process and realm, 100,000 kernel entries, median of 3 runs');
  table([
    ['driver runs', 'entries/s'],
    ['in its own process', Math.round(rate)],
    ["on the simulator's thread", Math.round(local)],
  ]);
  console.log(
    `bench user_driver entries_per_s=${Math.round(rate)} vs_in_thread=${(rate / local).toFixed(4)} overhead_us=${pick('overheadMicros').toFixed(2)} ` +
      `start_ms=${pick('startMs').toFixed(1)} ready_start_ms=${pick('readyStartMs').toFixed(1)}`,
  );
};

// Arguments: bench names, and options as key=value (`npm run bench -- trace_view events=10000000`).
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-') && !a.includes('='));
const options = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.includes('='))
    .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
);
const knownOptions = {
  events: 'trace_view: the trace\'s event count (default 1000000)',
  minutes: 'reverse: how far into S1 the session goes first (default 65)',
  history: 'reverse: the session\'s historyEntries (default: the launch default)',
  restore: 'reverse: the session\'s restorePoints (default: the launch default)',
};
for (const key of Object.keys(options)) {
  if (!(key in knownOptions)) {
    console.error(`bench: unknown option ${key}; known: ${Object.entries(knownOptions).map(([k, v]) => `${k}= (${v})`).join(', ')}`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : Object.keys(benches);
for (const name of names) {
  if (!(name in benches)) {
    console.error(`bench: unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    process.exit(1);
  }
}
for (const name of names) await benches[name]();
