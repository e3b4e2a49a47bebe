// A stand-in for the kernel's Sys that a user driver instance runs against in unit tests.
import { ipcCallNames } from '../../simulator/kernel/constants';
import type { Message } from '../../simulator/kernel/message';

/** The kernel's side of a driver, recording each kernel entry as text ("RECEIVE 1", "SEND 3 type=7", "work 100"). */
export class RecordingSys {
  readonly requests: string[] = [];
  readonly endpoint = 77;
  readonly name = 'driver';
  readonly args = {};
  readonly clockHz = 1e9;
  readonly grants = null;
  readonly capturesSourceLocations = false;
  readonly mem = { baseVaddr: 0x10000, sizeBytes: 4096, alloc: () => 0x10000, read: (_v: number, n: number) => new Uint8Array(n), write: () => undefined };
  uptimeCycles(): number {
    return 0;
  }
  setEntryFrames(): void {}
  compute(cycles: number): void {
    this.requests.push(`work ${cycles}`);
  }
  ipc_raw(nr: number, srcDst: number, m: Message | null): void {
    this.requests.push(`${ipcCallNames[nr]} ${srcDst}${m === null ? '' : ` type=${m.type}`}`);
  }
  sys_call(nr: number, a: number): void {
    this.requests.push(`call ${nr} ${a}`);
  }
}

