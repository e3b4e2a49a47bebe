// Message types and payload layouts shared by the reincarnation server, the
// data store, the network server, the NIC driver and their clients.
import { defineLayout, type Message } from '../sdk';

/** Requests to RS from the `service` utility (MINIX's RS_RQ_BASE range). */
export const RsRequest = {
  UP: 0x700,
  DOWN: 0x701,
  REFRESH: 0x702,
  RESTART: 0x703,
  UPDATE: 0x705,
  CLONE: 0x706,
} as const;

/**
 * RS asks a service to reach a safe state and publish its state (live update).
 * The service answers with a message of the same type, status in `status`, sent
 * with SENDREC (as MINIX's sef_lu_ready does): the old instance then waits, its
 * state intact, until RS has either replaced it (and ends it) or answers that
 * the update failed, and it carries on.
 */
export const RS_LU_PREPARE = 0x715;

export const RsLayout = defineLayout({ status: 'i32' });
/** Label at payload bytes 4..19, program name at 20..51. */
export const RS_LABEL_OFFSET = 4;
export const RS_LABEL_BYTES = 16;
export const RS_PROGRAM_OFFSET = 20;
export const RS_PROGRAM_BYTES = 32;

/** Data store requests: MINIX's DS_RQ_BASE range (com.h), same numbers. */
export const DsRequest = {
  PUBLISH: 0x800,
  RETRIEVE: 0x801,
  /** Subscribe to changes of the keys that match an anchored pattern; DS notifies the subscriber. */
  SUBSCRIBE: 0x802,
  /** Takes one changed key of the caller's subscription: its name, type and owner; ENOENT when none is left. */
  CHECK: 0x803,
  DELETE: 0x804,
} as const;

/** Data store flags: MINIX's DSF_* values (minix/ds.h). */
export const DsFlags = {
  TYPE_U32: 0x010,
  /** A byte string (MINIX's memory-range type). */
  TYPE_MEM: 0x040,
  /** A service label's endpoint; only RS publishes these. */
  TYPE_LABEL: 0x100,
  MASK_TYPE: 0xff0,
  /** Replace an existing entry (only its owner may); without it a publish over an existing key is EEXIST. */
  OVERWRITE: 0x1000,
  /** At SUBSCRIBE: mark every existing matching key as changed at once. */
  INITIAL: 0x2000,
} as const;

/** Key at payload bytes 0..31; then flags, u32 value, grant, length, and the owner's endpoint (DS_CHECK's answer). */
export const DS_KEY_BYTES = 32;
export const DsLayout = defineLayout({
  key0: 'u32', key1: 'u32', key2: 'u32', key3: 'u32', key4: 'u32', key5: 'u32', key6: 'u32', key7: 'u32',
  flags: 'u32',
  value: 'u32',
  grant: 'i32',
  length: 'u32',
  owner: 'i32',
});
/** Largest byte value the data store keeps. */
export const DS_MAX_VALUE_BYTES = 4096;

/** Network driver requests (MINIX's DL_RQ_BASE range, com.h; the names drop MINIX's DL_ prefix). */
export const DlRequest = {
  WRITEV_S: 0x202,
  READV_S: 0x203,
} as const;
/** The driver's answer to either request; `flags` says which finished (DL_PACK_SEND or DL_PACK_RECV). */
export const DL_TASK_REPLY = 0x282;
/** Bits of a DL_TASK_REPLY's `flags` (com.h). */
export const DlFlags = {
  PACK_SEND: 0x01,
  PACK_RECV: 0x02,
} as const;
/** id: the requester's buffer slot; grant and length of the buffer; status and flags of the reply. */
export const DlLayout = defineLayout({ id: 'i32', grant: 'i32', length: 'u32', status: 'i32', flags: 'u32' });

/**
 * The simulator's own messages have numbers in 0x1900..0x19ff, a range MINIX's
 * com.h leaves unallocated, so none is mistaken for a MINIX message.
 */
export const SIM_RQ_BASE = 0x1900;

/** Requests from applications to the network server (the simulator's own: MINIX's network calls go through VFS sockets). */
export const NetRequest = {
  SEND: SIM_RQ_BASE + 0x00,
  STATUS: SIM_RQ_BASE + 0x01,
  /** Waits for the next request frame from the peer; the reply carries its seq and size. */
  RECV: SIM_RQ_BASE + 0x02,
  /** Sends the response to request `seq` (`sizeBytes` long) as one frame, without acknowledgement or retransmission. */
  RESPOND: SIM_RQ_BASE + 0x03,
} as const;
/** seq and size of the packet; the reply adds what the server has seen acknowledged and how many data frames it received. */
export const NetLayout = defineLayout({ seq: 'u32', sizeBytes: 'u32', acked: 'u32', queued: 'u32', received: 'u32' });

/** The EtherType of the packet-stream protocol between inet and the simulated peer. */
export const STREAM_ETHERTYPE = 0x88b5;
export const StreamKind = { DATA: 1, ACK: 2, REQUEST: 3, RESPONSE: 4 } as const;
/** Frame layout: 14-byte Ethernet header, then kind (u16) and sequence number (u32). */
export const STREAM_HEADER_BYTES = 20;

export function writeString(m: Message, offset: number, maxBytes: number, text: string): void {
  for (let i = 0; i < maxBytes; i++) m.payload[offset + i] = i < text.length ? text.charCodeAt(i) & 0x7f : 0;
}

export function readString(m: Message, offset: number, maxBytes: number): string {
  let s = '';
  for (let i = 0; i < maxBytes; i++) {
    const c = m.payload[offset + i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** Data store keys an ethernet driver publishes under its label (read back by inet). */
export const nicKeys = (label: string) => ({
  mac: `${label}.mac`,
  txPackets: `${label}.tx`,
  rxPackets: `${label}.rx`,
});
