// The lab panel: an overview of the system with a round trip to the simulator.
import * as vscode from 'vscode';
import type { FromLabPanel, ToLabPanel } from '../../webview/protocol/labPanelProtocol';
import type { SimulatorClient } from '../simulatorClient';
import { webviewHtml } from '../webviewHtml';

export class LabPanel implements vscode.Disposable {
  static readonly viewType = 'microkernelLab.labPanel';
  private static current: LabPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly echoes = new Map<number, (text: string) => void>();
  private nextMessageId = 1;
  private readonly ready: Promise<void>;

  static show(extensionUri: vscode.Uri, simulator: SimulatorClient): LabPanel {
    if (LabPanel.current) {
      LabPanel.current.panel.reveal();
      return LabPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(LabPanel.viewType, 'Microkernel Lab', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    LabPanel.current = new LabPanel(panel, extensionUri, simulator);
    return LabPanel.current;
  }

  static get open(): LabPanel | undefined {
    return LabPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly simulator: SimulatorClient,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'resources', 'icon.svg');
    let markReady: () => void = () => undefined;
    this.ready = new Promise((r) => (markReady = r));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: FromLabPanel) => {
        if (m.type === 'ready') {
          markReady();
          void this.sendSystem();
        } else this.receive(m);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, {
      title: 'Microkernel Lab',
      bundle: 'panel',
      body: `<main>
  <h1>Microkernel Lab</h1>
  <p id="system" class="muted">Loading the system…</p>
  <div class="row"><button id="ping" type="button">Ping the simulator</button></div>
  <p id="answer" role="status" aria-live="polite"></p>
  <ul id="processes"></ul>
</main>`,
    });
  }

  /** Sends text to the webview and resolves with its reply. */
  async roundTrip(text: string): Promise<string> {
    await this.ready;
    const messageId = this.nextMessageId++;
    const reply = new Promise<string>((resolve) => this.echoes.set(messageId, resolve));
    await this.post({ type: 'echoRequest', messageId, text });
    return reply;
  }

  private receive(m: Exclude<FromLabPanel, { type: 'ready' }>): void {
    switch (m.type) {
      case 'ping':
        void this.ping();
        return;
      case 'echoReply': {
        const resolve = this.echoes.get(m.inReplyTo);
        this.echoes.delete(m.inReplyTo);
        resolve?.(m.text);
        return;
      }
    }
  }

  private async ping(): Promise<void> {
    try {
      const answer = await this.simulator.request('ping', { payload: 'pong' });
      await this.post({
        type: 'pingAnswer',
        text: `Simulator answered: ${answer.payload} (simulator ${answer.simulatorVersion})`,
        isError: false,
      });
    } catch (e) {
      await this.post({ type: 'pingAnswer', text: `The simulator did not answer: ${(e as Error).message}`, isError: true });
    }
  }

  private async sendSystem(): Promise<void> {
    try {
      await this.post({ type: 'system', system: await this.simulator.request('describeSystem', {}) });
    } catch (e) {
      await this.post({ type: 'pingAnswer', text: `The simulator did not answer: ${(e as Error).message}`, isError: true });
    }
  }

  private post(m: ToLabPanel): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  dispose(): void {
    if (LabPanel.current === this) LabPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
