// The IPC ping-pong workload (clients doing SENDREC to one server) on the
// simulator, and a bare generator loop doing the same rendezvous with no kernel
// logic, to measure what the kernel's checks, costs and tracing add.
import { ANY, OK } from '../kernel/constants';
import { Message } from '../kernel/message';
import { ProgramRegistry } from '../engine/programRegistry';
import { Simulator, type SimulatorOptions } from '../engine/simulator';
import type { Program, Sys } from '../sdk/sys';
import { TraceRecorder, type TraceOptions } from '../trace/recorder';
import { TraceKind } from '../trace/kinds';

export const PING = 1;
export const PONG = 2;

function* pingPongServer(sys: Sys): Program {
  const m = new Message();
  for (;;) {
    if ((yield sys.receive(ANY, m)) !== OK) continue;
    m.type = PONG;
    m.setI32(1, m.i32(0) + 1);
    yield sys.send(m.source, m);
  }
}

function* pingPongClient(sys: Sys): Program {
  const server = sys.args['server'] as number;
  const rounds = sys.args['rounds'] as number;
  const thinkMax = (sys.args['thinkMaxCycles'] as number | undefined) ?? 0;
  const m = new Message();
  for (let i = 0; i < rounds; i++) {
    m.type = PING;
    m.setI32(0, i);
    const r = yield sys.sendrec(server, m);
    if (r !== OK || m.i32(1) !== i + 1) return 1;
    if (thinkMax > 0) yield sys.compute(sys.random.nextInt(thinkMax));
  }
  return 0;
}

export function registerPingPong(programs: ProgramRegistry): ProgramRegistry {
  programs.register('pingpong-server', pingPongServer);
  programs.register('pingpong-client', pingPongClient);
  return programs;
}

export interface PingPongConfig {
  readonly clients: number;
  readonly rounds: number;
  /** Each client thinks for a random 0..thinkMaxCycles after each reply; 0 for none. */
  readonly thinkMaxCycles?: number;
}

/** Builds the ping-pong system from simulator options whose `config` is a PingPongConfig; usable for snapshot restore. */
export function buildPingPong(options: SimulatorOptions): Simulator {
  const config = options.config as unknown as PingPongConfig;
  const sim = new Simulator({ ...options, programs: registerPingPong(new ProgramRegistry()) });
  const server = sim.spawn({ program: 'pingpong-server', name: 'server', privilege: { system: true } });
  for (let i = 0; i < config.clients; i++) {
    sim.spawn({
      program: 'pingpong-client',
      name: `client${i}`,
      args: { server, rounds: config.rounds, thinkMaxCycles: config.thinkMaxCycles ?? 0 },
    });
  }
  return sim;
}

export interface IpcBenchResult {
  readonly messages: number;
  readonly wallMs: number;
  readonly messagesPerSecond: number;
  readonly simulatedCycles: number;
  readonly traceEvents: number;
}

/**
 * Runs the ping-pong on a fresh simulator with tracing on, start to finish; `now`
 * is the host's wall clock in milliseconds. The figure includes the first touch
 * of every page of the trace ring, which on some machines costs more than the IPC.
 */
export function runSimulatorPingPong(clients: number, rounds: number, now: () => number, trace: TraceOptions = { capacity: 1 << 20 }): IpcBenchResult {
  const sim = buildPingPong({ seed: 1, costProfile: 'sel4-skylake', trace, config: { clients, rounds } });
  const start = now();
  sim.run();
  const wallMs = now() - start;
  const messages = sim.kernel.stats.messages;
  if (messages !== 2 * clients * rounds) throw new Error(`ping-pong delivered ${messages} messages, expected ${2 * clients * rounds}`);
  return { messages, wallMs, messagesPerSecond: (messages / wallMs) * 1000, simulatedCycles: sim.clock.now(), traceEvents: sim.trace.totalRecorded };
}

/**
 * The ping-pong as a long run sees it: one simulator that keeps going, measured
 * in windows of `stepsPerWindow` steps after a warm-up that fills the trace ring
 * once, so that the ring is being overwritten as in any run longer than its
 * capacity. Call `window()` repeatedly (interleaved with other measurements).
 */
export class SteadyPingPong {
  readonly sim: Simulator;
  private readonly clients: number;

  constructor(clients: number, private readonly stepsPerWindow: number, trace: TraceOptions = { capacity: 1 << 20 }) {
    this.clients = clients;
    this.sim = buildPingPong({ seed: 1, costProfile: 'sel4-skylake', trace, config: { clients, rounds: 1_000_000_000 } });
    const t = this.sim.trace;
    do this.sim.run({ maxSteps: stepsPerWindow });
    while (t.enabled && t.totalRecorded < t.capacity);
  }

  /** Runs one window and returns its figures; throws if a client saw a wrong reply (it would have exited). */
  window(now: () => number): IpcBenchResult {
    const sim = this.sim;
    const messages0 = sim.kernel.stats.messages;
    const events0 = sim.trace.totalRecorded;
    const cycles0 = sim.clock.now();
    const start = now();
    sim.run({ maxSteps: this.stepsPerWindow });
    const wallMs = now() - start;
    const alive = sim.processes().filter((p) => p.name.startsWith('client')).length;
    if (alive !== this.clients) throw new Error(`ping-pong: ${this.clients - alive} client(s) stopped (a wrong reply)`);
    const messages = sim.kernel.stats.messages - messages0;
    return { messages, wallMs, messagesPerSecond: (messages / wallMs) * 1000, simulatedCycles: sim.clock.now() - cycles0, traceEvents: sim.trace.totalRecorded - events0 };
  }
}

const SENDREC_OP = 1;
const RECEIVE_OP = 2;
const REPLY_OP = 3;

interface BareProc {
  gen: Generator<number, void, void>;
  readonly buf: Message;
  peer: number;
}

// One generator function per role, as the simulator has (pingPongServer and
// pingPongClient): a generator object's map comes from its function, and one
// closure per process would make `gen.next` megamorphic here and not there.
function* bareServer(me: BareProc): Generator<number, void, void> {
  const m = me.buf;
  for (;;) {
    yield RECEIVE_OP;
    m.type = PONG;
    m.setI32(1, m.i32(0) + 1);
    yield REPLY_OP;
  }
}

function* bareClient(me: BareProc, rounds: number): Generator<number, void, void> {
  const m = me.buf;
  for (let i = 0; i < rounds; i++) {
    m.type = PING;
    m.setI32(0, i);
    yield SENDREC_OP;
    if (m.i32(1) !== i + 1) throw new Error('bad reply');
  }
}

/**
 * The same rendezvous with no kernel: generators yield an operation, a
 * dispatcher matches SENDREC with RECEIVE and copies the message with the same
 * Message class. No privileges, no costs, no deadlock checks, no priorities, and
 * no trace unless `trace` is given: then each message and each change of the
 * running process is recorded in it as the kernel records them (an ipcSend and a
 * contextSwitch event), which is what tracing alone adds to the rendezvous.
 */
export function runBarePingPong(clients: number, rounds: number, now: () => number, trace: TraceRecorder | null = null): IpcBenchResult {
  const procs: BareProc[] = [];
  const server: BareProc = { gen: undefined as unknown as Generator<number, void, void>, buf: new Message(), peer: -1 };
  server.gen = bareServer(server);
  procs.push(server);
  for (let c = 0; c < clients; c++) {
    const me: BareProc = { gen: undefined as unknown as Generator<number, void, void>, buf: new Message(), peer: 0 };
    me.gen = bareClient(me, rounds);
    procs.push(me);
  }
  const ready: number[] = [];
  for (let i = 1; i < procs.length; i++) ready.push(i);
  ready.push(0);
  const waiting: number[] = [];
  let serverReceiving = false;
  let messages = 0;
  let time = trace === null ? 0 : trace.totalRecorded;
  const copy = (dst: Message, src: Message, source: number, to: number): void => {
    dst.copyFrom(src);
    dst.source = source;
    if (trace !== null) trace.record(++time, TraceKind.ipcSend, source, to, dst.type, 0, 0);
  };
  const events0 = trace === null ? 0 : trace.totalRecorded;
  const start = now();
  let head = 0;
  let running = -1;
  while (head < ready.length) {
    const id = ready[head++]!;
    const p = procs[id]!;
    if (trace !== null && id !== running) trace.record(++time, TraceKind.contextSwitch, running, id, 0, 0, 0);
    running = id;
    for (;;) {
      const r = p.gen.next();
      if (r.done === true) break;
      const op = r.value;
      if (op === SENDREC_OP) {
        if (serverReceiving) {
          copy(server.buf, p.buf, id, 0);
          messages++;
          server.peer = id;
          serverReceiving = false;
          ready.push(0);
        } else {
          waiting.push(id);
        }
        break;
      }
      if (op === RECEIVE_OP) {
        const from = waiting.shift();
        if (from === undefined) {
          serverReceiving = true;
          break;
        }
        copy(server.buf, procs[from]!.buf, from, 0);
        messages++;
        server.peer = from;
        continue;
      }
      copy(procs[server.peer]!.buf, server.buf, 0, server.peer);
      messages++;
      ready.push(server.peer);
    }
    if (head > 4096) {
      ready.splice(0, head);
      head = 0;
    }
  }
  const wallMs = now() - start;
  if (messages !== 2 * clients * rounds) throw new Error(`bare loop delivered ${messages} messages, expected ${2 * clients * rounds}`);
  return { messages, wallMs, messagesPerSecond: (messages / wallMs) * 1000, simulatedCycles: 0, traceEvents: trace === null ? 0 : trace.totalRecorded - events0 };
}

/**
 * A trace ring for the traced bare loop, filled once as the steady simulator's is (SteadyPingPong), so that the
 * loop writes over it as a long run does.
 */
export function filledTraceRing(capacity = 1 << 20): TraceRecorder {
  const t = new TraceRecorder({ capacity });
  for (let i = 0; i < capacity; i++) t.record(i, TraceKind.custom, 0, 0, 0, 0, 0);
  return t;
}
