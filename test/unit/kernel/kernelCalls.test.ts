// Kernel calls: the privilege mask, devices and interrupts, alarms, process
// control, and what the cost model charges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeSim } from './helpers';
import {
  ANY, CLOCK, Errno, HARDWARE, Message, NOTIFY_MESSAGE, NotifyField, OK, SIGKILL, SYSTEM, ref, type Sys,
} from '../../../simulator/sdk';
import type { PortDevice, PortWidth } from '../../../simulator/hw/bus';
import type { ChildEventOut, TimesOut } from '../../../simulator/kernel/systemCalls';
import { TraceKind } from '../../../simulator/trace/kinds';
import { costProfiles } from '../../../simulator/kernel/costs/costProfiles';

class Register implements PortDevice {
  readonly name = 'reg';
  readonly writes: [number, number, PortWidth][] = [];
  ioRead(port: number, width: PortWidth): number {
    return (port * 0x01010101) & (width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff);
  }
  ioWrite(port: number, value: number, width: PortWidth): void {
    this.writes.push([port, value, width]);
  }
}

describe('kernel call privileges', () => {
  it('a kernel call outside the mask is refused with ECALLDENIED and changes nothing', () => {
    const out: number[] = [];
    const sim = makeSim({
      victim: function* (sys) {
        yield sys.receive(HARDWARE, new Message());
      },
      rogue: function* (sys) {
        out.push(yield sys.sys_kill(sys.args['victim'] as number, SIGKILL));
        out.push(yield sys.sys_outb(0x300, 1));
        out.push(yield sys.sys_call(127));
      },
    });
    const reg = new Register();
    sim.registerPorts(0x300, 8, reg);
    const victim = sim.spawn({ program: 'victim' });
    sim.spawn({ program: 'rogue', args: { victim }, privilege: { kernelCalls: ['TIMES'] } });
    sim.run();
    assert.deepEqual(out, [Errno.ECALLDENIED, Errno.ECALLDENIED, Errno.EBADREQUEST]);
    assert.equal(sim.endpointOf('victim'), victim);
    assert.deepEqual(reg.writes, []);
  });
});

describe('DEVIO and SDEVIO', () => {
  it('reach the device registered on the port, within the I/O ranges of the privilege only', () => {
    const out: number[] = [];
    let bytes = '';
    const sim = makeSim({
      drv: function* (sys) {
        const v = ref(0);
        out.push(yield sys.sys_inb(0x301, v), v.value);
        out.push(yield sys.sys_outw(0x302, 0xbeef));
        out.push(yield sys.sys_inb(0x310, v));
        const buf = sys.mem.alloc(4);
        out.push(yield sys.sys_insb(0x303, buf, 4));
        bytes = Array.from(sys.mem.read(buf, 4)).join(',');
        out.push(yield sys.sys_insb(0x303, 0x7000_0000, 4));
      },
    });
    const reg = new Register();
    sim.registerPorts(0x300, 8, reg);
    sim.spawn({ program: 'drv', privilege: { system: true, kernelCalls: ['DEVIO', 'SDEVIO'], ioRanges: [{ base: 0x300, count: 8 }] } });
    sim.run();
    assert.deepEqual(out, [OK, 0x01, OK, Errno.EPERM, OK, Errno.EFAULT]);
    assert.deepEqual(reg.writes, [[0x302, 0xbeef, 2]]);
    assert.equal(bytes, '3,3,3,3');
  });
});

describe('IRQCTL', () => {
  it('an interrupt becomes a HARDWARE notification with the hook bit, masked until sys_irqenable', () => {
    const got: { source: number; type: number; bits: number; t: number }[] = [];
    const sim = makeSim({
      drv: function* (sys) {
        const hook = ref(3);
        assert.equal(yield sys.sys_irqsetpolicy(11, 0, hook), OK);
        const m = new Message();
        for (let i = 0; i < 2; i++) {
          yield sys.receive(ANY, m);
          got.push({ source: m.source, type: m.type, bits: m.i32(NotifyField.bits), t: sys.uptimeCycles() });
          yield sys.compute(1_000_000);
          yield sys.sys_irqenable(hook);
        }
      },
      other: function* (sys) {
        const hook = ref(0);
        got.push({ source: -1, type: yield sys.sys_irqsetpolicy(5, 0, hook), bits: 0, t: 0 });
      },
    });
    sim.spawn({ program: 'drv', privilege: { system: true, kernelCalls: ['IRQCTL'], irqs: [11] } });
    sim.spawn({ program: 'other', privilege: { system: true, kernelCalls: ['IRQCTL'], irqs: [11] } });
    sim.clock.schedule(100_000, () => sim.interrupts.raise(11), 'irq');
    sim.clock.schedule(200_000, () => sim.interrupts.raise(11), 'irq while masked');
    sim.run();
    assert.deepEqual(got.map((g) => [g.source, g.type, g.bits]), [
      [-1, Errno.EPERM, 0],
      [HARDWARE, NOTIFY_MESSAGE, 1 << 3],
      [HARDWARE, NOTIFY_MESSAGE, 1 << 3],
    ]);
    assert.ok(got[2]!.t > 1_100_000, 'the masked interrupt waited for sys_irqenable');
  });
});

describe('SETALARM', () => {
  it('delivers a CLOCK notification when the alarm expires', () => {
    const got: { source: number; t: number }[] = [];
    const sim = makeSim({
      p: function* (sys) {
        yield sys.sys_setalarm(5_000_000);
        const m = new Message();
        yield sys.receive(ANY, m);
        got.push({ source: m.source, t: sys.uptimeCycles() });
      },
    });
    sim.spawn({ program: 'p', privilege: { kernelCalls: ['SETALARM'] } });
    sim.run();
    assert.equal(got.length, 1);
    assert.equal(got[0]!.source, CLOCK);
    assert.ok(got[0]!.t >= 5_000_000 && got[0]!.t < 5_010_000, `woke at ${got[0]!.t}`);
  });
});

describe('process control', () => {
  it('SPAWN, EXIT and GETKSIG: the supervisor learns each child end with its reason', () => {
    const reasons: unknown[] = [];
    const sim = makeSim({
      child: function* (sys) {
        yield sys.compute(100);
        if (sys.args['how'] === 'exit') yield sys.sys_exit(3);
        if (sys.args['how'] === 'return') return 4;
        yield sys.receive(HARDWARE, new Message());
      },
      rs: function* (sys) {
        const ends: ChildEventOut = { event: null };
        for (const how of ['exit', 'return', 'wait']) {
          const req = { spec: { program: 'child', name: `c-${how}`, args: { how } }, endpoint: 0 };
          assert.equal(yield sys.sys_spawn(req), OK);
          if (how === 'wait') {
            yield sys.compute(10_000);
            assert.equal(yield sys.sys_kill(req.endpoint, SIGKILL), OK);
          }
        }
        const m = new Message();
        while (reasons.length < 3) {
          yield sys.receive(ANY, m);
          assert.equal(m.source, SYSTEM);
          for (;;) {
            yield sys.sys_getksig(ends);
            if (ends.event === null) break;
            reasons.push([ends.event.name, ends.event.reason]);
          }
        }
      },
    });
    const rs = sim.spawn({ program: 'rs', privilege: { system: true, kernelCalls: ['SPAWN', 'GETKSIG', 'KILL'] } });
    sim.run();
    assert.deepEqual(reasons.sort(), [
      ['c-exit', { kind: 'exit', status: 3 }],
      ['c-return', { kind: 'exit', status: 4 }],
      ['c-wait', { kind: 'signal', signal: SIGKILL, by: rs }],
    ]);
  });

  it('TIMES reports the user and kernel cycles of a process', () => {
    const t: TimesOut = { userCycles: 0, kernelCycles: 0, uptimeCycles: 0 };
    const sim = makeSim({
      p: function* (sys: Sys) {
        yield sys.compute(12_345);
        yield sys.sys_times(sys.endpoint, t);
      },
    });
    sim.spawn({ program: 'p', privilege: { kernelCalls: ['TIMES'] } });
    sim.run();
    assert.equal(t.userCycles, 12_345);
    assert.ok(t.kernelCycles > 0);
    assert.ok(t.uptimeCycles >= 12_345 + t.kernelCycles);
  });

  it('the trace records the cycles each kernel call was charged; a refused call is charged none', () => {
    const t: TimesOut = { userCycles: 0, kernelCycles: 0, uptimeCycles: 0 };
    const sim = makeSim({
      p: function* (sys: Sys) {
        yield sys.sys_times(sys.endpoint, t);
        yield sys.sys_kill(sys.endpoint, SIGKILL);
      },
    });
    const p = sim.spawn({ program: 'p', privilege: { kernelCalls: ['TIMES'] } });
    sim.run();
    const calls = sim.trace.query({ kinds: [TraceKind.kernelCall], endpoints: [p as number] });
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.c, sim.kernel.cost.kernelCallCycles, 'TIMES is charged the kernel-call cost of the profile');
    assert.ok(calls[0]!.c > 0);
    assert.equal(calls[1]!.b, Errno.ECALLDENIED);
    assert.equal(calls[1]!.c, 0, 'a call outside the mask is refused before any work');
  });

  it('a kernel call on a dead endpoint fails with EDEADEPT', () => {
    const out: number[] = [];
    const sim = makeSim({
      short: function* () {},
      p: function* (sys) {
        yield sys.compute(1000);
        out.push(yield sys.sys_kill(sys.args['dead'] as number, SIGKILL));
      },
    });
    const dead = sim.spawn({ program: 'short' });
    sim.spawn({ program: 'p', args: { dead }, privilege: { kernelCalls: ['KILL'] } });
    sim.run();
    assert.deepEqual(out, [Errno.EDEADEPT]);
  });
});

describe('a service keeps its endpoint (MINIX 3.4): SPAWN at a dead endpoint, and UPDATE', () => {
  it('SPAWN at the endpoint of a dead process takes its slot and endpoint, and clients reach the new instance; a live endpoint is refused with EBUSY', () => {
    const got: [string, number][] = [];
    const out: number[] = [];
    let first = 0;
    let second = 0;
    const sim = makeSim({
      server: function* (sys) {
        const m = new Message();
        for (;;) {
          yield sys.receive(ANY, m);
          got.push([sys.args['v'] as string, m.type]);
        }
      },
      client: function* (sys) {
        const m = new Message();
        m.type = 7;
        out.push(yield sys.send(sys.args['server'] as number, m));
      },
      rs: function* (sys) {
        const a = { spec: { program: 'server', name: 'srv', args: { v: 'one' } }, endpoint: 0 };
        yield sys.sys_spawn(a);
        first = a.endpoint;
        yield sys.sys_kill(first, SIGKILL);
        const b = { spec: { program: 'server', name: 'srv', args: { v: 'two' }, endpoint: first }, endpoint: 0 };
        out.push(yield sys.sys_spawn(b));
        second = b.endpoint;
        const c = { spec: { program: 'server', name: 'srv', args: { v: 'three' }, endpoint: first }, endpoint: 0 };
        out.push(yield sys.sys_spawn(c));
        yield sys.sys_spawn({ spec: { program: 'client', args: { server: first } }, endpoint: 0 });
      },
    });
    sim.spawn({ program: 'rs', privilege: { system: true, kernelCalls: ['SPAWN', 'KILL'] } });
    sim.run();
    assert.equal(second, first, 'the new instance has the dead one\'s endpoint');
    assert.deepEqual(out, [OK, Errno.EBUSY, OK]);
    assert.deepEqual(got, [['two', 7]], 'the client\'s message reached the new instance');
    assert.equal(sim.trace.query({ kinds: [TraceKind.processCreated] }).filter((e) => e.dst === first).length, 2);
  });

  it('UPDATE: two live processes trade slots and endpoints; each keeps its memory, and the sender queued at an endpoint is received by whoever holds it now', () => {
    const got: number[] = [];
    const calls: number[] = [];
    let oldEp = 0;
    let newEp = 0;
    const sim = makeSim({
      server: function* (sys) {
        const v = sys.args['v'] as number;
        const at = sys.mem.alloc(4);
        sys.mem.write(at, new Uint8Array([v, v, v, v]));
        const m = new Message();
        if (v === 1) {
          // The old version waits for something that never comes, so senders queue at its endpoint.
          yield sys.receive(CLOCK, m);
          return;
        }
        // The new version waits for RS's word, then serves.
        yield sys.receive(sys.args['rs'] as number, m);
        got.push(m.type, sys.endpoint);
        yield sys.receive(ANY, m);
        got.push(m.type, m.source, sys.mem.read(at, 1)[0]!);
        yield sys.receive(CLOCK, m);
      },
      client: function* (sys) {
        const m = new Message();
        m.type = 9;
        yield sys.send(sys.args['server'] as number, m);
      },
      rs: function* (sys) {
        const a = { spec: { program: 'server', name: 'srv', args: { v: 1 } }, endpoint: 0 };
        yield sys.sys_spawn(a);
        oldEp = a.endpoint;
        const b = { spec: { program: 'server', name: 'srv', args: { v: 2, rs: sys.endpoint } }, endpoint: 0 };
        yield sys.sys_spawn(b);
        newEp = b.endpoint;
        yield sys.sys_spawn({ spec: { program: 'client', name: 'client', args: { server: oldEp } }, endpoint: 0 });
        yield sys.sys_setalarm(100_000);
        yield sys.receive(CLOCK, new Message());
        calls.push(yield sys.sys_update(sys.endpoint, oldEp));
        calls.push(yield sys.sys_update(newEp, oldEp));
        const m = new Message();
        m.type = 1;
        calls.push(yield sys.send(oldEp, m));
        calls.push(yield sys.sys_kill(newEp, SIGKILL));
        calls.push(yield sys.sys_update(newEp, oldEp));
      },
    });
    sim.spawn({ program: 'rs', privilege: { system: true, kernelCalls: ['SPAWN', 'KILL', 'SETALARM', 'UPDATE'] } });
    sim.run();
    assert.deepEqual(calls, [Errno.EPERM, OK, OK, OK, Errno.EDEADEPT]);
    const client = sim.endpointOf('client');
    assert.equal(client, undefined, 'the client\'s send completed and it ended');
    const clientEp = sim.trace.query({ kinds: [TraceKind.processCreated] }).find((e) => e.label === 'client')!.dst;
    // RS's message to the old endpoint reached the new version, which runs there now, with its own memory.
    assert.deepEqual(got, [1, oldEp, 9, clientEp, 2]);
    assert.equal(sim.kernel.procOf(oldEp)?.args['v'], 2);
    assert.equal(sim.kernel.procOf(newEp), undefined, 'the old version, moved to the new endpoint, was killed there');
  });
});

describe('cost model', () => {
  it('IPC between kernel-mode processes is charged as a function call, with no context switch', () => {
    const profile = costProfiles['sel4-skylake']!;
    const times: number[] = [];
    const sim = makeSim({
      rx: function* (sys) {
        yield sys.receive(ANY, new Message());
        times.push(sys.uptimeCycles());
      },
      tx: function* (sys) {
        times.push(sys.uptimeCycles());
        yield sys.send(sys.args['peer'] as number, new Message(1));
      },
    });
    const rx = sim.spawn({ program: 'rx', priority: 5, kernelMode: true });
    const tx = sim.spawn({ program: 'tx', args: { peer: rx }, kernelMode: true });
    sim.run();
    assert.equal(times[1]! - times[0]!, profile.functionCallCycles);
    const switches = sim.trace.query({ kinds: [TraceKind.contextSwitch] }).filter((e) => e.src === tx && e.dst === rx);
    assert.deepEqual(switches, []);
  });
});
