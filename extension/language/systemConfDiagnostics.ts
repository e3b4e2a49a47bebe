// Problems in system.conf documents, from the simulator's own parser, kept up to date as the user types.
import * as vscode from 'vscode';
import { parseSystemConf, standaloneHint, type ConfDiagnostic, type Diagnostic, type StandaloneHint } from '../../simulator/config/systemConf';

export const SYSTEM_CONF_LANGUAGE = 'minix-system-conf';
const DEBOUNCE_MS = 250;

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** The parser's 1-based, end-exclusive range as a VS Code range. */
export function toVscodeRange(d: { line: number; column: number; endLine: number; endColumn: number }): vscode.Range {
  return new vscode.Range(d.line - 1, d.column - 1, d.endLine - 1, d.endColumn - 1);
}

export const DIAGNOSTIC_SOURCE = 'system.conf';

/**
 * The problems of a system.conf document as the parser finds them, with their fixes (a suggested
 * word in place of a bad one; the `service rs` entry a file that cannot boot alone lacks).
 */
export function systemConfProblems(document: vscode.TextDocument): (ConfDiagnostic | StandaloneHint)[] {
  const file = document.uri.toString();
  const parsed = parseSystemConf(document.getText(), file);
  const problems: (ConfDiagnostic | StandaloneHint)[] = parsed.diagnostics.filter((d) => d.file === file);
  const hint = standaloneHint(parsed, file);
  if (hint !== undefined) problems.push(hint);
  return problems;
}

export function systemConfDiagnostics(document: vscode.TextDocument): vscode.Diagnostic[] {
  return systemConfProblems(document).map((d) => {
    const out = new vscode.Diagnostic(toVscodeRange(d), d.message, SEVERITY[d.severity]);
    out.source = DIAGNOSTIC_SOURCE;
    out.code = d.code;
    return out;
  });
}

/** Checks every system.conf document when it opens, shortly after it changes, and forgets it when it closes. */
export class SystemConfDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(SYSTEM_CONF_LANGUAGE);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
    ];
    // Documents opened before activation get their check after activate() has returned.
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    if (document.languageId !== SYSTEM_CONF_LANGUAGE) {
      // The user may have switched the document to another language.
      this.forget(document.uri);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed) this.collection.set(document.uri, systemConfDiagnostics(document));
      }, delayMs),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}
