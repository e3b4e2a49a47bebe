// The data store server (MINIX's servers/ds): services publish 32-bit values
// and byte strings under keys, retrieve them by key, subscribe to changes of
// the keys that match a pattern (DS notifies the subscriber, which asks with
// DS_CHECK what changed), and delete them. An entry belongs to the label of
// the service that published it: only that service may change or delete it,
// and, as the label survives a restart, so does the right. RS publishes each
// service's endpoint under its label, and only RS may. The store outlives any
// one publisher, so a driver's published state survives its restart.
import { ANY, Errno, Message, NONE, OK, type Program, type Sys } from '../sdk';
import { labelKey, LABEL_KEY_PREFIX } from './dsClient';
import { DsFlags, DsLayout, DsRequest, DS_KEY_BYTES, DS_MAX_VALUE_BYTES, readString, writeString } from './messages';
import { Sef } from './sef';

export interface DsEntry {
  readonly u32: number;
  readonly bytes: Uint8Array | null;
  /** The label (process name) of the service that published it. */
  readonly owner: string;
  /** DsFlags.TYPE_U32, TYPE_MEM or TYPE_LABEL. */
  readonly type: number;
  readonly updatedAtCycles: number;
}

/** The store itself, readable from the host for views and tests; only the DS process writes it. */
export type DsStore = Map<string, DsEntry>;

/** A subscription: one per subscriber label, as in MINIX. */
interface Subscription {
  readonly regex: RegExp;
  /** The entry types it wants (DsFlags type bits). */
  readonly types: number;
  /** The endpoint that subscribed; notifications go to the endpoint RS has published for the label when there is one. */
  readonly endpoint: number;
  /** Keys changed since the subscriber last checked, in the order they first changed. */
  readonly changed: Set<string>;
}

const VALUE_TYPES = [DsFlags.TYPE_U32, DsFlags.TYPE_MEM, DsFlags.TYPE_LABEL] as const;

export function dsProgram(store: DsStore): (sys: Sys) => Program {
  // Like the store, subscriptions survive a restart of DS itself and are emptied by a fresh start.
  const subscriptions = new Map<string, Subscription>();
  return function* ds(sys: Sys): Program {
    const sef = new Sef(sys);
    const r0 = yield* sef.startup();
    if (r0 !== OK) return r0;
    if (sef.initType === 'fresh') {
      store.clear();
      subscriptions.clear();
    }
    const buf = sys.mem.alloc(DS_MAX_VALUE_BYTES);
    const m = new Message();
    const info = { endpoint: 0, instance: 0, name: '', program: '', priority: 0, kernelMode: false, system: false };

    /** The endpoint of a label: the one RS published, else `fallback`. */
    function endpointOf(label: string, fallback: number): number {
      const e = store.get(labelKey(label));
      return e !== undefined && e.type === DsFlags.TYPE_LABEL ? e.u32 | 0 : fallback;
    }

    /** Marks `key` as changed (or, when it was deleted, as not to be reported) for every matching subscription, and notifies each. */
    function* tell(key: string, type: number, set: boolean): Generator<ReturnType<Sys['notify']>, void, number> {
      for (const [owner, sub] of subscriptions) {
        if ((sub.types & type) === 0 || !sub.regex.test(key)) continue;
        if (set) sub.changed.add(key);
        else sub.changed.delete(key);
        // A subscriber that has died is notified in vain; its next instance checks on its own.
        yield sys.notify(endpointOf(owner, sub.endpoint));
      }
    }

    function* remove(key: string, entry: DsEntry): Generator<ReturnType<Sys['notify']>, void, number> {
      store.delete(key);
      yield* tell(key, entry.type, false);
    }

    for (;;) {
      const r = yield* sef.receive(ANY, m);
      if (r !== OK) continue;
      const key = readString(m, 0, DS_KEY_BYTES);
      const flags = DsLayout.flags.get(m);
      const type = flags & DsFlags.MASK_TYPE;
      // Who asks, by label, for every request but a retrieval (which anyone may make).
      const known = m.type !== DsRequest.RETRIEVE && (yield sys.sys_getprocinfo(m.source, info)) === OK;
      const caller = known ? info.name : '';
      let status: number = OK;
      switch (m.type) {
        case DsRequest.PUBLISH: {
          const existing = store.get(key);
          if (!known) status = Errno.EPERM;
          else if (!(VALUE_TYPES as readonly number[]).includes(type)) status = Errno.EINVAL;
          // Label keys hold the endpoints RS publishes, and nothing else.
          else if ((type === DsFlags.TYPE_LABEL) !== key.startsWith(LABEL_KEY_PREFIX) || (type === DsFlags.TYPE_LABEL && m.source !== sef.rs)) status = Errno.EPERM;
          else if (existing !== undefined && (flags & DsFlags.OVERWRITE) === 0) status = Errno.EEXIST;
          else if (existing !== undefined && existing.owner !== caller) status = Errno.EPERM;
          if (status !== OK) break;
          let entry: DsEntry;
          if (type === DsFlags.TYPE_MEM) {
            const length = DsLayout.length.get(m);
            if (length > DS_MAX_VALUE_BYTES) {
              status = Errno.E2BIG;
              break;
            }
            status = length === 0 ? OK : yield sys.sys_safecopyfrom(m.source, DsLayout.grant.get(m), 0, buf, length);
            if (status !== OK) break;
            entry = { u32: 0, bytes: sys.mem.read(buf, length), owner: caller, type, updatedAtCycles: sys.uptimeCycles() };
          } else {
            entry = { u32: DsLayout.value.get(m), bytes: null, owner: caller, type, updatedAtCycles: sys.uptimeCycles() };
          }
          store.set(key, entry);
          yield* tell(key, type, true);
          break;
        }
        case DsRequest.RETRIEVE: {
          const e = store.get(key);
          if (e === undefined || e.type !== type) {
            status = Errno.ESRCH;
            break;
          }
          if (e.bytes === null) {
            DsLayout.value.set(m, e.u32);
            break;
          }
          const length = Math.min(e.bytes.length, DsLayout.length.get(m));
          sys.mem.write(buf, e.bytes.subarray(0, length));
          status = length === 0 ? OK : yield sys.sys_safecopyto(m.source, DsLayout.grant.get(m), 0, buf, length);
          DsLayout.length.set(m, length);
          break;
        }
        case DsRequest.SUBSCRIBE: {
          if (!known) {
            status = Errno.ESRCH;
            break;
          }
          if (subscriptions.has(caller) && (flags & DsFlags.OVERWRITE) === 0) {
            status = Errno.EEXIST;
            break;
          }
          let regex: RegExp;
          try {
            // Anchored, as MINIX anchors the pattern so that a part of a key does not match.
            regex = new RegExp(`^(?:${key})$`);
          } catch {
            status = Errno.EINVAL;
            break;
          }
          const sub: Subscription = { regex, types: type === 0 ? DsFlags.MASK_TYPE : type, endpoint: m.source, changed: new Set() };
          subscriptions.set(caller, sub);
          if ((flags & DsFlags.INITIAL) !== 0) {
            for (const [k, e] of store) if ((sub.types & e.type) !== 0 && regex.test(k)) sub.changed.add(k);
            if (sub.changed.size > 0) yield sys.notify(m.source);
          }
          break;
        }
        case DsRequest.CHECK: {
          const sub = known ? subscriptions.get(caller) : undefined;
          if (sub === undefined) {
            status = Errno.ESRCH;
            break;
          }
          const changed = sub.changed.values().next();
          if (changed.done === true) {
            status = Errno.ENOENT;
            break;
          }
          sub.changed.delete(changed.value);
          const e = store.get(changed.value);
          writeString(m, 0, DS_KEY_BYTES, changed.value);
          DsLayout.flags.set(m, e?.type ?? 0);
          DsLayout.owner.set(m, e === undefined ? NONE : endpointOf(e.owner, NONE));
          break;
        }
        case DsRequest.DELETE: {
          const e = store.get(key);
          if (e === undefined) status = Errno.ESRCH;
          else if (!known || e.owner !== caller) status = Errno.EPERM;
          if (status !== OK) break;
          if (e!.type === DsFlags.TYPE_LABEL) {
            // The service is gone for good (RS unpublished it): its subscription and its entries go with it.
            const label = key.slice(LABEL_KEY_PREFIX.length);
            subscriptions.delete(label);
            for (const [k, x] of [...store]) if (x.owner === label) yield* remove(k, x);
          }
          yield* remove(key, e!);
          break;
        }
        default:
          status = Errno.ENOSYS;
      }
      m.type = status;
      yield sys.send(m.source, m);
    }
  };
}
