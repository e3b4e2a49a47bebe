// The benchmark's page: a fake VS Code host around the trace view's real
// webview bundle. It answers the view's requests from engineWorker.ts (the real
// query engine over a million events) exactly as the extension forwards them.
import { TRACE_VIEW_BODY } from '../../extension/trace/traceViewBody';
import type { FromTraceView, ToTraceView } from '../../webview/protocol/traceViewProtocol';

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

function toView(m: ToTraceView): void {
  window.postMessage(m, '*');
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
  g.acquireVsCodeApi = () => ({
    getState: () => state,
    setState: (s: unknown) => (state = s),
    postMessage: (m: FromTraceView) => {
      switch (m.type) {
        case 'ready':
          void ask('traceInfo', {}).then((r) => toView({ type: 'trace', info: r.result as never }));
          return;
        case 'request':
          void ask(m.method, m.params).then((r) =>
            toView(r.ok ? { type: 'reply', inReplyTo: m.messageId, ok: true, result: r.result } : { type: 'reply', inReplyTo: m.messageId, ok: false, error: r.error ?? '' }),
          );
          return;
        case 'rendered':
          g.__bench!.rendered++;
          return;
        default:
          return;
      }
    },
  });
  document.body.insertAdjacentHTML('afterbegin', TRACE_VIEW_BODY);
  g.__bench!.viewStartedMs = performance.now();
  const script = document.createElement('script');
  script.src = 'trace.js';
  document.body.append(script);
}

(globalThis as { __benchStats?: () => Promise<unknown> }).__benchStats = () => ask('stats', {}).then((r) => r.result);
