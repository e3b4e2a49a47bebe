// The trace view's commands: open the view, load a .mktrace file into the
// worker, and export the trace for Perfetto, as CSV or in the project's format.
import * as vscode from 'vscode';
import type { TraceExportFormat } from '../../simulator/protocol/traceProtocol';
import { CommandId, type CommandArgs } from '../commandIds';
import type { SimulatorClient } from '../simulatorClient';
import { TracePanel, type TraceViewHandle } from './tracePanel';
import { readInputFile } from '../inputFiles';
import { GO_TO_EVENT_REQUEST, type GoToEventArguments } from '../../simulator/protocol/debugProtocol';

export interface TraceViewDeps {
  readonly simulator: SimulatorClient;
  /** The launch arguments that boot the running system in the debugger as it ran (undefined before a start). */
  readonly runLaunch: () => Record<string, unknown> | undefined;
}

/** What "Debug from here" did: moved a session, started one, or why neither. */
export type DebugFromOutcome =
  | { readonly ok: true; readonly how: 'moved' | 'started'; readonly sessionName: string }
  | { readonly ok: false; readonly error: string };

/** How long a file's events wait for the view to paint its head's overview before they are read. */
const HEAD_PAINT_WAIT_MS = 2000;

/** The trace file loaded last (the trace view shows it while its source is 'file'). */
let loadedFile: string | undefined;

/** What microkernelLab.trace.load answers (for tests and other commands). */
export type LoadOutcome =
  | {
      readonly ok: true;
      readonly fileName: string;
      readonly eventCount: number;
      /** Whether the view drew the whole trace from the file's head (its overview) before the events were read. */
      readonly drawnFromHead: boolean;
    }
  | { readonly ok: false; readonly error: string };

/** What the export commands answer: the file written, or why nothing was. */
export type ExportOutcome =
  | {
      readonly ok: true;
      readonly path: string;
      readonly eventCount: number;
      /** The notification that said where the file went, and what it offered. */
      readonly notice: { readonly text: string; readonly actions: readonly string[] };
    }
  | { readonly ok: false; readonly error: string };

/** Where Perfetto UI is: it opens a trace file in the browser, without uploading it. */
const PERFETTO_UI = 'https://ui.perfetto.dev';
const PERFETTO_STEPS = [
  '# Opening the trace in Perfetto UI',
  '',
  `1. Open ${PERFETTO_UI} in a browser (Chrome, Edge or Firefox).`,
  '2. Choose **Open trace file** in the left-hand menu, or drag the file onto the page.',
  '3. Pick the file Microkernel Lab wrote. Perfetto reads it in the browser; nothing is uploaded.',
  '',
  'Each process is a track; IPC messages are flows between them, kernel calls and',
  'blocked periods are slices. Times are microseconds of simulated time.',
].join('\n');

const formatNames: Record<TraceExportFormat, string> = {
  perfetto: 'Perfetto (Chrome trace JSON)',
  csv: 'CSV',
  mktrace: 'Microkernel Lab trace',
};
const formatFilters: Record<TraceExportFormat, Record<string, string[]>> = {
  perfetto: { 'Chrome trace JSON': ['json'] },
  csv: { CSV: ['csv'] },
  mktrace: { 'Microkernel Lab trace': ['mktrace'] },
};

export function registerTraceView(context: vscode.ExtensionContext, deps: TraceViewDeps): void {
  const { simulator, runLaunch } = deps;
  const register = <C extends CommandId>(id: C, run: (...args: CommandArgs[C]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown));

  const actions = {
    exportTrace: (format: TraceExportFormat) => exportTrace(simulator, format),
    loadTrace: () => loadTrace(context.extensionUri, simulator),
    debugFromHere: (seq: number) => debugFromHere(simulator, runLaunch, seq),
  };
  const open = (): TraceViewHandle => TracePanel.show(context.extensionUri, simulator, actions).handle;

  register(CommandId.openTrace, () => open());
  register(CommandId.loadTrace, (path) => loadTrace(context.extensionUri, simulator, path, actions));
  register(CommandId.exportPerfetto, (path) => exportTrace(simulator, 'perfetto', path));
  register(CommandId.exportCsv, (path) => exportTrace(simulator, 'csv', path));
  register(CommandId.debugTraceFailure, (file) => debugTraceFailure(file));
  register(CommandId.debugFromHere, (seq) => debugFromHere(simulator, runLaunch, seq));
  context.subscriptions.push(
    { dispose: () => TracePanel.open?.dispose() },
    vscode.debug.onDidStartDebugSession((s) => openSessions.push(s)),
    vscode.debug.onDidTerminateDebugSession((s) => {
      const i = openSessions.indexOf(s);
      if (i >= 0) openSessions.splice(i, 1);
    }),
  );
}

/**
 * Opens the debugger at the failure a trace file recorded (its first crash, MMU fault, kernel panic or DMA
 * overwrite): the run it recorded, replayed to there, ready to step back. The adapter reads the file and says
 * what is wrong with it (no failure, another version's configuration) as the launch's error.
 */
async function debugTraceFailure(file?: string | vscode.Uri): Promise<boolean> {
  let uri: vscode.Uri | undefined = typeof file === 'string' && file.length > 0 ? vscode.Uri.file(file) : file instanceof vscode.Uri ? file : undefined;
  if (uri === undefined) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Debug Its Failure',
      filters: { 'Microkernel Lab trace': ['mktrace'] },
    });
    uri = picked?.[0];
  }
  if (uri === undefined) return false;
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Microkernel Lab: the debugger reads trace files from disk; ${uri.toString()} is not on this machine's file system`);
    return false;
  }
  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  return vscode.debug.startDebugging(folder, { type: 'microkernel', request: 'launch', name: `Failure in ${name}`, trace: uri.fsPath });
}

/**
 * "Debug from here": moves the debug session to a trace event's moment when it debugs the system the trace comes
 * from, else starts one there (the running system as it was started, or a loaded file's recorded run). The debugger
 * checks that its run recorded the same event at that number, and says so in its stop if not.
 */
async function debugFromHere(simulator: SimulatorClient, runLaunch: () => Record<string, unknown> | undefined, seqArg?: number): Promise<DebugFromOutcome> {
  const fail = (error: string): DebugFromOutcome => {
    void vscode.window.showErrorMessage(`Microkernel Lab: Debug from here: ${error}`);
    void TracePanel.open?.status(`Debug from here: ${error}`, true);
    return { ok: false, error };
  };
  const seq = typeof seqArg === 'number' ? seqArg : TracePanel.open?.handle.selection?.seq;
  if (seq === undefined || !Number.isSafeInteger(seq) || seq < 0) return fail('select an event in the trace view first');
  let args: GoToEventArguments;
  let source;
  try {
    const info = await simulator.request('traceInfo', {});
    const d = await simulator.request('traceEvent', { seq });
    source = info.source;
    args = { seq, timeCycles: d.timeCycles, kind: d.kind, system: { scenario: source.scenario, configuration: source.configuration, seed: source.seed } };
  } catch (e) {
    return fail(`the trace has no event #${seq} (${(e as Error).message})`);
  }
  // A session that debugs this system moves; one that debugs another says so and a new one starts.
  const sessions = [vscode.debug.activeDebugSession, ...openSessions].filter((s): s is vscode.DebugSession => s?.type === 'microkernel');
  for (const session of new Set(sessions)) {
    try {
      await session.customRequest(GO_TO_EVENT_REQUEST, args);
      return { ok: true, how: 'moved', sessionName: session.name };
    } catch (e) {
      if (!/this session debugs/.test((e as Error).message)) return fail((e as Error).message);
    }
  }
  let launch: Record<string, unknown> | undefined;
  if (source.kind === 'file') launch = loadedFile === undefined ? undefined : { trace: loadedFile };
  else launch = runLaunch();
  if (launch === undefined) return fail(`no way to boot ${source.name} again: start it, or open its trace file, first`);
  const name = `Event #${seq} of ${source.name}`;
  const folder = vscode.workspace.workspaceFolders?.[0];
  await TracePanel.open?.keepInSightOfSources();
  const started = await vscode.debug.startDebugging(folder, {
    type: 'microkernel',
    request: 'launch',
    name,
    ...launch,
    event: { seq, ...(args.timeCycles === undefined ? {} : { timeCycles: args.timeCycles }), ...(args.kind === undefined ? {} : { kind: args.kind }) },
  });
  return started ? { ok: true, how: 'started', sessionName: name } : fail('the debug session did not start (the Debug Console says why)');
}

/** The debug sessions running now, newest last. */
const openSessions: vscode.DebugSession[] = [];

async function loadTrace(
  extensionUri: vscode.Uri,
  simulator: SimulatorClient,
  path?: string,
  actions?: Parameters<typeof TracePanel.show>[2],
): Promise<LoadOutcome> {
  let uri: vscode.Uri | undefined;
  if (typeof path === 'string' && path.length > 0) uri = vscode.Uri.file(path);
  else {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Open Trace',
      filters: { 'Microkernel Lab trace': ['mktrace'], 'All files': ['*'] },
    });
    uri = picked?.[0];
  }
  if (!uri) return { ok: false, error: 'no file chosen' };
  const fileName = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  const fail = (error: string): LoadOutcome => {
    void vscode.window.showErrorMessage(`Microkernel Lab: cannot open the trace ${error}`);
    void TracePanel.open?.status(`Cannot open the trace ${error}`, true);
    return { ok: false, error };
  };
  // A local file's head first: a large trace's overview paints the whole trace while its events are read and indexed.
  let early = false;
  let drawnFromHead = false;
  if (uri.scheme === 'file') {
    try {
      const head = await simulator.request('traceOpenHead', { path: uri.fsPath, fileName });
      if (!head.ok) return fail(`${head.error.file}: at byte ${head.error.offset}: ${head.error.message}`);
      if (head.info !== null) {
        early = true;
        loadedFile = uri.fsPath;
        const panel = TracePanel.open ?? (actions ? TracePanel.show(extensionUri, simulator, actions) : undefined);
        const painted = panel?.host.visible ? panel.handle.whenRendered((w) => w.sourceName === fileName, HEAD_PAINT_WAIT_MS).catch(() => undefined) : undefined;
        await panel?.sendTrace();
        void panel?.status(`Opening ${fileName}: ${head.info.eventCount.toLocaleString('en-US')} events, drawn from its overview while the events are read…`, false);
        // A visible view paints from the head first (for at most HEAD_PAINT_WAIT_MS): reading hundreds of megabytes would slow it.
        drawnFromHead = (await painted) !== undefined;
      }
    } catch (e) {
      return fail(`${fileName}: ${(e as Error).message}`);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = await readInputFile(uri, 'trace');
  } catch (e) {
    if (early) await simulator.request('traceUnload', {}).catch(() => undefined);
    return fail((e as Error).message);
  }
  try {
    // A file read into a buffer of its own moves to the worker (no copy of hundreds of megabytes); the worker views its columns in place.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const result = await simulator.request('traceLoad', { bytes, fileName }, undefined, own ? [bytes.buffer as ArrayBuffer] : []);
    if (!result.ok) return fail(`${result.error.file}: at byte ${result.error.offset}: ${result.error.message}`);
    loadedFile = uri.scheme === 'file' ? uri.fsPath : undefined;
    const panel = TracePanel.open ?? (actions ? TracePanel.show(extensionUri, simulator, actions) : undefined);
    await panel?.sendTrace();
    void panel?.status(`Opened ${fileName}: ${result.info.eventCount.toLocaleString('en-US')} events.`, false);
    return { ok: true, fileName, eventCount: result.info.eventCount, drawnFromHead };
  } catch (e) {
    return fail(`${fileName}: ${(e as Error).message}`);
  }
}

async function exportTrace(simulator: SimulatorClient, format: TraceExportFormat, path?: string): Promise<ExportOutcome> {
  const fail = (error: string): ExportOutcome => {
    void vscode.window.showErrorMessage(`Microkernel Lab: ${error}`);
    void TracePanel.open?.status(error, true);
    return { ok: false, error };
  };
  let result;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Microkernel Lab: exporting the trace (${formatNames[format]})…` },
      () => simulator.request('traceExport', { format }),
    );
  } catch (e) {
    return fail(`could not export the trace: ${(e as Error).message}`);
  }
  let uri: vscode.Uri | undefined;
  if (typeof path === 'string' && path.length > 0) uri = vscode.Uri.file(path);
  else {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    uri = await vscode.window.showSaveDialog({
      saveLabel: 'Export',
      filters: formatFilters[format],
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, result.fileName) } : {}),
    });
  }
  if (!uri) return { ok: false, error: 'no file chosen' };
  const target = uri;
  const data = result.bytes ?? (result.text === undefined ? undefined : new TextEncoder().encode(result.text));
  if (!data) return fail(`the simulator returned no ${formatNames[format]} data`);
  try {
    // A long run's export is tens of megabytes: the write has its own progress.
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Microkernel Lab: writing ${(data.length / 1e6).toFixed(1)} MB to ${target.fsPath}…` },
      () => Promise.resolve(vscode.workspace.fs.writeFile(target, data)),
    );
  } catch (e) {
    return fail(`could not write ${target.fsPath}: ${(e as Error).message}`);
  }
  const written = `Wrote ${result.eventCount.toLocaleString('en-US')} events to ${target.fsPath} (${formatNames[format]}).`;
  void TracePanel.open?.status(written, false);
  const actions = format === 'perfetto' ? ['Reveal File', 'Open Perfetto UI', 'How to Open It'] : ['Reveal File', 'Open File'];
  const text = format === 'perfetto' ? `Microkernel Lab: ${written} Open it in Perfetto UI (${PERFETTO_UI}); the file stays on this machine.` : `Microkernel Lab: ${written}`;
  void Promise.resolve(vscode.window.showInformationMessage(text, ...actions)).then((picked) => exportAction(picked, target));
  return { ok: true, path: target.fsPath, eventCount: result.eventCount, notice: { text, actions } };
}

/** Carries out what the user picked in the notification after an export. */
export async function exportAction(picked: string | undefined, file: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  switch (picked) {
    case 'Reveal File':
      await vscode.commands.executeCommand('revealFileInOS', file);
      return undefined;
    case 'Open File':
      return (await vscode.window.showTextDocument(file, { preview: true })).document;
    case 'Open Perfetto UI':
      await vscode.env.openExternal(vscode.Uri.parse(PERFETTO_UI));
      return undefined;
    case 'How to Open It': {
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: `${PERFETTO_STEPS}\n\nThe file: \`${file.fsPath}\`\n` });
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc;
    }
    default:
      return undefined;
  }
}
