// The short form of a process's privileges that the views show: the System view's tooltip, Show
// Privileges and the debugger's Privileges scope. It is made from the same spec the kernel compiles.
import type { PrivilegeSpec } from '../kernel/privilege';
import type { PrivilegeSummary } from '../protocol/workerProtocol';

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
