// The "New Scenario from Template" command: a scenario file from a built-in template, open in an editor.
import * as vscode from 'vscode';
import { SCENARIO_TEMPLATES, scenarioTemplate, scenarioTemplateText, type ScenarioTemplate } from '../../simulator/config/scenarioTemplates';

async function pickTemplate(): Promise<ScenarioTemplate | undefined> {
  const picked = await vscode.window.showQuickPick(
    SCENARIO_TEMPLATES.map((t) => ({ label: t.title, detail: t.detail, template: t })),
    { title: 'New Scenario from Template', placeHolder: 'Which scenario to start from?', matchOnDetail: true },
  );
  return picked?.template;
}

/** Whether something is at `uri`. */
export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * An untitled document that saves to `<stem>.mklab.json` in the first workspace
 * folder, so the scenario schema applies to it at once; with no folder open, a
 * plain untitled JSON document.
 */
async function newDocument(stem: string, text: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) return vscode.workspace.openTextDocument({ language: 'json', content: text });
  let target = vscode.Uri.joinPath(folder.uri, `${stem}.mklab.json`);
  const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.path));
  for (let n = 2; open.has(target.path) || (await exists(target)); n++) target = vscode.Uri.joinPath(folder.uri, `${stem}-${n}.mklab.json`);
  const document = await vscode.workspace.openTextDocument(target.with({ scheme: 'untitled' }));
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, new vscode.Position(0, 0), text);
  await vscode.workspace.applyEdit(edit);
  return document;
}

/** Creates the scenario from the template with id `templateId`, or the one the user picks; undefined if cancelled. */
export async function newScenarioFromTemplate(templateId?: unknown): Promise<vscode.TextDocument | undefined> {
  // From a menu the argument is whatever the menu passes, not a template id.
  const given = typeof templateId === 'string';
  const template = given ? scenarioTemplate(templateId) : await pickTemplate();
  if (template === undefined) {
    if (given) void vscode.window.showErrorMessage(`Microkernel Lab: no scenario template '${templateId}'.`);
    return undefined;
  }
  const document = await newDocument(template.fileStem, scenarioTemplateText(template));
  await vscode.window.showTextDocument(document);
  return document;
}
