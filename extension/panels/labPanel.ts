// The lab panel: an overview of the system with a round trip to the simulator.
import type * as vscode from 'vscode';
import type { LabPanelProtocol } from '../../webview/protocol/labPanelProtocol';
import { LAB_PANEL_MARKUP } from '../../webview/panel/markup';
import { PanelHost, PanelSlot } from '../panelHost';
import type { SimulatorClient } from '../simulatorClient';

export class LabPanel implements vscode.Disposable {
  static readonly viewType = 'microkernelLab.labPanel';
  private static readonly slot = new PanelSlot<LabPanel>();

  static show(extensionUri: vscode.Uri, simulator: SimulatorClient): LabPanel {
    return LabPanel.slot.show(
      () =>
        new LabPanel(
          PanelHost.create<LabPanelProtocol>(extensionUri, {
            viewType: LabPanel.viewType,
            title: 'Microkernel Lab',
            peerName: 'the lab panel',
            bundle: 'panel',
            body: LAB_PANEL_MARKUP,
          }),
          simulator,
        ),
    );
  }

  static get open(): LabPanel | undefined {
    return LabPanel.slot.open;
  }

  private constructor(
    readonly host: PanelHost<LabPanelProtocol>,
    simulator: SimulatorClient,
  ) {
    host.rpc.handle('ping', () => simulator.request('ping', { payload: 'pong' }));
    host.rpc.handle('describeSystem', () => simulator.request('describeSystem', {}));
  }

  /** Sends text to the webview and resolves with its reply. */
  async roundTrip(text: string): Promise<string> {
    await this.host.ready;
    return (await this.host.rpc.request('echo', { text })).text;
  }

  dispose(): void {
    this.host.dispose();
  }
}
