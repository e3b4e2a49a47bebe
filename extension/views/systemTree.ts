// The System view: the simulated system's processes and devices, grouped.
import * as vscode from 'vscode';
import type { DeviceSummary, ProcessSummary, SessionStatus, SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import type { SimulatorClient } from '../simulatorClient';
import { formatSimTime } from '../session/statusBar';

export type SystemNode =
  | { kind: 'group'; group: 'kernel' | 'servers' | 'drivers' | 'programs' | 'devices'; count: number }
  | { kind: 'process'; process: ProcessSummary }
  | { kind: 'device'; device: DeviceSummary }
  | { kind: 'message'; text: string }
  /** The first row: which system, in which configuration, and how it is (running, panicked, finished as expected...). */
  | { kind: 'state'; name: string; configuration: string; session: SessionStatus };

const GROUP_TITLES = {
  kernel: 'Kernel',
  servers: 'Servers',
  drivers: 'Drivers',
  programs: 'Programs',
  devices: 'Devices',
} as const;

type GroupName = 'kernel' | 'servers' | 'drivers' | 'programs' | 'devices';
type ProcessNode = Extract<SystemNode, { kind: 'process' }>;
type DeviceNode = Extract<SystemNode, { kind: 'device' }>;

/** A process's row id: a service keeps its row (and its selection) across restarts; programs may share a name. */
function processId(p: ProcessSummary): string {
  return p.group === 'programs' ? `process:${p.label}:${p.endpoint}` : `process:${p.label}`;
}

/**
 * The System view's nodes are kept as stable objects and updated in place, so
 * that a snapshot which changes only some rows refreshes only those rows. A
 * whole-tree refresh makes VS Code forget every row for a moment, and a click
 * on a row's inline action in that moment would reach the command without
 * its row.
 */
export class SystemTreeProvider implements vscode.TreeDataProvider<SystemNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SystemNode | SystemNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private snapshot: SystemSnapshot | undefined;
  private loading: Promise<SystemSnapshot> | undefined;
  private readonly subscription: { dispose(): void };

  private shownKey = '';
  private structureKey = '';
  private readonly groupNodes = new Map<GroupName, Extract<SystemNode, { kind: 'group' }>>();
  private readonly processNodes = new Map<string, ProcessNode>();
  private readonly deviceNodes = new Map<string, DeviceNode>();
  private readonly stateNode: Extract<SystemNode, { kind: 'state' }> = { kind: 'state', name: '', configuration: '', session: undefined as unknown as SessionStatus };
  private stateKey = '';

  /** The debugged system, shown instead of the editor's session while set. */
  private debugSnapshot: SystemSnapshot | undefined;

  constructor(private readonly simulator: SimulatorClient) {
    this.subscription = simulator.on('snapshot', (s) => {
      // A system the editor's session runs replaces what a debug session showed.
      if (this.debugSnapshot !== undefined && s.session !== undefined && s.session.state === 'running') this.debugSnapshot = undefined;
      if (this.debugSnapshot === undefined) this.apply(s);
    });
  }

  /** Shows the system a debug session runs (undefined: the editor's own session again). */
  showDebugSnapshot(s: SystemSnapshot | undefined): void {
    const was = this.debugSnapshot;
    this.debugSnapshot = s;
    if (s !== undefined) {
      if (was === undefined) this.refresh();
      this.apply(s);
    } else if (was !== undefined) this.refresh();
  }

  private apply(s: SystemSnapshot): void {
    {
      this.snapshot = s;
      this.loading = undefined;
      // Snapshots come a few times a second; the tree redraws only what changed.
      const key = JSON.stringify([s.name, s.processes, s.devices]);
      const stateKey = JSON.stringify([s.name, s.configuration, s.session?.runId, s.session?.state, s.session?.report?.outcome, s.session?.restarts, s.session?.corruption?.count]);
      const stateChanged = stateKey !== this.stateKey && s.session !== undefined;
      this.stateKey = stateKey;
      if (s.session !== undefined) Object.assign(this.stateNode, { name: s.name, configuration: s.configuration, session: s.session });
      if (key === this.shownKey) {
        if (stateChanged) this.changed.fire([this.stateNode]);
        return;
      }
      this.shownKey = key;
      if (structureOf(s) !== this.structureKey) {
        const live = new Set(s.processes.map(processId));
        for (const key of this.processNodes.keys()) if (!live.has(key)) this.processNodes.delete(key);
        this.changed.fire(undefined);
        return;
      }
      const rows: SystemNode[] = [];
      for (const p of s.processes) {
        const node = this.processNodes.get(processId(p));
        if (node !== undefined && JSON.stringify(node.process) !== JSON.stringify(p)) {
          node.process = p;
          rows.push(node);
        }
      }
      for (const d of s.devices) {
        const node = this.deviceNodes.get(d.name);
        if (node !== undefined && JSON.stringify(node.device) !== JSON.stringify(d)) {
          node.device = d;
          rows.push(node);
        }
      }
      if (stateChanged) rows.push(this.stateNode);
      if (rows.length > 0) this.changed.fire(rows);
    }
  }

  /** The snapshot the view shows now, if it has one. */
  get current(): SystemSnapshot | undefined {
    return this.snapshot;
  }

  refresh(): void {
    this.snapshot = undefined;
    this.loading = undefined;
    this.shownKey = '';
    this.structureKey = '';
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
      // Before any start the view is empty, and its welcome text offers a start.
      if (system.session === undefined) return [];
      this.structureKey = structureOf(system);
      const groups = (['kernel', 'servers', 'drivers', 'programs', 'devices'] as const)
        .map((group) => this.groupNode(group, group === 'devices' ? system.devices.length : system.processes.filter((p) => p.group === group).length))
        .filter((g) => g.count > 0 || g.group !== 'programs');
      Object.assign(this.stateNode, { name: system.name, configuration: system.configuration, session: system.session });
      return [this.stateNode, ...groups];
    }
    if (element.kind !== 'group') return [];
    if (element.group === 'devices') return system.devices.map((device) => this.stable(this.deviceNodes, device.name, { kind: 'device', device }));
    return system.processes
      .filter((p) => p.group === element.group)
      .map((process) => this.stable(this.processNodes, processId(process), { kind: 'process', process }));
  }

  private groupNode(group: GroupName, count: number): Extract<SystemNode, { kind: 'group' }> {
    let node = this.groupNodes.get(group);
    if (node === undefined) this.groupNodes.set(group, (node = { kind: 'group', group, count }));
    node.count = count;
    return node;
  }

  /** The node kept for `key`, updated to `fresh`'s contents. */
  private stable<N extends ProcessNode | DeviceNode>(nodes: Map<string, N>, key: string, fresh: N): N {
    const node = nodes.get(key);
    if (node === undefined) {
      nodes.set(key, fresh);
      return fresh;
    }
    Object.assign(node, fresh);
    return node;
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
        const shown = displayState(p);
        const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
        item.id = processId(p);
        // A service's restarts, live updates and how it last ended are on its row, not only in the tooltip.
        const service = p.serviceState !== undefined;
        const counts = [
          p.restarts || (service && p.lastExit !== undefined) ? `${p.restarts} restart${p.restarts === 1 ? '' : 's'}` : '',
          p.updates ? `${p.updates} update${p.updates === 1 ? '' : 's'}` : '',
          service && p.lastExit !== undefined ? `last: ${shortExit(p.lastExit)}` : '',
        ].filter((c) => c !== '');
        item.description = [`${shown.text}`, `ep ${p.endpoint}`, ...counts].join(' · ');
        item.iconPath = new vscode.ThemeIcon(shown.icon, shown.colour);
        item.contextValue = contextOf(p);
        item.tooltip = processTooltip(p, shown.text);
        item.accessibilityInformation = { label: `${p.label}, ${shown.text}, endpoint ${p.endpoint}, ${p.restarts} restarts` };
        return item;
      }
      case 'device': {
        const d = node.device;
        const item = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.None);
        item.id = `device:${d.name}`;
        item.description = `${d.kind} · ${d.ports}${d.irq !== undefined ? ` · irq ${d.irq}` : ''}${d.pci !== undefined ? ` · pci ${d.pci}` : ''}`;
        item.tooltip = `${d.name}: ${d.kind} at ports ${d.ports}${d.irq !== undefined ? `, IRQ ${d.irq}` : ''}${d.pci !== undefined ? `, PCI ${d.pci}` : ''}${d.dmaRequesterId !== undefined ? `, DMA as requester ${d.dmaRequesterId}` : ', no DMA'}`;
        item.iconPath = new vscode.ThemeIcon('circuit-board');
        item.contextValue = 'device';
        return item;
      }
      case 'state':
        return stateItem(node.name, node.configuration, node.session);
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        return item;
      }
    }
  }

  private system(): Promise<SystemSnapshot> {
    if (this.debugSnapshot) return Promise.resolve(this.debugSnapshot);
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

/** The System view's first row: the system, its configuration, and what became of it. */
function stateItem(name: string, configuration: string, session: SessionStatus): vscode.TreeItem {
  const item = new vscode.TreeItem(`${name} · ${configuration}${session.debugger === true ? ' (debugging)' : ''}`, vscode.TreeItemCollapsibleState.None);
  item.id = 'state';
  item.contextValue = `state.${session.state}`;
  const time = formatSimTime(session.nowCycles, session.clockHz);
  const report = session.report;
  let text: string;
  let icon: vscode.ThemeIcon;
  if (report?.panic) {
    text = `KERNEL PANIC in ${report.panic.process} at ${formatSimTime(report.panic.timeCycles, session.clockHz)}`;
    icon = new vscode.ThemeIcon('error', RED);
  } else if (report !== undefined && report.corruptedPages > 0) {
    text = `${session.state}: kernel memory CORRUPTED (${report.corruptedPages} page${report.corruptedPages === 1 ? '' : 's'})`;
    icon = new vscode.ThemeIcon('error', RED);
  } else if (report !== undefined) {
    const outcome = report.outcome === 'ok' ? 'ok' : report.outcome;
    text = `${session.state} at ${time}: ${outcome}${report.outcome === report.expectedOutcome ? ' (as expected)' : `, expected ${report.expectedOutcome}`}`;
    icon = report.outcome !== report.expectedOutcome ? new vscode.ThemeIcon('error', RED) : report.outcome === 'ok' ? new vscode.ThemeIcon('pass', GREEN) : new vscode.ThemeIcon('warning', AMBER);
  } else {
    // The clock is in the status bar; this row changes only with the state, not with every tick.
    text = session.state === 'running' ? 'running' : `${session.state} at ${time}`;
    icon = session.state === 'running' ? new vscode.ThemeIcon('play-circle', GREEN) : session.state === 'paused' ? new vscode.ThemeIcon('debug-pause') : new vscode.ThemeIcon('circle-outline');
  }
  // Memory a device's DMA overwrote is said first, while the system still runs: nothing else would show it.
  const corruption = session.corruption;
  if (corruption !== undefined) {
    const victims = [...new Set(corruption.first.map((c) => c.victim))];
    text = `MEMORY OVERWRITTEN (${victims.join(', ')}) · ${text}`;
    icon = new vscode.ThemeIcon('error', RED);
  }
  item.description = text;
  item.iconPath = icon;
  const lines = [`**${name}** (${configuration}): ${text}`];
  for (const c of corruption?.first ?? []) {
    lines.push(`- ${formatSimTime(c.timeCycles, session.clockHz)}: ${c.device}'s DMA overwrote ${c.victim === 'the kernel' ? "the kernel's" : `${c.victim}'s`} memory at 0x${c.paddr.toString(16)} (${c.lengthBytes} bytes), found by the DMA check (no IOMMU)`);
  }
  lines.push(...(report?.headline ?? []).map((l) => `- ${l}`));
  if (report !== undefined) {
    lines.push('', 'Click for the whole summary.');
    item.command = { command: 'microkernelLab.system.showSummary', title: 'Show Run Summary' };
  }
  item.tooltip = new vscode.MarkdownString(lines.join('\n'));
  item.accessibilityInformation = { label: `${name}, ${configuration}: ${text}` };
  return item;
}

interface ShownState {
  readonly text: string;
  readonly icon: string;
  readonly colour?: vscode.ThemeColor;
}

const GREEN = new vscode.ThemeColor('testing.iconPassed');
const RED = new vscode.ThemeColor('errorForeground');
const AMBER = new vscode.ThemeColor('problemsWarningIcon.foreground');

/** What the view says of a process: the reincarnation server's view first (restarting, down), then the kernel's. */
export function displayState(p: ProcessSummary): ShownState {
  const crashedLast = p.lastExit !== undefined && /^(crashed|page fault|panicked|no heartbeat)/.test(p.lastExit);
  switch (p.serviceState) {
    case 'backoff':
    case 'starting':
      return {
        text: p.serviceState === 'backoff' ? `restarting (backoff${p.backoffSeconds === undefined ? '' : `, ≤ ${p.backoffSeconds} s`})` : 'restarting',
        icon: 'sync~spin',
        colour: AMBER,
      };
    case 'updating':
      return { text: 'live update', icon: 'sync~spin', colour: AMBER };
    case 'down':
      return crashedLast ? { text: 'crashed', icon: 'error', colour: RED } : { text: 'down', icon: 'circle-slash' };
  }
  switch (p.state) {
    case 'kernel task':
      return { text: 'kernel task', icon: 'server-process' };
    case 'running':
    case 'ready':
      return { text: p.state, icon: 'play-circle', colour: GREEN };
    case 'receiving':
      return { text: p.blockedOn === undefined || p.blockedOn === 'ANY' ? 'waiting for a message' : `blocked on ${p.blockedOn}`, icon: 'debug-pause' };
    case 'sending':
    case 'sendrec':
      return { text: `blocked on ${p.blockedOn ?? 'a receiver'}`, icon: 'debug-pause', colour: AMBER };
    case 'crashed':
    case 'dead':
      return { text: 'crashed', icon: 'error', colour: RED };
    case 'restarting':
    case 'starting':
    case 'backoff':
      return { text: 'restarting', icon: 'sync~spin', colour: AMBER };
    case 'down':
      return crashedLast ? { text: 'crashed', icon: 'error', colour: RED } : { text: 'down', icon: 'circle-slash' };
    default:
      return { text: p.state, icon: 'circle-outline' };
  }
}

/** How a service last ended, short enough for its row: the reason up to its first detail. */
export function shortExit(lastExit: string): string {
  const first = lastExit.split(/[:(]/)[0]!.trim();
  return first.length > 40 ? `${first.slice(0, 39)}…` : first;
}

/** Drivers and servers carry actions; `rs` cannot be restarted by itself, so it gets none. */
function contextOf(p: ProcessSummary): string {
  if (p.label === 'rs') return 'service.rs';
  if (p.group === 'drivers') return 'driver';
  if (p.group === 'servers') return 'server';
  return 'process';
}

function processTooltip(p: ProcessSummary, state: string): vscode.MarkdownString {
  const lines = [
    `**${p.label}** — ${p.group === 'drivers' ? 'driver' : p.group === 'servers' ? 'server' : p.group === 'kernel' ? 'kernel task' : 'program'}, endpoint ${p.endpoint}`,
    `State: ${state}${p.serviceState ? ` (reincarnation server: ${p.serviceState})` : ''}`,
    `Restarts: ${p.restarts}${p.lastExit ? ` · last exit: ${p.lastExit}` : ''}`,
  ];
  const v = p.privileges;
  if (v) {
    lines.push(
      '---',
      `**Privileges**`,
      `IPC targets: ${v.ipcTargets || 'none'}`,
      `Kernel calls: ${v.kernelCalls.join(', ') || 'none'}`,
      `I/O: ${v.ioRanges.join(', ') || 'none'}`,
      `IRQ: ${v.irqs.join(', ') || 'none'}`,
    );
  }
  const md = new vscode.MarkdownString(lines.join('\n\n'));
  md.supportThemeIcons = true;
  return md;
}

/** Which rows exist, in which groups and order: when this changes the whole tree is refreshed. */
function structureOf(s: SystemSnapshot): string {
  return JSON.stringify([s.name, s.processes.map((p) => `${p.group}/${processId(p)}`), s.devices.map((d) => d.name)]);
}
