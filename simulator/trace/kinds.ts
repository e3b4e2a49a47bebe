// The kinds of trace events and what each column means for each kind.
// Exporters and views decode events with this table; keep the two in step.

export const TraceKind = {
  /**
   * A message left its sender. b=0: delivered at once to a waiting receiver (the
   * send and the receive in one record); b=1: queued, an ipcReceive follows.
   * src, dst, a=message type, c=link id (a SENDREC request and its reply share it).
   */
  ipcSend: 1,
  /** A queued message, pending notification or asynchronous message reached its receiver. src=sender, dst=receiver, a=message type, b=IPC call, c=link id. */
  ipcReceive: 2,
  /** A notification was sent. src, dst, a=1 if delivered at once, b=0, c=0. */
  ipcNotify: 3,
  /** An IPC trap failed. src=caller, dst=target, a=IPC call, b=error. */
  ipcError: 4,
  /** A kernel call returned. src=caller, dst=target endpoint or NONE, a=call number, b=result, c=cycles charged. */
  kernelCall: 5,
  /**
   * The CPU switched processes. src=from, dst=to, a=cycles charged, b=1 if the
   * address space changed. dst=IDLE: nothing was runnable and the CPU idled
   * (a=0); src=IDLE: the CPU left idle for dst. Switches between kernel-mode
   * contexts cost nothing and are not recorded.
   */
  contextSwitch: 6,
  /** An interrupt line was raised. src=HARDWARE, dst=driver or NONE, a=irq, b=1 if delivered, 0 if masked. */
  interrupt: 7,
  /**
   * A DMA transfer that moved data. src=device id, dst=the endpoint whose
   * memory it reached (NONE for the kernel's or free memory), a=iova (low 31
   * bits), b=bytes, c=bit 0 write, bit 1 translated by an IOMMU (clear: no
   * IOMMU, physical addresses); label=device.
   */
  dma: 8,
  /** The IOMMU blocked a transfer. src=device id, a=iova, b=bytes, label=reason. */
  iommuFault: 9,
  /** An MMU fault in a process. src=process, a=virtual address (low 31 bits), b=1 write / 0 read. */
  fault: 10,
  /** A process was killed. src=killer (or KERNEL), dst=victim, a=signal. */
  kill: 11,
  /** A program threw. src=process; label=the error text. */
  crash: 12,
  /** A process exited normally. src=process, a=status. */
  exit: 13,
  /** A service was restarted (recorded by the reincarnation server). src=supervisor, dst=new endpoint, a=old endpoint. */
  restart: 14,
  /** The kernel panicked. src=process at fault; label=reason. */
  panic: 15,
  /** A process was created. src=creator, dst=new endpoint, a=priority; label=name. */
  processCreated: 16,
  /** A timer alarm fired. dst=process. */
  alarm: 17,
  /** Any other component's event. src, dst, a, b, c as the component defines; label=its name. */
  custom: 18,
  /** A RECEIVE found nothing to take and blocked its caller. src=receiver, dst=the endpoint it waits for (ANY for any). */
  ipcWait: 19,
  /**
   * A transfer the IOMMU let through only because its IOTLB still held the
   * translation of a page already unmapped (lazy invalidation's window).
   * src=device id, a=iova, b=bytes, c=1 write / 0 read.
   */
  iommuStale: 20,
  /**
   * Memory was overwritten behind its owner's back, as a check found it.
   * src=device id (a DMA write) or the process that wrote, dst=the endpoint
   * whose memory it was (NONE for the kernel's), a=physical address (low 31
   * bits), b=bytes; label=what was overwritten and the check that found it.
   */
  corruption: 21,
} as const;
export type TraceKind = (typeof TraceKind)[keyof typeof TraceKind];

export const traceKindNames: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(TraceKind).map(([name, value]) => [value, name]),
);
