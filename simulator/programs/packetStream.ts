// The packet-stream application. Sending ("tx"): hands the network server a
// packet at a fixed rate of simulated time and counts how many the peer
// acknowledged. Receiving ("rx"): the peer sends and the network stack drops;
// the application asks the server every millisecond how many it received,
// and ends when the count it was given has arrived.
import { CLOCK, Errno, Message, OK, cyclesPerUnit, type Program, type Sys } from '../sdk';
import { NetLayout, NetRequest } from '../services/messages';

export const PACKET_STREAM_PROGRAM = 'packet-stream';

export interface PacketStreamCounters {
  /** Packets the application tried to send. */
  attempted: number;
  /** Packets the network server took. */
  accepted: number;
  /** Packets the server refused (its window was full) or could not be reached for. */
  refused: number;
  /** Acknowledged packets, as the server last reported. */
  acked: number;
  /** Data frames the network stack received from the peer, as the server last reported (a received stream). */
  received: number;
}

/** How often a receiving application asks the server for its count. */
const RX_POLL_SECONDS = 0.001;

/** Arguments: ratePerSecond, sizeBytes, count (-1 for no end), startAtCycles. */
export function packetStreamProgram(counters: PacketStreamCounters): (sys: Sys) => Program {
  return function* packetStream(sys: Sys): Program {
    const num = (name: string, fallback: number) => (typeof sys.args[name] === 'number' ? (sys.args[name] as number) : fallback);
    const rate = num('ratePerSecond', 10);
    const sizeBytes = num('sizeBytes', 64);
    const count = num('count', -1);
    const seqBase = num('seqBase', 0);
    if (sys.args['direction'] === 'rx') return yield* receiveSide(sys, counters, count);
    const intervalCycles = Math.max(1, Math.round(cyclesPerUnit(rate, sys.clockHz)));
    let nextAtCycles = Math.max(num('startAtCycles', 0), sys.uptimeCycles());
    const lookup = { name: 'inet', endpoint: 0 };
    let inet = -1;
    const m = new Message();
    for (let seq = 0; count < 0 || seq < count; ) {
      yield sys.sys_setalarm(nextAtCycles, true);
      yield sys.receive(CLOCK, m);
      nextAtCycles += intervalCycles;
      counters.attempted++;
      if (inet < 0) inet = (yield sys.sys_getendpoint(lookup)) === OK ? lookup.endpoint : -1;
      if (inet < 0) {
        counters.refused++;
        continue;
      }
      m.clear();
      m.type = NetRequest.SEND;
      NetLayout.seq.set(m, seqBase + seq);
      NetLayout.sizeBytes.set(m, sizeBytes);
      const r = yield sys.sendrec(inet, m);
      if (r !== OK) {
        // The server is gone (restarting); find it again next time.
        inet = -1;
        counters.refused++;
        continue;
      }
      counters.acked = NetLayout.acked.get(m);
      if (m.type === Errno.EAGAIN) {
        counters.refused++;
        continue;
      }
      counters.accepted++;
      seq++;
    }
    return OK;
  };
}

function* receiveSide(sys: Sys, counters: PacketStreamCounters, count: number): Program {
  const pollCycles = Math.max(1, Math.round(RX_POLL_SECONDS * sys.clockHz));
  const lookup = { name: 'inet', endpoint: 0 };
  const m = new Message();
  let next = Math.max(typeof sys.args['startAtCycles'] === 'number' ? sys.args['startAtCycles'] : 0, sys.uptimeCycles());
  while (count < 0 || counters.received < count) {
    next += pollCycles;
    yield sys.sys_setalarm(next, true);
    yield sys.receive(CLOCK, m);
    if ((yield sys.sys_getendpoint(lookup)) !== OK) continue;
    m.clear();
    m.type = NetRequest.STATUS;
    if ((yield sys.sendrec(lookup.endpoint, m)) === OK) counters.received = NetLayout.received.get(m);
  }
  return OK;
}
