// Helpers of the session and views integration tests: the session's part of the extension's
// API as the tests see it, the System view's rows, and waiting for a condition (`eventually`, from labApi).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, labApi, labelOf, type LabApi } from './labApi';

export { eventually };

export interface ProcessNode {
  kind: 'process';
  process: { label: string; endpoint: number; restarts: number; state: string; serviceState?: string; lastExit?: string };
}
export type Outcome = { ok: true; message: string; status: { state: string; name?: string; nowCycles: number; runId: number } } | { ok: false; error: string };
export interface SessionLabApi extends LabApi {
  systemView: LabApi['systemView'] & { readonly current: { session?: { runId: number; state: string; nowCycles: number } } | undefined };
  session: {
    walkthrough: { readonly completed: readonly string[]; resetForTests(): void };
    controller: { status: { state: string; name?: string; nowCycles: number; restarts: number } | undefined; statusBarText: string };
    forceWorkspaceTrust(trusted: boolean | undefined): void;
    workspaceTrusted(): boolean;
  };
}

export async function sessionApi(): Promise<SessionLabApi> {
  return (await labApi()) as SessionLabApi;
}

/** The rows under one of the System view's groups, as nodes and tree items. */
export async function groupRows(api: LabApi, group: string): Promise<{ node: ProcessNode; item: vscode.TreeItem }[]> {
  const roots = (await api.systemView.getChildren()) ?? [];
  for (const root of roots) {
    if (labelOf(await api.systemView.getTreeItem(root)) !== group) continue;
    const children = ((await api.systemView.getChildren(root)) ?? []) as ProcessNode[];
    return Promise.all(children.map(async (node) => ({ node, item: await api.systemView.getTreeItem(node) })));
  }
  return [];
}

export async function driver(api: LabApi, label: string, accept: (p: ProcessNode['process']) => boolean = () => true) {
  const rows = await groupRows(api, 'Drivers');
  return rows.find((r) => r.node.process.label === label && accept(r.node.process));
}

export async function startDefault(): Promise<SessionLabApi> {
  const api = await sessionApi();
  const outcome = (await vscode.commands.executeCommand('microkernelLab.system.start', 'default')) as Outcome;
  assert.ok(outcome.ok, `the start failed: ${outcome.ok ? '' : outcome.error}`);
  const runId = outcome.status.runId;
  await eventually('the new system in the System view', async () => (api.systemView.current?.session?.runId === runId ? true : undefined));
  await eventually('nic running in the System view', () => driver(api, 'nic', (p) => p.serviceState === 'running'));
  return api;
}

