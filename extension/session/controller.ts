// The session's commands: start, stop, pause, resume a system; restart, kill,
// live-update and inject faults into its drivers; show a driver's privileges
// and source. The system runs in the worker; this side only asks and shows.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { SimulatorUnavailableError, type SimulatorClient } from '../simulatorClient';
import type { DriverOperation, ProcessSummary, SessionStatus, SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import { pickConfiguration, pickFault, pickService, pickSource } from './quickPicks';
import { readSessionSettings } from './settings';
import { resolveSource, SourceError } from './sources';
import { SessionStatusBar } from './statusBar';
import { workspaceTrusted } from './trust';

/** What a session command returns to whoever ran it (undefined when the user cancelled). */
export type CommandOutcome = { readonly ok: true; readonly message: string; readonly status: SessionStatus } | { readonly ok: false; readonly error: string };

/** No snapshot for this long while a system runs or is paused: ask the worker whether it is still there. */
const QUIET_MS = 4000;
const WATCH_INTERVAL_MS = 2000;
export const DOC_SCHEME = 'microkernel-lab';

/** Where the package keeps the built-in programs' sources (see .vscodeignore). */
const BUILTIN_SOURCE_DIRS = ['simulator/drivers', 'simulator/services', 'simulator/services/isofs', 'simulator/programs'];

export class SessionController implements vscode.Disposable {
  private statusValue: SessionStatus | undefined;
  private snapshotValue: SystemSnapshot | undefined;
  private lastHeardMs = Date.now();
  private probing = false;
  private warnedSilent = false;
  private watch: ReturnType<typeof setInterval> | undefined;
  private readonly statusBar = new SessionStatusBar();
  private readonly docs = new Map<string, string>();
  private readonly docChanged = new vscode.EventEmitter<vscode.Uri>();
  private readonly statusChanged = new vscode.EventEmitter<SessionStatus | undefined>();
  readonly onDidChangeStatus = this.statusChanged.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly simulator: SimulatorClient,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.disposables.push(
      this.statusBar,
      this.docChanged,
      this.statusChanged,
      simulator.on('snapshot', (s) => {
        this.snapshotValue = s;
        if (s.session) this.setStatus(s.session);
      }),
      simulator.onUnexpectedExit(() => this.setStatus(undefined)),
      vscode.workspace.registerTextDocumentContentProvider(DOC_SCHEME, {
        onDidChange: this.docChanged.event,
        provideTextDocumentContent: (uri) => this.docs.get(uri.path) ?? 'Nothing to show: the system that described this is gone.',
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('microkernelLab.simulationSpeed')) void this.applySpeed();
      }),
    );
  }

  get status(): SessionStatus | undefined {
    return this.statusValue;
  }

  get snapshot(): SystemSnapshot | undefined {
    return this.snapshotValue;
  }

  get statusBarText(): string {
    return this.statusBar.text;
  }

  get statusBarVisible(): boolean {
    return this.statusBar.visible;
  }

  get statusBarCommand(): string | undefined {
    return this.statusBar.command;
  }

  async start(scenarioArg?: unknown, configurationArg?: unknown): Promise<CommandOutcome | undefined> {
    try {
      const settings = readSessionSettings();
      let scenario = scenarioArg;
      let configuration = typeof configurationArg === 'string' ? configurationArg : undefined;
      const interactive = scenario === undefined;
      const catalog = interactive ? await this.simulator.request('sessionCatalog', {}) : undefined;
      if (interactive) {
        scenario = await pickSource(catalog!.scenarios);
        if (scenario === undefined) return undefined;
      }
      const resolved = await resolveSource(scenario);
      if (interactive && configuration === undefined) {
        const picked = await pickConfiguration(catalog!.configurations, resolved.scenarioConfiguration, settings.configuration);
        if (picked === undefined) return undefined;
        configuration = picked ?? undefined;
      }
      configuration ??= settings.configuration;
      const status = await this.simulator.request('startSystem', {
        source: resolved.source,
        ...(configuration === undefined ? {} : { configuration }),
        ...(settings.costProfile === undefined ? {} : { costProfile: settings.costProfile }),
        ...(settings.heartbeatPeriodMs === undefined ? {} : { heartbeatPeriodMs: settings.heartbeatPeriodMs }),
        traceCapacity: settings.traceBufferEvents,
        speed: settings.speed,
        trusted: workspaceTrusted(),
      });
      this.setStatus(status);
      return { ok: true, message: `${status.name} started (${status.configuration})`, status };
    } catch (e) {
      return this.fail(e, 'Start System');
    }
  }

  stop(): Promise<CommandOutcome> {
    return this.control('stopSystem', 'stopped');
  }

  pause(): Promise<CommandOutcome> {
    return this.control('pauseSystem', 'paused');
  }

  resume(): Promise<CommandOutcome> {
    return this.control('resumeSystem', 'resumed');
  }

  async driverOperation(op: DriverOperation, target: unknown): Promise<CommandOutcome | undefined> {
    try {
      const label = await this.labelOf(target, `${op === 'update' ? 'Live update' : op[0]!.toUpperCase() + op.slice(1)} which service?`);
      if (label === undefined) return undefined;
      const r = await this.simulator.request('driverOperation', { op, label });
      this.setStatus(r.status);
      vscode.window.setStatusBarMessage(`$(check) Microkernel Lab: ${r.message}`, 4000);
      return { ok: true, message: r.message, status: r.status };
    } catch (e) {
      return this.fail(e, op === 'update' ? 'Live Update' : `${op[0]!.toUpperCase()}${op.slice(1)}`);
    }
  }

  async injectFault(target: unknown, faultType: unknown): Promise<CommandOutcome | undefined> {
    try {
      const label = await this.labelOf(target, 'Inject a fault into which service?');
      if (label === undefined) return undefined;
      let type = typeof faultType === 'string' ? faultType : undefined;
      if (type === undefined) {
        const { faultTypes } = await this.simulator.request('sessionCatalog', {});
        type = await pickFault(faultTypes, label);
        if (type === undefined) return undefined;
      }
      const r = await this.simulator.request('injectFault', { label, type });
      this.setStatus(r.status);
      vscode.window.setStatusBarMessage(`$(bug) Microkernel Lab: ${r.message}`, 4000);
      return { ok: true, message: r.message, status: r.status };
    } catch (e) {
      return this.fail(e, 'Inject Fault');
    }
  }

  async showPrivileges(target: unknown): Promise<vscode.TextDocument | undefined> {
    try {
      const label = await this.labelOf(target, 'Show the privileges of which service?');
      if (label === undefined) return undefined;
      const d = await this.simulator.request('serviceDetails', { label });
      const p = d.privileges;
      const lines = [`# Privileges of ${label}`, ''];
      if (p) {
        lines.push(
          `- **IPC targets:** ${p.ipcTargets || 'none'}`,
          `- **Kernel calls:** ${p.kernelCalls.join(', ') || 'none'}`,
          `- **I/O ports:** ${p.ioRanges.join(', ') || 'none'}`,
          `- **IRQ lines:** ${p.irqs.join(', ') || 'none'}`,
          '',
          'The kernel refuses any other IPC target (ECALLDENIED), kernel call (ECALLDENIED), port or IRQ.',
        );
      } else {
        lines.push(`${label} has not been started yet; its entry below says what it will be allowed.`);
      }
      if (d.conf) lines.push('', '## Its entry in the system description', '', '```', d.conf, '```');
      const uri = vscode.Uri.from({ scheme: DOC_SCHEME, path: `/privileges/${label}.md` });
      this.docs.set(uri.path, lines.join('\n') + '\n');
      this.docChanged.fire(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc;
    } catch (e) {
      this.fail(e, 'Show Privileges');
      return undefined;
    }
  }

  async openSource(target: unknown): Promise<vscode.TextEditor | undefined> {
    try {
      // Without a running system (to set breakpoints before debugging, say), the shipped sources are offered by file.
      // Asked afresh: a restarted simulator has no system, whatever the last snapshot said.
      const current = await this.simulator.request('describeSystem', {});
      if (!current.session) {
        const uri = await this.builtinSourceFile(target);
        return uri === undefined ? undefined : await vscode.window.showTextDocument(uri, { preview: true });
      }
      const label = await this.labelOf(target, 'Open the source of which service?', current);
      if (label === undefined) return undefined;
      const d = await this.simulator.request('serviceDetails', { label });
      if (d.source === undefined) throw new SourceError(`${label} has no source file on record`);
      const uri = path.isAbsolute(d.source) ? vscode.Uri.file(d.source) : vscode.Uri.joinPath(this.extensionUri, d.source);
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        throw new SourceError(`the source of the built-in ${label} (${d.source}) is not part of this installation; it is in the project's repository`);
      }
      return await vscode.window.showTextDocument(uri, { preview: true });
    } catch (e) {
      this.fail(e, 'Open Driver Source');
      return undefined;
    }
  }

  /** A built-in driver's, service's or program's source shipped with the extension: `<label>.ts` for a label, else picked from the list. */
  private async builtinSourceFile(target: unknown): Promise<vscode.Uri | undefined> {
    const files: vscode.Uri[] = [];
    for (const dir of BUILTIN_SOURCE_DIRS) {
      const base = vscode.Uri.joinPath(this.extensionUri, dir);
      let entries: [string, vscode.FileType][] = [];
      try {
        entries = await vscode.workspace.fs.readDirectory(base);
      } catch {
        continue;
      }
      for (const [name, type] of entries) if (type === vscode.FileType.File && name.endsWith('.ts')) files.push(vscode.Uri.joinPath(base, name));
    }
    if (typeof target === 'string' && target.trim() !== '') {
      const found = files.find((f) => path.posix.basename(f.path) === `${target.trim()}.ts`);
      if (found === undefined) throw new SourceError(`no system is running and no built-in source is named ${target.trim()}.ts; start a system to open a service's source by its label`);
      return found;
    }
    if (files.length === 0) throw new SourceError('no system is running and this installation has no built-in sources');
    const picked = await vscode.window.showQuickPick(
      files.map((uri) => ({ label: path.posix.basename(uri.path), description: path.posix.relative(this.extensionUri.path, path.posix.dirname(uri.path)), uri })),
      { title: 'Open the source of which built-in driver, service or program?', placeHolder: 'No system is running: the sources shipped with Microkernel Lab' },
    );
    return picked?.uri;
  }

  /** Starts watching for a silent worker while a system runs. */
  private setStatus(status: SessionStatus | undefined): void {
    this.lastHeardMs = Date.now();
    this.warnedSilent = false;
    this.statusValue = status;
    this.statusBar.update(status);
    void vscode.commands.executeCommand('setContext', 'microkernelLab.sessionState', status?.state ?? 'idle');
    this.statusChanged.fire(status);
    const live = status?.state === 'running' || status?.state === 'paused';
    if (live && this.watch === undefined) this.watch = setInterval(() => void this.probe(), WATCH_INTERVAL_MS);
    if (!live && this.watch !== undefined) {
      clearInterval(this.watch);
      this.watch = undefined;
    }
  }

  /** A running system pushes snapshots; when they stop, ask, and say so if nothing answers. */
  private async probe(): Promise<void> {
    if (this.probing || Date.now() - this.lastHeardMs < QUIET_MS) return;
    this.probing = true;
    try {
      const status = await this.simulator.request('sessionStatus', {});
      this.setStatus(status.state === 'idle' ? undefined : status);
    } catch (e) {
      if (!this.warnedSilent) {
        this.warnedSilent = true;
        void this.offerRestart(`the simulator stopped answering (${(e as Error).message})`);
      }
    } finally {
      this.probing = false;
    }
  }

  private async applySpeed(): Promise<void> {
    if (this.statusValue === undefined || !this.simulator.running) return;
    try {
      this.setStatus(await this.simulator.request('setSpeed', { speed: readSessionSettings().speed }));
    } catch (e) {
      this.fail(e, 'Simulation speed');
    }
  }

  private async control(method: 'stopSystem' | 'pauseSystem' | 'resumeSystem', done: string): Promise<CommandOutcome> {
    try {
      const status = await this.simulator.request(method, {});
      this.setStatus(status);
      return { ok: true, message: `${status.name ?? 'the system'} ${done}`, status };
    } catch (e) {
      return this.fail(e, done);
    }
  }

  /** The service a command is for: given, from a System view row, or picked from `known` (the last snapshot, else asked). */
  private async labelOf(target: unknown, title: string, known?: SystemSnapshot): Promise<string | undefined> {
    if (typeof target === 'string' && target.trim() !== '') return target.trim();
    const fromNode = (target as { process?: ProcessSummary } | undefined)?.process?.label;
    if (typeof fromNode === 'string') return fromNode;
    const snapshot = known ?? (this.snapshotValue?.session ? this.snapshotValue : await this.simulator.request('describeSystem', {}));
    if (!snapshot.session) throw new SourceError('no system is running: start one first (Microkernel Lab: Start System…)');
    return pickService(snapshot.processes, title);
  }

  private fail(e: unknown, what: string): CommandOutcome {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof SimulatorUnavailableError) void this.offerRestart(message);
    else void vscode.window.showErrorMessage(`Microkernel Lab: ${what}: ${message}`);
    return { ok: false, error: message };
  }

  private async offerRestart(reason: string): Promise<void> {
    const restart = 'Restart Simulator';
    const choice = await vscode.window.showErrorMessage(`Microkernel Lab: ${reason}.`, restart);
    if (choice === restart) {
      await vscode.commands.executeCommand(CommandId.restartSimulator);
      this.setStatus(undefined);
    }
  }

  dispose(): void {
    if (this.watch !== undefined) clearInterval(this.watch);
    for (const d of this.disposables) d.dispose();
  }
}
