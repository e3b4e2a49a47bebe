// amddev, the IOMMU service: drivers ask it to map their own buffers for their own device; it programs the IOMMU through its registers.
import { Sef } from './sef';
import { ANY, Errno, Message, OK, SELF, ref, type ProcInfoOut, type Sys, type Trap } from '../sdk/index';
import { IOMMU_ALL_DEVICES, IOMMU_COMMAND, IOMMU_FLAGS, IOMMU_MODE } from '../hw/iommuPorts';
import { IOMMU_REGS, PLATFORM } from '../hw/platform';
import { IOMMU_REPLY, IOMMU_REQ, IommuReply, IommuRequest } from './storageMessages';

const PAGE_BYTES = 4096;

/**
 * Which device (requester id) each driver label may map buffers for. MINIX's
 * amddev learns this from the PCI server; here it comes from the platform
 * table (a user's NIC driver under MINIX's names rtl8139 or e1000 drives the
 * platform's NIC), replaced by the `devices` argument ("label=id,label=id")
 * when given.
 */
export const AMDDEV_DEVICE_OWNERS: Readonly<Record<string, number>> = {
  [PLATFORM.nic.driver]: PLATFORM.nic.dmaRequesterId,
  rtl8139: PLATFORM.nic.dmaRequesterId,
  e1000: PLATFORM.nic.dmaRequesterId,
  [PLATFORM.block.driver]: PLATFORM.block.dmaRequesterId,
  [PLATFORM.cdrom.driver]: PLATFORM.cdrom.dmaRequesterId,
};

interface Mapping {
  readonly deviceId: number;
  readonly paddr: number;
  readonly bytes: number;
}

interface Owner {
  /** The instance of the driver that made the mappings: a restarted driver keeps its endpoint, not its instance. */
  instance: number;
  mappings: Mapping[];
}

export function* amddevMain(sys: Sys): Generator<Trap, number, number> {
  const owners = parseOwners(sys.args.devices);
  const base = typeof sys.args.portBase === 'number' ? sys.args.portBase : PLATFORM.iommu.portBase;
  const value = ref(0);
  const sef = new Sef(sys);
  yield* sef.startup();

  yield sys.sys_inl(base + IOMMU_REGS.MODE, value);
  const mode = value.value;
  if (mode !== IOMMU_MODE.TRANSLATE && mode !== IOMMU_MODE.DEV) throw new Error(`amddev: no IOMMU at port 0x${base.toString(16)}`);
  yield sys.sys_inl(base + IOMMU_REGS.MEMORY_PAGES, value);
  const memoryBytes = value.value * PAGE_BYTES;

  function* command(cmd: number, device: number, iova: number, paddr: number, bytes: number, flags: number): Generator<Trap, number, number> {
    yield sys.sys_outl(base + IOMMU_REGS.DEVICE, device);
    yield sys.sys_outl(base + IOMMU_REGS.IOVA, iova);
    yield sys.sys_outl(base + IOMMU_REGS.PADDR, paddr);
    yield sys.sys_outl(base + IOMMU_REGS.LENGTH, bytes);
    yield sys.sys_outl(base + IOMMU_REGS.FLAGS, flags);
    yield sys.sys_outl(base + IOMMU_REGS.COMMAND, cmd);
    yield sys.sys_inl(base + IOMMU_REGS.RESULT, value);
    return value.value;
  }

  // Nothing is reachable by DMA until a driver asks for its buffer.
  if (mode === IOMMU_MODE.DEV) yield* command(IOMMU_COMMAND.DEV_BLOCK, IOMMU_ALL_DEVICES, 0, 0, memoryBytes, 0);
  for (const id of new Set(Object.values(owners))) yield* command(IOMMU_COMMAND.CREATE_DOMAIN, id, 0, 0, 0, 0);

  const byLabel = new Map<string, Owner>();

  function* unmapAll(owner: Owner): Generator<Trap, void, number> {
    for (const m of owner.mappings) {
      if (mode === IOMMU_MODE.DEV) yield* command(IOMMU_COMMAND.DEV_BLOCK, m.deviceId, 0, m.paddr, m.bytes, 0);
      else yield* command(IOMMU_COMMAND.UNMAP, m.deviceId, m.paddr, 0, m.bytes, 0);
    }
    owner.mappings = [];
  }

  const m = new Message();
  const info: ProcInfoOut = { endpoint: 0, instance: 0, name: '', program: '', priority: 0, kernelMode: false, system: false };
  const paddr = ref(0);
  for (;;) {
    const r = yield* sef.receive(ANY, m);
    if (r !== OK) continue;
    const caller = m.source;
    let status: number = Errno.EINVAL;
    let iova = 0;
    if (m.type === IOMMU_REQ.MAP || m.type === IOMMU_REQ.UNMAP) {
      const deviceId = IommuRequest.deviceId.get(m);
      const vaddr = IommuRequest.vaddr.get(m);
      const bytes = IommuRequest.bytes.get(m);
      const write = IommuRequest.write.get(m) !== 0;
      const gi = yield sys.sys_getprocinfo(caller, info);
      if (gi !== OK) status = gi;
      else if (owners[info.name] !== deviceId) status = Errno.EPERM;
      else if (vaddr % PAGE_BYTES !== 0 || bytes % PAGE_BYTES !== 0 || bytes === 0) status = Errno.EINVAL;
      else {
        let owner = byLabel.get(info.name);
        if (owner !== undefined && owner.instance !== info.instance) yield* unmapAll(owner);
        if (owner === undefined) byLabel.set(info.name, (owner = { instance: info.instance, mappings: [] }));
        owner.instance = info.instance;
        const u = yield sys.sys_umap(caller, vaddr, bytes, paddr);
        if (u !== OK) status = u;
        else if (m.type === IOMMU_REQ.MAP) {
          const flags = IOMMU_FLAGS.READ | (write ? IOMMU_FLAGS.WRITE : 0);
          const result = mode === IOMMU_MODE.DEV
            ? yield* command(IOMMU_COMMAND.DEV_ALLOW, deviceId, 0, paddr.value, bytes, 0)
            : yield* command(IOMMU_COMMAND.MAP, deviceId, paddr.value, paddr.value, bytes, flags);
          status = result === 0 ? OK : Errno.EIO;
          if (status === OK) owner.mappings.push({ deviceId, paddr: paddr.value, bytes });
          iova = paddr.value;
        } else {
          const i = owner.mappings.findIndex((x) => x.paddr === paddr.value && x.bytes === bytes && x.deviceId === deviceId);
          if (i < 0) status = Errno.EINVAL;
          else {
            const [gone] = owner.mappings.splice(i, 1);
            const result = mode === IOMMU_MODE.DEV
              ? yield* command(IOMMU_COMMAND.DEV_BLOCK, deviceId, 0, gone!.paddr, bytes, 0)
              : yield* command(IOMMU_COMMAND.UNMAP, deviceId, gone!.paddr, 0, bytes, 0);
            status = result === 0 ? OK : Errno.EIO;
          }
        }
      }
    }
    m.clear();
    m.type = IOMMU_REPLY;
    IommuReply.status.set(m, status);
    IommuReply.iova.set(m, iova);
    yield sys.sendnb(caller, m);
  }
}

function parseOwners(arg: unknown): Readonly<Record<string, number>> {
  if (typeof arg !== 'string' || arg.trim() === '') return AMDDEV_DEVICE_OWNERS;
  const out: Record<string, number> = {};
  for (const item of arg.split(',')) {
    const [label, id] = item.split('=');
    if (label !== undefined && id !== undefined && /^\d+$/.test(id.trim())) out[label.trim()] = Number(id.trim());
  }
  return out;
}

/**
 * What a driver does to get an IO-virtual address for its DMA buffer: asks
 * amddev when it runs, else (no IOMMU) uses the physical address. `vaddr` and
 * `bytes` must be page-aligned.
 */
export function* mapDmaBuffer(sys: Sys, deviceId: number, vaddr: number, bytes: number, write: boolean): Generator<Trap, { status: number; iova: number }, number> {
  const lookup = { name: 'amddev', endpoint: 0 };
  const found = yield sys.sys_getendpoint(lookup);
  if (found !== OK) {
    const paddr = ref(0);
    const r = yield sys.sys_umap(SELF, vaddr, bytes, paddr);
    return { status: r, iova: paddr.value };
  }
  const m = new Message(IOMMU_REQ.MAP);
  IommuRequest.deviceId.set(m, deviceId);
  IommuRequest.vaddr.set(m, vaddr);
  IommuRequest.bytes.set(m, bytes);
  IommuRequest.write.set(m, write ? 1 : 0);
  const r = yield sys.sendrec(lookup.endpoint, m);
  if (r !== OK) return { status: r, iova: 0 };
  return { status: IommuReply.status.get(m), iova: IommuReply.iova.get(m) };
}
