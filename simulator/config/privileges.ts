// Turns a parsed service description into a neutral privilege specification, as MINIX's RS would grant it.

import { KERNEL_CALL_BASE, VM_CALL_BASE, kernelCall, vmCall } from './minixNames.js';
import type { IpcTargets, IoRange, PciClassId, PciDeviceId, ServiceDescription } from './systemConf.js';

export interface PrivilegeSpec {
  readonly label: string;
  /**
   * Whom the service may send to. RS makes send rights symmetric: a target listed here may also send back,
   * and `all-sys` means every system process (not user processes).
   */
  readonly ipcTargets: IpcTargets;
  /** Kernel calls by name, ordered by number. */
  readonly kernelCalls: readonly string[];
  readonly kernelCallNumbers: readonly number[];
  readonly vmCalls: readonly string[];
  readonly vmCallNumbers: readonly number[];
  /** 'all' means no I/O port check (`io ALL`). */
  readonly ioRanges: 'all' | readonly IoRange[];
  /** 'all' means no IRQ check (`irq ALL`). */
  readonly irqs: 'all' | readonly number[];
  readonly pciDevices: readonly PciDeviceId[];
  readonly pciClasses: readonly PciClassId[];
  readonly priority: number;
  readonly quantumMs: number;
  readonly uid: number | 'SELF';
  /** 'SELF' or a label. */
  readonly signalManager: string;
  /** 'KERNEL' or a label. */
  readonly scheduler: string;
  readonly controllers: readonly string[];
  readonly flags: PrivilegeFlags;
}

export interface PrivilegeFlags {
  /** Every service RS starts from system.conf is a system process (SYS_PROC). */
  readonly systemProcess: boolean;
  readonly scheduledByKernel: boolean;
  /** The service is its own signal manager: a fatal signal panics the system. */
  readonly ownSignalManager: boolean;
  readonly checksIo: boolean;
  readonly checksIrq: boolean;
  readonly networkDriver: boolean;
}

export function toPrivilegeSpec(s: ServiceDescription): PrivilegeSpec {
  return {
    label: s.label,
    ipcTargets: s.ipc,
    kernelCalls: s.kernelCalls,
    kernelCallNumbers: s.kernelCalls.map((n) => KERNEL_CALL_BASE + kernelCall(n)!.offset),
    vmCalls: s.vmCalls,
    vmCallNumbers: s.vmCalls.map((n) => VM_CALL_BASE + vmCall(n)!.offset),
    ioRanges: s.io.all ? 'all' : s.io.ranges,
    irqs: s.irq.all ? 'all' : s.irq.lines,
    pciDevices: s.pciDevices,
    pciClasses: s.pciClasses,
    priority: s.priority,
    quantumMs: s.quantumMs,
    uid: s.uid,
    signalManager: s.sigmgr,
    scheduler: s.scheduler,
    controllers: s.control,
    flags: {
      systemProcess: true,
      scheduledByKernel: s.scheduler === 'KERNEL',
      ownSignalManager: s.sigmgr === 'SELF',
      checksIo: !s.io.all,
      checksIrq: !s.irq.all,
      networkDriver: s.type === 'net',
    },
  };
}

/** True if the spec lets the service send to `target`; `targetIsSystem` tells whether the target is a system process. */
export function allowsIpcTo(spec: PrivilegeSpec, target: string, targetIsSystem: boolean): boolean {
  const t = spec.ipcTargets;
  if (t.kind === 'all') return true;
  if (t.kind === 'all-sys') return targetIsSystem;
  return t.labels.includes(target) || (!targetIsSystem && t.labels.includes('USER'));
}

/** True if the port lies in one of the spec's I/O ranges. */
export function allowsIoPort(spec: PrivilegeSpec, port: number): boolean {
  if (spec.ioRanges === 'all') return true;
  return spec.ioRanges.some((r) => port >= r.base && port < r.base + r.length);
}
