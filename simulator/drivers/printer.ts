// The printer driver: programmed I/O on the parallel port with MINIX's strobe protocol, one interrupt per byte on the printer's acknowledge.
import { Sef } from '../services/sef';
import { ANY, Errno, HARDWARE, Message, OK, isNotify, ref, type Sys, type Trap } from '../sdk/index';
import { PRINTER_STATUS } from '../hw/printer';
import { PLATFORM, PRINTER_REGS, deviceConfGrants } from '../hw/platform';
import { CDEV, CdevReply, CdevRequest, awaitInterrupt } from '../services/storageMessages';

/** Control values as MINIX's printer.c writes them: hold in reset, select, then strobe and release with interrupts on. */
const INIT_PRINTER = 0x08;
const SELECT = 0x0c;
const NEGATE_STROBE = 0x1c;
const ASSERT_STROBE = 0x1d;
/** Status reads before the driver gives up on a printer that stays busy. */
const BUSY_POLLS = 64;
const CHUNK_BYTES = 256;
const IRQ_HOOK_BIT = 0;

export const PRINTER_DRIVER_DEFAULTS = { portBase: PLATFORM.printer.portBase, irq: PLATFORM.printer.irq } as const;

export function* printerDriverMain(sys: Sys): Generator<Trap, number, number> {
  const base = typeof sys.args.portBase === 'number' ? sys.args.portBase : PRINTER_DRIVER_DEFAULTS.portBase;
  const irq = typeof sys.args.irq === 'number' ? sys.args.irq : PRINTER_DRIVER_DEFAULTS.irq;
  const value = ref(0);
  const m = new Message();
  const intr = new Message();
  const sef = new Sef(sys);
  yield* sef.startup();

  const hook = ref(IRQ_HOOK_BIT);
  const r = yield sys.sys_irqsetpolicy(irq, 0, hook);
  if (r !== OK) throw new Error(`${sys.name}: cannot take IRQ ${irq} (${r})`);
  yield sys.sys_irqenable(hook);
  yield sys.sys_outb(base + PRINTER_REGS.CONTROL, INIT_PRINTER);
  yield sys.sys_outb(base + PRINTER_REGS.CONTROL, SELECT);
  yield sys.sys_outb(base + PRINTER_REGS.CONTROL, NEGATE_STROBE);
  const buffer = sys.mem.alloc(CHUNK_BYTES);

  /** Prints one byte: waits until the printer is ready, strobes, and waits for the acknowledge interrupt. */
  function* printByte(byte: number): Generator<Trap, number, number> {
    for (let poll = 0; ; poll++) {
      yield sys.sys_inb(base + PRINTER_REGS.STATUS, value);
      const status = value.value;
      if ((status & PRINTER_STATUS.PAPER_OUT) !== 0 || (status & PRINTER_STATUS.NOT_ERROR) === 0) return Errno.EIO;
      if ((status & PRINTER_STATUS.NOT_BUSY) !== 0) break;
      if (poll >= BUSY_POLLS) return Errno.EIO;
      yield sys.compute(1_000);
    }
    yield sys.sys_outb(base + PRINTER_REGS.DATA, byte);
    yield sys.sys_outb(base + PRINTER_REGS.CONTROL, ASSERT_STROBE);
    yield sys.sys_outb(base + PRINTER_REGS.CONTROL, NEGATE_STROBE);
    const w = yield* awaitInterrupt(sys, intr);
    yield sys.sys_irqenable(hook);
    return w;
  }

  function* write(caller: number): Generator<Trap, number, number> {
    const grant = CdevRequest.grant.get(m);
    const count = CdevRequest.count.get(m);
    let done = 0;
    while (done < count) {
      const chunk = Math.min(CHUNK_BYTES, count - done);
      const c = yield sys.sys_safecopyfrom(caller, grant, done, buffer, chunk);
      if (c !== OK) return done > 0 ? done : c;
      const bytes = sys.mem.read(buffer, chunk);
      for (let i = 0; i < chunk; i++) {
        const p = yield* printByte(bytes[i]!);
        if (p !== OK) return done > 0 ? done : p;
        done++;
      }
    }
    return done;
  }

  for (;;) {
    const rr = yield* sef.receive(ANY, m);
    if (rr !== OK) continue;
    if (isNotify(m)) {
      if (m.source === HARDWARE) yield sys.sys_irqenable(hook);
      continue;
    }
    const caller = m.source;
    const id = CdevRequest.id.get(m);
    let status: number;
    switch (m.type) {
      case CDEV.OPEN:
      case CDEV.CLOSE:
        status = OK;
        break;
      case CDEV.WRITE:
        status = yield* write(caller);
        break;
      default:
        status = Errno.EINVAL;
    }
    m.clear();
    m.type = CDEV.REPLY;
    CdevReply.status.set(m, status);
    CdevReply.id.set(m, id);
    yield sys.sendnb(caller, m);
  }
}

export const PRINTER_DRIVER_CONF = `service printer
{
${deviceConfGrants(PLATFORM.printer)}
	system
		IRQCTL		# 19
		DEVIO		# 21
		;
	ipc	SYSTEM USER rs ds
		;
};
`;
