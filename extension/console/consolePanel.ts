// The console panel: a webview with an xterm.js terminal whose lines go to
// the MINIX-like shell in the simulator worker, and whose output comes back.
import type * as vscode from 'vscode';
import { CONSOLE_MARKUP } from '../../webview/console/markup';
import type { ConsoleProtocol } from '../../webview/protocol/consoleViewProtocol';
import { PanelHost, PanelSlot } from '../panelHost';
import type { SimulatorClient } from '../simulatorClient';

/** What code (the integration tests, other commands) can do with an open console. */
export interface ConsoleHandle {
  /** Types `data` into the terminal as keys; resolves once every line it completes has its output. */
  type(data: string): Promise<void>;
  /** The terminal's text, one line per row, trailing blank rows removed. */
  screen(): Promise<string>;
}

/** How long typed keys may take to run, all the lines they complete included. */
const TYPE_TIMEOUT_MS = 5 * 60_000;

export class ConsolePanel implements vscode.Disposable, ConsoleHandle {
  static readonly viewType = 'microkernelLab.console';
  private static readonly slot = new PanelSlot<ConsolePanel>();

  static show(extensionUri: vscode.Uri, simulator: SimulatorClient): ConsolePanel {
    return ConsolePanel.slot.show(
      () =>
        new ConsolePanel(
          PanelHost.create<ConsoleProtocol>(extensionUri, {
            viewType: ConsolePanel.viewType,
            title: 'Microkernel Console',
            peerName: 'the console',
            bundle: 'console',
            body: CONSOLE_MARKUP,
            nonceStyles: true,
          }),
          simulator,
        ),
    );
  }

  static get open(): ConsolePanel | undefined {
    return ConsolePanel.slot.open;
  }

  private constructor(
    readonly host: PanelHost<ConsoleProtocol>,
    simulator: SimulatorClient,
  ) {
    host.rpc.handle('execute', async ({ line, columns }) => {
      try {
        return await simulator.request('consoleExecute', { line, columns });
      } catch (e) {
        return { output: `\x1b[31mthe simulator did not answer: ${(e as Error).message}\x1b[0m`, isError: true };
      }
    });
    host.rpc.handle('complete', async ({ line, cursor }) => {
      try {
        return await simulator.request('consoleComplete', { line, cursor });
      } catch {
        return { start: cursor, end: cursor, candidates: [] };
      }
    });
  }

  async type(data: string): Promise<void> {
    await this.host.ready;
    await this.host.rpc.request('input', { data }, { timeoutMs: TYPE_TIMEOUT_MS });
  }

  async screen(): Promise<string> {
    await this.host.ready;
    return (await this.host.rpc.request('readScreen', {})).text;
  }

  dispose(): void {
    this.host.dispose();
  }
}
