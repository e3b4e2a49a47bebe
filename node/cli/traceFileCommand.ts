// `mklab trace`: exports a saved .mktrace file to Perfetto's JSON or CSV, or
// prints what it holds.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { readInputBytes } from '../files/boundedRead';
import { extname } from 'node:path';
import { parseCommandArgs, usageLine, UsageError } from './args';
import { csvChunks, perfettoChunks } from '../../simulator/trace/export';
import { traceInfo } from '../../simulator/trace/info';
import { TraceModel } from '../../simulator/trace/model';
import type { TraceRecorder } from '../../simulator/trace/recorder';
import { decodeTrace, TraceFileError, type TraceFileMeta } from '../../simulator/trace/traceFile';
import { modelForFile, traceFileBytes, traceNaming } from '../../simulator/system/traceNames';
import { formatClockHz, formatSimTime } from '../../simulator/time/time';

export const TRACE_USAGE = `Usage:
  mklab trace export FILE.mktrace --format perfetto|csv [-o OUT]
  mklab trace info FILE.mktrace

export   converts a trace saved by \`mklab run --trace\`: perfetto writes the
         Chrome trace-event JSON that ui.perfetto.dev opens, csv one row per
         event; without -o the output goes to standard output
info     prints the lanes, time range and event count
`;

export interface TraceIo {
  out(text: string): void;
  err(text: string): void;
}

/** Exit status: 0 done, 1 the file could not be read or written, 2 bad usage. */
export function traceCommand(argv: readonly string[], io: TraceIo): number {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(TRACE_USAGE);
    return 0;
  }
  let values: { format?: string; output?: string; help?: boolean };
  let positionals: string[];
  try {
    if (sub !== 'export' && sub !== 'info') throw new UsageError(sub === undefined ? 'expected the subcommand export or info' : `unknown subcommand '${sub}'`);
    ({ values, positionals } = parseCommandArgs(rest, { format: { type: 'string' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h', default: false } }, true));
    if (!values.help) {
      if (positionals.length !== 1) throw new UsageError(`${sub}: expected one trace file, got ${positionals.length}`);
      if (sub === 'export' && values.format !== 'perfetto' && values.format !== 'csv') {
        throw new UsageError(`export: --format must be perfetto or csv${values.format === undefined ? '' : `, not '${values.format}'`}`);
      }
      if (sub === 'info' && (values.format !== undefined || values.output !== undefined)) throw new UsageError('info: takes no --format or --output');
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(usageLine('mklab trace', e.message));
    return 2;
  }
  if (values.help) {
    io.out(TRACE_USAGE);
    return 0;
  }
  const format = values.format;
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = readInputBytes(file, 'trace');
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  }
  const decoded = decodeTrace(bytes, file);
  if (decoded instanceof TraceFileError) {
    io.err(`${decoded.message}\n`);
    return 1;
  }
  const model = modelForFile(decoded);
  if (sub === 'info') {
    const source = { kind: 'file' as const, name: file, scenario: decoded.meta.scenario, configuration: decoded.meta.configuration, seed: decoded.meta.seed };
    const info = traceInfo(model, source, decoded.meta.dropped ?? 0);
    io.out(`${file}: scenario ${info.source.scenario}, ${info.source.configuration}, seed ${info.source.seed}, ${decoded.meta.costProfile} (${formatClockHz(info.clockHz)})\n`);
    const span = `${formatSimTime(info.startCycles, info.clockHz)} to ${formatSimTime(info.endCycles, info.clockHz)}`;
    io.out(`${info.eventCount} events from ${info.startCycles} to ${info.endCycles} cycles (${span}; ${info.dropped} dropped before)\n`);
    for (const lane of info.lanes) io.out(`  ${lane.group.padEnd(9)} ${lane.label}${lane.restarts > 0 ? ` (${lane.restarts} restarts)` : ''}\n`);
    return 0;
  }
  const chunks = format === 'perfetto' ? perfettoChunks(model) : csvChunks(model);
  if (values.output === undefined) {
    for (const chunk of chunks) io.out(chunk);
    return 0;
  }
  let fd: number;
  try {
    fd = openSync(values.output, 'w');
  } catch (e) {
    io.err(`${values.output}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 1;
  }
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  io.out(`${values.output}: ${model.trace.size} events exported as ${format}\n`);
  return 0;
}

/**
 * Saves a run's trace by the file's extension: .json is Perfetto's trace-event
 * JSON, .csv is CSV, anything else the project's .mktrace format.
 */
export function saveRunTrace(path: string, trace: TraceRecorder, meta: TraceFileMeta): 'perfetto' | 'csv' | 'mktrace' {
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.csv') {
    writeFileSync(path, traceFileBytes(trace, meta));
    return 'mktrace';
  }
  const names = new Map<number, string>(Object.entries(meta.endpointNames).map(([ep, name]) => [Number(ep), name]));
  const model = new TraceModel(trace, traceNaming(), { clockHz: meta.clockHz, endpointNames: names });
  const fd = openSync(path, 'w');
  try {
    for (const chunk of ext === '.json' ? perfettoChunks(model) : csvChunks(model)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  return ext === '.json' ? 'perfetto' : 'csv';
}
