// `npm run fuzz`: the fuzz tier's properties (test/unit/robustness), run for as
// long as asked with fresh seeds and more runs per property than `npm test`
// makes. Each round prints what it ran; a failing round's output (fast-check's
// shrunk counterexample with the seed and path that replay it) is kept in
// fuzz-findings/. Exit status 1 if any round failed.
//
//   npm run fuzz                        10 minutes, 20 times the tier's runs per round
//   npm run fuzz -- --minutes 240 --scale 50
//   MKLAB_FUZZ_SEED=123 npm test        replays a seed in the ordinary tier
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

let values;
try {
  ({ values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, scale: { type: 'string', default: '20' } }, strict: true }));
} catch (e) {
  console.error(`fuzz: ${e.message.split('\n')[0]} (usage: npm run fuzz -- [--minutes N] [--scale K])`);
  process.exit(2);
}
const minutes = Number(values.minutes);
const scale = Number(values.scale);
if (!(minutes > 0) || !Number.isInteger(scale) || scale < 1) {
  console.error('fuzz: --minutes must be a positive number and --scale a positive integer');
  process.exit(2);
}

const deadline = Date.now() + minutes * 60_000;
const totals = new Map();
const findings = [];
let rounds = 0;
let stopping = false;
let child;
process.on('SIGINT', () => {
  stopping = true;
  console.error('\nfuzz: stopping after this round (Ctrl-C again to stop at once)');
  process.once('SIGINT', () => {
    if (child?.pid) process.kill(child.pid, 'SIGTERM');
    process.exit(130);
  });
});

function runRound(seed) {
  return new Promise((resolve) => {
    let output = '';
    child = spawn(process.execPath, ['scripts/unit.mjs', 'test/unit/robustness'], {
      env: { ...process.env, MKLAB_FUZZ_SEED: String(seed), MKLAB_FUZZ_SCALE: String(scale) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

while (!stopping && Date.now() < deadline) {
  const seed = randomInt(1, 2 ** 31 - 1);
  const started = Date.now();
  const { code, output } = await runRound(seed);
  rounds++;
  let runs = 0;
  for (const m of output.matchAll(/^fuzz-count property=("(?:[^"\\]|\\.)*") runs=(\d+)/gm)) {
    const name = JSON.parse(m[1]);
    totals.set(name, (totals.get(name) ?? 0) + Number(m[2]));
    runs += Number(m[2]);
  }
  if (code !== 0) {
    mkdirSync('fuzz-findings', { recursive: true });
    const file = `fuzz-findings/${new Date().toISOString().replace(/[:.]/g, '-')}-seed-${seed}.txt`;
    writeFileSync(file, output);
    findings.push(file);
    console.log(`fuzz: round ${rounds}, seed ${seed}: FAILED, output kept in ${file}`);
  } else {
    console.log(`fuzz: round ${rounds}, seed ${seed}: ${runs.toLocaleString('en-US')} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, no failure`);
  }
}

console.log(`\nfuzz: ${rounds} round(s); inputs per property:`);
for (const [name, n] of [...totals].sort()) console.log(`  ${name.padEnd(40)} ${n.toLocaleString('en-US').padStart(12)}`);
console.log(findings.length === 0 ? 'fuzz: no failures' : `fuzz: ${findings.length} failing round(s):\n${findings.map((f) => `  ${f}`).join('\n')}`);
process.exit(findings.length === 0 ? 0 : 1);
