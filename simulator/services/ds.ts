// The data store server (MINIX's servers/ds): services publish 32-bit values
// and byte strings under keys and retrieve them by key. The store outlives
// any one publisher, so a driver's published state survives its restart.
import { ANY, Errno, Message, OK, type Program, type Sys } from '../sdk';
import { DsFlags, DsLayout, DsRequest, DS_KEY_BYTES, DS_MAX_VALUE_BYTES, readString } from './messages';
import { Sef } from './sef';

export interface DsEntry {
  readonly u32: number;
  readonly bytes: Uint8Array | null;
  /** Name of the process that published it. */
  readonly owner: string;
  readonly updatedAtCycles: number;
}

/** The store itself, readable from the host for views and tests; only the DS process writes it. */
export type DsStore = Map<string, DsEntry>;

export function dsProgram(store: DsStore): (sys: Sys) => Program {
  return function* ds(sys: Sys): Program {
    const sef = new Sef(sys);
    const r0 = yield* sef.startup();
    if (r0 !== OK) return r0;
    // The store stands for memory that survives a restart of DS itself; only a fresh start empties it.
    if (sef.initType === 'fresh') store.clear();
    const buf = sys.mem.alloc(DS_MAX_VALUE_BYTES);
    const m = new Message();
    const info = { endpoint: 0, name: '', program: '', priority: 0, kernelMode: false, system: false };
    for (;;) {
      const r = yield* sef.receive(ANY, m);
      if (r !== OK) continue;
      const key = readString(m, 0, DS_KEY_BYTES);
      const flags = DsLayout.flags.get(m);
      let status: number = OK;
      switch (m.type) {
        case DsRequest.PUBLISH: {
          yield sys.sys_getprocinfo(m.source, info);
          if ((flags & DsFlags.TYPE_BYTES) !== 0) {
            const length = DsLayout.length.get(m);
            if (length > DS_MAX_VALUE_BYTES) {
              status = Errno.E2BIG;
              break;
            }
            status = length === 0 ? OK : yield sys.sys_safecopyfrom(m.source, DsLayout.grant.get(m), 0, buf, length);
            if (status === OK) store.set(key, { u32: 0, bytes: sys.mem.read(buf, length), owner: info.name, updatedAtCycles: sys.uptimeCycles() });
          } else {
            store.set(key, { u32: DsLayout.value.get(m), bytes: null, owner: info.name, updatedAtCycles: sys.uptimeCycles() });
          }
          break;
        }
        case DsRequest.RETRIEVE: {
          const e = store.get(key);
          if (e === undefined || ((flags & DsFlags.TYPE_BYTES) !== 0) !== (e.bytes !== null)) {
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
        case DsRequest.DELETE:
          status = store.delete(key) ? OK : Errno.ESRCH;
          break;
        default:
          status = Errno.ENOSYS;
      }
      m.type = status;
      yield sys.send(m.source, m);
    }
  };
}
