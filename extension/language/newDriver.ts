// The "New Driver…" command: writes a working driver of the user's own, its
// .conf and a scenario that runs it (simulator/config/driverTemplate.ts) into
// the workspace, never over an existing file, and opens the driver.
import * as vscode from 'vscode';
import { driverLabelProblem, driverTemplate } from '../../simulator/config/driverTemplate';
import { exists } from './newScenario';

export type NewDriverOutcome = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly error: string };

/** Creates the driver `label` (or the one the user names); undefined if the user cancels. */
export async function newDriver(labelArg?: unknown): Promise<NewDriverOutcome | undefined> {
  const fail = (error: string): NewDriverOutcome => {
    void vscode.window.showErrorMessage(`Microkernel Lab: ${error}`);
    return { ok: false, error };
  };
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) return fail('New Driver needs a folder: open one, and the driver, its .conf and a scenario are written into it.');
  const label =
    typeof labelArg === 'string'
      ? labelArg
      : await vscode.window.showInputBox({
          title: 'New Driver',
          prompt: 'The driver\'s label (its MINIX service name)',
          placeHolder: 'mydriver',
          validateInput: (v) => driverLabelProblem(v) ?? null,
        });
  if (label === undefined) return undefined;
  const problem = driverLabelProblem(label);
  if (problem !== undefined) return fail(problem);
  const files = driverTemplate(label);
  const targets = [files.driver, files.conf, files.scenario].map((f) => ({ uri: vscode.Uri.joinPath(folder.uri, f.path), text: f.text, path: f.path }));
  for (const t of targets) {
    if (await exists(t.uri)) return fail(`${t.path} already exists in ${folder.name}; nothing was written. Choose another label.`);
  }
  for (const t of targets) await vscode.workspace.fs.writeFile(t.uri, new TextEncoder().encode(t.text));
  await vscode.window.showTextDocument(targets[0]!.uri);
  void vscode.window.showInformationMessage(
    `Microkernel Lab: wrote ${targets.map((t) => t.path).join(', ')}. Start System and pick ${files.scenario.path} to run it.`,
  );
  return { ok: true, files: targets.map((t) => t.path) };
}
