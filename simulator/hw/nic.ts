// An Ethernet NIC with TX and RX descriptor rings in DMA memory, head/tail doorbells, interrupts, and a wire to a simulated peer.

import type { Clock, Cycles, DmaPort, InterruptLines } from './bus';
import { cyclesPerUnit, secondsToCycles } from '../time/time';
import {
  DeviceTimers,
  PlatformDeviceBase,
  dmaCycles,
  isDmaFault,
  readU16,
  readU32,
  writeU16,
  type DevicePlacement,
  type DeviceStateValue,
} from './device';
import { NIC_REGS, PLATFORM } from './platform';

export const NIC_CTRL = {
  /** Write 1: reset the NIC as reset() does (the bit reads back 0). */
  RESET: 1 << 0,
  TX_ENABLE: 1 << 1,
  RX_ENABLE: 1 << 2,
} as const;

export const NIC_STATUS = {
  LINK_UP: 1 << 0,
  /** A descriptor fetch faulted; the ring is stopped until reset. */
  TX_STALLED: 1 << 1,
  RX_STALLED: 1 << 2,
} as const;

export const NIC_INT = {
  TX_DONE: 1 << 0,
  RX_DONE: 1 << 1,
  /** A received packet waits and the RX ring has no free descriptor. */
  RX_NO_BUFFER: 1 << 2,
  /** A DMA transfer was blocked (by the IOMMU) or ran outside memory. */
  DMA_ERROR: 1 << 3,
} as const;

/**
 * A descriptor is 16 bytes, little-endian, at `ring base + index * 16`.
 * TX: the driver fills BUFFER and LENGTH; the NIC writes STATUS.
 * RX: the driver fills BUFFER and LENGTH (the buffer's size); the NIC writes
 * LENGTH (bytes received) and STATUS.
 */
export const NIC_DESC = {
  SIZE_BYTES: 16,
  /** u32: IO-virtual address of the packet buffer. */
  BUFFER: 0,
  /** u16: packet length (TX), buffer size then received length (RX). */
  LENGTH: 4,
  /** u16: driver-owned, left unchanged by the NIC. */
  FLAGS: 6,
  /** u16: NIC_DESC_STATUS bits written back by the NIC. */
  STATUS: 8,
} as const;

export const NIC_DESC_STATUS = {
  DONE: 1 << 0,
  /** The packet's buffer could not be reached by DMA, or its length was invalid; nothing was sent or received. */
  ERROR: 1 << 1,
  /** RX: the packet was longer than the buffer and was cut to the buffer's size. */
  TRUNCATED: 1 << 2,
} as const;

export const NIC_MAX_RING_DESCRIPTORS = 4096;
/** The largest frame without FCS the NIC sends: 1,500 bytes of payload and a 14-byte header. */
export const NIC_MAX_FRAME_BYTES = 1514;

/** The NIC's timing in physical units; the NIC turns it into cycles of its clock when built. */
export interface NicTiming {
  /** Line rate of the link. */
  readonly lineBitsPerSecond: number;
  /** PCIe round trip before a DMA transfer's data flows. */
  readonly dmaLatencySeconds: number;
  /** Bandwidth of a DMA transfer once its data flows. */
  readonly dmaBytesPerSecond: number;
  /** Preamble (8), FCS (4) and inter-frame gap (12) bytes on the wire per frame. */
  readonly wireOverheadBytes: number;
  /** Frames shorter than this occupy the wire as if padded to it. */
  readonly wireMinFrameBytes: number;
  /**
   * Interrupt moderation, as the e1000's interrupt throttling register: the
   * NIC raises its line at most once per this interval; a cause that comes
   * sooner is signalled when the interval ends. The first interrupt after a
   * quiet interval is not delayed.
   */
  readonly interruptMinIntervalSeconds: number;
}

/**
 * Gigabit Ethernet; a PCIe round trip of about 500 ns and a link of about
 * 3 GB/s (estimates); at most 100,000 interrupts a second (an estimate, within
 * the range Linux's e1000e driver sets its throttle to).
 */
export const DEFAULT_NIC_TIMING: NicTiming = {
  lineBitsPerSecond: 1e9,
  dmaLatencySeconds: 500e-9,
  dmaBytesPerSecond: 3e9,
  wireOverheadBytes: 24,
  wireMinFrameBytes: 60,
  interruptMinIntervalSeconds: 10e-6,
};

/** The NIC's timing in cycles of one clock. */
export interface NicCosts {
  readonly dmaLatencyCycles: Cycles;
  readonly dmaCyclesPerByte: number;
  readonly wireCyclesPerByte: number;
  readonly wireOverheadBytes: number;
  readonly wireMinFrameBytes: number;
  readonly interruptMinIntervalCycles: Cycles;
}

export function nicCosts(timing: NicTiming, clockHz: number): NicCosts {
  return {
    dmaLatencyCycles: secondsToCycles(timing.dmaLatencySeconds, clockHz),
    dmaCyclesPerByte: cyclesPerUnit(timing.dmaBytesPerSecond, clockHz),
    wireCyclesPerByte: 8 * cyclesPerUnit(timing.lineBitsPerSecond, clockHz),
    wireOverheadBytes: timing.wireOverheadBytes,
    wireMinFrameBytes: timing.wireMinFrameBytes,
    interruptMinIntervalCycles: secondsToCycles(timing.interruptMinIntervalSeconds, clockHz),
  };
}

/** Frames the NIC holds fetched from memory, the one on the wire included, so that the next is ready when the wire frees. */
export const NIC_TX_FIFO_FRAMES = 2;

export interface NicOptions extends DevicePlacement {
  readonly mac?: readonly number[];
  readonly clock: Clock;
  readonly interrupts: InterruptLines;
  readonly dma: DmaPort;
  /** Physical timing, turned into cycles of `clock` once, here; DEFAULT_NIC_TIMING if absent. */
  readonly timing?: NicTiming;
  /** Packets the NIC holds on chip while no RX descriptor is free. */
  readonly rxFifoPackets?: number;
  /** How many of the packets the wire delivered it keeps for inspection. */
  readonly wireRetainPackets?: number;
}

/**
 * The link between the NIC and a simulated peer. The peer's side: `inject`
 * sends a packet to the NIC, `delivered` and the counters show what the NIC
 * sent, `onDeliver` lets a workload answer.
 */
export class EthernetWire {
  deliveredCount = 0;
  deliveredBytes = 0;
  /** Packets lost because the link was down. */
  lostCount = 0;
  injectedCount = 0;
  private linkUp = true;
  private readonly retained: Uint8Array[] = [];
  private readonly listeners: Array<(packet: Uint8Array, timeCycles: Cycles) => void> = [];
  private towardNicFreeAt: Cycles = 0;

  constructor(
    private readonly clock: Clock,
    private readonly nic: Nic,
    readonly retainPackets: number,
  ) {}

  get isUp(): boolean {
    return this.linkUp;
  }

  setLink(up: boolean): void {
    this.linkUp = up;
  }

  /** Cycles a frame of `lengthBytes` occupies the wire. */
  frameCycles(lengthBytes: number): Cycles {
    const costs = this.nic.costs;
    return Math.ceil((Math.max(lengthBytes, costs.wireMinFrameBytes) + costs.wireOverheadBytes) * costs.wireCyclesPerByte);
  }

  /** Sends a packet from the peer; it reaches the NIC when the wire has carried it, after any packets injected before it. */
  inject(packet: Uint8Array): void {
    this.injectAt(this.clock.now(), packet);
  }

  /** As inject, for a packet the peer began to send at `sentAt` (not after now): a sender that fell behind the clock keeps its own pace. */
  injectAt(sentAt: Cycles, packet: Uint8Array): void {
    const copy = packet.slice();
    this.injectedCount++;
    const start = Math.max(Math.min(sentAt, this.clock.now()), this.towardNicFreeAt);
    this.towardNicFreeAt = start + this.frameCycles(copy.length);
    this.clock.schedule(Math.max(0, this.towardNicFreeAt - this.clock.now()), () => this.arrive(copy), `${this.nic.name}:wire-rx`);
  }

  /** The last `retainPackets` packets the NIC sent, oldest first. */
  get delivered(): readonly Uint8Array[] {
    return this.retained;
  }

  onDeliver(listener: (packet: Uint8Array, timeCycles: Cycles) => void): void {
    this.listeners.push(listener);
  }

  /** Called by the NIC when a frame has left it. */
  carry(packet: Uint8Array): void {
    if (!this.linkUp) {
      this.lostCount++;
      return;
    }
    this.deliveredCount++;
    this.deliveredBytes += packet.length;
    if (this.retainPackets > 0) {
      if (this.retained.length >= this.retainPackets) this.retained.shift();
      this.retained.push(packet);
    }
    for (const listener of this.listeners) listener(packet, this.clock.now());
  }

  private arrive(packet: Uint8Array): void {
    if (!this.linkUp) {
      this.lostCount++;
      return;
    }
    this.nic.receiveFromWire(packet);
  }
}

/**
 * Ring protocol (as on an e1000): HEAD is the next descriptor the NIC works
 * on, TAIL one past the last the driver handed over; the ring is empty when
 * they are equal, so a ring of N descriptors carries at most N-1 at a time.
 * Both wrap to 0 at the ring size.
 *
 * TX: after a TAIL write the NIC fetches the next descriptor and its buffer
 * by DMA into its TX FIFO (NIC_TX_FIFO_FRAMES frames), so that the next frame
 * is ready while one is on the wire; when a frame has left, the NIC writes
 * its STATUS = DONE back, advances HEAD and raises TX_DONE. RX: an arriving
 * frame waits in the on-chip FIFO for a free descriptor, is written into its
 * buffer by DMA, LENGTH and STATUS are written back, HEAD advances and
 * RX_DONE is raised.
 */
export class Nic extends PlatformDeviceBase {
  readonly kind = 'nic' as const;
  declare readonly deviceId: number;
  readonly costs: NicCosts;
  readonly mac: readonly number[];
  readonly wire: EthernetWire;
  readonly rxFifoPackets: number;

  private readonly clock: Clock;
  private readonly interrupts: InterruptLines;
  private readonly dma: DmaPort;
  private readonly timers: DeviceTimers;

  private ctrl = 0;
  private status = 0;
  private isr = 0;
  private imr = 0;
  private txRingBase = 0;
  private txRingSize = 0;
  private txHead = 0;
  private txTail = 0;
  /** The next TX descriptor to fetch; ahead of txHead by the frames in the TX FIFO. */
  private txFetch = 0;
  private txInFifo = 0;
  private txWireFreeAt: Cycles = 0;
  /** Counts TX ring resets; TX work scheduled before the last one is dropped when it comes due. */
  private txGeneration = 0;
  private rxRingBase = 0;
  private rxRingSize = 0;
  private rxHead = 0;
  private rxTail = 0;
  /** The next RX descriptor a frame is given to; ahead of rxHead by the frames whose DMA is under way. */
  private rxAssign = 0;
  /** When the RX DMA engine has moved the bytes of the frames given to it so far. */
  private rxDmaFreeAt: Cycles = 0;
  /** Counts RX ring resets; RX transfers started before the last one are dropped when they finish. */
  private rxGeneration = 0;
  private txPackets = 0;
  private rxPackets = 0;
  private rxDropped = 0;
  private txBusy = false;
  private rxFifo: Uint8Array[] = [];
  private dmaFaults = 0;
  /** When the line was last raised (-Infinity: never), and whether a held-back interrupt waits for the interval's end. */
  private lastInterruptAt = -Infinity;
  private interruptHeld = false;

  constructor(options: NicOptions) {
    super(PLATFORM.nic, options);
    this.mac = options.mac ?? [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    this.clock = options.clock;
    this.interrupts = options.interrupts;
    this.dma = options.dma;
    this.costs = nicCosts(options.timing ?? DEFAULT_NIC_TIMING, options.clock.hz);
    this.rxFifoPackets = options.rxFifoPackets ?? 16;
    this.timers = new DeviceTimers(this.clock);
    this.wire = new EthernetWire(this.clock, this, options.wireRetainPackets ?? 64);
  }

  reset(): void {
    this.timers.cancelAll();
    this.ctrl = 0;
    this.status = 0;
    this.isr = 0;
    this.imr = 0;
    this.txRingBase = 0;
    this.txRingSize = 0;
    this.resetTxRing();
    this.rxRingBase = 0;
    this.rxRingSize = 0;
    this.resetRxRing();
    this.txPackets = 0;
    this.rxPackets = 0;
    this.rxDropped = 0;
    this.txBusy = false;
    this.rxFifo = [];
    this.interruptHeld = false;
  }

  protected readRegister(offset: number): number | undefined {
    switch (offset) {
      case NIC_REGS.CTRL:
        return this.ctrl;
      case NIC_REGS.STATUS:
        return this.status | (this.wire.isUp ? NIC_STATUS.LINK_UP : 0);
      case NIC_REGS.ISR:
        return this.isr;
      case NIC_REGS.IMR:
        return this.imr;
      case NIC_REGS.TX_RING_BASE:
        return this.txRingBase;
      case NIC_REGS.TX_RING_SIZE:
        return this.txRingSize;
      case NIC_REGS.TX_HEAD:
        return this.txHead;
      case NIC_REGS.TX_TAIL:
        return this.txTail;
      case NIC_REGS.RX_RING_BASE:
        return this.rxRingBase;
      case NIC_REGS.RX_RING_SIZE:
        return this.rxRingSize;
      case NIC_REGS.RX_HEAD:
        return this.rxHead;
      case NIC_REGS.RX_TAIL:
        return this.rxTail;
      case NIC_REGS.MAC_LOW:
        return (this.mac[0]! | (this.mac[1]! << 8) | (this.mac[2]! << 16) | (this.mac[3]! << 24)) >>> 0;
      case NIC_REGS.MAC_HIGH:
        return this.mac[4]! | (this.mac[5]! << 8);
      case NIC_REGS.TX_PACKETS:
        return this.txPackets >>> 0;
      case NIC_REGS.RX_PACKETS:
        return this.rxPackets >>> 0;
      case NIC_REGS.RX_DROPPED:
        return this.rxDropped >>> 0;
      default:
        return undefined;
    }
  }

  protected writeRegister(offset: number, value: number): boolean {
    const v = value >>> 0;
    switch (offset) {
      case NIC_REGS.CTRL:
        if (v & NIC_CTRL.RESET) {
          this.reset();
          return true;
        }
        this.ctrl = v & (NIC_CTRL.TX_ENABLE | NIC_CTRL.RX_ENABLE);
        this.kickTx();
        this.kickRx();
        return true;
      case NIC_REGS.ISR:
        this.isr &= ~v;
        return true;
      case NIC_REGS.IMR:
        this.imr = v & 0xf;
        this.interruptIfDue();
        return true;
      case NIC_REGS.TX_RING_BASE:
        this.txRingBase = v;
        this.resetTxRing();
        return true;
      case NIC_REGS.TX_RING_SIZE:
        this.txRingSize = ringSize(v);
        this.resetTxRing();
        return this.txRingSize === v;
      case NIC_REGS.TX_TAIL:
        if (this.txRingSize < 2 || v >= this.txRingSize) return false;
        this.txTail = v;
        this.kickTx();
        return true;
      case NIC_REGS.RX_RING_BASE:
        this.rxRingBase = v;
        this.resetRxRing();
        return true;
      case NIC_REGS.RX_RING_SIZE:
        this.rxRingSize = ringSize(v);
        this.resetRxRing();
        return this.rxRingSize === v;
      case NIC_REGS.RX_TAIL:
        if (this.rxRingSize < 2 || v >= this.rxRingSize) return false;
        this.rxTail = v;
        this.kickRx();
        return true;
      default:
        return false;
    }
  }

  /** Called by the wire when a frame has arrived. */
  receiveFromWire(packet: Uint8Array): void {
    if (!(this.ctrl & NIC_CTRL.RX_ENABLE) || this.rxFifo.length >= this.rxFifoPackets) {
      this.rxDropped++;
      return;
    }
    this.rxFifo.push(packet);
    this.kickRx();
  }

  protected state(): Record<string, DeviceStateValue> {
    return {
      txEnabled: (this.ctrl & NIC_CTRL.TX_ENABLE) !== 0,
      rxEnabled: (this.ctrl & NIC_CTRL.RX_ENABLE) !== 0,
      linkUp: this.wire.isUp,
      status: this.status,
      isr: this.isr,
      imr: this.imr,
      txRingBase: this.txRingBase,
      txRingSize: this.txRingSize,
      txHead: this.txHead,
      txTail: this.txTail,
      rxRingBase: this.rxRingBase,
      rxRingSize: this.rxRingSize,
      rxHead: this.rxHead,
      rxTail: this.rxTail,
      rxInFlight: (this.rxAssign - this.rxHead + this.rxRingSize) % Math.max(1, this.rxRingSize),
      txPackets: this.txPackets,
      rxPackets: this.rxPackets,
      rxDropped: this.rxDropped,
      rxFifoPackets: this.rxFifo.length,
      dmaFaults: this.dmaFaults,
      wireDelivered: this.wire.deliveredCount,
      wireInjected: this.wire.injectedCount,
      wireLost: this.wire.lostCount,
    };
  }

  private resetRxRing(): void {
    this.rxHead = this.rxTail = this.rxAssign = 0;
    this.rxGeneration++;
  }

  private resetTxRing(): void {
    this.txHead = this.txTail = this.txFetch = 0;
    this.txInFifo = 0;
    this.txGeneration++;
  }

  private kickTx(): void {
    if (this.txBusy || !(this.ctrl & NIC_CTRL.TX_ENABLE) || this.status & NIC_STATUS.TX_STALLED) return;
    if (this.txRingSize < 2 || this.txFetch === this.txTail || this.txInFifo >= NIC_TX_FIFO_FRAMES) return;
    this.txBusy = true;
    const generation = this.txGeneration;
    this.timers.schedule(
      dmaCycles(this.costs.dmaLatencyCycles, this.costs.dmaCyclesPerByte, NIC_DESC.SIZE_BYTES),
      () => this.fetchTx(generation),
      `${this.name}:tx-fetch`,
    );
  }

  /** Whether TX work scheduled in `generation` is stale (the ring was reset since); the DMA engine is then free again. */
  private staleTx(generation: number): boolean {
    if (generation === this.txGeneration) return false;
    this.txBusy = false;
    this.kickTx();
    return true;
  }

  private fetchTx(generation: number): void {
    if (this.staleTx(generation)) return;
    const descAddr = this.descriptorAddress(this.txRingBase, this.txFetch);
    const desc = this.dma.read(this.deviceId, descAddr, NIC_DESC.SIZE_BYTES);
    if (isDmaFault(desc)) {
      this.stall(NIC_STATUS.TX_STALLED);
      this.txBusy = false;
      return;
    }
    const length = readU16(desc, NIC_DESC.LENGTH);
    let frame: Uint8Array | undefined;
    if (length > 0 && length <= NIC_MAX_FRAME_BYTES) {
      const data = this.dma.read(this.deviceId, readU32(desc, NIC_DESC.BUFFER), length);
      if (!isDmaFault(data)) frame = data;
      else this.noteDmaFault();
    }
    const delay = frame ? dmaCycles(this.costs.dmaLatencyCycles, this.costs.dmaCyclesPerByte, frame.length) : 0;
    this.timers.schedule(delay, () => this.queueTx(generation, descAddr, frame), `${this.name}:tx-dma`);
  }

  /** The frame is in the TX FIFO: it goes on the wire when the frames before it have left; the next fetch starts now. */
  private queueTx(generation: number, descAddr: number, frame: Uint8Array | undefined): void {
    if (this.staleTx(generation)) return;
    this.txBusy = false;
    this.txFetch = (this.txFetch + 1) % this.txRingSize;
    this.txInFifo++;
    const now = this.clock.now();
    const start = Math.max(now, this.txWireFreeAt);
    this.txWireFreeAt = start + (frame ? this.wire.frameCycles(frame.length) : 0);
    this.timers.schedule(this.txWireFreeAt - now, () => this.finishTx(generation, descAddr, frame), `${this.name}:tx-done`);
    this.kickTx();
  }

  private finishTx(generation: number, descAddr: number, frame: Uint8Array | undefined): void {
    if (generation !== this.txGeneration) return;
    if (frame) {
      this.wire.carry(frame);
      this.txPackets++;
    }
    const status = new Uint8Array(2);
    writeU16(status, 0, NIC_DESC_STATUS.DONE | (frame ? 0 : NIC_DESC_STATUS.ERROR));
    if (this.dma.write(this.deviceId, descAddr + NIC_DESC.STATUS, status)) this.noteDmaFault();
    this.txHead = (this.txHead + 1) % this.txRingSize;
    this.txInFifo--;
    this.signal(NIC_INT.TX_DONE);
    this.kickTx();
  }

  /**
   * Gives each waiting frame a free descriptor and starts its DMA. The RX DMA
   * engine is pipelined, as a PCIe device's is: transfers follow one another
   * at the link's bandwidth, and each lands a PCIe round trip after its bytes
   * have moved, so that the round trip limits latency but not throughput.
   */
  private kickRx(): void {
    if (this.rxFifo.length === 0 || !(this.ctrl & NIC_CTRL.RX_ENABLE) || this.status & NIC_STATUS.RX_STALLED) return;
    const generation = this.rxGeneration;
    while (this.rxFifo.length > 0) {
      if (this.rxRingSize < 2 || this.rxAssign === this.rxTail) {
        if (!(this.isr & NIC_INT.RX_NO_BUFFER)) this.signal(NIC_INT.RX_NO_BUFFER);
        return;
      }
      const packet = this.rxFifo.shift()!;
      const index = this.rxAssign;
      this.rxAssign = (this.rxAssign + 1) % this.rxRingSize;
      const now = this.clock.now();
      this.rxDmaFreeAt = Math.max(now, this.rxDmaFreeAt) + Math.ceil(this.costs.dmaCyclesPerByte * (2 * NIC_DESC.SIZE_BYTES + packet.length));
      this.timers.schedule(this.rxDmaFreeAt + this.costs.dmaLatencyCycles - now, () => this.finishRx(generation, index, packet), `${this.name}:rx-done`);
    }
  }

  /** A frame's DMA has landed: its buffer and descriptor are written, HEAD advances, RX_DONE is raised. */
  private finishRx(generation: number, index: number, packet: Uint8Array): void {
    if (generation !== this.rxGeneration || this.status & NIC_STATUS.RX_STALLED) return;
    const descAddr = this.descriptorAddress(this.rxRingBase, index);
    const desc = this.dma.read(this.deviceId, descAddr, NIC_DESC.SIZE_BYTES);
    if (isDmaFault(desc)) {
      this.stall(NIC_STATUS.RX_STALLED);
      return;
    }
    const bufferBytes = readU16(desc, NIC_DESC.LENGTH);
    const length = Math.min(packet.length, bufferBytes);
    let status: number = NIC_DESC_STATUS.DONE;
    if (this.dma.write(this.deviceId, readU32(desc, NIC_DESC.BUFFER), packet.subarray(0, length))) {
      this.noteDmaFault();
      status |= NIC_DESC_STATUS.ERROR;
    } else {
      if (length < packet.length) status |= NIC_DESC_STATUS.TRUNCATED;
      this.rxPackets++;
    }
    const writeBack = desc.slice(NIC_DESC.LENGTH, NIC_DESC.STATUS + 2);
    writeU16(writeBack, 0, status & NIC_DESC_STATUS.ERROR ? 0 : length);
    writeU16(writeBack, NIC_DESC.STATUS - NIC_DESC.LENGTH, status);
    if (this.dma.write(this.deviceId, descAddr + NIC_DESC.LENGTH, writeBack)) this.noteDmaFault();
    this.rxHead = (this.rxHead + 1) % this.rxRingSize;
    this.signal(NIC_INT.RX_DONE);
  }

  private descriptorAddress(base: number, index: number): number {
    return base + index * NIC_DESC.SIZE_BYTES;
  }

  private stall(bit: number): void {
    this.status |= bit;
    this.noteDmaFault();
  }

  private noteDmaFault(): void {
    this.dmaFaults++;
    this.signal(NIC_INT.DMA_ERROR);
  }

  private signal(cause: number): void {
    this.isr |= cause;
    this.interruptIfDue();
  }

  /** Raises the line for an unmasked cause, or holds it back until the moderation interval since the last one has passed. */
  private interruptIfDue(): void {
    if (!(this.isr & this.imr) || this.interruptHeld) return;
    const now = this.clock.now();
    const due = this.lastInterruptAt + this.costs.interruptMinIntervalCycles;
    if (now >= due) {
      this.lastInterruptAt = now;
      this.interrupts.raise(this.irq);
      return;
    }
    this.interruptHeld = true;
    this.timers.schedule(due - now, () => {
      this.interruptHeld = false;
      this.interruptIfDue();
    }, `${this.name}:interrupt-moderation`);
  }
}

function ringSize(value: number): number {
  return value >= 2 && value <= NIC_MAX_RING_DESCRIPTORS ? value : 0;
}
