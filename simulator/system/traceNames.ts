// The trace model's names, built from the kernel's and the services' own
// tables: special endpoints, message types, kernel and IPC calls, statuses,
// devices and the group of each built-in service.
import type { TraceLaneGroup } from '../protocol/traceProtocol';
import {
  ANY,
  ASYNCM,
  CLOCK,
  IDLE,
  IpcCall,
  KERNEL,
  NONE,
  NOTIFY_MESSAGE,
  SELF,
  SYSTEM,
  ipcCallNames,
  kernelCallNames,
  statusName,
} from '../kernel/constants';
import { DL_TASK_REPLY, DlRequest, DsRequest, NetRequest, RS_LU_PREPARE, RsRequest } from '../services/messages';
import { BDEV, CDEV, FI_WILD_DMA, FSREQ, FS_REPLY, IOMMU_REPLY, IOMMU_REQ, VFS, VFS_REPLY } from '../services/storageMessages';
import { storageServices } from './storageServices';
import type { TraceNaming } from '../trace/naming';
import { SUMMARY_MIN_EVENTS, TraceModel } from '../trace/model';
import { encodeTrace, type DecodedTrace, type TraceFileMeta } from '../trace/traceFile';
import { overviewOf } from '../trace/overview';
import type { TraceRecorder } from '../trace/recorder';
import type { RunningSystem } from './boot';
import { PLATFORM_DEVICES } from '../hw/platform';

const SPECIAL = new Map<number, string>([
  [KERNEL, 'kernel'],
  [SYSTEM, 'system'],
  [CLOCK, 'clock'],
  [IDLE, 'idle'],
  [ASYNCM, 'asyncm'],
  [ANY, 'ANY'],
  [NONE, 'NONE'],
  [SELF, 'SELF'],
]);

/** Devices' DMA ids as the machine assigns them by default (hw/nic.ts, blockDevice.ts, cdrom.ts). */
/** DMA requester ids as the platform assigns them, for traces whose machine is not at hand (trace files). */
const DEFAULT_DEVICES = new Map<number, string>(PLATFORM_DEVICES.flatMap((d) => (d.dmaRequesterId === null ? [] : [[d.dmaRequesterId, d.name] as const])));

/** The core services are built with run-time context (registry.ts); their kinds are fixed. */
const CORE_GROUPS = new Map<string, TraceLaneGroup>([
  ['rs', 'servers'],
  ['ds', 'servers'],
  ['inet', 'servers'],
  ['nic', 'drivers'],
]);

interface TypeName {
  readonly type: number;
  readonly name: string;
  /** Receivers for which this name applies, when two protocols share a number. */
  readonly receivers?: readonly string[];
}

function table(prefix: string, values: Readonly<Record<string, number>>, receivers?: readonly string[]): TypeName[] {
  return Object.entries(values).map(([k, v]) => ({ type: v, name: `${prefix}${k}`, ...(receivers === undefined ? {} : { receivers }) }));
}

const MESSAGE_TYPES: readonly TypeName[] = [
  ...table('RS_', RsRequest, ['rs']),
  { type: RS_LU_PREPARE, name: 'RS_LU_PREPARE' },
  ...table('DS_', DsRequest),
  ...table('DL_', DlRequest),
  { type: DL_TASK_REPLY, name: 'DL_TASK_REPLY' },
  ...table('NET_', NetRequest),
  ...table('BDEV_', BDEV),
  ...table('CDEV_', CDEV),
  ...table('REQ_', FSREQ),
  { type: FS_REPLY, name: 'FS_REPLY' },
  ...table('VFS_', VFS),
  { type: VFS_REPLY, name: 'VFS_REPLY' },
  ...table('IOMMU_', IOMMU_REQ),
  { type: IOMMU_REPLY, name: 'IOMMU_REPLY' },
  { type: FI_WILD_DMA, name: 'FI_WILD_DMA' },
  { type: NOTIFY_MESSAGE, name: 'NOTIFY' },
];

export interface TraceNamingOptions {
  /** The group of a label the built-in tables do not know (e.g. from the running system's processes). */
  readonly lookupGroup?: (label: string) => TraceLaneGroup | undefined;
  readonly devices?: ReadonlyMap<number, string>;
}

export function traceNaming(options: TraceNamingOptions = {}): TraceNaming {
  const groups = new Map<string, TraceLaneGroup>(CORE_GROUPS);
  for (const s of storageServices) groups.set(s.label, s.kind === 'driver' ? 'drivers' : s.kind === 'server' ? 'servers' : 'programs');
  const devices = options.devices ?? DEFAULT_DEVICES;
  const byType = new Map<number, TypeName[]>();
  for (const t of MESSAGE_TYPES) byType.set(t.type, [...(byType.get(t.type) ?? []), t]);
  const distinct = [...byType.entries()].map(([type, names]) => ({ type, name: names.map((n) => n.name).join(' / ') }));
  distinct.sort((a, b) => a.type - b.type);
  return {
    specialEndpoint: (ep) => SPECIAL.get(ep),
    isNoEndpoint: (ep) => ep === NONE || ep === ANY || ep === SELF,
    groupOf: (label, ep) => (ep < 0 && ep >= ASYNCM ? 'kernel' : (groups.get(label) ?? options.lookupGroup?.(label) ?? 'programs')),
    deviceName: (id) => devices.get(id),
    messageTypeName(type, receiverLabel) {
      const names = byType.get(type);
      if (names === undefined) return undefined;
      if (names.length === 1) return names[0]!.name;
      const specific = names.find((n) => n.receivers?.includes(receiverLabel ?? '') === true);
      if (specific !== undefined) return specific.name;
      const general = names.filter((n) => n.receivers === undefined);
      return (general.length > 0 ? general : names).map((n) => n.name).join(' / ');
    },
    messageTypes: () => distinct,
    kernelCallName: (nr) => kernelCallNames[nr],
    ipcCallName: (nr) => ipcCallNames[nr],
    statusName,
    idleEndpoint: IDLE,
    notifyMessageType: NOTIFY_MESSAGE,
    ipcCalls: { SEND: IpcCall.SEND, SENDREC: IpcCall.SENDREC, NOTIFY: IpcCall.NOTIFY, SENDA: IpcCall.SENDA },
  };
}

/** The model of a running system's trace; names and groups come from the system as it is now. */
export function modelForSystem(system: RunningSystem): TraceModel {
  const naming = traceNaming({
    lookupGroup: (label) => system.processes().find((p) => p.label === label)?.group,
    devices: new Map(system.machine.devices.flatMap((d) => (d.deviceId === undefined ? [] : [[d.deviceId, d.name] as const]))),
  });
  const endpointNames = { get: (ep: number) => system.sim.processes().find((p) => p.endpoint === ep)?.name };
  return new TraceModel(system.sim.trace, naming, { clockHz: system.clockHz, endpointNames });
}

/** The model of a decoded trace file. */
export function modelForFile(decoded: DecodedTrace, summary: 'auto' | 'always' | 'never' = 'auto'): TraceModel {
  const names = new Map<number, string>(Object.entries(decoded.meta.endpointNames).map(([ep, name]) => [Number(ep), name]));
  return new TraceModel(decoded.trace, traceNaming(), { clockHz: decoded.meta.clockHz, endpointNames: names, summary });
}

/**
 * A trace file's bytes; a trace of SUMMARY_MIN_EVENTS events or more gets an overview in its head, made from the
 * model a reader will build (modelForFile), so that a view paints the whole trace from the head alone.
 */
export function traceFileBytes(trace: TraceRecorder, meta: TraceFileMeta): Uint8Array {
  if (trace.size < SUMMARY_MIN_EVENTS) return encodeTrace(trace, meta);
  return encodeTrace(trace, meta, overviewOf(modelForFile({ meta, trace }, 'always')));
}
