// The shared body of the block and CD-ROM drivers (like MINIX's libblockdriver): BDEV requests served by DMA into one buffer, interrupt on completion.
import { Sef } from '../services/sef';
import {
  ANY, Errno, HARDWARE, Message, OK, isNotify, ref, type ProgramMain, type Sys, type Trap,
} from '../sdk/index';
import { STORAGE_COMMAND, STORAGE_CONTROL, STORAGE_ERROR, STORAGE_STATUS } from '../hw/storageDevice';
import { STORAGE_REGS } from '../hw/platform';
import { mapDmaBuffer } from '../services/amddev';
import {
  BDEV, BdevReply, BdevRequest, FI_WILD_DMA, WILD_DMA_TARGET, WildDmaRequest, awaitInterrupt,
} from '../services/storageMessages';

const PAGE_BYTES = 4096;
/** The bit the kernel sets in the HARDWARE notification for this driver's interrupt. */
const IRQ_HOOK_BIT = 0;

export interface StorageDriverConfig {
  readonly portBase: number;
  readonly irq: number;
  /** The device's requester id on the DMA port (what amddev maps for). */
  readonly deviceId: number;
  readonly sectorBytes: number;
  readonly writable: boolean;
  /** Where a wild DMA aimed at the kernel lands (inside the checksummed kernel region). */
  readonly kernelTarget: number;
}

/** A driver for the storage controller at `config`'s ports; args portBase, irq and deviceId override the defaults. */
export function storageDriver(config: StorageDriverConfig): ProgramMain {
  return function* storageDriverMain(sys: Sys): Generator<Trap, number, number> {
    const base = numberArg(sys, 'portBase', config.portBase);
    const irq = numberArg(sys, 'irq', config.irq);
    const deviceId = numberArg(sys, 'deviceId', config.deviceId);
    const sector = config.sectorBytes;
    const value = ref(0);
    const m = new Message();
    const intr = new Message();
    const sef = new Sef(sys);
    yield* sef.startup();

    const hook = ref(IRQ_HOOK_BIT);
    let r = yield sys.sys_irqsetpolicy(irq, 0, hook);
    if (r !== OK) throw new Error(`${sys.name}: cannot take IRQ ${irq} (${r})`);
    yield sys.sys_irqenable(hook);
    yield sys.sys_outl(base + STORAGE_REGS.CONTROL, STORAGE_CONTROL.IRQ_ENABLE);
    yield sys.sys_inl(base + STORAGE_REGS.SECTOR_SIZE, value);
    if (value.value !== sector) throw new Error(`${sys.name}: the device has ${value.value}-byte sectors, expected ${sector}`);

    const at = sys.mem.alloc(0);
    if (at % PAGE_BYTES !== 0) sys.mem.alloc(PAGE_BYTES - (at % PAGE_BYTES));
    const buffer = sys.mem.alloc(PAGE_BYTES);
    const mapped = yield* mapDmaBuffer(sys, deviceId, buffer, PAGE_BYTES, true);
    if (mapped.status !== OK) throw new Error(`${sys.name}: no DMA mapping for its buffer (${mapped.status})`);
    const iova = mapped.iova;

    /** Runs one command and waits for its interrupt; returns the controller's error code. */
    function* runCommand(command: number, lba: number, count: number, dmaAddr: number): Generator<Trap, number, number> {
      yield sys.sys_outl(base + STORAGE_REGS.LBA, lba);
      yield sys.sys_outl(base + STORAGE_REGS.COUNT, count);
      yield sys.sys_outl(base + STORAGE_REGS.DMA_ADDR, dmaAddr);
      yield sys.sys_outl(base + STORAGE_REGS.COMMAND, command);
      for (;;) {
        yield* awaitInterrupt(sys, intr);
        yield sys.sys_inl(base + STORAGE_REGS.STATUS, value);
        const status = value.value;
        yield sys.sys_irqenable(hook);
        if ((status & STORAGE_STATUS.DONE) === 0) continue;
        yield sys.sys_inl(base + STORAGE_REGS.ERROR, value);
        const error = value.value;
        yield sys.sys_outl(base + STORAGE_REGS.STATUS, STORAGE_STATUS.DONE | STORAGE_STATUS.ERROR);
        return (status & STORAGE_STATUS.ERROR) !== 0 ? (error === STORAGE_ERROR.NONE ? STORAGE_ERROR.BAD_COMMAND : error) : STORAGE_ERROR.NONE;
      }
    }

    function* transfer(caller: number, write: boolean): Generator<Trap, number, number> {
      const grant = BdevRequest.grant.get(m);
      const count = BdevRequest.count.get(m);
      const position = BdevRequest.position.get(m);
      if (count === 0 || count % sector !== 0 || position % sector !== 0) return Errno.EINVAL;
      if (write && !config.writable) return Errno.EPERM;
      for (let done = 0; done < count; ) {
        const chunk = Math.min(PAGE_BYTES - (PAGE_BYTES % sector), count - done);
        if (write) {
          const c = yield sys.sys_safecopyfrom(caller, grant, done, buffer, chunk);
          if (c !== OK) return c;
        }
        const error = yield* runCommand(write ? STORAGE_COMMAND.WRITE_DMA : STORAGE_COMMAND.READ_DMA, (position + done) / sector, chunk / sector, iova);
        if (error !== STORAGE_ERROR.NONE) return error === STORAGE_ERROR.OUT_OF_RANGE ? Errno.EINVAL : Errno.EIO;
        if (!write) {
          const c = yield sys.sys_safecopyto(caller, grant, done, buffer, chunk);
          if (c !== OK) return c;
        }
        done += chunk;
      }
      return count;
    }

    /** The injected fault: reads sectors straight into memory this driver does not own. */
    function* wildDma(): Generator<Trap, number, number> {
      const target = WildDmaRequest.target.get(m);
      const bytes = Math.max(sector, Math.min(PAGE_BYTES, WildDmaRequest.bytes.get(m) || sector));
      let dmaAddr = config.kernelTarget;
      if (target === WILD_DMA_TARGET.PROCESS) {
        const paddr = ref(0);
        const u = yield sys.sys_umap(WildDmaRequest.endpoint.get(m), 0x1000, PAGE_BYTES, paddr);
        if (u !== OK) return u;
        dmaAddr = paddr.value;
      } else if (target !== WILD_DMA_TARGET.KERNEL) {
        return Errno.EINVAL;
      }
      const error = yield* runCommand(STORAGE_COMMAND.READ_DMA, 0, Math.floor(bytes / sector), dmaAddr);
      return error === STORAGE_ERROR.NONE ? OK : error === STORAGE_ERROR.DMA_FAULT ? Errno.EFAULT : Errno.EIO;
    }

    for (;;) {
      r = yield* sef.receive(ANY, m);
      if (r !== OK) continue;
      if (isNotify(m)) {
        if (m.source === HARDWARE) {
          yield sys.sys_outl(base + STORAGE_REGS.STATUS, STORAGE_STATUS.DONE | STORAGE_STATUS.ERROR);
          yield sys.sys_irqenable(hook);
        }
        continue;
      }
      const caller = m.source;
      const id = BdevRequest.id.get(m);
      let status: number;
      let sectors = 0;
      switch (m.type) {
        case BDEV.OPEN:
          yield sys.sys_inl(base + STORAGE_REGS.CAPACITY, value);
          sectors = value.value;
          status = sectors > 0 ? OK : Errno.EIO;
          break;
        case BDEV.CLOSE:
          status = OK;
          break;
        case BDEV.READ:
        case BDEV.WRITE:
          status = yield* transfer(caller, m.type === BDEV.WRITE);
          break;
        case FI_WILD_DMA:
          status = yield* wildDma();
          break;
        default:
          status = Errno.EINVAL;
      }
      m.clear();
      m.type = BDEV.REPLY;
      BdevReply.status.set(m, status);
      BdevReply.id.set(m, id);
      BdevReply.sectors.set(m, sectors);
      BdevReply.sectorBytes.set(m, sector);
      yield sys.sendnb(caller, m);
    }
  };
}

function numberArg(sys: Sys, name: string, fallback: number): number {
  const v = sys.args[name];
  return typeof v === 'number' && Number.isInteger(v) ? v : fallback;
}
