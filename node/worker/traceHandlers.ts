// The trace views' requests: windows, details, search, chains and export of
// the running system's trace or of a loaded .mktrace file (kept here).
import type { TraceExportFormat, TraceExportResult, TraceFilter, TraceInfo, TraceRequests, TraceSourceInfo, TraceSourceKind } from '../../simulator/protocol/traceProtocol';
import { traceKindNames } from '../../simulator/trace/kinds';
import { OpenOverview } from '../../simulator/trace/overview';
import { traceHeadLength } from '../../simulator/trace/traceFile';
import { traceNaming } from '../../simulator/system/traceNames';
import { InputFileError, readInputPrefix } from '../files/boundedRead';
import { exportCsv, exportPerfetto } from '../../simulator/trace/export';
import { laneEndpointNames, traceInfo } from '../../simulator/trace/info';
import type { TraceLocations } from '../../simulator/trace/locations';
import type { TraceModel } from '../../simulator/trace/model';
import { eventDetails, searchTrace, traceChain } from '../../simulator/trace/query';
import { decodeTrace, decodeTraceHead, TraceFileError, type TraceFileMeta } from '../../simulator/trace/traceFile';
import { traceWindow } from '../../simulator/trace/window';
import type { RunningSystem } from '../../simulator/system/boot';
import { modelForFile, modelForSystem, traceFileBytes } from '../../simulator/system/traceNames';
import type { HandlersFor, WorkerContext } from './workerContext';

/** Largest trace file traceLoad accepts. */
export const MAX_TRACE_FILE_BYTES = 512 * 1024 * 1024;

interface LoadedTrace {
  readonly fileName: string;
  readonly meta: TraceFileMeta;
  /** Undefined while only the head is open: its events come with traceLoad. */
  model: TraceModel | undefined;
  /** The head opened first (traceOpenHead): its description and overview, until the model comes. */
  readonly head?: { readonly info: TraceInfo; readonly overview: OpenOverview; readonly path: string };
  /** Settles when the events come (traceLoad of the same file), or fails when they never will. */
  readonly ready: Promise<TraceModel>;
  settle(model: TraceModel | Error): void;
}

/** A loaded file, with a promise of its model that requests waiting for the events hold. */
function loadedFile(fileName: string, meta: TraceFileMeta, model: TraceModel | undefined, head?: LoadedTrace['head']): LoadedTrace {
  let settle: (m: TraceModel | Error) => void = () => undefined;
  const ready = new Promise<TraceModel>((resolve, reject) => {
    settle = (m) => (m instanceof Error ? reject(m) : resolve(m));
  });
  // A head whose events never come must not leave an unhandled rejection behind.
  ready.catch(() => undefined);
  const loaded: LoadedTrace = { fileName, meta, model, ...(head === undefined ? {} : { head }), ready, settle: (m) => settle(m) };
  if (model !== undefined) settle(model);
  return loaded;
}

/** Events indexed between two requests while a file whose head is open loads (about 50 ms of indexing). */
const INDEX_SLICE_EVENTS = 200_000;

/** The longest head read before the events: a file's header and overview are far smaller. */
const MAX_HEAD_BYTES = 64 * 1024 * 1024;

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
      if (loaded.model === undefined) throw new Error(`${loaded.fileName} is still loading`);
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

  /** The head opened alone when the request is for the file and its events have not come yet. */
  const headOnly = (kind: TraceSourceKind | undefined): LoadedTrace | undefined =>
    loaded !== undefined && loaded.model === undefined && (kind ?? 'file') === 'file' ? loaded : undefined;
  /** The source once the file's events have come (at once for the running system or a loaded file). */
  const sourceWhenLoaded = async (kind: TraceSourceKind | undefined): Promise<Source> => {
    const waiting = headOnly(kind);
    if (waiting !== undefined) await waiting.ready;
    return source(kind);
  };

  return {
    traceInfo: async ({ source: kind }) => {
      const head = headOnly(kind)?.head;
      if (head !== undefined) return head.info;
      const s = await sourceWhenLoaded(kind);
      return traceInfo(s.model, s.info, s.meta.dropped ?? s.model.trace.dropped);
    },
    traceWindow: async (params) => {
      const head = headOnly(params.source)?.head;
      const early = head?.overview.window(params);
      if (early !== undefined) return early;
      const s = await sourceWhenLoaded(params.source);
      return traceWindow(s.model, {
        fromCycles: params.fromCycles,
        toCycles: params.toCycles,
        pixelWidth: params.pixelWidth,
        ...(params.filter === undefined ? {} : { filter: params.filter }),
        ...(params.maxEvents === undefined ? {} : { maxEvents: params.maxEvents }),
      });
    },
    traceEvent: async ({ seq, source: kind }) => {
      const s = await sourceWhenLoaded(kind);
      return eventDetails(s.model, seq, s.locations);
    },
    traceSearch: async (params) => searchTrace((await sourceWhenLoaded(params.source)).model, params),
    traceChain: async ({ seq, source: kind }) => traceChain((await sourceWhenLoaded(kind)).model, seq),
    traceExport: async ({ format, filter, source: kind }) => exportTrace(await sourceWhenLoaded(kind), format, filter),
    traceOpenHead: ({ path, fileName }) => {
      const failed = (offset: number, message: string) => ({ ok: false as const, error: { file: fileName, offset, message } });
      let prefix: Uint8Array;
      try {
        let want = 4096;
        for (;;) {
          prefix = readInputPrefix(path, 'trace', want).bytes;
          const h = traceHeadLength(prefix, fileName);
          if (h instanceof TraceFileError) return failed(h.offset, h.message);
          if (h.length > MAX_HEAD_BYTES) return failed(12, `the head takes ${h.length} bytes; at most ${MAX_HEAD_BYTES} are read before the events`);
          if (h.complete && prefix.length >= h.length) {
            prefix = prefix.subarray(0, h.length);
            break;
          }
          if (prefix.length < want) return failed(prefix.length, `expected ${h.length} bytes of head, the file has ${prefix.length}`);
          want = h.length;
        }
      } catch (e) {
        if (e instanceof InputFileError) return failed(0, e.message);
        throw e;
      }
      const head = decodeTraceHead(prefix, fileName);
      if (head instanceof TraceFileError) return failed(head.offset, head.message);
      if (head.overview === undefined) return { ok: true, info: null };
      const m = head.meta;
      const info: TraceInfo = {
        source: { kind: 'file', name: fileName, scenario: m.scenario, configuration: m.configuration, seed: m.seed },
        lanes: head.overview.lanes,
        startCycles: head.overview.startCycles,
        endCycles: head.overview.endCycles,
        clockHz: m.clockHz,
        eventCount: head.count,
        firstSeq: head.firstSeq,
        endSeq: head.firstSeq + head.count,
        dropped: m.dropped ?? 0,
        kinds: Object.entries(traceKindNames).map(([kind, name]) => ({ kind: Number(kind), name })),
        messageTypes: traceNaming().messageTypes(),
      };
      loaded?.settle(new Error('another trace file was opened'));
      loaded = loadedFile(fileName, m, undefined, { info, overview: new OpenOverview(head.overview, head.firstSeq + head.count), path });
      return { ok: true, info };
    },
    traceLoad: async ({ bytes, fileName }) => {
      if (!(bytes instanceof Uint8Array)) throw new Error('traceLoad: expected the file as bytes (a Uint8Array)');
      if (bytes.length > MAX_TRACE_FILE_BYTES) {
        return { ok: false, error: { file: fileName, offset: 0, message: `the file has ${bytes.length} bytes; at most ${MAX_TRACE_FILE_BYTES} are accepted` } };
      }
      const decoded = decodeTrace(bytes, fileName);
      const waiting = loaded !== undefined && loaded.model === undefined && loaded.fileName === fileName ? loaded : undefined;
      if (decoded instanceof TraceFileError) {
        waiting?.settle(new Error(`${fileName} could not be read: ${decoded.message}`));
        if (waiting !== undefined) loaded = undefined;
        return { ok: false, error: { file: decoded.file, offset: decoded.offset, message: decoded.message } };
      }
      const model = modelForFile(decoded);
      if (waiting !== undefined) {
        // The head opened first and answers meanwhile: the events are indexed in slices, with requests in between.
        while (!model.refresh(INDEX_SLICE_EVENTS)) {
          await new Promise((r) => setImmediate(r));
          if (loaded !== waiting) return { ok: false, error: { file: fileName, offset: 0, message: 'the trace file was closed while it was read' } };
        }
        // The file is complete: the summary's coarser levels are built now, not in the middle of a pan.
        model.summary?.buildLevels();
        // Its requests waiting for the events go on now.
        waiting.model = model;
        waiting.settle(model);
      } else {
        loaded?.settle(new Error('another trace file was opened'));
        loaded = loadedFile(fileName, decoded.meta, model);
      }
      const s = source('file');
      const info = traceInfo(s.model, s.info, decoded.meta.dropped ?? 0);
      s.model.summary?.buildLevels();
      return { ok: true, info };
    },
    traceUnload: () => {
      const was = loaded !== undefined;
      loaded?.settle(new Error('the trace file was closed'));
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
      return { format, fileName: `${base}.mktrace`, bytes: traceFileBytes(s.model.trace, s.meta), eventCount };
    default:
      throw new Error(`unknown export format '${String(format)}' (expected perfetto, csv or mktrace)`);
  }
}
