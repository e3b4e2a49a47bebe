// The discrete-event core: an integer virtual clock and a queue of timed actions
// ordered by (time, priority, sequence).
import type { Clock, Cycles, TimerId } from './clock';

/** Lower values run first among actions due at the same cycle. */
export const EventPriority = {
  interrupt: 0,
  device: 10,
  timer: 20,
  normal: 50,
} as const;

interface QueuedAction {
  readonly timeCycles: Cycles;
  readonly priority: number;
  readonly seq: number;
  readonly id: TimerId;
  readonly action: () => void;
  readonly label: string;
  cancelled: boolean;
}

/** A scheduled action as snapshots and digests see it. */
export interface QueuedActionInfo {
  readonly timeCycles: Cycles;
  readonly priority: number;
  readonly seq: number;
  readonly label: string;
}

/**
 * The most events one run may hold pending at once. Events are chained (a periodic source schedules its next
 * when it runs), so real runs hold few: measured, at most 145 in the 100 Gb/s packet-drop bench, 10 in S5,
 * under 10 in an hour of S1 and in every `bench compare` workload. A run past the cap schedules events faster
 * than it runs them and would grow until V8 runs out of memory (an open-loop peer offering far more requests
 * than the wire carries holds one event, some 400 bytes with its frame, per request in flight: 10 ms at a
 * billion a second outgrew a 4 GiB heap). At the cap scheduling throws EventQueueOverflow, which names the
 * labels that scheduled most of what is pending, and the run stops with it.
 */
export const MAX_PENDING_EVENTS = 1_000_000;

/** Cancelled entries wait in the heap until they reach its top; past this many, and more than the live ones, the heap is rebuilt without them. */
const COMPACT_AFTER = 1024;

/** How many of the pending events' labels an overflow names. */
const LABELS_NAMED = 3;

/** Thrown by schedule at the cap: the run holds MAX_PENDING_EVENTS events (or the queue's own cap) and is stopped. */
export class EventQueueOverflow extends Error {
  override readonly name = 'EventQueueOverflow';

  constructor(
    readonly timeCycles: Cycles,
    readonly hz: number,
    readonly pending: number,
    /** The labels that scheduled most of the pending events, most first, with their counts. */
    readonly labels: readonly { readonly label: string; readonly count: number }[],
  ) {
    const count = (n: number): string => n.toLocaleString('en-US');
    const seconds = Number((timeCycles / hz).toPrecision(6));
    super(
      `the run was stopped at ${seconds} s (cycle ${count(timeCycles)}): ${count(pending)} events were pending, the most one run may hold; ` +
        `most were scheduled by ${labels.map((l) => `'${l.label}' (${count(l.count)})`).join(', ')} ` +
        '(does a workload offer more than the system can take, or something schedule events faster than they come due?)',
    );
  }
}

function before(a: QueuedAction, b: QueuedAction): boolean {
  if (a.timeCycles !== b.timeCycles) return a.timeCycles < b.timeCycles;
  if (a.priority !== b.priority) return a.priority < b.priority;
  return a.seq < b.seq;
}

function checkCycles(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer number of cycles, got ${value}`);
  }
}

export class EventQueue implements Clock {
  readonly hz: number;
  private nowCycles: Cycles = 0;
  private readonly heap: QueuedAction[] = [];
  private readonly live = new Map<TimerId, QueuedAction>();
  private nextSeq = 0;
  private nextId: TimerId = 1;
  private firedCount = 0;

  /** `hz`: the rate of the clock whose cycles this queue counts; `maxPending`: the cap on pending events (MAX_PENDING_EVENTS). */
  constructor(hz: number, readonly maxPending: number = MAX_PENDING_EVENTS) {
    if (!(hz > 0) || !Number.isFinite(hz)) throw new RangeError(`the clock rate must be a positive number of Hz, got ${hz}`);
    if (!Number.isSafeInteger(maxPending) || maxPending < 1) throw new RangeError(`the cap on pending events must be a positive integer, got ${maxPending}`);
    this.hz = hz;
  }

  now(): Cycles {
    return this.nowCycles;
  }

  /** Number of actions that have run since construction. */
  get fired(): number {
    return this.firedCount;
  }

  get pendingCount(): number {
    return this.live.size;
  }

  /** Entries the queue holds: the pending ones and cancelled ones not yet dropped (at most about twice the pending ones). */
  get heldCount(): number {
    return this.heap.length;
  }

  schedule(delay: Cycles, action: () => void, label: string, priority: number = EventPriority.normal): TimerId {
    checkCycles(delay, 'delay');
    return this.scheduleAt(this.nowCycles + delay, action, label, priority);
  }

  scheduleAt(timeCycles: Cycles, action: () => void, label: string, priority: number = EventPriority.normal): TimerId {
    checkCycles(timeCycles, 'time');
    if (timeCycles < this.nowCycles) throw new RangeError(`cannot schedule in the past (${timeCycles} < ${this.nowCycles})`);
    if (this.live.size >= this.maxPending) throw this.overflow();
    const entry: QueuedAction = {
      timeCycles,
      priority,
      seq: this.nextSeq++,
      id: this.nextId++,
      action,
      label,
      cancelled: false,
    };
    this.live.set(entry.id, entry);
    this.push(entry);
    return entry.id;
  }

  cancel(id: TimerId): void {
    const entry = this.live.get(id);
    if (entry === undefined) return;
    entry.cancelled = true;
    this.live.delete(id);
    // A timer re-armed far ahead (an alarm set again and again) leaves entries that never reach the top: drop them
    // once they are most of the heap, so that what the queue holds stays bounded by what is pending.
    if (this.heap.length > COMPACT_AFTER && this.heap.length > 2 * this.live.size) this.compact();
  }

  /** Time of the earliest pending action, or Infinity. */
  nextTime(): number {
    const h = this.heap;
    if (h.length === 0) return Infinity;
    if (h[0]!.cancelled) {
      this.dropCancelled();
      if (h.length === 0) return Infinity;
    }
    return h[0]!.timeCycles;
  }

  /** Moves the clock forward; the kernel calls this as it charges cycles. */
  advanceBy(cycles: Cycles): void {
    this.nowCycles += cycles;
  }

  /** Moves the clock to `timeCycles`, which must not be in the past. */
  advanceTo(timeCycles: Cycles): void {
    checkCycles(timeCycles, 'time');
    if (timeCycles < this.nowCycles) throw new RangeError('the clock cannot go backwards');
    this.nowCycles = timeCycles;
  }

  /** Runs the earliest action if it is due now; returns whether one ran. */
  runOneDue(): boolean {
    this.dropCancelled();
    const top = this.heap[0];
    if (top === undefined || top.timeCycles > this.nowCycles) return false;
    this.pop();
    this.live.delete(top.id);
    this.firedCount++;
    top.action();
    return true;
  }

  /** Pending actions in the order they will run. */
  pending(): QueuedActionInfo[] {
    return [...this.live.values()]
      .sort((a, b) => (before(a, b) ? -1 : 1))
      .map((e) => ({ timeCycles: e.timeCycles, priority: e.priority, seq: e.seq, label: e.label }));
  }

  private overflow(): EventQueueOverflow {
    const counts = new Map<string, number>();
    for (const e of this.live.values()) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
    const labels = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, LABELS_NAMED)
      .map(([label, count]) => ({ label, count }));
    return new EventQueueOverflow(this.nowCycles, this.hz, this.live.size, labels);
  }

  /** Rebuilds the heap from the pending entries alone; an array sorted in run order is a heap, and the order is unchanged. */
  private compact(): void {
    const kept = this.heap.filter((e) => !e.cancelled).sort((a, b) => (before(a, b) ? -1 : 1));
    this.heap.length = 0;
    for (const e of kept) this.heap.push(e);
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private push(entry: QueuedAction): void {
    const h = this.heap;
    let i = h.length;
    h.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = entry;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
  }
}
