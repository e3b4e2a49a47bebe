// The "New Driver…" command: writes a working driver of the user's own, its
// .conf and a scenario that runs it (simulator/config/driverTemplate.ts) into
// the workspace, never over an existing file, and opens the driver. So that
// the editor knows the SDK's types, it also puts the SDK's declarations in
// drivers/.mklab and, if there is none, a drivers/tsconfig.json that maps
// `microkernel-lab` to them.
import * as vscode from 'vscode';
import { DRIVER_SDK_TYPES_PATH, DRIVER_TSCONFIG, driverLabelProblem, driverTemplate } from '../../simulator/config/driverTemplate';
import { exists } from './newScenario';

export type NewDriverOutcome =
  | {
      readonly ok: true;
      /** The driver, its .conf and its scenario. */
      readonly files: readonly string[];
      /** The typings written besides: the SDK's declarations if absent or out of date, drivers/tsconfig.json if absent. */
      readonly typings: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

/** The SDK's declarations as the extension ships them (esbuild.mjs makes them with scripts/sdkTypes.mjs). */
function shippedSdkTypes(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'sdk', 'microkernel-lab.d.ts');
}

async function read(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Brings the copy of the SDK's declarations in `folder` to the extension's: writes it if it
 * differs (another version of the extension wrote it), or if it is absent and `create`.
 * Returns whether it wrote.
 */
async function syncSdkTypes(extensionUri: vscode.Uri, folder: vscode.Uri, create: boolean): Promise<boolean> {
  const shipped = await read(shippedSdkTypes(extensionUri));
  if (shipped === undefined) return false;
  const target = vscode.Uri.joinPath(folder, DRIVER_SDK_TYPES_PATH);
  const current = await read(target);
  if (current === undefined ? !create : sameBytes(current, shipped)) return false;
  await vscode.workspace.fs.writeFile(target, shipped);
  return true;
}

/** At activation: refreshes the SDK's declarations in each workspace folder that has them, as an update of the extension may change them. */
export async function refreshDriverTypes(extensionUri: vscode.Uri): Promise<void> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    await syncSdkTypes(extensionUri, folder.uri, false).catch(() => false);
  }
}

/** Creates the driver `label` (or the one the user names); undefined if the user cancels. */
export async function newDriver(extensionUri: vscode.Uri, labelArg?: unknown): Promise<NewDriverOutcome | undefined> {
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
  // The typings first, so that the TypeScript server finds the project when the driver opens.
  const typings: string[] = [];
  if (await syncSdkTypes(extensionUri, folder.uri, true)) typings.push(DRIVER_SDK_TYPES_PATH);
  const tsconfig = vscode.Uri.joinPath(folder.uri, DRIVER_TSCONFIG.path);
  if (typings.length > 0 || (await exists(vscode.Uri.joinPath(folder.uri, DRIVER_SDK_TYPES_PATH)))) {
    if (!(await exists(tsconfig))) {
      await vscode.workspace.fs.writeFile(tsconfig, new TextEncoder().encode(DRIVER_TSCONFIG.text));
      typings.push(DRIVER_TSCONFIG.path);
    }
  }
  for (const t of targets) await vscode.workspace.fs.writeFile(t.uri, new TextEncoder().encode(t.text));
  await vscode.window.showTextDocument(targets[0]!.uri);
  void vscode.window.showInformationMessage(
    `Microkernel Lab: wrote ${targets.map((t) => t.path).join(', ')}. Start System and pick ${files.scenario.path} to run it.`,
  );
  return { ok: true, files: targets.map((t) => t.path), typings };
}
