// What a service may do, as its system.conf entry says and MINIX's RS grants it. The entry becomes the
// kernel's PrivilegeSpec here and only here; the kernel compiles that spec into its masks (Privilege), the
// views show it through system/privileges.ts, and the editor's checks below ask the compiled masks, so all
// of them agree with the kernel.
import { KernelCall, type KernelCallName } from '../kernel/constants.js';
import { ALL_IO_PORTS, ALL_IRQS, Privilege, type PrivilegeSpec } from '../kernel/privilege.js';
import type { ServiceDescription } from './systemConf.js';

/** VM calls that the simulator's kernel implements as kernel calls of its own. */
const VM_TO_KERNEL: Readonly<Record<string, KernelCallName>> = { MAP_PHYS: 'MAPPHYS' };

function implemented(name: string): name is KernelCallName {
  return Object.prototype.hasOwnProperty.call(KernelCall, name);
}

/** Whether the simulator's kernel carries out a call that a `system` (or `vm`) list names, so that granting it has an effect. */
export function simulatorHasCall(list: 'system' | 'vm', name: string): boolean {
  return list === 'system' ? implemented(name) : Object.prototype.hasOwnProperty.call(VM_TO_KERNEL, name);
}

/**
 * The privileges RS gives a service started from its entry. Every such service is a system process
 * (SYS_PROC) with all IPC traps. `system ALL` grants every kernel call the simulator has; otherwise the
 * entry's calls that the simulator implements (the parser has already added MINIX's basic calls unless
 * `system NONE`), plus the kernel calls that stand in for its VM calls. `io ALL` and `irq ALL` grant every
 * port and line; the parser has applied MINIX's other defaults (`ipc ALL_SYS`, no ports, no IRQs).
 */
export function servicePrivilege(service: ServiceDescription): PrivilegeSpec {
  const calls = new Set<KernelCallName>(service.kernelCalls.filter(implemented));
  for (const vm of service.vmCalls) if (simulatorHasCall('vm', vm)) calls.add(VM_TO_KERNEL[vm]!);
  // A driver granted a device's ports may map DMA buffers for that device (the kernel checks which device).
  if (service.io.all || service.io.ranges.length > 0) calls.add('DMAMAP');
  const ipc = service.ipc;
  return {
    system: true,
    traps: 'ALL',
    ipcTo: ipc.kind === 'all' ? 'ALL' : ipc.kind === 'all-sys' ? 'ALL_SYS' : [...ipc.labels],
    kernelCalls: service.system.all ? 'ALL' : [...calls],
    ioRanges: service.io.all ? ALL_IO_PORTS : service.io.ranges.map((r) => ({ base: r.base, count: r.length })),
    irqs: service.irq.all ? ALL_IRQS : [...service.irq.lines],
  };
}

/**
 * True if the kernel lets a process with this spec send to `target`, a process that is not a kernel task;
 * `targetIsSystem` tells whether the target is a system process. The kernel also lets a target named here
 * send back, whatever its own spec says.
 */
export function allowsIpcTo(spec: PrivilegeSpec, target: string, targetIsSystem: boolean): boolean {
  return new Privilege(spec).names(target, targetIsSystem, false);
}

/** True if the kernel lets a process with this spec read and write the port with DEVIO. */
export function allowsIoPort(spec: PrivilegeSpec, port: number): boolean {
  return new Privilege(spec).allowsPorts(port, 1);
}
