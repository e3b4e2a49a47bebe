// How large each kind of file a user hands the product may be. Every reader
// (the CLI, the editor's session, the debugger, the trace view) checks the
// file against its limit before reading it, so a mistaken path (a device such
// as /dev/zero, a multi-gigabyte log named like a trace) is refused with the
// limit named instead of being read without end. Pure data: the extension,
// the worker and the CLI all read it.

export type InputKind = 'scenario' | 'systemConf' | 'userDriver' | 'trace' | 'isoImage' | 'campaignLog';

const MiB = 1024 * 1024;

export interface InputLimit {
  /** What people call the file, for messages. */
  readonly what: string;
  readonly maxBytes: number;
}

export const INPUT_LIMITS: Readonly<Record<InputKind, InputLimit>> = {
  // MINIX's largest system.conf is a few tens of KiB; a scenario is a page of JSON.
  scenario: { what: 'scenario file', maxBytes: 1 * MiB },
  systemConf: { what: 'system.conf file', maxBytes: 1 * MiB },
  // One module of a user driver; a driver made of many modules is checked module by module.
  userDriver: { what: 'driver source file', maxBytes: 4 * MiB },
  // A full trace buffer of the editor's largest setting is a few hundred MiB.
  trace: { what: 'trace file', maxBytes: 512 * MiB },
  // The largest CD-ROM holds about 870 MB; the simulated drive reads nothing larger.
  isoImage: { what: 'CD image', maxBytes: 900 * MiB },
  // A campaign's trial log is read line by line (each line at most CAMPAIGN_LINE_MAX_BYTES); a few million trials take a few GiB.
  campaignLog: { what: 'campaign trial log', maxBytes: 16 * 1024 * MiB },
};

/** The longest line a campaign trial log may have. */
export const CAMPAIGN_LINE_MAX_BYTES = 64 * 1024;

/** A byte count as people read it: 1 MiB, 512 MiB, 1.5 KiB, 12 bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Why a file of `sizeBytes` is refused as `kind`. */
export function tooLargeMessage(kind: InputKind, file: string, sizeBytes: number): string {
  const limit = INPUT_LIMITS[kind];
  return `${file}: the ${limit.what} is ${formatBytes(sizeBytes)}, more than the limit of ${formatBytes(limit.maxBytes)}`;
}

/** Why something that is not a regular file (a folder, a device, a pipe) is refused as `kind`. */
export function notRegularFileMessage(kind: InputKind, file: string, found: string): string {
  return `${file}: expected the ${INPUT_LIMITS[kind].what} to be a regular file, found ${found}`;
}
