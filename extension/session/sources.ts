// Where a system comes from: a built-in scenario by name, a workspace scenario
// file, or a workspace system.conf; read here, checked against workspace trust.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseScenario } from '../../simulator/config/scenario';
import type { SystemSource } from '../../simulator/protocol/workerProtocol';
import { untrustedRefusal, workspaceTrusted } from './trust';
import { readInputFile } from '../inputFiles';

export const SCENARIO_GLOB = '{**/*.mklab.json,**/.mklab/scenarios/*.json}';
export const SYSTEM_CONF_GLOB = '**/system.conf';
const EXCLUDE = '**/node_modules/**';

/** A problem the user can fix; the message is shown as it is. */
export class SourceError extends Error {}

export interface ResolvedSource {
  readonly source: SystemSource;
  /** The scenario's own configuration, when the source says one. */
  readonly scenarioConfiguration?: string;
  readonly title: string;
}

export function isSystemConfPath(file: string): boolean {
  const base = path.basename(file);
  return base === 'system.conf' || base.endsWith('.conf');
}

/** A built-in name, a path (absolute or relative to the workspace), or a file Uri. */
export async function resolveSource(arg: unknown): Promise<ResolvedSource> {
  if (typeof arg === 'string' && !/[\\/]/.test(arg) && !/\.(json|conf)$/.test(arg)) {
    return { source: { kind: 'builtin', name: arg }, title: arg };
  }
  const uri = toUri(arg);
  const file = uri.fsPath;
  let text: string;
  try {
    text = new TextDecoder().decode(await readInputFile(uri, isSystemConfPath(file) ? 'systemConf' : 'scenario'));
  } catch (e) {
    throw new SourceError((e as Error).message);
  }
  if (isSystemConfPath(file)) return { source: { kind: 'systemConf', file, text }, title: vscode.workspace.asRelativePath(uri) };
  const parsed = parseScenario(text, file);
  if (parsed.scenario !== undefined && parsed.scenario.userDrivers.length > 0 && !workspaceTrusted()) {
    throw new SourceError(untrustedRefusal(path.basename(file), parsed.scenario.userDrivers));
  }
  return {
    source: { kind: 'scenarioFile', file, text },
    title: parsed.scenario?.name ?? vscode.workspace.asRelativePath(uri),
    ...(parsed.scenario === undefined ? {} : { scenarioConfiguration: parsed.scenario.configuration }),
  };
}

function toUri(arg: unknown): vscode.Uri {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') {
    if (path.isAbsolute(arg)) return vscode.Uri.file(arg);
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder === undefined) throw new SourceError(`${arg}: a relative path needs an open workspace folder`);
    return vscode.Uri.joinPath(folder.uri, arg);
  }
  throw new SourceError('Start System: expected a built-in scenario name, a scenario file or a system.conf');
}

export async function workspaceScenarios(): Promise<vscode.Uri[]> {
  return sorted(await vscode.workspace.findFiles(SCENARIO_GLOB, EXCLUDE, 100));
}

export async function workspaceSystemConfs(): Promise<vscode.Uri[]> {
  return sorted(await vscode.workspace.findFiles(SYSTEM_CONF_GLOB, EXCLUDE, 100));
}

function sorted(uris: vscode.Uri[]): vscode.Uri[] {
  return uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}
