// The reverse-execution benchmark (`npm run bench -- reverse [minutes=N]`): the debug adapter as the editor runs
// it (its own process, --enable-source-maps), driven through Microsoft's DAP test client on the built-in default
// system (S1). It goes forward to a trace event N minutes in (default 65), back to the event one minute earlier
// (the costly way back: going back re-executes the system from its boot, so the cost grows with how far into the
// run the target is, not with how far back it is), back one hour more, then forward again to the first event
// (over history the session has seen, which it retakes from its log). Each figure is the wall time from the request
// to the stop, with the adapter's peak resident memory. `history=N` sets the launch argument historyEntries: with a
// history shorter than the hour, going back an hour goes beyond it (a re-execution from boot finds the entry, another
// reaches it keeping the history again). Before going back it waits for the session's restore points (made in the
// background while it is stopped; `restore=N` sets how many, 0 for none), and says how long they took.
/* global process, console, setTimeout */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..', '..');

/** The trace's end after `seconds` of S1: the number of events `mklab run` recorded (every event, none dropped). */
function eventsAfter(seconds) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'mklab.js'), 'run', 's1', '--duration', `${seconds}s`, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench reverse: mklab run failed: ${r.stderr}`);
  return JSON.parse(r.stdout).traceEvents;
}

/** Peak resident memory of a process, in MiB (Linux), or undefined. */
function peakMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Math.round(Number(m[1]) / 1024);
  } catch {
    return undefined;
  }
}

export async function runReverseBench({ minutes = 65, history = undefined, restore = undefined } = {}) {
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench reverse: the build failed: ${build.stderr}`);
  const { DebugClient } = await import('@vscode/debugadapter-testsupport');
  const at = minutes * 60;
  const targets = { forward: eventsAfter(at) - 1, minuteBack: eventsAfter(at - 60) - 1, hourBack: eventsAfter(at - 60 - 3600) - 1 };
  // The adapter the editor starts: dist/simulator.js, with source maps, so that entries are located as in the editor.
  const dc = new DebugClient(process.execPath, join(root, 'dist', 'simulator.js'), 'microkernel', { env: { ...process.env, NODE_OPTIONS: '--enable-source-maps' }, cwd: root });
  dc.defaultTimeout = 30 * 60_000;
  await dc.start();
  // The client keeps the adapter's process in a field of its own; its pid gives the peak memory.
  const pid = dc._adapterProcess?.pid;
  const stops = [];
  try {
    await dc.initializeRequest({ adapterID: 'microkernel', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = dc.waitForEvent('initialized');
    let started = performance.now();
    await dc.launchRequest({ type: 'microkernel', request: 'launch', name: 'bench', scenario: 's1', event: targets.forward, ...(history === undefined ? {} : { historyEntries: history }), ...(restore === undefined ? {} : { restorePoints: restore }) });
    await initialized;
    let stopped = dc.waitForEvent('stopped', dc.defaultTimeout);
    await dc.configurationDoneRequest();
    const first = await stopped;
    stops.push({ what: `forward to ${minutes} min`, ms: performance.now() - started });
    // Stopped, the session makes its restore points in the background: the time until the Kernel entry scope lists
    // them all (or none, with restore=0), before going back.
    started = performance.now();
    const wanted = restore ?? 2;
    for (;;) {
      const st = await dc.stackTraceRequest({ threadId: first.body.threadId });
      const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
      const entry = scopes.body.scopes.find((x) => x.name === 'Kernel entry');
      const vars = await dc.variablesRequest({ variablesReference: entry.variablesReference });
      const ready = vars.body.variables.find((v) => v.name === 'restore points')?.value ?? '';
      if ((ready.match(/kernel entry/g) ?? []).length >= wanted) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    stops.push({ what: 'restore points made', ms: performance.now() - started });
    const moves = [
      [`back 1 min (to ${minutes - 1} min)`, targets.minuteBack],
      [`back 1 h (to ${minutes - 61} min)`, targets.hourBack],
      [`forward again to ${minutes} min`, targets.forward],
    ];
    for (const [what, seq] of moves) {
      stopped = dc.waitForEvent('stopped', dc.defaultTimeout);
      started = performance.now();
      await dc.customRequest('microkernelLab.goToEvent', { seq });
      const e = await stopped;
      if (e.body.reason !== 'goto') throw new Error(`bench reverse: stopped for ${e.body.reason}, not at the event`);
      stops.push({ what, ms: performance.now() - started });
    }
  } finally {
    const peak = pid === undefined ? undefined : peakMiB(pid);
    await dc.stop();
    console.log(`reverse: S1 in the debug adapter (its own process, source maps on), ${history === undefined ? 'the default history' : `a history of ${history} kernel entries`}; trace events #${targets.forward}, #${targets.minuteBack}, #${targets.hourBack}`);
    for (const s of stops) console.log(`  ${s.what.padEnd(24)} ${(s.ms / 1000).toFixed(2)} s`);
    console.log(`  adapter's peak memory: ${peak ?? 'n/a'} MiB`);
    const ms = (i) => (stops[i] === undefined ? 'na' : (stops[i].ms / 1000).toFixed(2));
    console.log(`bench reverse minutes=${minutes} history=${history ?? 'default'} restore=${restore ?? 'default'} forward_s=${ms(0)} restore_points_s=${ms(1)} back_1min_s=${ms(2)} back_1h_s=${ms(3)} forward_again_s=${ms(4)} peak_rss_mib=${peak ?? 'na'}`);
  }
}
