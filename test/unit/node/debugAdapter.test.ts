// The `microkernel` debug adapter, built fresh into a folder of this run's own
// (unit tests do not rely on dist/) and driven over stdio by Microsoft's DAP
// test client, as VS Code drives it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { bundleForTest } from '../bundle';

let dir: string;
let adapter: string;
const NIC = resolve('simulator/drivers/nic.ts');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-dap-'));
  adapter = join(dir, 'debugAdapter.js');
  await bundleForTest('node/dap/main.ts', adapter, { sourcemap: true });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The 1-based line of nic.ts holding `text` (found in the source, so that edits to the driver do not break the test). */
function nicLine(text: string): number {
  const i = readFileSync(NIC, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `nic.ts has no line with ${text}`);
  return i + 1;
}

interface Started {
  dc: DebugClient;
  stopped: Promise<DebugProtocol.StoppedEvent>;
  /** Every output event's text so far, by category. */
  output: { category: string; text: string }[];
}

/** Starts the adapter, launches, lets `configure` set breakpoints, and finishes the configuration. */
async function launch(
  args: Record<string, unknown>,
  configure: (dc: DebugClient) => Promise<unknown> = async () => undefined,
  trusted = true,
  initialize: Partial<DebugProtocol.InitializeRequestArguments> = {},
  stopWithinMs = 90_000,
): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '--enable-source-maps' };
  if (trusted) env['MKLAB_WORKSPACE_TRUSTED'] = '1';
  else delete env['MKLAB_WORKSPACE_TRUSTED'];
  const dc = new DebugClient(process.execPath, adapter, 'microkernel', { env, cwd: dir });
  dc.defaultTimeout = 60_000;
  await dc.start();
  const output: { category: string; text: string }[] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => output.push({ category: e.body.category ?? 'console', text: e.body.output }));
  const init = await dc.initializeRequest({ adapterID: 'microkernel', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...initialize });
  assert.equal(init.body?.supportsStepBack, true);
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ type: 'microkernel', request: 'launch', name: 'test', ...args } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  await configure(dc);
  const stopped = dc.waitForEvent('stopped', stopWithinMs) as Promise<DebugProtocol.StoppedEvent>;
  await dc.configurationDoneRequest();
  return { dc, stopped, output };
}

async function topFrame(dc: DebugClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId });
  const frame = st.body.stackFrames[0];
  assert.ok(frame, 'the thread has a frame');
  return frame;
}

async function scopeVariables(dc: DebugClient, frameId: number, scope: string): Promise<Map<string, string>> {
  const scopes = await dc.scopesRequest({ frameId });
  const s = scopes.body.scopes.find((x) => x.name === scope);
  assert.ok(s, `scope ${scope} among ${scopes.body.scopes.map((x) => x.name).join(', ')}`);
  const vars = await dc.variablesRequest({ variablesReference: s.variablesReference });
  return new Map(vars.body.variables.map((v) => [v.name, v.value]));
}

/** The `step` the Kernel entry scope shows for a thread's top frame. */
async function entryStep(dc: DebugClient, threadId: number): Promise<number> {
  return Number((await scopeVariables(dc, (await topFrame(dc, threadId)).id, 'Kernel entry')).get('step'));
}

/** Continues (or reverse-continues) and waits for the next stop. */
async function cont(dc: DebugClient, threadId: number, reverse = false): Promise<DebugProtocol.StoppedEvent> {
  const next = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  if (reverse) await dc.reverseContinueRequest({ threadId });
  else await dc.continueRequest({ threadId });
  return next;
}

async function threadName(dc: DebugClient, threadId: number): Promise<string> {
  const threads = await dc.threadsRequest();
  const t = threads.body.threads.find((x) => x.id === threadId);
  assert.ok(t, `thread ${threadId} is live`);
  return t.name;
}

/** Where every live thread stands: its name, and its top frame's file and line. */
async function threadFrames(dc: DebugClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of (await dc.threadsRequest()).body.threads) {
    const f = (await dc.stackTraceRequest({ threadId: t.id })).body.stackFrames[0];
    out[t.name] = f === undefined ? 'no frame' : `${f.source?.path ?? 'no source'}:${f.line}`;
  }
  return out;
}

/** The state a stop shows: the stopped thread, its line, step and state digest, and every thread's frame; with its Kernel entry scope. */
async function stoppedState(dc: DebugClient, stop: DebugProtocol.StoppedEvent) {
  const top = await topFrame(dc, stop.body.threadId!);
  const vars = await scopeVariables(dc, top.id, 'Kernel entry');
  const state = { thread: await threadName(dc, stop.body.threadId!), line: top.line, step: vars.get('step'), digest: vars.get('state digest'), threads: await threadFrames(dc) };
  return { state, vars };
}

test('launch with stopOnEntry stops at the first kernel entry: the reincarnation server, at its source line', async () => {
  const { dc, stopped } = await launch({ scenario: 's1', stopOnEntry: true });
  try {
    const e = await stopped;
    assert.equal(e.body.reason, 'entry');
    assert.match(await threadName(dc, e.body.threadId!), /^rs \(endpoint \d+\)$/);
    const frame = await topFrame(dc, e.body.threadId!);
    assert.match(frame.source?.path ?? '', /simulator[\\/]services[\\/]rs\.ts$/);
    assert.ok(frame.line > 0);
    const entry = await scopeVariables(dc, frame.id, 'Kernel entry');
    assert.match(entry.get('call') ?? '', /^SPAWN \(kernel call/);
  } finally {
    await dc.stop();
  }
});

test('a line breakpoint in the NIC driver stops the nic thread at that line; next stops at nic\'s next kernel entry', async () => {
  const copyLine = nicLine('yield sys.sys_safecopyfrom(m.source');
  const mapLine = nicLine('yield sys.sys_dmamap(deviceId');
  let verified: DebugProtocol.Breakpoint[] = [];
  const { dc, stopped } = await launch({ scenario: 's1' }, async (c) => {
    const r = await c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine }] });
    verified = r.body.breakpoints;
  });
  try {
    assert.equal(verified[0]?.verified, true);
    const e = await stopped;
    assert.equal(e.body.reason, 'breakpoint');
    assert.deepEqual(e.body.hitBreakpointIds, [verified[0]!.id]);
    const thread = e.body.threadId!;
    assert.match(await threadName(dc, thread), /^nic \(endpoint \d+\)$/);
    const frame = await topFrame(dc, thread);
    assert.equal(frame.source?.path, NIC);
    assert.equal(frame.line, copyLine);
    assert.match(frame.name, /^SAFECOPYFROM/);
    const proc = await scopeVariables(dc, frame.id, 'Process');
    assert.equal(proc.get('name'), 'nic');
    assert.equal(proc.get('state'), 'running');
    assert.equal(proc.get('restarts'), '0');
    const privileges = await scopeVariables(dc, frame.id, 'Privileges');
    assert.match(privileges.get('kernel calls') ?? '', /\bSAFECOPYFROM\b/);
    assert.match(privileges.get('kernel calls') ?? '', /\bDEVIO\b/);
    const iommu = await scopeVariables(dc, frame.id, 'IOMMU');
    assert.match(iommu.get('mapping 0') ?? '', /^IOVA 0x[0-9a-f]+ → 0x[0-9a-f]+ \+\d+ bytes R?W?$/);
    // At a kernel call the Message scope shows the request nic is handling: the DL_WRITEV_S inet sent it.
    const message = await scopeVariables(dc, frame.id, 'Message');
    assert.equal(message.get('type'), 'DL_WRITEV_S (0x202)');
    assert.match(message.get('from') ?? '', /^inet \(endpoint \d+\)$/);
    assert.match(message.get('received') ?? '', /^by RECEIVE: /);

    // Without the breakpoint, next runs to the same process's next kernel entry: mapping the copied frame's buffer for the device.
    await dc.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [] });
    const next = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.nextRequest({ threadId: thread });
    const n = await next;
    assert.equal(n.body.reason, 'step');
    assert.equal(n.body.threadId, thread);
    const after = await topFrame(dc, thread);
    assert.equal(after.line, mapLine);
    assert.equal(after.name, 'DMAMAP (kernel call)');
    assert.equal((await scopeVariables(dc, after.id, 'Message')).get('type'), 'DL_WRITEV_S (0x202)');
  } finally {
    await dc.stop();
  }
});

test('step back returns, by replay, to the very state of the earlier kernel entry, shown as progress meanwhile', async () => {
  const copyLine = nicLine('yield sys.sys_safecopyfrom(m.source');
  const { dc, stopped } = await launch(
    { scenario: 's1' },
    (c) => c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine }] }),
    true,
    { supportsProgressReporting: true },
  );
  const progress: { event: string; id: string; title?: string }[] = [];
  for (const event of ['progressStart', 'progressEnd']) {
    dc.on(event, (e: DebugProtocol.ProgressStartEvent | DebugProtocol.ProgressEndEvent) => progress.push({ event, id: e.body.progressId, title: (e.body as { title?: string }).title }));
  }
  try {
    const e = await stopped;
    const thread = e.body.threadId!;
    const first = await scopeVariables(dc, (await topFrame(dc, thread)).id, 'Kernel entry');
    await dc.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [] });
    const next = dc.waitForEvent('stopped');
    await dc.nextRequest({ threadId: thread });
    await next;
    const second = await scopeVariables(dc, (await topFrame(dc, thread)).id, 'Kernel entry');
    assert.notEqual(second.get('state digest'), first.get('state digest'));

    const back = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.stepBackRequest({ threadId: thread });
    const b = await back;
    assert.equal(b.body.threadId, thread);
    assert.equal(progress.length, 2, JSON.stringify(progress));
    assert.equal(progress[0]!.event, 'progressStart');
    assert.match(progress[0]!.title ?? '', /^Stepping back: replaying the system to nic's previous kernel entry$/);
    assert.deepEqual(progress[1], { event: 'progressEnd', id: progress[0]!.id, title: undefined });
    const frame = await topFrame(dc, thread);
    assert.equal(frame.line, copyLine);
    const again = await scopeVariables(dc, frame.id, 'Kernel entry');
    assert.equal(again.get('step'), first.get('step'));
    assert.equal(again.get('state digest'), first.get('state digest'));
    // The replay also rebuilds what nic had received.
    assert.equal((await scopeVariables(dc, frame.id, 'Message')).get('type'), 'DL_WRITEV_S (0x202)');
  } finally {
    await dc.stop();
  }
});

test('a breakpoint on a line that enters the kernel through a helper (yield* sef.receive) stops there, with the helper\'s frame above it', async () => {
  const receiveLine = nicLine('const r = yield* sef.receive(ANY, m);');
  let verified: DebugProtocol.Breakpoint[] = [];
  const { dc, stopped } = await launch({ scenario: 's1' }, async (c) => {
    verified = (await c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: receiveLine }] })).body.breakpoints;
  });
  try {
    const e = await stopped;
    assert.equal(e.body.reason, 'breakpoint');
    assert.deepEqual(e.body.hitBreakpointIds, [verified[0]!.id]);
    assert.match(await threadName(dc, e.body.threadId!), /^nic \(endpoint \d+\)$/);
    const frames = (await dc.stackTraceRequest({ threadId: e.body.threadId! })).body.stackFrames;
    // The kernel entry itself is in the SEF helper; the driver's line is the frame that called it.
    assert.match(frames[0]!.source?.path ?? '', /[\\/]services[\\/]sef\.ts$/);
    assert.match(frames[0]!.name, /^receive/);
    const caller = frames.find((f) => f.source?.path === NIC);
    assert.ok(caller !== undefined, `a frame in nic.ts among ${frames.map((f) => `${f.source?.path}:${f.line}`).join(', ')}`);
    assert.equal(caller.line, receiveLine);
    // Every frame has the process's scopes.
    const proc = await scopeVariables(dc, caller.id, 'Process');
    assert.equal(proc.get('name'), 'nic');
  } finally {
    await dc.stop();
  }
});

test('an IPC function breakpoint "nic <- DL_WRITEV_S" stops the sender, and the Message scope shows the type', async () => {
  let bps: DebugProtocol.Breakpoint[] = [];
  const { dc, stopped } = await launch({ scenario: 's1' }, async (c) => {
    const r = await c.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic <- DL_WRITEV_S' }, { name: 'nic <= DL_WRITEV_S' }, { name: 'nic <- DL_WRTE' }] });
    bps = r.body.breakpoints;
  });
  try {
    assert.equal(bps[0]?.verified, true);
    assert.equal(bps[1]?.verified, false);
    assert.match(bps[1]?.message ?? '', /expected 'label <- TYPE'/);
    assert.equal(bps[2]?.verified, false);
    assert.match(bps[2]?.message ?? '', /unknown message type 'DL_WRTE' \(known: .*DL_WRITEV_S/);
    const e = await stopped;
    assert.equal(e.body.reason, 'function breakpoint');
    assert.deepEqual(e.body.hitBreakpointIds, [bps[0]!.id]);
    assert.match(await threadName(dc, e.body.threadId!), /^inet /);
    // inet sends asynchronously (SENDA): the scope lists each pending message, the DL_WRITEV_S to nic among them.
    const message = await scopeVariables(dc, (await topFrame(dc, e.body.threadId!)).id, 'Message');
    const typeKey = [...message].find(([k, v]) => k.endsWith('type') && v === 'DL_WRITEV_S (0x202)')?.[0];
    assert.ok(typeKey, `a DL_WRITEV_S among ${[...message.values()].join('; ')}`);
    assert.match(message.get(typeKey.replace(/type$/, 'to')) ?? '', /^nic \(endpoint \d+\)$/);
    // inet has granted nic its packet buffer: the Grants scope shows it.
    const grants = await scopeVariables(dc, (await topFrame(dc, e.body.threadId!)).id, 'Grants');
    assert.ok([...grants.values()].some((g) => /^direct R\w* to nic: 0x[0-9a-f]+ \+\d+ bytes$/.test(g)), [...grants.values()].join('; '));
  } finally {
    await dc.stop();
  }
});

test('the crash exception breakpoint stops when s1 crashes the NIC driver, and says so', async () => {
  const { dc, stopped, output } = await launch({ scenario: 's1' }, (c) => c.setExceptionBreakpointsRequest({ filters: ['crash'] }));
  try {
    const e = await stopped;
    assert.equal(e.body.reason, 'exception');
    assert.ok(output.some((o) => o.category === 'console' && /^\[1 min\] nic \(endpoint \d+\) crashed: /.test(o.text)), JSON.stringify(output));
    assert.match(e.body.description ?? '', /^Process crash: nic \(endpoint \d+\) crashed/);
    const info = await dc.exceptionInfoRequest({ threadId: e.body.threadId! });
    assert.match(info.body.description ?? '', /nic .* crashed/);
    const process = await scopeVariables(dc, (await topFrame(dc, e.body.threadId!)).id, 'Process');
    assert.ok(process.get('state'));
  } finally {
    await dc.stop();
  }
});

test('bad launch arguments are refused with an error naming the argument and what was expected', async () => {
  const dc = new DebugClient(process.execPath, adapter, 'microkernel', { env: { ...process.env, MKLAB_WORKSPACE_TRUSTED: '1' }, cwd: dir });
  dc.defaultTimeout = 60_000;
  await dc.start();
  try {
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest({ scenario: 's1', seed: -3 } as DebugProtocol.LaunchRequestArguments), /"seed" must be a non-negative integer, got -3/);
    await assert.rejects(dc.launchRequest({ scenario: 's9' } as DebugProtocol.LaunchRequestArguments), /no built-in scenario 's9' \(available: s1, .*default\)/);
    await assert.rejects(dc.launchRequest({ scenario: 'missing.mklab.json' } as DebugProtocol.LaunchRequestArguments), /cannot read the scenario .*missing\.mklab\.json: ENOENT/);
    await assert.rejects(dc.launchRequest({ configuration: 'exokernel' } as DebugProtocol.LaunchRequestArguments), /"configuration" must be one of microkernel-iommu, microkernel-iommu-lazy, microkernel-iommu-dev, microkernel, monolithic, kernel-bypass, monolithic-containers, got "exokernel"/);
  } finally {
    await dc.stop();
  }
});

test('pause stops a running system at the next kernel entry; disconnect ends the adapter process', async () => {
  const { dc, stopped: _never } = await launch({ scenario: 's1' });
  const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await dc.pauseRequest({ threadId: 1 });
  const e = await stopped;
  assert.equal(e.body.reason, 'pause');
  assert.ok((await topFrame(dc, e.body.threadId!)).line > 0);
  const child = (dc as unknown as { _adapterProcess: import('node:child_process').ChildProcess })._adapterProcess;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await dc.disconnectRequest({});
  assert.equal(await exited, 0);
});

test('reverse continue goes back, by replay, to the previous hit of a line breakpoint', async () => {
  const copyLine = nicLine('yield sys.sys_safecopyfrom(m.source');
  const { dc, stopped } = await launch({ scenario: 's1' }, (c) => c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine }] }));
  try {
    const first = await stopped;
    const firstEntry = await scopeVariables(dc, (await topFrame(dc, first.body.threadId!)).id, 'Kernel entry');
    const again = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: first.body.threadId! });
    const second = await again;
    assert.equal(second.body.reason, 'breakpoint');
    const secondEntry = await scopeVariables(dc, (await topFrame(dc, second.body.threadId!)).id, 'Kernel entry');
    assert.ok(Number(secondEntry.get('step')) > Number(firstEntry.get('step')));

    const back = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.reverseContinueRequest({ threadId: second.body.threadId! });
    const b = await back;
    assert.equal(b.body.reason, 'breakpoint');
    const frame = await topFrame(dc, b.body.threadId!);
    assert.equal(frame.line, copyLine);
    const backEntry = await scopeVariables(dc, frame.id, 'Kernel entry');
    assert.equal(backEntry.get('step'), firstEntry.get('step'));
    assert.equal(backEntry.get('state digest'), firstEntry.get('state digest'));
  } finally {
    await dc.stop();
  }
});

test('reverse continue stops where forward would have: at the previous hit of an IPC function breakpoint, and at the crash an exception breakpoint caught', async () => {
  const { dc, stopped } = await launch({ scenario: 's1' }, (c) => c.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic <- DL_WRITEV_S' }] }));
  const step = async (threadId: number) => Number((await scopeVariables(dc, (await topFrame(dc, threadId)).id, 'Kernel entry')).get('step'));
  try {
    // Forward: two hits of the function breakpoint.
    const first = await stopped;
    assert.equal(first.body.reason, 'function breakpoint');
    const firstStep = await step(first.body.threadId!);
    const again = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: first.body.threadId! });
    const second = await again;
    assert.ok((await step(second.body.threadId!)) > firstStep);
    // Backward: the previous hit, not the start of the recording.
    const back = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.reverseContinueRequest({ threadId: second.body.threadId! });
    const b = await back;
    assert.equal(b.body.reason, 'function breakpoint');
    assert.equal(await step(b.body.threadId!), firstStep);
    assert.match(await threadName(dc, b.body.threadId!), /^inet /);
  } finally {
    await dc.stop();
  }

  // The crash of S1 at one minute, caught by the exception filter; run on past it, then back.
  const crash = await launch({ scenario: 's1' }, (c) => c.setExceptionBreakpointsRequest({ filters: ['crash'] }));
  try {
    const caught = await crash.stopped;
    assert.equal(caught.body.reason, 'exception');
    assert.match(caught.body.description ?? '', /^Process crash: nic \(endpoint \d+\) crashed: /);
    const caughtStep = await (async () => Number((await scopeVariables(crash.dc, (await topFrame(crash.dc, caught.body.threadId!)).id, 'Kernel entry')).get('step')))();
    // On, to the restarted driver's first message to inet.
    await crash.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic -> *' }] });
    const later = crash.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await crash.dc.continueRequest({ threadId: caught.body.threadId! });
    const on = await later;
    assert.equal(on.body.reason, 'function breakpoint');
    await crash.dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const back = crash.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await crash.dc.reverseContinueRequest({ threadId: on.body.threadId! });
    const b = await back;
    assert.equal(b.body.reason, 'exception', 'back at the crash, not at the start');
    assert.match(b.body.description ?? '', /^Process crash: nic \(endpoint \d+\) crashed: /);
    assert.equal(Number((await scopeVariables(crash.dc, (await topFrame(crash.dc, b.body.threadId!)).id, 'Kernel entry')).get('step')), caughtStep);
  } finally {
    await crash.dc.stop();
  }
});

test('exception breakpoints: a kernel panic (s1 monolithic), a restart (s1) and an IOMMU fault (s3) each stop with what happened', async () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ scenario: 's1', configuration: 'monolithic' }, 'panic', /^Kernel panic: kernel panic in nic/],
    [{ scenario: 's1' }, 'restart', /^Service restart: the reincarnation server restarted nic \(restart 1;/],
    [{ scenario: 's3' }, 'iommu', /^IOMMU fault: IOMMU blocked a DMA write of \d+ bytes/],
  ];
  for (const [args, filter, expected] of cases) {
    const { dc, stopped, output } = await launch(args, (c) => c.setExceptionBreakpointsRequest({ filters: [filter] }));
    try {
      const e = await stopped;
      assert.equal(e.body.reason, 'exception', filter);
      assert.match(e.body.description ?? '', expected);
      // What stopped the session is also in the debug console.
      const said = e.body.description!.replace(/^[^:]*: /, '');
      assert.ok(output.some((o) => o.category === 'console' && o.text.includes(said)), `${said} in ${JSON.stringify(output)}`);
      if (filter === 'panic') {
        // A panicked kernel runs no further: continuing ends the session.
        const terminated = dc.waitForEvent('terminated');
        await dc.continueRequest({ threadId: e.body.threadId! });
        await terminated;
        assert.ok(output.some((o) => /the system cannot go on/.test(o.text)));
      }
    } finally {
      await dc.stop();
    }
  }
});

test('a workspace driver: refused in an untrusted workspace; trusted, its line breakpoint hits, and other files are not verified', async () => {
  const ws = mkdtempSync(join(dir, 'ws-'));
  writeFileSync(
    join(ws, 'echo.ts'),
    `import type { Sys } from 'microkernel-lab';
export function* main(sys: Sys) {
  const up = { value: 0 };
  for (;;) {
    yield sys.compute(1000);
    yield sys.sys_getuptime(up);
  }
}
`,
  );
  writeFileSync(join(ws, 'echo.conf'), 'service echo {\n  system BASIC;\n  ipc ALL;\n};\n');
  writeFileSync(join(ws, 'notes.ts'), 'export const x = 1;\n');
  writeFileSync(join(ws, 'mine.mklab.json'), JSON.stringify({ name: 'mine', system: 'default', configuration: 'microkernel-iommu', seed: 3, duration: '10s', userDrivers: ['echo.ts'] }));

  const untrusted = new DebugClient(process.execPath, adapter, 'microkernel', { env: { ...process.env, MKLAB_WORKSPACE_TRUSTED: '0' }, cwd: dir });
  await untrusted.start();
  try {
    await untrusted.initializeRequest();
    await assert.rejects(untrusted.launchRequest({ scenario: 'mine.mklab.json', cwd: ws } as DebugProtocol.LaunchRequestArguments), /runs workspace code \(userDrivers: echo\.ts\), and this workspace is not trusted/);
  } finally {
    await untrusted.stop();
  }

  let results: DebugProtocol.Breakpoint[][] = [];
  const { dc, stopped } = await launch({ scenario: 'mine.mklab.json', cwd: ws }, async (c) => {
    results = [
      (await c.setBreakpointsRequest({ source: { path: join(ws, 'echo.ts') }, breakpoints: [{ line: 6 }] })).body.breakpoints,
      (await c.setBreakpointsRequest({ source: { path: join(ws, 'notes.ts') }, breakpoints: [{ line: 1 }] })).body.breakpoints,
    ];
  });
  try {
    assert.equal(results[0]![0]!.verified, true);
    assert.equal(results[1]![0]!.verified, false);
    assert.match(results[1]![0]!.message ?? '', /notes\.ts is not the source of a driver, service or program this system runs \(.*echo\.ts/);
    const e = await stopped;
    assert.equal(e.body.reason, 'breakpoint');
    assert.match(await threadName(dc, e.body.threadId!), /^echo /);
    const frame = await topFrame(dc, e.body.threadId!);
    assert.equal(frame.source?.path, join(ws, 'echo.ts'));
    assert.equal(frame.line, 6);
    assert.equal(frame.name, 'GETINFO (kernel call)');
  } finally {
    await dc.stop();
  }
});

test('breakpoints set before launch are checked once the system boots, the client told of each, and they hit', async () => {
  const copyLine = nicLine('yield sys.sys_safecopyfrom(m.source');
  const dc = new DebugClient(process.execPath, adapter, 'microkernel', { env: { ...process.env, NODE_OPTIONS: '--enable-source-maps', MKLAB_WORKSPACE_TRUSTED: '1' }, cwd: dir });
  dc.defaultTimeout = 60_000;
  await dc.start();
  try {
    await dc.initializeRequest();
    const line = (await dc.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine }] })).body.breakpoints[0]!;
    const fns = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'inet -> DL_WRITEV_S' }, { name: 'nosuch <- DL_WRITEV_S' }] })).body.breakpoints;
    for (const b of [line, ...fns]) {
      assert.equal(b.verified, false);
      assert.equal(b.message, 'checked when the system boots');
    }
    const changed: DebugProtocol.Breakpoint[] = [];
    dc.on('breakpoint', (e: DebugProtocol.BreakpointEvent) => changed.push(e.body.breakpoint));
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest({ scenario: 's1' } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    const byId = new Map(changed.map((b) => [b.id, b]));
    assert.equal(byId.get(line.id)?.verified, true);
    assert.equal(byId.get(line.id)?.line, copyLine);
    assert.equal(byId.get(fns[0]!.id)?.verified, true);
    assert.equal(byId.get(fns[1]!.id)?.verified, false);
    assert.match(byId.get(fns[1]!.id)?.message ?? '', /^no process or program 'nosuch' in this system \(.*\bnic\b/);
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.configurationDoneRequest();
    const e = await stopped;
    // inet's first write request to nic comes before nic copies its packet: the function breakpoint set before launch hits first.
    assert.equal(e.body.reason, 'function breakpoint');
    assert.deepEqual(e.body.hitBreakpointIds, [fns[0]!.id]);
    const next = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.continueRequest({ threadId: e.body.threadId! });
    const hit = await next;
    assert.equal(hit.body.reason, 'breakpoint');
    assert.deepEqual(hit.body.hitBreakpointIds, [line.id]);
  } finally {
    await dc.stop();
  }
});

test('a request the adapter fails on answers with an error the editor shows, and the debug console has its stack', async () => {
  const { dc, stopped, output } = await launch({ scenario: 's1', stopOnEntry: true });
  try {
    await stopped;
    await assert.rejects(dc.setBreakpointsRequest({} as DebugProtocol.SetBreakpointsArguments), /^Error: Microkernel Lab debugger: 'setBreakpoints' failed: .*undefined/);
    assert.ok(output.some((o) => o.category === 'stderr' && /'setBreakpoints' failed: [^\n]*\n\s*\S+.*adapter\.ts/s.test(o.text)), JSON.stringify(output));
    // The session goes on.
    assert.ok((await dc.threadsRequest()).body.threads.length > 0);
  } finally {
    await dc.stop();
  }
});

test('a campaign trial opens stopped just before its fault, on the target\'s thread; continued, the fault strikes as it did in the campaign', async () => {
  const { dc, stopped } = await launch({ trial: 'microkernel-iommu:nic:crash:1:00000001' }, (c) => c.setExceptionBreakpointsRequest({ filters: ['crash'] }));
  try {
    const before = await stopped;
    assert.equal(before.body.reason, 'breakpoint');
    // `mklab replay` of this trial says: armed at 1.033395 s, struck at 1.100009 s.
    assert.match(before.body.description ?? '', /^Before the fault: the trial arms crash in nic now, at 1\.03\d* s; it strikes at nic's next step$/);
    assert.match(await threadName(dc, before.body.threadId!), /^nic \(endpoint \d+\)$/);
    const crashed = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await dc.continueRequest({ threadId: before.body.threadId! });
    const e = await crashed;
    assert.equal(e.body.reason, 'exception');
    assert.match(e.body.description ?? '', /^Process crash: nic \(endpoint \d+\) crashed.*injected fault: crash \(#0\)/);
  } finally {
    await dc.stop();
  }
});

test('a trial id is checked like any launch argument, and nothing else may say what the id fixes', async () => {
  const dc = new DebugClient(process.execPath, adapter, 'microkernel', { env: { ...process.env, MKLAB_WORKSPACE_TRUSTED: '1' }, cwd: dir });
  dc.defaultTimeout = 60_000;
  await dc.start();
  try {
    await dc.initializeRequest();
    await assert.rejects(dc.launchRequest({ trial: 'microkernel:nic:melt:1:00000001' } as DebugProtocol.LaunchRequestArguments), /"trial": trial id 'microkernel:nic:melt:1:00000001': unknown fault type 'melt'/);
    await assert.rejects(dc.launchRequest({ trial: 'microkernel:nic:crash:1:00000001', seed: 4 } as DebugProtocol.LaunchRequestArguments), /"seed" cannot be given with "trial": the trial's id fixes its system, configuration and seed/);
  } finally {
    await dc.stop();
  }
});

test('conditions and hit counts: forward and reverse continue stop only where both say so, and a bad one is refused', async () => {
  // The first four hits of the IPC breakpoint, unconditioned.
  const plain = await launch({ scenario: 's1' }, (c) => c.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic <- DL_WRITEV_S' }] }));
  const hitSteps: number[] = [];
  try {
    let e = await plain.stopped;
    hitSteps.push(await entryStep(plain.dc, e.body.threadId!));
    for (let i = 0; i < 3; i++) {
      e = await cont(plain.dc, e.body.threadId!);
      hitSteps.push(await entryStep(plain.dc, e.body.threadId!));
    }
  } finally {
    await plain.dc.stop();
  }
  assert.equal(new Set(hitSteps).size, 4);

  // Every second hit: forward to hits 2 and 4; back to hit 2, not 3.
  let bps: DebugProtocol.Breakpoint[] = [];
  const every2 = await launch({ scenario: 's1' }, async (c) => {
    bps = (await c.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic <- DL_WRITEV_S', hitCondition: '% 2' }, { name: 'nic -> *', condition: 'type ==' }] })).body.breakpoints;
  });
  try {
    assert.equal(bps[0]?.verified, true);
    assert.equal(bps[1]?.verified, false);
    assert.match(bps[1]?.message ?? '', /^condition 'type ==': Unexpected token at column 8/);
    const second = await every2.stopped;
    assert.equal(second.body.reason, 'function breakpoint');
    assert.equal(await entryStep(every2.dc, second.body.threadId!), hitSteps[1]);
    const fourth = await cont(every2.dc, second.body.threadId!);
    assert.equal(await entryStep(every2.dc, fourth.body.threadId!), hitSteps[3]);
    const back = await cont(every2.dc, fourth.body.threadId!, true);
    assert.equal(back.body.reason, 'function breakpoint');
    assert.equal(await entryStep(every2.dc, back.body.threadId!), hitSteps[1], 'reverse continue counts hits as forward does');
    // On from there, the count is that of the timeline shown: hit 4 again, not hit 3.
    const again = await cont(every2.dc, back.body.threadId!);
    assert.equal(await entryStep(every2.dc, again.body.threadId!), hitSteps[3]);
  } finally {
    await every2.dc.stop();
  }

  // A condition on the message the entry sends: only the hits whose step is past the second, as the condition says.
  const conditioned = await launch({ scenario: 's1' }, (c) =>
    c.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic <- DL_WRITEV_S', condition: `type == DL_WRITEV_S && to == "nic" && step > ${hitSteps[1]}` }] }),
  );
  try {
    const third = await conditioned.stopped;
    assert.equal(await entryStep(conditioned.dc, third.body.threadId!), hitSteps[2]);
    const fourth = await cont(conditioned.dc, third.body.threadId!);
    assert.equal(await entryStep(conditioned.dc, fourth.body.threadId!), hitSteps[3]);
    // Backwards the condition holds as forward: hit 3, and then nothing earlier (the start of the recording).
    const back = await cont(conditioned.dc, fourth.body.threadId!, true);
    assert.equal(await entryStep(conditioned.dc, back.body.threadId!), hitSteps[2]);
    const start = await cont(conditioned.dc, back.body.threadId!, true);
    assert.equal(start.body.reason, 'entry');
  } finally {
    await conditioned.dc.stop();
  }
});

test('a line breakpoint\'s condition reads the request the driver is handling, and its hit count counts from when it was set', async () => {
  const copyLine = nicLine('yield sys.sys_safecopyfrom(m.source');
  // The line's first four hits, unconditioned.
  const plain = await launch({ scenario: 's1' }, (c) => c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine }] }));
  const hitSteps: number[] = [];
  try {
    let e = await plain.stopped;
    hitSteps.push(await entryStep(plain.dc, e.body.threadId!));
    for (let i = 0; i < 3; i++) {
      e = await cont(plain.dc, e.body.threadId!);
      hitSteps.push(await entryStep(plain.dc, e.body.threadId!));
    }
  } finally {
    await plain.dc.stop();
  }
  // The driver copies a packet while handling inet's DL_WRITEV_S: the condition on that request holds at each hit.
  const { dc, stopped } = await launch({ scenario: 's1' }, (c) =>
    c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine, condition: 'caller == "nic" && r.type == DL_WRITEV_S && r.source != 0' }] }),
  );
  try {
    const first = await stopped;
    assert.equal(first.body.reason, 'breakpoint');
    assert.equal(await entryStep(dc, first.body.threadId!), hitSteps[0]);
    const second = await cont(dc, first.body.threadId!);
    assert.equal(await entryStep(dc, second.body.threadId!), hitSteps[1]);
    // Set again with a hit count of 2: hits count from now, so the third hit is its first, and it stops at the fourth.
    await dc.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine, hitCondition: '2' }] });
    const fourth = await cont(dc, second.body.threadId!);
    assert.equal(fourth.body.reason, 'breakpoint');
    assert.equal(await entryStep(dc, fourth.body.threadId!), hitSteps[3]);
    // Backwards, the third hit is still its first (no stop), and the hits before it was set do not count: back to the start.
    const back = await cont(dc, fourth.body.threadId!, true);
    assert.equal(back.body.reason, 'entry');
  } finally {
    await dc.stop();
  }
  // A condition that never holds at that line never stops there: the first stop is the twentieth DL_WRITEV_S sent to nic,
  // past many hits of the line.
  const never = await launch({ scenario: 's1' }, async (c) => {
    await c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine, condition: 'r.type == 0x7fff' }] });
    await c.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'nic <- DL_WRITEV_S', hitCondition: '20' }] });
  });
  try {
    const e = await never.stopped;
    assert.equal(e.body.reason, 'function breakpoint');
    assert.ok((await entryStep(never.dc, e.body.threadId!)) > hitSteps[3]!);
  } finally {
    await never.dc.stop();
  }
});

/** Runs a built-in scenario for `seconds` and saves its trace as `mklab run --trace` does. */
async function recordTrace(name: string, configuration: string, seconds: number): Promise<string> {
  const { bootScenario, builtinScenario } = await import('../../../simulator/system/scenarios');
  const { encodeTrace } = await import('../../../simulator/trace/traceFile');
  const { secondsToCycles } = await import('../../../simulator/time/time');
  const system = bootScenario(builtinScenario(name), { configuration: configuration as never });
  system.run({ untilCycles: secondsToCycles(seconds, system.clockHz) });
  const meta = { scenario: name, configuration: system.configuration, seed: system.options.seed, costProfile: system.sim.cost.name, clockHz: system.clockHz, endpointNames: {} };
  const file = join(dir, `${name}-${configuration}.mktrace`);
  writeFileSync(file, encodeTrace(system.sim.trace, meta));
  return file;
}

test('a saved trace opens in the debugger at its failure, ready to step back: a crash (s1) and memory overwritten by DMA (s3 without an IOMMU)', async () => {
  const crashTrace = await recordTrace('s1', 'microkernel-iommu', 70);
  // No exception filter is set: the stop is the trace's failure happening again.
  const crash = await launch({ trace: crashTrace });
  try {
    const e = await crash.stopped;
    assert.equal(e.body.reason, 'exception');
    assert.match(e.body.description ?? '', /^Process crash: nic \(endpoint \d+\) crashed: .* \(s1-microkernel-iommu\.mktrace recorded it at 1 min/);
    const before = Number((await scopeVariables(crash.dc, (await topFrame(crash.dc, e.body.threadId!)).id, 'Kernel entry')).get('step'));
    const back = crash.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await crash.dc.stepBackRequest({ threadId: e.body.threadId! });
    const b = await back;
    assert.ok(Number((await scopeVariables(crash.dc, (await topFrame(crash.dc, b.body.threadId!)).id, 'Kernel entry')).get('step')) < before);
  } finally {
    await crash.dc.stop();
  }
  const dmaTrace = await recordTrace('s3', 'microkernel', 0.5);
  const dma = await launch({ trace: dmaTrace });
  try {
    const e = await dma.stopped;
    assert.equal(e.body.reason, 'exception');
    assert.match(e.body.description ?? '', /^Memory overwritten by DMA: disk\w*'s DMA overwrote the kernel's memory at 0x8000 \(\d+ bytes\): no IOMMU stopped it \(s3-microkernel\.mktrace recorded it at 300/);
  } finally {
    await dma.dc.stop();
  }
});

test('the Memory overwritten by DMA exception breakpoint stops S3 without an IOMMU; a trace without a failure, or with overrides, is refused', async () => {
  const s3 = await launch({ scenario: 's3', configuration: 'microkernel' }, (c) => c.setExceptionBreakpointsRequest({ filters: ['corruption'] }));
  try {
    const e = await s3.stopped;
    assert.equal(e.body.reason, 'exception');
    assert.match(e.body.description ?? '', /^Memory overwritten by DMA: disk\w*'s DMA overwrote the kernel's memory at 0x8000/);
  } finally {
    await s3.dc.stop();
  }
  const quiet = await recordTrace('s1', 'microkernel-iommu', 5);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ trace: quiet }, /"trace": .*s1-microkernel-iommu\.mktrace records no failure .*launch its scenario 's1'/],
    [{ trace: quiet, seed: 4 }, /"seed" cannot be given with "trace"/],
    [{ trace: join(dir, 'missing.mktrace') }, /"trace": cannot read the trace file .*missing\.mktrace/],
    [{ trace: 5 }, /"trace" must be the path of a trace file/],
  ];
  for (const [args, message] of refused) {
    const dc = new DebugClient(process.execPath, adapter, 'microkernel', { cwd: dir });
    await dc.start();
    try {
      await dc.initializeRequest({ adapterID: 'microkernel', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      await assert.rejects(dc.launchRequest({ type: 'microkernel', request: 'launch', name: 'bad', ...args } as DebugProtocol.LaunchRequestArguments), message);
    } finally {
      await dc.stop();
    }
  }
});

test('a data breakpoint on the kernel\'s memory catches S3\'s DMA write without an IOMMU, forward and, set late, backwards', async () => {
  // S3 aims disk's DMA at physical 0x8000, the kernel's memory, at 300 ms; without an IOMMU nothing stops it.
  let info: DebugProtocol.DataBreakpointInfoResponse | undefined;
  const s3 = await launch({ scenario: 's3', configuration: 'microkernel' }, async (c) => {
    info = await c.dataBreakpointInfoRequest({ name: '0x8000', asAddress: true, bytes: 16 });
    await c.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
  });
  try {
    assert.equal(info?.body.dataId, 'phys:32768:16');
    assert.equal(info?.body.description, 'physical memory 0x8000 (16 bytes)');
    const e = await s3.stopped;
    assert.equal(e.body.reason, 'data breakpoint');
    assert.match(e.body.description ?? '', /^Data breakpoint: physical memory 0x8000 \(16 bytes\) changed from [0-9a-f ]+ to [0-9a-f ]+, written by disk\w*'s DMA$/);
    const time = (await scopeVariables(s3.dc, (await topFrame(s3.dc, e.body.threadId!)).id, 'Kernel entry')).get('time') ?? '';
    assert.match(time, /^300(\.\d+)? ms/);
  } finally {
    await s3.dc.stop();
  }
  // Backwards: stopped later (at the second DMA, into vfs), a data breakpoint set there finds the earlier write.
  const later = await launch({ scenario: 's3', configuration: 'microkernel' }, (c) => c.setExceptionBreakpointsRequest({ filters: ['corruption'] }));
  try {
    const first = await later.stopped;
    assert.match(first.body.description ?? '', /overwrote the kernel's memory/);
    const next = later.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await later.dc.continueRequest({ threadId: first.body.threadId! });
    const second = await next;
    assert.match(second.body.description ?? '', /overwrote vfs's memory/);
    await later.dc.setExceptionBreakpointsRequest({ filters: [] });
    const id = (await later.dc.dataBreakpointInfoRequest({ name: '32768', asAddress: true, bytes: 16 })).body.dataId!;
    await later.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: id }] });
    const back = later.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await later.dc.reverseContinueRequest({ threadId: second.body.threadId! });
    const b = await back;
    assert.equal(b.body.reason, 'data breakpoint');
    assert.match(b.body.description ?? '', /written by disk\w*'s DMA$/);
    // Bad addresses are refused with why.
    const bad = await later.dc.dataBreakpointInfoRequest({ name: 'kernel', asAddress: true });
    assert.equal(bad.body.dataId, null);
    assert.match(bad.body.description, /expected a physical address/);
    const past = await later.dc.dataBreakpointInfoRequest({ name: '0xffffffff', asAddress: true, bytes: 4 });
    assert.match(past.body.description, /past the end of physical memory/);
  } finally {
    await later.dc.stop();
  }
});

/** The events of a built-in scenario's first `seconds`, as the trace view holds them: seq, time, kind, source and destination names. */
async function tracedEvents(name: string, configuration: string, seconds: number) {
  const { bootScenario, builtinScenario } = await import('../../../simulator/system/scenarios');
  const { secondsToCycles } = await import('../../../simulator/time/time');
  const system = bootScenario(builtinScenario(name), { configuration: configuration as never });
  system.run({ untilCycles: secondsToCycles(seconds, system.clockHz) });
  const names = new Map(system.sim.processes().map((p) => [p.endpoint, p.name]));
  const trace = system.sim.trace;
  const events = [];
  for (let seq = trace.firstSeq; seq < trace.endSeq; seq++) {
    const e = trace.get(seq);
    events.push({ seq, timeCycles: e.timeCycles, kind: e.kind, kindName: e.kindName, src: names.get(e.src), dst: names.get(e.dst), type: e.a });
  }
  return { events, seed: system.options.seed };
}

test('"Debug from here": a launch at a trace event stops at the kernel entry that sent it, its message in Variables; the session moves back and forth between events', async () => {
  const { events, seed } = await tracedEvents('s1', 'microkernel-iommu', 0.2);
  const sends = events.filter((e) => e.kindName === 'ipcSend' && e.src === 'inet' && e.dst === 'nic');
  assert.ok(sends.length >= 3, `inet sent nic ${sends.length} messages in 200 ms`);
  const later = sends[sends.length - 1]!;
  const earlier = sends[0]!;
  const positions: Record<string, unknown>[] = [];
  // Heard from before the configuration is done: the first stop may come at once.
  const s = await launch({ scenario: 's1', configuration: 'microkernel-iommu', event: { seq: later.seq, timeCycles: later.timeCycles, kind: later.kind } }, async (dc) =>
    dc.on('microkernelLab.debugPosition', (e: DebugProtocol.Event) => positions.push(e.body as Record<string, unknown>)),
  );
  try {
    const e = await s.stopped;
    assert.equal(e.body.reason, 'goto');
    assert.match(await threadName(s.dc, e.body.threadId!), /^inet \(endpoint \d+\)$/);
    assert.match(e.body.description ?? '', new RegExp(`^Trace event #${later.seq}: ipcSend inet → nic at [\\d.]+ ms: inet's kernel entry that made it$`));
    const frame = await topFrame(s.dc, e.body.threadId!);
    const message = await scopeVariables(s.dc, frame.id, 'Message');
    assert.match(message.get('type') ?? '', new RegExp(`\\(0x${later.type.toString(16)}\\)$`));
    assert.equal(message.get('to')?.replace(/ \(endpoint \d+\)$/, ''), 'nic');
    const entry = await scopeVariables(s.dc, frame.id, 'Kernel entry');
    assert.match(entry.get('call') ?? '', /SEND/);
    // The stop is just before the send: the trace's end is the event's own number, and the time its time, or before.
    await waitFor(() => positions.length > 0);
    const at = positions[positions.length - 1]!;
    assert.deepEqual(at['system'], { scenario: 's1', configuration: 'microkernel-iommu', seed });
    assert.equal(at['eventSeq'], later.seq);
    assert.equal(at['process'], 'inet');
    assert.ok((at['traceSeq'] as number) <= later.seq && (at['nowCycles'] as number) <= later.timeCycles, JSON.stringify(at));
    // A step on: the send has happened.
    const stepped = s.dc.waitForEvent('stopped');
    await s.dc.nextRequest({ threadId: e.body.threadId! });
    await stepped;
    await waitFor(() => (positions[positions.length - 1]!['traceSeq'] as number) > later.seq);
    // Back to an earlier send (a replay), then forward past where the session has been.
    const back = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    // Counted before the request: the position comes right after the stop, possibly before the test sees the stop.
    const beforeEarlier = positions.length;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: earlier.seq, timeCycles: earlier.timeCycles, kind: earlier.kind, system: { scenario: 's1', configuration: 'microkernel-iommu', seed } });
    const b = await back;
    assert.match(b.body.description ?? '', new RegExp(`^Trace event #${earlier.seq}: ipcSend inet → nic .*inet's kernel entry that made it$`));
    await waitFor(() => positions.length > beforeEarlier);
    assert.ok((positions[positions.length - 1]!['traceSeq'] as number) <= earlier.seq);
    // Another system's event is refused, and says which system this session debugs.
    await assert.rejects(
      s.dc.customRequest('microkernelLab.goToEvent', { seq: 10, system: { scenario: 's2', configuration: 'microkernel-iommu', seed } }),
      new RegExp(`this session debugs s1 \\(microkernel-iommu, seed ${seed}\\), not s2`),
    );
  } finally {
    await s.dc.stop();
  }
  // An event the run does not have where the trace says: the stop says the runs differ.
  const wrong = await launch({ scenario: 's1', configuration: 'microkernel-iommu', event: { seq: later.seq, timeCycles: later.timeCycles + 1, kind: later.kind } });
  try {
    const e = await wrong.stopped;
    assert.match(e.body.description ?? '', /this run differs from the traced one, whose event #\d+ is ipcSend at /);
  } finally {
    await wrong.dc.stop();
  }
  // A bad "event" is refused with what was expected.
  const dc = new DebugClient(process.execPath, adapter, 'microkernel', { cwd: dir });
  await dc.start();
  try {
    await dc.initializeRequest({ adapterID: 'microkernel', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    await assert.rejects(dc.launchRequest({ type: 'microkernel', request: 'launch', name: 'bad', scenario: 's1', event: { seq: -1 } } as DebugProtocol.LaunchRequestArguments), /"event.seq" must be a sequence number/);
  } finally {
    await dc.stop();
  }
});

async function waitFor(test: () => boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error('waited in vain');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('forward again over history the session has seen: the same stops at the same lines, every thread where it was', async () => {
  const copyLine = nicLine('yield sys.sys_safecopyfrom(m.source');
  const { dc, stopped } = await launch({ scenario: 's1' }, (c) => c.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: copyLine }] }));
  try {
    const first = await stopped;
    const firstStep = await entryStep(dc, first.body.threadId!);
    const second = await cont(dc, first.body.threadId!);
    const secondStep = await entryStep(dc, second.body.threadId!);
    const third = await cont(dc, second.body.threadId!);
    const thirdStep = await entryStep(dc, third.body.threadId!);
    const seen = await threadFrames(dc);
    assert.equal((await topFrame(dc, third.body.threadId!)).line, copyLine);
    // Back two hits, then forward over them again: the history was logged, and going forward retakes it from the log.
    let e = await cont(dc, third.body.threadId!, true);
    e = await cont(dc, e.body.threadId!, true);
    assert.equal(await entryStep(dc, e.body.threadId!), firstStep);
    e = await cont(dc, e.body.threadId!);
    assert.equal(e.body.reason, 'breakpoint');
    assert.equal(await entryStep(dc, e.body.threadId!), secondStep);
    assert.equal((await topFrame(dc, e.body.threadId!)).line, copyLine);
    e = await cont(dc, e.body.threadId!);
    assert.equal(await entryStep(dc, e.body.threadId!), thirdStep);
    assert.deepEqual(await threadFrames(dc), seen);
    // Past the history seen, the line still stops the run: locations are captured again.
    e = await cont(dc, e.body.threadId!);
    assert.equal(e.body.reason, 'breakpoint');
    assert.ok((await entryStep(dc, e.body.threadId!)) > thirdStep);
    assert.equal((await topFrame(dc, e.body.threadId!)).line, copyLine);
  } finally {
    await dc.stop();
  }
});

test('a history kept to its last historyEntries kernel entries: going back replays to the very entry, and before the history a re-execution from boot still reaches it', async () => {
  // 1,000 entries kept; trace event #15,000 is some 5,000 entries in, so the oldest have gone (twice over).
  const s = await launch({ scenario: 's1', historyEntries: 1000, event: 15_000 });
  try {
    const e = await s.stopped;
    assert.equal(e.body.reason, 'goto');
    const at = await entryStep(s.dc, e.body.threadId!);
    const where = (await topFrame(s.dc, e.body.threadId!)).line;
    // Back one entry: the replay from boot locates the entries before the history by capturing, those in it from the log.
    const back = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.stepBackRequest({ threadId: e.body.threadId! });
    const b = await back;
    assert.ok((await entryStep(s.dc, b.body.threadId!)) < at);
    assert.ok((await topFrame(s.dc, b.body.threadId!)).source?.path !== undefined, 'the frame after going back has its source');
    // Every thread has its frame, those of processes that have waited since before the history included (the
    // re-execution captured nothing there: the history keeps each process's last forgotten entry).
    for (const [name, at] of Object.entries(await threadFrames(s.dc))) assert.match(at, /\.ts:[1-9]\d*$/, `${name}'s frame`);
    // And forward again to the same event: the same entry, at the same line.
    const again = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 15_000 });
    const a = await again;
    assert.equal(await entryStep(s.dc, a.body.threadId!), at);
    assert.equal((await topFrame(s.dc, a.body.threadId!)).line, where);

    // A process whose last kernel entry is older than the 1,000 kept (it waits since early on): Step Back on its
    // thread goes to that entry, found and reached by re-executing from boot, at the step and line its frame shows.
    const waiting: { id: number; time: string; cycle: number; line: number; name: string }[] = [];
    for (const t of (await s.dc.threadsRequest()).body.threads) {
      const st = await s.dc.stackTraceRequest({ threadId: t.id });
      const top = st.body.stackFrames[0];
      if (top === undefined) continue;
      const time = (await scopeVariables(s.dc, top.id, 'Kernel entry')).get('time') ?? '';
      const cycle = /\(cycle (\d+)\)$/.exec(time);
      if (cycle !== null) waiting.push({ id: t.id, time, cycle: Number(cycle[1]), line: top.line, name: t.name });
    }
    waiting.sort((x, y) => x.cycle - y.cycle);
    const oldest = waiting[0]!;
    const stepped = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.stepBackRequest({ threadId: oldest.id });
    const o = await stepped;
    assert.equal(await threadName(s.dc, o.body.threadId!), oldest.name);
    const there = await topFrame(s.dc, o.body.threadId!);
    assert.equal((await scopeVariables(s.dc, there.id, 'Kernel entry')).get('time'), oldest.time);
    assert.equal(there.line, oldest.line);

    // An event older than the history: reached the same way, at the entry a session that kept everything reaches.
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 15_000 });
    await s.dc.waitForEvent('stopped');
    const early = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 300 });
    const r = await early;
    assert.equal(r.body.reason, 'goto');
    assert.match(r.body.description ?? '', /^Trace event #300: /);
    const early300 = { step: await entryStep(s.dc, r.body.threadId!), line: (await topFrame(s.dc, r.body.threadId!)).line, name: await threadName(s.dc, r.body.threadId!) };
    const whole = await launch({ scenario: 's1', event: 300 });
    try {
      const w = await whole.stopped;
      assert.deepEqual(early300, { step: await entryStep(whole.dc, w.body.threadId!), line: (await topFrame(whole.dc, w.body.threadId!)).line, name: await threadName(whole.dc, w.body.threadId!) });
    } finally {
      await whole.dc.stop();
    }
    // From there forward again to #15,000: the same entry and line as at first.
    const forward = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 15_000 });
    const f = await forward;
    assert.equal(await entryStep(s.dc, f.body.threadId!), at);
    assert.equal((await topFrame(s.dc, f.body.threadId!)).line, where);
    // Reverse Continue to a breakpoint hit only before the history (nic sets its interrupt policy once, at start):
    // the search from boot finds it, and the rewind stops there.
    const initLine = nicLine('yield sys.sys_irqsetpolicy(irq, IRQ_REENABLE, hook)');
    await s.dc.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [{ line: initLine }] });
    const hit = await cont(s.dc, f.body.threadId!, true);
    assert.equal(hit.body.reason, 'breakpoint');
    assert.match(await threadName(s.dc, hit.body.threadId!), /^nic \(endpoint \d+\)$/);
    assert.equal((await topFrame(s.dc, hit.body.threadId!)).line, initLine);
    await s.dc.setBreakpointsRequest({ source: { path: NIC }, breakpoints: [] });
    // With nothing to stop at on the way, Reverse Continue goes back to the run's first kernel entry: the reincarnation server's.
    const first = await cont(s.dc, hit.body.threadId!, true);
    assert.equal(first.body.description, 'The first kernel entry (the start of the recording)');
    assert.match(await threadName(s.dc, first.body.threadId!), /^rs \(endpoint \d+\)$/);
  } finally {
    await s.dc.stop();
  }
  // A history too small to be of use is refused with the range.
  const dc = new DebugClient(process.execPath, adapter, 'microkernel', { cwd: dir });
  await dc.start();
  try {
    await dc.initializeRequest({ adapterID: 'microkernel', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    await assert.rejects(
      dc.launchRequest({ type: 'microkernel', request: 'launch', name: 'bad', scenario: 's1', historyEntries: 10 } as DebugProtocol.LaunchRequestArguments),
      /"historyEntries" must be a whole number of kernel entries from 1000 to 50000000, got 10/,
    );
    await assert.rejects(
      dc.launchRequest({ type: 'microkernel', request: 'launch', name: 'bad', scenario: 's1', restorePoints: 17 } as DebugProtocol.LaunchRequestArguments),
      /"restorePoints" must be a whole number from 0 to 16, got 17/,
    );
  } finally {
    await dc.stop();
  }
});

/** The adapter's peak resident memory, in MiB, from Linux's /proc (the client keeps the process in a field of its own). */
function adapterPeakMiB(dc: DebugClient): number {
  const pid = (dc as unknown as { _adapterProcess?: { pid?: number } })._adapterProcess?.pid;
  assert.ok(pid !== undefined, 'the adapter runs as a process');
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m !== null, 'the process reports its peak memory');
  return Number(m[1]) / 1024;
}

/** The simulated time of the stopped thread's kernel entry, in minutes, as the Kernel entry scope gives it (`1.03 h (cycle N)`, or min, s, ms). */
async function entryMinutes(dc: DebugClient, stop: DebugProtocol.StoppedEvent): Promise<number> {
  const time = (await scopeVariables(dc, (await topFrame(dc, stop.body.threadId!)).id, 'Kernel entry')).get('time') ?? '';
  const m = /^([\d.]+) (h|min|s|ms) \(cycle \d+\)$/.exec(time);
  assert.ok(m !== null, time);
  return Number(m[1]) * { h: 60, min: 1, s: 1 / 60, ms: 1 / 60_000 }[m[2] as 'h' | 'min' | 's' | 'ms'];
}

test('a moment an hour back is reached, at the very state, while the history stays at 50,000 entries and the adapter under its memory bound', async () => {
  // S1 records some 38,000 trace events a minute: #2,369,000 is past 61 min, #39,000 within the first minute.
  const s = await launch({ scenario: 's1', historyEntries: 50_000, event: 2_369_000 }, undefined, true, {}, 300_000);
  try {
    const late = await s.stopped;
    const from = await entryMinutes(s.dc, late);
    const back = s.dc.waitForEvent('stopped', 120_000) as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 39_000 });
    const early = await back;
    assert.equal(early.body.reason, 'goto');
    const to = await entryMinutes(s.dc, early);
    assert.ok(from - to >= 60, `an hour back: from ${from.toFixed(1)} min to ${to.toFixed(1)} min`);
    // The very state a session that went straight there has: the same process, line, step and state digest.
    // Every other thread where it waits, at its own last kernel entry's line, as that session shows them.
    const there = (await stoppedState(s.dc, early)).state;
    assert.ok(Object.keys(there.threads).length >= 8, JSON.stringify(there.threads));
    for (const [name, at] of Object.entries(there.threads)) assert.match(at, /\.ts:\d+$/, `${name}'s frame has its source line`);
    const direct = await launch({ scenario: 's1', event: 39_000 });
    try {
      assert.deepEqual(there, (await stoppedState(direct.dc, await direct.stopped)).state);
    } finally {
      await direct.dc.stop();
    }
    // Memory: the history is 50,000 entries of 24 bytes, and the trace a ring, so nothing grows with the hour run,
    // nor with going back beyond the history. The bound is ARCHITECTURE.md's (283-348 MiB measured over this stop's runs).
    const peak = adapterPeakMiB(s.dc);
    console.log(`[dap] ${from.toFixed(1)} min back to ${to.toFixed(1)} min; the adapter's peak memory ${peak.toFixed(0)} MiB`);
    assert.ok(peak < 512, `the adapter's peak memory: ${peak.toFixed(0)} MiB`);
  } finally {
    await s.dc.stop();
  }
});

test('restore points: made while the session is stopped, a replay starts from the latest one before its target and reaches the very state a replay from boot reaches', async () => {
  // Trace event #950,000 is some 25 min into S1, past kernel entry 250,000: a restore point is wanted there.
  const s = await launch({ scenario: 's1', event: 950_000 }, undefined, true, {}, 300_000);
  try {
    const a = await s.stopped;
    const there = await stoppedState(s.dc, a);
    assert.equal(there.vars.get('last replay from'), 'boot');
    // Forward a little; stopped, the session makes its restore point in the background, and says when it is ready.
    const b = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 960_000 });
    const later = await b;
    const deadline = Date.now() + 120_000;
    let ready = '';
    while (!/^kernel entry 250,000 \(/.test(ready)) {
      assert.ok(Date.now() < deadline, `no restore point ready: ${ready}`);
      await new Promise((r) => setTimeout(r, 250));
      ready = (await scopeVariables(s.dc, (await topFrame(s.dc, later.body.threadId!)).id, 'Kernel entry')).get('restore points') ?? '';
    }
    // Back to the first event: the replay starts from the restore point, and lands at the very same state.
    const c = s.dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await s.dc.customRequest('microkernelLab.goToEvent', { seq: 950_000 });
    const back = await stoppedState(s.dc, await c);
    assert.match(back.vars.get('last replay from') ?? '', /^the restore point at kernel entry 250,000 \([\d.]+ min\)$/);
    assert.deepEqual(back.state, there.state);
  } finally {
    await s.dc.stop();
  }
});
