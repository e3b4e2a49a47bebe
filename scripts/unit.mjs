// Builds and runs unit tests with node's test runner.
//   node scripts/unit.mjs                 every test under test/unit
//   node scripts/unit.mjs test/unit/ipc   only the tests under that path
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleText } from './bundleText.mjs';

function testsUnder(p) {
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return p.endsWith('.test.ts') ? [p] : [];
  return readdirSync(p).flatMap((n) => testsUnder(join(p, n)));
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (roots.length ? roots : ['test/unit']).flatMap(testsUnder).sort();
if (files.length === 0) {
  console.error('unit: no test files found under ' + (roots.join(', ') || 'test/unit'));
  process.exit(1);
}
// A folder of this run's own, so that two runs at once do not delete each other's bundles.
const outdir = `out/test/unit-${process.pid}`;
rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: files.map((f) => ({ in: f, out: relative('test/unit', f).replace(/\.ts$/, '') })),
  outdir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [bundleText()],
});
const outputs = files.map((f) => join(outdir, relative('test/unit', f).replace(/\.ts$/, '.js')));
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...outputs], {
  stdio: 'inherit',
});
rmSync(outdir, { recursive: true, force: true });
process.exit(r.status ?? 1);
