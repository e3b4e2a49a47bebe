// The interrupt controller as the kernel uses it: mask, unmask, acknowledge, EOI, priorities, coalescing.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { InterruptController } from '../../../simulator/hw/interruptController';

function setup() {
  const requested: number[] = [];
  const pic = new InterruptController(16, { interruptRequested: (irq) => requested.push(irq) });
  return { pic, requested };
}

test('a masked line stays pending and is requested when unmasked', () => {
  const { pic, requested } = setup();
  pic.raise(5);
  assert.deepEqual(requested, []);
  assert.deepEqual(pic.pendingLines(), [5]);
  pic.unmask(5);
  assert.deepEqual(requested, [5]);
  assert.equal(pic.acknowledge(), 5);
  assert.equal(pic.isInService(5), true);
  assert.deepEqual(pic.pendingLines(), []);
});

test('a line raised while in service is requested again at its EOI, not before', () => {
  const { pic, requested } = setup();
  pic.unmask(3);
  pic.raise(3);
  assert.equal(pic.acknowledge(), 3);
  pic.raise(3);
  assert.deepEqual(requested, [3]);
  assert.equal(pic.acknowledge(), undefined);
  pic.eoi(3);
  assert.deepEqual(requested, [3, 3]);
  assert.equal(pic.acknowledge(), 3);
});

test('raises of a pending line coalesce; the lowest line is acknowledged first', () => {
  const { pic } = setup();
  pic.unmask(2);
  pic.unmask(9);
  pic.raise(9);
  pic.raise(2);
  pic.raise(2);
  assert.equal(pic.acknowledge(), 2);
  assert.equal(pic.acknowledge(), 9);
  assert.equal(pic.acknowledge(), undefined);
  const line2 = pic.describe().lines[2]!;
  assert.equal(line2.raisedCount, 2);
  assert.equal(line2.coalescedCount, 1);
  assert.equal(line2.deliveredCount, 1);
});

test('a raise on a line the controller does not have is counted as spurious', () => {
  const { pic, requested } = setup();
  pic.raise(99);
  assert.deepEqual(requested, []);
  assert.equal(pic.describe().spuriousCount, 1);
});

test('a controller built with lines unmasked delivers at once, and an EOI without service is ignored', () => {
  const requested: number[] = [];
  const pic = new InterruptController(8, { interruptRequested: (irq) => requested.push(irq) }, { startMasked: false });
  pic.eoi(1);
  pic.raise(1);
  assert.deepEqual(requested, [1]);
  assert.equal(pic.acknowledge(), 1);
  pic.eoi(1);
  assert.equal(pic.isInService(1), false);
});
