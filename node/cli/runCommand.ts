// `mklab run`: boots a scenario's system, runs it, prints the summary and
// optionally saves the trace.
import { readInputText } from '../files/boundedRead';
import { dirname, extname, resolve } from 'node:path';
import { parseCommandArgs, usageLine, UsageError } from './args';
import { parseScenario, retimeScenario, timeToCycles, type Scenario } from '../../simulator/config/scenario';
import { CONFIGURATION_TABLE, isConfiguration, unknownConfigurationMessage, type Configuration } from '../../simulator/config/configurations';
import { formatDiagnostic } from '../../simulator/config/systemConf';
import { formatSimTime } from '../../simulator/time/time';
import { bootScenario, builtinScenario, builtinScenarios } from '../../simulator/system/scenarios';
import { formatSummary, type SystemSummary } from '../../simulator/system/summary';
import { saveRunTrace } from './traceFileCommand';
import { ProgressBar, type ProgressStream } from './progress';
import { readScenarioFiles } from '../boot/scenarioFiles';
import { writeFileSync } from 'node:fs';
import { junitXml, type JunitCase } from './junit';

export interface RunIo {
  out(text: string): void;
  err(text: string): void;
  readonly progressStream: ProgressStream;
}

export const RUN_USAGE = `Usage: mklab run [SCENARIO] [options]

SCENARIO is a built-in scenario (${[...builtinScenarios().keys()].join(', ')}) or a scenario file (.json).
With none, the built-in default system runs (s1).

Options:
  --config NAME    the configuration to boot in (below); default: the scenario's
  --seed N         the seed (a non-negative integer); default: the scenario's
  --duration T     simulated time to run, e.g. 500ms, 2h; default: the scenario's
  --trace FILE     save the trace: .mktrace (the project's format), .json (Perfetto), .csv;
                   every event of the run is kept, up to --trace-events
  --trace-events N the most events --trace keeps (default 16777216, about 550 MB at most;
                   an hour of s1 has about 2 million); past it the oldest are dropped, and
                   mklab says how many
  --json           print the summary as one JSON object
  --junit FILE     also write a JUnit XML report: one test case, the scenario's expectation in
                   this configuration, failed with the reason and the command that replays it

Configurations:
${CONFIGURATION_TABLE.map((c) => `  ${c.name}\n${wrap(c.description, 6, 80)}`).join('\n')}
`;

/** `text` in lines of at most `width` columns, each indented by `indent` spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

/** Exit status: 0 the run ended as the scenario expects (by default: no panic, kernel intact, no workload failed), 1 it ended otherwise or could not start, 2 bad usage. */
export function runCommand(argv: readonly string[], io: RunIo): number {
  let junit: { path: string; argument: string } | undefined;
  try {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        config: { type: 'string' },
        seed: { type: 'string' },
        duration: { type: 'string' },
        trace: { type: 'string' },
        'trace-events': { type: 'string' },
        json: { type: 'boolean', default: false },
        junit: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      true,
    );
    if (values.help) {
      io.out(RUN_USAGE);
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`expected at most one scenario, got ${positionals.length}`);
    const argument = positionals[0] ?? 'default';
    junit = values.junit === undefined ? undefined : { path: values.junit, argument };
    // What the run writes to stderr also explains, in the report, a run that could not start.
    const errors: string[] = [];
    const errIo: RunIo = { ...io, err: (text) => (errors.push(text), io.err(text)) };
    const { scenario, baseDir } = loadScenario(argument, errIo);
    if (scenario === undefined) {
      writeJunitError(junit, 'the scenario has errors', errors.join(''), io);
      return 1;
    }
    const configuration = values.config === undefined ? undefined : parseConfiguration(values.config);
    const seed = values.seed === undefined ? undefined : parseSeed(values.seed);
    const durationCycles = values.duration === undefined ? undefined : parseDuration(values.duration, scenario.clockHz);
    const traceEvents = values['trace-events'] === undefined ? DEFAULT_SAVED_TRACE_EVENTS : parseTraceEvents(values['trace-events']);
    if (values['trace-events'] !== undefined && values.trace === undefined) throw new UsageError('--trace-events needs --trace FILE');
    const files = readScenarioFiles(scenario, baseDir);

    const started = process.hrtime.bigint();
    const system = bootScenario(scenario, {
      ...files,
      // A saved trace keeps the whole run (the columns grow as it fills), not the last ring's worth.
      ...(values.trace === undefined ? {} : { trace: { capacity: traceEvents, mode: 'ring' as const } }),
      ...(configuration === undefined ? {} : { configuration }),
      ...(seed === undefined ? {} : { seed }),
    });
    const names = new Map<number, string>();
    for (const p of system.sim.processes()) names.set(p.endpoint, p.name);
    const unsubscribe = system.sim.on('processCreated', (p) => names.set(p.endpoint, p.name));
    const bar = new ProgressBar(io.progressStream, `mklab run ${scenario.name}`);
    system.run({
      untilCycles: durationCycles ?? retimeScenario(scenario, system.clockHz).duration.cycles,
      progress: (now, until) => bar.update(now, until, `${formatSimTime(now, system.clockHz)} of ${formatSimTime(until, system.clockHz)}`),
    });
    bar.finish();
    unsubscribe();
    const wallTimeMs = Number(process.hrtime.bigint() - started) / 1e6;
    const summary = system.summary(scenario.name);

    if (values.trace !== undefined) {
      saveRunTrace(values.trace, system.sim.trace, {
        scenario: scenario.name,
        configuration: system.configuration,
        seed: seed ?? scenario.seed,
        costProfile: system.sim.cost.name,
        clockHz: system.clockHz,
        endpointNames: Object.fromEntries([...names].map(([ep, name]) => [String(ep), name])),
      });
    }
    if (values.json) {
      io.out(JSON.stringify({ ...summary, wallTimeMs: Math.round(wallTimeMs) }) + '\n');
    } else {
      io.out(formatSummary(summary));
      io.out(`\nwall time: ${(wallTimeMs / 1000).toFixed(2)} s\n`);
      if (values.trace !== undefined && system.sim.trace.dropped === 0) io.out(`trace: all ${system.sim.trace.size} events saved to ${values.trace}\n`);
    }
    if (values.trace !== undefined && system.sim.trace.dropped > 0) {
      const t = system.sim.trace;
      io.err(
        `mklab run: warning: the trace holds the last ${t.size} of the run's ${t.size + t.dropped} events; the oldest ${t.dropped} were dropped ` +
          `(--trace-events ${traceEvents}); ${values.trace} says so in its header. Raise --trace-events to keep them.\n`,
      );
    }
    const asExpected = summary.outcome === summary.expectedOutcome;
    const unexpected = `the run ended with outcome '${summary.outcome}'${unexpectedDetail(summary)}, but the scenario expects '${summary.expectedOutcome}' in ${summary.configuration}`;
    if (junit !== undefined) {
      const replay = `mklab run ${junit.argument} --config ${summary.configuration} --seed ${summary.seed}`;
      const testCase: JunitCase = {
        name: `${scenario.name} in ${summary.configuration} ends as expected (${summary.expectedOutcome})`,
        classname: `mklab.run.${scenario.name}`,
        timeSeconds: wallTimeMs / 1000,
        ...(asExpected ? {} : { failure: { type: summary.outcome, message: unexpected, text: `${unexpected}\nreplay: ${replay}\n\n${formatSummary(summary)}` } }),
      };
      writeJunit(junit.path, `mklab run ${scenario.name}`, [testCase], { scenario: scenario.name, configuration: summary.configuration, seed: String(summary.seed), costProfile: summary.costProfile }, io);
    }
    if (asExpected) return 0;
    io.err(`mklab run: ${unexpected}\n`);
    return 1;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(usageLine('mklab run', e.message));
      return 2;
    }
    io.err(`mklab run: ${(e as Error).message}\n`);
    writeJunitError(junit, 'the run could not start', (e as Error).message, io);
    return 1;
  }
}

function writeJunit(path: string, name: string, cases: JunitCase[], properties: Record<string, string>, io: RunIo): void {
  try {
    writeFileSync(path, junitXml([{ name, timeSeconds: cases.reduce((t, c) => t + c.timeSeconds, 0), cases, properties }]));
  } catch (e) {
    io.err(`mklab run: the JUnit report could not be written to ${path}: ${(e as Error).message}\n`);
  }
}

/** A report of one case in error, for a run that could not start: CI shows why instead of no report at all. */
function writeJunitError(junit: { path: string; argument: string } | undefined, message: string, text: string, io: RunIo): void {
  if (junit === undefined) return;
  const testCase: JunitCase = { name: `${junit.argument} runs`, classname: 'mklab.run', timeSeconds: 0, error: { type: 'scenario', message, text } };
  writeJunit(junit.path, `mklab run ${junit.argument}`, [testCase], { scenario: junit.argument }, io);
}

/** What made the outcome, in a few words: the panic's message or the failed workloads. */
function unexpectedDetail(s: SystemSummary): string {
  if (s.outcome === 'panic' && s.panic !== null) return ` (${s.panic.message})`;
  if (s.outcome === 'integrity') return ` (${s.integrity.corruptedPages} kernel page(s) corrupted)`;
  const failed = s.workloads.filter((w) => w.state === 'failed');
  if (s.outcome === 'workload-failed') return ` (${failed.map((w) => `${w.kind} ${w.exit ?? 'failed'}`).join('; ')})`;
  return '';
}

function loadScenario(arg: string, io: RunIo): { scenario: Scenario | undefined; baseDir: string } {
  const isFile = extname(arg) === '.json' || arg.includes('/') || arg.includes('\\');
  if (!isFile) {
    if (!builtinScenarios().has(arg.toLowerCase())) {
      throw new UsageError(`no built-in scenario '${arg}' (available: ${[...builtinScenarios().keys()].join(', ')}); a scenario file ends in .json`);
    }
    return { scenario: builtinScenario(arg), baseDir: process.cwd() };
  }
  const path = resolve(arg);
  const { scenario, diagnostics } = parseScenario(readText(path), arg);
  for (const d of diagnostics) io.err(formatDiagnostic(d) + '\n');
  return { scenario, baseDir: dirname(path) };
}

function readText(path: string): string {
  return readInputText(path, 'scenario');
}

function parseConfiguration(text: string): Configuration {
  if (!isConfiguration(text)) throw new UsageError(`--config: ${unknownConfigurationMessage(text)}`);
  return text;
}

/** The events `--trace` keeps unless told: 16 Mi, some 550 MB of columns at most, several hours of s1. */
const DEFAULT_SAVED_TRACE_EVENTS = 1 << 24;
const MAX_SAVED_TRACE_EVENTS = 1 << 28;

function parseTraceEvents(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > MAX_SAVED_TRACE_EVENTS) {
    throw new UsageError(`--trace-events: expected an integer from 1 to ${MAX_SAVED_TRACE_EVENTS}, got '${text}'`);
  }
  return n;
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--seed: expected a non-negative integer, got '${text}'`);
  return Number(text);
}

/** A --duration in cycles of the scenario's clock (its cost profile's). */
function parseDuration(text: string, clockHz: number): number {
  const trimmed = text.trim();
  const cycles = timeToCycles(/^\d+$/.test(trimmed) ? Number(trimmed) : trimmed, clockHz);
  if (cycles === undefined) throw new UsageError(`--duration: expected a time such as 500ms, 30s or 2h, got '${text}'`);
  return cycles;
}

