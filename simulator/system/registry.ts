// The built-in services of the default system: the reincarnation server, the
// data store, the network server and the NIC driver from this folder's side,
// and the storage, printer and IOMMU services from storageServices.ts.
import type { BuiltinService } from './builtin';
import { storageServices } from './storageServices';
import { rsProgram, type RsConfig } from '../services/rs';
import { dsProgram, type DsStore } from '../services/ds';
import { INET_MEMORY_BYTES, inetProgram, type InetCounters } from '../services/inet';
import { NIC_DRIVER_MEMORY_BYTES, nicDriver } from '../drivers/nic';
import { PLATFORM, deviceConfGrants } from '../hw/platform';

/** Per-boot objects the core services share with the host (for views and summaries). */
export interface CoreContext {
  readonly rs: RsConfig;
  readonly dsStore: DsStore;
  readonly inet: InetCounters;
  /** The network server's protocol work per received frame (the cost profile's netStackRxCyclesPerPacket). */
  readonly stackRxCycles: number;
}

const RS_CONF = `service rs
{
	uid	0;
	ipc	ALL;		# ALL ipc targets allowed
	system	ALL;		# ALL kernel calls allowed
	io	NONE;
	irq	NONE;
	sigmgr	SELF;
	scheduler	KERNEL;
	priority	4;
	quantum	500;
};
`;

const DS_CONF = `service ds
{
	uid	0;
	ipc	ALL_SYS;	# All system ipc targets allowed
	system	ALL;
	io	NONE;
	irq	NONE;
	sigmgr	rs;
	scheduler	KERNEL;
	priority	4;
	quantum	500;
};
`;

const INET_CONF = `service inet
{
	uid	0;
	ipc	SYSTEM USER rs ds nic;
	system	BASIC;
	priority	5;
	quantum	500;
};
`;

const NIC_CONF = `service nic
{
	type	net;
	descr	"Ring-buffer Ethernet NIC (descriptor rings, DMA, IRQ ${PLATFORM.nic.irq})";
	system
		UMAP		# 14
		IRQCTL		# 19
		DEVIO		# 21
		;
${deviceConfGrants(PLATFORM.nic)}
	ipc
		SYSTEM pm rs log tty ds vm
		pci inet lwip amddev
		;
};
`;

export function coreServices(ctx: CoreContext): BuiltinService[] {
  return [
    {
      label: 'rs', kind: 'server', main: rsProgram(ctx.rs), sourceFile: 'simulator/services/rs.ts', conf: RS_CONF,
      description: 'Reincarnation server: starts, pings and restarts services',
    },
    {
      label: 'ds', kind: 'server', main: dsProgram(ctx.dsStore), sourceFile: 'simulator/services/ds.ts', conf: DS_CONF, bootOrder: 0,
      description: 'Data store: published state that outlives a restart',
    },
    {
      label: 'nic', kind: 'driver', main: nicDriver, sourceFile: 'simulator/drivers/nic.ts', conf: NIC_CONF, device: 'nic', bootOrder: 40,
      memoryBytes: NIC_DRIVER_MEMORY_BYTES,
      networkPath: true,
      description: 'NIC driver: descriptor rings, interrupts, TX and RX',
    },
    {
      label: 'inet', kind: 'server', main: inetProgram(ctx.inet, ctx.stackRxCycles), sourceFile: 'simulator/services/inet.ts', conf: INET_CONF, bootOrder: 50,
      memoryBytes: INET_MEMORY_BYTES,
      networkPath: true,
      description: 'Network server: packets to the NIC driver, retransmission',
    },
  ];
}

/** Every built-in service, core first, each label once. */
export function builtinServices(ctx: CoreContext): BuiltinService[] {
  const out = coreServices(ctx);
  for (const s of storageServices) if (!out.some((x) => x.label === s.label)) out.push(s);
  return out;
}

/** The default system's description: one system.conf entry per built-in service. */
export function defaultSystemConf(services: readonly BuiltinService[]): string {
  const entries = services.filter((s) => s.conf.trim() !== '').map((s) => s.conf.trimEnd());
  return `#\n# The default system of Microkernel Lab, in MINIX's system.conf format.\n#\n\n${entries.join('\n\n')}\n`;
}
