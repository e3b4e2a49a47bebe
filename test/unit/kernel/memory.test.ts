// Grants and safe copies, the MMU, and the kernel-integrity check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeSim } from './helpers';
import { ANY, CPF, Errno, HARDWARE, Message, OK, SYSTEM, type Sys, type Program } from '../../../simulator/sdk';
import type { ChildEventOut, IntegrityOut } from '../../../simulator/kernel/systemCalls';
import { TraceKind } from '../../../simulator/trace/kinds';

const DRIVER_PRIV = { system: true, kernelCalls: ['SAFECOPYFROM', 'SAFECOPYTO'] } as const;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A client that grants 16 bytes and asks the driver to run `plan`; the driver reports each copy's status. */
function grantScenario(access: number, plan: (sys: Sys, client: number, grant: number, buf: number) => Generator<ReturnType<Sys['receive']>, void, number>) {
  let clientSees = '';
  const sim = makeSim({
    driver: function* (sys): Program {
      const m = new Message();
      yield sys.receive(ANY, m);
      const buf = sys.mem.alloc(64);
      yield* plan(sys, m.source, m.i32(0), buf);
      yield sys.send(m.source, new Message(1));
    },
    client: function* (sys): Program {
      const buf = sys.mem.alloc(16);
      sys.mem.write(buf, text('granted-data-123'));
      const grant = sys.cpf_grant_direct(sys.args['driver'] as number, buf, 16, access);
      const m = new Message(1);
      m.setI32(0, grant);
      yield sys.sendrec(sys.args['driver'] as number, m);
      clientSees = str(sys.mem.read(buf, 16));
      if (sys.args['revoke'] === true) sys.cpf_revoke(grant);
    },
  });
  return { sim, clientSees: () => clientSees };
}

describe('grants and safe copies', () => {
  it('a read grant lets the grantee copy from the granter, within its range only', () => {
    const out: (number | string)[] = [];
    const { sim, clientSees } = grantScenario(CPF.READ, function* (sys, client, grant, buf) {
      out.push(yield sys.sys_safecopyfrom(client, grant, 0, buf, 16));
      out.push(str(sys.mem.read(buf, 16)));
      out.push(yield sys.sys_safecopyfrom(client, grant, 8, buf, 8));
      out.push(yield sys.sys_safecopyfrom(client, grant, 8, buf, 9));
      out.push(yield sys.sys_safecopyto(client, grant, 0, buf, 4));
    });
    const driver = sim.spawn({ program: 'driver', privilege: DRIVER_PRIV });
    sim.spawn({ program: 'client', args: { driver } });
    sim.run();
    assert.deepEqual(out, [OK, 'granted-data-123', OK, Errno.EPERM, Errno.EPERM]);
    assert.equal(clientSees(), 'granted-data-123');
  });

  it('a write grant lets the grantee copy into the granter', () => {
    const out: number[] = [];
    const { sim, clientSees } = grantScenario(CPF.WRITE, function* (sys, client, grant, buf) {
      sys.mem.write(buf, text('DRIVER'));
      out.push(yield sys.sys_safecopyto(client, grant, 2, buf, 6));
      out.push(yield sys.sys_safecopyfrom(client, grant, 0, buf, 4));
    });
    const driver = sim.spawn({ program: 'driver', privilege: DRIVER_PRIV });
    sim.spawn({ program: 'client', args: { driver } });
    sim.run();
    assert.deepEqual(out, [OK, Errno.EPERM]);
    assert.equal(clientSees(), 'grDRIVERdata-123');
  });

  it('a revoked grant, a forged id and a grant for someone else fail with EPERM or EINVAL', () => {
    const out: number[] = [];
    const sim = makeSim({
      driver: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        const client = m.source;
        const grant = m.i32(0);
        const buf = sys.mem.alloc(16);
        out.push(yield sys.sys_safecopyfrom(client, grant, 0, buf, 4));
        yield sys.send(client, new Message(1));
        yield sys.receive(client, m);
        out.push(yield sys.sys_safecopyfrom(client, grant, 0, buf, 4));
        out.push(yield sys.sys_safecopyfrom(client, grant + 7, 0, buf, 4));
        out.push(yield sys.sys_safecopyfrom(client, -5, 0, buf, 4));
        out.push(yield sys.sys_safecopyfrom(client, m.i32(1), 0, buf, 4));
      },
      client: function* (sys) {
        const driver = sys.args['driver'] as number;
        const buf = sys.mem.alloc(16);
        const m = new Message(1);
        const grant = sys.cpf_grant_direct(driver, buf, 16, CPF.READ);
        m.setI32(0, grant);
        yield sys.sendrec(driver, m);
        sys.cpf_revoke(grant);
        const reused = sys.cpf_grant_direct(driver, buf, 16, CPF.READ);
        assert.equal(reused & 0xfffff, grant & 0xfffff, 'the slot is reused');
        assert.notEqual(reused, grant, 'with a new id');
        const forOther = sys.cpf_grant_direct(SYSTEM + 1000, buf, 16, CPF.READ);
        m.setI32(1, forOther);
        yield sys.send(driver, m);
        yield sys.receive(HARDWARE, m);
      },
    });
    const driver = sim.spawn({ program: 'driver', privilege: DRIVER_PRIV });
    sim.spawn({ program: 'client', args: { driver } });
    sim.run();
    assert.deepEqual(out, [OK, Errno.EPERM, Errno.EPERM, Errno.EINVAL, Errno.EPERM]);
  });

  it('an indirect grant passes access on; a magic grant needs the privilege', () => {
    const out: (number | string)[] = [];
    const sim = makeSim({
      fs: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        const app = m.source;
        const appGrant = m.i32(0);
        const driver = sys.args['driver'] as number;
        const fwd = new Message(2);
        fwd.setI32(0, sys.cpf_grant_indirect(driver, app, appGrant));
        fwd.setI32(1, sys.cpf_grant_magic(driver, app, m.i32(1), 4, CPF.READ));
        yield sys.sendrec(driver, fwd);
        yield sys.send(app, new Message(3));
      },
      driver: function* (sys) {
        const m = new Message();
        yield sys.receive(ANY, m);
        const buf = sys.mem.alloc(16);
        out.push(yield sys.sys_safecopyfrom(m.source, m.i32(0), 0, buf, 5));
        out.push(str(sys.mem.read(buf, 5)));
        out.push(yield sys.sys_safecopyfrom(m.source, m.i32(1), 0, buf, 4));
        yield sys.send(m.source, m);
      },
      app: function* (sys) {
        const buf = sys.mem.alloc(16);
        sys.mem.write(buf, text('hello'));
        const m = new Message(1);
        m.setI32(0, sys.cpf_grant_direct(sys.args['fs'] as number, buf, 5, CPF.READ));
        m.setI32(1, buf);
        yield sys.sendrec(sys.args['fs'] as number, m);
      },
    });
    const driver = sim.spawn({ program: 'driver', privilege: DRIVER_PRIV });
    const fs = sim.spawn({ program: 'fs', args: { driver }, privilege: { system: true, magicGrants: false } });
    sim.spawn({ program: 'app', args: { fs } });
    sim.run();
    assert.deepEqual(out, [OK, 'hello', Errno.EPERM]);
  });
});

describe('MMU', () => {
  it('an access outside the address space faults; the kernel kills the process and tells its supervisor', () => {
    const events: ChildEventOut = { event: null };
    const sim = makeSim({
      wild: function* (sys) {
        yield sys.compute(10);
        sys.mem.writeU32(0x7fff_0000, 1);
      },
      rs: function* (sys) {
        const q = { spec: { program: 'wild' }, endpoint: 0 };
        assert.equal(yield sys.sys_spawn(q), OK);
        const m = new Message();
        yield sys.receive(ANY, m);
        assert.equal(m.source, SYSTEM);
        yield sys.sys_getksig(events);
      },
    });
    sim.spawn({ program: 'rs', privilege: { system: true, kernelCalls: ['SPAWN', 'GETKSIG'] } });
    sim.run();
    const ev = events.event;
    assert.ok(ev !== null);
    assert.equal(ev.name, 'wild');
    assert.deepEqual(ev.reason, { kind: 'fault', vaddr: 0x7fff_0000, access: 'write', reason: 'unmapped' });
    assert.equal(sim.endpointOf('wild'), undefined);
    assert.equal(sim.trace.query({ kinds: [TraceKind.fault] }).length, 1);
  });

  it('an uncaught exception is a crash the supervisor sees with its message', () => {
    const events: ChildEventOut = { event: null };
    const sim = makeSim({
      buggy: function* (sys) {
        yield sys.compute(10);
        throw new TypeError('cannot read properties of undefined');
      },
      rs: function* (sys) {
        yield sys.sys_spawn({ spec: { program: 'buggy' }, endpoint: 0 });
        yield sys.receive(ANY, new Message());
        yield sys.sys_getksig(events);
      },
    });
    sim.spawn({ program: 'rs', privilege: { system: true, kernelCalls: ['SPAWN', 'GETKSIG'] } });
    sim.run();
    assert.deepEqual(events.event?.reason, { kind: 'crash', message: 'TypeError: cannot read properties of undefined' });
  });

  it('a fault in a kernel-mode process panics the whole system', () => {
    const panics: string[] = [];
    const sim = makeSim({
      driver: function* (sys) {
        yield sys.compute(10);
        sys.mem.readU32(0);
      },
      app: function* (sys) {
        for (;;) yield sys.compute(1000);
      },
    });
    sim.on('panic', (e) => panics.push(e.message));
    sim.spawn({ program: 'driver', kernelMode: true, priority: 3 });
    sim.spawn({ program: 'app' });
    const r = sim.run({ untilCycles: 1_000_000 });
    assert.equal(r.reason, 'panic');
    assert.equal(panics.length, 1);
    assert.match(panics[0]!, /driver: page fault at 0x0/);
    assert.equal(sim.run({ maxSteps: 10 }).reason, 'panic', 'nothing runs after a panic');
  });
});

describe('kernel integrity check', () => {
  it('notices a write into kernel memory that did not go through the kernel', () => {
    const reports: IntegrityOut[] = [];
    const sim = makeSim({
      checker: function* (sys) {
        const out: IntegrityOut = { ok: false, corruptedPages: [] };
        yield sys.sys_kcheck(out);
        reports.push({ ...out });
        yield sys.compute(1_000_000);
        yield sys.sys_kcheck(out);
        reports.push({ ...out });
      },
    });
    sim.spawn({ program: 'checker', privilege: { kernelCalls: ['KCHECK'] } });
    sim.clock.schedule(500_000, () => sim.memory.write(0x2010, Uint8Array.of(1, 2, 3, 4)), 'wild DMA');
    sim.run();
    assert.deepEqual(reports, [
      { ok: true, corruptedPages: [] },
      { ok: false, corruptedPages: [0x2000] },
    ]);
  });
});
