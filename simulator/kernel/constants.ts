// MINIX's numbers: IPC calls, error codes, special endpoints, endpoint
// encoding, notification and asynchronous-message flags, kernel call numbers.
// Values follow minix/include/minix/{ipcconst,com,endpoint}.h and sys/errno.h.

export const OK = 0;

/** Error codes are negative, as inside MINIX's kernel and servers (_SIGN is -1). */
export const Errno = {
  EPERM: -1,
  ENOENT: -2,
  ESRCH: -3,
  EINTR: -4,
  EIO: -5,
  E2BIG: -7,
  ENOMEM: -12,
  EFAULT: -14,
  EBUSY: -16,
  EEXIST: -17,
  EINVAL: -22,
  EDOM: -33,
  EAGAIN: -35,
  ELOOP: -62,
  ENOSYS: -78,
  ENOTREADY: -201,
  EDEADSRCDST: -202,
  EDONTREPLY: -203,
  EGENERIC: -204,
  ELOCKED: -208,
  EBADCALL: -209,
  ECALLDENIED: -210,
  ETRAPDENIED: -211,
  EBADREQUEST: -212,
  EDEADEPT: -215,
  EBADEPT: -216,
} as const;
export type ErrnoName = keyof typeof Errno;

const errnoNames = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** "OK", an error's name, or the number as text. */
export function statusName(status: number): string {
  if (status === OK) return 'OK';
  return errnoNames.get(status) ?? String(status);
}

/** IPC trap numbers (ipcconst.h). */
export const IpcCall = {
  SEND: 1,
  RECEIVE: 2,
  SENDREC: 3,
  NOTIFY: 4,
  SENDNB: 5,
  SENDA: 16,
} as const;
export type IpcCallName = keyof typeof IpcCall;
export const ipcCallNames: Readonly<Record<number, IpcCallName>> = Object.fromEntries(
  Object.entries(IpcCall).map(([k, v]) => [v, k as IpcCallName]),
);
/** Kernel calls arrive through their own trap, as in MINIX 3.2 and later. */
export const KERNEL_CALL_TRAP = 0x600;

/** Special endpoints (com.h). Kernel tasks have negative process slots. */
export const ASYNCM = -5;
export const IDLE = -4;
export const CLOCK = -3;
export const SYSTEM = -2;
export const KERNEL = -1;
export const HARDWARE = KERNEL;
export const ANY = 0x7ace;
export const NONE = 0x6ace;
export const SELF = 0x8ace;
export const NR_TASKS = 5;

/** Endpoint = generation * GENERATION_SIZE + slot (endpoint.h). */
export const MAX_NR_TASKS = 1023;
export const GENERATION_SIZE = MAX_NR_TASKS + SELF + 1;
export const MAX_GENERATION = Math.floor(0x7fffffff / GENERATION_SIZE) - 1;

export function makeEndpoint(generation: number, slot: number): number {
  return generation * GENERATION_SIZE + slot;
}

export function endpointSlot(endpoint: number): number {
  if (endpoint >= -MAX_NR_TASKS && endpoint < GENERATION_SIZE - MAX_NR_TASKS) return endpoint;
  return (((endpoint + MAX_NR_TASKS) % GENERATION_SIZE) + GENERATION_SIZE) % GENERATION_SIZE - MAX_NR_TASKS;
}

export function endpointGeneration(endpoint: number): number {
  return Math.floor((endpoint + MAX_NR_TASKS) / GENERATION_SIZE);
}

/** m_type of every notification; the source tells what it is about. */
export const NOTIFY_MESSAGE = 0x1000;

/** Asynchronous message table flags (ipc.h). */
export const AMF = {
  EMPTY: 0,
  VALID: 0x01,
  DONE: 0x02,
  NOTIFY: 0x04,
  NOREPLY: 0x08,
  NOTIFY_ERR: 0x10,
} as const;

/** Grant flags (safecopies.h). */
export const CPF = {
  READ: 0x000001,
  WRITE: 0x000002,
  TRY: 0x000010,
  USED: 0x000100,
  DIRECT: 0x000200,
  INDIRECT: 0x000400,
  MAGIC: 0x000800,
  VALID: 0x001000,
} as const;
export const GRANT_INVALID = -1;
/** A grant id is (sequence << GRANT_SHIFT) | index, so a reused slot gets a new id. */
export const GRANT_SHIFT = 20;
export const MAX_INDIRECT_DEPTH = 5;

/** Kernel call numbers, offsets from KERNEL_CALL in com.h. The last three are the simulator's own. */
export const KernelCall = {
  PRIVCTL: 4,
  KILL: 6,
  GETKSIG: 7,
  UMAP: 14,
  VIRCOPY: 15,
  IRQCTL: 19,
  DEVIO: 21,
  SDEVIO: 22,
  SETALARM: 24,
  TIMES: 25,
  GETINFO: 26,
  SAFECOPYFROM: 31,
  SAFECOPYTO: 32,
  SETGRANT: 34,
  /** sys_update: two processes trade slots and endpoints (RS_SWAP of a live update or a restart). */
  UPDATE: 52,
  EXIT: 53,
  /** Simulator: create a process from a registered program with a privilege structure. */
  SPAWN: 64,
  /** Simulator: verify the checksums of kernel memory. */
  KCHECK: 65,
  /** Simulator: map physical memory (device registers) into the caller, within its memory ranges (VM's vm_map_phys). */
  MAPPHYS: 66,
  /**
   * Simulator: map (reqA=1) or unmap (reqA=0) a DMA buffer of the caller for a
   * device whose ports it may use, as a DMA-API call maps a packet buffer
   * before the transfer and unmaps it after.
   */
  DMAMAP: 67,
} as const;
export type KernelCallName = keyof typeof KernelCall;
export const kernelCallNames: Readonly<Record<number, KernelCallName>> = Object.fromEntries(
  Object.entries(KernelCall).map(([k, v]) => [v, k as KernelCallName]),
);
export const NR_KERNEL_CALLS = 128;

/** DEVIO request bits (com.h _DIO_*): a direction, and a width that is a value of the type field, not a bit. */
export const DIO = {
  INPUT: 0x001,
  OUTPUT: 0x002,
  BYTE: 0x010,
  WORD: 0x020,
  LONG: 0x030,
  TYPEMASK: 0x0f0,
} as const;

/** IRQCTL requests and policy. */
export const IrqCtl = {
  SETPOLICY: 1,
  RMPOLICY: 2,
  ENABLE: 3,
  DISABLE: 4,
} as const;
export const IRQ_REENABLE = 0x001;

/** PRIVCTL requests. */
export const PrivCtl = {
  ALLOW: 1,
  DISALLOW: 2,
  SET_SYS: 3,
} as const;

/** GETINFO requests. ENDPOINT is the simulator's own: the live process with a given name, which MINIX's processes ask DS for. */
export const GetInfo = {
  WHOAMI: 1,
  PROC: 2,
  MONOTONIC: 3,
  ENDPOINT: 4,
} as const;

export const SIGKILL = 9;
export const SIGTERM = 15;

/** Scheduling queues: 0 is the highest priority. */
export const NR_SCHED_QUEUES = 16;
export const TASK_Q = 0;
export const USER_Q = 7;
export const MIN_USER_Q = NR_SCHED_QUEUES - 1;
