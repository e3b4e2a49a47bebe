// Rows of the timeline: lanes in groups (kernel, servers, drivers, user
// programs, devices), and the codes of the event kinds as the trace names them.
import type { TraceInfo, TraceLane, TraceLaneGroup } from '../../simulator/protocol/traceProtocol';

export const LANE_HEIGHT_PX = 22;
export const GROUP_HEIGHT_PX = 18;

const groupOrder: readonly TraceLaneGroup[] = ['kernel', 'servers', 'drivers', 'programs', 'devices'];
export const groupTitles: Readonly<Record<TraceLaneGroup, string>> = {
  kernel: 'Kernel',
  servers: 'Servers',
  drivers: 'Drivers',
  programs: 'User programs',
  devices: 'Devices',
};

export interface Row {
  readonly kind: 'group' | 'lane';
  readonly y: number;
  readonly height: number;
  readonly group: TraceLaneGroup;
  readonly lane?: TraceLane;
}

export interface Layout {
  readonly rows: readonly Row[];
  /** Centre y of each lane's row by lane id; -1 when the lane is hidden. */
  readonly laneY: Int32Array;
  readonly heightPx: number;
  /** The visible lanes in drawing order. */
  readonly lanes: readonly TraceLane[];
}

/** Lays out the lanes of `info`; with `only`, just those lanes (the process filter). */
export function layoutLanes(lanes: readonly TraceLane[], only: ReadonlySet<number> | undefined): Layout {
  const maxId = lanes.reduce((m, l) => Math.max(m, l.id), -1);
  const laneY = new Int32Array(Math.max(1, maxId + 1 + 64)).fill(-1);
  const rows: Row[] = [];
  const shown: TraceLane[] = [];
  let y = 0;
  for (const group of groupOrder) {
    const members = lanes.filter((l) => l.group === group && (!only || only.size === 0 || only.has(l.id)));
    if (members.length === 0) continue;
    rows.push({ kind: 'group', y, height: GROUP_HEIGHT_PX, group });
    y += GROUP_HEIGHT_PX;
    for (const lane of members) {
      rows.push({ kind: 'lane', y, height: LANE_HEIGHT_PX, group, lane });
      laneY[lane.id] = y + LANE_HEIGHT_PX / 2;
      shown.push(lane);
      y += LANE_HEIGHT_PX;
    }
  }
  return { rows, laneY, heightPx: Math.max(y, LANE_HEIGHT_PX), lanes: shown };
}

/** The lane whose row holds `y` (in the timeline's pixels), or undefined over a group's heading or below the lanes. */
export function laneAt(layout: Layout, y: number): TraceLane | undefined {
  for (const row of layout.rows) if (row.kind === 'lane' && y >= row.y && y < row.y + row.height) return row.lane;
  return undefined;
}

/** The kind codes the view draws differently, looked up by name in the trace's own table. */
export interface KindCodes {
  readonly ipcSend: number;
  readonly ipcReceive: number;
  readonly ipcNotify: number;
  readonly ipcError: number;
  readonly kernelCall: number;
  readonly contextSwitch: number;
  readonly interrupt: number;
  readonly dma: number;
  readonly iommuFault: number;
  readonly fault: number;
  readonly kill: number;
  readonly crash: number;
  readonly exit: number;
  readonly restart: number;
  readonly panic: number;
  readonly processCreated: number;
  readonly alarm: number;
  readonly custom: number;
  readonly corruption: number;
}

const defaultCodes: KindCodes = {
  ipcSend: 1, ipcReceive: 2, ipcNotify: 3, ipcError: 4, kernelCall: 5, contextSwitch: 6, interrupt: 7, dma: 8,
  iommuFault: 9, fault: 10, kill: 11, crash: 12, exit: 13, restart: 14, panic: 15, processCreated: 16, alarm: 17, custom: 18, corruption: 21,
};

export function kindCodes(info: TraceInfo | undefined): KindCodes {
  const codes: Record<string, number> = { ...defaultCodes };
  for (const k of info?.kinds ?? []) if (k.name in codes) codes[k.name] = k.kind;
  return codes as unknown as KindCodes;
}

/** Friendly names for the kind filter. */
export const kindTitles: Readonly<Record<string, string>> = {
  ipcSend: 'Messages sent',
  ipcReceive: 'Queued messages received',
  ipcNotify: 'Notifications',
  ipcError: 'IPC errors',
  kernelCall: 'Kernel calls',
  contextSwitch: 'Context switches',
  interrupt: 'Interrupts',
  dma: 'DMA',
  corruption: 'Memory overwritten',
  iommuFault: 'IOMMU faults',
  fault: 'MMU faults',
  kill: 'Kills',
  crash: 'Crashes',
  exit: 'Exits',
  restart: 'Restarts',
  panic: 'Panics',
  processCreated: 'Processes created',
  alarm: 'Alarms',
  custom: 'Other',
};
