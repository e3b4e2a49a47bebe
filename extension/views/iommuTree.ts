// The IOMMU view: the mode, one domain per device with its current mappings,
// and the transfers the IOMMU blocked. Pulled from the worker while the view
// is visible, at most once a second, when the system has moved on.
import * as vscode from 'vscode';
import type { CorruptionStatus, IommuView, SystemSnapshot } from '../../simulator/protocol/workerProtocol';
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
  | { kind: 'message'; text: string }
  /** Memory a device's DMA overwrote with no IOMMU to stop it, and each overwrite. */
  | { kind: 'corruptionGroup'; corruption: CorruptionStatus; clockHz: number }
  | { kind: 'corruption'; record: CorruptionStatus['first'][number]; clockHz: number };

const PULL_INTERVAL_MS = 1000;
const BLOCKED_SHOWN = 100;

export class IommuTreeProvider implements vscode.TreeDataProvider<IommuNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<IommuNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private state: IommuView | null | undefined;
  private error: string | undefined;
  private systemRunning = false;
  private corruption: { status: CorruptionStatus; clockHz: number } | undefined;
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
      // Without an IOMMU this is where what a device's DMA overwrote is listed.
      const corrupted: IommuNode[] = this.corruption === undefined ? [] : [{ kind: 'corruptionGroup', corruption: this.corruption.status, clockHz: this.corruption.clockHz }];
      if (this.state === null) return [{ kind: 'message', text: 'This system has no IOMMU: nothing stops a device\'s DMA (configuration without one, or no system started).' }, ...corrupted];
      return [
        ...corrupted,
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
      case 'corruptionGroup':
        return element.corruption.first.map((record) => ({ kind: 'corruption', record, clockHz: element.clockHz }));
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
      case 'corruptionGroup': {
        const c = node.corruption;
        const item = new vscode.TreeItem('Memory overwritten by DMA', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'iommu:corruption';
        item.description = c.count > c.first.length ? `${c.count} (first ${c.first.length} shown)` : String(c.count);
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = 'Writes by a device into the kernel\'s memory or into a process that does not drive it, found by the DMA check: with no IOMMU nothing stopped them.';
        return item;
      }
      case 'corruption': {
        const r = node.record;
        const item = new vscode.TreeItem(`${r.device} → ${r.victim}: ${hex(r.paddr)}`, vscode.TreeItemCollapsibleState.None);
        item.description = `${formatTime(r.timeCycles, node.clockHz)} · ${r.lengthBytes} bytes`;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
        item.tooltip = `${r.device}'s DMA overwrote ${r.victim === 'the kernel' ? "the kernel's" : `${r.victim}'s`} memory at physical ${hex(r.paddr)} (${r.lengthBytes} bytes) at ${formatTime(r.timeCycles, node.clockHz)} simulated time; found by the DMA check.`;
        return item;
      }
    }
  }

  private onSnapshot(s: SystemSnapshot): void {
    this.systemRunning = s.session !== undefined;
    const c = s.session?.corruption;
    if ((c?.count ?? 0) !== (this.corruption?.status.count ?? 0) || (c === undefined) !== (this.corruption === undefined)) {
      this.corruption = c === undefined ? undefined : { status: c, clockHz: s.session!.clockHz };
      this.changed.fire(undefined);
    }
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
