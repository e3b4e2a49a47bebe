// The interrupt controller: request, mask and in-service state per line, with 8259-style acknowledge and end-of-interrupt.

import type { InterruptLines } from './bus';

/** The kernel side of the controller: told when some line has become deliverable. */
export interface InterruptSink {
  interruptRequested(irq: number): void;
}

export interface InterruptLineState {
  readonly irq: number;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly inService: boolean;
  readonly raisedCount: number;
  readonly deliveredCount: number;
  /** Raises that found the line already pending and merged into it. */
  readonly coalescedCount: number;
}

export interface InterruptControllerDescription {
  readonly lineCount: number;
  readonly lines: readonly InterruptLineState[];
  readonly spuriousCount: number;
}

export interface InterruptControllerOptions {
  /** Whether lines start masked; true unless said otherwise. */
  readonly startMasked?: boolean;
}

/**
 * Edge-triggered lines with a request latch, like an 8259 in fully nested
 * mode but with in-service state per line as on an APIC: a line in service
 * blocks only itself. A raise while the line is already pending coalesces
 * (devices keep their own cause registers, so nothing is lost). The lowest
 * line number has the highest priority.
 *
 * Protocol for the kernel: on `interruptRequested`, call `acknowledge()` to
 * take the highest-priority deliverable line (request cleared, now in
 * service), run the handlers, then `eoi(irq)`. A line raised again while in
 * service is requested anew at its EOI.
 */
export class InterruptController implements InterruptLines {
  private readonly masked: boolean[];
  private readonly pending: boolean[];
  private readonly inService: boolean[];
  private readonly raisedCount: number[];
  private readonly deliveredCount: number[];
  private readonly coalescedCount: number[];
  private spuriousCount = 0;
  private readonly startMasked: boolean;

  constructor(
    readonly lineCount: number,
    private readonly sink: InterruptSink,
    options: InterruptControllerOptions = {},
  ) {
    this.startMasked = options.startMasked ?? true;
    if (!Number.isInteger(lineCount) || lineCount < 1 || lineCount > 256) {
      throw new RangeError(`interrupt controller: line count ${lineCount} outside 1..256`);
    }
    this.masked = new Array<boolean>(lineCount).fill(this.startMasked);
    this.pending = new Array<boolean>(lineCount).fill(false);
    this.inService = new Array<boolean>(lineCount).fill(false);
    this.raisedCount = new Array<number>(lineCount).fill(0);
    this.deliveredCount = new Array<number>(lineCount).fill(0);
    this.coalescedCount = new Array<number>(lineCount).fill(0);
  }

  raise(irq: number): void {
    if (!this.valid(irq)) {
      this.spuriousCount++;
      return;
    }
    this.raisedCount[irq]!++;
    if (this.pending[irq]) {
      this.coalescedCount[irq]!++;
      return;
    }
    this.pending[irq] = true;
    this.requestIfDeliverable(irq);
  }

  mask(irq: number): void {
    this.check(irq);
    this.masked[irq] = true;
  }

  unmask(irq: number): void {
    this.check(irq);
    if (!this.masked[irq]) return;
    this.masked[irq] = false;
    this.requestIfDeliverable(irq);
  }

  isMasked(irq: number): boolean {
    this.check(irq);
    return this.masked[irq]!;
  }

  isPending(irq: number): boolean {
    this.check(irq);
    return this.pending[irq]!;
  }

  isInService(irq: number): boolean {
    this.check(irq);
    return this.inService[irq]!;
  }

  /** Lines requested and not yet acknowledged, masked or not, lowest first. */
  pendingLines(): number[] {
    const lines: number[] = [];
    for (let irq = 0; irq < this.lineCount; irq++) if (this.pending[irq]) lines.push(irq);
    return lines;
  }

  /** Takes the highest-priority deliverable line into service, or returns undefined if none is. */
  acknowledge(): number | undefined {
    for (let irq = 0; irq < this.lineCount; irq++) {
      if (this.deliverable(irq)) {
        this.pending[irq] = false;
        this.inService[irq] = true;
        this.deliveredCount[irq]!++;
        return irq;
      }
    }
    return undefined;
  }

  /** Ends service of `irq`. An EOI for a line not in service is ignored. */
  eoi(irq: number): void {
    this.check(irq);
    if (!this.inService[irq]) return;
    this.inService[irq] = false;
    this.requestIfDeliverable(irq);
  }

  /** Drops a pending request without delivering it (as when a driver's line is reset). */
  clearPending(irq: number): void {
    this.check(irq);
    this.pending[irq] = false;
  }

  reset(): void {
    this.masked.fill(this.startMasked);
    this.pending.fill(false);
    this.inService.fill(false);
  }

  describe(): InterruptControllerDescription {
    const lines: InterruptLineState[] = [];
    for (let irq = 0; irq < this.lineCount; irq++) {
      lines.push({
        irq,
        masked: this.masked[irq]!,
        pending: this.pending[irq]!,
        inService: this.inService[irq]!,
        raisedCount: this.raisedCount[irq]!,
        deliveredCount: this.deliveredCount[irq]!,
        coalescedCount: this.coalescedCount[irq]!,
      });
    }
    return { lineCount: this.lineCount, lines, spuriousCount: this.spuriousCount };
  }

  private deliverable(irq: number): boolean {
    return this.pending[irq]! && !this.masked[irq]! && !this.inService[irq]!;
  }

  private requestIfDeliverable(irq: number): void {
    if (this.deliverable(irq)) this.sink.interruptRequested(irq);
  }

  private valid(irq: number): boolean {
    return Number.isInteger(irq) && irq >= 0 && irq < this.lineCount;
  }

  private check(irq: number): void {
    if (!this.valid(irq)) throw new RangeError(`interrupt controller: no line ${irq}`);
  }
}
