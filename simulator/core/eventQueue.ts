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

  /** `hz`: the rate of the clock whose cycles this queue counts. */
  constructor(hz: number) {
    if (!(hz > 0) || !Number.isFinite(hz)) throw new RangeError(`the clock rate must be a positive number of Hz, got ${hz}`);
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

  schedule(delay: Cycles, action: () => void, label: string, priority: number = EventPriority.normal): TimerId {
    checkCycles(delay, 'delay');
    return this.scheduleAt(this.nowCycles + delay, action, label, priority);
  }

  scheduleAt(timeCycles: Cycles, action: () => void, label: string, priority: number = EventPriority.normal): TimerId {
    checkCycles(timeCycles, 'time');
    if (timeCycles < this.nowCycles) throw new RangeError(`cannot schedule in the past (${timeCycles} < ${this.nowCycles})`);
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
