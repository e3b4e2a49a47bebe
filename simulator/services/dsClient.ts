// The data store's client side (MINIX's ds_publish_*, ds_retrieve_*, ds_subscribe, ds_check, ds_delete_*), for servers and drivers.
import { DsFlags, DsRequest, DsLayout, DS_KEY_BYTES, DS_MAX_VALUE_BYTES, readString, writeString } from './messages';
import { CPF, Errno, Message, OK, type Ref, type Sys, type Trap } from '../sdk';

/** A blocking step of a program, used with `yield*`; returns a status. */
export type Call = Generator<Trap, number, number>;

/** What DS_CHECK reports: a key that changed, its type (0 if it has been deleted since), and its owner's endpoint. */
export interface DsChange {
  key: string;
  type: number;
  owner: number;
}

export class DsClient {
  private readonly m = new Message();
  private bufVaddr = -1;

  constructor(
    private readonly sys: Sys,
    readonly endpoint: number,
  ) {}

  /** Publishes a 32-bit value under `key`, replacing an earlier value of this service's (EPERM if another service owns the key). */
  *publishU32(key: string, value: number): Call {
    if (!this.request(DsRequest.PUBLISH, key, DsFlags.TYPE_U32 | DsFlags.OVERWRITE)) return Errno.EINVAL;
    DsLayout.value.set(this.m, value >>> 0);
    return yield* this.call();
  }

  /** Retrieves a 32-bit value; ESRCH if there is none. */
  *retrieveU32(key: string, out: Ref<number>): Call {
    if (!this.request(DsRequest.RETRIEVE, key, DsFlags.TYPE_U32)) return Errno.EINVAL;
    const r = yield* this.call();
    if (r === OK) out.value = DsLayout.value.get(this.m);
    return r;
  }

  /** Publishes bytes (at most DS_MAX_VALUE_BYTES) under `key`. */
  *publishBytes(key: string, data: Uint8Array): Call {
    if (data.length > DS_MAX_VALUE_BYTES) return Errno.E2BIG;
    if (!this.request(DsRequest.PUBLISH, key, DsFlags.TYPE_MEM | DsFlags.OVERWRITE)) return Errno.EINVAL;
    const buf = this.buffer();
    this.sys.mem.write(buf, data);
    const grant = this.sys.cpf_grant_direct(this.endpoint, buf, Math.max(1, data.length), CPF.READ);
    DsLayout.grant.set(this.m, grant);
    DsLayout.length.set(this.m, data.length);
    const r = yield* this.call();
    this.sys.cpf_revoke(grant);
    return r;
  }

  /** Retrieves bytes into `out.value`; ESRCH if there is none. */
  *retrieveBytes(key: string, out: Ref<Uint8Array | null>): Call {
    out.value = null;
    if (!this.request(DsRequest.RETRIEVE, key, DsFlags.TYPE_MEM)) return Errno.EINVAL;
    const buf = this.buffer();
    const grant = this.sys.cpf_grant_direct(this.endpoint, buf, DS_MAX_VALUE_BYTES, CPF.WRITE);
    DsLayout.grant.set(this.m, grant);
    DsLayout.length.set(this.m, DS_MAX_VALUE_BYTES);
    const r = yield* this.call();
    this.sys.cpf_revoke(grant);
    if (r === OK) out.value = this.sys.mem.read(buf, DsLayout.length.get(this.m));
    return r;
  }

  /** Deletes one of this service's keys (EPERM for another's). */
  *delete(key: string): Call {
    if (!this.request(DsRequest.DELETE, key, 0)) return Errno.EINVAL;
    return yield* this.call();
  }

  /**
   * Subscribes this service to changes of the keys that match `pattern` (a regular
   * expression over the whole key) among entries of `types` (all if 0), replacing
   * its earlier subscription. DS notifies it at each change; `check` says what changed.
   * With `initial`, the keys that already exist count as changed.
   */
  *subscribe(pattern: string, types = 0, initial = false): Call {
    if (!this.request(DsRequest.SUBSCRIBE, pattern, (types & DsFlags.MASK_TYPE) | DsFlags.OVERWRITE | (initial ? DsFlags.INITIAL : 0))) return Errno.EINVAL;
    return yield* this.call();
  }

  /** Takes the next changed key of this service's subscription into `out`; ENOENT when none is left. */
  *check(out: DsChange): Call {
    this.request(DsRequest.CHECK, '', 0);
    const r = yield* this.call();
    if (r === OK) {
      out.key = readString(this.m, 0, DS_KEY_BYTES);
      out.type = DsLayout.flags.get(this.m);
      out.owner = DsLayout.owner.get(this.m);
    }
    return r;
  }

  /** RS: publishes the endpoint of a service under its label (ds_publish_label). */
  *publishLabel(label: string, endpoint: number): Call {
    if (!this.request(DsRequest.PUBLISH, labelKey(label), DsFlags.TYPE_LABEL | DsFlags.OVERWRITE)) return Errno.EINVAL;
    DsLayout.value.set(this.m, endpoint >>> 0);
    return yield* this.call();
  }

  /** RS: unpublishes a service that is gone for good; DS drops its entries and subscription with it. */
  *deleteLabel(label: string): Call {
    return yield* this.delete(labelKey(label));
  }

  /** The endpoint RS published for a service label (ds_retrieve_label_endpt). */
  *retrieveLabelEndpoint(label: string, out: Ref<number>): Call {
    if (!this.request(DsRequest.RETRIEVE, labelKey(label), DsFlags.TYPE_LABEL)) return Errno.EINVAL;
    const r = yield* this.call();
    if (r === OK) out.value = DsLayout.value.get(this.m) | 0;
    return r;
  }

  /** Fills in the request; false when the key does not fit in the message. */
  private request(type: number, key: string, flags: number): boolean {
    const m = this.m;
    m.clear();
    m.type = type;
    if (key.length > DS_KEY_BYTES) return false;
    writeString(m, 0, DS_KEY_BYTES, key);
    DsLayout.flags.set(m, flags);
    return true;
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

/** Keys under this prefix hold the endpoints RS publishes, one per service label. */
export const LABEL_KEY_PREFIX = 'label.';

/** The key under which RS publishes a service's endpoint. */
export function labelKey(label: string): string {
  return `${LABEL_KEY_PREFIX}${label}`;
}

/** A subscription pattern that matches exactly the label key of `label`. */
export function labelPattern(label: string): string {
  return labelKey(label).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
