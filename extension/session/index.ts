// Registers the session's part of the editor: the start/stop/pause/resume and
// driver commands, the IOMMU view and the status bar. Nothing starts until a
// command or a view asks.
import * as vscode from 'vscode';
import { CommandId, type CommandArgs } from '../commandIds';
import type { SimulatorClient } from '../simulatorClient';
import { IommuTreeProvider } from '../views/iommuTree';
import { SessionController } from './controller';
import { forceWorkspaceTrust, workspaceTrusted } from './trust';
import { WalkthroughProgress } from './walkthrough';

export { SessionController, type CommandOutcome } from './controller';

/** What the integration tests reach of the session. */
export interface SessionApi {
  readonly controller: SessionController;
  readonly iommuView: IommuTreeProvider;
  /** The walkthrough's steps the user has really done in this window. */
  readonly walkthrough: WalkthroughProgress;
  /** Forces the workspace-trust answer (undefined: VS Code's again); for tests. */
  forceWorkspaceTrust(trusted: boolean | undefined): void;
  workspaceTrusted(): boolean;
  /** Ends the simulator worker as a crash would (the user is offered a restart); for tests only. */
  crashSimulatorForTests(): Promise<void>;
}

export function registerSession(context: vscode.ExtensionContext, deps: { simulator: SimulatorClient }): SessionApi {
  const walkthrough = new WalkthroughProgress();
  const controller = new SessionController(deps.simulator, context.extensionUri, walkthrough);
  const iommuView = new IommuTreeProvider(deps.simulator);
  const iommuTree = vscode.window.createTreeView('microkernelLab.iommu', { treeDataProvider: iommuView });
  const register = <C extends CommandId>(id: C, run: (...args: CommandArgs[C]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown));

  register(CommandId.startSystem, (scenario, configuration) => controller.start(scenario, configuration));
  register(CommandId.stopSystem, () => controller.stop());
  register(CommandId.pauseSystem, () => controller.pause());
  register(CommandId.resumeSystem, () => controller.resume());
  register(CommandId.showSummary, () => controller.showSummary());
  register(CommandId.restartDriver, (target) => controller.driverOperation('restart', target));
  register(CommandId.killDriver, (target) => controller.driverOperation('kill', target));
  register(CommandId.updateDriver, (target) => controller.driverOperation('update', target));
  register(CommandId.injectFault, (target, faultType) => controller.injectFault(target, faultType));
  register(CommandId.showPrivileges, (target) => controller.showPrivileges(target));
  register(CommandId.openDriverSource, (target) => controller.openSource(target));

  iommuView.setVisible(iommuTree.visible);
  context.subscriptions.push(
    controller,
    iommuView,
    iommuTree,
    iommuTree.onDidChangeVisibility((e) => iommuView.setVisible(e.visible)),
  );
  void vscode.commands.executeCommand('setContext', 'microkernelLab.sessionState', 'idle');
  return { controller, iommuView, walkthrough, forceWorkspaceTrust, workspaceTrusted, crashSimulatorForTests: () => deps.simulator.crashForTests() };
}
