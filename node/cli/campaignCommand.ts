// `mklab campaign`: a fault-injection campaign on worker threads, one line per
// trial in a JSON Lines log, and the survival table; `mklab campaign merge`
// sums the logs of shards; `mklab replay` runs one trial again from its id.
import { availableParallelism } from 'node:os';
import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCommandArgs, usageLine, UsageError } from './args';
import { runOnWorkers } from './workers';
import { ProgressBar, type ProgressStream } from './progress';
import { junitXml, type JunitCase } from './junit';
import { writeFileSync } from 'node:fs';
import {
  CAMPAIGN_VERSION, CampaignTally, OUTCOME_CLASSES, OUTCOME_MEANING, campaignMarkdown, campaignOptions, parseTrialId, planTrial, replayTrial, runTrial,
  trialCount, type CampaignOptions, type CampaignSummary, type TrialResult,
} from '../../simulator/campaign/campaign';
import { INJECTABLE_FAULTS } from '../../simulator/config/faultTypes';
import { CONFIGURATIONS } from '../../simulator/config/configurations';
import { CAMPAIGN_LINE_MAX_BYTES, INPUT_LIMITS, notRegularFileMessage, tooLargeMessage } from '../../simulator/config/inputLimits';
import { saveRunTrace } from './traceFileCommand';

export interface CampaignIo {
  out(text: string): void;
  err(text: string): void;
  readonly progressStream: ProgressStream;
  /** The script worker threads start from (the CLI's own bundle); without it trials run in this thread. */
  readonly script?: string;
  /** Called with a function that stops the campaign cleanly (the CLI hands it to SIGINT). */
  onInterrupt?(stop: () => void): () => void;
  /** The wall clock, for the progress bar's rate and ETA only. */
  now?(): number;
}

/** The JSON Lines log's first line. */
const LOG_FORMAT = 'microkernel-lab-campaign-trials';

export const CAMPAIGN_USAGE = `Usage: mklab campaign [options]
       mklab campaign merge [--json] FILE.jsonl...

Runs a fault-injection campaign: trials that each boot a system, run its
workload and inject faults of one type into the running driver, then classify
what became of the system: ${OUTCOME_CLASSES.join(', ')}.
Prints the survival table per fault type and configuration.

Options:
  --target DRIVER[,..]     drivers to inject into (default nic)
  --types all|a,b          fault types (default all: ${INJECTABLE_FAULTS.join(', ')})
  --configs a,b|all        configurations (default microkernel-iommu,monolithic;
                           all: ${CONFIGURATIONS.join(', ')})
  --faults N               faults to inject in all, in whole trials (default 100)
  --faults-per-trial K     faults injected one after another into one running
                           driver in each trial (default 1)
  --seed S                 the campaign's seed (default 1): the same seed gives
                           the same trials and outcomes
  --workers K              worker threads (default: the number of cores)
  --shard i/n              run only the trials whose number is i modulo n
  --out FILE.jsonl         write one line per trial (id, configuration, faults,
                           trigger times, outcome, detection and recovery times)
  --json                   print the summary as JSON instead of a table
  --junit FILE             also write a JUnit XML report: one test case per fault
                           type and configuration, failed when a trial ended in a
                           system failure or corrupted data, naming the trials to
                           replay
  --require-survival       exit status 1 if any trial ended in a system failure

merge: sums the logs of the shards of one campaign into its summary, the same
as the unsharded run's (--json and --junit FILE as above). Replay any trial
with 'mklab replay ID'.

Exit status: 0 the campaign ran, 1 a trial could not run (or, with
--require-survival, the system did not survive a trial), 2 bad usage,
130 stopped with Ctrl-C (the log keeps every trial finished by then).
`;

export const REPLAY_USAGE = `Usage: mklab replay ID [--trace FILE.mktrace] [--json]

Runs one campaign trial again from its id alone (as the campaign's log and
summary print it: CONFIGURATION:TARGET:FAULT-TYPE:FAULTS:SEED) and prints its
outcome. The run is deterministic: the same id gives the same trace, byte for
byte, and the same outcome.

Options:
  --trace FILE   save the trial's trace (open it in the editor's trace view)
  --json         print the trial's line as the campaign log has it
`;

function usage(io: Pick<CampaignIo, 'err'>, command: string, e: unknown): number {
  if (!(e instanceof UsageError) && !(e instanceof RangeError)) throw e;
  io.err(usageLine(command, e.message));
  return 2;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${name} takes a whole number, not '${value}'`);
  return Number(value);
}

export function campaignCommand(argv: readonly string[], io: CampaignIo): number | Promise<number> {
  if (argv[0] === 'merge') return mergeCommand(argv.slice(1), io);
  let values: Record<string, string | boolean | undefined>;
  let options: CampaignOptions;
  let shard = { index: 0, of: 1 };
  let workers: number;
  try {
    ({ values } = parseCommandArgs(
      argv,
      {
        target: { type: 'string' }, types: { type: 'string' }, configs: { type: 'string' }, faults: { type: 'string' },
        'faults-per-trial': { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' }, shard: { type: 'string' },
        out: { type: 'string' }, json: { type: 'boolean', default: false }, junit: { type: 'string' }, 'require-survival': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      false,
    ));
    if (values['help'] === true) {
      io.out(CAMPAIGN_USAGE);
      return 0;
    }
    const types = values['types'] as string | undefined;
    const configs = values['configs'] as string | undefined;
    options = campaignOptions({
      ...(values['target'] === undefined ? {} : { targets: list(values['target'] as string)! }),
      ...(types === undefined ? {} : { types: types === 'all' ? 'all' : list(types)! }),
      ...(configs === undefined ? {} : { configurations: configs === 'all' ? 'all' : list(configs)! }),
      ...optional('faults', integer('--faults', values['faults'] as string | undefined)),
      ...optional('faultsPerTrial', integer('--faults-per-trial', values['faults-per-trial'] as string | undefined)),
      ...optional('seed', integer('--seed', values['seed'] as string | undefined)),
    });
    workers = integer('--workers', values['workers'] as string | undefined) ?? availableParallelism();
    if (workers < 1 || workers > 256) throw new UsageError(`--workers takes 1 to 256, not ${workers}`);
    if (values['shard'] !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(String(values['shard']).trim());
      if (m === null || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard takes i/n with 0 <= i < n, not '${values['shard']}'`);
      shard = { index: Number(m[1]), of: Number(m[2]) };
    }
  } catch (e) {
    return usage(io, 'mklab campaign', e);
  }
  return runCampaign(options, shard, workers, values, io);
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

async function runCampaign(
  options: CampaignOptions,
  shard: { index: number; of: number },
  workers: number,
  values: Record<string, string | boolean | undefined>,
  io: CampaignIo,
): Promise<number> {
  const total = trialCount(options);
  const mine = total <= shard.index ? 0 : Math.ceil((total - shard.index) / shard.of);
  const indexAt = (position: number) => shard.index + position * shard.of;
  let fd: number | undefined;
  const outPath = values['out'] as string | undefined;
  if (outPath !== undefined) {
    try {
      fd = openSync(outPath, 'w');
    } catch (e) {
      io.err(`mklab campaign: cannot write ${outPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
    writeSync(fd, JSON.stringify({ format: LOG_FORMAT, version: CAMPAIGN_VERSION, options, shard: `${shard.index}/${shard.of}`, trials: mine }) + '\n');
  }
  const tally = new CampaignTally(options);
  const bar = new ProgressBar(io.progressStream, 'mklab campaign');
  const now = io.now ?? (() => 0);
  const startedAt = now();
  let done = 0;
  let stopping = false;
  const release = io.onInterrupt?.(() => {
    stopping = true;
  });
  const record = (r: TrialResult) => {
    tally.add(r);
    if (fd !== undefined) writeSync(fd, JSON.stringify(r) + '\n');
    done++;
    const elapsed = (now() - startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? Math.round((mine - done) / rate) : 0;
    bar.update(done, mine, `${done}/${mine} trials, ${rate.toFixed(1)}/s, ETA ${eta} s`);
  };
  let failed: string | null = null;
  try {
    if (io.script === undefined || workers === 1) {
      for (let p = 0; p < mine && !stopping; p++) {
        const index = indexAt(p);
        record(runTrial(planTrial(options, index), index));
      }
    } else {
      await runOnWorkers(
        'trial',
        mine,
        (p) => ({ spec: planTrial(options, indexAt(p)), index: indexAt(p) }),
        workers,
        io.script,
        (_p, r) => record(r),
        (p) => `trial ${indexAt(p)}`,
        () => stopping,
      );
    }
  } catch (e) {
    failed = e instanceof Error ? e.message : String(e);
  } finally {
    release?.();
    bar.finish();
    if (fd !== undefined) closeSync(fd);
  }
  const summary = tally.summary();
  printSummary(summary, values['json'] === true, io, shard.of > 1 ? `shard ${shard.index}/${shard.of}: ` : '');
  if (values['junit'] !== undefined) writeCampaignJunit(String(values['junit']), summary, shard.of > 1 ? `shard ${shard.index}/${shard.of}` : null, io);
  if (failed !== null) {
    io.err(`mklab campaign: ${failed}\n`);
    return 1;
  }
  if (stopping && done < mine) {
    io.err(`mklab campaign: stopped after ${done} of ${mine} trials${outPath === undefined ? '' : `; ${outPath} holds them`}\n`);
    return 130;
  }
  return values['require-survival'] === true && summary.outcomes['system-failure'] > 0 ? 1 : 0;
}

/** The JUnit report of a campaign: one case per fault type x configuration. */
export function campaignJunit(summary: CampaignSummary, shard: string | null): string {
  const cases: JunitCase[] = summary.rows.map((row) => {
    const name = `${row.type} in ${row.configuration}`;
    const base = { name, classname: `mklab.campaign.${row.configuration}`, timeSeconds: 0 };
    const failures = row.outcomes['system-failure'];
    const corrupted = row.outcomes['data-corrupted'];
    const lost = row.outcomes['driver-failed'];
    const harmful = failures + corrupted + lost;
    if (harmful === 0) return base;
    const what = [
      failures > 0 ? `the system did not survive ${failures} of ${row.trials} trials` : '',
      corrupted > 0 ? `data was corrupted in ${corrupted}` : '',
      lost > 0 ? `the driver stopped working unnoticed in ${lost}` : '',
    ]
      .filter((s) => s !== '')
      .join('; ');
    const shown = row.harmful.length < harmful ? `the first ${row.harmful.length} (of ${harmful}):` : 'each:';
    const text = [`${what}. Replay ${shown}`, ...row.harmful.map((h) => `  mklab replay ${h.id}    # trial ${h.index}: ${h.outcome}: ${h.reason}`)].join('\n');
    return { ...base, failure: { type: failures > 0 ? 'system-failure' : corrupted > 0 ? 'data-corrupted' : 'driver-failed', message: what, text } };
  });
  const o = summary.options;
  return junitXml([
    {
      name: `mklab campaign${shard === null ? '' : ` (${shard})`}`,
      timeSeconds: 0,
      cases,
      properties: {
        seed: String(o.seed), faults: String(o.faults), faultsPerTrial: String(o.faultsPerTrial), targets: o.targets.join(','),
        trials: String(summary.trials), faultsInjected: String(summary.faultsInjected), missingTrials: String(summary.missingTrials),
      },
    },
  ]);
}

function writeCampaignJunit(path: string, summary: CampaignSummary, shard: string | null, io: Pick<CampaignIo, 'err'>): void {
  try {
    writeFileSync(path, campaignJunit(summary, shard));
  } catch (e) {
    io.err(`mklab campaign: the JUnit report could not be written to ${path}: ${(e as Error).message}\n`);
  }
}

function printSummary(summary: CampaignSummary, json: boolean, io: Pick<CampaignIo, 'out'>, prefix: string): void {
  if (json) {
    io.out(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  io.out(campaignMarkdown(summary).replace(/^(\d+ trials)/m, `${prefix}$1`));
}

// ---- merge -------------------------------------------------------------------

class LogError extends Error {}

async function mergeCommand(argv: readonly string[], io: CampaignIo): Promise<number> {
  let values: { json?: boolean; junit?: string; help?: boolean };
  let files: string[];
  try {
    const parsed = parseCommandArgs(argv, { json: { type: 'boolean', default: false }, junit: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } }, true);
    values = parsed.values;
    files = parsed.positionals;
    if (values.help === true) {
      io.out(CAMPAIGN_USAGE);
      return 0;
    }
    if (files.length === 0) throw new UsageError('merge needs the campaign logs (FILE.jsonl) of the shards');
  } catch (e) {
    return usage(io, 'mklab campaign merge', e);
  }
  let tally: CampaignTally | undefined;
  let optionsText = '';
  try {
    for (const file of files) {
      await readLog(file, (header, line) => {
        const text = JSON.stringify(header.options);
        if (tally === undefined) {
          tally = new CampaignTally(header.options);
          optionsText = text;
        } else if (text !== optionsText) throw new LogError(`${file}:1: this log is of another campaign (its options differ from the first file's)`);
        if (line !== undefined && !tally.add(line)) throw new LogError(`${file}: trial ${line.index} is in more than one log (a shard given twice?)`);
      });
    }
  } catch (e) {
    if (e instanceof LogError) {
      io.err(`mklab campaign merge: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const summary = tally!.summary();
  printSummary(summary, values.json === true, io, '');
  if (values.junit !== undefined) writeCampaignJunit(values.junit, summary, null, io);
  if (summary.missingTrials > 0) io.err(`mklab campaign merge: ${summary.missingTrials} trial(s) of the campaign are in none of the logs\n`);
  return summary.missingTrials > 0 ? 1 : 0;
}

interface LogHeader {
  readonly options: CampaignOptions;
}

/** Reads a trial log line by line: its header, then each trial; throws LogError naming the file and line of a bad one. */
async function readLog(file: string, onLine: (header: LogHeader, line: TrialResult | undefined) => void): Promise<void> {
  let size: number;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new LogError(notRegularFileMessage('campaignLog', file, stats.isDirectory() ? 'a folder' : 'something else'));
    size = stats.size;
  } catch (e) {
    if (e instanceof LogError) throw e;
    throw new LogError(`cannot read the ${INPUT_LIMITS.campaignLog.what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (size > INPUT_LIMITS.campaignLog.maxBytes) throw new LogError(tooLargeMessage('campaignLog', file, size));
  const lines = createInterface({ input: createReadStream(file, { end: INPUT_LIMITS.campaignLog.maxBytes }), crlfDelay: Infinity });
  let header: LogHeader | undefined;
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.length > CAMPAIGN_LINE_MAX_BYTES) throw new LogError(`${file}:${n}:1: a line of ${text.length} characters, more than the ${CAMPAIGN_LINE_MAX_BYTES} a trial's line may have`);
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      throw new LogError(`${file}:${n}:${at === null ? 1 : Number(at[1]) + 1}: not JSON (${(e as Error).message})`);
    }
    if (header === undefined) {
      const h = value as { format?: unknown; version?: unknown; options?: unknown };
      if (h.format !== LOG_FORMAT) throw new LogError(`${file}:1:1: expected a campaign trial log (its first line has "format": "${LOG_FORMAT}")`);
      if (h.version !== CAMPAIGN_VERSION) throw new LogError(`${file}:1:1: a campaign log of version ${String(h.version)}; this mklab reads version ${CAMPAIGN_VERSION}`);
      try {
        const o = h.options as Record<string, unknown>;
        header = { options: campaignOptions(o as Parameters<typeof campaignOptions>[0]) };
      } catch (e) {
        throw new LogError(`${file}:1:1: the campaign's options are not valid: ${(e as Error).message}`);
      }
      onLine(header, undefined);
      continue;
    }
    const t = value as Partial<TrialResult>;
    if (typeof t.index !== 'number' || !Number.isSafeInteger(t.index) || typeof t.id !== 'string' || !(OUTCOME_CLASSES as readonly string[]).includes(String(t.outcome)) || typeof t.injected !== 'number') {
      throw new LogError(`${file}:${n}:1: expected a trial (index, id, outcome, injected)`);
    }
    let spec;
    try {
      spec = parseTrialId(t.id);
    } catch (e) {
      throw new LogError(`${file}:${n}:1: ${(e as Error).message}`);
    }
    const planned = planTrial(header.options, t.index);
    if (planned.seed !== spec.seed || planned.configuration !== spec.configuration || planned.type !== spec.type) {
      throw new LogError(`${file}:${n}:1: trial ${t.index} is not the campaign's trial of that number`);
    }
    onLine(header, { ...(t as TrialResult), type: spec.type, configuration: spec.configuration });
  }
  if (header === undefined) throw new LogError(`${file}:1:1: empty: expected a campaign trial log`);
}

// ---- replay ------------------------------------------------------------------

export function replayCommand(argv: readonly string[], io: Pick<CampaignIo, 'out' | 'err'>): number {
  let values: { trace?: string; json?: boolean; help?: boolean };
  let id: string;
  let spec;
  try {
    const parsed = parseCommandArgs(argv, { trace: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } }, true);
    values = parsed.values;
    if (values.help === true) {
      io.out(REPLAY_USAGE);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'expected the id of a trial' : 'expected one trial id');
    id = parsed.positionals[0]!;
    spec = parseTrialId(id);
  } catch (e) {
    return usage(io, 'mklab replay', e);
  }
  const { result: r, system: s, endpointNames } = replayTrial(spec);
  if (values.trace !== undefined) {
    try {
      saveRunTrace(values.trace, s.sim.trace, {
        scenario: `trial ${r.id}`,
        configuration: s.configuration,
        seed: spec.seed,
        costProfile: s.sim.cost.name,
        clockHz: s.clockHz,
        endpointNames,
      });
    } catch (e) {
      io.err(`mklab replay: cannot write ${values.trace}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
      return 1;
    }
  }
  if (values.json === true) io.out(JSON.stringify(r) + '\n');
  else {
    io.out(`${r.id}: ${r.outcome} (${OUTCOME_MEANING[r.outcome]})\n${r.reason}\n`);
    for (const f of r.faults) {
      const params = Object.entries(f.params).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      io.out(`  ${f.type}${params === '' ? '' : ` ${params}`}: armed at ${f.armedAtSeconds} s, ${f.appliedAtSeconds === null ? `never struck${f.skipped === null ? '' : ` (${f.skipped})`}` : `struck at ${f.appliedAtSeconds} s`}\n`);
    }
    if (r.detectionSeconds !== null) io.out(`  detected ${r.detectionSeconds} s after the fault struck; recovered ${r.recoverySeconds ?? '-'} s later\n`);
    io.out(`  ${r.simulatedSeconds} s of simulated time; trace digest ${r.traceDigest}${values.trace === undefined ? '' : `; trace saved to ${values.trace}`}\n`);
  }
  return 0;
}

