// The benchmark's page: a fake VS Code host around the trace view's real
// webview bundle. It answers the view's requests from engineWorker.ts (the real
// query engine over a million events) exactly as the extension forwards them.
import type { TraceRequests } from '../../simulator/protocol/traceProtocol';
import { hostEndpoint, type Envelope } from '../../webview/protocol/rpc';
import type { TraceViewProtocol } from '../../webview/protocol/traceViewProtocol';
import { TRACE_VIEW_MARKUP } from '../../webview/trace/markup';

interface BenchGlobals {
  __bench?: { ready: boolean; events: number; buildMs: number; runMs: number; indexMs: number; lanes: number; viewStartedMs: number; error?: string; rendered: number };
  acquireVsCodeApi?: () => unknown;
}
const g = globalThis as BenchGlobals;
const events = new URL(location.href).searchParams.get('events') ?? '1000000';
const worker = new Worker(`engineWorker.js?events=${events}`);
let nextId = 1;
const pending = new Map<number, (m: { ok: boolean; result?: unknown; error?: string }) => void>();

function ask(method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, method, params });
  });
}

/** The engine's answer, or its error thrown, as the extension's forwarding would. */
async function answer<M extends 'traceInfo' | 'traceWindow'>(method: M, params: TraceRequests[M]['params']): Promise<TraceRequests[M]['result']> {
  const r = await ask(method, params);
  if (!r.ok) throw new Error(r.error ?? `the benchmark's host could not answer '${method}'`);
  // The engine worker answers with the trace protocol's own types (engineWorker.ts).
  return r.result as TraceRequests[M]['result'];
}

worker.onmessage = (e: MessageEvent) => {
  const m = e.data as { id?: number; ready?: boolean; ok: boolean; events: number; buildMs: number; runMs: number; indexMs: number; lanes: number };
  if (m.ready) {
    g.__bench = { ready: true, events: m.events, buildMs: m.buildMs, runMs: m.runMs, indexMs: m.indexMs, lanes: m.lanes, viewStartedMs: 0, rendered: 0 };
    startView();
    return;
  }
  const resolve = pending.get(m.id!);
  pending.delete(m.id!);
  resolve?.(m);
};
worker.onerror = (e) => {
  g.__bench = { ready: false, events: 0, buildMs: 0, runMs: 0, indexMs: 0, lanes: 0, viewStartedMs: 0, rendered: 0, error: e.message };
};

function startView(): void {
  let state: unknown;
  // The view posts through acquireVsCodeApi() and hears the host's messages on its window, as in VS Code.
  let deliver: (m: unknown) => void = () => undefined;
  const host = hostEndpoint<TraceViewProtocol>(
    {
      post: (m) => window.postMessage(m, '*'),
      listen: (receive) => {
        deliver = receive;
        return { dispose: () => (deliver = () => undefined) };
      },
    },
    { peerName: 'the trace view' },
  );
  host.handle('traceInfo', (params) => answer('traceInfo', params));
  host.handle('traceWindow', (params) => answer('traceWindow', params));
  host.onPeerReady(() => void answer('traceInfo', {}).then((info) => host.emit('trace', { info })));
  host.on('rendered', () => g.__bench!.rendered++);
  g.acquireVsCodeApi = () => ({
    getState: () => state,
    setState: (s: unknown) => (state = s),
    postMessage: (m: Envelope) => deliver(m),
  });
  document.body.insertAdjacentHTML('afterbegin', TRACE_VIEW_MARKUP);
  g.__bench!.viewStartedMs = performance.now();
  const script = document.createElement('script');
  script.src = 'trace.js';
  document.body.append(script);
}

(globalThis as { __benchStats?: () => Promise<unknown> }).__benchStats = () => ask('stats', {}).then((r) => r.result);
