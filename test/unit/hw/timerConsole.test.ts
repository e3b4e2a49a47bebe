// The interval timer and the console device as their drivers use them.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CONSOLE_CONTROL, CONSOLE_STATUS, ConsoleDevice } from '../../../simulator/hw/consoleDevice';
import { IntervalTimer, TIMER_CONTROL } from '../../../simulator/hw/timer';
import { CONSOLE_REGS, TIMER_REGS } from '../../../simulator/hw/platform';
import { FakeClock, FakeLines, inp, out } from './fakes';

test('a periodic timer interrupts every period, on exact multiples, until disabled', () => {
  const clock = new FakeClock();
  const lines = new FakeLines(clock);
  const timer = new IntervalTimer({ clock, interrupts: lines });
  clock.advance(500);
  out(timer, TIMER_REGS.PERIOD_CYCLES, 10_000);
  out(timer, TIMER_REGS.CONTROL, TIMER_CONTROL.ENABLE | TIMER_CONTROL.PERIODIC | TIMER_CONTROL.IRQ_ENABLE);
  clock.advance(35_000);
  assert.deepEqual(
    lines.raised.map((r) => r.timeCycles),
    [10_500, 20_500, 30_500],
  );
  assert.equal(inp(timer, TIMER_REGS.TICKS), 3);
  out(timer, TIMER_REGS.CONTROL, 0);
  clock.advance(50_000);
  assert.equal(lines.raised.length, 3);
  assert.equal(inp(timer, TIMER_REGS.NOW_LOW), 85_500);
});

test('a one-shot timer fires once and clears its enable bit', () => {
  const clock = new FakeClock();
  const lines = new FakeLines(clock);
  const timer = new IntervalTimer({ clock, interrupts: lines });
  out(timer, TIMER_REGS.PERIOD_CYCLES, 2_000);
  out(timer, TIMER_REGS.CONTROL, TIMER_CONTROL.ENABLE | TIMER_CONTROL.IRQ_ENABLE);
  clock.advance(10_000);
  assert.deepEqual(lines.raised, [{ irq: timer.irq, timeCycles: 2_000 }]);
  assert.equal(inp(timer, TIMER_REGS.CONTROL) & TIMER_CONTROL.ENABLE, 0);
});

test('console output reaches the sink a byte at a time, and input raises an interrupt and reads back', () => {
  const clock = new FakeClock();
  const lines = new FakeLines(clock);
  const tty = new ConsoleDevice({ clock, interrupts: lines });
  const seen: Array<[number, number]> = [];
  tty.onOutput((byte, time) => seen.push([byte, time]));
  out(tty, CONSOLE_REGS.CONTROL, CONSOLE_CONTROL.RX_IRQ_ENABLE, 1);
  for (const ch of 'ok') out(tty, CONSOLE_REGS.DATA, ch.charCodeAt(0), 1);
  assert.equal(inp(tty, CONSOLE_REGS.STATUS, 1) & CONSOLE_STATUS.TX_EMPTY, 0);
  clock.runUntilIdle();
  const perByte = tty.costs.txCyclesPerByte;
  assert.deepEqual(seen, [
    [0x6f, perByte],
    [0x6b, 2 * perByte],
  ]);
  assert.equal(String.fromCharCode(...tty.output()), 'ok');

  tty.injectInput([0x6c, 0x73]);
  clock.runUntilIdle();
  assert.equal(lines.count(tty.irq), 2);
  assert.equal(inp(tty, CONSOLE_REGS.RX_COUNT, 1), 2);
  assert.equal(inp(tty, CONSOLE_REGS.DATA, 1), 0x6c);
  assert.equal(inp(tty, CONSOLE_REGS.DATA, 1), 0x73);
  assert.equal(inp(tty, CONSOLE_REGS.STATUS, 1) & CONSOLE_STATUS.RX_READY, 0);
});
