// The privilege structure of a process (MINIX's struct priv): which IPC traps,
// targets and kernel calls it may use, its I/O ports, IRQs, memory ranges and
// grant table size. A spec says it by name, as system.conf does; the kernel
// compiles it into bit masks when it creates the process (or PRIVCTL replaces
// them), and checks only the masks.
import { IpcCall, KernelCall, NR_KERNEL_CALLS, type IpcCallName, type KernelCallName } from './constants';

export interface IoRange {
  readonly base: number;
  /** Number of ports from base. */
  readonly count: number;
}

export interface MemRange {
  readonly base: number;
  readonly bytes: number;
}

/** What a system description (system.conf) says about a service, by name; config/privileges.ts builds it from an entry. */
export interface PrivilegeSpec {
  /** A system process (SYS_PROC): signals other than SIGKILL arrive as notifications from SYSTEM. */
  readonly system?: boolean;
  /** Allowed IPC traps; default all. */
  readonly traps?: readonly IpcCallName[] | 'ALL';
  /**
   * Allowed IPC targets by process name; 'ALL' any process, 'ALL_SYS' any system process.
   * Names may include 'SYSTEM' (the kernel tasks) and 'USER' (processes that are not system processes).
   * Default 'ALL'. As in MINIX, permission is symmetric: a target may always reply.
   */
  readonly ipcTo?: readonly string[] | 'ALL' | 'ALL_SYS';
  /** Allowed kernel calls by name; default none. */
  readonly kernelCalls?: readonly KernelCallName[] | 'ALL';
  readonly ioRanges?: readonly IoRange[];
  readonly irqs?: readonly number[];
  readonly memRanges?: readonly MemRange[];
  /** Grant table entries the process may use; default 64. */
  readonly grantEntries?: number;
  /** May create magic grants (MINIX hardcodes VFS and MIB). */
  readonly magicGrants?: boolean;
  /**
   * Device registers mapped into the process's address space (as a MINIX
   * driver maps its device's memory-mapped registers, or a kernel-bypass
   * library its NIC's): it reads and writes them from user mode, without a
   * kernel entry. Default none.
   */
  readonly mappedIo?: readonly IoRange[];
}

export class Privilege {
  readonly system: boolean;
  readonly trapMask: number;
  readonly ipcToAll: boolean;
  readonly ipcToAllSys: boolean;
  readonly ipcToNames: ReadonlySet<string>;
  /** One byte per kernel call number: 1 if allowed. */
  readonly callMask: Uint8Array;
  readonly ioRanges: readonly IoRange[];
  readonly irqs: ReadonlySet<number>;
  readonly memRanges: readonly MemRange[];
  readonly grantEntries: number;
  readonly magicGrants: boolean;
  readonly mappedIo: readonly IoRange[];

  constructor(readonly spec: PrivilegeSpec) {
    this.system = spec.system ?? false;
    let mask = 0;
    const traps = spec.traps ?? 'ALL';
    for (const name of traps === 'ALL' ? (Object.keys(IpcCall) as IpcCallName[]) : traps) {
      const nr = IpcCall[name];
      if (nr === undefined) throw new RangeError(`unknown IPC trap ${String(name)}`);
      mask |= 1 << nr;
    }
    this.trapMask = mask;
    const to = spec.ipcTo ?? 'ALL';
    this.ipcToAll = to === 'ALL';
    this.ipcToAllSys = to === 'ALL_SYS';
    this.ipcToNames = new Set(typeof to === 'string' ? [] : to);
    this.callMask = new Uint8Array(NR_KERNEL_CALLS);
    const calls = spec.kernelCalls ?? [];
    for (const name of calls === 'ALL' ? (Object.keys(KernelCall) as KernelCallName[]) : calls) {
      const nr = KernelCall[name];
      if (nr === undefined) throw new RangeError(`unknown kernel call ${String(name)}`);
      this.callMask[nr] = 1;
    }
    this.ioRanges = [...(spec.ioRanges ?? [])];
    this.irqs = new Set(spec.irqs ?? []);
    this.memRanges = [...(spec.memRanges ?? [])];
    this.grantEntries = spec.grantEntries ?? 64;
    this.magicGrants = spec.magicGrants ?? false;
    this.mappedIo = [...(spec.mappedIo ?? [])];
  }

  allowsTrap(call: number): boolean {
    return call < 31 && (this.trapMask & (1 << call)) !== 0;
  }

  allowsKernelCall(call: number): boolean {
    return this.callMask[call] === 1;
  }

  allowsPorts(port: number, width: number): boolean {
    for (const r of this.ioRanges) if (port >= r.base && port + width <= r.base + r.count) return true;
    return false;
  }

  /** Whether the registers at [port, port + width) are mapped into the process. */
  allowsMappedIo(port: number, width: number): boolean {
    for (const r of this.mappedIo) if (port >= r.base && port + width <= r.base + r.count) return true;
    return false;
  }

  allowsMemory(base: number, bytes: number): boolean {
    for (const r of this.memRanges) if (base >= r.base && base + bytes <= r.base + r.bytes) return true;
    return false;
  }

  /** Whether this privilege names `target` (by name and system flag) as an IPC target. */
  names(targetName: string, targetIsSystem: boolean, targetIsKernelTask: boolean): boolean {
    if (this.ipcToAll) return true;
    if (this.ipcToAllSys && (targetIsSystem || targetIsKernelTask)) return true;
    if (this.ipcToNames.has(targetName)) return true;
    if (targetIsKernelTask && this.ipcToNames.has('SYSTEM')) return true;
    if (!targetIsSystem && !targetIsKernelTask && this.ipcToNames.has('USER')) return true;
    return false;
  }
}

/** Every port of the 16-bit I/O space: system.conf's `io ALL`. */
export const ALL_IO_PORTS: readonly IoRange[] = [{ base: 0, count: 0x10000 }];
/** The 16 IRQ lines of a PC (MINIX's NR_IRQ_VECTORS): system.conf's `irq ALL`. */
export const ALL_IRQS: readonly number[] = Array.from({ length: 16 }, (_, i) => i);

/** Everything allowed: for boot processes in tests and for the kernel tasks. */
export const FULL_PRIVILEGE: PrivilegeSpec = {
  system: true,
  traps: 'ALL',
  ipcTo: 'ALL',
  kernelCalls: 'ALL',
  ioRanges: ALL_IO_PORTS,
  irqs: ALL_IRQS,
  memRanges: [{ base: 0, bytes: 2 ** 32 }],
  grantEntries: 1024,
  magicGrants: true,
};

/** An ordinary user program: all traps, any target, no kernel calls. */
export const USER_PRIVILEGE: PrivilegeSpec = { system: false, traps: 'ALL', ipcTo: 'ALL', kernelCalls: [] };
