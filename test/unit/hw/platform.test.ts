// The platform table: devices do not share ports or interrupt lines, the
// machine puts each device where the table says, and each built-in driver's
// system.conf entry grants exactly its device's ports, interrupt and PCI id.

import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PLATFORM, PLATFORM_DEVICES, formatPciId } from '../../../simulator/hw/platform';
import { PORT_SPACE_SIZE } from '../../../simulator/hw/portMap';
import { builtinServices } from '../../../simulator/system/registry';
import { buildMachine } from '../../../simulator/system/machine';
import { ProgramRegistry } from '../../../simulator/engine/programRegistry';
import { parseSystemConf } from '../../../simulator/config/systemConf';
import { AMDDEV_DEVICE_OWNERS } from '../../../simulator/services/amddev';

const hex = (n: number) => `0x${n.toString(16)}`;

test('no two devices share a port, an interrupt line, a PCI id or a DMA requester id', () => {
  const byBase = [...PLATFORM_DEVICES].sort((a, b) => a.portBase - b.portBase);
  for (const d of byBase) {
    assert.ok(d.portCount > 0 && d.portBase >= 0 && d.portBase + d.portCount <= PORT_SPACE_SIZE, `${d.name}'s ports ${hex(d.portBase)}:${d.portCount}`);
    for (const offset of Object.values(d.regs)) assert.ok(offset >= 0 && offset < d.portCount, `${d.name}: register at ${hex(offset)} outside its ${d.portCount} ports`);
  }
  for (let i = 1; i < byBase.length; i++) {
    const [a, b] = [byBase[i - 1]!, byBase[i]!];
    assert.ok(a.portBase + a.portCount <= b.portBase, `${a.name} (${hex(a.portBase)}:${a.portCount}) overlaps ${b.name} (${hex(b.portBase)})`);
  }
  const distinct = (values: readonly (string | number)[], what: string) => assert.equal(new Set(values).size, values.length, `${what}: ${values.join(', ')}`);
  distinct(PLATFORM_DEVICES.flatMap((d) => (d.irq === null ? [] : [d.irq])), 'interrupt lines');
  distinct(PLATFORM_DEVICES.flatMap((d) => (d.pci === null ? [] : [formatPciId(d.pci)])), 'PCI ids');
  distinct(PLATFORM_DEVICES.flatMap((d) => (d.dmaRequesterId === null ? [] : [d.dmaRequesterId])), 'DMA requester ids');
  distinct(PLATFORM_DEVICES.map((d) => d.name), 'names');
});

test('the machine puts every device, and the IOMMU\'s registers, where the table says', () => {
  const machine = buildMachine({ seed: 1, configuration: 'microkernel-iommu', programs: new ProgramRegistry() });
  for (const device of machine.devices) {
    const row = PLATFORM[device.kind];
    assert.deepEqual(
      { name: device.name, portBase: device.portBase, portCount: device.portCount, irq: device.irq, deviceId: device.deviceId ?? null },
      { name: row.name, portBase: row.portBase, portCount: row.portCount, irq: row.irq, deviceId: row.dmaRequesterId },
      device.kind,
    );
  }
  assert.deepEqual(machine.devices.map((d) => d.kind).sort(), PLATFORM_DEVICES.filter((d) => d.kind !== 'iommu').map((d) => d.kind).sort());
  // The IOMMU answers its MODE register (translate: 1) at its ports, and nothing answers just past them.
  const iommu = PLATFORM.iommu;
  assert.equal(machine.sim.kernel.portDevice(iommu.portBase)?.ioRead(iommu.portBase + iommu.regs.MODE, 4), 1);
  assert.equal(machine.sim.kernel.portDevice(iommu.portBase + iommu.portCount), undefined);
});

test("each built-in driver's system.conf entry grants exactly its device's ports, interrupt and PCI id", () => {
  const services = builtinServices({
    rs: { services: [], clockHz: 1e9, restartBackoff: true, status: new Map(), recordRestart: () => undefined },
    dsStore: new Map(),
    inet: { accepted: 0, acked: 0, retransmissions: 0, refused: 0, driverChanges: 0, received: 0, requestsDropped: 0 },
    stackRxCycles: 0,
  });
  const driven = PLATFORM_DEVICES.filter((d) => d.driver !== null);
  assert.ok(driven.length >= 5);
  for (const device of driven) {
    const service = services.find((s) => s.label === device.driver);
    assert.ok(service !== undefined, `no built-in service ${device.driver} for ${device.name}`);
    const parsed = parseSystemConf(service.conf, `${service.label}.conf`);
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), [], service.label);
    const entry = parsed.description.services[0]!;
    assert.deepEqual(entry.io, { all: false, ranges: [{ base: device.portBase, length: device.portCount }] }, `${service.label}'s io`);
    assert.deepEqual(entry.irq, { all: false, lines: device.irq === null ? [] : [device.irq] }, `${service.label}'s irq`);
    assert.deepEqual(entry.pciDevices, device.pci === null ? [] : [device.pci], `${service.label}'s pci device`);
    if (device.kind !== 'iommu') assert.equal(service.device, device.kind, `${service.label} drives ${device.kind}`);
  }
  // A built-in service that drives no device of the table is granted no ports or interrupts.
  for (const service of services.filter((s) => !driven.some((d) => d.driver === s.label))) {
    const entry = parseSystemConf(service.conf, `${service.label}.conf`).description.services[0];
    if (entry === undefined) continue;
    assert.deepEqual([entry.io.ranges, entry.irq.lines], [[], []], `${service.label} is granted device access`);
  }
});

test('the IOMMU service lets each DMA driver map buffers for its own device only', () => {
  for (const device of PLATFORM_DEVICES.filter((d) => d.dmaRequesterId !== null)) {
    assert.equal(AMDDEV_DEVICE_OWNERS[device.driver!], device.dmaRequesterId, device.name);
  }
});
