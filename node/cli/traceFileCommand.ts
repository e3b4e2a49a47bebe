// `mklab trace`: exports a saved .mktrace file to Perfetto's JSON or CSV, or
// prints what it holds.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { csvChunks, perfettoChunks } from '../../simulator/trace/export';
import { traceInfo } from '../../simulator/trace/info';
import { TraceModel } from '../../simulator/trace/model';
import type { TraceRecorder } from '../../simulator/trace/recorder';
import { decodeTrace, encodeTrace, TraceFileError, type TraceFileMeta } from '../../simulator/trace/traceFile';
import { modelForFile, traceNaming } from '../../simulator/system/traceNames';
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
  if (sub !== 'export' && sub !== 'info') {
    io.err(sub === undefined ? TRACE_USAGE : `mklab trace: unknown subcommand '${sub}'\n\n${TRACE_USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      allowPositionals: true,
      strict: true,
      options: { format: { type: 'string' }, output: { type: 'string', short: 'o' } },
    });
  } catch (e) {
    io.err(`mklab trace: ${(e as Error).message}\n\n${TRACE_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    io.err(`mklab trace ${sub}: expected one trace file, got ${positionals.length}\n\n${TRACE_USAGE}`);
    return 2;
  }
  const format = values.format;
  if (sub === 'export' && format !== 'perfetto' && format !== 'csv') {
    io.err(`mklab trace export: --format must be perfetto or csv${format === undefined ? '' : `, not '${format}'`}\n\n${TRACE_USAGE}`);
    return 2;
  }
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    io.err(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
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
    writeFileSync(path, encodeTrace(trace, meta));
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
