// The data store against MINIX's servers/ds (store.c): DS_SUBSCRIBE and DS_CHECK with MINIX's message
// numbers, entries that only their publisher's label may change or delete, subscriptions that follow the
// subscriber's label across its restart, and a service's entries leaving with its label.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANY, CLOCK, Errno, Message, NONE, OK, isNotify, type Program, type Sys } from '../../../simulator/sdk';
import { Sef } from '../../../simulator/services/sef';
import { DsFlags, DsLayout, DsRequest, writeString } from '../../../simulator/services/messages';
import { labelKey, type DsChange } from '../../../simulator/services/dsClient';
import { bootSystem, type RunningSystem } from '../../../simulator/system/boot';
import type { BuiltinService } from '../../../simulator/system/builtin';
import { TraceKind } from '../../../simulator/trace/kinds';
import { SECOND, userDriver } from './rsFixtures';

const STEP = SECOND / 100;

/** Sleeps `cycles` while answering RS through SEF. */
function* sleep(sys: Sys, sef: Sef, cycles: number): Generator<ReturnType<Sys['notify']>, void, number> {
  const m = new Message();
  yield sys.sys_setalarm(cycles);
  for (;;) {
    yield* sef.receive(ANY, m);
    if (isNotify(m) && m.source === CLOCK) return;
  }
}

type Step = ((sef: Sef, sys: Sys) => Generator<ReturnType<Sys['notify']>, string, number>) | 'wait';

/** Runs `steps` one after the other, STEP apart, logging what each returned ('wait' only waits); then waits. */
function scripted(log: string[], steps: Step[]): (sys: Sys) => Program {
  return function* script(sys: Sys): Program {
    const sef = new Sef(sys);
    const r = yield* sef.startup();
    if (r !== OK) return r;
    if (sef.initType !== 'fresh') steps = [];
    for (const step of steps) {
      yield* sleep(sys, sef, STEP);
      if (step !== 'wait') log.push(yield* step(sef, sys));
    }
    for (;;) yield* sleep(sys, sef, SECOND);
  };
}

/** Subscribes to `pattern` at its first start (not after a restart) and logs every change DS_CHECK reports, with the owner's label. */
function subscriber(log: string[], pattern: string, system: () => RunningSystem, initial = false): (sys: Sys) => Program {
  return function* sub(sys: Sys): Program {
    const sef = new Sef(sys);
    const r = yield* sef.startup();
    if (r !== OK) return r;
    if (sef.initType === 'fresh') log.push(`subscribe ${yield* sef.ds.subscribe(pattern, 0, initial)}`);
    const m = new Message();
    const change: DsChange = { key: '', type: 0, owner: NONE };
    // It also wakes every STEP, so that a fault armed in it strikes soon.
    yield sys.sys_setalarm(STEP);
    for (;;) {
      yield* sef.receive(ANY, m);
      if (isNotify(m) && m.source === CLOCK) yield sys.sys_setalarm(STEP);
      if (!isNotify(m) || m.source !== sef.ds.endpoint) continue;
      while ((yield* sef.ds.check(change)) === OK) {
        const owner = system().sim.processes().find((p) => p.endpoint === change.owner)?.name ?? String(change.owner);
        log.push(`${sys.endpoint === system().serviceStatus('sub')!.endpoint ? '' : 'stale '}${change.key} type 0x${change.type.toString(16)} by ${owner}`);
      }
    }
  };
}

function boot(services: BuiltinService[]): RunningSystem {
  return bootSystem({ seed: 3, configuration: 'microkernel', extraPrograms: services });
}

describe('data store (servers/ds store.c)', () => {
  it('DS_SUBSCRIBE (0x802): DS notifies a subscriber of each change of a key its pattern matches, and DS_CHECK (0x803) says which key, its type and its owner', () => {
    const subLog: string[] = [];
    const pubLog: string[] = [];
    const system: RunningSystem = boot([
      userDriver('sub', subscriber(subLog, 'pub\\..*', () => system), 90),
      userDriver('pub', scripted(pubLog, [
        function* (sef) { return `pub.a ${yield* sef.ds.publishU32('pub.a', 1)}`; },
        function* (sef) { return `pub.b ${yield* sef.ds.publishBytes('pub.b', Uint8Array.of(1, 2, 3))}`; },
        function* (sef) { return `other ${yield* sef.ds.publishU32('other', 3)}`; },
        function* (sef) { return `xpub.a ${yield* sef.ds.publishU32('xpub.a', 3)}`; },
        function* (sef) { return `pub.a ${yield* sef.ds.publishU32('pub.a', 2)}`; },
      ]), 91),
    ]);
    system.run({ untilCycles: SECOND / 2 });
    assert.deepEqual(pubLog, ['pub.a 0', 'pub.b 0', 'other 0', 'xpub.a 0', 'pub.a 0']);
    assert.deepEqual(subLog, [
      'subscribe 0',
      `pub.a type 0x${DsFlags.TYPE_U32.toString(16)} by pub`,
      `pub.b type 0x${DsFlags.TYPE_MEM.toString(16)} by pub`,
      `pub.a type 0x${DsFlags.TYPE_U32.toString(16)} by pub`,
    ]);
    // The requests travel with MINIX's numbers.
    const ds = system.sim.endpointOf('ds')!;
    const sub = system.sim.endpointOf('sub')!;
    const types = new Set(system.sim.trace.query({ kinds: [TraceKind.ipcSend], endpoints: [sub] }).filter((e) => e.dst === ds).map((e) => e.a));
    assert.deepEqual([...types].sort(), [0x802, 0x803]);
    assert.deepEqual([DsRequest.PUBLISH, DsRequest.RETRIEVE, DsRequest.SUBSCRIBE, DsRequest.CHECK, DsRequest.DELETE], [0x800, 0x801, 0x802, 0x803, 0x804]);
  });

  it('with DSF_INITIAL, a subscriber learns at once of the matching keys that already exist', () => {
    const subLog: string[] = [];
    const system: RunningSystem = boot([
      userDriver('pub', scripted([], [function* (sef) { return `${yield* sef.ds.publishU32('pub.a', 1)}`; }]), 90),
      userDriver('sub', subscriber(subLog, 'pub\\.a', () => system, true)),
    ]);
    system.run({ untilCycles: SECOND / 10 });
    system.service('up', 'sub');
    system.run({ untilCycles: SECOND / 5 });
    assert.deepEqual(subLog, ['subscribe 0', `pub.a type 0x${DsFlags.TYPE_U32.toString(16)} by pub`]);
  });

  it('only the publisher of a key, by its label, may change or delete it; it still may after a restart, and a label key is RS\'s alone', () => {
    const pubLog: string[] = [];
    const otherLog: string[] = [];
    const system = boot([
      userDriver('pub', scripted(pubLog, [
        function* (sef) { return `publish ${yield* sef.ds.publishU32('pub.a', 1)}`; },
      ]), 90),
      userDriver('other', scripted(otherLog, [
        'wait',
        'wait',
        function* (sef) { return `change ${yield* sef.ds.publishU32('pub.a', 9)}`; },
        function* (sef) { return `change bytes ${yield* sef.ds.publishBytes('pub.a', Uint8Array.of(9))}`; },
        function* (sef) { return `delete ${yield* sef.ds.delete('pub.a')}`; },
        function* (sef) { return `label ${yield* sef.ds.publishLabel('pub', 1234)}`; },
        function* (sef) { return `u32 under label. ${yield* sef.ds.publishU32(labelKey('zzz'), 1)}`; },
        function* (sef, sys) {
          // A publish over an existing key without DSF_OVERWRITE, written by hand.
          const m = new Message(DsRequest.PUBLISH);
          writeString(m, 0, 32, 'other.x');
          DsLayout.flags.set(m, DsFlags.TYPE_U32);
          yield* sef.ds.publishU32('other.x', 1);
          const r = yield sys.sendrec(sef.ds.endpoint, m);
          return `without overwrite ${r === OK ? m.type : r}`;
        },
      ]), 91),
    ]);
    system.run({ untilCycles: SECOND / 5 });
    assert.deepEqual(pubLog, ['publish 0']);
    assert.deepEqual(otherLog, [`change ${Errno.EPERM}`, `change bytes ${Errno.EPERM}`, `delete ${Errno.EPERM}`, `label ${Errno.EPERM}`, `u32 under label. ${Errno.EPERM}`, `without overwrite ${Errno.EEXIST}`]);
    assert.deepEqual([system.dsStore.get('pub.a')?.u32, system.dsStore.get('pub.a')?.owner], [1, 'pub']);
    assert.equal(system.dsStore.get(labelKey('pub'))?.owner, 'rs');

    // A restarted publisher is the same label: the key is still its own.
    const restartedLog: string[] = [];
    const restarted = boot([
      userDriver('pub', function* (sys: Sys): Program {
        const sef = new Sef(sys);
        yield* sef.startup();
        if (sef.initType === 'fresh') {
          restartedLog.push(`publish ${yield* sef.ds.publishU32('pub.a', 1)}`);
          throw new Error('pub: crashes once');
        }
        restartedLog.push(`change ${yield* sef.ds.publishU32('pub.a', 2)}`);
        restartedLog.push(`delete ${yield* sef.ds.delete('pub.a')}`);
        for (;;) yield* sleep(sys, sef, SECOND);
      }, 90),
    ]);
    restarted.run({ untilCycles: SECOND / 10 });
    assert.deepEqual(restartedLog, ['publish 0', 'change 0', 'delete 0']);
    assert.equal(restarted.dsStore.get('pub.a'), undefined);
  });

  it('a subscription belongs to the subscriber\'s label: after its restart DS notifies the new instance', () => {
    const subLog: string[] = [];
    const system: RunningSystem = boot([
      userDriver('sub', subscriber(subLog, 'pub\\.a', () => system), 90),
      userDriver('pub', scripted([], [
        'wait',
        'wait',
        'wait',
        function* (sef) { return `${yield* sef.ds.publishU32('pub.a', 1)}`; },
      ]), 91),
    ]);
    system.run({ untilCycles: STEP + STEP / 2 });
    system.injectFault('sub', 'crash');
    system.run({ untilCycles: SECOND / 5 });
    assert.equal(system.serviceStatus('sub')!.restarts, 1);
    // The new instance never subscribed; it is told because it holds the label.
    assert.deepEqual(subLog, ['subscribe 0', `pub.a type 0x${DsFlags.TYPE_U32.toString(16)} by pub`]);
  });

  it('when RS unpublishes a service (service down), its entries and its subscription leave the store, and subscribers to them are told', () => {
    const watcherLog: string[] = [];
    const system: RunningSystem = boot([
      userDriver('pub', scripted([], [function* (sef) { return `${yield* sef.ds.publishU32('pub.a', 1)}`; }]), 90),
      userDriver('sub', subscriber(watcherLog, 'pub\\.a', () => system), 91),
    ]);
    system.run({ untilCycles: SECOND / 10 });
    assert.equal(system.dsStore.get('pub.a')?.u32, 1);
    system.service('down', 'pub');
    system.run({ untilCycles: SECOND / 5 });
    assert.equal(system.dsStore.get('pub.a'), undefined);
    assert.equal(system.dsStore.get(labelKey('pub')), undefined);
    const sub = system.sim.endpointOf('sub')!;
    const ds = system.sim.endpointOf('ds')!;
    const told = system.sim.trace.query({ kinds: [TraceKind.ipcNotify], endpoints: [sub], fromCycles: SECOND / 10 }).filter((e) => e.src === ds);
    assert.ok(told.length >= 1, 'the subscriber was notified of the deletion');
  });
});
