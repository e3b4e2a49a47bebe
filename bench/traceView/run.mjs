// The trace view benchmark (`npm run bench -- trace_view`): the view's webview
// bundle in a plain page in headless Chromium, with a fake host answering from
// the real query engine over a 1,000,000-event trace. Measures the time to the
// first complete paint and the drawing time of each frame while panning and zooming.
/* global process, console, URL */
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..', '..');
const outdir = join(root, 'out', 'bench', 'traceView');
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const EVENTS = 1_000_000;

async function bundle() {
  const esbuild = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  const common = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning', minify: true, legalComments: 'none' };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { trace: join(root, 'webview/trace/main.ts') }, outdir }),
    esbuild.build({ ...common, entryPoints: { page: join(root, 'bench/traceView/page.ts') }, outdir }),
    esbuild.build({ ...common, entryPoints: { engineWorker: join(root, 'bench/traceView/engineWorker.ts') }, outdir }),
  ]);
  writeFileSync(
    join(outdir, 'index.html'),
    '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><link rel="stylesheet" href="trace.css"><link rel="stylesheet" href="theme.css"><title>trace view bench</title></head><body class="vscode-dark"><script src="page.js"></script></body></html>',
  );
  writeFileSync(
    join(outdir, 'theme.css'),
    ':root{--vscode-editor-background:#1e1e1e;--vscode-foreground:#cccccc;--vscode-editor-foreground:#d4d4d4;--vscode-font-family:system-ui,sans-serif;--vscode-font-size:13px;--vscode-charts-green:#89d185;--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-red:#f14c4c;--vscode-charts-yellow:#cca700;--vscode-charts-purple:#b180d7}',
  );
}

function serve() {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = join(outdir, path === '/' ? 'index.html' : path.slice(1));
    if (!file.startsWith(outdir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

export async function runTraceViewBench() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.MKLAB_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.error(`bench trace_view: Chromium is missing at ${executablePath} (node scripts/ensureTools.mjs installs it)`);
    process.exitCode = 1;
    return;
  }
  await bundle();
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/?events=${EVENTS}`;
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const loadStarted = performance.now();
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__bench?.ready || globalThis.__bench?.error, undefined, { timeout: 180_000, polling: 100 });
    const bench = await page.evaluate(() => globalThis.__bench);
    if (bench.error) throw new Error(bench.error);
    await page.waitForFunction(() => globalThis.__mklabTraceView?.stats.firstPaintMs > 0, undefined, { timeout: 60_000, polling: 16 });
    const firstPaintMs = await page.evaluate(() => globalThis.__mklabTraceView.stats.firstPaintMs - globalThis.__bench.viewStartedMs);
    const lanes = await page.locator('#laneList li.lane').count();
    const shots = process.env.MKLAB_BENCH_SCREENSHOTS;
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'trace-view-fit.png') });
    }

    // Panning and zooming with real input: wheel zoom around the cursor, drags, keys.
    await page.evaluate(() => (globalThis.__mklabTraceView.stats.frameMs.length = 0));
    const canvas = page.locator('#timeline');
    const box = await canvas.boundingBox();
    const y = box.y + Math.min(box.height - 5, 120);
    const interactionStarted = performance.now();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30; i++) {
        await page.mouse.move(box.x + box.width * (0.2 + 0.02 * i), y);
        await page.mouse.wheel(0, -120);
        await page.waitForTimeout(16);
      }
      await page.mouse.move(box.x + box.width * 0.7, y);
      await page.mouse.down();
      for (let i = 0; i < 40; i++) {
        await page.mouse.move(box.x + box.width * 0.7 - i * 12, y, { steps: 1 });
        await page.waitForTimeout(16);
      }
      for (let i = 0; i < 40; i++) {
        await page.mouse.move(box.x + box.width * 0.7 - 480 + i * 15, y, { steps: 1 });
        await page.waitForTimeout(16);
      }
      await page.mouse.up();
      await canvas.focus();
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft', '+', '+', '-', 'ArrowRight', 'ArrowLeft']) {
        await page.keyboard.press(key);
        await page.waitForTimeout(16);
      }
      for (let i = 0; i < 30; i++) {
        await page.mouse.move(box.x + box.width * (0.8 - 0.02 * i), y);
        await page.mouse.wheel(0, 120);
        await page.waitForTimeout(16);
      }
      await page.keyboard.press('f');
      await page.waitForTimeout(100);
    }
    const interactionMs = performance.now() - interactionStarted;
    if (shots) {
      for (let i = 0; i < 14; i++) {
        await page.mouse.move(box.x + box.width * 0.3, y);
        await page.mouse.wheel(0, -400);
        await page.waitForTimeout(60);
      }
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(shots, 'trace-view-zoomed.png') });
    }
    const frames = await page.evaluate(() => [...globalThis.__mklabTraceView.stats.frameMs]);
    const engine = await page.evaluate(() => globalThis.__benchStats());
    const rendered = await page.evaluate(() => globalThis.__bench.rendered);
    const p95 = percentile(frames, 95);
    console.log(`Trace view: ${bench.events.toLocaleString('en-US')} events (S1's trace, ${Math.round(bench.runMs)} ms to simulate, repeated end to end), ${bench.lanes} lanes (${lanes} shown)`);
    console.log(`  worker: trace built in ${Math.round(bench.buildMs)} ms, indexed in ${Math.round(bench.indexMs)} ms (before the view starts); traceWindow median ${percentile(engine.windowMs, 50).toFixed(1)} ms, p95 ${percentile(engine.windowMs, 95).toFixed(1)} ms over ${engine.windowMs.length} windows`);
    console.log(`  first complete paint: ${Math.round(firstPaintMs)} ms after the view's script was added (target <= 1000 ms); page load to paint ${Math.round(performance.now() - loadStarted - interactionMs)} ms incl. building the trace`);
    console.log(`  frames while panning and zooming: ${frames.length} drawn in ${(interactionMs / 1000).toFixed(1)} s, ${rendered} windows received; drawing time median ${percentile(frames, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (target <= 16 ms), max ${Math.max(...frames).toFixed(2)} ms`);
    console.log(`bench trace_view events=${bench.events} first_paint_ms=${Math.round(firstPaintMs)} frame_p95_ms=${p95.toFixed(2)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runTraceViewBench();
