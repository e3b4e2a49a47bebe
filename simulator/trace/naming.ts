// What the trace model needs to know about names: endpoints, lanes' groups,
// devices, message types, calls and statuses. The trace layer imports no kernel
// or service tables; simulator/system/traceNames.ts builds one of these from them.
import type { TraceLaneGroup } from '../protocol/traceProtocol';

export interface TraceNaming {
  /** Kernel tasks and special endpoints (KERNEL, SYSTEM, CLOCK, IDLE, ASYNCM, ANY, NONE). */
  specialEndpoint(endpoint: number): string | undefined;
  /** Endpoints that are not lanes: NONE and ANY. */
  isNoEndpoint(endpoint: number): boolean;
  /** The group of a process lane by its label (servers, drivers, programs; kernel for kernel tasks). */
  groupOf(label: string, endpoint: number): TraceLaneGroup;
  /** The name of a device by its DMA device id. */
  deviceName(deviceId: number): string | undefined;
  /** A message type's name; `receiverLabel` disambiguates numbers two protocols share. */
  messageTypeName(type: number, receiverLabel?: string): string | undefined;
  /** Every known message type, for filters. */
  messageTypes(): readonly { readonly type: number; readonly name: string }[];
  kernelCallName(nr: number): string | undefined;
  ipcCallName(nr: number): string | undefined;
  /** OK or a MINIX error name for a status, else the number. */
  statusName(status: number): string;
  /** The idle task's endpoint: a context switch to or from it starts or ends an idle period, not a lane. */
  readonly idleEndpoint: number;
  /** The message type of a notification (NOTIFY_MESSAGE). */
  readonly notifyMessageType: number;
  /** IPC call numbers the span builder needs. */
  readonly ipcCalls: { readonly SEND: number; readonly SENDREC: number; readonly NOTIFY: number; readonly SENDA: number };
}
