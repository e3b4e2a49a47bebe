// Quick fixes in system.conf documents: the word the parser suggests in place of a misspelt one
// (a key, a kernel or VM call, an IPC target, a keyword), and the `service rs` entry that lets a
// file that cannot boot alone boot. The fixes come from the parser's own diagnostics (their
// `replacement` and `insertion`), found again from the document's current text.
import * as vscode from 'vscode';
import type { ConfEdit } from '../../simulator/config/systemConf';
import { DIAGNOSTIC_SOURCE, systemConfProblems, toVscodeRange } from './systemConfDiagnostics';

export class SystemConfCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (context.only !== undefined && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    const actions: vscode.CodeAction[] = [];
    for (const problem of systemConfProblems(document)) {
      const at = toVscodeRange(problem);
      if (at.intersection(range) === undefined) continue;
      let edit: ConfEdit;
      let title: string;
      if (problem.replacement !== undefined) {
        edit = problem.replacement;
        title = `Change '${document.getText(toVscodeRange(edit.range))}' to '${edit.text}'`;
      } else if ('insertion' in problem && problem.insertion !== undefined) {
        edit = problem.insertion;
        title = 'Add a `service rs` entry, so that this file boots by itself';
      } else continue;
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, toVscodeRange(edit.range), edit.text);
      // The diagnostic the fix removes, as the editor shows it (matched by its code and range).
      const shown = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === problem.code && d.range.isEqual(at));
      if (shown.length > 0) action.diagnostics = shown;
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}
