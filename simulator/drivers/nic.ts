// The NIC driver, written against the SDK as a user's driver would be: TX and
// RX descriptor rings in its own memory, interrupts, write and read requests
// from the network server, and its MAC and counters published in the data
// store. When the machine has an IOMMU the rings stay mapped for the device
// (through amddev, once) and each packet buffer is mapped just before the
// device uses it and unmapped when the device is done, as a Linux driver does
// with the DMA API; without one the buffers' physical addresses are used.
import {
  ANY, Errno, HARDWARE, IRQ_REENABLE, Message, OK, isNotify, ref, type Program, type Sys,
} from '../sdk';
import { NIC_CTRL, NIC_DESC, NIC_DESC_STATUS, NIC_INT } from '../hw/nic';
import { NIC_REGS, PLATFORM } from '../hw/platform';
import { mapDmaBuffer } from '../services/amddev';
import { DL_TASK_REPLY, DlFlags, DlLayout, DlRequest, nicKeys } from '../services/messages';
import { Sef } from '../services/sef';
import { PAGE_BYTES, alignedAlloc, readStatus, writeDescriptor } from './nicRing';

const TX_DESCRIPTORS = 8;
/** Enough for a burst of small frames to wait while the driver is busy elsewhere. */
const RX_DESCRIPTORS = 64;
/** Bytes a descriptor's buffer holds; each buffer has a page of its own, so that it is mapped and unmapped alone. */
const BUFFER_BYTES = 2048;
/** Reads the network server may have posted; one per RX slot it has. */
const MAX_PENDING_READS = 64;
/**
 * Frames taken from the RX ring per interrupt, as Linux's NAPI weight: the
 * driver masks the NIC's receive interrupts, takes what the ring holds up to
 * this many, then unmasks them; frames that came meanwhile raise the next
 * interrupt at once. Under load one interrupt serves a batch.
 */
const RX_BUDGET = 64;
/** Descriptors given back to the NIC per RX_TAIL write, as Linux's ixgbe driver writes its tail every 16 (IXGBE_RX_BUFFER_WRITE). */
const RX_REFILL_BATCH = 16;
/** The rings' page, a page per buffer, and room for the rest. */
export const NIC_DRIVER_MEMORY_BYTES = (2 + TX_DESCRIPTORS + RX_DESCRIPTORS) * PAGE_BYTES + 64 * 1024;

const RX_INTERRUPTS = NIC_INT.RX_DONE | NIC_INT.RX_NO_BUFFER;
const ALL_INTERRUPTS = NIC_INT.TX_DONE | RX_INTERRUPTS | NIC_INT.DMA_ERROR;

interface PendingRead {
  readonly endpoint: number;
  readonly id: number;
  readonly grant: number;
  readonly length: number;
}

export function* nicDriver(sys: Sys): Program {
  const port = typeof sys.args['port'] === 'number' ? sys.args['port'] : PLATFORM.nic.portBase;
  const irq = typeof sys.args['irq'] === 'number' ? sys.args['irq'] : PLATFORM.nic.irq;
  const deviceId = typeof sys.args['deviceId'] === 'number' ? sys.args['deviceId'] : PLATFORM.nic.dmaRequesterId;
  const keys = nicKeys(sys.name);
  const sef = new Sef(sys);
  const value = ref(0);
  const hook = ref(0);

  // One page for both rings, then one page per buffer.
  const ringsVaddr = alignedAlloc(sys, PAGE_BYTES);
  const buffersVaddr = alignedAlloc(sys, (TX_DESCRIPTORS + RX_DESCRIPTORS) * PAGE_BYTES);
  const txRing = ringsVaddr;
  const rxRing = ringsVaddr + TX_DESCRIPTORS * NIC_DESC.SIZE_BYTES;
  const txBuf = (i: number) => buffersVaddr + i * PAGE_BYTES;
  const rxBuf = (i: number) => buffersVaddr + (TX_DESCRIPTORS + i) * PAGE_BYTES;
  const pageIova = new Map<number, number>();
  const iovaOf = (vaddr: number) => pageIova.get(vaddr - (vaddr % PAGE_BYTES))! + (vaddr % PAGE_BYTES);
  /** With an IOMMU, buffers are mapped per transfer (streaming); without, their physical addresses are looked up once. */
  let streaming = false;
  const iova = ref(0);

  /** The buffer's IO-virtual address for the next transfer, mapping it first when streaming. */
  function* dmaMap(vaddr: number, write: boolean): Generator<ReturnType<Sys['notify']>, number, number> {
    if (!streaming) return iovaOf(vaddr);
    const r = yield sys.sys_dmamap(deviceId, vaddr, PAGE_BYTES, write, iova);
    if (r !== OK) throw new Error(`nic: mapping a buffer for DMA failed (${r})`);
    return iova.value;
  }

  /** The device is done with the buffer: unmap it when streaming. */
  function* dmaUnmap(vaddr: number): Generator<ReturnType<Sys['notify']>, void, number> {
    if (!streaming) return;
    const r = yield sys.sys_dmaunmap(deviceId, vaddr, PAGE_BYTES, iova);
    if (r !== OK) throw new Error(`nic: unmapping a DMA buffer failed (${r})`);
  }

  let txTail = 0;
  let txClean = 0;
  let rxNext = 0;
  let rxTail = RX_DESCRIPTORS - 1;
  let txPackets = 0;
  let rxPackets = 0;
  const pendingReads: PendingRead[] = [];

  function* reg(offset: number): Generator<ReturnType<Sys['notify']>, number, number> {
    yield sys.sys_inl(port + offset, value);
    return value.value;
  }

  const status = yield* sef.startup({
    *init(type) {
      yield sys.sys_outl(port + NIC_REGS.CTRL, NIC_CTRL.RESET);
      streaming = (yield sys.sys_getendpoint({ name: 'amddev', endpoint: 0 })) === OK;
      const persistent = streaming ? [ringsVaddr] : [ringsVaddr, ...Array.from({ length: TX_DESCRIPTORS + RX_DESCRIPTORS }, (_, i) => buffersVaddr + i * PAGE_BYTES)];
      for (const vaddr of persistent) {
        const mapped = yield* mapDmaBuffer(sys, deviceId, vaddr, PAGE_BYTES, true);
        if (mapped.status !== OK) return mapped.status;
        pageIova.set(vaddr, mapped.iova);
      }
      for (let i = 0; i < TX_DESCRIPTORS; i++) writeDescriptor(sys, txRing, i, 0, 0);
      for (let i = 0; i < RX_DESCRIPTORS; i++) writeDescriptor(sys, rxRing, i, yield* dmaMap(rxBuf(i), true), BUFFER_BYTES);
      yield sys.sys_outl(port + NIC_REGS.TX_RING_BASE, iovaOf(txRing));
      yield sys.sys_outl(port + NIC_REGS.TX_RING_SIZE, TX_DESCRIPTORS);
      yield sys.sys_outl(port + NIC_REGS.RX_RING_BASE, iovaOf(rxRing));
      yield sys.sys_outl(port + NIC_REGS.RX_RING_SIZE, RX_DESCRIPTORS);
      yield sys.sys_outl(port + NIC_REGS.RX_TAIL, rxTail);
      const r = yield sys.sys_irqsetpolicy(irq, IRQ_REENABLE, hook);
      if (r !== OK) return r;
      yield sys.sys_irqenable(hook);
      yield sys.sys_outl(port + NIC_REGS.IMR, ALL_INTERRUPTS);
      yield sys.sys_outl(port + NIC_REGS.CTRL, NIC_CTRL.TX_ENABLE | NIC_CTRL.RX_ENABLE);
      const low = yield* reg(NIC_REGS.MAC_LOW);
      const high = yield* reg(NIC_REGS.MAC_HIGH);
      const mac = Uint8Array.of(low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, low >>> 24, high & 0xff, (high >>> 8) & 0xff);
      yield* sef.ds.publishBytes(keys.mac, mac);
      if (type !== 'fresh') {
        // The counters a previous instance published carry on across the restart.
        const prev = ref(0);
        if ((yield* sef.ds.retrieveU32(keys.txPackets, prev)) === OK) txPackets = prev.value;
        if ((yield* sef.ds.retrieveU32(keys.rxPackets, prev)) === OK) rxPackets = prev.value;
      }
      return OK;
    },
  });
  if (status !== OK) return status;

  const m = new Message();
  const reply = new Message();
  /** Whether the driver has masked the NIC's receive interrupts (taking a batch, or waiting for reads to post frames to). */
  let rxMasked = false;
  /** Descriptors refilled since the last RX_TAIL write. */
  let refilled = 0;

  /**
   * NAPI: with receive interrupts masked, takes up to RX_BUDGET frames from
   * the ring, each into a read the network server posted, and gives the
   * descriptors back; then unmasks, unless no read is left, in which case the
   * frames wait in the ring (and the NIC drops what finds it full) until the
   * server posts more.
   */
  function* receiveBatch(): Generator<ReturnType<Sys['notify']>, void, number> {
    if (!rxMasked) {
      yield sys.sys_outl(port + NIC_REGS.IMR, ALL_INTERRUPTS & ~RX_INTERRUPTS);
      rxMasked = true;
    }
    let taken = 0;
    while (taken < RX_BUDGET && pendingReads.length > 0 && (readStatus(sys, rxRing, rxNext) & NIC_DESC_STATUS.DONE) !== 0) {
      const length = sys.mem.readU32(rxRing + rxNext * NIC_DESC.SIZE_BYTES + NIC_DESC.LENGTH) & 0xffff;
      yield* dmaUnmap(rxBuf(rxNext));
      const read = pendingReads.shift()!;
      const n = Math.min(length, read.length);
      const c = yield sys.sys_safecopyto(read.endpoint, read.grant, 0, rxBuf(rxNext), n);
      rxPackets++;
      if ((rxPackets & 15) === 0) yield* sef.ds.publishU32(keys.rxPackets, rxPackets);
      reply.clear();
      reply.type = DL_TASK_REPLY;
      DlLayout.flags.set(reply, DlFlags.PACK_RECV);
      DlLayout.id.set(reply, read.id);
      DlLayout.length.set(reply, c === OK ? n : 0);
      DlLayout.status.set(reply, c);
      yield* sef.asynsend(read.endpoint, reply);
      writeDescriptor(sys, rxRing, rxNext, yield* dmaMap(rxBuf(rxNext), true), BUFFER_BYTES);
      rxTail = (rxTail + 1) % RX_DESCRIPTORS;
      rxNext = (rxNext + 1) % RX_DESCRIPTORS;
      taken++;
      if (++refilled >= RX_REFILL_BATCH) {
        yield sys.sys_outl(port + NIC_REGS.RX_TAIL, rxTail);
        refilled = 0;
      }
    }
    if (pendingReads.length > 0) {
      yield sys.sys_outl(port + NIC_REGS.IMR, ALL_INTERRUPTS);
      rxMasked = false;
    }
  }

  for (;;) {
    const r = yield* sef.receive(ANY, m);
    if (r !== OK) continue;
    if (isNotify(m)) {
      if (m.source !== HARDWARE) continue;
      const isr = yield* reg(NIC_REGS.ISR);
      yield sys.sys_outl(port + NIC_REGS.ISR, isr);
      if ((isr & NIC_INT.DMA_ERROR) !== 0) throw new Error('nic: the device reported a DMA error');
      if ((isr & NIC_INT.TX_DONE) !== 0) {
        const before = txPackets;
        while (txClean !== txTail && (readStatus(sys, txRing, txClean) & NIC_DESC_STATUS.DONE) !== 0) {
          yield* dmaUnmap(txBuf(txClean));
          txClean = (txClean + 1) % TX_DESCRIPTORS;
          txPackets++;
        }
        if (txPackets >>> 4 !== before >>> 4) yield* sef.ds.publishU32(keys.txPackets, txPackets);
      }
      if ((isr & (NIC_INT.RX_DONE | NIC_INT.RX_NO_BUFFER)) !== 0) yield* receiveBatch();
      continue;
    }
    if (m.type === DlRequest.WRITEV_S) {
      const length = DlLayout.length.get(m);
      let st: number = OK;
      if ((txTail + 1) % TX_DESCRIPTORS === txClean) st = Errno.EBUSY;
      else if (length === 0 || length > BUFFER_BYTES) st = Errno.EINVAL;
      else st = yield sys.sys_safecopyfrom(m.source, DlLayout.grant.get(m), 0, txBuf(txTail), length);
      if (st === OK) {
        writeDescriptor(sys, txRing, txTail, yield* dmaMap(txBuf(txTail), false), length);
        txTail = (txTail + 1) % TX_DESCRIPTORS;
        yield sys.sys_outl(port + NIC_REGS.TX_TAIL, txTail);
      }
      reply.clear();
      reply.type = DL_TASK_REPLY;
      DlLayout.flags.set(reply, DlFlags.PACK_SEND);
      DlLayout.id.set(reply, DlLayout.id.get(m));
      DlLayout.status.set(reply, st);
      yield* sef.asynsend(m.source, reply);
    } else if (m.type === DlRequest.READV_S) {
      if (pendingReads.length >= MAX_PENDING_READS) {
        reply.clear();
        reply.type = DL_TASK_REPLY;
        DlLayout.flags.set(reply, DlFlags.PACK_RECV);
        DlLayout.id.set(reply, DlLayout.id.get(m));
        DlLayout.status.set(reply, Errno.EBUSY);
        yield* sef.asynsend(m.source, reply);
      } else {
        pendingReads.push({ endpoint: m.source, id: DlLayout.id.get(m), grant: DlLayout.grant.get(m), length: DlLayout.length.get(m) });
        // Receiving stopped for want of reads: frames may wait in the ring.
        if (rxMasked) yield* receiveBatch();
      }
    }
  }
}
