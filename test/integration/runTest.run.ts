// Runs the integration tests with @vscode/test-electron's runTests. By default VS Code is
// code-server through test/launcher/launch.mjs (this machine cannot download VS Code
// desktop); MKLAB_VSCODE=desktop downloads and runs the desktop build instead
// (MKLAB_VSCODE_VERSION picks the version, default stable).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  const root = resolve(__dirname, '..', '..', '..');
  const desktop = process.env.MKLAB_VSCODE === 'desktop';
  const launcher = join(root, 'test', 'launcher', 'launch.mjs');
  const temp = mkdtempSync(join(tmpdir(), 'mklab-integration-'));
  const report = join(temp, 'report.txt');
  const workspace = join(temp, 'workspace');
  mkdirSync(workspace);
  // Git may not keep the executable bit on every checkout.
  if (!desktop) chmodSync(launcher, 0o755);
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'out', 'test', 'integration', 'index'),
      ...(desktop ? { version: process.env.MKLAB_VSCODE_VERSION ?? 'stable' } : { vscodeExecutablePath: launcher }),
      launchArgs: [
        workspace,
        '--disable-extensions',
        `--user-data-dir=${join(temp, 'user-data')}`,
        `--extensions-dir=${join(temp, 'extensions')}`,
      ],
      extensionTestsEnv: { MKLAB_TEST_REPORT: report, MKLAB_ARTIFACTS: join(root, 'test-artifacts', 'integration') },
    });
    return 0;
  } catch (e) {
    console.error(`integration: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    // The launcher prints the report itself; desktop VS Code does not.
    if (desktop && existsSync(report)) process.stdout.write(readFileSync(report, 'utf8'));
    rmSync(temp, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
