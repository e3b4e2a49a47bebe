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

  /** Zooms by `factor` (> 1 zooms in) keeping the time under pixel `x` in place. */
  zoomAt(x: number, factor: number): void {
    const anchor = this.cyclesAt(x);
    const span = Math.max(MIN_SPAN_CYCLES, this.spanCycles / factor);
    const maxSpan = this.maxSpan();
    const next = Math.min(span, maxSpan);
    const ratio = x / this.widthPx;
    this.startCycles = anchor - ratio * next;
    this.endCycles = this.startCycles + next;
    this.clamp();
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

  private clamp(): void {
    const span = Math.min(this.spanCycles, this.maxSpan());
    const b = this.bounds;
    const slack = span * 0.5;
    if (this.startCycles < b.startCycles - slack) this.startCycles = b.startCycles - slack;
    if (this.startCycles + span > b.endCycles + slack) this.startCycles = Math.max(b.startCycles - slack, b.endCycles + slack - span);
    this.endCycles = this.startCycles + span;
  }
}
