// Turns a system.conf service description into the kernel's privilege
// structure (and into the short form the System view shows).
import type { ServiceDescription } from '../config/systemConf';
import { toPrivilegeSpec } from '../config/privileges';
import { KernelCall, type KernelCallName } from '../kernel/constants';
import type { PrivilegeSpec } from '../kernel/privilege';
import type { PrivilegeSummary } from '../protocol/workerProtocol';

/** VM calls that the simulator's kernel implements as kernel calls of its own. */
const VM_TO_KERNEL: Readonly<Record<string, KernelCallName>> = { MAP_PHYS: 'MAPPHYS' };

export function kernelPrivilege(service: ServiceDescription): PrivilegeSpec {
  const neutral = toPrivilegeSpec(service);
  const known = (name: string): name is KernelCallName => Object.prototype.hasOwnProperty.call(KernelCall, name);
  const calls = new Set<KernelCallName>(neutral.kernelCalls.filter(known));
  for (const vm of neutral.vmCalls) {
    const k = VM_TO_KERNEL[vm];
    if (k !== undefined) calls.add(k);
  }
  const t = neutral.ipcTargets;
  return {
    system: neutral.flags.systemProcess,
    traps: 'ALL',
    ipcTo: t.kind === 'all' ? 'ALL' : t.kind === 'all-sys' ? 'ALL_SYS' : [...t.labels],
    kernelCalls: service.system.all ? 'ALL' : [...calls],
    ioRanges: neutral.ioRanges === 'all' ? [{ base: 0, count: 0x10000 }] : neutral.ioRanges.map((r) => ({ base: r.base, count: r.length })),
    irqs: neutral.irqs === 'all' ? Array.from({ length: 16 }, (_, i) => i) : [...neutral.irqs],
  };
}

export function summarisePrivilege(spec: PrivilegeSpec): PrivilegeSummary {
  const ipc = spec.ipcTo ?? 'ALL';
  const calls = spec.kernelCalls ?? [];
  return {
    ipcTargets: typeof ipc === 'string' ? ipc : ipc.join(' '),
    kernelCalls: calls === 'ALL' ? ['ALL'] : [...calls],
    ioRanges: (spec.ioRanges ?? []).map((r) => `0x${r.base.toString(16)}:0x${r.count.toString(16)}`),
    irqs: [...(spec.irqs ?? [])],
  };
}
