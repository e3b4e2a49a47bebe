// Opens the source line behind a kernel entry. Built-in services name
// repository-relative files (simulator/drivers/nic.ts), which the extension
// ships under the same paths; user drivers live in the workspace.
import * as vscode from 'vscode';

/** The trace view's webview type (TracePanel.viewType); a tab's input carries it with a prefix. */
const TRACE_VIEW_TYPE = 'microkernelLab.traceView';

export interface SourceRequest {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly process?: string;
}

/** The first existing file among the places `file` may name, or undefined. */
export async function resolveSourceFile(extensionUri: vscode.Uri, file: string): Promise<vscode.Uri | undefined> {
  const path = file.startsWith('file://') ? vscode.Uri.parse(file).fsPath : file;
  const candidates: vscode.Uri[] = [];
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) candidates.push(vscode.Uri.file(path));
  else {
    const relative = path.replace(/^\.?[\\/]+/, '');
    for (const folder of vscode.workspace.workspaceFolders ?? []) candidates.push(vscode.Uri.joinPath(folder.uri, relative));
    candidates.push(vscode.Uri.joinPath(extensionUri, relative));
  }
  for (const uri of candidates) {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.File) return uri;
    } catch {
      // Not there; try the next place.
    }
  }
  return undefined;
}

/** Opens the file at the line (1-based); says where the source is when it cannot be found. Returns whether it opened. */
export async function openSourceLocation(extensionUri: vscode.Uri, where: SourceRequest): Promise<boolean> {
  const uri = await resolveSourceFile(extensionUri, where.file);
  const place = `${where.file}:${where.line}${where.column === undefined ? '' : `:${where.column}`}`;
  if (!uri) {
    void vscode.window.showWarningMessage(
      `Microkernel Lab: the source of ${where.process ?? 'this process'} is at ${place}, which is neither in the workspace nor in the extension.`,
    );
    return false;
  }
  const line = Math.max(0, where.line - 1);
  const column = Math.max(0, (where.column ?? 1) - 1);
  const position = new vscode.Position(line, column);
  await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true, viewColumn: sourceColumn() });
  return true;
}

/**
 * Where a source opens from the trace view: in an editor group other than the
 * trace view's (the one the user last used), so that the trace view keeps its
 * place and size; beside it only when it is alone. Opening beside every time
 * split the window again on each jump and squeezed the trace view.
 */
function sourceColumn(): vscode.ViewColumn {
  const groups = vscode.window.tabGroups.all;
  const isTrace = (g: vscode.TabGroup) => g.tabs.some((t) => t.isActive && t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(TRACE_VIEW_TYPE));
  const traceGroup = groups.find(isTrace);
  if (traceGroup === undefined) return vscode.ViewColumn.Beside;
  const others = groups.filter((g) => g !== traceGroup);
  if (others.length === 0) return vscode.ViewColumn.Beside;
  return others.find((g) => g.isActive)?.viewColumn ?? others[others.length - 1]!.viewColumn;
}
