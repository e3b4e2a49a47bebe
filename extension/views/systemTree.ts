// The System view: the simulated system's processes and devices, grouped.
import * as vscode from 'vscode';
import type { DeviceSummary, ProcessSummary, SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import type { SimulatorClient } from '../simulatorClient';

export type SystemNode =
  | { kind: 'group'; group: 'kernel' | 'servers' | 'drivers' | 'programs' | 'devices'; count: number }
  | { kind: 'process'; process: ProcessSummary }
  | { kind: 'device'; device: DeviceSummary }
  | { kind: 'message'; text: string };

const GROUP_TITLES = {
  kernel: 'Kernel',
  servers: 'Servers',
  drivers: 'Drivers',
  programs: 'Programs',
  devices: 'Devices',
} as const;

export class SystemTreeProvider implements vscode.TreeDataProvider<SystemNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SystemNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: SystemSnapshot | undefined;
  private loading: Promise<SystemSnapshot> | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly simulator: SimulatorClient) {
    this.subscription = simulator.on('snapshot', (s) => {
      this.snapshot = s;
      this.changed.fire(undefined);
    });
  }

  refresh(): void {
    this.snapshot = undefined;
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  async getChildren(element?: SystemNode): Promise<SystemNode[]> {
    let system: SystemSnapshot;
    try {
      system = await this.system();
    } catch (e) {
      return element ? [] : [{ kind: 'message', text: `The simulator did not answer: ${(e as Error).message}` }];
    }
    if (!element) {
      const groups: SystemNode[] = (['kernel', 'servers', 'drivers', 'programs'] as const)
        .map((group) => ({ kind: 'group' as const, group, count: system.processes.filter((p) => p.group === group).length }))
        .filter((g) => g.count > 0 || g.group !== 'programs');
      groups.push({ kind: 'group', group: 'devices', count: system.devices.length });
      return groups;
    }
    if (element.kind !== 'group') return [];
    if (element.group === 'devices') return system.devices.map((device) => ({ kind: 'device', device }));
    return system.processes.filter((p) => p.group === element.group).map((process) => ({ kind: 'process', process }));
  }

  getTreeItem(node: SystemNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(GROUP_TITLES[node.group], vscode.TreeItemCollapsibleState.Expanded);
        item.description = String(node.count);
        item.contextValue = `group.${node.group}`;
        return item;
      }
      case 'process': {
        const p = node.process;
        const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
        item.id = `process:${p.label}`;
        item.description = `${p.state} · ep ${p.endpoint}${p.restarts ? ` · ${p.restarts} restarts` : ''}`;
        item.iconPath = new vscode.ThemeIcon(processIcon(p), processColour(p));
        item.contextValue = p.group === 'drivers' ? 'driver' : p.group === 'servers' ? 'server' : 'process';
        item.tooltip = new vscode.MarkdownString(
          [`**${p.label}** (endpoint ${p.endpoint})`, `State: ${p.state}${p.blockedOn ? ` on ${p.blockedOn}` : ''}`, `Restarts: ${p.restarts}`]
            .concat(p.lastExit ? [`Last exit: ${p.lastExit}`] : [])
            .join('\n\n'),
        );
        return item;
      }
      case 'device': {
        const d = node.device;
        const item = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.None);
        item.id = `device:${d.name}`;
        item.description = `${d.kind} · ${d.ports}${d.irq !== undefined ? ` · irq ${d.irq}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        item.contextValue = 'device';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        return item;
      }
    }
  }

  private system(): Promise<SystemSnapshot> {
    if (this.snapshot) return Promise.resolve(this.snapshot);
    this.loading ??= this.simulator.request('describeSystem', {}).then(
      (s) => (this.snapshot = s),
      (e) => {
        this.loading = undefined;
        throw e;
      },
    );
    return this.loading;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function processIcon(p: ProcessSummary): string {
  if (p.state === 'crashed' || p.state === 'dead') return 'error';
  if (p.state === 'restarting') return 'sync';
  if (p.state.startsWith('blocked') || p.state === 'receiving' || p.state === 'sending' || p.state === 'sendrec') return 'debug-pause';
  if (p.state === 'kernel task') return 'server-process';
  if (p.state === 'running' || p.state === 'ready') return 'play-circle';
  return 'circle-outline';
}

function processColour(p: ProcessSummary): vscode.ThemeColor | undefined {
  if (p.state === 'crashed' || p.state === 'dead') return new vscode.ThemeColor('errorForeground');
  if (p.state === 'running' || p.state === 'ready') return new vscode.ThemeColor('testing.iconPassed');
  return undefined;
}
