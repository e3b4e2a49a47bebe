// A synthetic trace of any size for benchmarks of the trace views: clients
// calling servers that call drivers (SENDREC with link ids, nested requests,
// replies), context switches, kernel calls, interrupts with notifications,
// DMA, and now and then a driver crash and its restart. Deterministic per seed.
import { RandomStream } from '../core/random';
import { TraceKind } from './kinds';
import { TraceRecorder } from './recorder';

const NONE = 0x6ace;
const HARDWARE = -1;
const SENDREC = 3;
const NOTIFY = 4;
const NOTIFY_MESSAGE = 0x1000;

export interface SyntheticTrace {
  readonly trace: TraceRecorder;
  /** Names by endpoint, as a trace file's endpointNames. */
  readonly endpointNames: Readonly<Record<string, string>>;
}

/** A trace of exactly `events` events (the recorder's capacity), built from `seed`. */
export function syntheticTrace(events: number, seed: number): SyntheticTrace {
  if (!Number.isInteger(events) || events < 1) throw new RangeError(`expected a positive number of events, got ${events}`);
  const rnd = new RandomStream(seed, 0x7ace);
  const trace = new TraceRecorder({ capacity: events, mode: 'stop' });
  const names: Record<string, string> = {};
  let now = 0;
  let link = 0;
  const full = () => trace.endSeq >= events;
  const rec = (kind: TraceKind, src: number, dst: number, a: number, b: number, c: number) => {
    if (!full()) trace.record(now, kind, src, dst, a, b, c);
  };
  const create = (ep: number, name: string) => {
    names[String(ep)] = name;
    if (!full()) trace.recordLabelled(now, TraceKind.processCreated, NONE, ep, 4, 0, 0, name);
  };
  const rs = 0;
  const servers = [2, 3, 4];
  const drivers = [5, 6];
  const clients = [7, 8, 9, 10];
  const driverEp = [5, 6];
  create(rs, 'rs');
  create(1, 'ds');
  ['vfs', 'inet', 'isofs'].forEach((n, k) => create(servers[k]!, n));
  ['nic', 'disk'].forEach((n, k) => create(drivers[k]!, n));
  clients.forEach((ep, k) => create(ep, `client${k}`));
  let current = rs;
  const switchTo = (ep: number) => {
    if (ep === current) return;
    now += 538;
    rec(TraceKind.contextSwitch, current, ep, 538, 1, 0);
    current = ep;
  };
  let generation = 1;
  while (!full()) {
    now += 200 + rnd.nextInt(5000);
    const client = clients[rnd.nextInt(clients.length)]!;
    const server = servers[rnd.nextInt(servers.length)]!;
    const d = rnd.nextInt(driverEp.length);
    const driver = driverEp[d]!;
    switchTo(client);
    rec(TraceKind.kernelCall, client, NONE, 25, 0, 0);
    now += 180;
    const request = ++link;
    rec(TraceKind.ipcSend, client, server, 0x100 + rnd.nextInt(5), 0, request);
    switchTo(server);
    now += 300 + rnd.nextInt(2000);
    if (rnd.chance(0.6)) {
      const nested = ++link;
      rec(TraceKind.ipcSend, server, driver, 0x502, 1, nested);
      switchTo(driver);
      rec(TraceKind.ipcReceive, server, driver, 0x502, SENDREC, nested);
      now += 1335;
      rec(TraceKind.kernelCall, driver, NONE, 21, 0, 0);
      rec(TraceKind.dma, 1 + d, NONE, 0x10000 + rnd.nextInt(0x10000), 512, 0);
      now += 4000 + rnd.nextInt(20000);
      rec(TraceKind.ipcNotify, HARDWARE, driver, 1, 0, 0);
      rec(TraceKind.ipcReceive, HARDWARE, driver, NOTIFY_MESSAGE, NOTIFY, 0);
      rec(TraceKind.interrupt, HARDWARE, driver, 11 + d, 1, 0);
      if (rnd.chance(0.0005)) {
        trace.recordLabelled(now, TraceKind.crash, driver, NONE, 0, 0, 0, 'synthetic crash');
        const fresh = driver + 1000 * ++generation;
        create(fresh, names[String(driver)]!);
        if (!full()) trace.recordLabelled(now, TraceKind.restart, rs, fresh, driver, 0, 0, names[String(driver)]!);
        driverEp[d] = fresh;
        rec(TraceKind.ipcSend, fresh, server, 0, 0, nested);
      } else rec(TraceKind.ipcSend, driver, server, 0, 0, nested);
      switchTo(server);
    }
    now += 180;
    rec(TraceKind.ipcSend, server, client, 0, 0, request);
    switchTo(client);
  }
  return { trace, endpointNames: names };
}
