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
  return (sys: Sys): Program => new InetServer(sys, counters, stackRxCycles).run();
}

interface TxSlot {
  seq: number;
  grant: number;
  sentAtCycles: number;
}

interface RxSlot {
  posted: boolean;
  grant: number;
}

type Steps<T> = Generator<ReturnType<Sys['notify']>, T, number>;

/**
 * One instance of the network server. Its helpers are methods, not closures made per instance: a generator
 * object's map comes from its function, so helpers made afresh for each instance (each trial of a campaign, each
 * restart) gave the optimised server new maps every time, and V8 threw its code away and compiled it again.
 */
class InetServer {
  private readonly driverLabel: string;
  private readonly windowPackets: number;
  private readonly rtoCycles: number;
  private readonly sef: Sef;
  private txBase = 0;
  private rxBase = 0;
  private readonly txSlots: TxSlot[] = [];
  private readonly rxSlots: RxSlot[] = [];
  private readonly outstanding = new Map<number, Outstanding>();
  /** Request frames waiting for the application. */
  private readonly requests: { seq: number; sizeBytes: number }[] = [];
  /** Applications waiting for a request, first come first served. */
  private readonly requestWaiters: number[] = [];
  private readonly requestReply = new Message();
  private driver: number = NONE;
  private mac: Uint8Array = new Uint8Array(6);
  private readonly m = new Message();
  private readonly req = new Message();
  private readonly found = ref(0);
  // The retransmission timer runs only while something waits: packets, reads to post, or a driver to find.
  private timerSet = false;

  constructor(
    private readonly sys: Sys,
    private readonly counters: InetCounters,
    private readonly stackRxCycles: number,
  ) {
    this.driverLabel = typeof sys.args['driver'] === 'string' ? sys.args['driver'] : 'nic';
    this.windowPackets = typeof sys.args['window'] === 'number' ? sys.args['window'] : 64;
    this.rtoCycles = typeof sys.args['rtoCycles'] === 'number' ? sys.args['rtoCycles'] : secondsToCycles(RETRANSMISSION_TIMEOUT_SECONDS, sys.clockHz);
    this.sef = new Sef(sys);
  }

  *run(): Program {
    const { sys, sef, counters, txSlots, rxSlots, outstanding, requests, requestWaiters, m } = this;
    const rtoCycles = this.rtoCycles;
    const r0 = yield* sef.startup();
    if (r0 !== OK) return r0;
    this.txBase = sys.mem.alloc(TX_SLOTS * SLOT_BYTES);
    this.rxBase = sys.mem.alloc(RX_SLOTS * SLOT_BYTES);
    for (let i = 0; i < TX_SLOTS; i++) txSlots.push({ seq: -1, grant: -1, sentAtCycles: 0 });
    for (let i = 0; i < RX_SLOTS; i++) rxSlots.push({ posted: false, grant: -1 });

    const change: DsChange = { key: '', type: 0, owner: NONE };
    yield* sef.ds.subscribe(labelPattern(this.driverLabel), DsFlags.TYPE_LABEL);
    yield* this.findDriver();
    yield* this.postReads();
    yield* this.armTimer();
    for (;;) {
      const r = yield* sef.receive(ANY, m);
      if (r !== OK) continue;
      const now = sys.uptimeCycles();
      if (isNotify(m)) {
        if (m.source === sef.ds.endpoint) {
          // The driver's label changed: a new instance runs (or none does).
          let renewed = false;
          while ((yield* sef.ds.check(change)) === OK) renewed = true;
          yield* this.findDriver(renewed);
          yield* this.postReads();
          yield* this.pump(now);
          yield* this.armTimer();
          continue;
        }
        if (m.source !== CLOCK) continue;
        // Retransmission timer: replies lost with a dead driver free their slots; late packets go again.
        let overdue = false;
        for (const s of txSlots) if (s.seq !== -1 && now - s.sentAtCycles >= rtoCycles) s.seq = -1;
        for (const o of outstanding.values()) if (now - o.lastSentAtCycles >= rtoCycles) overdue = true;
        if (overdue || this.driver === NONE || rxSlots.some((s) => !s.posted)) yield* this.findDriver();
        yield* this.postReads();
        yield* this.pump(now);
        this.timerSet = false;
        yield* this.armTimer();
        continue;
      }
      switch (m.type) {
        case NetRequest.SEND: {
          const seq = NetLayout.seq.get(m);
          let status: number = OK;
          if (outstanding.size >= this.windowPackets) {
            status = Errno.EAGAIN;
            counters.refused++;
          } else if (!outstanding.has(seq)) {
            const o: Outstanding = { sizeBytes: NetLayout.sizeBytes.get(m), lastSentAtCycles: now, sends: 0 };
            outstanding.set(seq, o);
            counters.accepted++;
            yield* this.transmit(seq, o);
            yield* this.armTimer();
          }
          yield* this.answer(m, status);
          break;
        }
        case NetRequest.STATUS:
          yield* this.answer(m, OK);
          break;
        case NetRequest.RECV: {
          const next = requests.shift();
          if (next !== undefined) yield* this.giveRequest(m.source, next.seq, next.sizeBytes);
          else if (!requestWaiters.includes(m.source)) requestWaiters.push(m.source);
          else yield* this.answer(m, Errno.EBUSY);
          break;
        }
        case NetRequest.RESPOND:
          yield* this.answer(m, yield* this.respond(NetLayout.seq.get(m), NetLayout.sizeBytes.get(m)));
          break;
        case DL_TASK_REPLY: {
          if (m.source !== this.driver) break;
          if ((DlLayout.flags.get(m) & DlFlags.PACK_RECV) !== 0) {
            yield* this.received(m);
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
          yield* this.pump(now);
          break;
        }
        default:
          break;
      }
    }
  }

  private releaseSlots(): void {
    const sys = this.sys;
    for (const s of this.txSlots) {
      if (s.grant >= 0) sys.cpf_revoke(s.grant);
      s.seq = -1;
      s.grant = -1;
    }
    for (const s of this.rxSlots) {
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
  private *findDriver(renewed = false): Steps<void> {
    const sef = this.sef;
    const r = yield* sef.ds.retrieveLabelEndpoint(this.driverLabel, this.found);
    const ep = r === OK ? this.found.value : NONE;
    if (ep === this.driver && !renewed) return;
    if (this.driver !== NONE) sef.asyncCancel(this.driver);
    this.releaseSlots();
    this.driver = ep;
    this.counters.driverChanges++;
    if (ep === NONE) return;
    const macOut = ref<Uint8Array | null>(null);
    if ((yield* sef.ds.retrieveBytes(nicKeys(this.driverLabel).mac, macOut)) === OK && macOut.value !== null) this.mac = macOut.value;
    // What was handed to the previous instance is lost with it.
    for (const o of this.outstanding.values()) o.lastSentAtCycles = -this.rtoCycles;
  }

  private *postReads(): Steps<void> {
    const { sys, req, driver } = this;
    if (driver === NONE) return;
    for (let i = 0; i < RX_SLOTS; i++) {
      const s = this.rxSlots[i]!;
      if (s.posted) continue;
      if (s.grant >= 0) sys.cpf_revoke(s.grant);
      s.grant = sys.cpf_grant_direct(driver, this.rxBase + i * SLOT_BYTES, SLOT_BYTES, CPF.WRITE);
      req.clear();
      req.type = DlRequest.READV_S;
      DlLayout.id.set(req, i);
      DlLayout.grant.set(req, s.grant);
      DlLayout.length.set(req, SLOT_BYTES);
      if ((yield* this.sef.asynsend(driver, req)) === OK) s.posted = true;
    }
  }

  /**
   * Puts a frame of `kind` in a free TX slot, grants it to the driver and asks the driver to
   * send it; the slot, or undefined (with the reason) when there is no driver, no free slot,
   * or the request could not be queued.
   */
  private *sendFrame(kind: number, seq: number, sizeBytes: number): Steps<{ slot?: TxSlot; status: number }> {
    const { sys, req, driver } = this;
    if (driver === NONE) return { status: Errno.EAGAIN };
    const slot = this.txSlots.findIndex((s) => s.seq === -1);
    if (slot < 0) return { status: Errno.EAGAIN };
    const s = this.txSlots[slot]!;
    const length = Math.min(SLOT_BYTES, Math.max(STREAM_HEADER_BYTES, sizeBytes));
    const vaddr = this.txBase + slot * SLOT_BYTES;
    sys.mem.write(vaddr, streamFrame(PEER_MAC, this.mac, kind, seq, length));
    if (s.grant >= 0) sys.cpf_revoke(s.grant);
    s.grant = sys.cpf_grant_direct(driver, vaddr, length, CPF.READ);
    req.clear();
    req.type = DlRequest.WRITEV_S;
    DlLayout.id.set(req, slot);
    DlLayout.grant.set(req, s.grant);
    DlLayout.length.set(req, length);
    const r = yield* this.sef.asynsend(driver, req);
    return r === OK ? { slot: s, status: OK } : { status: r };
  }

  private *transmit(seq: number, o: Outstanding): Steps<boolean> {
    const { slot: s } = yield* this.sendFrame(StreamKind.DATA, seq, o.sizeBytes);
    if (s === undefined) return false;
    s.seq = seq;
    s.sentAtCycles = this.sys.uptimeCycles();
    if (o.sends > 0) this.counters.retransmissions++;
    o.sends++;
    o.lastSentAtCycles = s.sentAtCycles;
    return true;
  }

  /** Sends the packets that are due (never sent to this driver, or not acknowledged in time), oldest first, while TX slots are free. */
  private *pump(now: number): Steps<void> {
    for (const [seq, o] of this.outstanding) {
      if (now - o.lastSentAtCycles < this.rtoCycles) continue;
      if (!(yield* this.transmit(seq, o))) break;
    }
  }

  /** A finished read: frees its RX slot, counts an acknowledgement it carries, and posts the slot again. */
  private *received(msg: Message): Steps<void> {
    const sys = this.sys;
    const id = DlLayout.id.get(msg);
    const s = this.rxSlots[id];
    if (s === undefined) return;
    s.posted = false;
    const length = DlLayout.length.get(msg);
    if (DlLayout.status.get(msg) === OK && length > 0) {
      if (this.stackRxCycles > 0) yield sys.compute(this.stackRxCycles);
      if (length >= STREAM_HEADER_BYTES) {
        const frame = sys.mem.read(this.rxBase + id * SLOT_BYTES, STREAM_HEADER_BYTES);
        const type = (frame[12]! << 8) | frame[13]!;
        const kind = frame[14]! | (frame[15]! << 8);
        const seq = (frame[16]! | (frame[17]! << 8) | (frame[18]! << 16) | (frame[19]! << 24)) >>> 0;
        if (type === STREAM_ETHERTYPE && kind === StreamKind.ACK && this.outstanding.delete(seq)) this.counters.acked++;
        else if (type === STREAM_ETHERTYPE && kind === StreamKind.DATA) this.counters.received++;
        else if (type === STREAM_ETHERTYPE && kind === StreamKind.REQUEST) yield* this.requestArrived(seq, length);
      }
    }
    yield* this.postReads();
  }

  /** A request frame: to the application waiting for one, else into the queue (or dropped when it is full). */
  private *requestArrived(seq: number, sizeBytes: number): Steps<void> {
    const waiter = this.requestWaiters.shift();
    if (waiter !== undefined) yield* this.giveRequest(waiter, seq, sizeBytes);
    else if (this.requests.length < REQUEST_QUEUE_LIMIT) this.requests.push({ seq, sizeBytes });
    else this.counters.requestsDropped++;
  }

  private *giveRequest(to: number, seq: number, sizeBytes: number): Steps<void> {
    const requestReply = this.requestReply;
    requestReply.clear();
    requestReply.type = OK;
    NetLayout.seq.set(requestReply, seq);
    NetLayout.sizeBytes.set(requestReply, sizeBytes);
    yield this.sys.send(to, requestReply);
  }

  /** A response frame to the peer: one TX slot, no acknowledgement, no retransmission. */
  private *respond(seq: number, sizeBytes: number): Steps<number> {
    const { slot: s, status } = yield* this.sendFrame(StreamKind.RESPONSE, seq, sizeBytes);
    if (s === undefined) return status;
    s.seq = RESPONSE_SLOT;
    s.sentAtCycles = this.sys.uptimeCycles();
    return OK;
  }

  private *answer(msg: Message, status: number): Steps<void> {
    const caller = msg.source;
    msg.clear();
    msg.type = status;
    NetLayout.acked.set(msg, this.counters.acked);
    NetLayout.received.set(msg, this.counters.received);
    NetLayout.queued.set(msg, this.outstanding.size);
    yield this.sys.send(caller, msg);
  }

  private *armTimer(): Steps<void> {
    if (this.timerSet || (this.outstanding.size === 0 && this.driver !== NONE && this.rxSlots.every((s) => s.posted))) return;
    this.timerSet = true;
    yield this.sys.sys_setalarm(Math.max(1, Math.floor(this.rtoCycles / 2)));
  }
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
