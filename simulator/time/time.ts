// Simulated time is a whole number of cycles of the active cost profile's
// clock. Every conversion between cycles and seconds (or ms, µs, h), and every
// physical rate turned into cycles, goes through this module, given that
// clock's rate in Hz, so that a figure shown in seconds always means the
// cycles the simulator counted at the rate it ran with.

function checkHz(clockHz: number): number {
  if (!(clockHz > 0) || !Number.isFinite(clockHz)) throw new RangeError(`a clock rate must be a positive number of Hz, got ${clockHz}`);
  return clockHz;
}

/** Seconds that `cycles` take at `clockHz`. */
export function cyclesToSeconds(cycles: number, clockHz: number): number {
  return cycles / checkHz(clockHz);
}

/** Milliseconds that `cycles` take at `clockHz`. */
export function cyclesToMs(cycles: number, clockHz: number): number {
  return (cycles * 1e3) / checkHz(clockHz);
}

/** Microseconds that `cycles` take at `clockHz` (Perfetto's `ts` and `dur`). */
export function cyclesToMicros(cycles: number, clockHz: number): number {
  return (cycles * 1e6) / checkHz(clockHz);
}

/** Cycles in `seconds` at `clockHz`, not rounded: for scales and for rates, never for scheduling. */
export function cyclesIn(seconds: number, clockHz: number): number {
  return seconds * checkHz(clockHz);
}

/** The whole number of cycles nearest to `seconds` at `clockHz`: what the simulator schedules. */
export function secondsToCycles(seconds: number, clockHz: number): number {
  return Math.round(cyclesIn(seconds, clockHz));
}

/** The whole number of cycles nearest to `ms` milliseconds at `clockHz`. */
export function msToCycles(ms: number, clockHz: number): number {
  return secondsToCycles(ms / 1e3, clockHz);
}

/** Cycles one unit (a byte, a bit, a character) takes at `unitsPerSecond`, not rounded. */
export function cyclesPerUnit(unitsPerSecond: number, clockHz: number): number {
  if (!(unitsPerSecond > 0) || !Number.isFinite(unitsPerSecond)) throw new RangeError(`a rate must be a positive number per second, got ${unitsPerSecond}`);
  return cyclesIn(1 / unitsPerSecond, clockHz);
}

/** A simulated time for people: ms, s, min or h, as fits. */
export function formatSimTime(cycles: number, clockHz: number): string {
  const s = cyclesToSeconds(cycles, clockHz);
  if (s >= 3600) return `${+(s / 3600).toFixed(2)} h`;
  if (s >= 60) return `${+(s / 60).toFixed(2)} min`;
  if (s >= 1) return `${+s.toFixed(2)} s`;
  return `${+(s * 1000).toFixed(1)} ms`;
}

/** A short duration for messages: µs, ms or s, as fits. */
export function formatDuration(cycles: number, clockHz: number): string {
  const seconds = cyclesToSeconds(cycles, clockHz);
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(2)} ms`;
  return `${seconds.toFixed(3)} s`;
}

/** Milliseconds with six decimals (nanoseconds), for columns of times. */
export function formatMs(cycles: number, clockHz: number, decimals = 6): string {
  return cyclesToMs(cycles, clockHz).toFixed(decimals);
}

/** A clock rate for people: "3.4 GHz", "50 MHz". */
export function formatClockHz(clockHz: number): string {
  if (clockHz >= 1e9) return `${+(clockHz / 1e9).toFixed(3)} GHz`;
  if (clockHz >= 1e6) return `${+(clockHz / 1e6).toFixed(3)} MHz`;
  if (clockHz >= 1e3) return `${+(clockHz / 1e3).toFixed(3)} kHz`;
  return `${clockHz} Hz`;
}

/** Seconds in each unit a time may be written in. */
export const TIME_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/**
 * Turns a written time into cycles at `clockHz`: an integer is already cycles;
 * a string is a number and a unit (ns, us, ms, s, m or min, h, d, or
 * "cycles"), as in "500ms", "6h", "1.5 s", "200000 cycles". Returns undefined
 * if the text is not a time or the result is not a whole, safe number of cycles.
 */
export function timeToCycles(time: number | string, clockHz: number): number | undefined {
  if (typeof time === 'number') return Number.isSafeInteger(time) && time >= 0 ? time : undefined;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s|m|min|h|d|cycles?)\s*$/.exec(time);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!;
  const cycles = unit.startsWith('cycle') ? n : cyclesIn(n * TIME_UNITS[unit]!, clockHz);
  // A non-zero time shorter than one cycle is almost certainly a mistake in the unit.
  if (cycles > 0 && cycles < 1) return undefined;
  const rounded = Math.round(cycles);
  return Number.isSafeInteger(rounded) ? rounded : undefined;
}

/** Whether a written time is counted in cycles (and so does not change with the clock). */
export function isWrittenInCycles(time: number | string): boolean {
  return typeof time === 'number' || /^\s*[0-9.]+\s*cycles?\s*$/.test(time);
}
