// The `microkernel` debug type's launch arguments: checked one by one, each
// bad value named with what was expected, then turned into the session's
// StartParams so that the debugger boots a system exactly as the editor does.
import { readInputBytes, readInputText } from '../files/boundedRead';
import { decodeTrace, TraceFileError } from '../../simulator/trace/traceFile';
import { TraceKind } from '../../simulator/trace/kinds';
import type { TraceRecorder } from '../../simulator/trace/recorder';
import { formatSimTime } from '../../simulator/time/time';
import type { EventTarget, FailureTarget } from './runtime';
import { basename, isAbsolute, resolve } from 'node:path';
import type { StartParams, SystemSource } from '../../simulator/protocol/workerProtocol';
import { builtinScenarios } from '../../simulator/system/scenarios';
import { CONFIGURATIONS, isConfiguration } from '../../simulator/config/configurations';
import { costProfiles } from '../../simulator/kernel/costs/costProfiles';
import { parseTrialId } from '../../simulator/campaign/campaign';

/** What a launch configuration may say (besides DAP's own fields: type, request, name, ...). */
export interface MicrokernelLaunchArguments {
  /** A built-in scenario (s1 to s5, s7, default), or a scenario file (*.mklab.json) or system.conf in the workspace. */
  readonly scenario?: unknown;
  readonly configuration?: unknown;
  readonly seed?: unknown;
  readonly costProfile?: unknown;
  readonly heartbeatPeriodMs?: unknown;
  readonly stopOnEntry?: unknown;
  /** A fault campaign's trial id (CONFIGURATION:TARGET:FAULT-TYPE:FAULTS:SEED), instead of a scenario. */
  readonly trial?: unknown;
  /** With a trial: stop just before each of its faults is armed (default true). */
  readonly stopBeforeFault?: unknown;
  /** A trace file (.mktrace) whose failure to replay: the run it recorded, stopped where that failure happens again. */
  readonly trace?: unknown;
  /**
   * A trace event to go to instead of running: its sequence number in the run's trace, or { seq, timeCycles, kind } as
   * the trace view sends it (then the debugger checks its run recorded the same event there).
   */
  readonly event?: unknown;
  /** How many kernel entries the history keeps for going back (the oldest go first); HISTORY_ENTRIES if absent. */
  readonly historyEntries?: unknown;
  /** How many restore points the session keeps for going back (each a paused copy of the system); RESTORE_POINTS if absent. */
  readonly restorePoints?: unknown;
  /** The folder relative scenario paths are resolved against (the workspace folder, set by the extension). */
  readonly cwd?: unknown;
}

export interface DebugLaunch {
  readonly params: StartParams;
  readonly stopOnEntry: boolean;
  /** A trial: stop before each of its faults. */
  readonly stopBeforeFault: boolean;
  /** For messages: the scenario as the user named it. */
  readonly description: string;
  /** A failure replayed from a trace file: where to stop. */
  readonly failure?: FailureTarget;
  /** A trace event to go to (the trace view's "Debug from here"). */
  readonly event?: EventTarget;
  /** Kernel entries the history keeps. */
  readonly historyEntries: number;
  /** Restore points kept. */
  readonly restorePoints: number;
}

/** Kernel entries a session's history keeps unless told otherwise: 24 bytes each, 48 MB, some 2.6 h of S1. */
export const HISTORY_ENTRIES = 2_000_000;
/** The bounds of the historyEntries launch argument. */
export const MIN_HISTORY_ENTRIES = 1_000;
export const MAX_HISTORY_ENTRIES = 50_000_000;
/** Restore points a session keeps unless told otherwise (each a paused system: some 60 MB for S1), and the most it may. */
export const RESTORE_POINTS = 2;
export const MAX_RESTORE_POINTS = 16;

/** A launch argument that is wrong; the message names the argument, the value and what was expected. */
export class LaunchError extends Error {}

/** Every launch argument the adapter reads; package.json's configurationAttributes must describe exactly these. */
export const LAUNCH_ARGUMENTS: readonly string[] = ['scenario', 'configuration', 'seed', 'costProfile', 'heartbeatPeriodMs', 'stopOnEntry', 'trial', 'stopBeforeFault', 'trace', 'event', 'historyEntries', 'restorePoints', 'cwd'];
const KNOWN = new Set(LAUNCH_ARGUMENTS);

/**
 * Checks the launch arguments and reads the scenario file they name. `trusted`
 * comes from the editor (never from the launch configuration itself): workspace
 * code runs only in a trusted workspace, and the session refuses it otherwise.
 */
export function parseLaunchArguments(args: Record<string, unknown>, trusted: boolean): DebugLaunch {
  const event = parseEvent((args as MicrokernelLaunchArguments).event);
  const historyEntries = parseHistoryEntries((args as MicrokernelLaunchArguments).historyEntries);
  const restorePoints = parseRestorePoints((args as MicrokernelLaunchArguments).restorePoints);
  const launch = { ...launchOf(args as MicrokernelLaunchArguments, trusted, event === undefined), historyEntries, restorePoints };
  return event === undefined ? launch : { ...launch, event, failure: undefined, description: `trace event #${event.seq} of ${launch.description}` };
}

function parseHistoryEntries(value: unknown): number {
  if (value === undefined) return HISTORY_ENTRIES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_HISTORY_ENTRIES || value > MAX_HISTORY_ENTRIES) {
    throw new LaunchError(`launch: "historyEntries" must be a whole number of kernel entries from ${MIN_HISTORY_ENTRIES} to ${MAX_HISTORY_ENTRIES}, got ${show(value)}`);
  }
  return value;
}

function parseRestorePoints(value: unknown): number {
  if (value === undefined) return RESTORE_POINTS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_RESTORE_POINTS) {
    throw new LaunchError(`launch: "restorePoints" must be a whole number from 0 to ${MAX_RESTORE_POINTS}, got ${show(value)}`);
  }
  return value;
}

/** The "event" argument: a sequence number, or what the trace view says of an event. */
function parseEvent(value: unknown): EventTarget | undefined {
  if (value === undefined) return undefined;
  const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (isSeq(value)) return { seq: value };
  const expected = 'a trace event\'s sequence number (0 or more) or { "seq": N, "timeCycles": T, "kind": K }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LaunchError(`launch: "event" must be ${expected}, got ${show(value)}`);
  const { seq, timeCycles, kind, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new LaunchError(`launch: "event" has unknown field(s) ${extra.join(', ')}: expected ${expected}`);
  if (!isSeq(seq)) throw new LaunchError(`launch: "event.seq" must be a sequence number (0 or more), got ${show(seq)}`);
  if (timeCycles !== undefined && !(typeof timeCycles === 'number' && Number.isFinite(timeCycles) && timeCycles >= 0)) {
    throw new LaunchError(`launch: "event.timeCycles" must be a time in cycles (0 or more), got ${show(timeCycles)}`);
  }
  if (kind !== undefined && !(typeof kind === 'number' && Number.isInteger(kind) && kind >= 0 && kind < 256)) {
    throw new LaunchError(`launch: "event.kind" must be a trace event kind (0 to 255), got ${show(kind)}`);
  }
  return { seq, ...(timeCycles === undefined ? {} : { timeCycles: timeCycles as number }), ...(kind === undefined ? {} : { kind: kind as number }) };
}

function launchOf(a: MicrokernelLaunchArguments, trusted: boolean, needFailure: boolean): Omit<DebugLaunch, 'historyEntries' | 'restorePoints'> {
  if (a.trial !== undefined) {
    if (a.trace !== undefined) throw new LaunchError('launch: "trace" cannot be given with "trial": give one failure to replay');
    return trialLaunch(a, trusted);
  }
  if (a.trace !== undefined) return traceLaunch(a, trusted, needFailure);
  const scenario = a.scenario ?? 'default';
  if (typeof scenario !== 'string' || scenario.trim() === '') {
    throw new LaunchError(`launch: "scenario" must be the name of a built-in scenario (${builtinNames()}) or the path of a scenario file (*.mklab.json) or system.conf, got ${show(scenario)}`);
  }
  const cwd = a.cwd === undefined ? process.cwd() : a.cwd;
  if (typeof cwd !== 'string' || cwd === '') throw new LaunchError(`launch: "cwd" must be a folder path, got ${show(a.cwd)}`);
  const configuration = a.configuration;
  if (configuration !== undefined && !isConfiguration(configuration)) {
    throw new LaunchError(`launch: "configuration" must be one of ${CONFIGURATIONS.join(', ')}, got ${show(configuration)}`);
  }
  const seed = a.seed;
  if (seed !== undefined && !(typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0)) {
    throw new LaunchError(`launch: "seed" must be a non-negative integer, got ${show(seed)}`);
  }
  const costProfile = a.costProfile;
  if (costProfile !== undefined && (typeof costProfile !== 'string' || costProfiles[costProfile] === undefined)) {
    throw new LaunchError(`launch: "costProfile" must be one of ${Object.keys(costProfiles).join(', ')}, got ${show(costProfile)}`);
  }
  const heartbeat = a.heartbeatPeriodMs;
  if (heartbeat !== undefined && !(typeof heartbeat === 'number' && Number.isFinite(heartbeat) && heartbeat > 0)) {
    throw new LaunchError(`launch: "heartbeatPeriodMs" must be a positive number of simulated milliseconds, got ${show(heartbeat)}`);
  }
  const stopOnEntry = a.stopOnEntry ?? false;
  if (typeof stopOnEntry !== 'boolean') throw new LaunchError(`launch: "stopOnEntry" must be true or false, got ${show(stopOnEntry)}`);
  const source = sourceOf(scenario.trim(), cwd);
  return {
    params: {
      source,
      speed: 0,
      trusted,
      ...(configuration === undefined ? {} : { configuration }),
      ...(seed === undefined ? {} : { seed: seed as number }),
      ...(costProfile === undefined ? {} : { costProfile: costProfile as string }),
      ...(heartbeat === undefined ? {} : { heartbeatPeriodMs: heartbeat as number }),
    },
    stopOnEntry,
    stopBeforeFault: false,
    description: scenario.trim(),
  };
}

/** A campaign trial: its id fixes the system, configuration and seed, so nothing else may say them. */
function trialLaunch(a: MicrokernelLaunchArguments, trusted: boolean): Omit<DebugLaunch, 'historyEntries' | 'restorePoints'> {
  const id = a.trial;
  if (typeof id !== 'string') throw new LaunchError(`launch: "trial" must be a campaign trial id (CONFIGURATION:TARGET:FAULT-TYPE:FAULTS:SEED), got ${show(id)}`);
  try {
    parseTrialId(id);
  } catch (e) {
    throw new LaunchError(`launch: "trial": ${(e as Error).message}`);
  }
  for (const key of ['scenario', 'configuration', 'seed', 'costProfile', 'heartbeatPeriodMs'] as const) {
    if (a[key] !== undefined) throw new LaunchError(`launch: "${key}" cannot be given with "trial": the trial's id fixes its system, configuration and seed`);
  }
  const stopOnEntry = a.stopOnEntry ?? false;
  if (typeof stopOnEntry !== 'boolean') throw new LaunchError(`launch: "stopOnEntry" must be true or false, got ${show(stopOnEntry)}`);
  const stopBeforeFault = a.stopBeforeFault ?? true;
  if (typeof stopBeforeFault !== 'boolean') throw new LaunchError(`launch: "stopBeforeFault" must be true or false, got ${show(stopBeforeFault)}`);
  return { params: { source: { kind: 'trial', id: id.trim() }, speed: 0, trusted }, stopOnEntry, stopBeforeFault, description: `trial ${id.trim()}` };
}

/**
 * A failure replayed from a trace file: the trace's header fixes the system's configuration, seed and cost profile
 * (so nothing else may say them), its first failure (a crash or MMU fault, a kernel panic, memory overwritten by DMA)
 * is where the session stops. The scenario is the trace's when it is built in; a scenario file must be named.
 */
function traceLaunch(a: MicrokernelLaunchArguments, trusted: boolean, needFailure: boolean): Omit<DebugLaunch, 'historyEntries' | 'restorePoints'> {
  const path = a.trace;
  if (typeof path !== 'string' || path.trim() === '') throw new LaunchError(`launch: "trace" must be the path of a trace file (.mktrace), got ${show(path)}`);
  for (const key of ['configuration', 'seed', 'costProfile'] as const) {
    if (a[key] !== undefined) throw new LaunchError(`launch: "${key}" cannot be given with "trace": the trace file fixes its system's configuration, seed and cost profile`);
  }
  const cwd = a.cwd === undefined ? process.cwd() : a.cwd;
  if (typeof cwd !== 'string' || cwd === '') throw new LaunchError(`launch: "cwd" must be a folder path, got ${show(a.cwd)}`);
  const file = isAbsolute(path.trim()) ? path.trim() : resolve(cwd, path.trim());
  let decoded;
  try {
    decoded = decodeTrace(readInputBytes(file, 'trace'), file);
  } catch (e) {
    throw new LaunchError(`launch: "trace": ${(e as Error).message}`);
  }
  if (decoded instanceof TraceFileError) throw new LaunchError(`launch: "trace": ${decoded.message}`);
  const { meta, trace } = decoded;
  const failure = firstFailure(trace, meta.clockHz, basename(file));
  if (failure === undefined && needFailure) {
    throw new LaunchError(`launch: "trace": ${file} records no failure (a process crash or MMU fault, a kernel panic, or memory overwritten by DMA); to debug its run, launch its scenario '${meta.scenario}'`);
  }
  if (!isConfiguration(meta.configuration)) throw new LaunchError(`launch: "trace": ${file} names the configuration '${meta.configuration}', which this version does not have`);
  if (costProfiles[meta.costProfile] === undefined) throw new LaunchError(`launch: "trace": ${file} names the cost profile '${meta.costProfile}', which this version does not have`);
  let source: SystemSource;
  if (a.scenario !== undefined) {
    if (typeof a.scenario !== 'string' || a.scenario.trim() === '') throw new LaunchError(`launch: "scenario" must be the scenario the trace was recorded from, got ${show(a.scenario)}`);
    source = sourceOf(a.scenario.trim(), cwd);
  } else if (builtinScenarios().has(meta.scenario.toLowerCase())) {
    source = { kind: 'builtin', name: meta.scenario.toLowerCase() };
  } else {
    throw new LaunchError(`launch: "trace": ${file} was recorded from the scenario '${meta.scenario}', which is not built in: give its file as "scenario"`);
  }
  const stopOnEntry = a.stopOnEntry ?? false;
  if (typeof stopOnEntry !== 'boolean') throw new LaunchError(`launch: "stopOnEntry" must be true or false, got ${show(stopOnEntry)}`);
  return {
    params: { source, speed: 0, trusted, configuration: meta.configuration, seed: meta.seed, costProfile: meta.costProfile },
    stopOnEntry,
    stopBeforeFault: false,
    description: failure === undefined ? basename(file) : `the failure in ${basename(file)}`,
    ...(failure === undefined ? {} : { failure }),
  };
}

/** The first failure a trace holds, as the debugger stops for it. */
function firstFailure(trace: TraceRecorder, clockHz: number, file: string): FailureTarget | undefined {
  for (let seq = trace.firstSeq; seq < trace.endSeq; seq++) {
    const e = trace.get(seq);
    const at = `${file} recorded it at ${formatSimTime(e.timeCycles, clockHz)}`;
    if (e.kind === TraceKind.crash || e.kind === TraceKind.fault) return { filter: 'crash', timeCycles: e.timeCycles, text: at };
    if (e.kind === TraceKind.panic) return { filter: 'panic', timeCycles: e.timeCycles, text: at };
    if (e.kind === TraceKind.corruption) return { filter: 'corruption', timeCycles: e.timeCycles, text: at };
  }
  return undefined;
}

/** Launch arguments this adapter does not know (ignoring DAP's and VS Code's own), for a warning. */
export function unknownArguments(args: Record<string, unknown>): string[] {
  const dap = new Set(['type', 'request', 'name', 'noDebug', '__restart', '__sessionId', '__configurationTarget', 'presentation', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions', 'debugServer', 'suppressMultipleSessionWarning']);
  return Object.keys(args).filter((k) => !KNOWN.has(k) && !dap.has(k));
}

function sourceOf(scenario: string, cwd: string): SystemSource {
  if (builtinScenarios().has(scenario.toLowerCase())) return { kind: 'builtin', name: scenario.toLowerCase() };
  const looksLikeFile = /[\\/.]/.test(scenario);
  if (!looksLikeFile) {
    throw new LaunchError(`launch: "scenario" names no built-in scenario '${scenario}' (available: ${builtinNames()}); a scenario file must be given as a path, e.g. "\${workspaceFolder}/lab.mklab.json"`);
  }
  const file = isAbsolute(scenario) ? scenario : resolve(cwd, scenario);
  const isConf = basename(file) === 'system.conf' || file.endsWith('.conf');
  let text: string;
  try {
    text = readInputText(file, isConf ? 'systemConf' : 'scenario');
  } catch (e) {
    throw new LaunchError(`launch: ${(e as Error).message}`);
  }
  if (isConf) return { kind: 'systemConf', file, text };
  return { kind: 'scenarioFile', file, text };
}

function builtinNames(): string {
  return [...builtinScenarios().keys()].join(', ');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
