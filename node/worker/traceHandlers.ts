// The trace views' requests: windows, details, search, chains and export of
// the running system's trace or of a loaded .mktrace file (kept here).
import type { TraceExportFormat, TraceExportResult, TraceFilter, TraceRequests, TraceSourceInfo, TraceSourceKind } from '../../simulator/protocol/traceProtocol';
import { exportCsv, exportPerfetto } from '../../simulator/trace/export';
import { laneEndpointNames, traceInfo } from '../../simulator/trace/info';
import type { TraceLocations } from '../../simulator/trace/locations';
import type { TraceModel } from '../../simulator/trace/model';
import { eventDetails, searchTrace, traceChain } from '../../simulator/trace/query';
import { decodeTrace, encodeTrace, TraceFileError, type TraceFileMeta } from '../../simulator/trace/traceFile';
import { traceWindow } from '../../simulator/trace/window';
import type { RunningSystem } from '../../simulator/system/boot';
import { modelForFile, modelForSystem } from '../../simulator/system/traceNames';
import type { HandlersFor, WorkerContext } from './workerContext';

/** Largest trace file traceLoad accepts. */
export const MAX_TRACE_FILE_BYTES = 512 * 1024 * 1024;

interface LoadedTrace {
  readonly fileName: string;
  readonly meta: TraceFileMeta;
  readonly model: TraceModel;
}

interface Source {
  readonly model: TraceModel;
  readonly info: TraceSourceInfo;
  readonly meta: TraceFileMeta;
  readonly locations?: TraceLocations;
}

/** Source locations noted for a running system (see attachTraceLocations); the session registers them here. */
const systemLocations = new WeakMap<RunningSystem, TraceLocations>();

export function registerTraceLocations(system: RunningSystem, locations: TraceLocations): void {
  systemLocations.set(system, locations);
}

export function traceHandlers(ctx: WorkerContext): HandlersFor<TraceRequests> {
  let loaded: LoadedTrace | undefined;
  let systemModel: { system: RunningSystem; model: TraceModel } | undefined;

  const source = (kind: TraceSourceKind | undefined): Source => {
    const wanted = kind ?? (loaded !== undefined ? 'file' : 'system');
    if (wanted === 'file') {
      if (loaded === undefined) throw new Error('no trace file is loaded');
      const m = loaded.meta;
      return {
        model: loaded.model,
        meta: m,
        info: { kind: 'file', name: loaded.fileName, scenario: m.scenario, configuration: m.configuration, seed: m.seed },
      };
    }
    const system = ctx.session.system;
    if (system === undefined) throw new Error('no system is running: start one, or load a trace file');
    if (systemModel === undefined || systemModel.system !== system || systemModel.model.stale) systemModel = { system, model: modelForSystem(system) };
    const model = systemModel.model;
    model.refresh();
    const seed = system.options.seed;
    const locations = systemLocations.get(system);
    // The session's run of this system (a context without a session status, as in some tests, names none).
    const runId = typeof ctx.session.status === 'function' ? ctx.session.status().runId : undefined;
    return {
      model,
      meta: { scenario: system.name, configuration: system.configuration, seed, costProfile: system.sim.cost.name, clockHz: model.clockHz, endpointNames: laneEndpointNames(model) },
      info: { kind: 'system', name: system.name, scenario: system.name, configuration: system.configuration, seed, ...(runId === undefined ? {} : { runId }) },
      ...(locations === undefined ? {} : { locations }),
    };
  };

  return {
    traceInfo: ({ source: kind }) => {
      const s = source(kind);
      return traceInfo(s.model, s.info, s.meta.dropped ?? s.model.trace.dropped);
    },
    traceWindow: (params) => {
      const s = source(params.source);
      return traceWindow(s.model, {
        fromCycles: params.fromCycles,
        toCycles: params.toCycles,
        pixelWidth: params.pixelWidth,
        ...(params.filter === undefined ? {} : { filter: params.filter }),
        ...(params.maxEvents === undefined ? {} : { maxEvents: params.maxEvents }),
      });
    },
    traceEvent: ({ seq, source: kind }) => {
      const s = source(kind);
      return eventDetails(s.model, seq, s.locations);
    },
    traceSearch: (params) => searchTrace(source(params.source).model, params),
    traceChain: ({ seq, source: kind }) => traceChain(source(kind).model, seq),
    traceExport: ({ format, filter, source: kind }) => exportTrace(source(kind), format, filter),
    traceLoad: ({ bytes, fileName }) => {
      if (!(bytes instanceof Uint8Array)) throw new Error('traceLoad: expected the file as bytes (a Uint8Array)');
      if (bytes.length > MAX_TRACE_FILE_BYTES) {
        return { ok: false, error: { file: fileName, offset: 0, message: `the file has ${bytes.length} bytes; at most ${MAX_TRACE_FILE_BYTES} are accepted` } };
      }
      const decoded = decodeTrace(bytes, fileName);
      if (decoded instanceof TraceFileError) return { ok: false, error: { file: decoded.file, offset: decoded.offset, message: decoded.message } };
      loaded = { fileName, meta: decoded.meta, model: modelForFile(decoded) };
      const s = source('file');
      return { ok: true, info: traceInfo(s.model, s.info, decoded.meta.dropped ?? 0) };
    },
    traceUnload: () => {
      const was = loaded !== undefined;
      loaded = undefined;
      return { unloaded: was };
    },
  };
}

function exportTrace(s: Source, format: TraceExportFormat, filter: TraceFilter | undefined): TraceExportResult {
  const base = s.info.kind === 'file' ? s.info.name.replace(/\.mktrace$/i, '') : s.info.scenario;
  const options = filter === undefined ? {} : { filter };
  const eventCount = s.model.trace.size;
  switch (format) {
    case 'perfetto':
      return { format, fileName: `${base}.perfetto.json`, text: exportPerfetto(s.model, options), eventCount };
    case 'csv':
      return { format, fileName: `${base}.csv`, text: exportCsv(s.model, options), eventCount };
    case 'mktrace':
      return { format, fileName: `${base}.mktrace`, bytes: encodeTrace(s.model.trace, s.meta), eventCount };
    default:
      throw new Error(`unknown export format '${String(format)}' (expected perfetto, csv or mktrace)`);
  }
}
