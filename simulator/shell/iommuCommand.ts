// `iommu`: the IOMMU's state: mode, invalidation policy, IOTLB, each device's
// domain with its mappings, and the blocked transfers of the fault log.
import type { IommuMappingRun } from '../hw/iommu';
import type { RunningSystem } from '../system/boot';
import { bold, colour, dim, table } from './ansi';
import { ShellError, type ShellCommand } from './command';
import { hex } from './names';
import { formatMs } from '../time/time';

const MAPPINGS_SHOWN = 8;
const FAULTS_SHOWN = 10;

function size(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

function access(run: IommuMappingRun): string {
  return `${run.read ? 'r' : '-'}${run.write ? 'w' : '-'}`;
}

function deviceName(system: RunningSystem, deviceId: number): string {
  const d = system.machine.devices.find((x) => x.deviceId === deviceId);
  return d === undefined ? `device ${deviceId}` : `${d.name} (${d.kind}, id ${deviceId})`;
}

export function describeIommu(system: RunningSystem, columns: number): string {
  const iommu = system.iommuState();
  if (iommu === null) {
    return `${bold('no IOMMU')} in configuration ${system.configuration}: devices reach all of physical memory by DMA`;
  }
  const c = iommu.counters;
  const lines = [
    `${bold('mode')} ${iommu.mode === 'dev' ? 'DEV bitmap (AMD)' : 'translate (I/O page tables)'}, ${bold('invalidation')} ${iommu.invalidation}`,
    `${bold('IOTLB')} ${iommu.iotlbEntries}/${iommu.iotlbCapacity} entries, ${c.iotlbHits} hits, ${c.iotlbMisses} misses, ${iommu.pendingInvalidations} invalidations pending`,
    `${bold('transfers')} ${c.transfers}, ${iommu.faultCount > 0 ? colour('red', `${c.blockedTransfers} blocked`) : '0 blocked'}, ${c.bytesRead} bytes read, ${c.bytesWritten} bytes written`,
    '',
  ];
  if (iommu.domains.length === 0) lines.push(dim('no domains: no device may do DMA'));
  for (const d of iommu.domains) {
    const faults = d.faultCount > 0 ? colour('red', `, ${d.faultCount} blocked`) : '';
    const what = iommu.mode === 'dev' ? 'blocked runs' : 'mappings';
    lines.push(`${bold(`domain ${deviceName(system, d.deviceId)}`)}: ${d.mappings.length} ${what}${faults}`);
    for (const run of d.mappings.slice(0, MAPPINGS_SHOWN)) {
      lines.push(iommu.mode === 'dev'
        ? `  ${hex(run.paddr)} ${size(run.lengthBytes)} blocked`
        : `  iova ${hex(run.iova)} → ${hex(run.paddr)}  ${size(run.lengthBytes)}  ${access(run)}`);
    }
    if (d.mappings.length > MAPPINGS_SHOWN) lines.push(dim(`  … ${d.mappings.length - MAPPINGS_SHOWN} more`));
  }
  lines.push('');
  if (iommu.faultLog.length === 0) {
    lines.push(dim('no blocked transfers'));
  } else {
    const shown = iommu.faultLog.slice(-FAULTS_SHOWN);
    lines.push(bold(`blocked transfers (${iommu.faultCount}${iommu.faultCount > shown.length ? `, last ${shown.length} shown` : ''})`));
    lines.push(table(
      [{ title: 'TIME (ms)', align: 'right' }, { title: 'DEVICE' }, { title: 'DIR' }, { title: 'IOVA' }, { title: 'BYTES', align: 'right' }, { title: 'REASON', shrinkable: true }],
      shown.map((f) => [
        formatMs(f.timeCycles, system.clockHz),
        system.machine.devices.find((x) => x.deviceId === f.deviceId)?.name ?? `device ${f.deviceId}`,
        f.direction,
        hex(f.transferIova),
        String(f.lengthBytes),
        f.reason,
      ]),
      columns,
    ));
  }
  return lines.join('\n');
}

export const iommuCommand: ShellCommand = {
  name: 'iommu',
  usage: 'iommu',
  summary: 'the IOMMU: mode, domains and mappings, blocked transfers',
  needsSystem: true,
  run(args, { system, columns }) {
    if (args.length > 0) throw new ShellError(`takes no arguments (got '${args[0]}')`);
    return describeIommu(system, columns);
  },
};
