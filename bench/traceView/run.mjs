// The trace view benchmark (`npm run bench -- trace_view [events=N]`): the view's
// webview bundle in a plain page in headless Chromium, with a fake host answering
// from the real query engine over a .mktrace file of N events (default 1,000,000;
// made once in Node and kept in out/bench/traceView). Measures the time from
// opening the file to the first complete paint, the engine's answer to each window
// while panning and zooming, the drawing time of each frame, and the engine's memory.
/* global process, console, URL, Buffer */
import { createServer } from 'node:http';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..', '..');
const outdir = join(root, 'out', 'bench', 'traceView');
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The trace format the simulator writes (simulator/trace/traceFile.ts); a kept file in another is made again. */
const TRACE_FORMAT = 4;

function formatOf(file) {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    return readSync(fd, head, 0, 12, 0) === 12 ? head.readUInt32LE(8) : -1;
  } finally {
    closeSync(fd);
  }
}

/**
 * How many bytes the file's head takes (format 4: header, then the overview block, each padded to 8), as the
 * extension's worker finds it (traceHeadLength) before it reads the head.
 */
function headLength(file) {
  const fd = openSync(file, 'r');
  try {
    const start = Buffer.alloc(16);
    readSync(fd, start, 0, 16, 0);
    const headerLength = start.readUInt32LE(12);
    const header = Buffer.alloc(headerLength);
    readSync(fd, header, 0, headerLength, 16);
    const overview = JSON.parse(header.toString('utf8')).overview;
    const pad8 = (n) => (n + 7) & ~7;
    if (overview === undefined) throw new Error(`${file} has no overview in its head`);
    return 16 + pad8(headerLength) + pad8(overview.bytes);
  } finally {
    closeSync(fd);
  }
}

/** Milliseconds to read the first `length` bytes of the file, as the extension's worker reads a head (median of 3). */
function timeReadHead(file, length) {
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    const fd = openSync(file, 'r');
    try {
      readSync(fd, Buffer.alloc(length), 0, length, 0);
    } finally {
      closeSync(fd);
    }
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b)[1];
}

/** The benchmark's trace file of `events` events, made once (S1's trace repeated) and kept beside the bundles. */
async function traceFile(esbuild, events) {
  const file = join(outdir, `trace-${events}.mktrace`);
  if (existsSync(file) && formatOf(file) === TRACE_FORMAT) return { file, made: false };
  const { bundleText } = await import('../../scripts/bundleText.mjs');
  const maker = join(outdir, 'makeTrace.mjs');
  await esbuild.build({ entryPoints: [join(root, 'bench/traceView/makeTrace.ts')], outfile: maker, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', plugins: [bundleText()] });
  const { benchTraceFile } = await import(`${pathToFileURL(maker).href}?t=${performance.now()}`);
  const { bytes } = benchTraceFile(events);
  writeFileSync(`${file}.part`, bytes);
  renameSync(`${file}.part`, file);
  return { file, made: true };
}

async function bundle() {
  const esbuild = await import('esbuild');
  mkdirSync(outdir, { recursive: true });
  const { bundleText } = await import('../../scripts/bundleText.mjs');
  const common = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'warning', minify: true, legalComments: 'none', plugins: [bundleText()] };
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
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.mktrace': 'application/octet-stream' };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = join(outdir, path === '/' ? 'index.html' : path.slice(1));
    if (!file.startsWith(outdir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    // Streamed: a file of hundreds of megabytes read whole would hold up the page's other requests.
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** Milliseconds to read the file into memory, as the editor reads a trace before its worker opens it (median of 3). */
function timeRead(file) {
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    readFileSync(file);
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b)[1];
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

export async function runTraceViewBench({ events = 1_000_000 } = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.MKLAB_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.error(`bench trace_view: Chromium is missing at ${executablePath} (node scripts/ensureTools.mjs installs it)`);
    process.exitCode = 1;
    return;
  }
  await bundle();
  const { file, made } = await traceFile(await import('esbuild'), events);
  // The head as its own file, for the page to fetch first (the extension's worker reads it off the file by its path).
  const headBytes = headLength(file);
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(headBytes);
  readSync(fd, head, 0, headBytes, 0);
  closeSync(fd);
  writeFileSync(`${file}.head`, head);
  const server = await serve();
  const name = file.slice(outdir.length + 1);
  const url = `http://127.0.0.1:${server.address().port}/?file=${encodeURIComponent(name)}&head=${encodeURIComponent(`${name}.head`)}`;
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__bench?.ready || globalThis.__bench?.error, undefined, { timeout: 180_000, polling: 100 });
    const bench = await page.evaluate(() => globalThis.__bench);
    if (bench.error) throw new Error(bench.error);
    await page.waitForFunction(() => globalThis.__mklabTraceView?.stats.firstPaintMs > 0, undefined, { timeout: 60_000, polling: 16 });
    const firstPaintMs = await page.evaluate(() => globalThis.__mklabTraceView.stats.firstPaintMs - globalThis.__bench.viewStartedMs);
    // Opening the file: reading its head as the extension's worker does (timed here, in Node, from the page cache the
    // bench's own read has just filled), then from the head's bytes reaching the worker to the first complete paint.
    const headReadMs = timeReadHead(file, headBytes);
    const openToPaintMs = headReadMs + (await page.evaluate(() => globalThis.__mklabTraceView.stats.firstPaintMs - globalThis.__bench.openStartedMs));
    // The events behind it: the whole file read as the editor reads it, then decoded and indexed in the worker.
    await page.waitForFunction(() => globalThis.__bench?.loaded !== undefined, undefined, { timeout: 180_000, polling: 50 });
    const loaded = await page.evaluate(() => ({ ...globalThis.__bench.loaded, openStartedMs: globalThis.__bench.openStartedMs }));
    // From opening to the events indexed, with the whole file's read timed as the editor reads it (in Node) in
    // place of the browser's slower fetch of it.
    const readMs = timeRead(file);
    const eventsReadyMs = headReadMs + (loaded.atMs - loaded.openStartedMs) - loaded.fetchMs + readMs;
    // The view, told of the indexed events, draws its window from them before the interaction starts.
    await page.waitForTimeout(500);
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
    const q95 = percentile(engine.windowMs, 95);
    const engineMb = engine.engineBytes / 2 ** 20;
    console.log(`Trace view: a ${(loaded.fileBytes / 2 ** 20).toFixed(0)} MiB .mktrace file of ${bench.events.toLocaleString('en-US')} events (S1's trace repeated end to end${made ? ', made now' : ''}), ${bench.lanes} lanes (${lanes} shown)`);
    console.log(`  open to first complete paint: ${Math.round(openToPaintMs)} ms (target <= 1000 ms): the ${(bench.headBytes / 2 ** 20).toFixed(1)} MiB head read in ${Math.round(headReadMs)} ms and opened in ${Math.round(bench.headMs)} ms, then ${Math.round(firstPaintMs)} ms to paint from its overview`);
    console.log(`  the events behind it: ready ${Math.round(eventsReadyMs)} ms after opening: file read ${Math.round(readMs)} ms, decoded ${Math.round(loaded.decodeMs)} ms, indexed ${Math.round(loaded.indexMs)} ms`);
    console.log(`  window answers while panning and zooming: ${engine.windowMs.length}, median ${percentile(engine.windowMs, 50).toFixed(1)} ms, p95 ${q95.toFixed(1)} ms (target <= 50 ms)`);
    console.log(`  frames: ${frames.length} drawn in ${(interactionMs / 1000).toFixed(1)} s, ${rendered} windows received; drawing time median ${percentile(frames, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (target <= 16 ms), max ${Math.max(...frames).toFixed(2)} ms`);
    console.log(`  memory: the engine's columns and index ${engineMb.toFixed(0)} MiB (${(engine.engineBytes / bench.events).toFixed(1)} bytes per event)`);
    console.log(`bench trace_view events=${bench.events} open_to_paint_ms=${Math.round(openToPaintMs)} events_ready_ms=${Math.round(eventsReadyMs)} query_p95_ms=${q95.toFixed(1)} frame_p95_ms=${p95.toFixed(2)} engine_mib=${engineMb.toFixed(0)}`);
  } finally {
    await browser.close();
    server.close();
  }
}


