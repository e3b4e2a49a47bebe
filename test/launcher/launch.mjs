#!/usr/bin/env node
// Stands in for the VS Code executable in @vscode/test-electron's runTests: it takes the
// same arguments, runs the extension tests in code-server's extension host (VS Code's own)
// with the workbench driven by Chromium, prints the mocha report and exits with the
// extension host's exit code.
//   test/launcher/launch.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=MODULE
//     [--user-data-dir=DIR] [--extensions-dir=DIR] [FOLDER]
// Environment: MKLAB_TEST_REPORT (report file; the extension host inherits it),
// MKLAB_ARTIFACTS (folder for the server log and a final screenshot),
// MKLAB_TEST_TIMEOUT_MS (default 600000), MKLAB_LAUNCHER_VERBOSE=1 (echo the extension host's console).
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isolatedEnv, launchChromium, startCodeServer, writeUserSettings } from './codeServer.mjs';

function parseArgs(argv) {
  const options = { extensionDevelopmentPath: [], folders: [] };
  const valued = new Map([
    ['--extensionDevelopmentPath', 'extensionDevelopmentPath'],
    ['--extensionTestsPath', 'extensionTestsPath'],
    ['--user-data-dir', 'userDataDir'],
    ['--extensions-dir', 'extensionsDir'],
  ]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = valued.get(name);
    if (key) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (key === 'extensionDevelopmentPath') options.extensionDevelopmentPath.push(resolve(value));
      else options[key] = resolve(value);
    } else if (!arg.startsWith('-')) {
      options.folders.push(resolve(arg));
    }
    // Desktop-only switches such as --no-sandbox or --disable-updates mean nothing here.
  }
  return options;
}

function say(message) {
  console.log(`[launcher] ${message}`);
}

function tail(file, lines) {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.extensionDevelopmentPath.length === 0 || !options.extensionTestsPath) {
    console.error('[launcher] usage: launch.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=MODULE [--user-data-dir=DIR] [--extensions-dir=DIR] [FOLDER]');
    return 2;
  }
  const root = mkdtempSync(join(tmpdir(), 'mklab-launch-'));
  const userDataDir = options.userDataDir ?? join(root, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(root, 'extensions');
  const folder = options.folders[0] ?? join(root, 'workspace');
  for (const dir of [userDataDir, extensionsDir, folder]) mkdirSync(dir, { recursive: true });
  writeUserSettings(userDataDir);
  const reportFile = process.env.MKLAB_TEST_REPORT || join(root, 'report.txt');
  rmSync(reportFile, { force: true });
  const artifacts = process.env.MKLAB_ARTIFACTS ? resolve(process.env.MKLAB_ARTIFACTS) : undefined;
  if (artifacts) mkdirSync(artifacts, { recursive: true });
  const serverLog = join(root, 'code-server.log');
  const hostLog = join(root, 'extension-host-console.log');
  const timeoutMs = Number(process.env.MKLAB_TEST_TIMEOUT_MS || 600_000);
  const verbose = process.env.MKLAB_LAUNCHER_VERBOSE === '1';

  let server;
  let browser;
  let exitCode = 1;
  const cleanup = async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  };
  const onSignal = (signal) => {
    say(`${signal}: stopping code-server and Chromium`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const env = isolatedEnv(root, { MKLAB_TEST_REPORT: reportFile });
    server = await startCodeServer({
      userDataDir,
      extensionsDir,
      env,
      logFile: serverLog,
      extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    });
    say(`code-server on ${server.url} (process group ${server.pid})`);
    const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload = [
      ...options.extensionDevelopmentPath.map((p) => ['extensionDevelopmentPath', remote(p)]),
      ['extensionTestsPath', remote(options.extensionTestsPath)],
      ['skipWelcome', 'true'],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let settle;
    const exited = new Promise((r) => (settle = r));
    await page.exposeFunction('codeAutomationExit', (code) => settle({ code: Number(code) }));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = `[${type}] ${Array.isArray(args) ? args.join(' ') : String(args)}`;
      if (verbose) console.log(line);
      appendFileSync(hostLog, line + '\n');
    });
    page.on('crash', () => settle({ error: 'the workbench page crashed' }));
    const timer = setTimeout(() => settle({ error: `no result within ${timeoutMs / 1000} s` }), timeoutMs);
    await page.goto(url);
    say(`workbench opened; running ${options.extensionTestsPath} in the extension host`);
    const outcome = await exited;
    clearTimeout(timer);
    if (artifacts) await page.screenshot({ path: join(artifacts, 'workbench.png') }).catch(() => {});
    if (outcome.error) {
      console.error(`[launcher] ${outcome.error}`);
      exitCode = 1;
    } else {
      exitCode = outcome.code;
      say(`extension host exited with code ${exitCode}`);
    }
  } catch (e) {
    console.error(`[launcher] ${e?.stack ?? e}`);
    exitCode = 1;
  } finally {
    await cleanup();
  }

  if (existsSync(reportFile)) {
    process.stdout.write(readFileSync(reportFile, 'utf8'));
  } else {
    console.error('[launcher] the extension host wrote no test report');
    exitCode = exitCode || 1;
  }
  if (exitCode !== 0) {
    console.error(`[launcher] last lines of the code-server log (${serverLog}):\n${tail(serverLog, 40)}`);
    // The report already holds the test lines; the console's warnings and errors say the rest.
    const hostTail = tail(hostLog, 400)
      .split(/\n(?=\[)/)
      .filter((entry) => entry && !entry.startsWith('[info]'))
      .slice(-15)
      .join('\n');
    if (hostTail) console.error(`[launcher] last lines of the extension host console:\n${hostTail}`);
  }
  if (artifacts) {
    for (const f of [serverLog, hostLog, reportFile]) {
      if (existsSync(f)) copyFileSync(f, join(artifacts, f === reportFile ? 'report.txt' : f.slice(root.length + 1)));
    }
  }
  rmSync(root, { recursive: true, force: true });
  return exitCode;
}

process.exit(await main());
