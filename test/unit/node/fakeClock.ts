// A wall clock for the worker's Session that moves only when a test moves it. Deferred
// callbacks run in order of their due time (ties in the order they were deferred), as an
// event loop that is never busy elsewhere would run them. The clock can also model the
// machine the session runs on: simulating costs wall time in proportion to the simulated
// cycles run, so a test can say how fast the machine is and get the same result on any
// real machine, under any load.
import type { SessionClock } from '../../../node/worker/session';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** What the clock watches to charge simulation work: the current system (by identity) and its simulated time. */
export type WorkSource = () => { system: object | undefined; cycles: number };

export class FakeClock implements SessionClock {
  private wallMs = 0;
  private nextSeq = 0;
  private pending: Pending[] = [];
  private work: { source: WorkSource; cyclesPerMs: number } | undefined;
  private charged: { system: object; cycles: number } | undefined;
  /** The most wall time one stretch of simulation between two readings of the clock has cost. */
  longestWorkMs = 0;

  /**
   * Makes simulation cost wall time: every `cyclesPerMs` simulated cycles run since the clock was last
   * read cost one millisecond. A new system starts from what it has reached when first seen (booting is free).
   */
  chargeWork(source: WorkSource, cyclesPerMs: number): void {
    this.settle();
    this.work = { source, cyclesPerMs };
  }

  nowMs(): number {
    this.settle();
    return this.wallMs;
  }

  defer(fn: () => void, ms: number): () => void {
    this.settle();
    const entry: Pending = { at: this.wallMs + Math.max(0, ms), seq: this.nextSeq++, fn };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((p) => p !== entry);
    };
  }

  /** How many deferred callbacks have not run yet. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Runs the earliest due callback, moving the time to when it is due; false if nothing is pending. */
  runNext(): boolean {
    const next = this.earliest();
    if (next === undefined) return false;
    this.pending = this.pending.filter((p) => p !== next);
    this.wallMs = Math.max(this.wallMs, next.at);
    next.fn();
    this.settle();
    return true;
  }

  /** Runs every callback that falls due in the next `ms` milliseconds (including those they defer), then moves the time there. */
  advance(ms: number): void {
    const end = this.nowMs() + ms;
    for (let next = this.earliest(); next !== undefined && next.at <= end; next = this.earliest()) this.runNext();
    this.wallMs = Math.max(this.wallMs, end);
  }

  /** Moves the time on without running anything, as when the event loop is blocked by other work. */
  stall(ms: number): void {
    this.settle();
    this.wallMs += ms;
  }

  /**
   * Runs callbacks one by one until `probe` returns a value (not undefined or false), and returns it.
   * Fails, naming `what`, once `limitMs` of wall time have passed or nothing is left to run.
   */
  until<T>(what: string, probe: () => T | undefined | false, limitMs = 60_000): T {
    const deadline = this.nowMs() + limitMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      if (this.nowMs() > deadline) throw new Error(`${what}: not within ${limitMs} ms of wall time`);
      if (!this.runNext()) throw new Error(`${what}: nothing is scheduled any more`);
    }
  }

  private earliest(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) if (best === undefined || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    return best;
  }

  /** Adds the wall time the simulation run since the last reading has cost. */
  private settle(): void {
    if (this.work === undefined) return;
    const { system, cycles } = this.work.source();
    if (system === undefined) return;
    if (this.charged !== undefined && this.charged.system === system) {
      const ms = (cycles - this.charged.cycles) / this.work.cyclesPerMs;
      this.wallMs += ms;
      this.longestWorkMs = Math.max(this.longestWorkMs, ms);
    }
    this.charged = { system, cycles };
  }
}
