// MINIX names an editor and the system.conf parser need: kernel calls, VM calls, keys, standard labels.

/** Base of kernel call numbers (KERNEL_CALL in minix/include/minix/com.h). */
export const KERNEL_CALL_BASE = 0x600;
/** Base of VM request numbers (VM_RQ_BASE in minix/include/minix/com.h). */
export const VM_CALL_BASE = 0xc00;
/** Number of scheduling queues (NR_SCHED_QUEUES); valid priorities are 0..15. */
export const NR_SCHED_QUEUES = 16;
/** Limits the `service` utility enforces (RSS_NR_IRQ, RSS_NR_IO, RS_NR_PCI_DEVICE, RS_NR_PCI_CLASS, RS_NR_CONTROL). */
export const MAX_IRQS = 16;
export const MAX_IO_RANGES = 16;
export const MAX_PCI_DEVICES = 32;
export const MAX_PCI_CLASSES = 4;
export const MAX_CONTROL = 8;
/** Maximum length of a service label (RS_MAX_LABEL_LEN). */
export const MAX_LABEL_LENGTH = 16;

/** A kernel call or a VM call, as system.conf names it. */
export interface CallInfo {
  /** Name as written in system.conf, without the SYS_ or VM_ prefix. */
  readonly name: string;
  /** Offset from KERNEL_CALL_BASE or VM_CALL_BASE; the call number is the base plus the offset. */
  readonly offset: number;
  /** True if the call is in SYS_BASIC_CALLS (VM_BASIC_CALLS), granted to every system service unless `system NONE` (`vm NONE`). */
  readonly basic: boolean;
  /** True if MINIX 3.4's `service` utility accepts the name in a `system` list (its system_tab) or a `vm` list (its vm_table). */
  readonly listable: boolean;
  /** Set when the call no longer exists in MINIX 3.4 (it appears in configuration files of older MINIX releases). */
  readonly obsolete?: string;
  readonly description: string;
}

/** Makes table entries that are not basic and, unless `extra` says otherwise, listable as given. */
function calls(listableByDefault: boolean) {
  return (name: string, offset: number, description: string, extra: Partial<CallInfo> = {}): CallInfo => ({
    name, offset, basic: false, listable: listableByDefault, description, ...extra,
  });
}
// Kernel calls default to not listable and VM calls to listable, so that each table marks only its exceptions.
const kc = calls(false);
const vc = calls(true);
const L = { listable: true } as const;
const B = { basic: true } as const;

export const KERNEL_CALLS: readonly CallInfo[] = [
  kc('FORK', 0, 'Create a process slot as a copy of another (used by PM).'),
  kc('EXEC', 1, 'Set a process up to run a new program image (used by PM).'),
  kc('CLEAR', 2, 'Clean up a process slot after the process exits (used by PM).'),
  kc('SCHEDULE', 3, 'Set the priority, quantum and CPU of a process (used by schedulers).'),
  kc('PRIVCTL', 4, 'Set or change the privileges of another process (used by RS and the PCI server).', L),
  kc('TRACE', 5, 'Read or write the memory and registers of a traced process (ptrace).', L),
  kc('KILL', 6, 'Send a signal to a process.', L),
  kc('GETKSIG', 7, 'Fetch pending kernel signals (used by signal managers).'),
  kc('ENDKSIG', 8, 'Finish processing kernel signals (used by signal managers).'),
  kc('SIGSEND', 9, 'Deliver a POSIX signal by building a signal frame (used by PM).'),
  kc('SIGRETURN', 10, 'Return from a signal handler (used by PM).'),
  kc('NEWMAP', 11, 'Install a new memory map for a process.', { obsolete: 'removed with segmentation, before MINIX 3.2' }),
  kc('SEGCTL', 12, 'Obtain a segment descriptor for a physical memory range.', { obsolete: 'removed with segmentation, before MINIX 3.2' }),
  kc('MEMSET', 13, 'Fill physical memory with a pattern.', L),
  kc('UMAP', 14, 'Translate a virtual address of the caller or another process to a physical address.', L),
  kc('VIRCOPY', 15, 'Copy between virtual addresses of any two processes, without grants.', L),
  kc('PHYSCOPY', 16, 'Copy between physical addresses.', L),
  kc('UMAP_REMOTE', 17, 'Translate a virtual address of another process on behalf of a third (used by amddev).', L),
  kc('VUMAP', 18, 'Translate a vector of grant-backed virtual ranges to physical ranges (for DMA).', L),
  kc('IRQCTL', 19, 'Set an IRQ policy, and enable or disable an interrupt line (only IRQs the service holds).', L),
  kc('INT86', 20, 'Make a real-mode BIOS call.', { listable: true, obsolete: 'removed from MINIX 3.4' }),
  kc('DEVIO', 21, 'Read or write a single I/O port (only ports in the service\'s io ranges).', L),
  kc('SDEVIO', 22, 'Transfer a buffer to or from an I/O port (string I/O, ports in the io ranges).', L),
  kc('VDEVIO', 23, 'Perform a vector of I/O port reads or writes (ports in the io ranges).', L),
  kc('SETALARM', 24, 'Schedule a synchronous alarm (a notification from CLOCK).', B),
  kc('TIMES', 25, 'Read process times and the uptime.', B),
  kc('GETINFO', 26, 'Copy kernel information (process table, privileges, machine data) to the caller.', B),
  kc('ABORT', 27, 'Shut the system down or reboot.', L),
  kc('IOPENABLE', 28, 'Give a process direct access to all I/O ports (the IOPL bit).', L),
  kc('SAFECOPYFROM', 31, 'Copy from another process\'s memory through a grant it made.', B),
  kc('SAFECOPYTO', 32, 'Copy to another process\'s memory through a grant it made.', B),
  kc('VSAFECOPY', 33, 'Perform a vector of grant-based copies.', B),
  kc('SETGRANT', 34, 'Tell the kernel where the caller\'s grant table is.', B),
  kc('READBIOS', 35, 'Read from the BIOS data area in low physical memory.', L),
  kc('SPROF', 36, 'Start or stop statistical profiling.'),
  kc('CPROF', 37, 'Control call profiling.', { obsolete: 'removed from MINIX 3.4' }),
  kc('PROFBUF', 38, 'Register a profiling buffer.', { obsolete: 'removed from MINIX 3.4' }),
  kc('STIME', 39, 'Set the boot time (the base of the real-time clock).', L),
  kc('SETTIME', 40, 'Set or adjust the real-time clock.'),
  kc('VMCTL', 43, 'Kernel support for the VM server: page tables, page faults, memory requests.', L),
  kc('DIAGCTL', 44, 'Print diagnostics or a stack trace to the kernel log.', B),
  kc('SYSCTL', 44, 'Older name of DIAGCTL.', { obsolete: 'renamed DIAGCTL in MINIX 3.3' }),
  kc('VTIMER', 45, 'Set or read a process\'s virtual or profiling interval timer.'),
  kc('RUNCTL', 46, 'Stop or resume a process (used by RS and PM).'),
  kc('SAFEMAP', 47, 'Map another process\'s granted memory into the caller.', { obsolete: 'removed from MINIX 3.3' }),
  kc('SAFEREVMAP', 48, 'Undo a grant-based mapping by grant.', { obsolete: 'removed from MINIX 3.3' }),
  kc('SAFEUNMAP', 49, 'Undo a grant-based mapping by address.', { obsolete: 'removed from MINIX 3.3' }),
  kc('GETMCONTEXT', 50, 'Read a process\'s machine context (getcontext).'),
  kc('SETMCONTEXT', 51, 'Write a process\'s machine context (setcontext).'),
  kc('UPDATE', 52, 'Swap two processes for a live update (used by RS).'),
  kc('EXIT', 53, 'Terminate the calling system service.', B),
  kc('SCHEDCTL', 54, 'Make the caller (or the kernel) the scheduler of a process.'),
  kc('STATECTL', 55, 'Control the caller\'s state: IPC references and filters during live update.', B),
  kc('SAFEMEMSET', 56, 'Fill another process\'s granted memory with a pattern.', B),
  kc('PADCONF', 57, 'Configure SoC pin multiplexing (ARM boards).', L),
];

export const VM_CALLS: readonly CallInfo[] = [
  vc('EXIT', 0, 'Tear down a process\'s address space when it exits (used by PM).'),
  vc('FORK', 1, 'Copy an address space for a new process (used by PM).'),
  vc('BRK', 2, 'Move the end of the data segment.', { basic: true, listable: false }),
  vc('EXEC_NEWMEM', 3, 'Build a fresh address space for exec (used by PM).'),
  vc('PUSH_SIG', 4, 'Make room on a stack for a signal frame.', { obsolete: 'accepted and ignored by MINIX 3.4' }),
  vc('WILLEXIT', 5, 'Warn VM that a process is about to exit (used by PM).'),
  vc('MMAP', 10, 'Map anonymous or file memory.', { basic: true, listable: false }),
  vc('ADDDMA', 12, 'Tell VM that a memory region is used for bus-master DMA.'),
  vc('DELDMA', 13, 'Tell VM that a memory region is no longer used for DMA.'),
  vc('GETDMA', 14, 'Ask VM for a DMA region to release.'),
  vc('MAP_PHYS', 15, 'Map a physical memory range (device memory) into the caller.', { basic: true, listable: false }),
  vc('UNMAP_PHYS', 16, 'Undo MAP_PHYS.', { basic: true, listable: false }),
  vc('MUNMAP', 17, 'Unmap memory.', { basic: true, listable: false }),
  vc('MAPCACHEPAGE', 26, 'Map a block of the file-system cache (used by file servers).'),
  vc('SETCACHEPAGE', 27, 'Enter a page into the file-system cache (used by file servers).'),
  vc('FORGETCACHEPAGE', 28, 'Drop a page from the file-system cache.'),
  vc('CLEARCACHE', 29, 'Drop all cached pages of a device.'),
  vc('VFS_REPLY', 30, 'Answer a request VM made to VFS (used by VFS).'),
  vc('REMAP', 33, 'Map memory of another process into the caller (shared memory).'),
  vc('SHM_UNMAP', 34, 'Undo a REMAP.'),
  vc('GETPHYS', 35, 'Find the physical address behind a virtual address.'),
  vc('GETREF', 36, 'Read the reference count of a page.'),
  vc('RS_SET_PRIV', 37, 'Set the VM call privileges of a service (used by RS).'),
  vc('QUERY_EXIT', 38, 'Ask which watched process exited.', { listable: false }),
  vc('NOTIFY_SIG', 39, 'Forward a signal notification to a process (used by PM).', { listable: false }),
  vc('INFO', 40, 'Read VM statistics and memory regions.', { basic: true }),
  vc('RS_UPDATE', 41, 'Swap address spaces for a live update (used by RS).'),
  vc('RS_MEMCTL', 42, 'Pin or preallocate a service\'s memory (used by RS).'),
  vc('WATCH_EXIT', 43, 'Be notified when a process exits.', { listable: false }),
  vc('REMAP_RO', 44, 'As REMAP, read-only.'),
  vc('PROCCTL', 45, 'Clear or prefault a process\'s memory.'),
  vc('VFS_MMAP', 46, 'Map a file on behalf of VFS.'),
  vc('GETRUSAGE', 47, 'Read a process\'s memory usage.', { basic: true }),
  vc('RS_PREPARE', 48, 'Prepare VM for a live update (used by RS).'),
];

export interface KeyInfo {
  readonly name: string;
  readonly syntax: string;
  readonly description: string;
  readonly defaultText: string;
}

export const SERVICE_KEYS: readonly KeyInfo[] = [
  { name: 'uid', syntax: 'uid <number|login|SELF>;', description: 'User id the service runs as.', defaultText: 'service (uid 12)' },
  { name: 'ipc', syntax: 'ipc <ALL|ALL_SYS|NONE|label ...>;', description: 'Processes the service may send messages to; SYSTEM names the kernel, USER all user processes.', defaultText: 'ALL_SYS' },
  { name: 'system', syntax: 'system <ALL|BASIC|NONE|call ...>;', description: 'Kernel calls the service may make, in addition to the basic ones unless NONE.', defaultText: 'BASIC' },
  { name: 'vm', syntax: 'vm <ALL|BASIC|NONE|call ...>;', description: 'VM server calls the service may make, in addition to the basic ones unless NONE.', defaultText: 'BASIC' },
  { name: 'io', syntax: 'io <ALL|NONE|base[:len] ...>;', description: 'I/O port ranges the service may use; base and length in hex, length 1 if omitted.', defaultText: 'NONE' },
  { name: 'irq', syntax: 'irq <ALL|NONE|irq ...>;', description: 'Interrupt lines the service may attach to.', defaultText: 'NONE' },
  { name: 'sigmgr', syntax: 'sigmgr <SELF|label>;', description: 'Service that receives this service\'s signals; SELF makes a fatal signal a kernel panic.', defaultText: 'rs' },
  { name: 'scheduler', syntax: 'scheduler <KERNEL|label>;', description: 'Who schedules the service: the kernel or a scheduling server.', defaultText: 'sched' },
  { name: 'priority', syntax: 'priority <0..15>;', description: 'Scheduling queue; 0 is the highest priority.', defaultText: '7 (USER_Q)' },
  { name: 'quantum', syntax: 'quantum <ms>;', description: 'Time slice in milliseconds.', defaultText: '200 (USER_QUANTUM)' },
  { name: 'cpu', syntax: 'cpu <number>;', description: 'CPU to run on (SMP).', defaultText: 'the default CPU' },
  { name: 'pci', syntax: 'pci device <vid:did[/svid:sdid]> ...; or pci class <class[/sub[/if]]> ...;', description: 'PCI devices (by vendor and device id) or classes the driver may claim from the PCI server.', defaultText: 'none' },
  { name: 'control', syntax: 'control <label ...>;', description: 'Services allowed to control this one through RS (for example restart it).', defaultText: 'none' },
  { name: 'type', syntax: 'type net;', description: 'Kind of driver; `net` makes the network stack attach to it.', defaultText: 'none' },
  { name: 'descr', syntax: 'descr "text";', description: 'Human-readable description of the device.', defaultText: 'none' },
  { name: 'class', syntax: 'class <label ...>;', description: 'Take the settings of other service entries in the same file first.', defaultText: 'none' },
  { name: 'domain', syntax: 'domain <family ...>;', description: 'Socket protocol families the service implements as a socket driver (for example INET INET6 for a TCP/IP stack, LOCAL for UNIX domain sockets); VFS sends socket calls of those families to it.', defaultText: 'none' },
];

/**
 * The protocol families `domain` accepts by name: the table of MINIX's
 * service(8) parser (minix/commands/minix-service/parse.c, domain_tab), with
 * the numbers of NetBSD's sys/socket.h that MINIX uses. A number from 1 to
 * PF_MAX - 1 is accepted as well.
 */
export const SOCKET_DOMAINS: Readonly<Record<string, number>> = {
  LOCAL: 1, INET: 2, IMPLINK: 3, PUP: 4, CHAOS: 5, NS: 6, ISO: 7, ECMA: 8, DATAKIT: 9, CCITT: 10, SNA: 11, DECnet: 12,
  DLI: 13, LAT: 14, HYLINK: 15, APPLETALK: 16, OROUTE: 17, LINK: 18, XTP: 19, COIP: 20, CNT: 21, RTIP: 22, IPX: 23,
  INET6: 24, PIP: 25, ISDN: 26, NATM: 27, ARP: 28, KEY: 29, BLUETOOTH: 31, MPLS: 33, ROUTE: 34,
};
/** NetBSD's PF_MAX: domains are 1 to PF_MAX - 1. */
export const PF_MAX = 35;
/** MINIX's NR_DOMAIN (minix/include/minix/config.h): the most families one service may take. */
export const NR_DOMAIN = 8;

/** Labels of MINIX 3 system processes and common drivers, valid as IPC targets without being defined in the file. */
export const STANDARD_LABELS: readonly string[] = [
  'SYSTEM', 'USER', 'KERNEL', 'CLOCK', 'IDLE', 'HARDWARE', 'ASYNCM',
  'pm', 'vfs', 'rs', 'ds', 'vm', 'tty', 'mfs', 'pfs', 'sched', 'init', 'mib', 'log', 'memory',
  'pci', 'inet', 'lwip', 'amddev', 'ext2', 'isofs', 'procfs', 'ptyfs', 'vbfs', 'hgfs', 'ipc', 'devman',
  'at_wini', 'bios_wini', 'ahci', 'virtio_blk', 'floppy', 'filter', 'printer', 'random', 'input',
  'rtl8139', 'rtl8169', 'e1000', 'dp8390', 'dpeth', 'lance', 'fxp', 'orinoco', 'atl2', 'dec21140A', 'virtio_net', 'lan8710a', 'ip1000',
  'audio', 'es1370', 'es1371', 'sb16', 'cmi8738', 'als4000', 'trident', 'fbd', 'fb', 'tda19988', 'cat24c256', 'tsl2550', 'bmp085', 'sht21', 'i2c', 'gpio', 'uds', 'acpi', 'usbd', 'hello', 'ramdisk',
];

/** Logins in MINIX's /etc/master.passwd, for `uid <login>`. */
export const MINIX_LOGINS: Readonly<Record<string, number>> = {
  root: 0, daemon: 1, bin: 2, uucp: 5, news: 6, ftp: 7, ast: 8, www: 9, driver: 10, server: 11, service: 12,
  sshd: 22, smtpd: 25, postfix: 27, postgres: 30, _ntp: 123, games: 9998, nobody: 9999,
};

/** MINIX's defaults for a dynamically started service (minix/priv.h DSRV_*, minix/config.h, parse.c do_config). */
export const SERVICE_DEFAULTS = {
  uid: 12,
  uidLogin: 'service',
  sigmgr: 'rs',
  scheduler: 'sched',
  priority: 7,
  quantumMs: 200,
  cpu: -1,
} as const;

const kernelByName = new Map<string, CallInfo>(KERNEL_CALLS.map((c) => [c.name, c]));
const vmByName = new Map<string, CallInfo>(VM_CALLS.map((c) => [c.name, c]));
const keyByName = new Map<string, KeyInfo>(SERVICE_KEYS.map((k) => [k.name, k]));

export function kernelCall(name: string): CallInfo | undefined {
  return kernelByName.get(name);
}
export function vmCall(name: string): CallInfo | undefined {
  return vmByName.get(name);
}
export function serviceKey(name: string): KeyInfo | undefined {
  return keyByName.get(name);
}
export function kernelCallNumber(name: string): number | undefined {
  const c = kernelByName.get(name);
  return c === undefined ? undefined : KERNEL_CALL_BASE + c.offset;
}

/** Kernel calls in SYS_BASIC_CALLS (MINIX 3.4). */
export const BASIC_KERNEL_CALLS: readonly string[] = KERNEL_CALLS.filter((c) => c.basic).map((c) => c.name);
/** VM calls in VM_BASIC_CALLS (MINIX 3.4). */
export const BASIC_VM_CALLS: readonly string[] = VM_CALLS.filter((c) => c.basic).map((c) => c.name);
/** Every current kernel call: what `system ALL` grants. */
export const ALL_KERNEL_CALLS: readonly string[] = KERNEL_CALLS.filter((c) => c.obsolete === undefined).map((c) => c.name);
/** Every current VM call: what `vm ALL` grants. */
export const ALL_VM_CALLS: readonly string[] = VM_CALLS.filter((c) => c.obsolete === undefined).map((c) => c.name);
