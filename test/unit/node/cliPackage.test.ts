// The CLI as its own npm package: `npx microkernel-lab run s1` on a machine with Node.js and nothing else.
// The package is built and packed as a release does it, and run from its tarball in an empty folder with
// an npm cache of its own, so nothing of this checkout's node_modules can help it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'mklab-cli-package-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('the CLI package holds the bundle, the SDK\'s types, its README and licence only, and `npx` of its tarball runs s1', () => {
  const tarball = execFileSync(process.execPath, ['scripts/packCli.mjs', '--out', join(dir, 'out')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const [dry] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json'], { cwd: join(dir, 'out', 'package'), encoding: 'utf8' })) as [
    { name: string; files: { path: string }[]; entryCount: number },
  ];
  assert.equal(dry.name, 'microkernel-lab');
  assert.deepEqual(dry.files.map((f) => f.path).sort(), ['LICENSE', 'README.md', 'microkernel-lab.d.ts', 'mklab.js', 'package.json']);
  const manifest = JSON.parse(readFileSync(join(dir, 'out', 'package', 'package.json'), 'utf8')) as { types?: string };
  assert.equal(manifest.types, 'microkernel-lab.d.ts', 'a driver importing \'microkernel-lab\' finds the SDK\'s types in the installed package');

  const work = mkdtempSync(join(dir, 'user-'));
  const r = spawnSync(npm, ['exec', '--yes', '--cache', join(dir, 'npm-cache'), '--prefer-offline', '--package', tarball, '--', 'mklab', 'run', 's1', '--json'], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { scenario: string; outcome: string; services: { label: string; restarts: number }[] };
  assert.equal(summary.scenario, 's1');
  assert.ok(summary.services.find((s) => s.label === 'nic')!.restarts >= 1, 'the NIC driver was restarted, as S1 shows');

  const usage = spawnSync(npm, ['exec', '--yes', '--cache', join(dir, 'npm-cache'), '--prefer-offline', '--package', tarball, '--', 'mklab', 'run', '--no-such-flag'], { cwd: work, encoding: 'utf8' });
  assert.equal(usage.status, 2, 'a usage error exits with status 2 through npx too');
});
