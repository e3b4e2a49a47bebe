// The trace view's panel: hosts the webview, forwards its window, detail,
// search and chain requests to the simulator worker, and relays the running
// system's progress so that the view can follow the tail of the trace.
import * as vscode from 'vscode';
import type { SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import type { DebugPosition } from '../../simulator/protocol/debugProtocol';
import type {
  DetailsControl,
  ExportFormat,
  RenderedWindow,
  SourceLocationRequest,
  TraceViewMethod,
  TraceViewParams,
  TraceViewProtocol,
  TraceViewResult,
  TraceViewState,
} from '../../webview/protocol/traceViewProtocol';
import { TRACE_VIEW_MARKUP } from '../../webview/trace/markup';
import { PanelHost, PanelSlot } from '../panelHost';
import type { SimulatorClient } from '../simulatorClient';
import { openSourceLocation } from './sourceLocation';

/** What the panel's toolbar does beyond the view itself (the commands' implementations). */
export interface TracePanelActions {
  exportTrace(format: ExportFormat): Promise<unknown>;
  loadTrace(): Promise<unknown>;
  /** "Debug from here" on an event. */
  debugFromHere(seq: number): Promise<unknown>;
}

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
  /** Where the debug session last stopped, as the view was told (undefined: no session). */
  readonly debugPosition: DebugPosition | undefined;
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
  private static readonly slot = new PanelSlot<TracePanel>();
  /** Where the debug session last stopped (undefined: none), for a panel open now or later. */
  private static debugPositionNow: DebugPosition | undefined;

  /** A debug session stopped, or ended (undefined): the open view marks it. */
  static showDebugPosition(position: DebugPosition | undefined): void {
    TracePanel.debugPositionNow = position;
    const panel = TracePanel.slot.open;
    if (panel !== undefined && panel.host.loads > 0) panel.host.rpc.emit('debugPosition', { position });
  }

  private rendered: RenderedWindow | undefined;
  private readonly renderWaiters = new Waiters<RenderedWindow>();
  private state: TraceViewState | undefined;
  private readonly stateWaiters = new Waiters<TraceViewState>();
  private selected: { seq: number; summary?: string } | undefined;
  private lastProgressMs = 0;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private latestSnapshot: SystemSnapshot | undefined;
  /** The worker requests the view may make, passed on unchanged. */
  private readonly forward: { readonly [M in TraceViewMethod]: (params: TraceViewParams<M>) => Promise<TraceViewResult<M>> };

  static show(extensionUri: vscode.Uri, simulator: SimulatorClient, actions: TracePanelActions): TracePanel {
    return TracePanel.slot.show(
      () =>
        new TracePanel(
          PanelHost.create<TraceViewProtocol>(extensionUri, {
            viewType: TracePanel.viewType,
            title: 'IPC Trace',
            peerName: 'the trace view',
            bundle: 'trace',
            body: TRACE_VIEW_MARKUP,
          }),
          extensionUri,
          simulator,
          actions,
        ),
    );
  }

  static get open(): TracePanel | undefined {
    return TracePanel.slot.open;
  }

  private constructor(
    readonly host: PanelHost<TraceViewProtocol>,
    private readonly extensionUri: vscode.Uri,
    private readonly simulator: SimulatorClient,
    actions: TracePanelActions,
  ) {
    this.forward = {
      traceInfo: (params) => simulator.request('traceInfo', params),
      traceWindow: (params) => simulator.request('traceWindow', params),
      traceEvent: (params) => simulator.request('traceEvent', params),
      traceSearch: (params) => simulator.request('traceSearch', params),
      traceChain: (params) => simulator.request('traceChain', params),
    };
    const rpc = host.rpc;
    rpc.handle('traceInfo', this.forward.traceInfo);
    rpc.handle('traceWindow', this.forward.traceWindow);
    rpc.handle('traceEvent', this.forward.traceEvent);
    rpc.handle('traceSearch', this.forward.traceSearch);
    rpc.handle('traceChain', this.forward.traceChain);
    rpc.on('rendered', (w) => {
      this.rendered = w;
      this.renderWaiters.settle(w);
    });
    rpc.on('state', (state) => {
      this.state = state;
      this.stateWaiters.settle(state);
    });
    rpc.on('selected', (m) => {
      this.selected = m.seq === undefined ? undefined : { seq: m.seq, ...(m.summary === undefined ? {} : { summary: m.summary }) };
    });
    rpc.on('openSource', (m) => void this.openSource(m));
    rpc.on('export', (m) => void actions.exportTrace(m.format));
    rpc.on('loadFile', () => void actions.loadTrace());
    rpc.on('showSystem', () => void this.showSystem());
    rpc.on('debugFrom', (m) => void actions.debugFromHere(m.seq));
    host.track(
      host.onReady(() => void this.sendTrace().then(() => host.rpc.emit('debugPosition', { position: TracePanel.debugPositionNow }))),
      simulator.on('snapshot', (s) => this.progress(s)),
    );
    host.onDidDispose(() => {
      if (this.progressTimer) clearTimeout(this.progressTimer);
    });
  }

  get handle(): TraceViewHandle {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters below read the panel's current fields.
    const panel = this;
    const rpc = this.host.rpc;
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
        return panel.host.loads;
      },
      get visible() {
        return panel.host.visible;
      },
      get debugPosition() {
        return TracePanel.debugPositionNow;
      },
      whenRendered: (accept = () => true, timeoutMs = 30_000) =>
        this.renderWaiters.add(accept, timeoutMs, () => `the trace view drew no matching window within ${timeoutMs} ms (last: ${JSON.stringify(this.rendered)})`),
      whenState: (accept = () => true, timeoutMs = 30_000) =>
        this.stateWaiters.add(accept, timeoutMs, () => `the trace view reported no matching state within ${timeoutMs} ms (last: ${JSON.stringify(this.state)})`),
      select: async (seq) => rpc.emit('select', { seq }),
      refresh: () => this.sendTrace(),
      show: async (startCycles, endCycles) => rpc.emit('show', { startCycles, endCycles }),
      setFilter: async (filter) => rpc.emit('filter', filter),
      setFollow: async (on) => rpc.emit('follow', { on }),
      showTab: async (tab) => rpc.emit('tab', { tab }),
      press: async (control) => rpc.emit('press', { control }),
      request: (method, params) => this.forward[method](params),
    };
  }

  /**
   * Before the debugger opens a driver's source: when the view is in the active editor group, another group (a new one
   * to the right if there is none) becomes the active one, so that the source opens there, beside the view, and the
   * view's mark stays in sight. The view itself never moves (a moved webview loads again).
   */
  async keepInSightOfSources(): Promise<void> {
    const column = this.host.panel.viewColumn;
    if (column === undefined || column !== vscode.window.tabGroups.activeTabGroup.viewColumn) return;
    const other = vscode.window.tabGroups.all.find((g) => g.viewColumn !== column);
    if (other === undefined) await vscode.commands.executeCommand('workbench.action.newGroupRight');
    else await vscode.commands.executeCommand('workbench.action.focusNextGroup');
  }

  /** Tells the view which trace to show now (after a load, an unload or a new system). */
  async sendTrace(): Promise<void> {
    if (this.host.loads === 0) return;
    try {
      const info = await this.simulator.request('traceInfo', {});
      this.host.rpc.emit('trace', { info });
    } catch (e) {
      this.host.rpc.emit('trace', { info: undefined, reason: noTraceReason(e) });
    }
  }

  async status(text: string, isError: boolean): Promise<void> {
    this.host.rpc.emit('status', { text, isError });
  }

  /**
   * Opens the line behind a kernel entry. A location inside the bundled worker
   * (dist/*.js, no source maps in the package) names no source the user can
   * read: then the process's own source file opens instead, and the user is told.
   */
  private async openSource(m: SourceLocationRequest): Promise<void> {
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
      if (latest && this.host.loads > 0) this.host.rpc.emit('systemProgress', { running: latest.running, nowCycles: latest.nowCycles });
    }, wait);
  }

  dispose(): void {
    this.host.dispose();
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
