// The API the extension's activate() returns, as the integration tests use it. It must
// agree with the LabApi the extension exports (extension/).
import * as vscode from 'vscode';

export const extensionId = 'microkernel-lab.microkernel-lab';

export interface LabApi {
  ping(payload: string): Promise<{ payload: string; simulatorVersion: string }>;
  systemView: {
    getChildren(element?: unknown): Promise<unknown[]> | Thenable<unknown[] | null | undefined>;
    getTreeItem(element: unknown): vscode.TreeItem | Thenable<vscode.TreeItem>;
  };
  labPanel(): { roundTrip(text: string): Promise<string> } | undefined;
  benchPanel(): BenchPanelApi | undefined;
  campaignPanel(): CampaignPanelApi | undefined;
}

/** The campaign view as the tests drive it: the page's buttons and form, what it shows, a click on a harmful trial. */
export interface CampaignPanelApi {
  press(button: 'run' | 'cancel' | 'copy'): Promise<void>;
  choose(params: { types?: string[]; configurations?: string[]; faults?: number; faultsPerTrial?: number; seed?: number }): Promise<void>;
  state(): Promise<{ status: string; running: boolean; rows: string[]; harmful: string[]; chart: { series: string[]; drawn: boolean } | null }>;
  clickTrial(id: string): Promise<void>;
  clickDebug(id: string): Promise<void>;
  dispose(): void;
}

/** The benchmark view as the tests drive it: the page's buttons and form, what it shows, and where an export goes. */
export interface BenchPanelApi {
  press(button: 'run' | 'cancel' | 'export-csv' | 'export-md'): Promise<void>;
  choose(params: { workload?: string; configurations?: string[]; profile?: string; seeds?: number; durationSeconds?: number }): Promise<void>;
  state(): Promise<{ status: string; running: boolean; rows: string[]; charts: { name: string; series: string[]; drawn: boolean }[] }>;
  exportNextTo(file: string): void;
  clickConfiguration(config: string): Promise<void>;
  dispose(): void;
}

export interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

export function labExtension(): vscode.Extension<LabApi> {
  const extension = vscode.extensions.getExtension<LabApi>(extensionId);
  if (!extension) throw new Error(`The extension ${extensionId} is not installed in this extension host.`);
  return extension;
}

export async function labApi(): Promise<LabApi> {
  return labExtension().activate();
}

/** The commands package.json contributes, as VS Code read them. */
export function contributedCommands(): ContributedCommand[] {
  return (labExtension().packageJSON?.contributes?.commands ?? []) as ContributedCommand[];
}

/** A tree item's label as plain text. */
export function labelOf(item: vscode.TreeItem): string {
  const label = item.label;
  return typeof label === 'string' ? label : (label?.label ?? '');
}

/**
 * Asks `probe` every 100 ms until it returns a value other than undefined, and returns that. After
 * `timeoutMs` it fails, naming `what` and the last error the probe threw, if any.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with `promise`, or rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
