// The benchmark view: Compare Architectures. The page chooses a workload,
// configurations, a cost profile, seeds and the simulated time; the worker
// runs the comparison (simulator/bench/compare.ts) with progress and cancel;
// the page draws the charts. The host keeps the last results (in the
// workspace's state) so that the view shows them again when reopened, and
// writes the exports.
import * as vscode from 'vscode';
import type { CompareRunParams } from '../../simulator/protocol/compareProtocol';
import type { BenchResults, BenchViewProtocol, BenchViewState } from '../../webview/protocol/benchViewProtocol';
import { BENCH_VIEW_MARKUP } from '../../webview/bench/markup';
import { PanelHost, PanelSlot } from '../panelHost';
import { CommandId } from '../commandIds';
import type { SimulatorClient } from '../simulatorClient';

const LAST_RESULTS_KEY = 'microkernelLab.compare.lastResults';
/** The longest a comparison may take before the host gives up waiting (it can be cancelled at any time). */
const RUN_TIMEOUT_MS = 60 * 60 * 1000;

export class BenchPanel implements vscode.Disposable {
  static readonly viewType = 'microkernelLab.benchView';
  private static readonly slot = new PanelSlot<BenchPanel>();
  /** Where the next export goes instead of asking (the tests' way past the save dialog). */
  private exportTarget: string | undefined;

  static show(context: vscode.ExtensionContext, simulator: SimulatorClient, onResults: () => void = () => undefined): BenchPanel {
    return BenchPanel.slot.show(
      () =>
        new BenchPanel(
          PanelHost.create<BenchViewProtocol>(context.extensionUri, {
            viewType: BenchPanel.viewType,
            title: 'Compare Architectures',
            peerName: 'the benchmark view',
            bundle: 'bench',
            body: BENCH_VIEW_MARKUP,
          }),
          context,
          simulator,
          onResults,
        ),
    );
  }

  static get open(): BenchPanel | undefined {
    return BenchPanel.slot.open;
  }

  private constructor(
    readonly host: PanelHost<BenchViewProtocol>,
    private readonly context: vscode.ExtensionContext,
    simulator: SimulatorClient,
    onResults: () => void,
  ) {
    const rpc = host.rpc;
    rpc.handle('choices', () => simulator.request('compareChoices', {}));
    rpc.handle('lastResults', () => context.workspaceState.get<BenchResults>(LAST_RESULTS_KEY) ?? null);
    rpc.handle('run', async (params) => {
      const progress = simulator.on('compareProgress', (body) => rpc.emit('progress', body));
      try {
        const outcome = await simulator.request('compareRun', params, RUN_TIMEOUT_MS);
        if (outcome.report !== null) {
          await context.workspaceState.update(LAST_RESULTS_KEY, { params, outcome } satisfies BenchResults);
          onResults();
        }
        return outcome;
      } finally {
        progress.dispose();
      }
    });
    rpc.handle('cancel', () => simulator.request('compareCancel', {}));
    rpc.handle('openTrace', async ({ config }) => {
      const last = context.workspaceState.get<BenchResults>(LAST_RESULTS_KEY);
      if (last?.outcome.report == null) throw new Error('there are no results yet');
      await vscode.workspace.fs.createDirectory(context.globalStorageUri);
      const file = vscode.Uri.joinPath(context.globalStorageUri, `compare-${last.params.workload}-${config}.mktrace`).fsPath;
      const { workload, profile, durationSeconds } = last.params;
      const saved = await simulator.request('compareTrace', { workload, profile, durationSeconds, configuration: config, file }, RUN_TIMEOUT_MS);
      const loaded = (await vscode.commands.executeCommand(CommandId.loadTrace, saved.file)) as { ok: boolean; error?: string } | undefined;
      if (loaded !== undefined && !loaded.ok) throw new Error(loaded.error ?? 'the trace view could not load the trace');
      return { events: saved.events };
    });
    rpc.handle('export', async ({ format }) => {
      const last = context.workspaceState.get<BenchResults>(LAST_RESULTS_KEY);
      if (last?.outcome.report == null) throw new Error('there are no results to export yet');
      let target = this.exportTarget;
      this.exportTarget = undefined;
      if (target === undefined) {
        const uri = await vscode.window.showSaveDialog({
          title: `Export the comparison as ${format === 'csv' ? 'CSV' : 'Markdown'}`,
          filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
          ...(vscode.workspace.workspaceFolders?.[0] === undefined ? {} : { defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, `compare-${last.params.workload}.${format}`) }),
        });
        if (uri === undefined) return { saved: null };
        target = uri.fsPath;
      }
      await vscode.workspace.fs.writeFile(vscode.Uri.file(target), new TextEncoder().encode(format === 'csv' ? last.outcome.csv : last.outcome.markdown));
      return { saved: target };
    });
  }

  /** Presses a button of the page, as the user would. */
  async press(button: 'run' | 'cancel' | 'export-csv' | 'export-md'): Promise<void> {
    await this.host.ready;
    await this.host.rpc.request('press', { button });
  }

  /** Clicks a configuration's name in the results table, as the user would. */
  async clickConfiguration(config: string): Promise<void> {
    await this.host.ready;
    await this.host.rpc.request('clickConfiguration', { config });
  }

  /** Fills the form, as the user would. */
  async choose(params: Partial<CompareRunParams>): Promise<void> {
    await this.host.requestAgainOnReload(() => this.host.rpc.request('choose', params));
  }

  /** What the page shows now. */
  async state(): Promise<BenchViewState> {
    return this.host.requestAgainOnReload(() => this.host.rpc.request('state', {}));
  }

  /** The next export is written to `file` without asking. */
  exportNextTo(file: string): void {
    this.exportTarget = file;
  }

  /** The results the view would show when reopened. */
  lastResults(): BenchResults | undefined {
    return this.context.workspaceState.get<BenchResults>(LAST_RESULTS_KEY);
  }

  dispose(): void {
    this.host.dispose();
  }
}
