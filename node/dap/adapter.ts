// The `microkernel` debug adapter: the Debug Adapter Protocol over the debug
// runtime. Threads are the live processes (one id per endpoint for the whole
// session); a thread's frames are its current or last kernel entry at the
// program's source line and the program's lines that called into it.
// Stepping runs to the same process's next kernel entry; stepping back
// replays the system deterministically.
import { basename, resolve } from 'node:path';
import {
  Breakpoint,
  BreakpointEvent,
  DebugSession,
  Event,
  type ErrorDestination,
  Handles,
  InitializedEvent,
  OutputEvent,
  ProgressEndEvent,
  ProgressStartEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CPF, IpcCall, NONE } from '../../simulator/kernel/constants';
import type { KernelEntry } from '../../simulator/engine/simulator';
import { formatSimTime } from '../../simulator/time/time';
import { parseLocation } from '../../simulator/trace/locations';
import { traceNaming } from '../../simulator/system/traceNames';
import { BreakpointSyntaxError, parseIpcBreakpoint, type IpcBreakpoint } from './ipcBreakpoints';
import { compileCondition, compileHitCondition, ConditionSyntaxError, HitConditionSyntaxError } from './conditions';
import { LaunchError, parseLaunchArguments, unknownArguments } from './launchConfig';
import { corruptionStatus, runReport, viewSnapshot } from '../worker/session';
import type { SessionState, SystemSnapshot } from '../../simulator/protocol/workerProtocol';
import { GO_TO_EVENT_REQUEST, POSITION_EVENT, type DebuggedSystem, type DebugPosition, type GoToEventArguments } from '../../simulator/protocol/debugProtocol';
import { DebugRuntime, EXCEPTION_FILTERS, type BreakpointGate, type DataWatch, type EventTarget, type ExceptionFilter, type ReceivedMessage, type Stop } from './runtime';

/** The most bytes one data breakpoint watches. */
const MAX_WATCH_BYTES = 4096;

/** The environment variable through which the editor says the workspace is trusted (never a launch argument). */
export const TRUST_ENV = 'MKLAB_WORKSPACE_TRUSTED';

const BUILTIN_SOURCE = /(?:^|[\\/])(simulator[\\/](?:drivers|services|programs)[\\/].+\.[jt]s)$/;

/** Breakpoints and locations are compared by this key: built-in sources by their path inside the project, others by absolute path. */
export function sourceKey(file: string): string {
  const path = file.startsWith('file://') ? decodeURIComponent(file.slice('file://'.length)) : file;
  const m = BUILTIN_SOURCE.exec(path);
  if (m !== null) return m[1]!.replace(/\\/g, '/');
  return resolve(path).replace(/\\/g, '/');
}

type VariableSource = () => DebugProtocol.Variable[];

export class MicrokernelDebugSession extends DebugSession {
  private runtime: DebugRuntime | undefined;
  private stopOnEntry = false;
  private readonly threadIds = new Map<number, number>();
  private readonly endpoints = new Map<number, number>();
  private variables = new Handles<VariableSource>();
  private nextBreakpointId = 1;
  private readonly naming = traceNaming();
  /** Line breakpoints by source key, and function breakpoints, with what the client was last told about each. */
  private readonly lineBreakpointsByKey = new Map<string, { path: string; list: (ClientBreakpoint & { readonly line: number })[] }>();
  private functionBreakpoints: (ClientBreakpoint & { bp: IpcBreakpoint | undefined })[] = [];
  /**
   * Conditions and hit counts by breakpoint id, as typed and compiled, with the step from which hits count; `error`
   * when one does not parse (the breakpoint is then not verified, with the error as its message).
   */
  private readonly gates = new Map<number, BreakpointGate & { readonly text: string; readonly error?: string }>();
  private ended = false;
  /** Data breakpoints, kept for a runtime that does not exist yet (set before launch). */
  private dataWatches: DataWatch[] = [];
  /** While the system runs, the views hear of it this often (ms of real time). */
  private viewTimer: ReturnType<typeof setInterval> | undefined;
  /** Whether the client shows progress events (the editor does). */
  private progressReporting = false;
  private nextProgressId = 1;
  /** The trace event the launch asked to go to, instead of running. */
  private launchEvent: EventTarget | undefined;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.progressReporting = args.supportsProgressReporting === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsStepBack: true,
      supportsTerminateRequest: true,
      supportsExceptionInfoRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.filter, label: f.label, description: f.description, default: f.default })),
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    const trusted = process.env[TRUST_ENV] === '1';
    try {
      const launch = parseLaunchArguments(args as Record<string, unknown>, trusted);
      this.stopOnEntry = launch.stopOnEntry;
      this.launchEvent = launch.event;
      const unknown = unknownArguments(args as Record<string, unknown>);
      this.runtime = new DebugRuntime(launch.params, sourceKey, {
        stopped: (stop) => this.reportStop(stop),
        output: (category, text) => this.sendEvent(new OutputEvent(text, category)),
        thread: (reason, endpoint) => this.sendEvent(new ThreadEvent(reason, this.threadId(endpoint))),
        ended: (message, failed) => this.end(message, failed),
      }, { stopBeforeFaults: launch.stopBeforeFault, historyEntries: launch.historyEntries, restorePoints: launch.restorePoints, ...(launch.failure === undefined ? {} : { failure: launch.failure }) });
      // Breakpoints that came before the system existed apply to it now, checked against it.
      this.recheckBreakpoints();
      this.runtime.setDataWatches(this.dataWatches);
      const s = this.runtime.system;
      this.sendEvent(new OutputEvent(`Microkernel Lab: ${s.name} (${s.configuration}, seed ${s.options.seed}) booted; the debugger stops before kernel entries.\n`, 'console'));
      if (unknown.length > 0) this.sendEvent(new OutputEvent(`launch: ignoring unknown argument(s) ${unknown.join(', ')}\n`, 'console'));
      for (const d of s.diagnostics) this.sendEvent(new OutputEvent(`${d}\n`, 'console'));
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.sendErrorResponse(response, { id: 1001, format: e instanceof LaunchError ? message : `Microkernel Lab could not start the system: ${message}`, showUser: true });
    }
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    const rt = this.runtime;
    if (rt === undefined) return;
    if (this.launchEvent !== undefined) {
      const target = this.launchEvent;
      void this.withProgress(`Going to trace event #${target.seq}`, () => rt.goToEvent(target)).catch((e: unknown) => this.end(`could not go to trace event #${target.seq}: ${(e as Error).message}`, true));
    } else if (this.stopOnEntry) rt.toFirstEntry();
    else rt.continue();
    this.publishView('running');
    this.watchWhileRunning();
  }

  /**
   * The editor's own requests: `microkernelLab.goToEvent` { seq, timeCycles?, kind?, system? } moves the session to a
   * trace event, refused when `system` (the trace's scenario, configuration and seed) is not the one debugged here.
   */
  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (command !== GO_TO_EVENT_REQUEST) {
      super.customRequest(command, response, args);
      return;
    }
    const rt = this.runtime;
    // From the editor, but checked as any input is.
    const a = (args ?? {}) as { [K in keyof GoToEventArguments]?: unknown } & { system?: Partial<DebuggedSystem> };
    if (rt === undefined || this.ended) return this.sendErrorResponse(response, { id: 1010, format: 'go to event: the session has no system (it ended)', showUser: true });
    const here = this.debuggedSystem();
    const there = a.system;
    if (there !== undefined && (there.scenario !== here.scenario || there.configuration !== here.configuration || there.seed !== here.seed)) {
      return this.sendErrorResponse(response, {
        id: 1011,
        format: `go to event: this session debugs ${describeSystem(here)}, not ${describeSystem(there)}`,
        showUser: false,
      });
    }
    const seq = a.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return this.sendErrorResponse(response, { id: 1012, format: `go to event: "seq" must be a trace event's sequence number, got ${String(seq)}`, showUser: true });
    const target: EventTarget = { seq, ...(typeof a.timeCycles === 'number' ? { timeCycles: a.timeCycles } : {}), ...(typeof a.kind === 'number' ? { kind: a.kind } : {}) };
    this.sendResponse(response);
    this.variables = new Handles<VariableSource>();
    void this.withProgress(`Going to trace event #${seq}`, () => rt.goToEvent(target)).catch((e: unknown) =>
      this.sendEvent(new OutputEvent(`Microkernel Lab: could not go to trace event #${seq}: ${(e as Error).message}\n`, 'important')),
    );
    this.publishView('running');
    this.watchWhileRunning();
  }

  private debuggedSystem(): DebuggedSystem {
    const s = this.runtime!.system;
    return { scenario: s.name, configuration: s.configuration, seed: s.options.seed };
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const path = args.source.path ?? '';
    const key = sourceKey(path);
    const requested: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    const check = this.checkLineSource(path, key);
    const before = this.lineBreakpointsByKey.get(key)?.list ?? [];
    const list = requested.map((b) => {
      // The editor sends every breakpoint of the file again when one changes: one unchanged keeps its id, so its hits.
      const text = gateText(b);
      const kept = before.find((old) => old.line === b.line && this.gates.get(old.id)?.text === text);
      const id = kept?.id ?? this.nextBreakpointId++;
      const gate = kept === undefined ? this.gate(id, b) : this.gates.get(id)!;
      return { id, line: b.line, ...(gate.error === undefined ? check : { verified: false, message: gate.error }) };
    });
    for (const old of before) if (!list.some((b) => b.id === old.id)) this.gates.delete(old.id);
    if (list.length === 0) this.lineBreakpointsByKey.delete(key);
    else this.lineBreakpointsByKey.set(key, { path, list });
    this.applyBreakpoints();
    response.body = { breakpoints: list.map((b) => lineBreakpoint(b, path)) };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    const before = this.functionBreakpoints;
    this.functionBreakpoints = args.breakpoints.map((fb) => {
      const text = gateText(fb);
      const kept = before.find((old) => old.bp?.text === fb.name && this.gates.get(old.id)?.text === text);
      const id = kept?.id ?? this.nextBreakpointId++;
      const gate = kept === undefined ? this.gate(id, fb) : this.gates.get(id)!;
      try {
        const bp = parseIpcBreakpoint(fb.name);
        return { id, bp, ...(gate.error === undefined ? this.checkFunctionBreakpoint(bp) : { verified: false, message: gate.error }) };
      } catch (e) {
        return { id, bp: undefined, verified: false, message: e instanceof BreakpointSyntaxError ? e.message : String(e) };
      }
    });
    for (const old of before) if (!this.functionBreakpoints.some((b) => b.id === old.id)) this.gates.delete(old.id);
    this.applyBreakpoints();
    response.body = { breakpoints: this.functionBreakpoints.map(functionBreakpoint) };
    this.sendResponse(response);
  }

  /**
   * A data breakpoint on memory: the name is a physical address (0x8000, or 32768) and `bytes` how many bytes
   * from it (default 4, at most 4096). Any write stops: a program's, the kernel's copies, or a device's DMA.
   */
  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    const refuse = (why: string) => {
      response.body = { dataId: null, description: why };
      this.sendResponse(response);
    };
    if (args.variablesReference !== undefined && args.asAddress !== true) return refuse('data breakpoints watch memory by address: use Add Data Breakpoint at Address (a physical address such as 0x8000)');
    const text = args.name.trim();
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return refuse(`'${args.name}': expected a physical address, such as 0x8000 or 32768`);
    const paddr = Number(text);
    const bytes = args.bytes ?? 4;
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_WATCH_BYTES) return refuse(`a data breakpoint watches 1 to ${MAX_WATCH_BYTES} bytes, not ${bytes}`);
    const size = this.runtime?.sim.memory.sizeBytes;
    if (size !== undefined && paddr + bytes > size) return refuse(`0x${paddr.toString(16)} + ${bytes} bytes is past the end of physical memory (0x${size.toString(16)} bytes)`);
    response.body = { dataId: `phys:${paddr}:${bytes}`, description: `physical memory 0x${paddr.toString(16)} (${bytes} bytes)`, accessTypes: ['write'], canPersist: true };
    this.sendResponse(response);
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    const watches: DataWatch[] = [];
    const answers = args.breakpoints.map((b): DebugProtocol.Breakpoint => {
      const m = /^phys:(\d+):(\d+)$/.exec(b.dataId);
      const id = this.nextBreakpointId++;
      if (m === null) return { id, verified: false, message: `'${b.dataId}' is not a data breakpoint this debugger made` };
      if (b.accessType !== undefined && b.accessType !== 'write') return { id, verified: false, message: `only writes can be watched, not ${b.accessType}` };
      if (b.condition !== undefined || b.hitCondition !== undefined) return { id, verified: false, message: 'a data breakpoint takes no condition or hit count' };
      watches.push({ id, paddr: Number(m[1]), bytes: Number(m[2]) });
      return { id, verified: true };
    });
    this.dataWatches = watches;
    this.runtime?.setDataWatches(watches);
    response.body = { breakpoints: answers };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const known = new Set<string>(EXCEPTION_FILTERS.map((f) => f.filter));
    const filters = args.filters.filter((f) => known.has(f)) as ExceptionFilter[];
    if (this.runtime !== undefined) this.runtime.exceptionFilters = new Set(filters);
    response.body = { breakpoints: args.filters.map((f) => ({ verified: known.has(f), ...(known.has(f) ? {} : { message: `unknown exception filter '${f}'` }) })) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const stop = this.runtime?.stop;
    response.body = { exceptionId: stop?.description ?? 'none', description: stop?.text ?? '', breakMode: 'always' };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const rt = this.runtime;
    const threads: Thread[] = [];
    if (rt !== undefined) {
      for (const p of rt.sim.processes().sort((a, b) => a.slot - b.slot)) threads.push(new Thread(this.threadId(p.endpoint), `${p.name} (endpoint ${p.endpoint})`));
    }
    response.body = { threads };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const rt = this.runtime;
    const endpoint = this.endpoints.get(args.threadId);
    const frames: StackFrame[] = [];
    if (rt !== undefined && endpoint !== undefined) {
      const current = rt.stop?.entry?.endpoint === endpoint ? rt.stop.entry : undefined;
      const entry = current ?? rt.lastEntry.get(endpoint);
      const info = rt.sim.processes().find((p) => p.endpoint === endpoint);
      if (entry !== undefined) {
        // The kernel entry's own line, then the program's lines that led to it (helpers reached by yield* or plain calls).
        const chain = [entry.location, ...entry.callers];
        chain.forEach((at, depth) => {
          const loc = at === undefined ? undefined : parseLocation(at);
          const name = depth === 0 ? this.frameName(entry) + (current === undefined ? ` (${info?.state ?? 'ended'})` : '') : `${info?.name ?? 'process'}, caller ${depth}`;
          const source = loc === undefined ? undefined : new Source(basename(loc.file), loc.file);
          frames.push(new StackFrame(frameId(args.threadId, depth), name, source, loc?.line ?? 0, loc?.column ?? 0));
        });
      } else {
        frames.push(new StackFrame(frameId(args.threadId, 0), `${info?.name ?? 'process'} (${info?.state ?? 'ended'}, no kernel entry yet)`));
      }
    }
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const rt = this.runtime;
    const endpoint = this.endpoints.get(threadOfFrame(args.frameId));
    const scopes: Scope[] = [];
    if (rt !== undefined && endpoint !== undefined) {
      const current = rt.stop?.entry?.endpoint === endpoint ? rt.stop.entry : undefined;
      const entry = current ?? rt.lastEntry.get(endpoint);
      if (entry !== undefined) {
        // A blocked process's message buffer may have been written since (a reply): only the current entry's message is shown.
        if (current !== undefined && isSending(current)) scopes.push(new Scope('Message', this.variables.create(() => this.messageVariables(current)), false));
        else {
          // Otherwise the message the process last received: the request it is handling.
          const received = rt.received.get(endpoint);
          if (received !== undefined) scopes.push(new Scope('Message', this.variables.create(() => this.receivedVariables(endpoint, received)), false));
        }
        scopes.push(new Scope('Kernel entry', this.variables.create(() => this.entryVariables(entry, current !== undefined)), false));
      }
      scopes.push(new Scope('Process', this.variables.create(() => this.processVariables(endpoint)), false));
      scopes.push(new Scope('Privileges', this.variables.create(() => this.privilegeVariables(endpoint)), false));
      scopes.push(new Scope('Grants', this.variables.create(() => this.grantVariables(endpoint)), true));
      scopes.push(new Scope('IOMMU', this.variables.create(() => this.iommuVariables(endpoint)), true));
    }
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const source = this.variables.get(args.variablesReference);
    response.body = { variables: source === undefined ? [] : source() };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.resume(() => this.runtime!.continue());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.step(response, args.threadId);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.step(response, args.threadId);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.step(response, args.threadId);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.runtime?.pause();
    this.sendResponse(response);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    const rt = this.runtime;
    const endpoint = this.endpoints.get(args.threadId);
    if (rt === undefined || endpoint === undefined || rt.isRunning) {
      this.sendErrorResponse(response, { id: 1002, format: 'step back: the system must be stopped at a process', showUser: true });
      return;
    }
    this.withProgress(`Stepping back: replaying the system to ${rt.nameOf(endpoint)}'s previous kernel entry`, () => rt.stepBack(endpoint)).then(
      (went) => {
        if (!went) {
          this.sendErrorResponse(response, { id: 1003, format: `step back: ${rt.nameOf(endpoint)} has no earlier kernel entry in this session`, showUser: true });
          return;
        }
        this.sendResponse(response);
        this.reportStop(rt.stop!);
      },
      (e: unknown) => this.sendErrorResponse(response, { id: 1004, format: `step back: ${e instanceof Error ? e.message : String(e)}`, showUser: true }),
    );
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    const rt = this.runtime;
    if (rt === undefined || rt.isRunning) {
      this.sendErrorResponse(response, { id: 1002, format: 'reverse continue: the system must be stopped', showUser: true });
      return;
    }
    this.withProgress('Reverse continue: replaying the system to the previous breakpoint', () => rt.reverseContinue()).then(
      () => {
        this.sendResponse(response);
        if (rt.stop !== undefined) this.reportStop(rt.stop);
      },
      (e: unknown) => this.sendErrorResponse(response, { id: 1004, format: `reverse continue: ${e instanceof Error ? e.message : String(e)}`, showUser: true }),
    );
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.dispose();
    this.sendResponse(response);
    this.end('terminated');
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime?.dispose();
    this.runtime = undefined;
    this.sendResponse(response);
    // Ends this process once the response has been written: the adapter serves one session.
    setTimeout(() => process.exit(0), 50);
  }

  // ---- helpers -------------------------------------------------------------

  private step(response: DebugProtocol.Response, threadId: number): void {
    const endpoint = this.endpoints.get(threadId);
    if (this.runtime === undefined || endpoint === undefined) {
      this.sendErrorResponse(response, { id: 1005, format: `step: no process has thread id ${threadId}`, showUser: true });
      return;
    }
    this.sendResponse(response);
    this.resume(() => this.runtime!.stepProcess(endpoint));
  }

  private resume(go: () => void): void {
    if (this.runtime === undefined || this.ended) return;
    this.variables = new Handles<VariableSource>();
    go();
    this.publishView('running');
    this.watchWhileRunning();
  }

  private end(message: string, failed = false): void {
    if (this.ended) return;
    this.ended = true;
    // 'important' output is shown by the editor as a notification: a failure must not hide in the debug console.
    if (message !== 'terminated') this.sendEvent(new OutputEvent(`Microkernel Lab: ${message}\n`, failed ? 'important' : 'console'));
    if (this.viewTimer !== undefined) clearInterval(this.viewTimer);
    this.viewTimer = undefined;
    if (message !== 'terminated') this.publishView(this.runtime?.sim.panicked ? 'panicked' : 'finished');
    this.sendEvent(new TerminatedEvent());
  }

  /**
   * A request handler that throws is answered by the library with an error meant for telemetry only, which
   * the editor does not show: say what failed, to the user and in the debug console.
   */
  protected override sendErrorResponse(
    response: DebugProtocol.Response,
    codeOrMessage: number | DebugProtocol.Message,
    format?: string,
    variables?: unknown,
    dest?: ErrorDestination,
  ): void {
    if (codeOrMessage === INTERNAL_ERROR) {
      const vars = (variables ?? {}) as { _exception?: string; _stack?: string };
      const text = `Microkernel Lab debugger: '${response.command}' failed: ${vars._exception ?? 'unknown error'}`;
      this.sendEvent(new OutputEvent(`${text}\n${vars._stack ?? ''}\n`, 'stderr'));
      super.sendErrorResponse(response, { id: INTERNAL_ERROR, format: text, showUser: true });
      return;
    }
    super.sendErrorResponse(response, codeOrMessage, format, variables, dest);
  }

  /** Whether a line breakpoint in `path` can hit: its file must be a source the system runs (or a built-in library of theirs). */
  private checkLineSource(path: string, key: string): { verified: boolean; message?: string } {
    const rt = this.runtime;
    if (rt === undefined) return { verified: false, message: 'checked when the system boots' };
    const known = rt.programSources().map(sourceKey);
    if (known.includes(key) || /^simulator\/(drivers|services|programs)\//.test(key)) return { verified: true };
    return { verified: false, message: `${basename(path)} is not the source of a driver, service or program this system runs (${known.map((k) => basename(k)).join(', ')})` };
  }

  private checkFunctionBreakpoint(bp: IpcBreakpoint): { verified: boolean; message?: string } {
    const rt = this.runtime;
    if (rt === undefined) return { verified: false, message: 'checked when the system boots' };
    const processes = new Set([...rt.sim.programs.names(), ...rt.sim.processes().map((p) => p.name)]);
    if (processes.has(bp.label)) return { verified: true };
    return { verified: false, message: `no process or program '${bp.label}' in this system (${[...processes].sort().join(', ')})` };
  }

  /** Once the system has booted: checks the breakpoints set before it, and tells the client of each that changed. */
  private recheckBreakpoints(): void {
    const same = (a: ClientBreakpoint, b: { verified: boolean; message?: string }) => a.verified === b.verified && a.message === b.message;
    for (const [key, entry] of this.lineBreakpointsByKey) {
      const located = this.checkLineSource(entry.path, key);
      entry.list = entry.list.map((b) => {
        const error = this.gates.get(b.id)?.error;
        const check = error === undefined ? located : { verified: false, message: error };
        if (same(b, check)) return b;
        const updated = { id: b.id, line: b.line, ...check };
        this.sendEvent(new BreakpointEvent('changed', lineBreakpoint(updated, entry.path)));
        return updated;
      });
    }
    this.functionBreakpoints = this.functionBreakpoints.map((b) => {
      if (b.bp === undefined) return b;
      const error = this.gates.get(b.id)?.error;
      const check = error === undefined ? this.checkFunctionBreakpoint(b.bp) : { verified: false, message: error };
      if (same(b, check)) return b;
      const updated = { id: b.id, bp: b.bp, ...check };
      this.sendEvent(new BreakpointEvent('changed', functionBreakpoint(updated)));
      return updated;
    });
    this.applyBreakpoints();
  }

  /** Going back replays the system from boot, which may take seconds: the editor shows it as progress meanwhile. */
  private async withProgress<T>(title: string, work: () => Promise<T>): Promise<T> {
    if (!this.progressReporting) return work();
    const id = `mklab-replay-${this.nextProgressId++}`;
    this.sendEvent(new ProgressStartEvent(id, title));
    try {
      return await work();
    } finally {
      this.sendEvent(new ProgressEndEvent(id));
    }
  }

  private applyBreakpoints(): void {
    const rt = this.runtime;
    if (rt === undefined) return;
    // A breakpoint whose condition or hit count does not parse never stops (it is shown unverified, with why).
    const usable = (id: number) => this.gates.get(id)?.error === undefined;
    const gate = (id: number): BreakpointGate => this.gates.get(id) ?? { sinceSteps: 0 };
    rt.lineBreakpoints = new Map([...this.lineBreakpointsByKey].map(([k, v]) => [k, v.list.filter((b) => usable(b.id)).map((b) => ({ ...gate(b.id), id: b.id, key: k, line: b.line }))]));
    rt.ipcBreakpoints = this.functionBreakpoints.flatMap((b) => (b.bp === undefined || !usable(b.id) ? [] : [{ ...gate(b.id), id: b.id, bp: b.bp }]));
  }

  /** Compiles a breakpoint's condition and hit count, kept by id; hits count from now (after the current step; from boot if set before it). */
  private gate(id: number, b: { condition?: string; hitCondition?: string }): BreakpointGate & { text: string; error?: string } {
    const text = gateText(b);
    // From the entry after the current one: the entry the system is stopped at has been checked already.
    const sinceSteps = this.runtime === undefined ? 0 : this.runtime.sim.steps + 1;
    let made: BreakpointGate & { text: string; error?: string };
    try {
      const condition = b.condition === undefined || b.condition.trim() === '' ? undefined : compileCondition(b.condition);
      const hit = b.hitCondition === undefined || b.hitCondition.trim() === '' ? undefined : compileHitCondition(b.hitCondition);
      made = { text, sinceSteps, ...(condition === undefined ? {} : { condition }), ...(hit === undefined ? {} : { hit }) };
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError) && !(e instanceof HitConditionSyntaxError)) throw e;
      made = { text, sinceSteps, error: e.message };
    }
    this.gates.set(id, made);
    return made;
  }

  private threadId(endpoint: number): number {
    let id = this.threadIds.get(endpoint);
    if (id === undefined) {
      id = this.threadIds.size + 1;
      this.threadIds.set(endpoint, id);
      this.endpoints.set(id, endpoint);
    }
    return id;
  }

  private reportStop(stop: Stop): void {
    this.variables = new Handles<VariableSource>();
    const rt = this.runtime!;
    const endpoint = stop.entry?.endpoint ?? stop.endpoint ?? rt.sim.processes()[0]?.endpoint ?? NONE;
    const event = new StoppedEvent(stop.reason, this.threadId(endpoint), stop.text) as DebugProtocol.StoppedEvent;
    event.body.description = stop.text === undefined ? stop.description : `${stop.description}: ${stop.text}`;
    event.body.allThreadsStopped = true;
    if (stop.breakpointIds !== undefined) event.body.hitBreakpointIds = [...stop.breakpointIds];
    this.sendEvent(event);
    this.publishView('paused');
    const s = rt.system;
    const position: DebugPosition = {
      system: this.debuggedSystem(),
      nowCycles: stop.entry?.timeCycles ?? s.nowCycles,
      clockHz: s.clockHz,
      traceSeq: rt.sim.trace.endSeq,
      ...(stop.entry === undefined ? {} : { process: stop.entry.name }),
      ...(stop.reason === 'goto' && rt.goneTo !== undefined ? { eventSeq: rt.goneTo } : {}),
    };
    this.sendEvent(new Event(POSITION_EVENT, position));
  }

  /**
   * Tells the editor how the debugged system is, for the System view and the
   * status bar (a custom event, `microkernelLab.systemSnapshot`): on every
   * stop, every half second while it runs, and once when the session ends.
   */
  private publishView(state: SessionState): void {
    const rt = this.runtime;
    if (rt === undefined) return;
    const s = rt.system;
    let restarts = 0;
    for (const st of s.rsStatus.values()) restarts += st.restarts;
    const ended = state === 'finished' || state === 'panicked' || state === 'stopped';
    const corruption = corruptionStatus(s);
    const body: SystemSnapshot = {
      ...viewSnapshot(s),
      running: state === 'running',
      session: {
        state,
        // One adapter process per debug session: its id tells one session's runs from another's.
        runId: -process.pid,
        name: s.name,
        configuration: s.configuration,
        nowCycles: s.nowCycles,
        untilCycles: rt.untilCycles,
        clockHz: s.clockHz,
        restarts,
        speed: 0,
        lagging: false,
        message: 'under the debugger',
        seed: s.options.seed,
        debugger: true,
        ...(ended ? { report: runReport(s) } : {}),
        ...(corruption === undefined ? {} : { corruption }),
      },
    };
    this.sendEvent(new Event('microkernelLab.systemSnapshot', body));
  }

  private watchWhileRunning(): void {
    if (this.viewTimer !== undefined) return;
    this.viewTimer = setInterval(() => {
      if (this.ended || this.runtime === undefined || !this.runtime.isRunning) {
        clearInterval(this.viewTimer);
        this.viewTimer = undefined;
        return;
      }
      this.publishView('running');
    }, 500);
  }

  private frameName(e: KernelEntry): string {
    if (e.kind === 'kernelCall') return `${e.call} (kernel call)`;
    const call = e.call.toLowerCase();
    if (e.callNr === IpcCall.SENDA) {
      const to = [...new Set(this.runtime!.outgoing(e).map((o) => this.runtimeName(o.to)))];
      return `${call} → ${to.length > 0 ? to.join(', ') : 'nothing pending'}`;
    }
    const peer = this.runtimeName(e.target);
    return e.callNr === IpcCall.RECEIVE ? `${call} ← ${peer}` : `${call} → ${peer}`;
  }

  private runtimeName(endpoint: number): string {
    return this.naming.specialEndpoint(endpoint) ?? this.runtime!.nameOf(endpoint);
  }

  private messageVariables(e: KernelEntry): DebugProtocol.Variable[] {
    const outgoing = this.runtime!.outgoing(e);
    const vars: DebugProtocol.Variable[] = [];
    outgoing.forEach((o, i) => {
      const prefix = outgoing.length > 1 ? `[${i}] ` : '';
      const receiver = this.runtimeName(o.to);
      const m = o.message;
      if (m === null) {
        vars.push(v(`${prefix}type`, 'NOTIFY (a notification: no message body)'), v(`${prefix}from`, `${e.name} (endpoint ${e.endpoint})`), v(`${prefix}to`, `${receiver} (endpoint ${o.to})`));
        return;
      }
      const name = this.naming.messageTypeName(m.type, receiver);
      vars.push(
        v(`${prefix}type`, `${name ?? 'unknown'} (0x${(m.type >>> 0).toString(16)})`),
        v(`${prefix}from`, `${e.name} (endpoint ${e.endpoint})`),
        v(`${prefix}to`, `${receiver} (endpoint ${o.to})`),
      );
      for (let w = 2; w < 16; w++) {
        const x = m.words[w]!;
        vars.push(v(`${prefix}payload[${w - 2}]`, `${x} (0x${(x >>> 0).toString(16).padStart(8, '0')})`));
      }
    });
    return vars.length > 0 ? vars : [v('message', 'none pending')];
  }

  private receivedVariables(endpoint: number, r: ReceivedMessage): DebugProtocol.Variable[] {
    const self = this.runtimeName(endpoint);
    const type = r.words[1]!;
    const from = r.words[0]!;
    const name = this.naming.messageTypeName(type, self);
    const vars = [
      v('type', `${name ?? 'unknown'} (0x${(type >>> 0).toString(16)})`),
      v('from', `${this.runtimeName(from)} (endpoint ${from})`),
      v('to', `${self} (endpoint ${endpoint})`),
      v('received', `by ${r.call}: the last message this process received, the request it is handling`),
    ];
    for (let w = 2; w < 16; w++) {
      const x = r.words[w]!;
      vars.push(v(`payload[${w - 2}]`, `${x} (0x${(x >>> 0).toString(16).padStart(8, '0')})`));
    }
    return vars;
  }

  private entryVariables(e: KernelEntry, current: boolean): DebugProtocol.Variable[] {
    const rt = this.runtime!;
    const vars = [
      v('call', `${e.call} (${e.kind === 'ipc' ? 'IPC' : 'kernel call'} ${e.callNr})`),
      v(e.kind === 'ipc' ? (e.callNr === IpcCall.RECEIVE ? 'from' : 'to') : 'first argument', e.kind === 'ipc' ? `${this.runtimeName(e.target)} (endpoint ${e.target})` : String(e.target)),
      v('arguments', `[${e.args.join(', ')}]`),
      v('location', e.location ?? 'not captured'),
      v('time', `${formatSimTime(e.timeCycles, rt.system.clockHz)} (cycle ${e.timeCycles})`),
    ];
    if (current) {
      vars.push(v('step', String(rt.sim.steps)), v('state digest', rt.sim.digest()));
      const from = rt.replayedFrom;
      vars.push(v('last replay from', from === undefined ? 'boot' : `the restore point at kernel entry ${from.index.toLocaleString('en-US')} (${formatSimTime(from.timeCycles, rt.system.clockHz)})`));
      const ready = rt.readyRestorePoints;
      vars.push(v('restore points', ready.length === 0 ? 'none ready' : ready.map((r) => `kernel entry ${r.index.toLocaleString('en-US')} (${formatSimTime(r.timeCycles, rt.system.clockHz)})`).join(', ')));
    } else vars.push(v('note', 'the process\'s last kernel entry; it has not entered the kernel since'));
    return vars;
  }

  private processVariables(endpoint: number): DebugProtocol.Variable[] {
    const rt = this.runtime!;
    const p = rt.sim.processes().find((x) => x.endpoint === endpoint);
    if (p === undefined) return [v('state', 'ended')];
    const restarts = rt.system.rsStatus.get(p.name)?.restarts;
    const source = rt.sim.programs.get(p.program)?.sourceFile;
    return [
      v('name', p.name),
      v('endpoint', `${p.endpoint} (slot ${p.slot}, generation ${p.generation})`),
      v('program', p.program),
      v('state', p.state),
      v('blocked on', p.blockedOn === NONE ? 'nothing' : `${this.runtimeName(p.blockedOn)} (endpoint ${p.blockedOn})`),
      v('priority', String(p.priority)),
      v('mode', p.kernelMode ? 'kernel' : 'user'),
      v('supervisor', `${this.runtimeName(p.supervisor)} (endpoint ${p.supervisor})`),
      v('restarts', restarts === undefined ? 'not a service' : String(restarts)),
      v('user cycles', String(p.userCycles)),
      v('kernel cycles', String(p.kernelCycles)),
      v('IPC calls', String(p.ipcCount)),
      v('kernel calls', String(p.kernelCallCount)),
      ...(source === undefined ? [] : [v('source', source)]),
    ];
  }

  private privilegeVariables(endpoint: number): DebugProtocol.Variable[] {
    const rt = this.runtime!;
    const name = rt.sim.processes().find((x) => x.endpoint === endpoint)?.name;
    const summary = rt.system.processes().find((p) => p.endpoint === endpoint)?.privileges;
    const proc = rt.sim.kernel.procs.find((p) => !p.isFree && p.endpoint === endpoint);
    if (summary === undefined) {
      const priv = proc?.priv;
      if (priv == null) return [v('privileges', `${name ?? 'this process'} has no privilege structure`)];
      return [v('system process', String(priv.system))];
    }
    return [
      v('IPC targets', summary.ipcTargets),
      v('kernel calls', summary.kernelCalls.join(', ') || 'none'),
      v('I/O ranges', summary.ioRanges.join(', ') || 'none'),
      v('IRQs', summary.irqs.join(', ') || 'none'),
    ];
  }

  private grantVariables(endpoint: number): DebugProtocol.Variable[] {
    const rt = this.runtime!;
    const proc = rt.sim.kernel.procs.find((p) => !p.isFree && p.endpoint === endpoint);
    const entries = proc?.grants?.entries ?? [];
    const vars: DebugProtocol.Variable[] = [];
    entries.forEach((g, i) => {
      if ((g.flags & CPF.USED) === 0) return;
      const access = `${g.flags & CPF.READ ? 'R' : ''}${g.flags & CPF.WRITE ? 'W' : ''}` || '-';
      const kind = g.flags & CPF.MAGIC ? 'magic' : g.flags & CPF.INDIRECT ? 'indirect' : 'direct';
      vars.push(v(`grant ${i}`, `${kind} ${access} to ${this.runtimeName(g.whoTo)}: 0x${(g.startVaddr >>> 0).toString(16)} +${g.bytes} bytes${g.flags & CPF.VALID ? '' : ' (revoked)'}`));
    });
    return vars.length > 0 ? vars : [v('grants', 'none')];
  }

  private iommuVariables(endpoint: number): DebugProtocol.Variable[] {
    const rt = this.runtime!;
    const iommu = rt.system.machine.iommu;
    if (iommu === null) return [v('IOMMU', `none in the ${rt.system.configuration} configuration: DMA reaches all memory`)];
    const proc = rt.sim.kernel.procs.find((p) => !p.isFree && p.endpoint === endpoint);
    const deviceId = proc?.args['deviceId'];
    if (typeof deviceId !== 'number') return [v('device', 'this process drives no DMA device')];
    const d = iommu.describe().domains.find((x) => x.deviceId === deviceId);
    if (d === undefined) return [v('device', `device ${deviceId} has no IOMMU domain yet`)];
    return [
      v('device', `${deviceId}`),
      v('blocked transfers', String(d.faultCount)),
      ...d.mappings.slice(0, 64).map((m, i) =>
        v(`mapping ${i}`, `IOVA 0x${(m.iova >>> 0).toString(16)} → 0x${(m.paddr >>> 0).toString(16)} +${m.lengthBytes} bytes ${m.read ? 'R' : ''}${m.write ? 'W' : ''}`),
      ),
      ...(d.mappings.length > 64 ? [v('more', `${d.mappings.length - 64} more mappings`)] : []),
    ];
  }
}

/** A breakpoint as the client was last told of it. */
interface ClientBreakpoint {
  readonly id: number;
  readonly line?: number;
  readonly verified: boolean;
  readonly message?: string;
}

/** A breakpoint's condition and hit count as one key: a breakpoint sent again with both unchanged keeps its hits. */
function gateText(b: { condition?: string; hitCondition?: string }): string {
  return JSON.stringify([b.condition?.trim() ?? '', b.hitCondition?.trim() ?? '']);
}

function lineBreakpoint(b: ClientBreakpoint, path: string): DebugProtocol.Breakpoint {
  const bp = new Breakpoint(b.verified, b.line, undefined, new Source(basename(path), path)) as DebugProtocol.Breakpoint;
  bp.id = b.id;
  if (b.message !== undefined) bp.message = b.message;
  return bp;
}

function functionBreakpoint(b: ClientBreakpoint): DebugProtocol.Breakpoint {
  return { id: b.id, verified: b.verified, ...(b.message === undefined ? {} : { message: b.message }) };
}

/** The code @vscode/debugadapter answers a request with when its handler threw. */
const INTERNAL_ERROR = 1104;

function isSending(e: KernelEntry): boolean {
  return e.kind === 'ipc' && e.callNr !== IpcCall.RECEIVE;
}

function v(name: string, value: string): DebugProtocol.Variable {
  return { name, value, variablesReference: 0 };
}

/** Frames of a thread: the kernel entry (depth 0) and its callers; every frame of a thread has the thread's scopes. */
const FRAMES_PER_THREAD = 1024;

function frameId(threadId: number, depth: number): number {
  return threadId * FRAMES_PER_THREAD + Math.min(depth, FRAMES_PER_THREAD - 1);
}

function threadOfFrame(id: number): number {
  return Math.floor(id / FRAMES_PER_THREAD);
}

function describeSystem(s: Partial<DebuggedSystem>): string {
  return `${s.scenario ?? 'a system'} (${s.configuration ?? 'its configuration'}, seed ${s.seed ?? '?'})`;
}
