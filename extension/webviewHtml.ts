// The page shell of every webview panel: a strict Content-Security-Policy
// (nonce'd script from the extension's dist folder only, no inline script,
// no remote loads) around one bundled script, one stylesheet, and the
// panel's static markup, which lives beside its script (webview/<panel>/markup.ts).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  readonly title: string;
  /** The bundle's base name under dist/webview (panel → panel.js, panel.css). */
  readonly bundle: string;
  /** The panel's static markup for the body; its script fills it in. */
  readonly body: string;
  /**
   * Admits <style> elements that carry the page's nonce (the console: xterm.js
   * creates its own style elements, and its script gives them the nonce).
   * Inline style attributes and styles from anywhere else stay blocked.
   */
  readonly nonceStyles?: boolean;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, shell: WebviewShell): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}${shell.nonceStyles === true ? ` 'nonce-${nonce}'` : ''}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset(`${shell.bundle}.css`)}">
<title>${escapeHtml(shell.title)}</title>
</head>
<body>
${shell.body}
<script nonce="${nonce}" src="${asset(`${shell.bundle}.js`)}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
