// Kernel calls (MINIX's kernel/system/do_*.c): one handler per call number.
// Each handler validates everything first and only then changes state.
import { PagePerm } from '../hw/mmu';
import { PAGE_BYTES } from '../hw/memory';
import type { PortWidth } from '../hw/bus';
import { TraceKind } from '../trace/kinds';
import {
  CPF, DIO, Errno, GetInfo, IrqCtl, KernelCall, NONE, NR_KERNEL_CALLS, NR_TASKS, OK, PrivCtl, SELF, SIGKILL, SYSTEM, endpointSlot,
} from './constants';
import type { Kernel, SpawnSpec } from './kernel';
import { Privilege, type PrivilegeSpec } from './privilege';
import { Rts, type ChildEvent, type Proc } from './proc';
import { verifyGrant, type GrantTable, type VerifiedGrant } from './grants';

/** An out (or in/out) parameter, as MINIX passes pointers: allocate once, reuse. */
export interface Ref<T> {
  value: T;
}

export interface TimesOut {
  userCycles: number;
  kernelCycles: number;
  uptimeCycles: number;
}

export interface ProcInfoOut {
  endpoint: number;
  /** Which instance runs at the endpoint: a restarted service keeps its endpoint but not this. */
  instance: number;
  name: string;
  program: string;
  priority: number;
  kernelMode: boolean;
  system: boolean;
}

export interface ChildEventOut {
  event: ChildEvent | null;
}

export interface IntegrityOut {
  ok: boolean;
  corruptedPages: readonly number[];
}

export interface SpawnRequest {
  readonly spec: SpawnSpec;
  endpoint: number;
}

export interface EndpointLookup {
  readonly name: string;
  endpoint: number;
}

type Handler = (k: Kernel, p: Proc) => number;

/** Resolves an endpoint argument of a kernel call: SELF, or a live process. */
function target(k: Kernel, p: Proc, endpoint: number): Proc | undefined {
  if (endpoint === SELF) return p;
  const t = k.procOf(endpoint);
  return t === undefined || t.isKernelTask ? undefined : t;
}

function copyCost(k: Kernel, bytes: number): number {
  return Math.ceil((bytes * k.cost.copyCyclesPerKiB) / 1024);
}

function widthOf(req: number): PortWidth | 0 {
  switch (req & DIO.TYPEMASK) {
    case DIO.BYTE:
      return 1;
    case DIO.WORD:
      return 2;
    case DIO.LONG:
      return 4;
    default:
      return 0;
  }
}

const doDevio: Handler = (k, p) => {
  const req = p.reqA;
  const port = p.reqB;
  const width = widthOf(req);
  const input = (req & DIO.INPUT) !== 0;
  if (width === 0 || input === ((req & DIO.OUTPUT) !== 0)) return Errno.EINVAL;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) return Errno.EINVAL;
  if (!p.priv!.allowsPorts(port, width)) return Errno.EPERM;
  const device = k.portDevice(port);
  k.charge(p, k.cost.portIoCycles, 'device');
  const mask = width === 4 ? 0xffffffff : (1 << (width * 8)) - 1;
  if (input) {
    const out = p.reqObj as Ref<number>;
    out.value = device === undefined ? mask : (device.ioRead(port, width) & mask) >>> 0;
  } else if (device !== undefined) {
    device.ioWrite(port, (p.reqC & mask) >>> 0, width);
  }
  return OK;
};

const doSdevio: Handler = (k, p) => {
  const req = p.reqA;
  const port = p.reqB;
  const vaddr = p.reqC;
  const bytes = p.reqD;
  const width = widthOf(req);
  const input = (req & DIO.INPUT) !== 0;
  if (width === 0 || input === ((req & DIO.OUTPUT) !== 0)) return Errno.EINVAL;
  if (!Number.isInteger(bytes) || bytes < 0 || bytes % width !== 0) return Errno.EINVAL;
  if (!p.priv!.allowsPorts(port, width)) return Errno.EPERM;
  const space = p.space!;
  if (!space.covers(vaddr, bytes, input ? PagePerm.write : PagePerm.read)) return Errno.EFAULT;
  const device = k.portDevice(port);
  const count = bytes / width;
  k.charge(p, k.cost.portIoCycles * count, 'device');
  const buf = new Uint8Array(bytes);
  const mem = k.memory.bytes;
  if (input) {
    for (let i = 0; i < count; i++) {
      const v = device === undefined ? 0xffffffff : device.ioRead(port, width);
      for (let b = 0; b < width; b++) buf[i * width + b] = (v >>> (8 * b)) & 0xff;
    }
    space.forEachPiece(vaddr, bytes, (pa, off, len) => mem.set(buf.subarray(off, off + len), pa));
  } else {
    space.forEachPiece(vaddr, bytes, (pa, off, len) => buf.set(mem.subarray(pa, pa + len), off));
    for (let i = 0; i < count; i++) {
      let v = 0;
      for (let b = 0; b < width; b++) v |= buf[i * width + b]! << (8 * b);
      device?.ioWrite(port, v >>> 0, width);
    }
  }
  return OK;
};

const doIrqctl: Handler = (k, p) => {
  const request = p.reqA;
  const ref = p.reqObj as Ref<number>;
  switch (request) {
    case IrqCtl.SETPOLICY: {
      const irq = p.reqB;
      const notifyId = ref.value;
      if (!p.priv!.irqs.has(irq)) return Errno.EPERM;
      if (!Number.isInteger(notifyId) || notifyId < 0 || notifyId > 31) return Errno.EINVAL;
      let id = k.irqHooks.indexOf(null);
      if (id < 0) id = k.irqHooks.length;
      k.irqHooks[id] = { id, irq, endpoint: p.endpoint, notifyId, policy: p.reqC, masked: false, pending: false };
      ref.value = id;
      return OK;
    }
    case IrqCtl.RMPOLICY:
    case IrqCtl.ENABLE:
    case IrqCtl.DISABLE: {
      const hook = k.irqHooks[ref.value];
      if (hook === undefined || hook === null) return Errno.EINVAL;
      if (hook.endpoint !== p.endpoint) return Errno.EPERM;
      if (request === IrqCtl.RMPOLICY) k.irqHooks[ref.value] = null;
      else if (request === IrqCtl.DISABLE) hook.masked = true;
      else {
        hook.masked = false;
        if (hook.pending) k.fireHook(hook);
      }
      return OK;
    }
    default:
      return Errno.EINVAL;
  }
};

const doUmap: Handler = (k, p) => {
  const t = target(k, p, p.reqA);
  if (t === undefined) return Errno.EDEADEPT;
  k.callTarget = t.endpoint;
  const vaddr = p.reqB;
  const bytes = p.reqC;
  if (bytes <= 0 || t.space === null || !t.space.covers(vaddr, bytes, PagePerm.read)) return Errno.EFAULT;
  const first = t.space.translate(vaddr, 0);
  let contiguous = true;
  t.space.forEachPiece(vaddr, bytes, (pa, off) => {
    if (pa !== first + off) contiguous = false;
  });
  if (!contiguous) return Errno.EFAULT;
  (p.reqObj as Ref<number>).value = first;
  return OK;
};

const doDmamap: Handler = (k, p) => {
  const map = p.reqA === 1;
  const deviceId = p.reqB;
  const vaddr = p.reqC;
  const bytes = p.reqD;
  if ((p.reqA !== 0 && !map) || !Number.isInteger(bytes) || bytes <= 0 || vaddr % PAGE_BYTES !== 0 || bytes % PAGE_BYTES !== 0) return Errno.EINVAL;
  if (p.space === null || !p.space.covers(vaddr, bytes, PagePerm.read)) return Errno.EFAULT;
  const first = p.space.translate(vaddr, 0);
  let contiguous = true;
  p.space.forEachPiece(vaddr, bytes, (pa, off) => {
    if (pa !== first + off) contiguous = false;
  });
  if (!contiguous) return Errno.EFAULT;
  const mapper = k.dmaMapper;
  const r = mapper === null ? OK : map ? mapper.map(p, deviceId, first, bytes, p.reqE !== 0) : mapper.unmap(p, deviceId, first, bytes);
  if (r === OK) (p.reqObj as Ref<number>).value = first;
  return r;
};

const doVircopy: Handler = (k, p) => {
  const src = target(k, p, p.reqA);
  const dst = target(k, p, p.reqC);
  if (src === undefined || dst === undefined) return Errno.EDEADEPT;
  const bytes = p.reqE;
  if (!Number.isInteger(bytes) || bytes < 0) return Errno.EINVAL;
  k.callTarget = src === p ? dst.endpoint : src.endpoint;
  const r = k.copyBetween(src, p.reqB, dst, p.reqD, bytes);
  if (r === OK) k.charge(p, copyCost(k, bytes), 'copy');
  return r;
};

const grantScratch: VerifiedGrant = { status: 0, endpoint: NONE, vaddr: 0 };

function safecopy(k: Kernel, p: Proc, access: number): number {
  const granterE = p.reqA;
  const grant = p.reqB;
  const offset = p.reqC;
  const vaddr = p.reqD;
  const bytes = p.reqE;
  if (!Number.isInteger(bytes) || bytes < 0 || !Number.isInteger(offset)) return Errno.EINVAL;
  if (k.procOf(granterE) === undefined) return Errno.EDEADEPT;
  k.callTarget = granterE;
  const r = verifyGrant(k, granterE, p.endpoint, grant, bytes, access, offset, grantScratch);
  if (r !== OK) return r;
  const owner = k.procOf(grantScratch.endpoint);
  if (owner === undefined) return Errno.EDEADEPT;
  const result = access === CPF.READ
    ? k.copyBetween(owner, grantScratch.vaddr, p, vaddr, bytes)
    : k.copyBetween(p, vaddr, owner, grantScratch.vaddr, bytes);
  if (result === OK) k.charge(p, copyCost(k, bytes), 'copy');
  return result;
}

const doSafecopyFrom: Handler = (k, p) => safecopy(k, p, CPF.READ);
const doSafecopyTo: Handler = (k, p) => safecopy(k, p, CPF.WRITE);

const doSetgrant: Handler = (_k, p) => {
  const table = p.reqObj as GrantTable | null;
  if (table !== null && table.maxEntries > p.priv!.grantEntries) return Errno.E2BIG;
  p.grants = table;
  return OK;
};

const doSetalarm: Handler = (k, p) => {
  const exp = p.reqA;
  const absolute = p.reqB !== 0;
  if (!Number.isSafeInteger(exp) || exp < 0) return Errno.EINVAL;
  const now = k.clock.now();
  const out = p.reqObj as Ref<number> | null;
  if (out !== null) out.value = p.alarmAtCycles === 0 ? 0 : Math.max(0, p.alarmAtCycles - now);
  k.setAlarm(p, exp === 0 ? 0 : absolute ? exp : now + exp);
  return OK;
};

const doPrivctl: Handler = (k, p) => {
  const t = target(k, p, p.reqA);
  if (t === undefined) return Errno.EDEADEPT;
  k.callTarget = t.endpoint;
  switch (p.reqB) {
    case PrivCtl.ALLOW:
      if ((t.rts & Rts.NO_PRIV) === 0) return Errno.EPERM;
      k.rtsUnset(t, Rts.NO_PRIV);
      return OK;
    case PrivCtl.DISALLOW:
      if ((t.rts & Rts.NO_PRIV) !== 0) return Errno.EPERM;
      k.rtsSet(t, Rts.NO_PRIV);
      return OK;
    case PrivCtl.SET_SYS: {
      let priv: Privilege;
      try {
        priv = new Privilege(p.reqObj as PrivilegeSpec);
      } catch {
        return Errno.EINVAL;
      }
      t.priv = priv;
      return OK;
    }
    default:
      return Errno.EINVAL;
  }
};

const doKill: Handler = (k, p) => {
  const t = target(k, p, p.reqA);
  const signal = p.reqB;
  if (t === undefined) return Errno.EDEADEPT;
  if (!Number.isInteger(signal) || signal < 1 || signal > 31) return Errno.EINVAL;
  k.callTarget = t.endpoint;
  if (signal !== SIGKILL && t.priv!.system) {
    t.sigPending |= 1 << signal;
    k.notifyFromKernel(SYSTEM, t);
    return OK;
  }
  k.endProcess(t, { kind: 'signal', signal, by: p.endpoint });
  return t === p ? Errno.EDONTREPLY : OK;
};

const doTimes: Handler = (k, p) => {
  const t = target(k, p, p.reqA);
  if (t === undefined) return Errno.EDEADEPT;
  k.callTarget = t.endpoint;
  const out = p.reqObj as TimesOut;
  out.userCycles = t.userCycles;
  out.kernelCycles = t.kernelCycles;
  out.uptimeCycles = k.clock.now();
  return OK;
};

const doGetinfo: Handler = (k, p) => {
  switch (p.reqA) {
    case GetInfo.WHOAMI:
    case GetInfo.PROC: {
      const t = p.reqA === GetInfo.WHOAMI ? p : target(k, p, p.reqB);
      if (t === undefined) return Errno.EDEADEPT;
      const out = p.reqObj as ProcInfoOut;
      out.endpoint = t.endpoint;
      out.instance = t.instance;
      out.name = t.name;
      out.program = t.program;
      out.priority = t.priority;
      out.kernelMode = t.kernelMode;
      out.system = t.priv!.system;
      return OK;
    }
    case GetInfo.MONOTONIC:
      (p.reqObj as Ref<number>).value = k.clock.now();
      return OK;
    case GetInfo.ENDPOINT: {
      const q = p.reqObj as EndpointLookup;
      const found = k.liveProcs().find((x) => x.name === q.name);
      if (found === undefined) return Errno.ESRCH;
      q.endpoint = found.endpoint;
      return OK;
    }
    default:
      return Errno.EINVAL;
  }
};

const doExit: Handler = (k, p) => {
  k.endProcess(p, { kind: 'exit', status: p.reqA });
  return Errno.EDONTREPLY;
};

const doGetksig: Handler = (_k, p) => {
  (p.reqObj as ChildEventOut).event = p.childEvents.shift() ?? null;
  return OK;
};

const doSpawn: Handler = (k, p) => {
  const req = p.reqObj as SpawnRequest;
  const r = k.spawn(req.spec, p.endpoint);
  if (r < 0 && r > -1000) return r;
  req.endpoint = r;
  k.callTarget = r;
  return OK;
};

/**
 * UPDATE (MINIX's sys_update with RS_SWAP): the process at reqA and the one at
 * reqB trade slots and endpoints. reqB may be the endpoint of a dead process
 * whose slot is still free: reqA's process then takes it over. Neither may be
 * the caller or a kernel task.
 */
const doUpdate: Handler = (k, p) => {
  const a = target(k, p, p.reqA);
  if (a === undefined) return Errno.EDEADEPT;
  const eb = p.reqB;
  if (!Number.isInteger(eb)) return Errno.EINVAL;
  const b = k.procs[endpointSlot(eb) + NR_TASKS];
  if (b === undefined || b.endpoint !== eb || b.isKernelTask) return Errno.EDEADEPT;
  if (a === p || b === p || a === b) return Errno.EPERM;
  k.swapSlots(a, b);
  k.callTarget = eb;
  return OK;
};

const doKcheck: Handler = (k, p) => {
  const report = k.memory.verifyKernel();
  const out = p.reqObj as IntegrityOut;
  out.ok = report.ok;
  out.corruptedPages = report.corruptedPages;
  return OK;
};

const doMapphys: Handler = (_k, p) => {
  const paddr = p.reqA;
  const bytes = p.reqB;
  if (!Number.isInteger(paddr) || !Number.isInteger(bytes) || bytes <= 0 || paddr % PAGE_BYTES !== 0) return Errno.EINVAL;
  if (!p.priv!.allowsMemory(paddr, bytes)) return Errno.EPERM;
  const vaddr = p.nextMapVaddr;
  const mapped = Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES;
  p.space!.map(vaddr, paddr, mapped, PagePerm.read | PagePerm.write);
  p.nextMapVaddr += mapped;
  (p.reqObj as Ref<number>).value = vaddr;
  return OK;
};

const handlers: (Handler | undefined)[] = new Array<Handler | undefined>(NR_KERNEL_CALLS);
handlers[KernelCall.DEVIO] = doDevio;
handlers[KernelCall.SDEVIO] = doSdevio;
handlers[KernelCall.IRQCTL] = doIrqctl;
handlers[KernelCall.UMAP] = doUmap;
handlers[KernelCall.VIRCOPY] = doVircopy;
handlers[KernelCall.SAFECOPYFROM] = doSafecopyFrom;
handlers[KernelCall.SAFECOPYTO] = doSafecopyTo;
handlers[KernelCall.SETGRANT] = doSetgrant;
handlers[KernelCall.SETALARM] = doSetalarm;
handlers[KernelCall.PRIVCTL] = doPrivctl;
handlers[KernelCall.KILL] = doKill;
handlers[KernelCall.TIMES] = doTimes;
handlers[KernelCall.GETINFO] = doGetinfo;
handlers[KernelCall.EXIT] = doExit;
handlers[KernelCall.GETKSIG] = doGetksig;
handlers[KernelCall.SPAWN] = doSpawn;
handlers[KernelCall.UPDATE] = doUpdate;
handlers[KernelCall.KCHECK] = doKcheck;
handlers[KernelCall.MAPPHYS] = doMapphys;
handlers[KernelCall.DMAMAP] = doDmamap;

/**
 * do_kernel_call: refuses calls outside the caller's mask with ECALLDENIED and
 * unknown calls with EBADREQUEST, else runs the handler. EXIT is always
 * allowed: in MINIX every process may exit (through PM, not a kernel call). Returns the status,
 * or EDONTREPLY when the caller no longer exists.
 */
export function kernelCall(k: Kernel, p: Proc): number {
  const call = p.reqCall;
  k.callTarget = NONE;
  p.kernelCallCount++;
  k.stats.kernelCalls++;
  let r: number;
  const startCycles = p.kernelCycles;
  const handler = call >= 0 && call < NR_KERNEL_CALLS ? handlers[call] : undefined;
  if (handler === undefined) r = Errno.EBADREQUEST;
  else if (!p.priv!.allowsKernelCall(call) && call !== KernelCall.EXIT) r = Errno.ECALLDENIED;
  else {
    k.charge(p, k.cost.kernelCallCycles, 'kernelCall');
    r = handler(k, p);
  }
  k.trace.record(k.clock.now(), TraceKind.kernelCall, p.endpoint, k.callTarget, call, r, p.kernelCycles - startCycles);
  return r;
}
