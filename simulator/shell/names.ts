// Names of endpoints and times in cycles, as the console prints them.
import { ANY, ASYNCM, CLOCK, HARDWARE, IDLE, NONE, SELF, SYSTEM } from '../kernel/constants';
import { CLOCK_HZ } from '../system/machine';
import type { RunningSystem } from '../system/boot';
import { TraceKind } from '../trace/kinds';

const SPECIAL: Readonly<Record<number, string>> = {
  [ANY]: 'ANY', [NONE]: 'NONE', [SELF]: 'SELF', [HARDWARE]: 'kernel', [SYSTEM]: 'system', [CLOCK]: 'clock', [IDLE]: 'idle', [ASYNCM]: 'asyncm',
};

/**
 * Names every endpoint the system has used: the kernel's, the live
 * processes', the services RS knows, and every process whose creation is
 * still in the trace (so that ended instances keep their names).
 */
export function endpointNames(system: RunningSystem): (endpoint: number) => string {
  const names = new Map<number, string>();
  const trace = system.sim.trace;
  trace.scan({ kinds: [TraceKind.processCreated] }, (seq) => {
    const e = trace.get(seq);
    names.set(e.dst, e.label);
  });
  for (const status of system.rsStatus.values()) if (status.endpoint !== NONE) names.set(status.endpoint, status.label);
  for (const p of system.sim.processes()) names.set(p.endpoint, p.name);
  return (endpoint) => SPECIAL[endpoint] ?? names.get(endpoint) ?? `ep ${endpoint}`;
}

/** Milliseconds of simulated time with nanosecond digits (the clock runs at 1 GHz). */
export function formatMs(cycles: number): string {
  return ((cycles * 1000) / CLOCK_HZ).toFixed(6);
}

/** A short duration for messages: µs, ms or s as fits. */
export function formatDuration(cycles: number): string {
  const seconds = cycles / CLOCK_HZ;
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(1)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(2)} ms`;
  return `${seconds.toFixed(3)} s`;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
