// Paces a running system against the wall clock: how far simulated time may
// go by a given wall-clock moment, and how long one slice of simulated time
// should be so that a slice takes a few milliseconds of wall time.

import { cyclesIn } from '../../simulator/time/time';

/** Behind the requested speed by more than this much wall time, the pacer drops the backlog instead of catching up. */
export const MAX_BACKLOG_MS = 250;

export class Pacer {
  private anchorWallMs: number;
  private anchorCycles: number;
  private backlogDropped = false;

  /** `speed`: simulated seconds per wall-clock second; 0 means as fast as possible. */
  constructor(
    private speedValue: number,
    private readonly clockHz: number,
    wallMs: number,
    cycles: number,
  ) {
    checkSpeed(speedValue);
    this.anchorWallMs = wallMs;
    this.anchorCycles = cycles;
  }

  get speed(): number {
    return this.speedValue;
  }

  /** Starts counting again from here: after a pause, or when the speed changes. */
  reanchor(wallMs: number, cycles: number, speed = this.speedValue): void {
    checkSpeed(speed);
    this.speedValue = speed;
    this.anchorWallMs = wallMs;
    this.anchorCycles = cycles;
  }

  /**
   * The simulated time to reach by `wallMs` (Infinity at speed 0). If the system has fallen
   * behind by more than MAX_BACKLOG_MS of wall time, the backlog is dropped so that a slow
   * stretch is not followed by a burst, and `takeLagging()` reports it once.
   */
  targetCycles(wallMs: number, nowCycles: number): number {
    if (this.speedValue === 0) return Infinity;
    const cyclesPerMs = cyclesIn(this.speedValue / 1000, this.clockHz);
    const target = this.anchorCycles + Math.floor((wallMs - this.anchorWallMs) * cyclesPerMs);
    const maxBacklog = Math.floor(MAX_BACKLOG_MS * cyclesPerMs);
    if (target - nowCycles > maxBacklog) {
      this.backlogDropped = true;
      this.reanchor(wallMs - MAX_BACKLOG_MS, nowCycles);
      return nowCycles + maxBacklog;
    }
    return Math.max(nowCycles, target);
  }

  /** Whether a backlog was dropped since the last call. */
  takeLagging(): boolean {
    const lagging = this.backlogDropped;
    this.backlogDropped = false;
    return lagging;
  }
}

/** Adapts the length of one slice so that each takes about `targetMs` of wall time. */
export class SliceSizer {
  constructor(
    private cycles: number,
    private readonly minCycles: number,
    private readonly maxCycles: number,
    private readonly targetMs = 2,
  ) {}

  get sliceCycles(): number {
    return this.cycles;
  }

  /** Records that a slice of `ranCycles` took `tookMs`. */
  observe(ranCycles: number, tookMs: number): void {
    if (ranCycles < this.cycles / 2) return;
    if (tookMs < this.targetMs / 2) this.cycles = Math.min(this.maxCycles, this.cycles * 2);
    else if (tookMs > this.targetMs * 2) this.cycles = Math.max(this.minCycles, Math.floor(this.cycles / 2));
  }
}

function checkSpeed(speed: number): void {
  if (!Number.isFinite(speed) || speed < 0) throw new RangeError(`the speed must be a non-negative number of simulated seconds per second, got ${speed}`);
}
