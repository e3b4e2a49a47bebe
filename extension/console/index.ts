// Registers the console: the command that opens it.
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import type { SimulatorClient } from '../simulatorClient';
import { ConsolePanel, type ConsoleHandle } from './consolePanel';

export type { ConsoleHandle } from './consolePanel';

/**
 * `microkernelLab.console.open` shows the console (one panel, revealed again
 * if open) and returns its handle, which code can type into and read.
 */
export function registerConsole(context: vscode.ExtensionContext, deps: { simulator: SimulatorClient }): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(CommandId.openConsole, (): ConsoleHandle => ConsolePanel.show(context.extensionUri, deps.simulator)),
    { dispose: () => ConsolePanel.open?.dispose() },
  );
}
