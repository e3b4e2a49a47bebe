// Runs every test tier and fails if any fails:
//   node scripts/test.mjs               tools, build, typecheck, lint, unit, package, integration, e2e
//   node scripts/test.mjs unit          only the unit tests
//   node scripts/test.mjs integration   tools, build, then the tests in VS Code's extension host
//   node scripts/test.mjs e2e           tools, build, package, then the workbench in Chromium
// The last line of the output is the plain summary `N passed, N failed`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const node = process.execPath;

/** Counts from node's test runner (spec reporter) or from a mocha report. */
function nodeTestCounts(output) {
  const get = (label) => {
    const all = [...output.matchAll(new RegExp(`^[ℹ#]\\s*${label}\\s+(\\d+)\\s*$`, 'gm'))];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  };
  const passed = get('pass');
  const failed = get('fail');
  if (passed === undefined && failed === undefined) return undefined;
  return { passed: passed ?? 0, failed: (failed ?? 0) + (get('cancelled') ?? 0), skipped: get('skipped') ?? 0 };
}

function mochaCounts(output) {
  const last = (re) => {
    const all = [...output.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  };
  const passed = last(/^\s*(\d+) passing\b/gm);
  if (passed === undefined) return undefined;
  return { passed, failed: last(/^\s*(\d+) failing\b/gm) ?? 0, skipped: last(/^\s*(\d+) pending\b/gm) ?? 0 };
}

/**
 * The failed tests a step's output names, each with the first line of its error, so that the
 * results at the end of a long log say which tests failed and why.
 */
function failedTests(output) {
  const found = [];
  // mocha's report: "  1) suite test:" then the error's first line.
  for (const m of output.matchAll(/^ {2}\d+\) (.+):\n\s+(.+)$/gm)) found.push(`${m[1]}: ${m[2]}`);
  // node's spec reporter: after "✖ failing tests:", "✖ name (ms)" then the error.
  const at = output.lastIndexOf('✖ failing tests:');
  if (at >= 0) {
    const lines = output.slice(at).split('\n').slice(1);
    lines.forEach((line, i) => {
      const m = /^\s*✖ (.+?) \([\d.]+m?s\)\s*$/.exec(line);
      if (!m) return;
      const why = lines.slice(i + 1, i + 6).find((l) => l.trim() && !/^\s*✖/.test(l) && !/^test at /.test(l.trim()));
      found.push(why ? `${m[1]}: ${why.trim()}` : m[1]);
    });
  }
  return [...new Set(found)].slice(0, 20).map((t) => (t.length > 300 ? `${t.slice(0, 297)}...` : t));
}

function e2eFiles() {
  const dir = join(root, 'out', 'test', 'e2e');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith('.test.js'))
    .sort()
    .map((f) => join(dir, String(f)));
}

const hasEslintConfig = () =>
  ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts'].some((f) => existsSync(join(root, f)));

/** Every step: what it runs, what it needs before it, and how to count its tests. */
const steps = {
  tools: { run: () => [node, ['scripts/ensureTools.mjs']], timeoutMinutes: 30 },
  build: { run: () => [node, ['esbuild.mjs', '--tests']] },
  typecheck: { run: () => ['npm', ['run', '--silent', 'typecheck']] },
  lint: { run: () => (hasEslintConfig() ? ['npm', ['run', '--silent', 'lint']] : undefined), skipWhy: 'no eslint config' },
  unit: { run: () => [node, ['scripts/unit.mjs']], counts: nodeTestCounts },
  package: { run: () => ['npm', ['run', '--silent', 'package']] },
  integration: {
    needs: ['tools', 'build'],
    run: () => [node, ['--enable-source-maps', 'out/test/integration/runTest.run.js']],
    counts: mochaCounts,
    artifacts: true,
  },
  e2e: {
    needs: ['tools', 'build', 'package'],
    run: () => {
      const files = e2eFiles();
      return files.length
        ? [node, ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]]
        : undefined;
    },
    skipWhy: 'no end-to-end tests were built',
    counts: nodeTestCounts,
    artifacts: true,
  },
};

const plans = {
  all: ['tools', 'build', 'typecheck', 'lint', 'unit', 'package', 'integration', 'e2e'],
  unit: ['unit'],
  integration: ['tools', 'build', 'integration'],
  e2e: ['tools', 'build', 'package', 'e2e'],
};

let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!current) process.exit(130);
    // SIGTERM first: the launcher and the e2e test then stop the servers they started.
    console.error(`[test] ${signal}: stopping ${current.name}`);
    current.kill('SIGTERM');
    current.closed.then(() => process.exit(130));
    setTimeout(() => {
      current?.kill('SIGKILL');
      process.exit(130);
    }, 10_000).unref();
  });
}

/** Runs one step in its own process group, echoing and keeping its output; ends the group after `timeoutMs`. */
function runStep(name, command, args, timeoutMs) {
  return new Promise((resolvePromise) => {
    let output = '';
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env, detached: true });
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const closed = new Promise((r) => child.once('close', r));
    current = { name, kill, closed };
    const timer = setTimeout(() => {
      console.error(`[test] ${name}: no end after ${timeoutMs / 60_000} minutes, stopping it`);
      output += `\n${name} timed out\n`;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      process.stderr.write(d);
    });
    child.on('error', (e) => {
      output += String(e);
      console.error(`[test] ${name}: could not start ${command}: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolvePromise({ code: code ?? (signal ? 1 : 0), output });
    });
  });
}

async function main() {
  const which = process.argv[2] ?? 'all';
  const plan = plans[which];
  if (!plan) {
    console.error(`usage: node scripts/test.mjs [${Object.keys(plans).join('|')}]`);
    return 2;
  }
  const results = [];
  const outcome = new Map();
  for (const name of plan) {
    const step = steps[name];
    const missing = (step.needs ?? []).filter((n) => outcome.get(n) === 'failed');
    console.log(`\n===== ${name} =====`);
    const started = Date.now();
    let result;
    if (missing.length) {
      console.log(`[test] ${name}: not run, because ${missing.join(' and ')} failed`);
      result = { name, status: 'failed', note: `not run: ${missing.join(', ')} failed` };
    } else {
      const command = step.run();
      if (!command) {
        console.log(`[test] ${name}: skipped (${step.skipWhy})`);
        result = { name, status: 'skipped', note: step.skipWhy };
      } else {
        if (step.artifacts) rmSync(join(root, 'test-artifacts', name), { recursive: true, force: true });
        const [cmd, args] = command;
        const { code, output } = await runStep(name, cmd, args, (step.timeoutMinutes ?? 15) * 60_000);
        const counts = step.counts?.(output);
        result = { name, status: code === 0 ? 'ok' : 'failed', counts, note: code === 0 ? '' : `exit code ${code}` };
        if (code !== 0) result.failures = failedTests(output);
        if (step.counts && !counts && code === 0) {
          result.status = 'failed';
          result.note = 'no test results found in its output';
        }
      }
    }
    result.seconds = (Date.now() - started) / 1000;
    outcome.set(name, result.status);
    results.push(result);
    const countText = result.counts ? `, ${result.counts.passed} passed, ${result.counts.failed} failed` : '';
    console.log(`===== ${name}: ${result.status}${countText}${result.note ? ` (${result.note})` : ''}, ${result.seconds.toFixed(1)} s`);
  }

  let passed = 0;
  let failed = 0;
  console.log('\n===== results =====');
  for (const r of results) {
    if (r.counts) {
      passed += r.counts.passed;
      failed += r.counts.failed;
    }
    // A failed step whose own tests did not fail (a crash, a build or type error) counts once.
    if (r.status === 'failed' && !(r.counts?.failed > 0)) failed += 1;
    const counts = r.counts
      ? `${r.counts.passed} passed, ${r.counts.failed} failed${r.counts.skipped ? `, ${r.counts.skipped} skipped` : ''}`
      : '';
    console.log(
      `${r.name.padEnd(12)} ${r.status.padEnd(8)} ${counts.padEnd(34)} ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  ${r.note}` : ''}`,
    );
  }
  for (const r of results) for (const f of r.failures ?? []) console.log(`  ✖ ${r.name}: ${f}`);
  console.log(`${passed} passed, ${failed} failed`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

process.exit(await main());
