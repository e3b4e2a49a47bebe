// The system event framework (MINIX's SEF) every built-in server and driver
// runs on: startup with a fresh, restart or live-update init (the old
// instance's state handed over through the data store), a receive that
// answers RS's heartbeat pings and live-update requests on its own (the old
// instance of a live update waits for RS's verdict, and carries on if the
// update fails), and asynchronous sends that never block on the receiver.
import { AMF, Errno, Message, NONE, OK, isNotify, makeAsyncTable, ref, type AsyncTable, type Sys } from '../sdk';
import { DsClient, type Call } from './dsClient';
import { RS_LU_PREPARE, RsLayout } from './messages';

export type InitType = 'fresh' | 'restart' | 'live-update';

export interface SefCallbacks {
  /** Runs before the service answers RS; `handedOver` is the old instance's state after a live update. */
  init?(type: InitType, handedOver: Uint8Array | null): Call;
  /** The state to hand to the new instance at a live update. */
  saveState?(): Uint8Array;
}

/** The argument RS sets to tell a new instance how to initialise. */
export const SEF_INIT_ARG = 'sefInit';

export class Sef {
  initType: InitType = 'fresh';
  pingsAnswered = 0;
  private rsEndpoint: number = NONE;
  private dsClient: DsClient | null = null;
  private callbacks: SefCallbacks = {};
  private readonly reply = new Message();
  private readonly async: AsyncSender;

  constructor(private readonly sys: Sys) {
    this.async = new AsyncSender(sys, ASYNC_SLOTS);
  }

  get rs(): number {
    return this.rsEndpoint;
  }

  /** The data store client; valid after startup. */
  get ds(): DsClient {
    if (this.dsClient === null) throw new Error('sef: startup has not run');
    return this.dsClient;
  }

  /** sef_startup: finds RS and DS, runs the init callback, then tells RS the service is up. */
  *startup(callbacks: SefCallbacks = {}): Call {
    const sys = this.sys;
    this.callbacks = callbacks;
    const arg = sys.args[SEF_INIT_ARG];
    this.initType = arg === 'restart' || arg === 'live-update' ? arg : 'fresh';
    this.rsEndpoint = yield* this.endpointArg('rs');
    this.dsClient = new DsClient(sys, yield* this.endpointArg('ds'));
    let handedOver: Uint8Array | null = null;
    if (this.initType === 'live-update') {
      const out = ref<Uint8Array | null>(null);
      const r = yield* this.ds.retrieveBytes(stateKey(sys.name), out);
      if (r === OK) handedOver = out.value;
      yield* this.ds.delete(stateKey(sys.name));
    }
    const status = callbacks.init === undefined ? OK : yield* callbacks.init(this.initType, handedOver);
    if (status !== OK) return status;
    if (this.rsEndpoint !== NONE) yield sys.notify(this.rsEndpoint);
    return OK;
  }

  /** sef_receive: RECEIVE that handles RS's pings and live-update requests and returns anything else. */
  *receive(src: number, m: Message): Call {
    const sys = this.sys;
    for (;;) {
      const r = yield sys.receive(src, m);
      if (r !== OK) return r;
      if (m.source !== this.rsEndpoint) return OK;
      if (isNotify(m)) {
        this.pingsAnswered++;
        yield sys.notify(this.rsEndpoint);
        continue;
      }
      if (m.type === RS_LU_PREPARE) {
        let status: number = OK;
        if (this.callbacks.saveState !== undefined) status = yield* this.ds.publishBytes(stateKey(sys.name), this.callbacks.saveState());
        this.reply.clear();
        this.reply.type = RS_LU_PREPARE;
        RsLayout.status.set(this.reply, status);
        // This instance now waits, its state intact. If the new version takes over, RS ends
        // this instance here; RS answers only when the update did not happen, and it carries on.
        yield sys.sendrec(this.rsEndpoint, this.reply);
        if (status === OK && this.callbacks.saveState !== undefined) yield* this.ds.delete(stateKey(sys.name));
        continue;
      }
      return OK;
    }
  }

  /** asynsend: queues `m` for `dst` without blocking; ENOTREADY when every slot is still in flight, EDEADSRCDST for a dead `dst`. */
  *asynsend(dst: number, m: Message): Call {
    return yield* this.async.send(dst, m);
  }

  /** Withdraws the messages queued for `dst` and not yet delivered: they were meant for an instance that has ended. */
  asyncCancel(dst: number): void {
    this.async.cancel(dst);
  }

  private *endpointArg(name: 'rs' | 'ds'): Call {
    const given = this.sys.args[name];
    if (typeof given === 'number') return given;
    const lookup = { name, endpoint: 0 };
    const r = yield this.sys.sys_getendpoint(lookup);
    return r === OK ? lookup.endpoint : NONE;
  }
}

/** The data store key holding a service's state during a live update. */
export function stateKey(label: string): string {
  return `lu.${label}`;
}

/** Slots of a service's asynchronous message table: ASYN_NR of MINIX's libsys (asynsend.c). */
export const ASYNC_SLOTS = 100;

/** A table of asynchronous messages (MINIX's asynsend3): a slot is free again once the kernel has delivered it. */
export class AsyncSender {
  private readonly table: AsyncTable;

  constructor(
    private readonly sys: Sys,
    slots: number,
  ) {
    this.table = makeAsyncTable(slots);
  }

  *send(dst: number, m: Message): Call {
    let slot = this.freeSlot();
    if (slot === undefined) {
      // Every slot still waits. Handing the table to the kernel again retires the messages
      // whose receiver has died since (MINIX's senda rescans the whole table), freeing their slots.
      yield this.sys.senda(this.table);
      slot = this.freeSlot();
    }
    if (slot === undefined) return Errno.ENOTREADY;
    slot.msg.copyFrom(m);
    slot.dst = dst;
    slot.result = 0;
    slot.flags = AMF.VALID;
    const r = yield this.sys.senda(this.table);
    // A message the kernel refused at once (a dead or forbidden destination) is reported here.
    return r === OK && (slot.flags & AMF.DONE) !== 0 ? slot.result : r;
  }

  /**
   * Withdraws every message for `dst` not yet delivered (MINIX: the sender
   * clears AMF_VALID; the kernel then never delivers the entry).
   */
  cancel(dst: number): void {
    for (const e of this.table) if (e.dst === dst && (e.flags & AMF.VALID) !== 0 && (e.flags & AMF.DONE) === 0) e.flags = AMF.EMPTY;
  }

  private freeSlot() {
    return this.table.find((e) => e.flags === AMF.EMPTY || (e.flags & AMF.DONE) !== 0);
  }

  /** Messages handed to the kernel and not yet delivered. */
  get inFlight(): number {
    let n = 0;
    for (const e of this.table) if ((e.flags & AMF.VALID) !== 0 && (e.flags & AMF.DONE) === 0) n++;
    return n;
  }
}
