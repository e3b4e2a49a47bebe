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
import { SessionStatusBar, formatSimTime } from './statusBar';
import { workspaceTrusted } from './trust';
import { WalkthroughProgress } from './walkthrough';

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
  /** The restarts of the running system when the user first injected a fault into it (the walkthrough waits for more). */
  private restartsAtFault: number | undefined;
  /** The debugged system's status, shown in the status bar instead of the editor's session while set. */
  private debugStatus: SessionStatus | undefined;

  /** The run whose memory corruption has been told to the user. */
  private toldCorruptionRunId = -1;
  /** The last notification about memory a device overwrote: for tests. */
  lastCorruptionNotice: string | undefined;
  /** The runs whose end has been told to the user (by run id). */
  private toldRunId = -1;
  /** How the last start was asked for: what a replay in the debugger launches. */
  /** How the debugger boots the last system started: its launch arguments, but the seed (the status has it). */
  private lastLaunch: Record<string, unknown> | undefined;
  /** The last notification about a run's end, as shown: for tests and for the System view. */
  lastNotice: { readonly severity: 'info' | 'warning' | 'error'; readonly text: string; readonly actions: readonly string[] } | undefined;

  constructor(
    private readonly simulator: SimulatorClient,
    private readonly extensionUri: vscode.Uri,
    private readonly walkthrough: WalkthroughProgress = new WalkthroughProgress(),
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
      if (status.name !== 's1' || (configuration !== undefined && configuration !== 'microkernel-iommu')) this.walkthrough.complete('more');
      this.lastLaunch =
        resolved.source.kind === 'trial'
          ? { trial: resolved.source.id }
          : {
              scenario: resolved.source.kind === 'builtin' ? resolved.source.name : resolved.source.file,
              ...(configuration === undefined ? {} : { configuration }),
              ...(settings.costProfile === undefined ? {} : { costProfile: settings.costProfile }),
              ...(settings.heartbeatPeriodMs === undefined ? {} : { heartbeatPeriodMs: settings.heartbeatPeriodMs }),
            };
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
      if (type !== 'crash') this.walkthrough.complete('more');
      this.restartsAtFault ??= r.status.restarts;
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
    // A running editor session takes the status bar back from an ended debug session.
    if (this.debugStatus !== undefined && status?.state === 'running') this.debugStatus = undefined;
    this.statusBar.update(this.debugStatus ?? status);
    void vscode.commands.executeCommand('setContext', 'microkernelLab.sessionState', status?.state ?? 'idle');
    this.statusChanged.fire(status);
    this.noteWalkthrough(status);
    if (status?.corruption !== undefined && status.runId !== this.toldCorruptionRunId) {
      this.toldCorruptionRunId = status.runId;
      const c = status.corruption.first[0]!;
      const text = `Microkernel Lab: ${c.device}'s DMA overwrote ${c.victim === 'the kernel' ? "the kernel's" : `${c.victim}'s`} memory at 0x${c.paddr.toString(16)} at ${formatSimTime(c.timeCycles, status.clockHz)}: no IOMMU stopped it (the DMA check found it; the System and IOMMU views list every overwrite).`;
      this.lastCorruptionNotice = text;
      void vscode.window.showWarningMessage(text, 'Open Trace').then((picked) => {
        if (picked === 'Open Trace') void this.showTraceAround(c.timeCycles, status.clockHz);
      });
    }
    if (status?.report !== undefined && status.runId !== this.toldRunId) {
      this.toldRunId = status.runId;
      void this.tellRunEnded(status, status.report);
    }
    const live = status?.state === 'running' || status?.state === 'paused';
    if (live && this.watch === undefined) this.watch = setInterval(() => void this.probe(), WATCH_INTERVAL_MS);
    if (!live && this.watch !== undefined) {
      clearInterval(this.watch);
      this.watch = undefined;
    }
  }

  private walkthroughRunId = -1;

  /** Ticks the walkthrough's steps on what a status shows: a system running, a restart after a fault, S4, S5 or S7 ended. */
  private noteWalkthrough(status: SessionStatus | undefined): void {
    if (status === undefined) return;
    if (status.runId !== this.walkthroughRunId) {
      this.walkthroughRunId = status.runId;
      this.restartsAtFault = undefined;
    }
    if (status.state === 'running') this.walkthrough.complete('start');
    if (this.restartsAtFault !== undefined && status.restarts > this.restartsAtFault) this.walkthrough.complete('crash');
    if (status.report !== undefined && status.state !== 'stopped' && ['s4', 's5', 's7'].includes(status.name ?? '')) this.walkthrough.complete('compare');
  }

  /**
   * Tells the user how a run ended, where they look: a notification (an error
   * when it did not end as its scenario expects, a warning when it ended as
   * expected in a panic, a corrupted kernel or a failed workload) with the
   * summary's first lines and actions to read the whole summary, open the
   * trace at the end, or replay the run in the debugger.
   */
  private async tellRunEnded(status: SessionStatus, report: NonNullable<SessionStatus['report']>): Promise<void> {
    if (status.state === 'stopped') return; // The user stopped it: the summary is a command away, no notification.
    const name = `${status.name ?? 'the system'} (${status.configuration ?? ''})`;
    const asExpected = report.outcome === report.expectedOutcome;
    const what =
      report.panic !== null
        ? `kernel panic in ${report.panic.process} at ${formatSimTime(report.panic.timeCycles, status.clockHz)}: ${report.panic.message}`
        : report.corruptedPages > 0
          ? `the kernel's memory is corrupted (${report.corruptedPages} page${report.corruptedPages === 1 ? '' : 's'})`
          : report.outcome === 'workload-failed'
            ? 'a workload failed'
            : `finished after ${formatSimTime(status.nowCycles, status.clockHz)}`;
    const blast = report.blastRadius.workloads > 0 ? ` Blast radius: ${report.blastRadius.affected} of ${report.blastRadius.workloads} workload processes.` : '';
    const requests = report.headline.filter((l) => /^(request-response|ipc-pingpong): /.test(l)).map((l) => ` ${l}.`).join('');
    const expectation = asExpected ? ` As the scenario expects (${report.expectedOutcome}).` : ` The scenario expects ${report.expectedOutcome}, not ${report.outcome}.`;
    const text = `Microkernel Lab: ${name}: ${what}.${blast}${requests}${expectation}`;
    const severity = !asExpected ? 'error' : report.outcome === 'ok' ? 'info' : 'warning';
    const actions = ['Show Summary', 'Open Trace', ...(this.lastLaunch === undefined ? [] : ['Replay in Debugger'])];
    this.lastNotice = { severity, text, actions };
    const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const picked = await show(text, ...actions);
    if (picked !== undefined) await this.runEndAction(picked, status);
  }

  /** Carries out one of the run-end notification's actions. */
  async runEndAction(action: string, status: SessionStatus | undefined = this.statusValue): Promise<unknown> {
    const report = status?.report;
    if (status === undefined || report === undefined) return undefined;
    switch (action) {
      case 'Show Summary':
        return this.showSummary();
      case 'Open Trace':
        // The last 5 ms before the end (or the panic), where what went wrong is.
        return this.showTraceAround(report.panic?.timeCycles ?? status.nowCycles, status.clockHz);
      case 'Replay in Debugger': {
        const launch = this.runLaunch();
        if (launch === undefined) return undefined;
        const folder = vscode.workspace.workspaceFolders?.[0];
        return vscode.debug.startDebugging(folder, { type: 'microkernel', request: 'launch', name: `Replay ${status.name}`, ...launch });
      }
      default:
        return undefined;
    }
  }

  /** The launch arguments that make the debugger boot the last system started as it ran (its seed included); undefined before a start. */
  runLaunch(): Record<string, unknown> | undefined {
    const launch = this.lastLaunch;
    if (launch === undefined) return undefined;
    const seed = this.statusValue?.seed;
    return 'trial' in launch || seed === undefined ? { ...launch } : { ...launch, seed };
  }

  /** Shows a debug session's system in the status bar (undefined: the editor's own session again). */
  showDebugStatus(status: SessionStatus | undefined): void {
    this.debugStatus = status;
    this.statusBar.update(status ?? this.statusValue);
  }

  /** The status the status bar shows: a debug session's, or the editor's session's. */
  get shownStatus(): SessionStatus | undefined {
    return this.debugStatus ?? this.statusValue;
  }

  /** Opens the trace view on the 5 ms up to `cycles`, no longer following the running system. */
  private async showTraceAround(cycles: number, clockHz: number): Promise<unknown> {
    const view = (await vscode.commands.executeCommand(CommandId.openTrace)) as { setFollow(on: boolean): Promise<void>; show(from: number, to: number): Promise<void> } | undefined;
    await view?.setFollow(false);
    await view?.show(Math.max(0, cycles - Math.round(0.005 * clockHz)), cycles + 1);
    return view;
  }

  /** Opens the last ended run's summary, as `mklab run` prints it. */
  async showSummary(): Promise<vscode.TextDocument | undefined> {
    const status = this.statusValue;
    if (status?.report === undefined) {
      void vscode.window.showInformationMessage('Microkernel Lab: no run has ended yet; its summary is shown when it ends or is stopped.');
      return undefined;
    }
    const uri = vscode.Uri.from({ scheme: DOC_SCHEME, path: `/summary/${status.name ?? 'system'}-${status.runId}.txt` });
    this.docs.set(uri.path, status.report.text + '\n');
    this.docChanged.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
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
