// Activation: registers the extension's commands, views and panels, and
// nothing else, but for bringing the SDK's declarations a workspace already
// has (New Driver put them there) to this version's. The simulator worker
// starts on first use.
import * as vscode from 'vscode';
import { CommandId, type CommandArgs } from './commandIds';
import { registerConsole } from './console';
import { registerDebugger } from './debug';
import { newDriver, newScenarioFromTemplate, refreshDriverTypes, registerSystemConfLanguage } from './language';
import { LabPanel } from './panels/labPanel';
import { BenchPanel } from './panels/benchPanel';
import { CampaignPanel } from './panels/campaignPanel';
import { registerSession, type SessionApi } from './session';
import { SimulatorClient } from './simulatorClient';
import { registerTraceView } from './trace/traceCommands';
import { TracePanel } from './trace/tracePanel';
import { SystemTreeProvider } from './views/systemTree';

/** What activate() returns: the surface the integration tests drive. */
export interface LabApi {
  ping(payload: string): Promise<{ payload: string; simulatorVersion: string }>;
  readonly systemView: SystemTreeProvider;
  readonly session: SessionApi;
  labPanel(): { roundTrip(text: string): Promise<string> } | undefined;
  benchPanel(): BenchPanel | undefined;
  campaignPanel(): CampaignPanel | undefined;
}

export function activate(context: vscode.ExtensionContext): LabApi {
  const simulator = new SimulatorClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'simulator.js').fsPath);
  const systemView = new SystemTreeProvider(simulator);

  const register = <C extends CommandId>(id: C, run: (...args: CommandArgs[C]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown));

  register(CommandId.openPanel, () => void LabPanel.show(context.extensionUri, simulator));
  register(CommandId.compareArchitectures, () => void BenchPanel.show(context, simulator, () => session.walkthrough.complete('compare')));
  register(CommandId.runCampaign, () => void CampaignPanel.show(context, simulator));
  register(CommandId.pingSimulator, async () => {
    try {
      const answer = await simulator.request('ping', { payload: 'pong' });
      void vscode.window.showInformationMessage(`Microkernel Lab: the simulator ${answer.simulatorVersion} answered '${answer.payload}'.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Microkernel Lab: ${(e as Error).message}`);
    }
  });
  register(CommandId.restartSimulator, async () => {
    await simulator.restart();
    systemView.refresh();
  });
  register(CommandId.refreshSystem, () => systemView.refresh());
  register(CommandId.newScenario, (templateId) => newScenarioFromTemplate(templateId));
  register(CommandId.newDriver, (label) => newDriver(context.extensionUri, label));
  registerSystemConfLanguage(context);
  void refreshDriverTypes(context.extensionUri);
  // The running system's launch, for "Debug from here" (read when used: the session registers below).
  registerTraceView(context, { simulator, runLaunch: () => session.controller.runLaunch() });
  registerConsole(context, { simulator });
  const session = registerSession(context, { simulator });
  // A debug session's system is shown in the System view and the status bar as any run is.
  // The trace view marks where the debugger stands when it debugs the trace's system.
  registerDebugger(
    context,
    (snapshot) => {
      systemView.showDebugSnapshot(snapshot);
      session.controller.showDebugStatus(snapshot?.session);
    },
    (position) => TracePanel.showDebugPosition(position),
  );

  const systemTree = vscode.window.createTreeView('microkernelLab.system', { treeDataProvider: systemView });
  // The walkthrough's second step: the System view seen while a system runs.
  const looked = () => {
    if (systemTree.visible && session.controller.status !== undefined) session.walkthrough.complete('look');
  };
  context.subscriptions.push(
    systemTree,
    systemTree.onDidChangeVisibility(looked),
    session.controller.onDidChangeStatus(looked),
    systemView,
    simulator.onUnexpectedExit(async (reason) => {
      const restart = 'Restart Simulator';
      const choice = await vscode.window.showErrorMessage(`Microkernel Lab: ${reason}.`, restart);
      if (choice === restart) await vscode.commands.executeCommand(CommandId.restartSimulator);
    }),
    { dispose: () => void simulator.stop() },
  );

  return {
    ping: (payload) => simulator.request('ping', { payload }),
    systemView,
    session,
    labPanel: () => LabPanel.open,
    benchPanel: () => BenchPanel.open,
    campaignPanel: () => CampaignPanel.open,
  };
}

export function deactivate(): void {
  // Disposables registered on the context stop the worker.
}
