// Every message type the simulator defines has MINIX's number where MINIX has the
// message, the simulator's own messages sit in a range MINIX leaves free, and no
// two messages share a number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceNaming } from '../../../simulator/system/traceNames';
import { DL_TASK_REPLY, DlFlags, DlRequest, DsRequest, NetRequest, RS_LU_PREPARE, RsRequest, SIM_RQ_BASE } from '../../../simulator/services/messages';
import { BDEV, CDEV, FI_WILD_DMA, FSREQ, FS_REPLY, IOMMU_REPLY, IOMMU_REQ, VFS, VFS_REPLY } from '../../../simulator/services/storageMessages';
import { DIO, KernelCall, NOTIFY_MESSAGE } from '../../../simulator/kernel/constants';

/** MINIX's values, copied by hand from its headers (minix/include/minix/...), with the header each comes from. */
const MINIX: Readonly<Record<string, readonly [number, string]>> = {
  DL_WRITEV_S: [0x202, 'com.h: DL_RQ_BASE + 2'],
  DL_READV_S: [0x203, 'com.h: DL_RQ_BASE + 3'],
  DL_TASK_REPLY: [0x282, 'com.h: DL_RS_BASE + 2'],
  IOMMU_MAP: [0x320, 'com.h: BUSC_RQ_BASE + 32'],
  CDEV_OPEN: [0x400, 'com.h: CDEV_RQ_BASE + 0'],
  CDEV_CLOSE: [0x401, 'com.h: CDEV_RQ_BASE + 1'],
  CDEV_WRITE: [0x403, 'com.h: CDEV_RQ_BASE + 3'],
  CDEV_REPLY: [0x480, 'com.h: CDEV_RS_BASE + 0'],
  BDEV_OPEN: [0x500, 'com.h: BDEV_RQ_BASE + 0'],
  BDEV_CLOSE: [0x501, 'com.h: BDEV_RQ_BASE + 1'],
  BDEV_READ: [0x502, 'com.h: BDEV_RQ_BASE + 2'],
  BDEV_WRITE: [0x503, 'com.h: BDEV_RQ_BASE + 3'],
  BDEV_REPLY: [0x580, 'com.h: BDEV_RS_BASE + 0'],
  RS_UP: [0x700, 'com.h: RS_RQ_BASE + 0'],
  RS_DOWN: [0x701, 'com.h: RS_RQ_BASE + 1'],
  RS_REFRESH: [0x702, 'com.h: RS_RQ_BASE + 2'],
  RS_RESTART: [0x703, 'com.h: RS_RQ_BASE + 3'],
  RS_UPDATE: [0x705, 'com.h: RS_RQ_BASE + 5'],
  RS_CLONE: [0x706, 'com.h: RS_RQ_BASE + 6'],
  RS_LU_PREPARE: [0x715, 'com.h: RS_RQ_BASE + 21'],
  DS_PUBLISH: [0x800, 'com.h: DS_RQ_BASE + 0'],
  DS_RETRIEVE: [0x801, 'com.h: DS_RQ_BASE + 1'],
  DS_SUBSCRIBE: [0x802, 'com.h: DS_RQ_BASE + 2'],
  DS_CHECK: [0x803, 'com.h: DS_RQ_BASE + 3'],
  DS_DELETE: [0x804, 'com.h: DS_RQ_BASE + 4'],
  VFS_READ: [0x100, 'callnr.h: VFS_BASE + 0'],
  VFS_OPEN: [0x103, 'callnr.h: VFS_BASE + 3'],
  VFS_CLOSE: [0x105, 'callnr.h: VFS_BASE + 5'],
  VFS_STAT: [0x115, 'callnr.h: VFS_BASE + 21'],
  REQ_READ: [0xa13, 'vfsif.h: FS_BASE + 19 (FS_BASE 0xA00 in com.h)'],
  REQ_LOOKUP: [0xa1a, 'vfsif.h: FS_BASE + 26'],
  REQ_GETDENTS: [0xa1f, 'vfsif.h: FS_BASE + 31'],
  NOTIFY: [0x1000, 'com.h: NOTIFY_MESSAGE'],
};

/** Messages MINIX does not have: the simulator's own, all in SIM_RQ_BASE's range. */
const SIMULATOR_OWN = ['NET_SEND', 'NET_STATUS', 'NET_RECV', 'NET_RESPOND', 'FI_WILD_DMA', 'VFS_LIST', 'VFS_REPLY', 'FS_REPLY', 'IOMMU_UNMAP', 'IOMMU_REPLY'];

test("every message type has MINIX's number, or is the simulator's own in a range MINIX leaves free, and none is shared", () => {
  const named = traceNaming().messageTypes();
  // Two messages with one number would show up here as one entry named "A / B".
  for (const t of named) assert.ok(!t.name.includes('/'), `0x${t.type.toString(16)} is shared by ${t.name}`);
  assert.equal(new Set(named.map((t) => t.name)).size, named.length, 'a name is used for two numbers');
  const byName = new Map(named.map((t) => [t.name, t.type]));
  for (const [name, [value, source]] of Object.entries(MINIX)) {
    assert.equal(byName.get(name), value, `${name} is 0x${value.toString(16)} in MINIX (${source})`);
  }
  for (const name of SIMULATOR_OWN) {
    const type = byName.get(name);
    assert.ok(type !== undefined && type >= SIM_RQ_BASE && type < SIM_RQ_BASE + 0x100, `${name} is in the simulator's own range`);
  }
  assert.deepEqual(named.map((t) => t.name).sort(), [...Object.keys(MINIX), ...SIMULATOR_OWN].sort(), 'every message is checked above');
});

test('the message tables the services use are the ones the trace names', () => {
  const types = traceNaming().messageTypes().map((t) => t.type);
  const defined = [
    ...Object.values(RsRequest), RS_LU_PREPARE, ...Object.values(DsRequest), ...Object.values(DlRequest), DL_TASK_REPLY,
    ...Object.values(NetRequest), ...Object.values(BDEV), ...Object.values(CDEV), ...Object.values(FSREQ), FS_REPLY,
    ...Object.values(VFS), VFS_REPLY, ...Object.values(IOMMU_REQ), IOMMU_REPLY, FI_WILD_DMA, NOTIFY_MESSAGE,
  ];
  assert.deepEqual([...defined].sort((a, b) => a - b), [...types].sort((a, b) => a - b));
});

test('message ranges do not overlap the kernel calls (KERNEL_CALL 0x600..0x6ff)', () => {
  for (const t of traceNaming().messageTypes()) assert.ok(t.type < 0x600 || t.type > 0x6ff, `${t.name} is in the kernel-call range`);
  // Kernel call numbers are offsets from KERNEL_CALL; the ones MINIX has keep MINIX's offsets (com.h).
  assert.deepEqual(
    { PRIVCTL: KernelCall.PRIVCTL, KILL: KernelCall.KILL, UMAP: KernelCall.UMAP, IRQCTL: KernelCall.IRQCTL, DEVIO: KernelCall.DEVIO, SETGRANT: KernelCall.SETGRANT, EXIT: KernelCall.EXIT },
    { PRIVCTL: 4, KILL: 6, UMAP: 14, IRQCTL: 19, DEVIO: 21, SETGRANT: 34, EXIT: 53 },
  );
});

test('flag values of the DL and DEVIO protocols are MINIX', () => {
  assert.deepEqual({ ...DlFlags }, { PACK_SEND: 0x01, PACK_RECV: 0x02 });
  // _DIO_LONG is a value of the type field (0x30), not a bit of its own.
  assert.deepEqual({ ...DIO }, { INPUT: 0x001, OUTPUT: 0x002, BYTE: 0x010, WORD: 0x020, LONG: 0x030, TYPEMASK: 0x0f0 });
});
