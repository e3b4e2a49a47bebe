// The parallel printer port driven the way MINIX's printer driver drives it: init, status polling, strobe, ack interrupt.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PRINTER_STATUS, Printer } from '../../../simulator/hw/printer';
import { PRINTER_REGS } from '../../../simulator/hw/platform';
import { FakeClock, FakeLines, inp, out } from './fakes';

const INIT_PRINTER = 0x08;
const PR_SELECT = 0x0c;
const ASSERT_STROBE = 0x1d;
const NEGATE_STROBE = 0x1c;

function setup() {
  const clock = new FakeClock();
  const lines = new FakeLines(clock);
  const printer = new Printer({ clock, interrupts: lines });
  out(printer, PRINTER_REGS.CONTROL, INIT_PRINTER, 1);
  out(printer, PRINTER_REGS.CONTROL, PR_SELECT, 1);
  return { clock, lines, printer };
}

function strobe(printer: Printer, byte: number): void {
  out(printer, PRINTER_REGS.DATA, byte, 1);
  out(printer, PRINTER_REGS.CONTROL, ASSERT_STROBE, 1);
  out(printer, PRINTER_REGS.CONTROL, NEGATE_STROBE, 1);
}

test('an idle, ready printer reads 0xDF, the status MINIX expects', () => {
  const { printer } = setup();
  assert.equal(inp(printer, PRINTER_REGS.STATUS, 1), 0xdf);
});

test('bytes sent with the strobe protocol, one per ack interrupt, appear in the output in order', () => {
  const { clock, lines, printer } = setup();
  const text = 'Hello, MINIX\n';
  for (const ch of text) {
    assert.ok(inp(printer, PRINTER_REGS.STATUS, 1) & PRINTER_STATUS.NOT_BUSY, 'the driver only strobes a ready printer');
    const before = lines.count(printer.irq);
    strobe(printer, ch.charCodeAt(0));
    assert.equal(inp(printer, PRINTER_REGS.STATUS, 1) & PRINTER_STATUS.NOT_BUSY, 0, 'busy right after the strobe');
    clock.advance(printer.costs.busyCycles);
    assert.equal(lines.count(printer.irq), before + 1, 'the ack raises the interrupt');
    assert.equal(inp(printer, PRINTER_REGS.STATUS, 1) & PRINTER_STATUS.NOT_ACK, 0, 'ACK pulse is on');
    clock.advance(printer.costs.ackPulseCycles);
    assert.equal(inp(printer, PRINTER_REGS.STATUS, 1), 0xdf);
  }
  assert.equal(String.fromCharCode(...printer.output()), text);
});

test('a strobe while the printer is busy is lost', () => {
  const { clock, printer } = setup();
  strobe(printer, 0x41);
  strobe(printer, 0x42);
  clock.runUntilIdle();
  assert.deepEqual([...printer.output()], [0x41]);
  assert.equal(printer.describe().state['lostStrobes'], 1);
});

test('with the paper out the printer reports it and prints nothing', () => {
  const { clock, printer } = setup();
  printer.setPaperOut(true);
  const status = inp(printer, PRINTER_REGS.STATUS, 1);
  assert.equal(status & PRINTER_STATUS.PAPER_OUT, PRINTER_STATUS.PAPER_OUT);
  assert.equal(status & (PRINTER_STATUS.NOT_BUSY | PRINTER_STATUS.NOT_ERROR), 0);
  strobe(printer, 0x41);
  clock.runUntilIdle();
  assert.equal(printer.output().length, 0);
});

test('without IRQ_ENABLE in the control register the ack raises no interrupt', () => {
  const { clock, lines, printer } = setup();
  out(printer, PRINTER_REGS.DATA, 0x41, 1);
  out(printer, PRINTER_REGS.CONTROL, PR_SELECT | 0x01, 1);
  out(printer, PRINTER_REGS.CONTROL, PR_SELECT, 1);
  clock.runUntilIdle();
  assert.deepEqual([...printer.output()], [0x41]);
  assert.equal(lines.raised.length, 0);
});
