// Counts the steps a user driver takes between kernel entries and stops it when the count passes a budget.

export const DEFAULT_CPU_BUDGET = 10_000_000;

/** Thrown (and kept, so that a driver cannot swallow it) when a driver spins without entering the kernel. */
export class CpuBudgetExceeded extends Error {
  override readonly name = 'CpuBudgetExceeded';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly ticks: number,
    readonly budget: number,
  ) {
    super(
      `${file}:${line}:${column}: the driver ran ${budget} steps without entering the kernel; ` +
        'this loop or function never reaches a blocking call',
    );
  }
}

export function isCpuBudgetExceeded(error: unknown): error is CpuBudgetExceeded {
  // `instanceof` asks a proxy for its prototype; a driver's proxy may throw instead of answering.
  try {
    return error instanceof CpuBudgetExceeded;
  } catch {
    return false;
  }
}

/**
 * One per running driver instance. Every loop iteration and function entry in the driver's code
 * calls tick(); the kernel (or GuardedGenerator) calls reset() whenever the driver enters the kernel.
 */
export class CpuGuard {
  private count = 0;
  private exceeded: CpuBudgetExceeded | undefined;

  constructor(readonly budget: number = DEFAULT_CPU_BUDGET) {
    if (!Number.isSafeInteger(budget) || budget < 1) throw new RangeError(`the CPU budget must be a positive integer, got ${budget}`);
  }

  /** Steps taken since the last reset. */
  get ticks(): number {
    return this.count;
  }

  /** The error that stopped the driver since the last reset, even if the driver caught it. */
  get tripped(): CpuBudgetExceeded | undefined {
    return this.exceeded;
  }

  reset(): void {
    this.count = 0;
    this.exceeded = undefined;
  }

  tick(file: string, line: number, column: number): void {
    if (++this.count <= this.budget) return;
    // Once over budget every later step throws again, so catching the error inside a loop does not help.
    this.exceeded ??= new CpuBudgetExceeded(file, line, column, this.count, this.budget);
    throw this.exceeded;
  }
}
