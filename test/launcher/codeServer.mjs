// Starts code-server (VS Code's workbench and extension host) and Debian's Chromium for
// the integration launcher and the end-to-end tests. Every server runs on 127.0.0.1 in
// its own process group, with XDG folders under a temporary root, and is ended by group.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { codeServerEnv, toolPaths } from '../../scripts/ensureTools.mjs';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Throws a clear error when a tool that scripts/ensureTools.mjs installs is missing. */
export function requireTools() {
  const paths = toolPaths();
  for (const [what, file] of [
    ['Node 24', paths.node],
    ['code-server', paths.codeServer],
    ['Chromium', paths.chromium],
  ]) {
    if (!existsSync(file)) throw new Error(`${what} is missing at ${file}: run node scripts/ensureTools.mjs first.`);
  }
  return paths;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The environment for code-server with XDG folders under `root`, so nothing is written under $HOME. */
export function isolatedEnv(root, extra = {}) {
  const xdg = {
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
  };
  for (const dir of Object.values(xdg)) mkdirSync(dir, { recursive: true });
  return codeServerEnv({ ...xdg, ...extra });
}

/** Writes user settings that keep the workbench quiet. */
export function writeUserSettings(userDataDir, extra = {}) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'chat.disableAIFeatures': true,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'workbench.tips.enabled': false,
    ...extra,
  };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}

/** Installs a .vsix into `extensionsDir` with code-server's CLI; returns its output. */
export function installExtension({ vsix, extensionsDir, userDataDir, env }) {
  const { codeServer } = requireTools();
  const r = spawnSync(
    codeServer,
    ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0 || r.error) {
    throw new Error(`code-server --install-extension ${vsix} failed (${r.error?.message ?? `exit code ${r.status}`}):\n${output}`);
  }
  return output;
}

function answers(url) {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited early (${child.exitCode ?? child.signalCode}).`);
    }
    if (await answers(`${url}/healthz`)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s.`);
}

/**
 * Starts code-server in its own process group and waits until it answers.
 * Returns { url, port, pid, stop }; stop() ends the whole group and is safe to call twice.
 */
export async function startCodeServer({ userDataDir, extensionsDir, env, folder, logFile, extraArgs = [], timeoutMs = 60_000 }) {
  const { codeServer } = requireTools();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...extraArgs,
  ];
  if (folder) args.push(folder);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(codeServer, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // Extension hosts may outlive the server process itself; they share its group.
    killGroup('SIGKILL');
    process.removeListener('exit', onExit);
    log.end();
  };
  try {
    await waitForHealth(url, child, timeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, pid: child.pid, stop };
}

/** Launches Debian's Chromium headless with a fresh profile. */
export async function launchChromium() {
  const { chromium: executablePath } = requireTools();
  return chromium.launch({ executablePath, headless: true, args: chromiumArgs });
}
