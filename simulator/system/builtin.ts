// What a built-in service, driver or program contributes to the system: its
// code, its system.conf entry, and where its source lives.
import type { ProgramMain } from '../sdk/sys';

export type BuiltinKind = 'server' | 'driver' | 'program';

export interface BuiltinService {
  /** The system.conf label and process name, e.g. 'rtl8139'. */
  readonly label: string;
  readonly kind: BuiltinKind;
  readonly main: ProgramMain;
  /** Repository-relative path of the source, for "open source" and the debugger. */
  readonly sourceFile: string;
  /** The service's entry in MINIX's system.conf syntax (`service <label> { ... };`). */
  readonly conf: string;
  /** The machine device this driver owns, if any (a device `kind`, e.g. 'nic'). */
  readonly device?: string;
  /** Start order at boot; lower first. Services without one start on demand. */
  readonly bootOrder?: number;
  /** One line for the System view and `mklab` summaries. */
  readonly description: string;
  /**
   * The heartbeat period RS pings it with, in seconds (MINIX's `service up -period`);
   * none by default. A network driver (`type net`) gets the scenario's period instead.
   */
  readonly heartbeatPeriodSeconds?: number;
  /** Part of the kernel's network path (the NIC driver, the network server): not started where applications drive the NIC themselves (kernel-bypass). */
  readonly networkPath?: boolean;
  /** Private memory of each instance; the system's default (128 KiB) if absent. */
  readonly memoryBytes?: number;
  /** False for a program that does not report the end of its initialisation through SEF (a user's driver); RS then counts it as up once started. */
  readonly sef?: boolean;
}
