// Runs the benchmarks (not tests): `npm run bench` runs all, `npm run bench -- ipc` one.
// Each bench prints a readable table and one machine-readable line,
//   bench <name> key=value ...
// Benches are registered by name below; the simulator code is bundled with esbuild into out/bench.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const outdir = 'out/bench';

/** Bundles a simulator module for Node (a fresh build every run) and imports it. */
async function load(entry, name) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.error('bench: esbuild is missing; install the dev dependencies first (npm ci)');
    process.exit(1);
  }
  mkdirSync(outdir, { recursive: true });
  const outfile = `${outdir}/${name}.mjs`;
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  return import(pathToFileURL(resolve(outfile)).href + `?t=${performance.now()}`);
}

/** Messages per second of the SimPy model (median of `runs`), from the first Python that has SimPy, or undefined. */
function simpyRate(clients, rounds, runs) {
  const pythons = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  for (const python of pythons) {
    const rates = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(python, ['bench/simpy/pingpong.py', String(clients), String(rounds)], { encoding: 'utf8' });
      if (r.error || r.status !== 0) break;
      const m = /msgs_per_s=(\d+)/.exec(r.stdout);
      if (!m) break;
      rates.push(Number(m[1]));
    }
    if (rates.length === runs) return median(rates);
  }
  return undefined;
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
  async trace_view() {
    const { runTraceViewBench } = await import('../bench/traceView/run.mjs');
    await runTraceViewBench();
  },
  async ipc() {
    const { runSimulatorPingPong, runBarePingPong } = await load('simulator/bench/ipcBench.ts', 'ipcBench');
    const clients = 4;
    const rounds = 100_000;
    const now = () => performance.now();
    runSimulatorPingPong(clients, 5_000, now);
    runBarePingPong(clients, 5_000, now);
    const sim = [];
    const bare = [];
    for (let i = 0; i < 5; i++) {
      sim.push(runSimulatorPingPong(clients, rounds, now).messagesPerSecond);
      bare.push(runBarePingPong(clients, rounds, now).messagesPerSecond);
    }
    const simRate = median(sim);
    const bareRate = median(bare);
    const simpy = simpyRate(clients, 20_000, 3);
    console.log(`IPC ping-pong: ${clients} clients x ${rounds} SENDREC round trips, tracing on (median of 5; SimPy: 20000 rounds, median of 3)`);
    table([
      ['model', 'msgs/s', 'simulator is'],
      ['simulator', Math.round(simRate), '1.00x'],
      ['bare generator loop', Math.round(bareRate), `${(simRate / bareRate).toFixed(2)}x`],
      ['SimPy', simpy === undefined ? 'n/a' : simpy, simpy === undefined ? 'n/a' : `${(simRate / simpy).toFixed(1)}x`],
    ]);
    console.log(`bench ipc msgs_per_s=${Math.round(simRate)} vs_bare=${(simRate / bareRate).toFixed(2)} vs_simpy=${simpy === undefined ? 'na' : (simRate / simpy).toFixed(1)}`);
  },
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(benches);
for (const name of names) {
  if (!(name in benches)) {
    console.error(`bench: unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    process.exit(1);
  }
}
for (const name of names) await benches[name]();
