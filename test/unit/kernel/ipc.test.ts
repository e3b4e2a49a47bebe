// IPC rules: rendezvous, queuing, non-blocking sends, deadlock detection,
// IPC masks, trap masks, dead endpoints, notifications, receive order, SENDA.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeSim } from './helpers';
import {
  AMF, ANY, ASYNCM, Errno, HARDWARE, Message, NOTIFY_MESSAGE, OK, SYSTEM, makeAsyncTable, type Sys, type Program,
} from '../../../simulator/sdk';
import { TraceKind } from '../../../simulator/trace/kinds';

const FULL_SYS = { system: true } as const;

/**
 * Blocks for good without taking any message (nothing comes from HARDWARE without
 * an interrupt hook): a process that ends takes its pending notifications and
 * asynchronous messages with it, as in MINIX.
 */
function* stayAlive(sys: Sys): Program {
  yield sys.receive(HARDWARE, new Message());
}

function* receiver(sys: Sys, log: unknown[]): Program {
  const m = new Message();
  const r = yield sys.receive(ANY, m);
  log.push({ r, source: m.source, type: m.type, word: m.i32(0) });
}

function* sender(sys: Sys, log: unknown[]): Program {
  const m = new Message(42);
  m.setI32(0, 1234);
  const r = yield sys.send(sys.args['peer'] as number, m);
  log.push({ sent: r });
}

describe('IPC rendezvous', () => {
  it('receiver first: the send is delivered at once and neither side queues', () => {
    const log: unknown[] = [];
    const sim = makeSim({ rx: (s) => receiver(s, log), tx: (s) => sender(s, log) });
    const rx = sim.spawn({ program: 'rx' });
    const tx = sim.spawn({ program: 'tx', args: { peer: rx } });
    sim.run();
    // The sender keeps the CPU (same priority, still at the head of its queue) and logs first.
    assert.deepEqual(log, [{ sent: OK }, { r: OK, source: tx, type: 42, word: 1234 }]);
    const sends = sim.trace.query({ kinds: [TraceKind.ipcSend] });
    assert.equal(sends.length, 1);
    assert.equal(sends[0]!.b, 0, 'delivered without queuing');
  });

  it('sender first: the sender blocks on the receiver queue until the receive', () => {
    const log: unknown[] = [];
    const states: string[] = [];
    const sim = makeSim({
      rx: function* (sys) {
        yield sys.compute(1_000_000);
        yield* receiver(sys, log);
      },
      tx: (s) => sender(s, log),
    });
    const rx = sim.spawn({ program: 'rx', priority: 8 });
    const tx = sim.spawn({ program: 'tx', args: { peer: rx } });
    sim.run({ untilCycles: 500_000 });
    states.push(sim.processes().find((p) => p.endpoint === tx)!.state);
    assert.deepEqual(log, []);
    sim.run();
    assert.deepEqual(states, ['sending']);
    // The receive wakes the sender, which has the higher priority and logs first.
    assert.deepEqual(log, [{ sent: OK }, { r: OK, source: tx, type: 42, word: 1234 }]);
    const sends = sim.trace.query({ kinds: [TraceKind.ipcSend] });
    assert.equal(sends[0]!.b, 1, 'the message was queued');
  });
});

describe('SENDNB', () => {
  it('returns ENOTREADY when the destination is not receiving, and does not block', () => {
    const results: number[] = [];
    const sim = makeSim({
      busy: function* (sys) {
        yield sys.compute(1_000_000);
      },
      tx: function* (sys) {
        results.push(yield sys.sendnb(sys.args['peer'] as number, new Message(1)));
        results.push(-1);
      },
    });
    const busy = sim.spawn({ program: 'busy', priority: 8 });
    sim.spawn({ program: 'tx', args: { peer: busy } });
    sim.run();
    assert.deepEqual(results, [Errno.ENOTREADY, -1]);
  });
});

describe('deadlock detection', () => {
  const lookupPriv = { kernelCalls: ['GETINFO'] } as const;

  function* peerOf(sys: Sys): Generator<ReturnType<Sys['receive']>, number, number> {
    const q = { name: sys.args['peer'] as string, endpoint: 0 };
    const r = yield sys.sys_getendpoint(q);
    assert.equal(r, OK);
    return q.endpoint;
  }

  /** Each process in `names` SENDs to the next, the last to the first; returns the SEND results. */
  function sendCycle(names: string[]) {
    const results: Record<string, number> = {};
    const sim = makeSim({
      s: function* (sys) {
        const peer = yield* peerOf(sys);
        results[sys.name] = yield sys.send(peer, new Message(7));
        yield* stayAlive(sys);
      },
    });
    names.forEach((name, i) => sim.spawn({ program: 's', name, args: { peer: names[(i + 1) % names.length]! }, privilege: lookupPriv }));
    sim.run();
    return { sim, results };
  }

  it('a three-process send cycle gets ELOCKED', () => {
    const { sim, results } = sendCycle(['a', 'b', 'c']);
    assert.deepEqual(results, { c: Errno.ELOCKED });
    assert.equal(sim.processes().find((p) => p.name === 'a')?.state, 'sending');
    assert.equal(sim.processes().find((p) => p.name === 'b')?.state, 'sending');
  });

  it('two processes sending to each other get ELOCKED', () => {
    assert.deepEqual(sendCycle(['a', 'b']).results, { b: Errno.ELOCKED });
  });

  it('the two-process SEND/RECEIVE pair is allowed, in both orders', () => {
    const results: string[] = [];
    const sim = makeSim({
      snd: function* (sys) {
        const peer = yield* peerOf(sys);
        results.push(`${sys.name} send ${yield sys.send(peer, new Message(7))}`);
      },
      rcv: function* (sys) {
        const peer = yield* peerOf(sys);
        const m = new Message();
        results.push(`${sys.name} receive ${yield sys.receive(peer, m)} type ${m.type}`);
      },
    });
    sim.spawn({ program: 'snd', name: 'a', args: { peer: 'b' }, privilege: lookupPriv });
    sim.spawn({ program: 'rcv', name: 'b', args: { peer: 'a' }, privilege: lookupPriv });
    sim.spawn({ program: 'rcv', name: 'c', args: { peer: 'd' }, privilege: lookupPriv });
    sim.spawn({ program: 'snd', name: 'd', args: { peer: 'c' }, privilege: lookupPriv });
    sim.run();
    assert.deepEqual(results.sort(), ['a send 0', 'b receive 0 type 7', 'c receive 0 type 7', 'd send 0']);
  });
});

describe('privileges on IPC', () => {
  it('a target outside the IPC mask gives ECALLDENIED; the named target may reply', () => {
    const results: Record<string, number> = {};
    const sim = makeSim({
      server: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        results['reply'] = yield sys.send(m.source, new Message(2));
      },
      other: function* (sys) {
        yield sys.receive(ANY, new Message());
      },
      client: function* (sys) {
        results['denied'] = yield sys.send(sys.args['other'] as number, new Message(1));
        results['allowed'] = yield sys.sendrec(sys.args['server'] as number, new Message(1));
      },
    });
    const server = sim.spawn({ program: 'server', privilege: { ipcTo: [] } });
    const other = sim.spawn({ program: 'other', privilege: { ipcTo: [] } });
    sim.spawn({ program: 'client', privilege: { ipcTo: ['server'] }, args: { server, other } });
    sim.run();
    assert.deepEqual(results, { denied: Errno.ECALLDENIED, reply: OK, allowed: OK });
  });

  it('a trap outside the trap mask gives ETRAPDENIED, as do SEND, SENDNB and NOTIFY to a kernel task', () => {
    const results: Record<string, number> = {};
    const sim = makeSim({
      server: function* (sys) {
        const m = new Message();
        for (;;) {
          yield sys.receive(ANY, m);
          yield sys.send(m.source, m);
        }
      },
      client: function* (sys) {
        const server = sys.args['server'] as number;
        results['send'] = yield sys.send(server, new Message(1));
        results['sendrec'] = yield sys.sendrec(server, new Message(1));
        results['notify'] = yield sys.notify(server);
      },
      kt: function* (sys) {
        results['sendToKernelTask'] = yield sys.send(SYSTEM, new Message(1));
        results['sendnbToKernelTask'] = yield sys.sendnb(SYSTEM, new Message(1));
        results['notifyKernelTask'] = yield sys.notify(SYSTEM);
      },
    });
    const server = sim.spawn({ program: 'server', priority: 6 });
    sim.spawn({ program: 'client', privilege: { traps: ['SENDREC', 'RECEIVE'] }, args: { server } });
    sim.spawn({ program: 'kt' });
    sim.run();
    assert.deepEqual(results, { send: Errno.ETRAPDENIED, sendrec: OK, notify: Errno.ETRAPDENIED, sendToKernelTask: Errno.ETRAPDENIED, sendnbToKernelTask: Errno.ETRAPDENIED, notifyKernelTask: Errno.ETRAPDENIED });
  });

  it('SENDREC to a kernel task is allowed, as in MINIX: the caller waits on the task like on any receiver that is not receiving', () => {
    const results: Record<string, number> = {};
    const sim = makeSim({
      caller: function* (sys) {
        results['sendrec'] = yield sys.sendrec(SYSTEM, new Message(1));
      },
    });
    const caller = sim.spawn({ program: 'caller' });
    sim.run();
    // The system task takes its requests through the kernel-call trap and receives no messages, so the caller stays blocked sending to it.
    assert.deepEqual(results, {});
    const p = sim.processes().find((x) => x.endpoint === caller);
    assert.equal(p?.state, 'sendrec');
    assert.equal(p?.blockedOn, SYSTEM);
  });
});

describe('dead and stale endpoints', () => {
  it('an endpoint of a dead process, or of an earlier generation in a reused slot, gives EDEADSRCDST', () => {
    const results: number[] = [];
    const sim = makeSim({
      idle: function* (sys) {
        yield sys.receive(ANY, new Message());
      },
      tx: function* (sys) {
        results.push(yield sys.send(sys.args['old'] as number, new Message(1)));
        results.push(yield sys.sendnb(sys.args['fresh'] as number, new Message(1)));
      },
    });
    const old = sim.spawn({ program: 'idle', name: 'svc' });
    sim.run();
    sim.kill(old);
    const fresh = sim.spawn({ program: 'idle', name: 'svc' });
    const oldInfo = { slot: sim.kernel.procOf(fresh)!.slot };
    assert.notEqual(fresh, old, 'a process spawned into a reused slot gets the next generation');
    assert.equal(oldInfo.slot, sim.kernel.procOf(fresh)!.slot);
    sim.spawn({ program: 'tx', args: { old, fresh } });
    sim.run();
    assert.deepEqual(results, [Errno.EDEADSRCDST, OK]);
  });

  it('a process blocked on one that dies is woken with EDEADSRCDST', () => {
    const results: number[] = [];
    const sim = makeSim({
      slow: function* (sys) {
        yield sys.compute(10_000_000);
      },
      client: function* (sys) {
        results.push(yield sys.sendrec(sys.args['peer'] as number, new Message(1)));
      },
    });
    const slow = sim.spawn({ program: 'slow', priority: 8 });
    sim.spawn({ program: 'client', args: { peer: slow } });
    sim.run({ untilCycles: 1_000_000 });
    assert.deepEqual(results, []);
    sim.kill(slow);
    sim.run();
    assert.deepEqual(results, [Errno.EDEADSRCDST]);
  });
});

describe('notifications', () => {
  it('NOTIFY never blocks and repeated notifications coalesce into one pending bit', () => {
    const got: { source: number; type: number }[] = [];
    const notifierDone: number[] = [];
    const sim = makeSim({
      busy: function* (sys) {
        yield sys.compute(1_000_000);
        const m = new Message();
        for (let i = 0; i < 2; i++) {
          yield sys.receive(ANY, m);
          got.push({ source: m.source, type: m.type });
        }
      },
      notifier: function* (sys) {
        for (let i = 0; i < 3; i++) notifierDone.push(yield sys.notify(sys.args['peer'] as number));
        yield* stayAlive(sys);
      },
      late: function* (sys) {
        yield sys.compute(5_000_000);
        yield sys.send(sys.args['peer'] as number, new Message(99));
      },
    });
    const busy = sim.spawn({ program: 'busy', priority: 8 });
    const notifier = sim.spawn({ program: 'notifier', args: { peer: busy } });
    const late = sim.spawn({ program: 'late', args: { peer: busy } });
    sim.run();
    assert.deepEqual(notifierDone, [OK, OK, OK]);
    assert.deepEqual(got, [
      { source: notifier, type: NOTIFY_MESSAGE },
      { source: late, type: 99 },
    ]);
  });

  it('RECEIVE takes notifications first, then asynchronous messages, then queued senders', () => {
    const got: number[] = [];
    const sim = makeSim({
      rx: function* (sys) {
        yield sys.compute(1_000_000);
        const m = new Message();
        for (let i = 0; i < 3; i++) {
          yield sys.receive(ANY, m);
          got.push(m.source);
        }
      },
      sender: function* (sys) {
        yield sys.send(sys.args['peer'] as number, new Message(1));
      },
      asender: function* (sys) {
        const table = makeAsyncTable(1);
        table[0]!.dst = sys.args['peer'] as number;
        table[0]!.msg.type = 2;
        table[0]!.flags = AMF.VALID;
        yield sys.senda(table);
        yield* stayAlive(sys);
      },
      notifier: function* (sys) {
        yield sys.notify(sys.args['peer'] as number);
        yield* stayAlive(sys);
      },
    });
    const rx = sim.spawn({ program: 'rx', priority: 8 });
    const s = sim.spawn({ program: 'sender', args: { peer: rx } });
    const a = sim.spawn({ program: 'asender', args: { peer: rx }, privilege: FULL_SYS });
    const n = sim.spawn({ program: 'notifier', args: { peer: rx } });
    sim.run();
    assert.deepEqual(got, [n, a, s]);
  });

  it('notifications are held back during SENDREC and received afterwards', () => {
    const got: { source: number; type: number; r: number }[] = [];
    const sim = makeSim({
      server: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        yield sys.compute(2_000_000);
        const reply = new Message(77);
        yield sys.send(m.source, reply);
      },
      client: function* (sys) {
        const m = new Message(5);
        const r = yield sys.sendrec(sys.args['server'] as number, m);
        got.push({ source: m.source, type: m.type, r });
        const r2 = yield sys.receive(ANY, m);
        got.push({ source: m.source, type: m.type, r: r2 });
      },
      notifier: function* (sys) {
        yield sys.compute(500_000);
        yield sys.notify(sys.args['peer'] as number);
        yield* stayAlive(sys);
      },
    });
    const server = sim.spawn({ program: 'server', priority: 8 });
    const client = sim.spawn({ program: 'client', args: { server } });
    const notifier = sim.spawn({ program: 'notifier', args: { peer: client } });
    sim.run();
    assert.deepEqual(got, [
      { source: server, type: 77, r: OK },
      { source: notifier, type: NOTIFY_MESSAGE, r: OK },
    ]);
  });
});

describe('SENDA', () => {
  it('marks delivered entries AMF_DONE with their result and notifies from ASYNCM when AMF_NOTIFY is set', () => {
    const seen: { source: number; type: number }[] = [];
    const senderSaw: { source: number; type: number }[] = [];
    let table = makeAsyncTable(0);
    const sim = makeSim({
      rx: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        seen.push({ source: m.source, type: m.type });
      },
      tx: function* (sys) {
        table = makeAsyncTable(3);
        table[0]!.dst = sys.args['peer'] as number;
        table[0]!.msg.type = 10;
        table[0]!.flags = AMF.VALID | AMF.NOTIFY;
        table[1]!.dst = 12345;
        table[1]!.flags = AMF.VALID | AMF.NOTIFY_ERR;
        yield sys.senda(table);
        const m = new Message();
        yield sys.receive(ANY, m);
        senderSaw.push({ source: m.source, type: m.type });
        yield sys.receive(ANY, m);
      },
    });
    const rx = sim.spawn({ program: 'rx' });
    const tx = sim.spawn({ program: 'tx', args: { peer: rx }, privilege: FULL_SYS });
    sim.run();
    assert.equal(table[0]!.flags & AMF.DONE, AMF.DONE);
    assert.equal(table[0]!.result, OK);
    assert.equal(table[1]!.flags & AMF.DONE, AMF.DONE);
    assert.equal(table[1]!.result, Errno.EDEADSRCDST);
    assert.equal(table[2]!.flags, AMF.EMPTY);
    assert.deepEqual(seen, [{ source: tx, type: 10 }]);
    assert.deepEqual(senderSaw, [{ source: ASYNCM, type: NOTIFY_MESSAGE }]);
  });

  it('an AMF_NOREPLY message does not satisfy a SENDREC; it waits for the next RECEIVE', () => {
    const got: number[] = [];
    let table = makeAsyncTable(0);
    const sim = makeSim({
      server: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        const client = m.source;
        table = makeAsyncTable(2);
        table[0]!.dst = client;
        table[0]!.msg.type = 1;
        table[0]!.flags = AMF.VALID | AMF.NOREPLY;
        yield sys.senda(table);
        yield sys.compute(1_000);
        yield sys.send(client, new Message(2));
        yield* stayAlive(sys);
      },
      client: function* (sys) {
        const m = new Message(0);
        yield sys.sendrec(sys.args['server'] as number, m);
        got.push(m.type);
        yield sys.receive(ANY, m);
        got.push(m.type);
      },
    });
    const server = sim.spawn({ program: 'server', privilege: FULL_SYS });
    sim.spawn({ program: 'client', args: { server } });
    sim.run();
    assert.deepEqual(got, [2, 1]);
    assert.equal(table[0]!.flags & AMF.DONE, AMF.DONE);
  });

  it('the trace shows one queued send per message, however often the table is handed over', () => {
    const sim = makeSim({
      rx: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        yield sys.notify(m.source);
        yield sys.compute(1_000_000);
        yield sys.receive(ANY, m);
      },
      tx: function* (sys) {
        const table = makeAsyncTable(1);
        table[0]!.dst = sys.args['peer'] as number;
        table[0]!.msg.type = 5;
        table[0]!.flags = AMF.VALID;
        // Handed over three times before the (lower-priority) receiver runs: one message.
        for (let i = 0; i < 3; i++) yield sys.senda(table);
        const m = new Message();
        yield sys.receive(ANY, m);
        // The receiver took it and is busy; the same entry carries a second message.
        table[0]!.msg.type = 6;
        table[0]!.flags = AMF.VALID;
        yield sys.senda(table);
        yield sys.senda(table);
        yield* stayAlive(sys);
      },
    });
    const rx = sim.spawn({ program: 'rx', priority: 8 });
    sim.spawn({ program: 'tx', args: { peer: rx }, privilege: FULL_SYS });
    sim.run({ untilCycles: 10_000_000 });
    const queued = sim.trace.query({ kinds: [TraceKind.ipcSend] }).filter((e) => e.dst === rx && e.b === 1).map((e) => e.a);
    const received = sim.trace.query({ kinds: [TraceKind.ipcReceive] }).filter((e) => e.dst === rx).map((e) => e.a);
    assert.deepEqual(received, [5, 6]);
    assert.deepEqual(queued, [5, 6]);
  });

  it('a sender cancels an undelivered message by clearing AMF_VALID and handing the table over again; the entry then carries a new message', () => {
    const received: number[] = [];
    let table = makeAsyncTable(0);
    const sim = makeSim({
      rx: function* (sys) {
        const m = new Message();
        yield sys.compute(1_000_000);
        yield sys.receive(ANY, m);
        received.push(m.type);
        yield sys.receive(ANY, m);
        received.push(m.type);
      },
      tx: function* (sys) {
        table = makeAsyncTable(2);
        const peer = sys.args['peer'] as number;
        table[0]!.dst = peer;
        table[0]!.msg.type = 7;
        table[0]!.flags = AMF.VALID;
        table[1]!.dst = peer;
        table[1]!.msg.type = 8;
        table[1]!.flags = AMF.VALID;
        yield sys.senda(table);
        // Cancelled while the receiver is busy: 7 never arrives, 8 still does.
        table[0]!.flags = AMF.EMPTY;
        yield sys.senda(table);
        table[0]!.msg.type = 9;
        table[0]!.flags = AMF.VALID;
        yield sys.senda(table);
        yield* stayAlive(sys);
      },
    });
    const rx = sim.spawn({ program: 'rx', priority: 8 });
    sim.spawn({ program: 'tx', args: { peer: rx }, privilege: FULL_SYS });
    sim.run({ untilCycles: 10_000_000 });
    assert.deepEqual(received.sort(), [8, 9]);
    const queued = sim.trace.query({ kinds: [TraceKind.ipcSend] }).filter((e) => e.dst === rx && e.b === 1).map((e) => e.a);
    assert.deepEqual(queued, [7, 8, 9], 'the message put in the cancelled entry is traced as a send of its own');
    assert.equal(table[0]!.flags & AMF.DONE, AMF.DONE);
    assert.equal(table[1]!.flags & AMF.DONE, AMF.DONE);
  });

  it('requires a system process (EPERM otherwise)', () => {
    const results: number[] = [];
    const sim = makeSim({
      tx: function* (sys) {
        results.push(yield sys.senda(makeAsyncTable(1)));
      },
    });
    sim.spawn({ program: 'tx' });
    sim.run();
    assert.deepEqual(results, [Errno.EPERM]);
  });
});

describe('endpoints in messages', () => {
  it('the kernel stamps the true source, whatever the sender wrote', () => {
    const log: { source: number }[] = [];
    const sim = makeSim({
      rx: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        log.push({ source: m.source });
      },
      tx: function* (sys) {
        const m = new Message(1);
        m.source = 4242;
        yield sys.send(sys.args['peer'] as number, m);
      },
    });
    const rx = sim.spawn({ program: 'rx' });
    const tx = sim.spawn({ program: 'tx', args: { peer: rx } });
    sim.run();
    assert.deepEqual(log, [{ source: tx }]);
  });
});
