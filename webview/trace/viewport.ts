// The visible time window and the arithmetic of panning and zooming it.

export interface TimeRange {
  readonly startCycles: number;
  readonly endCycles: number;
}

const MIN_SPAN_CYCLES = 20;

export class Viewport {
  startCycles = 0;
  endCycles = 1;
  /** Width of the time axis in CSS pixels. */
  widthPx = 1;
  /** The whole trace; panning and zooming stay within it (with a little margin). */
  bounds: TimeRange = { startCycles: 0, endCycles: 1 };

  get spanCycles(): number {
    return this.endCycles - this.startCycles;
  }

  get cyclesPerPx(): number {
    return this.spanCycles / Math.max(1, this.widthPx);
  }

  xOf(cycles: number): number {
    return ((cycles - this.startCycles) / this.spanCycles) * this.widthPx;
  }

  cyclesAt(x: number): number {
    return this.startCycles + (x / this.widthPx) * this.spanCycles;
  }

  set(range: TimeRange): void {
    this.startCycles = range.startCycles;
    this.endCycles = Math.max(range.startCycles + MIN_SPAN_CYCLES, range.endCycles);
    this.clamp();
  }

  fit(): void {
    const b = this.bounds;
    const margin = Math.max(1, (b.endCycles - b.startCycles) * 0.01);
    this.startCycles = b.startCycles - margin;
    this.endCycles = b.endCycles + margin;
    if (this.endCycles - this.startCycles < MIN_SPAN_CYCLES) this.endCycles = this.startCycles + MIN_SPAN_CYCLES;
  }

  /**
   * Zooms by `factor` (> 1 zooms in) keeping the time under pixel `x` in place.
   * The ends of the trace move it only when that cannot be avoided: the empty
   * margin beyond either end may grow to half the new span, and never has to
   * shrink below what was already shown. So zooming in (the new window lies
   * inside the old) never moves it, and zooming out moves it only as far as
   * the margin it would otherwise open beyond an end of the trace.
   */
  zoomAt(x: number, factor: number): void {
    const anchor = this.cyclesAt(x);
    const b = this.bounds;
    const marginBefore = b.startCycles - this.startCycles;
    const marginAfter = this.endCycles - b.endCycles;
    const next = Math.min(Math.max(MIN_SPAN_CYCLES, this.spanCycles / factor), this.maxSpan());
    const ratio = x / this.widthPx;
    this.startCycles = anchor - ratio * next;
    this.endCycles = this.startCycles + next;
    this.clamp(Math.max(next * 0.5, marginBefore), Math.max(next * 0.5, marginAfter));
  }

  panPx(dx: number): void {
    const d = dx * this.cyclesPerPx;
    this.startCycles += d;
    this.endCycles += d;
    this.clamp();
  }

  centreOn(cycles: number): void {
    const half = this.spanCycles / 2;
    this.startCycles = cycles - half;
    this.endCycles = cycles + half;
    this.clamp();
  }

  /** Moves the window so that it ends at the trace's end, keeping its span. */
  followTail(): void {
    const span = this.spanCycles;
    this.endCycles = this.bounds.endCycles + span * 0.02;
    this.startCycles = this.endCycles - span;
  }

  private maxSpan(): number {
    return Math.max(MIN_SPAN_CYCLES, (this.bounds.endCycles - this.bounds.startCycles) * 1.5);
  }

  /** Keeps the window within the trace, give or take a margin beyond either end (by default half its span). */
  private clamp(slackBefore?: number, slackAfter?: number): void {
    const span = Math.min(this.spanCycles, this.maxSpan());
    const b = this.bounds;
    const before = slackBefore ?? span * 0.5;
    const after = slackAfter ?? span * 0.5;
    if (this.startCycles < b.startCycles - before) this.startCycles = b.startCycles - before;
    if (this.startCycles + span > b.endCycles + after) this.startCycles = Math.max(b.startCycles - before, b.endCycles + after - span);
    this.endCycles = this.startCycles + span;
  }
}
