// The benchmark's page: a fake VS Code host around the trace view's real
// webview bundle. It answers the view's requests from engineWorker.ts (the real
// query engine over a million events) exactly as the extension forwards them.
import type { TraceRequests } from '../../simulator/protocol/traceProtocol';
import { hostEndpoint, type Envelope } from '../../webview/protocol/rpc';
import type { TraceViewProtocol } from '../../webview/protocol/traceViewProtocol';
import { TRACE_VIEW_MARKUP } from '../../webview/trace/markup';

interface BenchReady {
  readonly events: number;
  readonly fileBytes: number;
  readonly decodeMs: number;
  readonly indexMs: number;
  readonly lanes: number;
}
interface BenchGlobals {
  __bench?: Partial<BenchReady> & { ready: boolean; openStartedMs: number; viewStartedMs: number; error?: string; rendered: number };
  acquireVsCodeApi?: () => unknown;
}
const g = globalThis as BenchGlobals;
const file = new URL(location.href).searchParams.get('file') ?? 'trace.mktrace';
const worker = new Worker('engineWorker.js');
// The file's bytes come first, as the editor reads a file before its worker opens it: the browser's fetch of a
// local file is far slower than the editor's read, so run.mjs times that read in Node and this page times the rest.
// Opening starts when the bytes move to the worker (transferred, not copied, as the extension does).
let openStartedMs = 0;
void fetch(file)
  .then((r) => r.arrayBuffer())
  .then((bytes) => {
    openStartedMs = performance.now();
    worker.postMessage({ open: bytes, name: file }, [bytes]);
  });
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
  const m = e.data as Partial<BenchReady> & { id?: number; ready?: boolean; ok: boolean; error?: string };
  if (m.ready !== undefined) {
    if (!m.ready) {
      g.__bench = { ready: false, openStartedMs, viewStartedMs: 0, rendered: 0, error: m.error ?? 'the engine could not open the trace' };
      return;
    }
    const { id: _id, ok: _ok, ...ready } = m;
    g.__bench = { ...ready, ready: true, openStartedMs, viewStartedMs: 0, rendered: 0 };
    startView();
    return;
  }
  const resolve = pending.get(m.id!);
  pending.delete(m.id!);
  resolve?.(m);
};
worker.onerror = (e) => {
  g.__bench = { ready: false, openStartedMs, viewStartedMs: 0, rendered: 0, error: e.message };
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
