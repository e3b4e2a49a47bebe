// Builds the CLI's own npm package, `microkernel-lab` with the `mklab` command:
// the production CLI bundle (self-contained: no dependencies), the SDK's types
// (its "types", so that a driver's `import ... from 'microkernel-lab'` type-checks
// where the package is installed), its README and the licence, with the version
// of the extension it comes from.
//   node scripts/packCli.mjs [--out DIR]   writes DIR/microkernel-lab-<version>.tgz (default out/cli)
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleText } from './bundleText.mjs';
import { writeSdkDeclarations } from './sdkTypes.mjs';

const root = resolve(import.meta.dirname, '..');
const at = process.argv.indexOf('--out');
const out = resolve(at > 0 ? process.argv[at + 1] : join(root, 'out', 'cli'));
const stage = join(out, 'package');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

await esbuild.build({
  entryPoints: [join(root, 'node/cli/cli.ts')],
  outfile: join(stage, 'mklab.js'),
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: '#!/usr/bin/env node' },
  plugins: [bundleText({ minify: true })],
});
writeSdkDeclarations(root, join(stage, 'microkernel-lab.d.ts'));
const extension = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8'));
writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: manifest.name, version: extension.version, ...manifest }, null, 2) + '\n');
copyFileSync(join(root, 'packages/cli/README.md'), join(stage, 'README.md'));
copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const [packed] = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }));
console.log(join(out, packed.filename));
