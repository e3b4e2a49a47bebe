// The IOMMU view: the mode, one domain per device with its current mappings,
// and the transfers the IOMMU blocked. Pulled from the worker while the view
// is visible, at most once a second, when the system has moved on.
import * as vscode from 'vscode';
import type { IommuView, SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import type { SimulatorClient } from '../simulatorClient';
import { cyclesToSeconds } from '../../simulator/time/time';

type Domain = IommuView['domains'][number];
type Blocked = IommuView['blocked'][number];

export type IommuNode =
  | { kind: 'mode'; iommu: IommuView }
  | { kind: 'domains'; iommu: IommuView }
  | { kind: 'domain'; domain: Domain }
  | { kind: 'mapping'; domain: Domain; index: number }
  | { kind: 'blockedGroup'; iommu: IommuView }
  | { kind: 'blocked'; blocked: Blocked; clockHz: number }
  | { kind: 'message'; text: string };

const PULL_INTERVAL_MS = 1000;
const BLOCKED_SHOWN = 100;

export class IommuTreeProvider implements vscode.TreeDataProvider<IommuNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<IommuNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private state: IommuView | null | undefined;
  private error: string | undefined;
  private systemRunning = false;
  private lastPullMs = 0;
  private pulling: Promise<void> | undefined;
  private visible = false;
  private readonly subscription: { dispose(): void };

  constructor(private readonly simulator: SimulatorClient) {
    this.subscription = simulator.on('snapshot', (s) => this.onSnapshot(s));
  }

  /** The view's visibility: hidden views are not pulled. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.refresh();
  }

  refresh(): void {
    void this.pull();
  }

  /** The latest IOMMU state, pulled now (tests, commands). */
  async current(): Promise<IommuView | null | undefined> {
    await this.pull();
    return this.state;
  }

  getChildren(element?: IommuNode): IommuNode[] {
    if (!element) {
      if (this.error) return [{ kind: 'message', text: this.error }];
      if (this.state === undefined) return [{ kind: 'message', text: this.systemRunning ? 'Loading…' : 'Start a system to see its IOMMU.' }];
      if (this.state === null) return [{ kind: 'message', text: 'This system has no IOMMU (configuration without one, or no system started).' }];
      return [
        { kind: 'mode', iommu: this.state },
        { kind: 'domains', iommu: this.state },
        { kind: 'blockedGroup', iommu: this.state },
      ];
    }
    switch (element.kind) {
      case 'domains':
        return element.iommu.domains.map((domain) => ({ kind: 'domain', domain }));
      case 'domain':
        return element.domain.mappings.map((_, index) => ({ kind: 'mapping', domain: element.domain, index }));
      case 'blockedGroup':
        return [...element.iommu.blocked].reverse().map((blocked) => ({ kind: 'blocked', blocked, clockHz: element.iommu.clockHz }));
      default:
        return [];
    }
  }

  getTreeItem(node: IommuNode): vscode.TreeItem {
    switch (node.kind) {
      case 'mode': {
        const i = node.iommu;
        const dev = i.mode === 'dev';
        const item = new vscode.TreeItem(`Mode: ${dev ? 'DEV' : i.invalidation}`, vscode.TreeItemCollapsibleState.None);
        item.description = dev
          ? `DEV bitmap · ${i.transfers} transfers`
          : `page tables · IOTLB ${i.iotlbEntries}/${i.iotlbCapacity} · ${i.transfers} transfers` + (i.staleTransfers > 0 ? ` · ${i.staleTransfers} through stale entries` : '');
        item.iconPath = new vscode.ThemeIcon('shield');
        item.tooltip = dev
          ? 'DEV: devices use physical addresses; a bitmap blocks every page no driver asked amddev for.'
          : i.invalidation === 'strict'
            ? 'Strict: every unmap invalidates the IOTLB at once; a device cannot use a stale mapping.'
            : `Lazy: unmaps are invalidated in batches; for a short window a device may still use a removed mapping (${i.staleTransfers} transfer(s) did).`;
        return item;
      }
      case 'domains': {
        const item = new vscode.TreeItem('Domains', vscode.TreeItemCollapsibleState.Expanded);
        item.description = String(node.iommu.domains.length);
        item.id = 'iommu:domains';
        return item;
      }
      case 'domain': {
        const d = node.domain;
        const item = new vscode.TreeItem(d.label || `device ${d.deviceId}`, d.mappings.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `iommu:domain:${d.deviceId}`;
        const pages = d.mappings.reduce((n, m) => n + m.lengthBytes, 0) / 4096;
        item.description = `device ${d.deviceId} · ${d.mappings.length} mappings (${pages} pages)${d.faultCount ? ` · ${d.faultCount} blocked` : ''}`;
        item.iconPath = new vscode.ThemeIcon('circuit-board', d.faultCount ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
        item.contextValue = 'iommuDomain';
        return item;
      }
      case 'mapping': {
        const m = node.domain.mappings[node.index]!;
        const item = new vscode.TreeItem(`${hex(m.iova)} → ${hex(m.paddr)}`, vscode.TreeItemCollapsibleState.None);
        item.id = `iommu:domain:${node.domain.deviceId}:${m.iova}`;
        item.description = `${m.lengthBytes} bytes · ${m.read ? 'r' : '-'}${m.write ? 'w' : '-'}`;
        item.tooltip = `I/O virtual ${hex(m.iova)}–${hex(m.iova + m.lengthBytes - 1)} maps physical ${hex(m.paddr)}–${hex(m.paddr + m.lengthBytes - 1)}, ${m.read ? 'readable' : 'not readable'} and ${m.write ? 'writable' : 'not writable'} by the device.`;
        return item;
      }
      case 'blockedGroup': {
        const n = node.iommu.faultCount;
        const item = new vscode.TreeItem('Blocked transfers', n > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = 'iommu:blocked';
        item.description = n > node.iommu.blocked.length ? `${n} (latest ${node.iommu.blocked.length} shown)` : String(n);
        item.iconPath = new vscode.ThemeIcon(n > 0 ? 'warning' : 'pass');
        return item;
      }
      case 'blocked': {
        const b = node.blocked;
        const item = new vscode.TreeItem(`${b.device}: ${b.direction} ${hex(b.iova)}`, vscode.TreeItemCollapsibleState.None);
        item.id = `iommu:blocked:${b.seq}`;
        item.description = `${formatTime(b.timeCycles, node.clockHz)} · ${b.reason}`;
        item.iconPath = new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('errorForeground'));
        item.tooltip = `Blocked #${b.seq}: device ${b.device} (id ${b.deviceId}) tried to ${b.direction} ${b.lengthBytes} bytes at I/O address ${hex(b.iova)}, at ${formatTime(b.timeCycles, node.clockHz)} simulated time: ${b.reason}.`;
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  private onSnapshot(s: SystemSnapshot): void {
    this.systemRunning = s.session !== undefined;
    if (!this.visible || Date.now() - this.lastPullMs < PULL_INTERVAL_MS) return;
    void this.pull();
  }

  private pull(): Promise<void> {
    this.pulling ??= (async () => {
      this.lastPullMs = Date.now();
      try {
        this.state = await this.simulator.request('iommuState', { blockedLimit: BLOCKED_SHOWN });
        this.error = undefined;
      } catch (e) {
        this.error = `The simulator did not answer: ${(e as Error).message}`;
      } finally {
        this.pulling = undefined;
      }
      this.changed.fire(undefined);
    })();
    return this.pulling;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function formatTime(cycles: number, clockHz: number): string {
  const s = cyclesToSeconds(cycles, clockHz);
  return s >= 1 ? `${s.toFixed(3)} s` : `${(s * 1000).toFixed(3)} ms`;
}
