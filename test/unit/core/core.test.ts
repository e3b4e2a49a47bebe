// The discrete-event core: event order, cancellation, integer time, seeded streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../../../simulator/core/eventQueue';
import { RandomStream, RandomStreams } from '../../../simulator/core/random';
import { Digest } from '../../../simulator/core/digest';

describe('event queue', () => {
  it('runs actions in (time, priority, sequence) order', () => {
    const q = new EventQueue(1e9);
    const order: string[] = [];
    q.schedule(10, () => order.push('t10 p50 first'), 'a');
    q.schedule(5, () => order.push('t5'), 'b');
    q.schedule(10, () => order.push('t10 p0'), 'c', 0);
    q.schedule(10, () => order.push('t10 p50 second'), 'd');
    for (;;) {
      const t = q.nextTime();
      if (t === Infinity) break;
      q.advanceTo(t);
      while (q.runOneDue());
    }
    assert.deepEqual(order, ['t5', 't10 p0', 't10 p50 first', 't10 p50 second']);
    assert.equal(q.now(), 10);
  });

  it('cancelled actions do not run; an action may schedule another at the same time, which runs after it', () => {
    const q = new EventQueue(1e9);
    const order: string[] = [];
    const id = q.schedule(3, () => order.push('cancelled'), 'x');
    q.schedule(3, () => {
      order.push('first');
      q.schedule(0, () => order.push('rescheduled'), 'y');
    }, 'z');
    q.cancel(id);
    q.advanceTo(3);
    while (q.runOneDue());
    assert.deepEqual(order, ['first', 'rescheduled']);
    assert.equal(q.pendingCount, 0);
  });

  it('accepts only non-negative integer cycles and never goes back', () => {
    const q = new EventQueue(1e9);
    assert.throws(() => q.schedule(1.5, () => {}, 'bad'), RangeError);
    assert.throws(() => q.schedule(-1, () => {}, 'bad'), RangeError);
    q.advanceTo(100);
    assert.throws(() => q.advanceTo(99), RangeError);
    assert.throws(() => q.scheduleAt(50, () => {}, 'past'), RangeError);
  });
});

describe('random streams', () => {
  it('the same seed and name give the same sequence; names and seeds give independent ones', () => {
    const take = (s: RandomStream): number[] => Array.from({ length: 8 }, () => s.nextU32());
    const a = new RandomStreams(42);
    const b = new RandomStreams(42);
    assert.deepEqual(take(a.stream('nic')), take(b.stream('nic')));
    assert.notDeepEqual(take(new RandomStreams(42).stream('nic')), take(new RandomStreams(42).stream('disk')));
    assert.notDeepEqual(take(new RandomStreams(42).stream('nic')), take(new RandomStreams(43).stream('nic')));
  });

  it('requires an integer seed and keeps nextInt in range', () => {
    assert.throws(() => new RandomStreams(Number.NaN), RangeError);
    const s = new RandomStream(1);
    for (let i = 0; i < 1000; i++) {
      const v = s.nextInt(7);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 7);
    }
  });

  it('can save and restore its state', () => {
    const s = new RandomStream(9);
    s.nextU32();
    const state = s.getState();
    const next = [s.nextU32(), s.nextU32()];
    s.setState(state);
    assert.deepEqual([s.nextU32(), s.nextU32()], next);
  });
});

describe('Digest', () => {
  /** FNV-1a 64 by its definition, in BigInt: the reference the fast digest must equal. */
  const fnv1a64 = (bytes: readonly number[]): string => {
    let h = 0xcbf29ce484222325n;
    for (const b of bytes) h = ((h ^ BigInt(b & 0xff)) * 0x100000001b3n) & 0xffffffffffffffffn;
    return h.toString(16).padStart(16, '0');
  };
  const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

  it('is FNV-1a 64 of the bytes its calls stand for: each integer as 8 bytes, low word first; strings by UTF-16 unit', () => {
    const random = new RandomStream(7);
    const d = new Digest();
    const bytes: number[] = [];
    for (let i = 0; i < 3_000; i++) {
      const pick = i % 5;
      const v = pick === 0 ? random.nextU32() : pick === 1 ? random.nextU32() | 0 : pick === 2 ? random.nextU32() * 4096 + (i % 4096) : pick === 3 ? -(i % 7) : i;
      d.int(v);
      bytes.push(...u32(v % 0x100000000 >>> 0), ...u32(Math.floor(v / 0x100000000) >>> 0));
    }
    d.str('é€x');
    bytes.push(...u32(3), 0xe9, 0, 0xac, 0x20, 0x78, 0);
    d.bytes(new Uint8Array([0, 255, 7]));
    bytes.push(...u32(3), 0, 255, 7);
    assert.equal(d.hex(), fnv1a64(bytes));
    assert.equal(new Digest().hex(), 'cbf29ce484222325');
  });
});

