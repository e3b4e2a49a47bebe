// The `microkernel` debug type. The adapter is its own Node program
// (dist/simulator.js run as a process) speaking DAP over stdio and running its own
// simulator, so a debug session never simulates on the extension host's
// thread. The editor tells it about workspace trust through its environment,
// never through the launch configuration (which the workspace controls).
import * as vscode from 'vscode';
import type { SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import { POSITION_EVENT, type DebugPosition } from '../../simulator/protocol/debugProtocol';
import { workspaceTrusted } from '../session/trust';

/** The custom event the adapter sends with the debugged system as the views show it (node/dap/adapter.ts). */
export const SNAPSHOT_EVENT = 'microkernelLab.systemSnapshot';

export const DEBUG_TYPE = 'microkernel';
/** Read by node/dap/adapter.ts: '1' when the workspace is trusted. */
const TRUST_ENV = 'MKLAB_WORKSPACE_TRUSTED';

/**
 * `onSnapshot` hears of a debugged system as it runs and stops (the System view
 * and the status bar show it, as they show any run), and of its session's end
 * (undefined: they go back to the editor's own session).
 */
export function registerDebugger(
  context: vscode.ExtensionContext,
  onSnapshot: (snapshot: SystemSnapshot | undefined) => void = () => undefined,
  onPosition: (position: DebugPosition | undefined) => void = () => undefined,
): void {
  let shown: { id: string; ended: boolean } | undefined;
  /** The session whose stops the trace view marks: the last one that stopped. */
  let positioned: string | undefined;
  context.subscriptions.push(
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== DEBUG_TYPE) return;
      if (e.event === POSITION_EVENT) {
        positioned = e.session.id;
        onPosition(e.body as DebugPosition);
        return;
      }
      if (e.event !== SNAPSHOT_EVENT) return;
      const snapshot = e.body as SystemSnapshot;
      shown = { id: e.session.id, ended: snapshot.session?.report !== undefined };
      onSnapshot(snapshot);
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      if (session.id === positioned) {
        positioned = undefined;
        onPosition(undefined);
      }
      if (session.id !== shown?.id) return;
      // A run that ended (finished, panicked) stays shown, as any ended run does; one the user stopped goes.
      if (!shown.ended) onSnapshot(undefined);
      shown = undefined;
    }),
  );
  // The same bundle as the simulator worker: started as a process, it is the debug adapter (node/dap/entry.ts).
  const adapterPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'simulator.js').fsPath;
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () =>
        // The editor's own Node (Electron as Node on the desktop, Node under code-server); source maps put
        // each kernel entry at the driver's TypeScript line.
        new vscode.DebugAdapterExecutable(process.execPath, ['--enable-source-maps', adapterPath], {
          env: { ELECTRON_RUN_AS_NODE: '1', [TRUST_ENV]: workspaceTrusted() ? '1' : '0' },
        }),
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new MicrokernelConfigurationProvider()),
  );
}

class MicrokernelConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** F5 without a launch.json: debug the scenario file in the editor, or the default system, stopping at its first kernel entry. */
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    if (!config.type && !config.request && !config.name) {
      const file = vscode.window.activeTextEditor?.document.uri;
      const scenario = file?.scheme === 'file' && /\.mklab\.json$|(^|[\\/])system\.conf$/.test(file.fsPath) ? file.fsPath : 'default';
      return { type: DEBUG_TYPE, request: 'launch', name: 'Debug a Microkernel Lab system', scenario, stopOnEntry: true, ...cwdOf(folder) };
    }
    return { ...config, ...(config.cwd === undefined ? cwdOf(folder) : {}) };
  }
}

/** Relative scenario paths are relative to the workspace folder. */
function cwdOf(folder: vscode.WorkspaceFolder | undefined): { cwd?: string } {
  const f = folder ?? vscode.workspace.workspaceFolders?.[0];
  return f?.uri.scheme === 'file' ? { cwd: f.uri.fsPath } : {};
}
