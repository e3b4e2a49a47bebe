// The campaign view: Run Fault Campaign. The page chooses fault types,
// configurations, the number of faults, faults per trial and the seed; the
// worker runs the trials (simulator/campaign/campaign.ts) with live progress
// and cancel; the page draws the survival chart and table and lists the trials
// that harmed the system, each of which the host runs again and opens in the
// trace view, or starts the debugger on, stopped just before its fault. The host keeps the last results (in the workspace's state) so
// that the view shows them again when reopened.
import * as vscode from 'vscode';
import type { CampaignRunParams } from '../../simulator/protocol/campaignProtocol';
import type { CampaignResults, CampaignViewProtocol, CampaignViewState } from '../../webview/protocol/campaignViewProtocol';
import { CAMPAIGN_VIEW_MARKUP } from '../../webview/campaign/markup';
import { PanelHost, PanelSlot } from '../panelHost';
import { CommandId } from '../commandIds';
import type { SimulatorClient } from '../simulatorClient';

const LAST_RESULTS_KEY = 'microkernelLab.campaign.lastResults';
/** The longest a campaign may take before the host gives up waiting (it can be cancelled at any time). */
const RUN_TIMEOUT_MS = 6 * 60 * 60 * 1000;

export class CampaignPanel implements vscode.Disposable {
  static readonly viewType = 'microkernelLab.campaignView';
  private static readonly slot = new PanelSlot<CampaignPanel>();

  static show(context: vscode.ExtensionContext, simulator: SimulatorClient): CampaignPanel {
    return CampaignPanel.slot.show(
      () =>
        new CampaignPanel(
          PanelHost.create<CampaignViewProtocol>(context.extensionUri, {
            viewType: CampaignPanel.viewType,
            title: 'Fault Campaign',
            peerName: 'the campaign view',
            bundle: 'campaign',
            body: CAMPAIGN_VIEW_MARKUP,
          }),
          context,
          simulator,
        ),
    );
  }

  static get open(): CampaignPanel | undefined {
    return CampaignPanel.slot.open;
  }

  private constructor(
    readonly host: PanelHost<CampaignViewProtocol>,
    private readonly context: vscode.ExtensionContext,
    simulator: SimulatorClient,
  ) {
    const rpc = host.rpc;
    rpc.handle('choices', () => simulator.request('campaignChoices', {}));
    rpc.handle('lastResults', () => context.workspaceState.get<CampaignResults>(LAST_RESULTS_KEY) ?? null);
    rpc.handle('run', async (params) => {
      const progress = simulator.on('campaignProgress', (body) => rpc.emit('progress', body));
      try {
        const outcome = await simulator.request('campaignRun', params, RUN_TIMEOUT_MS);
        await context.workspaceState.update(LAST_RESULTS_KEY, { params, outcome } satisfies CampaignResults);
        return outcome;
      } finally {
        progress.dispose();
      }
    });
    rpc.handle('cancel', () => simulator.request('campaignCancel', {}));
    rpc.handle('openTrial', async ({ id }) => {
      await vscode.workspace.fs.createDirectory(context.globalStorageUri);
      const file = vscode.Uri.joinPath(context.globalStorageUri, `trial-${id.replaceAll(':', '-')}.mktrace`).fsPath;
      const saved = await simulator.request('campaignTrace', { id, file }, RUN_TIMEOUT_MS);
      const loaded = (await vscode.commands.executeCommand(CommandId.loadTrace, saved.file)) as { ok: boolean; error?: string } | undefined;
      if (loaded !== undefined && !loaded.ok) throw new Error(loaded.error ?? 'the trace view could not load the trace');
      return { events: saved.events, outcome: saved.outcome };
    });
    rpc.handle('debugTrial', async ({ id }) => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const started = await vscode.debug.startDebugging(folder, { type: 'microkernel', request: 'launch', name: `Trial ${id}`, trial: id, stopBeforeFault: true });
      return { started };
    });
    rpc.handle('copyTable', async () => {
      const last = context.workspaceState.get<CampaignResults>(LAST_RESULTS_KEY);
      if (last === undefined) throw new Error('there are no results to copy yet');
      await vscode.env.clipboard.writeText(last.outcome.markdown);
      return {};
    });
  }

  /** Presses a button of the page, as the user would. */
  async press(button: 'run' | 'cancel' | 'copy'): Promise<void> {
    await this.host.ready;
    await this.host.rpc.request('press', { button });
  }

  /** Clicks a harmful trial in the list, as the user would. */
  async clickTrial(id: string): Promise<void> {
    await this.host.ready;
    await this.host.rpc.request('clickTrial', { id });
  }

  /** Clicks a harmful trial's Debug link, as the user would. */
  async clickDebug(id: string): Promise<void> {
    await this.host.ready;
    await this.host.rpc.request('clickDebug', { id });
  }

  /** Fills the form, as the user would. */
  async choose(params: Partial<CampaignRunParams>): Promise<void> {
    await this.host.requestAgainOnReload(() => this.host.rpc.request('choose', params));
  }

  /** What the page shows now. */
  async state(): Promise<CampaignViewState> {
    return this.host.requestAgainOnReload(() => this.host.rpc.request('state', {}));
  }

  /** The results the view would show when reopened. */
  lastResults(): CampaignResults | undefined {
    return this.context.workspaceState.get<CampaignResults>(LAST_RESULTS_KEY);
  }

  dispose(): void {
    this.host.dispose();
  }
}
