// The port address space the kernel dispatches DEVIO through.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PortMap } from '../../../simulator/hw/portMap';
import { Printer } from '../../../simulator/hw/printer';
import { IntervalTimer } from '../../../simulator/hw/timer';
import { PRINTER_REGS, TIMER_REGS } from '../../../simulator/hw/platform';
import { FakeClock, FakeLines } from './fakes';

test('ports reach the device that owns them; unowned ports float high; overlaps are refused', () => {
  const clock = new FakeClock();
  const lines = new FakeLines(clock);
  const ports = new PortMap();
  const printer = new Printer({ clock, interrupts: lines });
  const timer = new IntervalTimer({ clock, interrupts: lines });
  ports.attach(printer);
  ports.attach(timer);
  assert.equal(ports.read(0x378 + PRINTER_REGS.STATUS, 1), 0xdf);
  ports.write(0x40 + TIMER_REGS.PERIOD_CYCLES, 5_000, 4);
  assert.equal(timer.describe().state['periodCycles'], 5_000);
  assert.equal(ports.read(0x300, 1), 0xff);
  assert.equal(ports.read(0x300, 4), 0xffffffff);
  assert.throws(() => ports.attach(new Printer({ clock, interrupts: lines, portBase: 0x379 })), /overlaps/);
});
