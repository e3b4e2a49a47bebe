// The driver's side of the boundary: the SDK, the step counter and the module
// loader, evaluated inside the driver's own vm context (in the driver's own
// process), so that every object a driver can reach was made in its realm. The
// one way out is `bridge`, a function of the host that takes and returns
// text; it is held in this closure, never exposed, and nothing it throws
// reaches the driver. Bundled on its own (esbuild, strict mode) and run as a
// script in the context; nothing here may use a global the context lacks.
import { CpuGuard, isCpuBudgetExceeded } from '../../../simulator/compile/cpuGuard';
import { printable as text } from '../locateError';
import {
  ANY, AMF, ASYNCM, CLOCK, CPF, DIO, Errno, GRANT_INVALID, HARDWARE, IRQ_REENABLE, IpcCall, KERNEL,
  KernelCall, NONE, NOTIFY_MESSAGE, OK, PrivCtl, SELF, SIGKILL, SIGTERM, SYSTEM, TASK_Q, USER_Q, GetInfo, IrqCtl,
  statusName,
} from '../../../simulator/kernel/constants';
import { Message, defineLayout, NotifyField, MESSAGE_BYTES, PAYLOAD_BYTES } from '../../../simulator/kernel/message';
import { makeAsyncTable } from '../../../simulator/kernel/asyncTable';
import { cyclesPerUnit, cyclesToSeconds, msToCycles, secondsToCycles } from '../../../simulator/time/time';
import { WordAccess } from '../../../simulator/sdk/wordAccess';
import { bytesToLatin1, latin1ToBytes } from './binary';
import type { ThrownDescription, ToDriver, ToHost, TrapReport } from './protocol';

/** What the host hands the realm: the driver's module graph, without its code (compiled separately). */
export interface RealmConfig {
  readonly entry: string;
  readonly files: readonly string[];
  /** For each file, its import specifiers resolved to files. */
  readonly links: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly budget: number;
  /** The name drivers import the SDK's values by. */
  readonly sdkModule: string;
}

export interface RealmApi {
  /** Registers a file's compiled module function (made in this realm by the host). */
  defineModule(file: string, body: unknown): void;
  /** Handles one message from the simulator and returns the reply, as JSON text. */
  handle(json: string): string;
}

type Bridge = (json: string, bin: string) => unknown;

/** Built-ins a driver may not use: they read the clock, depend on garbage collection, share memory or compile code. */
const REMOVED_GLOBALS = ['Date', 'SharedArrayBuffer', 'Atomics', 'WeakRef', 'FinalizationRegistry', 'WebAssembly'];

/**
 * The only globals a driver's realm keeps: the language's own built-ins that compute the same on every run (the SDK
 * needs no other and defines `console` itself). A vm context holds no host API (no `fetch`, timers,
 * `queueMicrotask`, `XMLHttpRequest`, `WebSocket`, `process`), and anything a newer engine adds to a new context
 * (such as a clock in `Temporal`) is removed too, so upgrading Node cannot widen what a driver sees.
 */
const KEPT_GLOBALS = new Set([
  'globalThis', 'Infinity', 'NaN', 'undefined', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Promise', 'RegExp', 'Proxy', 'Reflect',
  'JSON', 'Math', 'Intl', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Iterator',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'ArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  // The realm's own script's name (cleared by the thread before the driver runs; a `var`, so it cannot be deleted).
  '__mklabRealm',
]);

const TRAP = Object.freeze({ trap: true });

class HostError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export function install(bridge: Bridge, configJson: string): RealmApi {
  const config = JSON.parse(configJson) as RealmConfig;
  const driverFiles = new Set(config.files);
  const bodies = new Map<string, (...args: unknown[]) => unknown>();

  /** A synchronous service of the simulator: memory, the random stream, the clock, grants, the console. */
  const call = (name: string, args: readonly unknown[], bin = ''): { value: unknown; bin: string } => {
    let reply: unknown;
    try {
      reply = bridge(JSON.stringify({ op: 'call', name, args }), bin);
    } catch {
      // Whatever the host threw (even a stack overflow made in its realm) stays there.
      throw new Error(`the simulator could not be reached for ${name}`);
    }
    if (typeof reply !== 'string') throw new Error(`the simulator gave no answer for ${name}`);
    const cut = reply.indexOf('\u0000');
    const message = JSON.parse(cut < 0 ? reply : reply.slice(0, cut)) as Extract<ToDriver, { op: 'reply' }>;
    if (message.error !== undefined) throw new HostError(message.error.name, message.error.message);
    return { value: message.value, bin: cut < 0 ? '' : reply.slice(cut + 1) };
  };

  setUpGlobals(call);
  (Error as { stackTraceLimit?: number }).stackTraceLimit = 50;

  // ---- the running instance ------------------------------------------------

  let guard = new CpuGuard(config.budget);
  let generator: Generator<unknown, unknown, unknown> | undefined;
  let pending: TrapReport | undefined;
  let trapMessage: Message | undefined;
  let trapObject: Record<string, unknown> | undefined;
  let capture = false;

  const framesHere = (): string[] => {
    const stack = new Error().stack ?? '';
    const frames: string[] = [];
    for (const line of stack.split('\n')) {
      const m = /\(?([^\s()]+):(\d+):(\d+)\)?\s*$/.exec(line);
      if (m !== null && driverFiles.has(m[1]!)) frames.push(`${m[1]}:${m[2]}:${m[3]}`);
    }
    return frames;
  };

  const trap = (report: Omit<TrapReport, 'op' | 'frames'>): typeof TRAP => {
    pending = { op: 'trap', ...report, ...(capture ? { frames: framesHere() } : {}) };
    return TRAP;
  };

  const wordsOf = (m: unknown): number[] => {
    if (!(m instanceof Message)) throw new TypeError('expected a Message (new Message() from the SDK)');
    trapMessage = m;
    return Array.from(m.words);
  };

  const ipc = (nr: number, srcDst: number, m: unknown): typeof TRAP => {
    const msg = m === null ? null : wordsOf(m);
    if (m === null) trapMessage = undefined;
    trapObject = undefined;
    return trap({ kind: 'ipc', nr, args: [number(srcDst)], msg });
  };

  const kernelCall = (nr: number, a = 0, b = 0, c = 0, d = 0, e = 0, obj: unknown = null): typeof TRAP => {
    trapMessage = undefined;
    trapObject = undefined;
    const args = [number(a), number(b), number(c), number(d), number(e)];
    if (obj === null || obj === undefined) return trap({ kind: 'call', nr, args });
    if (obj === grantsToken) return trap({ kind: 'call', nr, args, grants: true });
    if (typeof obj !== 'object') throw new TypeError('a kernel call takes an out-parameter object (such as ref(0)) or null');
    // A plain out-parameter: its data crosses now, the kernel's writes come back when the call returns.
    const data = JSON.parse(JSON.stringify(obj) ?? 'null') as unknown;
    trapObject = obj as Record<string, unknown>;
    return trap({ kind: 'call', nr, args, obj: data });
  };

  const integer = (value: unknown, what: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${what} must be an integer, got ${String(value)}`);
    return value;
  };

  // ---- the SDK -----------------------------------------------------------------

  let start: Extract<ToDriver, { op: 'start' }> | undefined;
  const grantsToken = Object.freeze({ grantTable: true });

  class UserMemory extends WordAccess {
    get baseVaddr(): number {
      return start?.memBase ?? 0;
    }

    get sizeBytes(): number {
      return start?.memBytes ?? 0;
    }

    alloc(bytes: number): number {
      return call('mem.alloc', [integer(bytes, 'bytes')]).value as number;
    }

    read(vaddr: number, length: number): Uint8Array {
      return latin1ToBytes(call('mem.read', [integer(vaddr, 'vaddr'), integer(length, 'length')]).bin);
    }

    write(vaddr: number, data: Uint8Array): void {
      if (!(data instanceof Uint8Array)) throw new TypeError('write takes a Uint8Array');
      call('mem.write', [integer(vaddr, 'vaddr')], bytesToLatin1(data));
    }
  }

  class RandomStream {
    nextU32(): number {
      return call('random', ['nextU32']).value as number;
    }

    nextInt(maxExclusive: number): number {
      return call('random', ['nextInt', number(maxExclusive)]).value as number;
    }

    nextFloat(): number {
      return call('random', ['nextFloat']).value as number;
    }

    chance(probability: number): boolean {
      return call('random', ['chance', number(probability)]).value as boolean;
    }
  }

  class Sys {
    readonly mem = new UserMemory();
    private rng: RandomStream | undefined;

    /** Asked of the simulator each time: a live update or a replica's promotion moves the driver to another endpoint. */
    get endpoint(): number {
      return start === undefined ? NONE : (call('endpoint', []).value as number);
    }

    get name(): string {
      return start?.name ?? '';
    }

    get args(): unknown {
      return start?.args;
    }

    /** A token for the driver's own grant table (sys_setgrant takes it); the table itself stays with the kernel. */
    get grants(): object | null {
      return start?.hasGrants ? grantsToken : null;
    }

    get random(): RandomStream {
      return (this.rng ??= new RandomStream());
    }

    uptimeCycles(): number {
      return call('now', []).value as number;
    }

    get clockHz(): number {
      return start?.clockHz ?? 0;
    }

    send(dst: number, m: Message) { return ipc(IpcCall.SEND, dst, m); }
    receive(src: number, m: Message) { return ipc(IpcCall.RECEIVE, src, m); }
    sendrec(dst: number, m: Message) { return ipc(IpcCall.SENDREC, dst, m); }
    notify(dst: number) { return ipc(IpcCall.NOTIFY, dst, null); }
    sendnb(dst: number, m: Message) { return ipc(IpcCall.SENDNB, dst, m); }
    senda(): never {
      throw new Error('senda is not available to user drivers: the kernel reads an asynchronous table after the call returns, which cannot cross the driver\'s boundary; use sendnb or notify');
    }

    compute(cycles: number) {
      if (!Number.isSafeInteger(cycles) || cycles < 0) throw new RangeError('compute() takes a non-negative integer of cycles');
      trapMessage = undefined;
      trapObject = undefined;
      return trap({ kind: 'work', nr: 0, args: [cycles] });
    }

    sys_inb(port: number, value: unknown) { return kernelCall(KernelCall.DEVIO, DIO.INPUT | DIO.BYTE, port, 0, 0, 0, value); }
    sys_inw(port: number, value: unknown) { return kernelCall(KernelCall.DEVIO, DIO.INPUT | DIO.WORD, port, 0, 0, 0, value); }
    sys_inl(port: number, value: unknown) { return kernelCall(KernelCall.DEVIO, DIO.INPUT | DIO.LONG, port, 0, 0, 0, value); }
    sys_outb(port: number, value: number) { return kernelCall(KernelCall.DEVIO, DIO.OUTPUT | DIO.BYTE, port, value); }
    sys_outw(port: number, value: number) { return kernelCall(KernelCall.DEVIO, DIO.OUTPUT | DIO.WORD, port, value); }
    sys_outl(port: number, value: number) { return kernelCall(KernelCall.DEVIO, DIO.OUTPUT | DIO.LONG, port, value); }
    sys_sdevio(req: number, port: number, vaddr: number, bytes: number) { return kernelCall(KernelCall.SDEVIO, req, port, vaddr, bytes); }
    sys_insb(port: number, vaddr: number, bytes: number) { return this.sys_sdevio(DIO.INPUT | DIO.BYTE, port, vaddr, bytes); }
    sys_outsb(port: number, vaddr: number, bytes: number) { return this.sys_sdevio(DIO.OUTPUT | DIO.BYTE, port, vaddr, bytes); }
    sys_irqsetpolicy(irq: number, policy: number, hookId: unknown) { return kernelCall(KernelCall.IRQCTL, IrqCtl.SETPOLICY, irq, policy, 0, 0, hookId); }
    sys_irqrmpolicy(hookId: unknown) { return kernelCall(KernelCall.IRQCTL, IrqCtl.RMPOLICY, 0, 0, 0, 0, hookId); }
    sys_irqenable(hookId: unknown) { return kernelCall(KernelCall.IRQCTL, IrqCtl.ENABLE, 0, 0, 0, 0, hookId); }
    sys_irqdisable(hookId: unknown) { return kernelCall(KernelCall.IRQCTL, IrqCtl.DISABLE, 0, 0, 0, 0, hookId); }
    sys_dmamap(deviceId: number, vaddr: number, bytes: number, write: boolean, iova: unknown) { return kernelCall(KernelCall.DMAMAP, 1, deviceId, vaddr, bytes, write ? 1 : 0, iova); }
    sys_dmaunmap(deviceId: number, vaddr: number, bytes: number, iova: unknown) { return kernelCall(KernelCall.DMAMAP, 0, deviceId, vaddr, bytes, 0, iova); }
    sys_umap(endpoint: number, vaddr: number, bytes: number, paddr: unknown) { return kernelCall(KernelCall.UMAP, endpoint, vaddr, bytes, 0, 0, paddr); }
    sys_vircopy(srcEndpoint: number, srcVaddr: number, dstEndpoint: number, dstVaddr: number, bytes: number) { return kernelCall(KernelCall.VIRCOPY, srcEndpoint, srcVaddr, dstEndpoint, dstVaddr, bytes); }
    sys_safecopyfrom(granter: number, grant: number, offset: number, vaddr: number, bytes: number) { return kernelCall(KernelCall.SAFECOPYFROM, granter, grant, offset, vaddr, bytes); }
    sys_safecopyto(granter: number, grant: number, offset: number, vaddr: number, bytes: number) { return kernelCall(KernelCall.SAFECOPYTO, granter, grant, offset, vaddr, bytes); }
    sys_setgrant(table: unknown) {
      if (table !== null && table !== grantsToken) throw new TypeError('sys_setgrant takes sys.grants or null');
      return kernelCall(KernelCall.SETGRANT, 0, 0, 0, 0, 0, table);
    }
    sys_mapphys(paddr: number, bytes: number, vaddr: unknown) { return kernelCall(KernelCall.MAPPHYS, paddr, bytes, 0, 0, 0, vaddr); }
    cpf_grant_direct(whoTo: number, vaddr: number, bytes: number, access: number): number { return call('grant', ['direct', number(whoTo), number(vaddr), number(bytes), number(access)]).value as number; }
    cpf_grant_indirect(whoTo: number, whoFrom: number, grant: number): number { return call('grant', ['indirect', number(whoTo), number(whoFrom), number(grant)]).value as number; }
    cpf_grant_magic(whoTo: number, whoFrom: number, vaddr: number, bytes: number, access: number): number { return call('grant', ['magic', number(whoTo), number(whoFrom), number(vaddr), number(bytes), number(access)]).value as number; }
    cpf_revoke(grant: number): number { return call('grant', ['revoke', number(grant)]).value as number; }
    sys_setalarm(cycles: number, absolute = false, previousLeft: unknown = null) { return kernelCall(KernelCall.SETALARM, cycles, absolute ? 1 : 0, 0, 0, 0, previousLeft); }
    sys_times(endpoint: number, out: unknown) { return kernelCall(KernelCall.TIMES, endpoint, 0, 0, 0, 0, out); }
    sys_whoami(out: unknown) { return kernelCall(KernelCall.GETINFO, GetInfo.WHOAMI, 0, 0, 0, 0, out); }
    sys_getprocinfo(endpoint: number, out: unknown) { return kernelCall(KernelCall.GETINFO, GetInfo.PROC, endpoint, 0, 0, 0, out); }
    sys_getuptime(out: unknown) { return kernelCall(KernelCall.GETINFO, GetInfo.MONOTONIC, 0, 0, 0, 0, out); }
    sys_getendpoint(lookup: unknown) { return kernelCall(KernelCall.GETINFO, GetInfo.ENDPOINT, 0, 0, 0, 0, lookup); }
    sys_privctl(endpoint: number, request: number, privilege: unknown = null) { return kernelCall(KernelCall.PRIVCTL, endpoint, request, 0, 0, 0, privilege); }
    sys_kill(endpoint: number, signal: number) { return kernelCall(KernelCall.KILL, endpoint, signal); }
    sys_exit(status = 0) { return kernelCall(KernelCall.EXIT, status); }
    sys_getksig(out: unknown) { return kernelCall(KernelCall.GETKSIG, 0, 0, 0, 0, 0, out); }
    sys_spawn(req: unknown) { return kernelCall(KernelCall.SPAWN, 0, 0, 0, 0, 0, req); }
    sys_kcheck(out: unknown) { return kernelCall(KernelCall.KCHECK, 0, 0, 0, 0, 0, out); }
    sys_call(nr: number, a = 0, b = 0, c = 0, d = 0, e = 0, obj: unknown = null) { return kernelCall(number(nr), a, b, c, d, e, obj); }
    ipc_raw(nr: number, srcDst: number, m: Message | null) { return ipc(number(nr), srcDst, m); }
  }

  /** What `import ... from 'microkernel-lab'` gives a driver: the SDK's values, made in this realm. */
  const sdk = Object.freeze({
    Sys, UserMemory, WORK_REQUEST: -1, Message, defineLayout, NotifyField, MESSAGE_BYTES, PAYLOAD_BYTES,
    OK, Errno, statusName, IpcCall, KernelCall, ANY, NONE, SELF, HARDWARE, CLOCK, SYSTEM, KERNEL, ASYNCM,
    NOTIFY_MESSAGE, AMF, CPF, GRANT_INVALID, DIO, IRQ_REENABLE, PrivCtl, SIGKILL, SIGTERM, USER_Q, TASK_Q,
    cyclesPerUnit, cyclesToSeconds, msToCycles, secondsToCycles, makeAsyncTable,
    ref: <T>(value: T) => ({ value }),
    isNotify: (m: { readonly type: number }) => m.type === NOTIFY_MESSAGE,
  });

  // ---- loading -----------------------------------------------------------------

  const evaluateGraph = (): Record<string, unknown> => {
    const evaluated = new Map<string, { exports: Record<string, unknown> }>();
    const evaluate = (file: string): Record<string, unknown> => {
      const done = evaluated.get(file);
      if (done) return done.exports;
      const body = bodies.get(file);
      if (body === undefined) throw new Error(`${file} was not compiled`);
      const module = { exports: {} as Record<string, unknown> };
      evaluated.set(file, module);
      const links = config.links[file] ?? {};
      const require = (specifier: unknown): unknown => {
        if (specifier === config.sdkModule) return sdk;
        const target = typeof specifier === 'string' && Object.prototype.hasOwnProperty.call(links, specifier) ? links[specifier] : undefined;
        if (target === undefined) throw new Error(`${String(specifier)} cannot be loaded by a driver`);
        return evaluate(target);
      };
      const tick = (line: number, column: number): void => guard.tick(file, line, column);
      body.call(module.exports, module.exports, require, module, tick);
      return module.exports;
    };
    return evaluate(config.entry);
  };

  const mainOf = (exports: unknown): unknown => {
    if ((typeof exports !== 'object' && typeof exports !== 'function') || exports === null) return undefined;
    const named = exports as Record<string, unknown>;
    return named.main ?? named.default;
  };

  /** Runs driver code with a fresh step count; the budget's error wins over whatever the driver made of it. */
  const guarded = <T>(run: () => T): T => {
    guard.reset();
    let result: T;
    try {
      result = run();
    } catch (error) {
      throw guard.tripped ?? error;
    }
    if (guard.tripped) throw guard.tripped;
    return result;
  };

  const step = (run: () => IteratorResult<unknown, unknown>): ToHost => {
    pending = undefined;
    const result = guarded(run);
    if (result.done) {
      generator = undefined;
      return { op: 'done', value: typeof result.value === 'number' ? result.value : null };
    }
    return pending ?? { op: 'trap', kind: 'none', nr: 0, args: [] };
  };

  const handle = (message: ToDriver): ToHost => {
    switch (message.op) {
      case 'check': {
        guard = new CpuGuard(config.budget);
        const main = guarded(() => mainOf(evaluateGraph()));
        const kind = typeof main !== 'function' ? 'none' : Object.prototype.toString.call(main) === '[object GeneratorFunction]' ? 'generator' : 'function';
        return { op: 'checked', main: kind };
      }
      case 'start': {
        start = message;
        capture = message.capture;
        guard = new CpuGuard(config.budget);
        const sys = new Sys();
        generator = guarded(() => {
          const main = mainOf(evaluateGraph());
          if (typeof main !== 'function') throw new TypeError('the driver exports no main function');
          return main(sys) as Generator<unknown, unknown, unknown>;
        });
        return { op: 'started' };
      }
      case 'next': {
        if (generator === undefined) return { op: 'done', value: null };
        capture = message.capture;
        if (message.msg !== undefined && trapMessage !== undefined) {
          for (let i = 0; i < 16; i++) trapMessage.words[i] = message.msg[i]! | 0;
        }
        if (message.obj !== undefined && trapObject !== undefined && typeof message.obj === 'object' && message.obj !== null) {
          for (const [key, value] of Object.entries(message.obj)) trapObject[key] = value;
        }
        const gen = generator;
        return step(() => gen.next(message.status));
      }
      default:
        throw new Error(`unexpected ${String((message as { op?: unknown }).op)} on the driver's channel`);
    }
  };

  return Object.freeze({
    defineModule(file: string, body: unknown): void {
      if (typeof body === 'function') bodies.set(file, body as (...args: unknown[]) => unknown);
    },
    handle(json: string): string {
      let reply: ToHost;
      try {
        reply = handle(JSON.parse(json) as ToDriver);
      } catch (error) {
        // A driver that threw has ended, as a MINIX process that faulted has.
        generator = undefined;
        reply = { op: 'threw', error: describe(error) };
      }
      return JSON.stringify(reply);
    },
  });
}

function number(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

/** What a thrown value says about itself, read defensively: it is the driver's, and may be a proxy that throws. */
function describe(error: unknown): ThrownDescription {
  if (isCpuBudgetExceeded(error)) {
    return {
      name: error.name,
      message: error.message,
      stack: error.message,
      budget: { file: error.file, line: error.line, column: error.column, ticks: error.ticks, budget: error.budget },
    };
  }
  if ((typeof error === 'object' || typeof error === 'function') && error !== null) {
    const unreadable = 'the driver threw a value that cannot be read or printed (a proxy, or an object whose toString throws)';
    let name: unknown;
    let message: unknown;
    let stack: unknown;
    try {
      Object.getPrototypeOf(error);
      name = (error as { name?: unknown }).name;
      message = (error as { message?: unknown }).message;
      stack = (error as { stack?: unknown }).stack;
    } catch {
      return { name: 'Error', message: unreadable, stack: unreadable };
    }
    const nameText = typeof name === 'string' ? name : 'Error';
    const messageText = text(message, 'a message that cannot be printed');
    return { name: nameText, message: messageText, stack: typeof stack === 'string' ? stack : `${nameText}: ${messageText}` };
  }
  const line = `a non-error value: ${typeof error === 'string' ? JSON.stringify(error) : text(error, typeof error)}`;
  return { name: 'Error', message: line, stack: line };
}

function setUpGlobals(call: (name: string, args: readonly unknown[]) => { value: unknown }): void {
  const global = globalThis as Record<string, unknown>;
  for (const name of REMOVED_GLOBALS) delete global[name];
  for (const name of Reflect.ownKeys(globalThis)) {
    if (typeof name === 'symbol' || !KEPT_GLOBALS.has(name)) Reflect.deleteProperty(globalThis, name);
  }
  // With no date given, a DateTimeFormat formats the current time (to the millisecond): a clock without `Date`.
  Reflect.deleteProperty(Intl, 'DateTimeFormat');
  Math.random = function random(): number {
    return call('mathRandom', []).value as number;
  };
  const format = (value: unknown): string => {
    if (typeof value === 'string') return value;
    try {
      const json = JSON.stringify(value);
      return json === undefined ? String(value) : json;
    } catch {
      return String(value);
    }
  };
  const console: Record<string, (...values: unknown[]) => void> = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    console[level] = function (...values: unknown[]): void {
      call('console', [level, values.map(format).join(' ')]);
    };
  }
  Object.defineProperty(globalThis, 'console', { value: Object.freeze(console), writable: false, configurable: false, enumerable: false });
}
