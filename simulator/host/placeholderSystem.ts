// The system shown before the simulator is booted: the boot image of the
// default configuration, every process at rest.
import type { SystemSnapshot } from '../protocol/workerProtocol';

export function placeholderSystem(): SystemSnapshot {
  const proc = (label: string, endpoint: number, group: 'kernel' | 'servers' | 'drivers' | 'programs') => ({
    label,
    endpoint,
    group,
    state: 'not started',
    restarts: 0,
  });
  return {
    name: 'default',
    configuration: 'microkernel-iommu',
    running: false,
    nowCycles: 0,
    processes: [
      proc('system', -2, 'kernel'),
      proc('clock', -3, 'kernel'),
      proc('rs', 2, 'servers'),
      proc('ds', 5, 'servers'),
      proc('vfs', 1, 'servers'),
      proc('inet', 8, 'servers'),
      proc('rtl8139', 10, 'drivers'),
      proc('cdrom', 11, 'drivers'),
    ],
    devices: [
      { name: 'nic0', kind: 'NIC', ports: '0xc000:256', irq: 11, state: 'idle' },
      { name: 'cd0', kind: 'CD-ROM', ports: '0x170:8', irq: 15, state: 'idle' },
    ],
  };
}
