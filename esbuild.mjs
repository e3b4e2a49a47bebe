// The one build script: every bundle of the project comes from here.
//   node esbuild.mjs               development build of the shipped bundles
//   node esbuild.mjs --production  minified, no source maps (what the .vsix holds)
//   node esbuild.mjs --tests       also the unit, integration and end-to-end tests
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleText } from './scripts/bundleText.mjs';
import { writeSdkDeclarations } from './scripts/sdkTypes.mjs';
import { trimSourceMapFile } from './scripts/trimSourceMap.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = {
  bundle: true,
  plugins: [bundleText({ minify: production })],
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

/** Every file under `dir` whose name passes `keep`, walked depth first. */
function filesUnder(dir, keep) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

const webviews = readdirSync('webview')
  .filter((d) => existsSync(join('webview', d, 'main.ts')))
  .map((d) => ({ in: join('webview', d, 'main.ts'), out: d }));

const builds = [
  {
    ...common,
    entryPoints: { extension: 'extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    // simulator.js is the editor's simulator worker and the debug adapter in one (node/dap/entry.ts).
    entryPoints: { simulator: 'node/dap/entry.ts', mklab: 'node/cli/cli.ts' },
    outdir: 'dist',
    // The worker and the debug adapter map stack traces back to the sources of built-in drivers, even in the package.
    sourcemap: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: webviews,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file' },
  },
];

if (tests) {
  const testBuild = (dir, extra) => ({
    ...common,
    minify: false,
    sourcemap: 'inline',
    entryPoints: filesUnder(dir, (p) => /\.test\.ts$|index\.ts$|\.run\.ts$/.test(p)).map((p) => ({
      in: p,
      out: relative('test', p).replace(/\.ts$/, ''),
    })),
    outdir: 'out/test',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    ...extra,
  });
  builds.push(testBuild('test/unit'), testBuild('test/integration', { external: ['vscode'] }), testBuild('test/e2e'));
}

// The SDK's types for users' drivers (dist/sdk/microkernel-lab.d.ts, scripts/sdkTypes.mjs): made by the
// TypeScript compiler while esbuild bundles (in watch mode once, at the start).
if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  writeSdkDeclarations(import.meta.dirname);
  console.log('[watch] esbuild is watching for changes');
} else {
  const bundled = Promise.all(builds.map((b) => esbuild.build(b)));
  writeSdkDeclarations(import.meta.dirname);
  await bundled;
  // The package's map keeps what the debugger maps: the programs users debug (scripts/trimSourceMap.mjs).
  if (production) trimSourceMapFile(join('dist', 'simulator.js.map'));
}
