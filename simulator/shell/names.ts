// Names of endpoints and addresses, as the console prints them.
import { ANY, ASYNCM, CLOCK, HARDWARE, IDLE, NONE, SELF, SYSTEM } from '../kernel/constants';
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

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
