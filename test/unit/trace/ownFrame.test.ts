// Jump to source opens the line of the process's own program that entered the
// kernel, not the helper it called (a `yield* sef.receive(...)` in a driver
// enters the kernel inside the helper's file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { attachTraceLocations, ownFrame, parseLocation } from '../../../simulator/trace/locations';
import { programFileOf } from '../../../node/worker/session';

test('a kernel entry made inside a helper is placed at the line of the driver that called the helper', () => {
  assert.equal(ownFrame({ endpoint: 5, location: 'simulator/services/sef.ts:40:5', callers: ['simulator/drivers/nic.ts:120:7', 'simulator/drivers/nic.ts:300:3'] }, 'simulator/drivers/nic.ts'), 'simulator/drivers/nic.ts:120:7');
  assert.equal(ownFrame({ endpoint: 5, location: 'simulator/drivers/nic.ts:88:9', callers: ['simulator/drivers/nic.ts:300:3'] }, 'simulator/drivers/nic.ts'), 'simulator/drivers/nic.ts:88:9', 'a direct call stays where it is');
  assert.equal(ownFrame({ endpoint: 5, location: 'simulator/services/sef.ts:40:5', callers: [] }, 'simulator/drivers/nic.ts'), 'simulator/services/sef.ts:40:5', 'no caller in the driver: the helper');
  assert.equal(ownFrame({ endpoint: 5, location: '/work/drivers/lib.ts:3:1', callers: ['/work/drivers/mine.ts:9:2'] }, '/work/drivers/mine.ts'), '/work/drivers/mine.ts:9:2', 'a user driver by its absolute path');
});

test('in S1, every noted location of the NIC driver is a line of nic.ts, though some of its entries are made inside helpers', () => {
  const s1 = builtinScenario('s1');
  const system = bootScenario(s1, { captureSourceLocations: true });
  let throughHelpers = 0;
  const previous = system.sim.kernelEntryHook;
  system.sim.kernelEntryHook = (e) => {
    if (e.name === 'nic' && e.location !== undefined && !/drivers\/nic\.ts:/.test(e.location)) throughHelpers++;
    return previous === null ? 'continue' : previous(e);
  };
  const locations = attachTraceLocations(system.sim, undefined, programFileOf(system));
  system.run({ untilCycles: 2 * s1.clockHz });
  assert.ok(throughHelpers > 0, 'the NIC driver enters the kernel through a helper at times');
  const nic = system.sim.endpointOf('nic')!;
  const noted = locations.lookup(nic, system.sim.trace.endSeq);
  assert.match(parseLocation(noted ?? '')?.file ?? '', /simulator\/drivers\/nic\.ts$/);
  let checked = 0;
  for (let seq = system.sim.trace.firstSeq; seq < system.sim.trace.endSeq; seq += 97) {
    const at = locations.lookup(nic, seq);
    if (at === undefined) continue;
    checked++;
    assert.match(at, /simulator\/drivers\/nic\.ts:\d+/, `at trace position ${seq}`);
  }
  assert.ok(checked > 10);
});
