// Time labels for the ruler and the details pane: cycles, and simulated time at the run's clock rate.
import { cyclesToSeconds } from '../../simulator/time/time';

/** A "nice" step (1, 2 or 5 times a power of ten) at least `minimum`. */
export function niceStep(minimum: number): number {
  if (!(minimum > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(minimum));
  for (const m of [1, 2, 5, 10]) if (m * power >= minimum) return m * power;
  return 10 * power;
}

/** Simulated time of `cycles` at `clockHz`, in the largest unit that keeps the number readable. */
export function formatSeconds(cycles: number, clockHz: number, stepCycles?: number): string {
  const seconds = cyclesToSeconds(cycles, clockHz);
  const stepSeconds = stepCycles === undefined ? Math.abs(seconds) : cyclesToSeconds(stepCycles, clockHz);
  const magnitude = Math.max(Math.abs(seconds), stepSeconds);
  const units: [number, string][] = [
    [1, 's'],
    [1e-3, 'ms'],
    [1e-6, 'µs'],
    [1e-9, 'ns'],
  ];
  for (const [scale, unit] of units) {
    if (magnitude >= scale || unit === 'ns') {
      const value = seconds / scale;
      const decimals =
        stepCycles === undefined ? 3 : Math.max(0, Math.min(9, Math.ceil(-Math.log10(stepSeconds / scale) - 1e-9)));
      return `${trimZeros(value.toFixed(decimals))} ${unit}`;
    }
  }
  return `${seconds} s`;
}

export function formatCycles(cycles: number): string {
  const abs = Math.abs(cycles);
  if (abs >= 1e9) return `${trimZeros((cycles / 1e9).toFixed(3))}G`;
  if (abs >= 1e6) return `${trimZeros((cycles / 1e6).toFixed(3))}M`;
  if (abs >= 1e4) return `${trimZeros((cycles / 1e3).toFixed(1))}k`;
  return String(Math.round(cycles));
}

/** Full precision for the details pane: "12,345,678 cycles (1.234 ms)". */
export function formatInstant(cycles: number, clockHz: number): string {
  return `${Math.round(cycles).toLocaleString('en-US')} cycles (${formatSeconds(cycles, clockHz)})`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
