// DMA with no IOMMU: device addresses are physical addresses, and every page of memory, the kernel's included, is reachable.

import type { DmaDirection, DmaFault, DmaPort, DmaTransferListener, PhysicalMemoryAccess } from './bus';

export interface DirectDmaCounters {
  transfers: number;
  bytesRead: number;
  bytesWritten: number;
  /** Transfers that ran off the end of physical memory (a master abort on a real bus). */
  outOfRangeTransfers: number;
}

export class DirectDma implements DmaPort {
  readonly counters: DirectDmaCounters = { transfers: 0, bytesRead: 0, bytesWritten: 0, outOfRangeTransfers: 0 };

  private readonly transferListeners: DmaTransferListener[] = [];

  constructor(private readonly memory: PhysicalMemoryAccess) {}

  /** Tells `listener` of every transfer (for the trace and the check that finds memory a device overwrote, and the debugger's data breakpoints). */
  onTransfer(listener: DmaTransferListener): void {
    this.transferListeners.push(listener);
  }

  read(deviceId: number, iova: number, length: number): Uint8Array | DmaFault {
    const fault = this.check(deviceId, iova, length, 'read');
    if (fault) return fault;
    this.counters.transfers++;
    this.counters.bytesRead += length;
    for (const l of this.transferListeners) l(deviceId, iova, iova, length, false);
    return length === 0 ? new Uint8Array(0) : this.memory.read(iova, length);
  }

  write(deviceId: number, iova: number, data: Uint8Array): DmaFault | undefined {
    const fault = this.check(deviceId, iova, data.length, 'write');
    if (fault) return fault;
    this.counters.transfers++;
    this.counters.bytesWritten += data.length;
    if (data.length > 0) this.memory.write(iova, data);
    for (const l of this.transferListeners) l(deviceId, iova, iova, data.length, true);
    return undefined;
  }

  describe(): { readonly mode: 'none'; readonly counters: Readonly<DirectDmaCounters> } {
    return { mode: 'none', counters: { ...this.counters } };
  }

  private check(deviceId: number, paddr: number, length: number, direction: DmaDirection): DmaFault | undefined {
    if (Number.isInteger(paddr) && Number.isInteger(length) && paddr >= 0 && length >= 0 && paddr + length <= this.memory.sizeBytes) {
      return undefined;
    }
    this.counters.outOfRangeTransfers++;
    return { blocked: true, deviceId, iova: paddr, direction, reason: 'outside-memory' };
  }
}
