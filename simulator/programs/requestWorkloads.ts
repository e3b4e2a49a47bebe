// The request workloads: an IPC ping-pong (clients call a server that replies
// at once, as sel4bench's IPC benchmark does) and a request-response service
// (clients send requests at a rate, the server copies each request in and a
// response out through the client's grant, MINIX's way of moving data). Each
// completed operation's latency, in cycles of the simulated clock, goes to a
// sink the system reads for the summary and for `mklab bench compare`.
import { ANY, CLOCK, CPF, Message, OK, cyclesPerUnit, defineLayout, isNotify, type Program, type Sys } from '../sdk';
import { NetLayout, NetRequest } from '../services/messages';
import type { RandomStream } from '../core/random';

export const PINGPONG_SERVER = 'pingpong-server';
export const PINGPONG_CLIENT = 'pingpong-client';
export const RR_SERVER = 'rr-server';
export const RR_CLIENT = 'rr-client';

/** The most latencies a sink keeps (about 16 MB of numbers); operations beyond are counted, not kept. */
export const MAX_KEPT_LATENCIES = 2_000_000;

export interface LatencySink {
  /** Operations completed (round trips, or requests answered). */
  completed: number;
  /** Operations that failed (the server was gone or refused). */
  failed: number;
  /** Latency of each completed operation, in cycles, in completion order (at most MAX_KEPT_LATENCIES). */
  readonly latenciesCycles: number[];
  /** The kernel's counts when the workload started, for what it cost per operation since; null before. */
  atStart: { readonly contextSwitches: number; readonly kernelEntries: number } | null;
}

export function newLatencySink(): LatencySink {
  return { completed: 0, failed: 0, latenciesCycles: [], atStart: null };
}

/** Counts a completed operation and keeps its latency. */
export function recordLatency(sink: LatencySink, cycles: number): void {
  sink.completed++;
  if (sink.latenciesCycles.length < MAX_KEPT_LATENCIES) sink.latenciesCycles.push(cycles);
}

const REQUEST = 0x1;
/** A request: the client's grant, how many bytes the server reads from it and how many it writes back. */
export const RequestLayout = defineLayout({ grant: 'i32', requestBytes: 'u32', responseBytes: 'u32', status: 'i32' });

function num(sys: Sys, name: string, fallback: number): number {
  const v = sys.args[name];
  return typeof v === 'number' ? v : fallback;
}

/** The ping-pong server: answers every message at once with the same message. */
export function* pingpongServer(sys: Sys): Program {
  const m = new Message();
  for (;;) {
    if ((yield sys.receive(ANY, m)) !== OK || isNotify(m)) continue;
    yield sys.send(m.source, m);
  }
}

/** A ping-pong client: `messages` round trips (SENDREC) to `server`, back to back; arguments server, messages, startAtCycles. */
export function pingpongClient(sink: LatencySink): (sys: Sys) => Program {
  return function* client(sys: Sys): Program {
    const server = num(sys, 'server', -1);
    const messages = num(sys, 'messages', 1000);
    const m = new Message();
    const startAt = num(sys, 'startAtCycles', 0);
    if (startAt > sys.uptimeCycles()) {
      yield sys.sys_setalarm(startAt, true);
      yield sys.receive(CLOCK, m);
    }
    for (let i = 0; i < messages; i++) {
      m.clear();
      m.type = REQUEST;
      const t0 = sys.uptimeCycles();
      if ((yield sys.sendrec(server, m)) !== OK) {
        sink.failed++;
        continue;
      }
      recordLatency(sink, sys.uptimeCycles() - t0);
    }
    return OK;
  };
}

/**
 * The request-response server: for each request, reads the request bytes from
 * the client's grant and writes the response bytes back. With the argument
 * transport "network" it serves the peer instead: it asks the network server
 * for the next request frame and has it send a response frame of
 * responseBytes.
 */
export function* rrServer(sys: Sys): Program {
  if (sys.args['transport'] === 'network') return yield* networkServer(sys);
  const m = new Message();
  const buffer = sys.mem.alloc(64 * 1024);
  for (;;) {
    if ((yield sys.receive(ANY, m)) !== OK || isNotify(m)) continue;
    const grant = RequestLayout.grant.get(m);
    const requestBytes = Math.min(RequestLayout.requestBytes.get(m), 64 * 1024);
    const responseBytes = Math.min(RequestLayout.responseBytes.get(m), 64 * 1024);
    let status: number = OK;
    if (requestBytes > 0) status = yield sys.sys_safecopyfrom(m.source, grant, 0, buffer, requestBytes);
    if (status === OK && responseBytes > 0) status = yield sys.sys_safecopyto(m.source, grant, 0, buffer, responseBytes);
    RequestLayout.status.set(m, status);
    yield sys.send(m.source, m);
  }
}

/**
 * A request-response client: a request every 1/ratePerSecond seconds from
 * startAtCycles on. Open loop (the default): a request whose time comes while
 * the previous one is outstanding is sent as soon as that one is answered,
 * and its latency still counts from the time it was due, so a saturated
 * server shows in the latencies instead of slowing the clock of requests (no
 * coordinated omission). Closed loop (argument loop "closed"): the next
 * request waits for the answer and for its slot, and latency counts from the
 * send. Arguments: server, ratePerSecond, requestBytes, responseBytes, loop,
 * arrivals ('poisson' spaces an open loop's requests at random), startAtCycles.
 */
export function rrClient(sink: LatencySink): (sys: Sys) => Program {
  return function* client(sys: Sys): Program {
    const server = num(sys, 'server', -1);
    const closed = sys.args['loop'] === 'closed';
    const requestBytes = num(sys, 'requestBytes', 64);
    const responseBytes = num(sys, 'responseBytes', 64);
    const interval = Math.max(1, Math.round(cyclesPerUnit(num(sys, 'ratePerSecond', 1000), sys.clockHz)));
    const gap = !closed && sys.args['arrivals'] === 'poisson' ? poissonGaps(interval, sys.random) : () => interval;
    const size = Math.max(requestBytes, responseBytes, 1);
    const buffer = sys.mem.alloc(size);
    const grant = sys.cpf_grant_direct(server, buffer, size, CPF.READ | CPF.WRITE);
    const m = new Message();
    let due = Math.max(num(sys, 'startAtCycles', 0), sys.uptimeCycles());
    for (;;) {
      if (due > sys.uptimeCycles()) {
        yield sys.sys_setalarm(due, true);
        yield sys.receive(CLOCK, m);
      }
      m.clear();
      m.type = REQUEST;
      RequestLayout.grant.set(m, grant);
      RequestLayout.requestBytes.set(m, requestBytes);
      RequestLayout.responseBytes.set(m, responseBytes);
      const sent = sys.uptimeCycles();
      const r = yield sys.sendrec(server, m);
      if (r !== OK || RequestLayout.status.get(m) !== OK) sink.failed++;
      else recordLatency(sink, sys.uptimeCycles() - (closed ? sent : due));
      // Open: the next is due at the rate whatever happened. Closed: not before the answer.
      due = closed ? Math.max(due + interval, sys.uptimeCycles()) : due + gap();
    }
  };
}

/** Gaps between Poisson arrivals of mean `meanCycles`: exponentially distributed, whole cycles, at least one. */
export function poissonGaps(meanCycles: number, random: RandomStream): () => number {
  return () => Math.max(1, Math.round(-Math.log(1 - random.nextFloat()) * meanCycles));
}

/** How long the network server waits before looking for the network server again when it is gone. */
const RETRY_SECONDS = 0.001;

function* networkServer(sys: Sys): Program {
  const responseBytes = num(sys, 'responseBytes', 64);
  const lookup = { name: 'inet', endpoint: 0 };
  const m = new Message();
  for (;;) {
    if ((yield sys.sys_getendpoint(lookup)) !== OK) {
      yield sys.sys_setalarm(Math.max(1, Math.round(RETRY_SECONDS * sys.clockHz)));
      yield sys.receive(CLOCK, m);
      continue;
    }
    m.clear();
    m.type = NetRequest.RECV;
    if ((yield sys.sendrec(lookup.endpoint, m)) !== OK || m.type !== OK) continue;
    const seq = NetLayout.seq.get(m);
    m.clear();
    m.type = NetRequest.RESPOND;
    NetLayout.seq.set(m, seq);
    NetLayout.sizeBytes.set(m, responseBytes);
    yield sys.sendrec(lookup.endpoint, m);
  }
}
