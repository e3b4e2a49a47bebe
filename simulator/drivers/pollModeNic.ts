// A kernel-bypass poll-mode driver, as DPDK's: a library inside the
// application that owns the NIC. The NIC's registers are mapped into the
// application (its privilege's mappedIo), its rings and buffers live in the
// application's memory and are mapped for the device once, at start, in its
// IOMMU domain (through amddev, as a driver's are); interrupts stay off and the application
// polls the rings. No kernel on the data path: a packet costs no kernel
// entry, no message, no copy and no context switch. The application here is
// the packet stream: it sends at its rate ("tx", the peer acknowledges), or
// takes and drops what the peer sends ("rx"); or, with the argument role
// "rr-server", the server of a network request-response, which answers each
// request frame with a response frame of responseBytes.
import { OK, cyclesPerUnit, ref, type Program, type Sys } from '../sdk';
import { NIC_CTRL, NIC_DESC, NIC_DESC_STATUS } from '../hw/nic';
import { NIC_REGS, PLATFORM } from '../hw/platform';
import { PEER_MAC, streamFrame } from '../services/inet';
import { mapDmaBuffer } from '../services/amddev';
import { PAGE_BYTES, alignedAlloc, readStatus, writeDescriptor } from './nicRing';
import { STREAM_ETHERTYPE, STREAM_HEADER_BYTES, StreamKind } from '../services/messages';

const RX_DESCRIPTORS = 256;
const TX_DESCRIPTORS = 64;
const BUFFER_BYTES = 2048;
/** Frames taken per poll, DPDK's usual burst. */
export const POLL_MODE_BURST = 32;
/** Memory for the rings, the buffers and the rest. */
export const POLL_MODE_MEMORY_BYTES = 3 * PAGE_BYTES + (RX_DESCRIPTORS + TX_DESCRIPTORS) * BUFFER_BYTES + 64 * 1024;

/** What the application counts; the packet stream's counters. */
export interface PollModeCounters {
  attempted: number;
  accepted: number;
  refused: number;
  acked: number;
  received: number;
}

/** The application with its poll-mode driver. `rxCyclesPerPacket` is the cost profile's pollModeRxCyclesPerPacket. */
export function pollModeStream(counters: PollModeCounters, rxCyclesPerPacket: number): (sys: Sys) => Program {
  return function* pollModeApp(sys: Sys): Program {
    const num = (name: string, fallback: number) => (typeof sys.args[name] === 'number' ? (sys.args[name] as number) : fallback);
    const port = num('port', PLATFORM.nic.portBase);
    const deviceId = num('deviceId', PLATFORM.nic.dmaRequesterId);
    const serving = sys.args['role'] === 'rr-server';
    const sending = !serving && sys.args['direction'] !== 'rx';
    const responseBytes = Math.max(STREAM_HEADER_BYTES, Math.min(num('responseBytes', 64), BUFFER_BYTES));
    const count = num('count', -1);
    const sizeBytes = Math.max(STREAM_HEADER_BYTES, Math.min(num('sizeBytes', 64), BUFFER_BYTES));
    const intervalCycles = Math.max(1, Math.round(cyclesPerUnit(num('ratePerSecond', 10), sys.clockHz)));
    const reg = (offset: number) => port + offset;

    // Rings on pages of their own, then the buffers, two to a page; all mapped for the device now, once.
    const base = alignedAlloc(sys, 2 * PAGE_BYTES + (RX_DESCRIPTORS + TX_DESCRIPTORS) * BUFFER_BYTES);
    const txRing = base;
    const rxRing = base + PAGE_BYTES;
    const buffers = base + 2 * PAGE_BYTES;
    const txBuf = (i: number) => buffers + i * BUFFER_BYTES;
    const rxBuf = (i: number) => buffers + (TX_DESCRIPTORS + i) * BUFFER_BYTES;
    const iovaOfPage = new Map<number, number>();
    const end = buffers + (RX_DESCRIPTORS + TX_DESCRIPTORS) * BUFFER_BYTES;
    for (let page = base; page < end; page += PAGE_BYTES) {
      const mapped = yield* mapDmaBuffer(sys, deviceId, page, PAGE_BYTES, true);
      if (mapped.status !== OK) throw new Error(`poll-mode driver: mapping its memory for the NIC failed (${mapped.status})`);
      iovaOfPage.set(page, mapped.iova);
    }
    const iovaOf = (vaddr: number) => iovaOfPage.get(vaddr - (vaddr % PAGE_BYTES))! + (vaddr % PAGE_BYTES);

    yield sys.reg_write(reg(NIC_REGS.CTRL), NIC_CTRL.RESET);
    for (let i = 0; i < TX_DESCRIPTORS; i++) writeDescriptor(sys, txRing, i, 0, 0);
    for (let i = 0; i < RX_DESCRIPTORS; i++) writeDescriptor(sys, rxRing, i, iovaOf(rxBuf(i)), BUFFER_BYTES);
    yield sys.reg_write(reg(NIC_REGS.TX_RING_BASE), iovaOf(txRing));
    yield sys.reg_write(reg(NIC_REGS.TX_RING_SIZE), TX_DESCRIPTORS);
    yield sys.reg_write(reg(NIC_REGS.RX_RING_BASE), iovaOf(rxRing));
    yield sys.reg_write(reg(NIC_REGS.RX_RING_SIZE), RX_DESCRIPTORS);
    let rxTail = RX_DESCRIPTORS - 1;
    yield sys.reg_write(reg(NIC_REGS.RX_TAIL), rxTail);
    yield sys.reg_write(reg(NIC_REGS.IMR), 0);
    yield sys.reg_write(reg(NIC_REGS.CTRL), NIC_CTRL.TX_ENABLE | NIC_CTRL.RX_ENABLE);
    const word = ref(0);
    yield sys.reg_read(reg(NIC_REGS.MAC_LOW), word);
    const low = word.value;
    yield sys.reg_read(reg(NIC_REGS.MAC_HIGH), word);
    const mac = [low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, low >>> 24, word.value & 0xff, (word.value >>> 8) & 0xff];

    let rxNext = 0;
    let refilled = 0;
    let txTail = 0;
    let txClean = 0;
    let seq = 0;
    let nextSendAt = Math.max(num('startAtCycles', 0), sys.uptimeCycles());

    /** Puts a frame in the TX ring; false when the ring is full (the frame is not sent). */
    const queueTx = (frame: Uint8Array): boolean => {
      if ((txTail + 1) % TX_DESCRIPTORS === txClean) return false;
      sys.mem.write(txBuf(txTail), frame);
      writeDescriptor(sys, txRing, txTail, iovaOf(txBuf(txTail)), frame.length);
      txTail = (txTail + 1) % TX_DESCRIPTORS;
      return true;
    };
    let responses = 0;

    for (;;) {
      let work = false;
      if (sending || serving) while (txClean !== txTail && (readStatus(sys, txRing, txClean) & NIC_DESC_STATUS.DONE) !== 0) txClean = (txClean + 1) % TX_DESCRIPTORS;
      if (sending) {
        // Transmit what is due; a full ring refuses, as rte_eth_tx_burst returns short.
        let queued = false;
        while ((count < 0 || seq < count) && nextSendAt <= sys.uptimeCycles()) {
          nextSendAt += intervalCycles;
          counters.attempted++;
          if (!queueTx(streamFrame(PEER_MAC, mac, StreamKind.DATA, seq, sizeBytes))) {
            counters.refused++;
            continue;
          }
          counters.accepted++;
          seq++;
          queued = true;
        }
        if (queued) {
          yield sys.reg_write(reg(NIC_REGS.TX_TAIL), txTail);
          work = true;
        }
        if (count >= 0 && seq >= count && txClean === txTail) return OK;
      }

      // Receive a burst: each frame is looked at and dropped (an acknowledgement is counted), its descriptor given back.
      let taken = 0;
      while (taken < POLL_MODE_BURST && (readStatus(sys, rxRing, rxNext) & NIC_DESC_STATUS.DONE) !== 0) {
        const length = sys.mem.readU32(rxRing + rxNext * NIC_DESC.SIZE_BYTES + NIC_DESC.LENGTH) & 0xffff;
        if (length >= STREAM_HEADER_BYTES) {
          // Bytes 12..15, little-endian: the EtherType (big-endian on the wire) and the stream's kind.
          const word = sys.mem.readU32(rxBuf(rxNext) + 12);
          if ((((word & 0xff) << 8) | ((word >>> 8) & 0xff)) === STREAM_ETHERTYPE) {
            const kind = word >>> 16;
            if (kind === StreamKind.DATA) counters.received++;
            else if (kind === StreamKind.ACK) counters.acked++;
            // A request: its response goes out with this burst (or is lost if the TX ring is full, as a datagram is).
            else if (kind === StreamKind.REQUEST && serving && queueTx(streamFrame(PEER_MAC, mac, StreamKind.RESPONSE, sys.mem.readU32(rxBuf(rxNext) + 16), responseBytes))) responses++;
          }
        }
        writeDescriptor(sys, rxRing, rxNext, iovaOf(rxBuf(rxNext)), BUFFER_BYTES);
        rxTail = (rxTail + 1) % RX_DESCRIPTORS;
        rxNext = (rxNext + 1) % RX_DESCRIPTORS;
        taken++;
      }
      if (responses > 0) {
        yield sys.reg_write(reg(NIC_REGS.TX_TAIL), txTail);
        responses = 0;
      }
      if (taken > 0) {
        yield sys.compute(taken * rxCyclesPerPacket);
        refilled += taken;
        if (refilled >= POLL_MODE_BURST) {
          yield sys.reg_write(reg(NIC_REGS.RX_TAIL), rxTail);
          refilled = 0;
        }
        work = true;
      }
      if (!sending && count >= 0 && counters.received >= count) return OK;

      if (work) continue;
      // Nothing came: the core spins on the rings (its time, all of it) until the NIC or the next send changes something.
      const untilSend = sending && (count < 0 || seq < count) ? nextSendAt - sys.uptimeCycles() : -1;
      yield untilSend > 0 ? sys.spin(untilSend) : sys.spin();
    }
  };
}
