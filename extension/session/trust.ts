// Workspace trust: in restricted mode only built-in systems and drivers run.
// The check reads vscode.workspace.isTrusted; the integration tests can force
// the answer, because their VS Code runs with workspace trust disabled.
import * as vscode from 'vscode';

let forced: boolean | undefined;

export function workspaceTrusted(): boolean {
  return forced ?? vscode.workspace.isTrusted;
}

/** Makes workspaceTrusted() answer `trusted` (undefined: VS Code's answer again). For tests only. */
export function forceWorkspaceTrust(trusted: boolean | undefined): void {
  forced = trusted;
}

export function untrustedRefusal(file: string, userDrivers: readonly string[]): string {
  return (
    `${file} runs code from the workspace (userDrivers: ${userDrivers.join(', ')}), and this workspace is in restricted mode. ` +
    'Only built-in systems and drivers run in restricted mode; trust the workspace to run it.'
  );
}
