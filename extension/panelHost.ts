// What every webview panel of the extension does the same way: create the
// panel (scripts on, resources only from dist/webview, the icon), give it the
// locked-down page shell with its markup, connect the typed channel
// (webview/protocol/rpc.ts), know when its page has loaded (it loads again
// each time the panel is shown after being hidden), and dispose of it all.
import * as vscode from 'vscode';
import { hostEndpoint, type HostEndpoint, type PanelProtocol } from '../webview/protocol/rpc';
import { webviewHtml, type WebviewShell } from './webviewHtml';

export interface PanelSpec extends WebviewShell {
  readonly viewType: string;
  /** How error messages name the page ("the console"). */
  readonly peerName: string;
}

export class PanelHost<P extends PanelProtocol> implements vscode.Disposable {
  readonly rpc: HostEndpoint<P>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners: (() => void)[] = [];
  private loadCount = 0;
  private markReady: () => void = () => undefined;
  private readyNow: Promise<void>;
  private disposed = false;

  /** Opens a new panel in the active editor column. */
  static create<P extends PanelProtocol>(extensionUri: vscode.Uri, spec: PanelSpec): PanelHost<P> {
    const panel = vscode.window.createWebviewPanel(spec.viewType, spec.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      // What a page must keep while hidden it keeps with its webview state, not in a kept context.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    return new PanelHost<P>(panel, extensionUri, spec);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    spec: PanelSpec,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'icon.svg');
    this.readyNow = new Promise((r) => (this.markReady = r));
    this.rpc = hostEndpoint<P>(
      {
        post: (m) => void panel.webview.postMessage(m),
        listen: (receive) => panel.webview.onDidReceiveMessage(receive),
      },
      { peerName: spec.peerName },
    );
    this.rpc.onPeerReady(() => {
      this.loadCount++;
      this.markReady();
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      // A hidden webview is unloaded; it loads again when shown and says it is ready again.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.readyNow = new Promise((r) => (this.markReady = r));
      }),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, spec);
  }

  /** Resolves once the page shown now listens. */
  get ready(): Promise<void> {
    return this.readyNow;
  }

  /**
   * A request that asks or sets something and may be asked again (the form's
   * fields, what the page shows): when the page reloads before it answers (a
   * hidden panel shown again loads its page afresh, and the host may hear that
   * it was hidden only after it is shown), it is asked again of the new page.
   */
  async requestAgainOnReload<R>(ask: () => Promise<R>): Promise<R> {
    await this.ready;
    try {
      return await ask();
    } catch (e) {
      if (!(e instanceof Error) || !/reloaded before it answered/.test(e.message)) throw e;
      await this.ready;
      return ask();
    }
  }

  /** How many times the page has loaded. */
  get loads(): number {
    return this.loadCount;
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  /** Calls `listener` each time the page has loaded and listens. */
  onReady(listener: () => void): vscode.Disposable {
    const d = this.rpc.onPeerReady(listener);
    return new vscode.Disposable(() => d.dispose());
  }

  /** Calls `listener` once, when the panel closes (by the user or by dispose()). */
  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Keeps `d` until the panel closes. */
  track(...d: vscode.Disposable[]): void {
    this.disposables.push(...d);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.rpc.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const l of this.disposeListeners.splice(0)) l();
  }
}

/** At most one panel of a kind: `show` reveals the open one or makes a new one. */
export class PanelSlot<T extends { readonly host: Pick<PanelHost<PanelProtocol>, 'reveal' | 'onDidDispose'> }> {
  private current: T | undefined;

  get open(): T | undefined {
    return this.current;
  }

  show(create: () => T): T {
    if (this.current) {
      this.current.host.reveal();
      return this.current;
    }
    const created = create();
    this.current = created;
    created.host.onDidDispose(() => {
      if (this.current === created) this.current = undefined;
    });
    return created;
  }
}
