// What the rest of the simulator sees of virtual time: a clock that reads the
// time in integer cycles and schedules actions. `EventQueue` implements it.

/** Virtual time in integer cycles since boot. */
export type Cycles = number;

/** A handle on a scheduled action, for cancelling it. */
export type TimerId = number;

/** The simulator's clock as devices see it: its rate, the time, scheduling work. */
export interface Clock {
  /** Cycles per second; devices turn their physical rates and times into cycles with it when built. */
  readonly hz: number;
  now(): Cycles;
  /** Runs `action` `delay` cycles from now; ties run in the order scheduled. */
  schedule(delay: Cycles, action: () => void, label: string): TimerId;
  cancel(id: TimerId): void;
}
