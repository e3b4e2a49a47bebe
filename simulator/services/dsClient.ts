// The data store's client side (MINIX's ds_publish_* and ds_retrieve_*), for servers and drivers.
import { DsFlags, DsRequest, DsLayout, DS_KEY_BYTES, DS_MAX_VALUE_BYTES, writeString } from './messages';
import { CPF, Errno, Message, OK, type Ref, type Sys, type Trap } from '../sdk';

/** A blocking step of a program, used with `yield*`; returns a status. */
export type Call = Generator<Trap, number, number>;

export class DsClient {
  private readonly m = new Message();
  private bufVaddr = -1;

  constructor(
    private readonly sys: Sys,
    readonly endpoint: number,
  ) {}

  /** Publishes a 32-bit value under `key`, replacing any earlier value. */
  *publishU32(key: string, value: number): Call {
    this.request(DsRequest.PUBLISH, key, DsFlags.TYPE_U32);
    DsLayout.value.set(this.m, value >>> 0);
    return yield* this.call();
  }

  /** Retrieves a 32-bit value; ESRCH if there is none. */
  *retrieveU32(key: string, out: Ref<number>): Call {
    this.request(DsRequest.RETRIEVE, key, DsFlags.TYPE_U32);
    const r = yield* this.call();
    if (r === OK) out.value = DsLayout.value.get(this.m);
    return r;
  }

  /** Publishes bytes (at most DS_MAX_VALUE_BYTES) under `key`. */
  *publishBytes(key: string, data: Uint8Array): Call {
    if (data.length > DS_MAX_VALUE_BYTES) return Errno.E2BIG;
    const buf = this.buffer();
    this.sys.mem.write(buf, data);
    const grant = this.sys.cpf_grant_direct(this.endpoint, buf, Math.max(1, data.length), CPF.READ);
    this.request(DsRequest.PUBLISH, key, DsFlags.TYPE_BYTES);
    DsLayout.grant.set(this.m, grant);
    DsLayout.length.set(this.m, data.length);
    const r = yield* this.call();
    this.sys.cpf_revoke(grant);
    return r;
  }

  /** Retrieves bytes into `out.value`; ESRCH if there is none. */
  *retrieveBytes(key: string, out: Ref<Uint8Array | null>): Call {
    const buf = this.buffer();
    const grant = this.sys.cpf_grant_direct(this.endpoint, buf, DS_MAX_VALUE_BYTES, CPF.WRITE);
    this.request(DsRequest.RETRIEVE, key, DsFlags.TYPE_BYTES);
    DsLayout.grant.set(this.m, grant);
    DsLayout.length.set(this.m, DS_MAX_VALUE_BYTES);
    const r = yield* this.call();
    this.sys.cpf_revoke(grant);
    out.value = r === OK ? this.sys.mem.read(buf, DsLayout.length.get(this.m)) : null;
    return r;
  }

  *delete(key: string): Call {
    this.request(DsRequest.DELETE, key, 0);
    return yield* this.call();
  }

  /** The endpoint RS published for a service label (ds_retrieve_label_endpt). */
  *retrieveLabelEndpoint(label: string, out: Ref<number>): Call {
    return yield* this.retrieveU32(labelKey(label), out);
  }

  private request(type: number, key: string, flags: number): void {
    const m = this.m;
    m.clear();
    m.type = type;
    writeString(m, 0, DS_KEY_BYTES, key);
    DsLayout.flags.set(m, flags);
  }

  private *call(): Call {
    const r = yield this.sys.sendrec(this.endpoint, this.m);
    return r === OK ? this.m.type : r;
  }

  private buffer(): number {
    if (this.bufVaddr < 0) this.bufVaddr = this.sys.mem.alloc(DS_MAX_VALUE_BYTES);
    return this.bufVaddr;
  }
}

/** The key under which RS publishes a service's endpoint. */
export function labelKey(label: string): string {
  return `label.${label}`;
}
