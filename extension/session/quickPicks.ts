// The quick picks of the session's commands: what to start, in which
// configuration, which fault to inject, which service to act on.
import * as vscode from 'vscode';
import type { FaultTypeEntry, ProcessSummary, ScenarioEntry } from '../../simulator/protocol/workerProtocol';
import { CONFIGURATION_TABLE, DEFAULT_CONFIGURATION } from '../../simulator/config/configurations';
import { workspaceScenarios, workspaceSystemConfs } from './sources';

function describeConfiguration(name: string): string {
  return CONFIGURATION_TABLE.find((c) => c.name === name)?.description ?? '';
}

type SourceItem = vscode.QuickPickItem & { readonly value?: string | vscode.Uri };

/** A built-in scenario name or a workspace file; undefined if the user cancels. */
export async function pickSource(scenarios: readonly ScenarioEntry[]): Promise<string | vscode.Uri | undefined> {
  const [files, confs] = await Promise.all([workspaceScenarios(), workspaceSystemConfs()]);
  const items: SourceItem[] = [{ label: 'Built-in scenarios', kind: vscode.QuickPickItemKind.Separator }];
  for (const s of scenarios) {
    if (s.name === 'default') continue;
    items.push({
      label: `$(beaker) ${s.name.toUpperCase()}${s.name === 's1' ? ' (default)' : ''}`,
      description: s.configuration,
      detail: s.description,
      value: s.name,
    });
  }
  if (files.length > 0) {
    items.push({ label: 'Workspace scenarios', kind: vscode.QuickPickItemKind.Separator });
    for (const uri of files) items.push({ label: `$(file-code) ${vscode.workspace.asRelativePath(uri)}`, value: uri });
  }
  if (confs.length > 0) {
    items.push({ label: 'Workspace system descriptions', kind: vscode.QuickPickItemKind.Separator });
    for (const uri of confs) items.push({ label: `$(settings) ${vscode.workspace.asRelativePath(uri)}`, description: 'built-in drivers only, no workload', value: uri });
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Start System (1/2): what to boot', placeHolder: 'A built-in scenario, a scenario file or a system.conf', matchOnDetail: true });
  return picked?.value;
}

/** A configuration name, or null for the scenario's own; undefined if the user cancels. */
export async function pickConfiguration(configurations: readonly string[], scenarioOwn: string | undefined, preferred: string | undefined): Promise<string | null | undefined> {
  type Item = vscode.QuickPickItem & { readonly value: string | null };
  const own: Item = { label: `As the scenario says${scenarioOwn ? ` (${scenarioOwn})` : ''}`, description: scenarioOwn ? describeConfiguration(scenarioOwn) : DEFAULT_CONFIGURATION, value: null };
  const rest: Item[] = configurations.map((c) => ({ label: c, description: describeConfiguration(c), value: c }));
  const preferredItem = rest.find((i) => i.value === preferred);
  const items = preferredItem ? [preferredItem, own, ...rest.filter((i) => i !== preferredItem)] : [own, ...rest];
  const picked = await vscode.window.showQuickPick(items, { title: 'Start System (2/2): configuration', placeHolder: 'How the system is built' });
  return picked === undefined ? undefined : picked.value;
}

export async function pickFault(faults: readonly FaultTypeEntry[], label: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    faults.map((f) => ({ label: f.type, detail: f.description })),
    { title: `Inject a fault into ${label}`, placeHolder: 'Fault type', matchOnDetail: true },
  );
  return picked?.label;
}

/** A running service's label; undefined if the user cancels. */
export async function pickService(processes: readonly ProcessSummary[], title: string): Promise<string | undefined> {
  const services = processes.filter((p) => (p.group === 'drivers' || p.group === 'servers') && p.label !== 'rs');
  if (services.length === 0) {
    void vscode.window.showInformationMessage('Microkernel Lab: no system is running; start one first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    services
      .sort((a, b) => (a.group === b.group ? a.label.localeCompare(b.label) : a.group === 'drivers' ? -1 : 1))
      .map((p) => ({ label: p.label, description: `${p.group === 'drivers' ? 'driver' : 'server'} · ${p.serviceState ?? p.state} · ${p.restarts} restarts` })),
    { title, placeHolder: 'Service label' },
  );
  return picked?.label;
}
