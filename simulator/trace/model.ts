// The trace as a view sees it: lanes (one per process across restarts, one per
// device), each event's home and peer lane, and the spans of every lane
// (running, blocked in SEND / SENDREC / RECEIVE, in a kernel call). Built
// lazily and incrementally over a recorder that may still be growing.
//
// Memory: two Int16 columns of the recorder's capacity (4 bytes per event) for
// the lanes, and per lane a list of closed spans (33 bytes per span, roughly
// one running span per context switch and one blocked span per blocking IPC).
import type { TraceLane, TraceLaneGroup } from '../protocol/traceProtocol';
import { TraceKind } from './kinds';
import type { TraceNaming } from './naming';
import type { TraceRecorder } from './recorder';

import { SPAN_BLOCKED_RECEIVE, SPAN_BLOCKED_SEND, SPAN_BLOCKED_SENDREC, SPAN_KERNEL, SPAN_RUNNING } from './spanStates';
import { TraceSummary } from './summary';

export { SPAN_BLOCKED_RECEIVE, SPAN_BLOCKED_SEND, SPAN_BLOCKED_SENDREC, SPAN_KERNEL, SPAN_RUNNING, SPAN_STATE_COUNT } from './spanStates';

/** Traces of at least this many events that keep every event get a summary level (summary.ts); smaller ones are scanned. */
export const SUMMARY_MIN_EVENTS = 1 << 18;

export interface TraceModelOptions {
  readonly clockHz: number;
  /** Whether to keep a summary level: 'auto' (default) for traces that keep every event and hold at least SUMMARY_MIN_EVENTS. */
  readonly summary?: 'auto' | 'always' | 'never';
  /** Names of endpoints whose processCreated record is not in the trace. */
  readonly endpointNames?: EndpointNames;
}

/** Names of endpoints the trace does not name itself (a Map will do). */
export interface EndpointNames {
  get(endpoint: number): string | undefined;
}

interface LaneRecord {
  readonly id: number;
  readonly label: string;
  readonly group: TraceLaneGroup;
  readonly endpoints: number[];
  readonly deviceId?: number;
  restarts: number;
}

/** Closed spans of one lane in one layer, in time order and not overlapping. */
export class SpanList {
  /** Told of every span kept (the summary's coverage), with this list's lane. */
  observer: TraceSummary | null = null;
  lane = -1;
  start = new Float64Array(16);
  end = new Float64Array(16);
  state = new Uint8Array(16);
  peer = new Int16Array(16);
  seq = new Float64Array(16);
  count = 0;

  push(startCycles: number, endCycles: number, state: number, peer: number, seq: number): void {
    const last = this.count - 1;
    if (last >= 0 && startCycles < this.end[last]!) startCycles = this.end[last]!;
    if (endCycles <= startCycles) return;
    if (this.count === this.start.length) this.grow();
    const i = this.count++;
    this.start[i] = startCycles;
    this.end[i] = endCycles;
    this.state[i] = state;
    this.peer[i] = peer;
    this.seq[i] = seq;
    if (this.observer !== null) this.observer.covered(this.lane, startCycles, endCycles, state);
  }

  /** Index of the first span ending after `timeCycles`. */
  firstEndingAfter(timeCycles: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.end[mid]! <= timeCycles) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets spans that ended before `timeCycles` (the recorder overwrote their events). */
  dropEndingBefore(timeCycles: number): void {
    const k = this.firstEndingAfter(timeCycles);
    if (k === 0) return;
    this.start.copyWithin(0, k, this.count);
    this.end.copyWithin(0, k, this.count);
    this.state.copyWithin(0, k, this.count);
    this.peer.copyWithin(0, k, this.count);
    this.seq.copyWithin(0, k, this.count);
    this.count -= k;
  }

  private grow(): void {
    const n = this.start.length * 2;
    const f = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.start = f(this.start);
    this.end = f(this.end);
    this.seq = f(this.seq);
    const s = new Uint8Array(n);
    s.set(this.state);
    this.state = s;
    const p = new Int16Array(n);
    p.set(this.peer);
    this.peer = p;
  }
}

/** What the span builder knows about one lane between events. */
interface LaneState {
  runningSince: number;
  runningSeq: number;
  blockState: number;
  blockSince: number;
  blockSeq: number;
  blockPeer: number;
  /** The link id of the SENDREC whose reply the lane waits for, 0 if none. */
  awaitingLink: number;
  /** When the lane last stopped running: where an unrecorded RECEIVE began. */
  switchedOutAt: number;
  /** When a message last woke the lane, NaN once it ran. */
  wokenAt: number;
}

/** An open span at the end of the indexed trace, reported as if it ended there. */
export interface OpenSpan {
  readonly lane: number;
  readonly state: number;
  readonly startCycles: number;
  readonly peer: number;
  readonly seq: number;
}

export class TraceModel {
  readonly clockHz: number;
  private readonly lanes: LaneRecord[] = [];
  private readonly laneByEndpoint = new Map<number, number>();
  private readonly laneByLabel = new Map<string, number>();
  private readonly laneByDevice = new Map<number, number>();
  private readonly states: LaneState[] = [];
  /** Per lane: running and blocked spans. */
  readonly primary: SpanList[] = [];
  /** Per lane: kernel-call spans (inside running spans). */
  readonly kernel: SpanList[] = [];
  /** Home and peer lane of each held event, by recorder slot. */
  readonly homeLane: Int16Array;
  readonly peerLane: Int16Array;
  private indexedTo: number;
  /** The lane that ran last, -1 when none is known to run. */
  private current = -1;
  private lastActionCycles = 0;
  private readonly endpointNames: EndpointNames;
  private readonly summaryMode: 'auto' | 'always' | 'never';
  /** The summary level, once the first refresh has decided to keep one; null when windows scan the events. */
  summary: TraceSummary | null = null;

  constructor(
    readonly trace: TraceRecorder,
    readonly naming: TraceNaming,
    options: TraceModelOptions,
  ) {
    this.clockHz = options.clockHz;
    this.endpointNames = options.endpointNames ?? new Map();
    this.homeLane = new Int16Array(trace.capacity);
    this.peerLane = new Int16Array(trace.capacity);
    this.indexedTo = trace.firstSeq;
    this.summaryMode = options.summary ?? 'auto';
  }

  /** Whether the recorder was cleared since this model was built (then build a new one). */
  get stale(): boolean {
    return this.trace.endSeq < this.indexedTo;
  }

  /**
   * Indexes the events recorded since the last call, or at most `maxEvents` of them (a large file is indexed in
   * slices, so that its worker answers in between); returns whether every event is indexed now.
   */
  refresh(maxEvents = Infinity): boolean {
    const t = this.trace;
    if (this.indexedTo < t.firstSeq) {
      // The recorder overwrote events before they were indexed: what was open is unknown.
      this.indexedTo = t.firstSeq;
      for (const s of this.states) resetState(s);
      this.current = -1;
    }
    const end = Math.min(t.endSeq, this.indexedTo + maxEvents);
    if (this.indexedTo >= end) return this.indexedTo >= t.endSeq;
    if (this.indexedTo === 0 && this.summary === null && this.wantsSummary()) {
      this.summary = new TraceSummary(t.timeAt(0), t.timeAt(t.endSeq - 1) - t.timeAt(0));
      for (let lane = 0; lane < this.primary.length; lane++) this.observe(lane);
    }
    for (let seq = this.indexedTo; seq < end; seq++) this.indexEvent(seq);
    this.indexedTo = end;
    if (t.firstSeq > 0 && t.size > 0) {
      const oldest = t.timeAt(t.firstSeq);
      for (let i = 0; i < this.primary.length; i++) {
        this.primary[i]!.dropEndingBefore(oldest);
        this.kernel[i]!.dropEndingBefore(oldest);
      }
    }
    return end >= t.endSeq;
  }

  /** Bytes held by the trace's columns and this index (the typed arrays; the lanes' few objects aside). */
  memoryBytes(): number {
    const t = this.trace;
    let bytes = 0;
    for (const c of [t.time, t.kind, t.src, t.dst, t.a, t.b, t.c, t.label, this.homeLane, this.peerLane]) bytes += c.byteLength;
    for (const list of [...this.primary, ...this.kernel]) {
      for (const c of [list.start, list.end, list.state, list.peer, list.seq]) bytes += c.byteLength;
    }
    return bytes + (this.summary?.memoryBytes() ?? 0);
  }

  private wantsSummary(): boolean {
    if (this.summaryMode === 'never') return false;
    // A ring that overwrites would leave counts for events it no longer holds.
    if (this.trace.mode !== 'stop') return false;
    return this.summaryMode === 'always' || this.trace.capacity >= SUMMARY_MIN_EVENTS;
  }

  private observe(lane: number): void {
    for (const list of [this.primary[lane]!, this.kernel[lane]!]) {
      list.observer = this.summary;
      list.lane = lane;
    }
  }

  get laneCount(): number {
    return this.lanes.length;
  }

  lane(id: number): TraceLane {
    const l = this.lanes[id]!;
    return {
      id: l.id,
      label: l.label,
      group: l.group,
      endpoints: [...l.endpoints],
      ...(l.deviceId === undefined ? {} : { deviceId: l.deviceId }),
      restarts: l.restarts,
    };
  }

  allLanes(): TraceLane[] {
    return this.lanes.map((l) => this.lane(l.id));
  }

  laneLabel(id: number): string {
    return id < 0 ? '' : (this.lanes[id]?.label ?? '');
  }

  /** The lane of an endpoint, if the trace has shown one. */
  laneOfEndpoint(endpoint: number): number {
    return this.laneByEndpoint.get(endpoint) ?? -1;
  }

  laneOfLabel(label: string): number {
    return this.laneByLabel.get(label) ?? -1;
  }

  /** A name for an endpoint: its lane's label, a kernel name, or the number. */
  endpointName(endpoint: number): string {
    const lane = this.laneByEndpoint.get(endpoint);
    if (lane !== undefined) return this.lanes[lane]!.label;
    return this.naming.specialEndpoint(endpoint) ?? this.endpointNames.get(endpoint) ?? `endpoint ${endpoint}`;
  }

  /** Spans still open after the last indexed event. */
  openSpans(): OpenSpan[] {
    const out: OpenSpan[] = [];
    for (let lane = 0; lane < this.states.length; lane++) {
      const s = this.states[lane]!;
      if (!Number.isNaN(s.runningSince)) out.push({ lane, state: SPAN_RUNNING, startCycles: s.runningSince, peer: -1, seq: s.runningSeq });
      if (s.blockState !== 0) out.push({ lane, state: s.blockState, startCycles: s.blockSince, peer: s.blockPeer, seq: s.blockSeq });
      else if (Number.isNaN(s.runningSince) && !Number.isNaN(s.switchedOutAt)) {
        out.push({ lane, state: SPAN_BLOCKED_RECEIVE, startCycles: s.switchedOutAt, peer: -1, seq: -1 });
      }
    }
    return out;
  }

  // ---- indexing -------------------------------------------------------------

  private indexEvent(seq: number): void {
    const t = this.trace;
    const i = seq % t.capacity;
    const kind = t.kind[i]!;
    const src = t.src[i]!;
    const dst = t.dst[i]!;
    let home = -1;
    let peer = -1;
    switch (kind) {
      case TraceKind.processCreated: {
        home = this.laneForLabel(t.strings.get(t.label[i]!), dst);
        peer = this.knownLane(src);
        break;
      }
      case TraceKind.restart: {
        const oldLane = this.knownLane(t.a[i]!);
        if (oldLane >= 0) {
          this.bind(dst, oldLane);
          this.lanes[oldLane]!.restarts++;
          home = oldLane;
        } else home = this.laneFor(dst);
        peer = this.laneFor(src);
        break;
      }
      case TraceKind.ipcSend:
      case TraceKind.ipcNotify:
        home = this.laneFor(src);
        peer = this.laneFor(dst);
        break;
      case TraceKind.ipcReceive:
        home = this.laneFor(dst);
        peer = this.laneFor(src);
        break;
      case TraceKind.contextSwitch: {
        // The idle task has no lane: a switch to it is shown on the lane that went idle.
        const idle = this.naming.idleEndpoint;
        home = dst === idle ? this.laneFor(src) : this.laneFor(dst);
        peer = src === idle || dst === idle ? -1 : this.laneFor(src);
        break;
      }
      case TraceKind.ipcWait:
        home = this.laneFor(src);
        peer = this.knownLane(dst);
        break;
      case TraceKind.ipcError:
      case TraceKind.kernelCall:
        home = this.laneFor(src);
        peer = this.knownLane(dst);
        break;
      case TraceKind.interrupt:
        home = this.naming.isNoEndpoint(dst) ? this.laneFor(src) : this.laneFor(dst);
        break;
      case TraceKind.dma:
        // On the device's lane, with the process whose memory it reached as its peer (a flow to it).
        home = this.laneForDevice(src, t.strings.get(t.label[i]!));
        peer = this.naming.isNoEndpoint(dst) ? -1 : this.knownLane(dst);
        break;
      case TraceKind.corruption:
        home = this.laneForDevice(src, undefined);
        peer = this.naming.isNoEndpoint(dst) ? -1 : this.knownLane(dst);
        break;
      case TraceKind.iommuFault:
      case TraceKind.iommuStale:
        home = this.laneForDevice(src, undefined);
        break;
      case TraceKind.kill:
      case TraceKind.alarm:
        home = this.laneFor(dst);
        peer = this.laneFor(src);
        break;
      case TraceKind.custom: {
        const known = this.knownLane(src);
        home = known >= 0 ? known : this.laneForDevice(-1 - t.label[i]!, t.strings.get(t.label[i]!) || 'custom');
        break;
      }
      default:
        home = this.laneFor(src);
        break;
    }
    if (home < 0) home = this.laneFor(src);
    if (home < 0) home = this.laneForLabel('other', NaN);
    this.homeLane[i] = home;
    this.peerLane[i] = peer;
    if (this.summary !== null) this.summary.count(t.time[i]!, home, kind);
    this.spanEvent(seq, i, kind, home, peer);
  }

  /**
   * A process runs from its switch-in until it blocks (a RECEIVE that waits, a
   * SENDREC, a queued SEND), the CPU idles, or it is switched out. Switches
   * between kernel-mode contexts cost nothing and are not recorded (the
   * monolithic configuration's drivers), so there a process is taken to run
   * from its first kernel entry after such a switch until its last one before
   * another process acts.
   */
  private spanEvent(seq: number, i: number, kind: number, home: number, peer: number): void {
    const t = this.trace;
    const time = t.time[i]!;
    const calls = this.naming.ipcCalls;
    switch (kind) {
      case TraceKind.contextSwitch: {
        if (t.dst[i] === this.naming.idleEndpoint) {
          // Nothing was runnable from here on: whoever ran stopped now.
          if (this.current >= 0) this.stopRunning(this.current, time);
          break;
        }
        // The process switched out ran until the switch began; one that is not `from` stopped at its last action.
        if (this.current >= 0) this.stopRunning(this.current, this.current === peer ? time - t.a[i]! : this.lastActionCycles);
        if (peer >= 0 && !Number.isNaN(this.states[peer]!.runningSince)) this.stopRunning(peer, time - t.a[i]!);
        if (home >= 0) {
          const to = this.states[home]!;
          // A process that runs is not blocked: an open block was a queued asynchronous message (SENDA)
          // or began before the held trace.
          to.blockState = 0;
          to.awaitingLink = 0;
          to.runningSince = time;
          to.runningSeq = seq;
          this.current = home;
          this.lastActionCycles = time;
        }
        break;
      }
      case TraceKind.ipcSend: {
        this.acted(home, time, seq);
        const link = t.c[i]!;
        const queued = t.b[i]! !== 0;
        const receiver = peer >= 0 ? this.states[peer]! : undefined;
        if (link !== 0 && receiver !== undefined && receiver.awaitingLink === link) {
          // The reply to the receiver's SENDREC.
          if (!queued) this.closeBlock(peer, time, true);
        } else if (home >= 0) {
          const sender = this.states[home]!;
          if (!queued && peer >= 0) this.deliveredToWaiting(peer, time, home);
          if (link !== 0) {
            this.openBlock(home, SPAN_BLOCKED_SENDREC, time, peer, seq, link);
            this.stopRunning(home, time);
          } else if (queued && sender.blockState === 0) this.openBlock(home, SPAN_BLOCKED_SEND, time, peer, seq, 0);
        }
        break;
      }
      case TraceKind.ipcReceive: {
        const call = t.b[i]!;
        const link = t.c[i]!;
        if (peer >= 0) {
          const sender = this.states[peer]!;
          if (sender.blockState === SPAN_BLOCKED_SEND) {
            if (call === calls.SEND) this.closeBlock(peer, time, false);
            else sender.blockState = 0;
          }
        }
        if (home >= 0) {
          const receiver = this.states[home]!;
          if (link !== 0 && receiver.awaitingLink === link) this.closeBlock(home, time, true);
          else this.receivedWhileWaiting(home, time, peer);
        }
        break;
      }
      case TraceKind.ipcNotify:
        this.acted(home, time, seq);
        if (t.a[i]! === 1 && peer >= 0) this.deliveredToWaiting(peer, time, home);
        break;
      case TraceKind.ipcError:
        this.acted(home, time, seq);
        break;
      case TraceKind.ipcWait:
        // Blocked in RECEIVE from now until a message reaches it.
        this.acted(home, time, seq);
        if (home >= 0) this.stopRunning(home, time);
        break;
      case TraceKind.kernelCall: {
        this.acted(home, time, seq);
        const cycles = t.c[i]!;
        if (cycles > 0 && home >= 0) this.kernel[home]!.push(time - cycles, time, SPAN_KERNEL, peer, seq);
        break;
      }
      case TraceKind.exit:
      case TraceKind.crash:
      case TraceKind.fault:
      case TraceKind.panic:
      case TraceKind.kill:
        if (home >= 0) this.ended(home, time);
        break;
      default:
        break;
    }
  }

  /** `lane` made a kernel entry: it runs now, and whoever ran before without a recorded switch stopped. */
  private acted(lane: number, time: number, seq: number): void {
    if (lane < 0 || this.lanes[lane]!.group === 'kernel') return;
    if (this.current !== lane) {
      let since = time;
      if (this.current >= 0) {
        since = this.lastActionCycles;
        this.stopRunning(this.current, this.lastActionCycles);
      }
      const s = this.states[lane]!;
      if (!Number.isNaN(s.wokenAt) && s.wokenAt > since) since = s.wokenAt;
      s.runningSince = Math.min(since, time);
      s.runningSeq = seq;
      s.blockState = s.blockState === SPAN_BLOCKED_SENDREC || s.blockState === SPAN_BLOCKED_SEND ? 0 : s.blockState;
      this.current = lane;
    }
    this.lastActionCycles = time;
  }

  private stopRunning(lane: number, time: number): void {
    const s = this.states[lane]!;
    if (!Number.isNaN(s.runningSince)) this.primary[lane]!.push(s.runningSince, time, SPAN_RUNNING, -1, s.runningSeq);
    s.runningSince = NaN;
    s.switchedOutAt = time;
    s.wokenAt = NaN;
    if (this.current === lane) this.current = -1;
  }

  /** The kernel delivered to `lane` at once, so it was blocked in RECEIVE, not running, since its last action. */
  private deliveredToWaiting(lane: number, time: number, from: number): void {
    if (lane === this.current) this.stopRunning(lane, this.lastActionCycles);
    this.receivedWhileWaiting(lane, time, from);
  }

  /** A message reached a lane that was not running: it had been blocked in RECEIVE since it last stopped. */
  private receivedWhileWaiting(lane: number, time: number, from: number): void {
    const s = this.states[lane]!;
    if (!Number.isNaN(s.runningSince) || s.blockState !== 0) return;
    if (!Number.isNaN(s.switchedOutAt)) this.primary[lane]!.push(s.switchedOutAt, time, SPAN_BLOCKED_RECEIVE, from, -1);
    s.switchedOutAt = NaN;
    s.wokenAt = time;
  }

  private openBlock(lane: number, state: number, time: number, peer: number, seq: number, link: number): void {
    const s = this.states[lane]!;
    if (s.blockState === SPAN_BLOCKED_SENDREC) this.closeBlock(lane, time, false);
    s.blockState = state;
    s.blockSince = time;
    s.blockSeq = seq;
    s.blockPeer = peer;
    s.awaitingLink = link;
  }

  private closeBlock(lane: number, time: number, woken: boolean): void {
    const s = this.states[lane]!;
    if (s.blockState !== 0) this.primary[lane]!.push(s.blockSince, time, s.blockState, s.blockPeer, s.blockSeq);
    s.blockState = 0;
    s.awaitingLink = 0;
    s.switchedOutAt = NaN;
    if (woken) s.wokenAt = time;
  }

  private ended(lane: number, time: number): void {
    if (!Number.isNaN(this.states[lane]!.runningSince)) this.stopRunning(lane, time);
    this.closeBlock(lane, time, false);
    resetState(this.states[lane]!);
    if (this.current === lane) this.current = -1;
  }

  // ---- lanes ----------------------------------------------------------------

  private knownLane(endpoint: number): number {
    return this.laneByEndpoint.get(endpoint) ?? -1;
  }

  /** The lane of an endpoint, creating one (named from what is known) on first sight. */
  private laneFor(endpoint: number): number {
    const known = this.laneByEndpoint.get(endpoint);
    if (known !== undefined) return known;
    if (this.naming.isNoEndpoint(endpoint)) return -1;
    const label = this.naming.specialEndpoint(endpoint) ?? this.endpointNames.get(endpoint) ?? `endpoint ${endpoint}`;
    return this.laneForLabel(label, endpoint);
  }

  private laneForLabel(label: string, endpoint: number): number {
    let lane = this.laneByLabel.get(label);
    if (lane === undefined) {
      lane = this.addLane({ label, group: this.naming.groupOf(label, endpoint) });
      this.laneByLabel.set(label, lane);
    }
    this.bind(endpoint, lane);
    return lane;
  }

  private laneForDevice(deviceId: number, label: string | undefined): number {
    const known = this.laneByDevice.get(deviceId);
    if (known !== undefined) return known;
    const name = label || this.naming.deviceName(deviceId) || `device ${deviceId}`;
    const lane = this.addLane({ label: `${name} (device)`, group: 'devices', deviceId });
    this.laneByDevice.set(deviceId, lane);
    return lane;
  }

  private bind(endpoint: number, lane: number): void {
    if (Number.isNaN(endpoint) || this.laneByEndpoint.get(endpoint) === lane) return;
    this.laneByEndpoint.set(endpoint, lane);
    this.lanes[lane]!.endpoints.push(endpoint);
  }

  private addLane(spec: { label: string; group: TraceLaneGroup; deviceId?: number }): number {
    const id = this.lanes.length;
    if (id >= 0x7fff) throw new RangeError('the trace has more than 32767 lanes');
    this.lanes.push({ id, endpoints: [], restarts: 0, ...spec });
    this.states.push(newState());
    this.primary.push(new SpanList());
    this.kernel.push(new SpanList());
    if (this.summary !== null) this.observe(id);
    return id;
  }
}

function newState(): LaneState {
  return { runningSince: NaN, runningSeq: -1, blockState: 0, blockSince: 0, blockSeq: -1, blockPeer: -1, awaitingLink: 0, switchedOutAt: NaN, wokenAt: NaN };
}

function resetState(s: LaneState): void {
  Object.assign(s, newState());
}
