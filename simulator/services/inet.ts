// The network server: applications hand it packets, it sends them through
// the NIC driver, matches the peer's acknowledgements, and retransmits what
// is not acknowledged in time. It subscribes to the driver's label in the
// data store, as MINIX's network server does: when RS publishes a new
// instance of the driver (after any kind of restart or a live update), DS
// notifies it, and it posts its reads to the new instance and sends again at
// once every packet not yet acknowledged.
import { ANY, CLOCK, CPF, Errno, Message, NONE, OK, isNotify, ref, secondsToCycles, type Program, type Sys } from '../sdk';
import { labelPattern, type DsChange } from './dsClient';
import { DL_TASK_REPLY, DlFlags, DlLayout, DlRequest, DsFlags, NetLayout, NetRequest, STREAM_ETHERTYPE, STREAM_HEADER_BYTES, StreamKind, nicKeys } from './messages';
import { Sef } from './sef';

/** The simulated peer's MAC address. */
export const PEER_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02] as const;
const SLOT_BYTES = 1536;
const TX_SLOTS = 8;
/** Reads posted to the driver at once: most of the driver's receive batch, with the TX slots within the 64 grants a service has. */
const RX_SLOTS = 48;
/** Its buffers and room for the rest. */
export const INET_MEMORY_BYTES = (TX_SLOTS + RX_SLOTS) * SLOT_BYTES + 64 * 1024;
/** Request frames from the peer held for the application; more are dropped. */
const REQUEST_QUEUE_LIMIT = 256;
/** A TX slot that carries a response frame, not a packet of the stream. */
const RESPONSE_SLOT = -2;
/** A packet not acknowledged this long after it was sent is sent again (argument rtoCycles overrides it). */
const RETRANSMISSION_TIMEOUT_SECONDS = 0.2;

interface Outstanding {
  readonly sizeBytes: number;
  lastSentAtCycles: number;
  sends: number;
}

export interface InetCounters {
  accepted: number;
  acked: number;
  retransmissions: number;
  refused: number;
  driverChanges: number;
  /** Data frames the peer sent that the server received (a received stream, which it counts and drops). */
  received: number;
  /** Request frames from the peer dropped because the application had too many waiting. */
  requestsDropped: number;
}

/**
 * The network server. `stackRxCycles` is the protocol work it does on each
 * frame it receives, whatever the frame (the cost profile's
 * netStackRxCyclesPerPacket): charged to it as CPU time.
 */
export function inetProgram(counters: InetCounters, stackRxCycles = 0): (sys: Sys) => Program {
  return function* inet(sys: Sys): Program {
    const driverLabel = typeof sys.args['driver'] === 'string' ? sys.args['driver'] : 'nic';
    const windowPackets = typeof sys.args['window'] === 'number' ? sys.args['window'] : 64;
    const rtoCycles = typeof sys.args['rtoCycles'] === 'number' ? sys.args['rtoCycles'] : secondsToCycles(RETRANSMISSION_TIMEOUT_SECONDS, sys.clockHz);
    const sef = new Sef(sys);
    const r0 = yield* sef.startup();
    if (r0 !== OK) return r0;

    const txBase = sys.mem.alloc(TX_SLOTS * SLOT_BYTES);
    const rxBase = sys.mem.alloc(RX_SLOTS * SLOT_BYTES);
    const txSlots = Array.from({ length: TX_SLOTS }, () => ({ seq: -1, grant: -1, sentAtCycles: 0 }));
    const rxSlots = Array.from({ length: RX_SLOTS }, () => ({ posted: false, grant: -1 }));
    const outstanding = new Map<number, Outstanding>();
    /** Request frames waiting for the application, and the application waiting for one (NONE if it is not). */
    const requests: { seq: number; sizeBytes: number }[] = [];
    /** Applications waiting for a request, first come first served. */
    const requestWaiters: number[] = [];
    const requestReply = new Message();
    let driver: number = NONE;
    let mac: Uint8Array = new Uint8Array(6);
    const m = new Message();
    const req = new Message();
    const found = ref(0);

    function releaseSlots(): void {
      for (const s of txSlots) {
        if (s.grant >= 0) sys.cpf_revoke(s.grant);
        s.seq = -1;
        s.grant = -1;
      }
      for (const s of rxSlots) {
        if (s.grant >= 0) sys.cpf_revoke(s.grant);
        s.posted = false;
        s.grant = -1;
      }
    }

    /**
     * Looks the driver's endpoint up; after a change, everything not yet
     * acknowledged is due again. `renewed`: DS has republished the driver's
     * label, so a new instance runs even if the endpoint is the same (a
     * restarted driver keeps its endpoint): what the old instance held is lost
     * and the messages still queued for it are withdrawn.
     */
    function* findDriver(renewed = false): Generator<ReturnType<Sys['notify']>, void, number> {
      const r = yield* sef.ds.retrieveLabelEndpoint(driverLabel, found);
      const ep = r === OK ? found.value : NONE;
      if (ep === driver && !renewed) return;
      if (driver !== NONE) sef.asyncCancel(driver);
      releaseSlots();
      driver = ep;
      counters.driverChanges++;
      if (driver === NONE) return;
      const macOut = ref<Uint8Array | null>(null);
      if ((yield* sef.ds.retrieveBytes(nicKeys(driverLabel).mac, macOut)) === OK && macOut.value !== null) mac = macOut.value;
      // What was handed to the previous instance is lost with it.
      for (const o of outstanding.values()) o.lastSentAtCycles = -rtoCycles;
    }

    function* postReads(): Generator<ReturnType<Sys['notify']>, void, number> {
      if (driver === NONE) return;
      for (let i = 0; i < RX_SLOTS; i++) {
        const s = rxSlots[i]!;
        if (s.posted) continue;
        if (s.grant >= 0) sys.cpf_revoke(s.grant);
        s.grant = sys.cpf_grant_direct(driver, rxBase + i * SLOT_BYTES, SLOT_BYTES, CPF.WRITE);
        req.clear();
        req.type = DlRequest.READV_S;
        DlLayout.id.set(req, i);
        DlLayout.grant.set(req, s.grant);
        DlLayout.length.set(req, SLOT_BYTES);
        if ((yield* sef.asynsend(driver, req)) === OK) s.posted = true;
      }
    }

    /**
     * Puts a frame of `kind` in a free TX slot, grants it to the driver and asks the driver to
     * send it; the slot, or undefined (with the reason) when there is no driver, no free slot,
     * or the request could not be queued.
     */
    function* sendFrame(kind: number, seq: number, sizeBytes: number): Generator<ReturnType<Sys['notify']>, { slot?: (typeof txSlots)[number]; status: number }, number> {
      if (driver === NONE) return { status: Errno.EAGAIN };
      const slot = txSlots.findIndex((s) => s.seq === -1);
      if (slot < 0) return { status: Errno.EAGAIN };
      const s = txSlots[slot]!;
      const length = Math.min(SLOT_BYTES, Math.max(STREAM_HEADER_BYTES, sizeBytes));
      const vaddr = txBase + slot * SLOT_BYTES;
      sys.mem.write(vaddr, streamFrame(PEER_MAC, mac, kind, seq, length));
      if (s.grant >= 0) sys.cpf_revoke(s.grant);
      s.grant = sys.cpf_grant_direct(driver, vaddr, length, CPF.READ);
      req.clear();
      req.type = DlRequest.WRITEV_S;
      DlLayout.id.set(req, slot);
      DlLayout.grant.set(req, s.grant);
      DlLayout.length.set(req, length);
      const r = yield* sef.asynsend(driver, req);
      return r === OK ? { slot: s, status: OK } : { status: r };
    }

    function* transmit(seq: number, o: Outstanding): Generator<ReturnType<Sys['notify']>, boolean, number> {
      const { slot: s } = yield* sendFrame(StreamKind.DATA, seq, o.sizeBytes);
      if (s === undefined) return false;
      s.seq = seq;
      s.sentAtCycles = sys.uptimeCycles();
      if (o.sends > 0) counters.retransmissions++;
      o.sends++;
      o.lastSentAtCycles = s.sentAtCycles;
      return true;
    }

    /** Sends the packets that are due (never sent to this driver, or not acknowledged in time), oldest first, while TX slots are free. */
    function* pump(now: number): Generator<ReturnType<Sys['notify']>, void, number> {
      for (const [seq, o] of outstanding) {
        if (now - o.lastSentAtCycles < rtoCycles) continue;
        if (!(yield* transmit(seq, o))) break;
      }
    }

    /** A finished read: frees its RX slot, counts an acknowledgement it carries, and posts the slot again. */
    function* received(msg: Message): Generator<ReturnType<Sys['notify']>, void, number> {
      const id = DlLayout.id.get(msg);
      const s = rxSlots[id];
      if (s === undefined) return;
      s.posted = false;
      const length = DlLayout.length.get(msg);
      if (DlLayout.status.get(msg) === OK && length > 0) {
        if (stackRxCycles > 0) yield sys.compute(stackRxCycles);
        if (length >= STREAM_HEADER_BYTES) {
          const frame = sys.mem.read(rxBase + id * SLOT_BYTES, STREAM_HEADER_BYTES);
          const type = (frame[12]! << 8) | frame[13]!;
          const kind = frame[14]! | (frame[15]! << 8);
          const seq = (frame[16]! | (frame[17]! << 8) | (frame[18]! << 16) | (frame[19]! << 24)) >>> 0;
          if (type === STREAM_ETHERTYPE && kind === StreamKind.ACK && outstanding.delete(seq)) counters.acked++;
          else if (type === STREAM_ETHERTYPE && kind === StreamKind.DATA) counters.received++;
          else if (type === STREAM_ETHERTYPE && kind === StreamKind.REQUEST) yield* requestArrived(seq, length);
        }
      }
      yield* postReads();
    }

    /** A request frame: to the application waiting for one, else into the queue (or dropped when it is full). */
    function* requestArrived(seq: number, sizeBytes: number): Generator<ReturnType<Sys['notify']>, void, number> {
      const waiter = requestWaiters.shift();
      if (waiter !== undefined) yield* giveRequest(waiter, seq, sizeBytes);
      else if (requests.length < REQUEST_QUEUE_LIMIT) requests.push({ seq, sizeBytes });
      else counters.requestsDropped++;
    }

    function* giveRequest(to: number, seq: number, sizeBytes: number): Generator<ReturnType<Sys['notify']>, void, number> {
      requestReply.clear();
      requestReply.type = OK;
      NetLayout.seq.set(requestReply, seq);
      NetLayout.sizeBytes.set(requestReply, sizeBytes);
      yield sys.send(to, requestReply);
    }

    /** A response frame to the peer: one TX slot, no acknowledgement, no retransmission. */
    function* respond(seq: number, sizeBytes: number): Generator<ReturnType<Sys['notify']>, number, number> {
      const { slot: s, status } = yield* sendFrame(StreamKind.RESPONSE, seq, sizeBytes);
      if (s === undefined) return status;
      s.seq = RESPONSE_SLOT;
      s.sentAtCycles = sys.uptimeCycles();
      return OK;
    }

    function* answer(msg: Message, status: number): Generator<ReturnType<Sys['notify']>, void, number> {
      const caller = msg.source;
      msg.clear();
      msg.type = status;
      NetLayout.acked.set(msg, counters.acked);
      NetLayout.received.set(msg, counters.received);
      NetLayout.queued.set(msg, outstanding.size);
      yield sys.send(caller, msg);
    }

    // The retransmission timer runs only while something waits: packets, reads to post, or a driver to find.
    let timerSet = false;
    function* armTimer(): Generator<ReturnType<Sys['notify']>, void, number> {
      if (timerSet || (outstanding.size === 0 && driver !== NONE && rxSlots.every((s) => s.posted))) return;
      timerSet = true;
      yield sys.sys_setalarm(Math.max(1, Math.floor(rtoCycles / 2)));
    }

    const change: DsChange = { key: '', type: 0, owner: NONE };
    yield* sef.ds.subscribe(labelPattern(driverLabel), DsFlags.TYPE_LABEL);
    yield* findDriver();
    yield* postReads();
    yield* armTimer();
    for (;;) {
      const r = yield* sef.receive(ANY, m);
      if (r !== OK) continue;
      const now = sys.uptimeCycles();
      if (isNotify(m)) {
        if (m.source === sef.ds.endpoint) {
          // The driver's label changed: a new instance runs (or none does).
          let renewed = false;
          while ((yield* sef.ds.check(change)) === OK) renewed = true;
          yield* findDriver(renewed);
          yield* postReads();
          yield* pump(now);
          yield* armTimer();
          continue;
        }
        if (m.source !== CLOCK) continue;
        // Retransmission timer: replies lost with a dead driver free their slots; late packets go again.
        let overdue = false;
        for (const s of txSlots) if (s.seq !== -1 && now - s.sentAtCycles >= rtoCycles) s.seq = -1;
        for (const o of outstanding.values()) if (now - o.lastSentAtCycles >= rtoCycles) overdue = true;
        if (overdue || driver === NONE || rxSlots.some((s) => !s.posted)) yield* findDriver();
        yield* postReads();
        yield* pump(now);
        timerSet = false;
        yield* armTimer();
        continue;
      }
      switch (m.type) {
        case NetRequest.SEND: {
          const seq = NetLayout.seq.get(m);
          let status: number = OK;
          if (outstanding.size >= windowPackets) {
            status = Errno.EAGAIN;
            counters.refused++;
          } else if (!outstanding.has(seq)) {
            const o: Outstanding = { sizeBytes: NetLayout.sizeBytes.get(m), lastSentAtCycles: now, sends: 0 };
            outstanding.set(seq, o);
            counters.accepted++;
            yield* transmit(seq, o);
            yield* armTimer();
          }
          yield* answer(m, status);
          break;
        }
        case NetRequest.STATUS:
          yield* answer(m, OK);
          break;
        case NetRequest.RECV: {
          const next = requests.shift();
          if (next !== undefined) yield* giveRequest(m.source, next.seq, next.sizeBytes);
          else if (!requestWaiters.includes(m.source)) requestWaiters.push(m.source);
          else yield* answer(m, Errno.EBUSY);
          break;
        }
        case NetRequest.RESPOND:
          yield* answer(m, yield* respond(NetLayout.seq.get(m), NetLayout.sizeBytes.get(m)));
          break;
        case DL_TASK_REPLY: {
          if (m.source !== driver) break;
          if ((DlLayout.flags.get(m) & DlFlags.PACK_RECV) !== 0) {
            yield* received(m);
            break;
          }
          const s = txSlots[DlLayout.id.get(m)];
          if (s === undefined) break;
          const o = outstanding.get(s.seq);
          s.seq = -1;
          if (DlLayout.status.get(m) !== OK) {
            // The driver refused it (its ring full): it goes again at the next timer.
            if (o !== undefined) o.lastSentAtCycles = -rtoCycles;
            break;
          }
          // A slot is free again: what is due goes now rather than at the next timer.
          yield* pump(now);
          break;
        }
        default:
          break;
      }
    }

  };
}

/** A packet-stream frame: Ethernet header, kind and sequence number, padded to `length`. */
export function streamFrame(dst: ArrayLike<number>, src: ArrayLike<number>, kind: number, seq: number, length: number): Uint8Array {
  const f = new Uint8Array(Math.max(STREAM_HEADER_BYTES, length));
  for (let i = 0; i < 6; i++) {
    f[i] = dst[i] ?? 0;
    f[6 + i] = src[i] ?? 0;
  }
  f[12] = STREAM_ETHERTYPE >>> 8;
  f[13] = STREAM_ETHERTYPE & 0xff;
  f[14] = kind & 0xff;
  f[15] = kind >>> 8;
  f[16] = seq & 0xff;
  f[17] = (seq >>> 8) & 0xff;
  f[18] = (seq >>> 16) & 0xff;
  f[19] = (seq >>> 24) & 0xff;
  for (let i = STREAM_HEADER_BYTES; i < f.length; i++) f[i] = payloadByte(seq, i);
  return f;
}

/** The payload a stream frame carries: a pattern of its sequence number, so the receiver can check it end to end. */
function payloadByte(seq: number, offset: number): number {
  return (seq * 31 + offset) & 0xff;
}

/** Whether a stream frame's payload is the pattern its sequence number gives (an end-to-end check of the data). */
export function streamPayloadIntact(f: Uint8Array, seq: number): boolean {
  for (let i = STREAM_HEADER_BYTES; i < f.length; i++) if (f[i] !== payloadByte(seq, i)) return false;
  return true;
}

/** Reads kind and sequence number of a packet-stream frame, or undefined for any other frame. */
export function parseStreamFrame(f: Uint8Array): { kind: number; seq: number; src: Uint8Array } | undefined {
  if (f.length < STREAM_HEADER_BYTES || ((f[12]! << 8) | f[13]!) !== STREAM_ETHERTYPE) return undefined;
  return { kind: f[14]! | (f[15]! << 8), seq: (f[16]! | (f[17]! << 8) | (f[18]! << 16) | (f[19]! << 24)) >>> 0, src: f.subarray(6, 12) };
}
