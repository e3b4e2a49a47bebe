// The simulator's side of a user driver's boundary: starts the driver's own
// process (through the relay thread), and stands in for the driver as the
// program the kernel resumes. Each resume sends the status and the kernel's
// writes to the driver's out-parameters as text, serves the driver's
// synchronous requests (its memory, random stream, grants, console) until it
// reaches its next kernel entry, and sets that entry on the real Sys. The wait
// is synchronous, as the kernel's is; a driver that does not answer within the
// stall limit has its process ended from outside, and one whose process dies
// (out of memory, or any fatal error of the engine) is reported by the relay
// the moment the process ends, with the reason.
import { Worker } from 'node:worker_threads';
import relaySource from 'bundle-text:./relay.ts';
import hostSource from 'bundle-text:./driverHost.ts';
import { Message } from '../../../simulator/kernel/message';
import type { Sys } from '../../../simulator/sdk/sys';
import { CpuBudgetExceeded } from '../../../simulator/compile/cpuGuard';
import type { HostInit } from './driverHost';
import type { RelayData, RelayRequest } from './relay';
import { Ctl, Death, MAX_TRANSFER_BYTES, semiSpaceMb, Wire, type StartRequest, type ThrownDescription, type ToDriver, type ToHost, type TrapReport } from './protocol';
import type { RealmConfig } from './realm';

/** The memory limit of a driver's process (its JavaScript heap's old generation) unless its scenario says otherwise. */
export const DEFAULT_MEMORY_MB = 256;
/**
 * The resident memory a driver may add to its process, beyond what the process holds when the driver's sandbox is
 * set up (the engine, Node and the SDK, some 50 MiB), for a memory limit of `memoryMb`: twice the limit (a heap at
 * its limit holds more than its live objects: large objects being copied, pages not yet given back), its young
 * generation, and a margin. Array buffers count here, which the engine's heap limit does not.
 */
export function residentAllowanceMb(memoryMb: number): number {
  return 2 * memoryMb + 3 * semiSpaceMb(memoryMb) + 32;
}
/** How long (host time) a driver may run between two kernel entries before it is stopped from outside. */
export const DEFAULT_STALL_MS = 5000;
/** Starting a process is slower than a step, and slowest on a loaded machine. */
const START_LIMIT_MS = 30_000;
/**
 * Requests (memory, random, console...) a driver may make between two kernel entries. Counted, so the
 * limit is the same on every machine; without it a driver printing in a loop would keep the simulator
 * serving it for as long as its step budget lasts.
 */
export const MAX_REQUESTS_PER_ENTRY = 100_000;

export interface IsolationLimits {
  readonly memoryMb: number;
  /** Host milliseconds a driver may run without answering: a backstop for work the step counter cannot see. */
  readonly stallMs: number;
}

export interface HostServices {
  readonly random?: () => number;
  readonly console?: (level: 'log' | 'info' | 'warn' | 'error' | 'debug', text: string) => void;
}

/** A driver stopped by a limit enforced from outside its process; the kernel ends it as a crash with this text. */
export class DriverStopped extends Error {
  constructor(
    override readonly name: 'OutOfMemory' | 'StallLimit' | 'RequestLimit' | 'SandboxFailed',
    message: string,
  ) {
    super(message);
  }
}

let relay: Worker | undefined;
let nextId = 1;

function relayThread(): Worker {
  if (relay === undefined) {
    const data: RelayData = { role: 'relay', hostSource, spares: 1 };
    const started = new Worker(relaySource, { eval: true, name: 'user driver relay', workerData: data });
    // The relay never keeps the process alive: a CLI run ends when its work does (and its hosts, their input
    // closed, end with it).
    started.unref();
    const forget = () => {
      if (relay === started) relay = undefined;
    };
    started.on('error', forget);
    started.on('exit', forget);
    relay = started;
  }
  return relay;
}

type Received =
  | { readonly kind: 'message'; readonly message: ToHost; readonly bin: Uint8Array }
  | { readonly kind: 'death'; readonly death: number; readonly reason: string }
  | { readonly kind: 'stall' };

/** One driver instance's process, seen from the simulator. */
export class DriverProcess {
  private readonly wire = Wire.create();
  private readonly id = nextId++;
  private readonly relay: Worker;
  private readonly sendRequest: RelayRequest;
  private seen = 0;
  private alive = true;

  constructor(
    readonly name: string,
    config: RealmConfig,
    modules: readonly { file: string; code: string }[],
    readonly limits: IsolationLimits,
  ) {
    const init: HostInit = {
      configJson: JSON.stringify(config),
      modules,
      residentAllowanceBytes: residentAllowanceMb(limits.memoryMb) * 1024 * 1024,
    };
    const request: RelayRequest = { op: 'spawn', id: this.id, buffer: this.wire.buffer, memoryMb: limits.memoryMb, init: JSON.stringify(init) };
    this.sendRequest = { op: 'send', id: this.id };
    this.relay = relayThread();
    this.relay.postMessage(request);
  }

  get running(): boolean {
    return this.alive;
  }

  send(message: ToDriver, bin?: Uint8Array): void {
    this.wire.write(Ctl.toDriver, JSON.stringify(message), bin);
    this.relay.postMessage(this.sendRequest);
  }

  receive(limitMs: number): Received {
    let waited = 0;
    for (;;) {
      const now = Atomics.load(this.wire.ctl, Ctl.toHost);
      if (now !== this.seen) {
        this.seen = now;
        const death = Atomics.load(this.wire.ctl, Ctl.death);
        if (death !== Death.alive) {
          this.alive = false;
          return { kind: 'death', death, reason: this.wire.deathReason() };
        }
        const { json, bin } = this.wire.read();
        return { kind: 'message', message: JSON.parse(json) as ToHost, bin };
      }
      if (waited >= limitMs) return { kind: 'stall' };
      // Waiting in slices counts host time without reading a clock.
      const slice = Math.min(20, limitMs - waited);
      this.wire.waitChange(Ctl.toHost, now, slice);
      waited += slice;
    }
  }

  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    const request: RelayRequest = { op: 'kill', id: this.id };
    this.relay.postMessage(request);
  }
}

function stopped(received: Exclude<Received, { kind: 'message' }>, child: DriverProcess, what: string): DriverStopped {
  if (received.kind === 'stall') {
    return new DriverStopped(
      'StallLimit',
      `${what} did not return to the kernel within ${child.limits.stallMs / 1000} s of host time and was stopped ` +
        '(work the step counter cannot see: a slow regular expression or a huge built-in operation)',
    );
  }
  const why = received.reason === '' ? '' : `: ${received.reason}`;
  if (received.death === Death.outOfMemory) {
    return new DriverStopped('OutOfMemory', `${what} used more than its ${child.limits.memoryMb} MiB of memory and was stopped${why}`);
  }
  return new DriverStopped('SandboxFailed', received.reason === '' ? `${what}'s process ended unexpectedly` : `${what} ended unexpectedly: ${received.reason}`);
}

/** Waits for the driver's next message other than a service request, serving those meanwhile. */
function exchange(child: DriverProcess, limitMs: number, serve: (name: string, args: readonly unknown[], bin: Uint8Array) => { value?: unknown; bin?: Uint8Array }): ToHost {
  for (let requests = 0; ; requests++) {
    const received = child.receive(limitMs);
    if (received.kind !== 'message') {
      child.kill();
      throw stopped(received, child, `the driver ${child.name}`);
    }
    const message = received.message;
    if (message.op !== 'call') return message;
    if (requests >= MAX_REQUESTS_PER_ENTRY) {
      child.kill();
      throw new DriverStopped('RequestLimit', `the driver ${child.name} made ${MAX_REQUESTS_PER_ENTRY} requests (memory, console, random) without entering the kernel and was stopped`);
    }
    let reply: ToDriver;
    let bin: Uint8Array | undefined;
    try {
      const served = serve(String(message.name), Array.isArray(message.args) ? message.args : [], received.bin);
      reply = { op: 'reply', value: served.value };
      bin = served.bin;
    } catch (error) {
      const e = error as { name?: unknown; message?: unknown };
      reply = { op: 'reply', error: { name: typeof e?.name === 'string' ? e.name : 'Error', message: typeof e?.message === 'string' ? e.message : String(error) } };
    }
    child.send(reply, bin);
  }
}

/** An error of the host's realm carrying what the driver's side said about what it threw. */
export function thrownError(description: ThrownDescription): Error {
  const d = description ?? { name: 'Error', message: 'the driver threw', stack: '' };
  if (d.budget !== undefined) {
    const b = d.budget;
    return new CpuBudgetExceeded(String(b.file), Number(b.line), Number(b.column), Number(b.ticks), Number(b.budget));
  }
  const error = new Error(String(d.message));
  error.name = String(d.name);
  error.stack = String(d.stack);
  return error;
}

function integer(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${what} must be an integer`);
  return value;
}

function word(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

function services(sys: Sys | undefined, host: HostServices) {
  return (name: string, args: readonly unknown[], bin: Uint8Array): { value?: unknown; bin?: Uint8Array } => {
    switch (name) {
      case 'console': {
        const level = args[0];
        if (level === 'log' || level === 'info' || level === 'warn' || level === 'error' || level === 'debug') host.console?.(level, String(args[1]).slice(0, 64 * 1024));
        return {};
      }
      case 'mathRandom':
        if (host.random === undefined) throw new Error('Math.random is not available to this driver: the simulator was given no seeded random stream for it');
        return { value: host.random() };
    }
    if (sys === undefined) throw new Error(`${name} is not available while the driver loads`);
    switch (name) {
      case 'mem.alloc':
        return { value: sys.mem.alloc(integer(args[0], 'bytes')) };
      case 'mem.read': {
        const length = integer(args[1], 'length');
        if (length < 0 || length > MAX_TRANSFER_BYTES) throw new RangeError(`a read moves 0 to ${MAX_TRANSFER_BYTES} bytes, not ${length}`);
        return { bin: sys.mem.read(integer(args[0], 'vaddr'), length) };
      }
      case 'mem.write':
        sys.mem.write(integer(args[0], 'vaddr'), bin);
        return {};
      case 'now':
        return { value: sys.uptimeCycles() };
      case 'endpoint':
        return { value: sys.endpoint };
      case 'random': {
        const random = sys.random;
        switch (args[0]) {
          case 'nextU32':
            return { value: random.nextU32() };
          case 'nextInt':
            return { value: random.nextInt(integer(args[1], 'maxExclusive')) };
          case 'nextFloat':
            return { value: random.nextFloat() };
          case 'chance':
            return { value: random.chance(Number(args[1])) };
        }
        break;
      }
      case 'grant': {
        const [kind, a, b, c, d, e] = args.map((x, i) => (i === 0 ? x : word(x))) as [unknown, number, number, number, number, number];
        switch (kind) {
          case 'direct':
            return { value: sys.cpf_grant_direct(a, b, c, d) };
          case 'indirect':
            return { value: sys.cpf_grant_indirect(a, b, c) };
          case 'magic':
            return { value: sys.cpf_grant_magic(a, b, c, d, e) };
          case 'revoke':
            return { value: sys.cpf_revoke(a) };
        }
        break;
      }
    }
    throw new Error(`the SDK has no service ${name}`);
  };
}

/** What a program needs to start instances of a loaded driver. */
export interface IsolatedProgram {
  readonly name: string;
  readonly config: RealmConfig;
  readonly modules: readonly { file: string; code: string }[];
  readonly limits: IsolationLimits;
  readonly host: HostServices;
  /** Where in the user's own files an error the driver threw was raised (its stack mapped back), if anywhere. */
  readonly locate?: (error: Error) => { file: string; line: number; column: number } | undefined;
}

/** Evaluates the driver's modules once in a fresh process and reports what its main is, or what went wrong. */
export function checkIsolated(program: IsolatedProgram, loadLimitMs: number): { main: 'generator' | 'function' | 'none' } | { error: Error } {
  const child = new DriverProcess(program.name, program.config, program.modules, program.limits);
  try {
    const serve = services(undefined, program.host);
    const ready = exchange(child, START_LIMIT_MS, serve);
    if (ready.op !== 'ready') return { error: ready.op === 'threw' ? thrownError(ready.error) : new Error('the driver\'s process did not start') };
    child.send({ op: 'check' });
    const checked = exchange(child, loadLimitMs, serve);
    if (checked.op === 'checked') return { main: checked.main };
    return { error: checked.op === 'threw' ? thrownError(checked.error) : new Error(`unexpected ${checked.op} from the driver's process`) };
  } catch (error) {
    return { error: error as Error };
  } finally {
    child.kill();
  }
}

const TRAP_TOKEN = Object.freeze({ isolatedTrap: true });

/** A simulator dropped without ending its processes (a closed session) lets its drivers' processes go when collected. */
const orphans = new FinalizationRegistry<DriverProcess>((child) => child.kill());

/**
 * A running instance as the kernel sees it: a generator resumed with each
 * kernel call's status. It never throws anything but an error describing the
 * driver's end (what the driver threw, its step budget, or a limit).
 */
export class IsolatedInstance implements Generator<unknown, unknown, unknown> {
  private readonly child: DriverProcess;
  private readonly serve: ReturnType<typeof services>;
  private failure: Error | undefined;
  private finished = false;
  private message: Message | null = null;
  private object: Record<string, unknown> | null = null;
  /** The MMU fault a memory service raised, so that a driver that then dies of it dies of a fault. */
  private fault: Error | undefined;

  constructor(
    private readonly program: IsolatedProgram,
    private readonly sys: Sys,
  ) {
    this.child = new DriverProcess(program.name, program.config, program.modules, program.limits);
    orphans.register(this, this.child, this);
    const serve = services(sys, program.host);
    this.serve = (name, args, bin) => {
      try {
        return serve(name, args, bin);
      } catch (error) {
        if ((error as Error)?.name === 'MmuFault') this.fault = error as Error;
        throw error;
      }
    };
    try {
      const ready = exchange(this.child, START_LIMIT_MS, this.serve);
      if (ready.op !== 'ready') throw ready.op === 'threw' ? thrownError(ready.error) : new Error('the driver\'s process did not start');
      const start: StartRequest = {
        op: 'start',
        endpoint: sys.endpoint,
        name: sys.name,
        args: sys.args,
        clockHz: sys.clockHz,
        memBase: sys.mem.baseVaddr,
        memBytes: sys.mem.sizeBytes,
        hasGrants: sys.grants !== null,
        capture: sys.capturesSourceLocations,
      };
      this.child.send(start);
      const started = exchange(this.child, program.limits.stallMs, this.serve);
      if (started.op !== 'started') throw started.op === 'threw' ? this.thrown(started.error) : new Error(`unexpected ${started.op} from the driver's process`);
    } catch (error) {
      // Reported at the first resume, where the kernel expects a program to fail.
      this.failure = error as Error;
    }
  }

  next(...args: [] | [unknown]): IteratorResult<unknown, unknown> {
    if (this.failure !== undefined) throw this.end(this.failure);
    if (this.finished) return { done: true, value: undefined };
    const status = word(args[0]);
    const writes: { msg?: number[]; obj?: unknown } = {};
    if (this.message !== null) writes.msg = Array.from(this.message.words);
    if (this.object !== null) writes.obj = this.object;
    this.message = null;
    this.object = null;
    let reply: ToHost;
    try {
      this.child.send({ op: 'next', status, capture: this.sys.capturesSourceLocations, ...writes });
      reply = exchange(this.child, this.program.limits.stallMs, this.serve);
    } catch (error) {
      throw this.end(error as Error);
    }
    switch (reply.op) {
      case 'trap':
        this.enter(reply);
        return { done: false, value: TRAP_TOKEN };
      case 'done':
        this.end(undefined);
        return { done: true, value: typeof reply.value === 'number' ? reply.value : undefined };
      case 'threw':
        throw this.end(this.thrown(reply.error));
      default:
        throw this.end(new Error(`unexpected ${reply.op} from the driver's process`));
    }
  }

  return(value: unknown): IteratorResult<unknown, unknown> {
    this.end(undefined);
    return { done: true, value };
  }

  throw(error: unknown): IteratorResult<unknown, unknown> {
    this.end(undefined);
    throw error;
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** Lets the driver's host process go: the kernel calls this when the (simulated) process ends. */
  release(): void {
    this.end(undefined);
  }

  /** The host's error for what the driver threw, its message ending with where in the user's file it was thrown. */
  private thrown(description: ThrownDescription): Error {
    const error = thrownError(description);
    if (this.fault !== undefined && error.name === this.fault.name) return this.fault;
    if (error instanceof CpuBudgetExceeded) return error;
    const at = this.program.locate?.(error);
    if (at !== undefined) error.message = `${error.message} (at ${at.file}:${at.line}:${at.column})`;
    return error;
  }

  private end<E extends Error | undefined>(error: E): E {
    this.finished = true;
    this.failure = undefined;
    this.child.kill();
    orphans.unregister(this);
    return error;
  }

  /** Sets the driver's kernel entry on the real Sys, as its own SDK call would have. */
  private enter(trap: TrapReport): void {
    const args = Array.isArray(trap.args) ? trap.args.map(word) : [];
    const [a = 0, b = 0, c = 0, d = 0, e = 0] = args;
    const sys = this.sys;
    switch (trap.kind) {
      case 'work':
        sys.compute(Math.max(0, a));
        break;
      case 'ipc': {
        let message: Message | null = null;
        if (Array.isArray(trap.msg)) {
          message = new Message();
          for (let i = 0; i < 16; i++) message.words[i] = word(trap.msg[i]);
        }
        this.message = message;
        sys.ipc_raw(word(trap.nr), a, message);
        break;
      }
      case 'call': {
        let object: unknown = null;
        if (trap.grants === true) object = sys.grants;
        else if (typeof trap.obj === 'object' && trap.obj !== null && !Array.isArray(trap.obj)) object = this.object = trap.obj as Record<string, unknown>;
        sys.sys_call(word(trap.nr), a, b, c, d, e, object);
        break;
      }
      default:
        // A yield without an SDK call: the kernel repeats the last request, as it would for a built-in program.
        return;
    }
    if (Array.isArray(trap.frames) && sys.capturesSourceLocations) sys.setEntryFrames(trap.frames.filter((f): f is string => typeof f === 'string'));
  }
}
