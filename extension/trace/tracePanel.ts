// The trace view's panel: hosts the webview, forwards its window, detail,
// search and chain requests to the simulator worker, and relays the running
// system's progress so that the view can follow the tail of the trace.
import * as vscode from 'vscode';
import type { SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import type {
  DetailsControl,
  ExportFormat,
  FromTraceView,
  RenderedWindow,
  ToTraceView,
  TraceViewMethod,
  TraceViewParams,
  TraceViewRequest,
  TraceViewResult,
  TraceViewState,
} from '../../webview/protocol/traceViewProtocol';
import type { SimulatorClient } from '../simulatorClient';
import { webviewHtml } from '../webviewHtml';
import { openSourceLocation } from './sourceLocation';
import { TRACE_VIEW_BODY } from './traceViewBody';

/** What the panel's toolbar does beyond the view itself (the commands' implementations). */
export interface TracePanelActions {
  exportTrace(format: ExportFormat): Promise<unknown>;
  loadTrace(): Promise<unknown>;
}

const forwarded: ReadonlySet<TraceViewMethod> = new Set(['traceInfo', 'traceWindow', 'traceEvent', 'traceSearch', 'traceChain']);
/** Progress pushed to the webview at most this often while a system runs. */
const PROGRESS_INTERVAL_MS = 250;

/** What tests and other commands can ask of the open trace view. */
export interface TraceViewHandle {
  /** The window the view drew last, if any. */
  readonly lastRendered: RenderedWindow | undefined;
  /** Resolves with the first window drawn after now that satisfies `accept`. */
  whenRendered(accept?: (w: RenderedWindow) => boolean, timeoutMs?: number): Promise<RenderedWindow>;
  /** The event the user (or select()) selected, with its one-line summary. */
  readonly selection: { seq: number; summary?: string } | undefined;
  select(seq: number): Promise<void>;
  /** Asks the view to reload the trace's description (after a load or a new system). */
  refresh(): Promise<void>;
  /** What the view reported showing last (window, filters, selection, palette, sequence chart, chain). */
  readonly viewState: TraceViewState | undefined;
  /** Resolves with the first state reported after now that satisfies `accept`. */
  whenState(accept?: (s: TraceViewState) => boolean, timeoutMs?: number): Promise<TraceViewState>;
  /** How many times the webview has loaded (it loads again when shown after being hidden). */
  readonly loads: number;
  /** Whether the panel is visible. */
  readonly visible: boolean;
  /** Shows a time window, sets the filter controls, turns following on or off, or switches the tab, as the toolbar does. */
  show(startCycles: number, endCycles: number): Promise<void>;
  setFilter(filter: { lanes?: readonly string[]; types?: string }): Promise<void>;
  setFollow(on: boolean): Promise<void>;
  showTab(tab: 'timeline' | 'msc'): Promise<void>;
  /** Presses a link of the details pane as a click does. */
  press(control: DetailsControl): Promise<void>;
  /** Asks the worker what the view may ask it, through the same path. */
  request<M extends TraceViewMethod>(method: M, params: TraceViewParams<M>): Promise<TraceViewResult<M>>;
}


export class TracePanel implements vscode.Disposable {
  static readonly viewType = 'microkernelLab.traceView';
  private static current: TracePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private rendered: RenderedWindow | undefined;
  private readonly renderWaiters = new Waiters<RenderedWindow>();
  private state: TraceViewState | undefined;
  private readonly stateWaiters = new Waiters<TraceViewState>();
  private loadCount = 0;
  private selected: { seq: number; summary?: string } | undefined;
  private lastProgressMs = 0;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private latestSnapshot: SystemSnapshot | undefined;
  private isReady = false;

  static show(extensionUri: vscode.Uri, simulator: SimulatorClient, actions: TracePanelActions): TracePanel {
    if (TracePanel.current) {
      TracePanel.current.panel.reveal();
      return TracePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(TracePanel.viewType, 'IPC Trace', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    TracePanel.current = new TracePanel(panel, extensionUri, simulator, actions);
    return TracePanel.current;
  }

  static get open(): TracePanel | undefined {
    return TracePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly simulator: SimulatorClient,
    private readonly actions: TracePanelActions,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'icon.svg');
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromTraceView) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      simulator.on('snapshot', (s) => this.progress(s)),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, { title: 'IPC Trace', bundle: 'trace', body: TRACE_VIEW_BODY });
  }

  get handle(): TraceViewHandle {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the panel's current fields.
    const panel = this;
    const send = async (m: ToTraceView) => {
      await this.post(m);
    };
    return {
      get lastRendered() {
        return panel.rendered;
      },
      get selection() {
        return panel.selected;
      },
      get viewState() {
        return panel.state;
      },
      get loads() {
        return panel.loadCount;
      },
      get visible() {
        return panel.panel.visible;
      },
      whenRendered: (accept = () => true, timeoutMs = 30_000) =>
        this.renderWaiters.add(accept, timeoutMs, () => `the trace view drew no matching window within ${timeoutMs} ms (last: ${JSON.stringify(this.rendered)})`),
      whenState: (accept = () => true, timeoutMs = 30_000) =>
        this.stateWaiters.add(accept, timeoutMs, () => `the trace view reported no matching state within ${timeoutMs} ms (last: ${JSON.stringify(this.state)})`),
      select: (seq) => send({ type: 'select', seq }),
      refresh: () => this.sendTrace(),
      show: (startCycles, endCycles) => send({ type: 'show', startCycles, endCycles }),
      setFilter: (filter) => send({ type: 'filter', ...filter }),
      setFollow: (on) => send({ type: 'follow', on }),
      showTab: (tab) => send({ type: 'tab', tab }),
      press: (control) => send({ type: 'press', control }),
      request: (method, params) => this.simulator.request(method, params as never) as never,
    };
  }

  /** Tells the view which trace to show now (after a load, an unload or a new system). */
  async sendTrace(): Promise<void> {
    if (!this.isReady) return;
    try {
      const info = await this.simulator.request('traceInfo', {});
      await this.post({ type: 'trace', info });
    } catch (e) {
      await this.post({ type: 'trace', info: undefined, reason: noTraceReason(e) });
    }
  }

  async status(text: string, isError: boolean): Promise<void> {
    await this.post({ type: 'status', text, isError });
  }

  private receive(m: FromTraceView): void {
    switch (m.type) {
      case 'ready':
        this.isReady = true;
        this.loadCount++;
        void this.sendTrace();
        return;
      case 'request':
        void this.forward(m);
        return;
      case 'rendered':
        this.rendered = m.window;
        this.renderWaiters.settle(m.window);
        return;
      case 'state':
        this.state = m.state;
        this.stateWaiters.settle(m.state);
        return;
      case 'selected':
        this.selected = m.seq === undefined ? undefined : { seq: m.seq, ...(m.summary === undefined ? {} : { summary: m.summary }) };
        return;
      case 'openSource':
        void this.openSource(m);
        return;
      case 'export':
        void this.actions.exportTrace(m.format);
        return;
      case 'loadFile':
        void this.actions.loadTrace();
        return;
      case 'showSystem':
        void this.showSystem();
        return;
    }
  }

  private async forward(m: TraceViewRequest): Promise<void> {
    if (!forwarded.has(m.method)) {
      await this.post({ type: 'reply', inReplyTo: m.messageId, ok: false, error: `unknown request '${String(m.method)}'` });
      return;
    }
    try {
      const result = await this.simulator.request(m.method, m.params as never);
      await this.post({ type: 'reply', inReplyTo: m.messageId, ok: true, result });
    } catch (e) {
      await this.post({ type: 'reply', inReplyTo: m.messageId, ok: false, error: (e as Error).message });
    }
  }

  /**
   * Opens the line behind a kernel entry. A location inside the bundled worker
   * (dist/*.js, no source maps in the package) names no source the user can
   * read: then the process's own source file opens instead, and the user is told.
   */
  private async openSource(m: Extract<FromTraceView, { type: 'openSource' }>): Promise<void> {
    if (/[\\/]dist[\\/][^\\/]+\.js$/.test(m.file) && m.process) {
      try {
        const system = await this.simulator.request('describeSystem', {});
        const source = system.processes.find((p) => p.label === m.process)?.source;
        if (source && (await openSourceLocation(this.extensionUri, { file: source, line: 1, process: m.process }))) {
          void vscode.window.showInformationMessage(
            `Microkernel Lab: the call was made at ${m.file}:${m.line} in the bundled simulator; opened ${m.process}'s source, ${source}.`,
          );
          return;
        }
      } catch {
        // Fall through to the location as recorded.
      }
    }
    await openSourceLocation(this.extensionUri, m);
  }

  private async showSystem(): Promise<void> {
    try {
      await this.simulator.request('traceUnload', {});
    } catch (e) {
      await this.status(`Could not close the trace file: ${(e as Error).message}`, true);
    }
    await this.sendTrace();
  }

  /** Relays the system's progress, at most every PROGRESS_INTERVAL_MS, always including the last snapshot. */
  private progress(s: SystemSnapshot): void {
    this.latestSnapshot = s;
    if (this.progressTimer) return;
    const wait = Math.max(0, this.lastProgressMs + PROGRESS_INTERVAL_MS - Date.now());
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      this.lastProgressMs = Date.now();
      const latest = this.latestSnapshot;
      if (latest && this.isReady) void this.post({ type: 'systemProgress', running: latest.running, nowCycles: latest.nowCycles });
    }, wait);
  }

  private post(m: ToTraceView): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (TracePanel.current === this) TracePanel.current = undefined;
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Promises of the first value after now that passes a test, each with its own time limit. */
class Waiters<T> {
  private waiting: { accept: (v: T) => boolean; resolve: (v: T) => void }[] = [];

  add(accept: (v: T) => boolean, timeoutMs: number, why: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w.resolve !== done);
        reject(new Error(why()));
      }, timeoutMs);
      const done = (v: T) => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiting.push({ accept, resolve: done });
    });
  }

  settle(value: T): void {
    this.waiting = this.waiting.filter((w) => {
      if (!w.accept(value)) return true;
      w.resolve(value);
      return false;
    });
  }
}

function noTraceReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return `No trace to show yet (${message}). Start a system with "Microkernel Lab: Start System…" or open a .mktrace file.`;
}
