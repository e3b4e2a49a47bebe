// The benchmark's page: a fake VS Code host around the trace view's real
// webview bundle. It answers the view's requests from engineWorker.ts (the real
// query engine over millions of events) exactly as the extension forwards them,
// and opens the file as the extension does: its head first, then its events.
import type { TraceRequests } from '../../simulator/protocol/traceProtocol';
import { hostEndpoint, type Envelope } from '../../webview/protocol/rpc';
import type { TraceViewProtocol } from '../../webview/protocol/traceViewProtocol';
import { TRACE_VIEW_MARKUP } from '../../webview/trace/markup';

interface BenchReady {
  readonly events: number;
  readonly headBytes: number;
  readonly headMs: number;
  readonly lanes: number;
}
interface BenchLoaded {
  readonly fileBytes: number;
  readonly fetchMs: number;
  readonly decodeMs: number;
  readonly indexMs: number;
}
interface BenchGlobals {
  __bench?: Partial<BenchReady> & {
    ready: boolean;
    openStartedMs: number;
    viewStartedMs: number;
    error?: string;
    rendered: number;
    /** When the worker had read, decoded and indexed the whole file. */
    loaded?: BenchLoaded & { atMs: number };
  };
  acquireVsCodeApi?: () => unknown;
}
const g = globalThis as BenchGlobals;
const params = new URL(location.href).searchParams;
const file = params.get('file') ?? 'trace.mktrace';
const headFile = params.get('head') ?? `${file}.head`;
const worker = new Worker('engineWorker.js');
// The head's bytes come first, as the extension's worker reads a file's head before its events: the browser's fetch
// of a local file is far slower than a read, so run.mjs times the head's read in Node and this page times the rest.
// Opening starts when the head's bytes move to the worker; once the view has painted from the head (or after a
// second), the worker reads the whole file itself, as the extension reads it once the view has painted.
let openStartedMs = 0;
void fetch(headFile)
  .then((r) => r.arrayBuffer())
  .then((bytes) => {
    openStartedMs = performance.now();
    worker.postMessage({ openHead: bytes, name: file }, [bytes]);
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
  const m = e.data as Partial<BenchReady> & Partial<BenchLoaded> & { id?: number; ready?: boolean; loaded?: boolean; ok: boolean; error?: string };
  if (m.ready !== undefined) {
    if (!m.ready) {
      g.__bench = { ready: false, openStartedMs, viewStartedMs: 0, rendered: 0, error: m.error ?? 'the engine could not open the trace' };
      return;
    }
    g.__bench = { events: m.events!, headBytes: m.headBytes!, headMs: m.headMs!, lanes: m.lanes!, ready: true, openStartedMs, viewStartedMs: 0, rendered: 0 };
    startView();
    return;
  }
  if (m.loaded) {
    g.__bench!.loaded = { fileBytes: m.fileBytes!, fetchMs: m.fetchMs!, decodeMs: m.decodeMs!, indexMs: m.indexMs!, atMs: performance.now() };
    // As the extension does once the events are in: the view is told of the trace again and asks for its window anew.
    void answer('traceInfo', {}).then((info) => viewHost?.emit('trace', { info }));
    return;
  }
  const resolve = pending.get(m.id!);
  pending.delete(m.id!);
  resolve?.(m);
};
worker.onerror = (e) => {
  g.__bench = { ready: false, openStartedMs, viewStartedMs: 0, rendered: 0, error: e.message };
};

let viewHost: ReturnType<typeof hostEndpoint<TraceViewProtocol>> | undefined;

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
  viewHost = host;
  host.handle('traceInfo', (params) => answer('traceInfo', params));
  host.handle('traceWindow', (params) => answer('traceWindow', params));
  host.onPeerReady(() => void answer('traceInfo', {}).then((info) => host.emit('trace', { info })));
  let eventsAsked = false;
  const loadEvents = () => {
    if (eventsAsked) return;
    eventsAsked = true;
    worker.postMessage({ loadEvents: file });
  };
  setTimeout(loadEvents, 1000);
  host.on('rendered', () => {
    g.__bench!.rendered++;
    loadEvents();
  });
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
