// Why a driver's host process ended, read from how it ended and the last of
// what it wrote on its standard error: the engine's fatal errors, the host's
// watchdog, or anything else. The relay reports the result to the simulator,
// which ends the driver as a crash with it.
import { Death } from './protocol';

/** The line a host's watchdog writes on its standard error before it ends the process (driverHost.ts). */
export const WATCHDOG_MARK = 'mklab-driver-host:';

export interface HostDeath {
  /** A Death value. */
  readonly death: number;
  /** What happened, as the end of a sentence about the driver ("its process ..."), without a final period. */
  readonly detail: string;
}

/** The last line of `text` that says something, trimmed; at most `max` characters. */
function lastLine(text: string, max = 200): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && l !== '#' && !/^\d+: 0x[0-9a-f]+ /i.test(l));
  const line = lines[lines.length - 1] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function how(code: number | null, signal: string | null): string {
  if (signal !== null) return `signal ${signal}`;
  return `exit status ${code ?? 'unknown'}`;
}

/**
 * Classifies a host's end. `stderr` is the tail of its standard error (the engine prints its fatal errors there,
 * followed by a native stack trace, which is skipped).
 */
export function classifyHostDeath(code: number | null, signal: string | null, stderr: string): HostDeath {
  const watchdog = new RegExp(`${WATCHDOG_MARK} (\\w+): ([^\\n]*)`).exec(stderr);
  if (watchdog !== null && watchdog[1] === 'OutOfMemory') return { death: Death.outOfMemory, detail: `its process held ${watchdog[2]!.trim()}` };
  if (/JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/.test(stderr)) {
    return { death: Death.outOfMemory, detail: 'its JavaScript heap is full (the engine ended its process: JavaScript heap out of memory)' };
  }
  const invalidSize = /Fatal JavaScript invalid size error[^\n(]*/.exec(stderr);
  if (invalidSize !== null) {
    return { death: Death.outOfMemory, detail: `it built a value larger than the engine can hold (the engine ended its process: ${invalidSize[0].trim()})` };
  }
  const fatal = /Fatal process out of memory[^\n]*|Fatal JavaScript out of memory[^\n]*|[Oo]ut of memory[^\n]*/.exec(stderr);
  if (fatal !== null) return { death: Death.outOfMemory, detail: `the engine ended its process (${fatal[0].trim()})` };
  if (watchdog !== null) return { death: Death.failed, detail: `its process was ended: ${watchdog[2]!.trim()}` };
  const line = lastLine(stderr);
  return { death: Death.failed, detail: `its process ended with ${how(code, signal)}${line === '' ? '' : `: ${line}`}` };
}
