// The console panel: a webview with an xterm.js terminal whose lines go to
// the MINIX-like shell in the simulator worker, and whose output comes back.
import * as vscode from 'vscode';
import type { FromConsole, ToConsole } from '../../webview/protocol/consoleViewProtocol';
import type { SimulatorClient } from '../simulatorClient';
import { webviewHtml } from '../webviewHtml';

/** What code (the integration tests, other commands) can do with an open console. */
export interface ConsoleHandle {
  /** Types `data` into the terminal as keys; resolves once every line it completes has its output. */
  type(data: string): Promise<void>;
  /** The terminal's text, one line per row, trailing blank rows removed. */
  screen(): Promise<string>;
}

export class ConsolePanel implements vscode.Disposable, ConsoleHandle {
  static readonly viewType = 'microkernelLab.console';
  private static current: ConsolePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly replies = new Map<number, (m: FromConsole) => void>();
  private nextMessageId = 1;
  private markReady: () => void = () => undefined;
  private ready: Promise<void>;

  static show(extensionUri: vscode.Uri, simulator: SimulatorClient): ConsolePanel {
    if (ConsolePanel.current) {
      ConsolePanel.current.panel.reveal();
      return ConsolePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(ConsolePanel.viewType, 'Microkernel Console', vscode.ViewColumn.Active, {
      enableScripts: true,
      // The terminal's lines and history survive hiding through the webview's saved state, not a kept context.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    ConsolePanel.current = new ConsolePanel(panel, extensionUri, simulator);
    return ConsolePanel.current;
  }

  static get open(): ConsolePanel | undefined {
    return ConsolePanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly simulator: SimulatorClient,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'icon.svg');
    this.ready = new Promise((r) => (this.markReady = r));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromConsole) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
      // A hidden webview is unloaded; it reloads from its saved state when shown and says `ready` again.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = new Promise((r) => (this.markReady = r));
      }),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: 'Microkernel Console',
      bundle: 'console',
      body: '<div id="terminal" role="application" aria-label="Microkernel Lab console"></div>',
      nonceStyles: true,
    });
  }

  async type(data: string): Promise<void> {
    await this.request({ type: 'input', messageId: 0, data });
  }

  async screen(): Promise<string> {
    const reply = await this.request({ type: 'readScreen', messageId: 0 });
    return reply.type === 'screen' ? reply.text : '';
  }

  private async request(m: Extract<ToConsole, { messageId: number }>): Promise<FromConsole> {
    await this.ready;
    const messageId = this.nextMessageId++;
    const reply = new Promise<FromConsole>((resolve) => this.replies.set(messageId, resolve));
    await this.post({ ...m, messageId });
    return reply;
  }

  private receive(m: FromConsole): void {
    switch (m.type) {
      case 'ready':
        this.markReady();
        return;
      case 'execute':
        void this.execute(m.messageId, m.line, m.columns);
        return;
      case 'complete':
        void this.complete(m.messageId, m.line, m.cursor);
        return;
      case 'inputDone':
      case 'screen': {
        const resolve = this.replies.get(m.inReplyTo);
        this.replies.delete(m.inReplyTo);
        resolve?.(m);
        return;
      }
    }
  }

  private async execute(inReplyTo: number, line: string, columns: number): Promise<void> {
    try {
      const { output } = await this.simulator.request('consoleExecute', { line, columns });
      await this.post({ type: 'executed', inReplyTo, output });
    } catch (e) {
      await this.post({ type: 'executed', inReplyTo, output: `\x1b[31mthe simulator did not answer: ${(e as Error).message}\x1b[0m`, isError: true });
    }
  }

  private async complete(inReplyTo: number, line: string, cursor: number): Promise<void> {
    try {
      const c = await this.simulator.request('consoleComplete', { line, cursor });
      await this.post({ type: 'completed', inReplyTo, ...c });
    } catch {
      await this.post({ type: 'completed', inReplyTo, start: cursor, end: cursor, candidates: [] });
    }
  }

  private post(m: ToConsole): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (ConsolePanel.current === this) ConsolePanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

