// Registers the language features for MINIX system.conf files; each does its work only when a document asks.
//
// package.json associates the language with files named system.conf, with files in a
// system.conf.d folder (MINIX's per-driver files, which have no extension), and by first
// line with files that start with `service` or a `#` comment. Other `*.conf` files cannot
// be recognised: VS Code decides a language from the file name before it looks at the
// first line, and `.conf` already belongs to a built-in language, so such a file needs
// "Change Language Mode" or a `files.associations` setting.
import * as vscode from 'vscode';
import { SystemConfCodeActionProvider } from './systemConfActions';
import { SystemConfCompletionProvider } from './systemConfCompletion';
import { SYSTEM_CONF_LANGUAGE, SystemConfDiagnostics } from './systemConfDiagnostics';
import { SystemConfHoverProvider } from './systemConfHover';

export { newScenarioFromTemplate } from './newScenario';
export { newDriver, refreshDriverTypes } from './newDriver';

export function registerSystemConfLanguage(context: vscode.ExtensionContext): void {
  const selector: vscode.DocumentSelector = { language: SYSTEM_CONF_LANGUAGE };
  context.subscriptions.push(
    new SystemConfDiagnostics(),
    vscode.languages.registerCompletionItemProvider(selector, new SystemConfCompletionProvider()),
    vscode.languages.registerHoverProvider(selector, new SystemConfHoverProvider()),
    vscode.languages.registerCodeActionsProvider(selector, new SystemConfCodeActionProvider(), SystemConfCodeActionProvider.metadata),
  );
}
