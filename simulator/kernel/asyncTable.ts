// The table of asynchronous messages a process hands to SENDA (asynmsg_t[]).
// It stays the program's own data: the kernel updates flags and results in place.
import { AMF } from './constants';
import { Message } from './message';

export interface AsyncEntry {
  flags: number;
  dst: number;
  readonly msg: Message;
  result: number;
}

export type AsyncTable = AsyncEntry[];

/** A table of `size` empty entries with their message buffers. */
export function makeAsyncTable(size: number): AsyncTable {
  return Array.from({ length: size }, () => ({ flags: AMF.EMPTY, dst: 0, msg: new Message(), result: 0 }));
}
