// The SDK in one import: what servers, drivers and programs are written against.
export { Sys, UserMemory, WORK_REQUEST, type Program, type ProgramMain, type Trap } from './sys';
export { Message, defineLayout, NotifyField, MESSAGE_BYTES, PAYLOAD_BYTES, type MessageLayout } from '../kernel/message';
export {
  OK, Errno, statusName, IpcCall, KernelCall, ANY, NONE, SELF, HARDWARE, CLOCK, SYSTEM, KERNEL, ASYNCM,
  NOTIFY_MESSAGE, AMF, CPF, GRANT_INVALID, DIO, IRQ_REENABLE, PrivCtl, SIGKILL, SIGTERM, USER_Q, TASK_Q,
  type ErrnoName, type IpcCallName, type KernelCallName,
} from '../kernel/constants';
/** Seconds and rates into cycles of `sys.clockHz`, and back. */
export { cyclesPerUnit, cyclesToSeconds, msToCycles, secondsToCycles } from '../time/time';
export { makeAsyncTable, type AsyncEntry, type AsyncTable } from '../kernel/asyncTable';
export type { GrantTable } from '../kernel/grants';
export type { PrivilegeSpec, IoRange, MemRange } from '../kernel/privilege';
export type { SpawnSpec } from '../kernel/kernel';
export type { ChildEvent, ExitReason, ProgramArgs } from '../kernel/proc';
export type {
  Ref, TimesOut, ProcInfoOut, ChildEventOut, IntegrityOut, SpawnRequest, EndpointLookup,
} from '../kernel/systemCalls';

/** A fresh out-parameter. */
export function ref<T>(value: T): { value: T } {
  return { value };
}

/** Whether a received message is a notification (is_ipc_notify). */
export function isNotify(m: { readonly type: number }): boolean {
  return m.type === 0x1000;
}
