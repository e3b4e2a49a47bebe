// Fault injection: an interception layer around a program's generator, so the
// same faults reach built-in and user drivers alike. An armed fault takes
// effect the next time its target instance runs: it crashes, hangs (computes
// forever without entering the kernel, which only RS's heartbeat notices),
// writes outside its memory (an MMU fault), programs its device's DMA at
// kernel memory or another process's memory, or leaks memory until it runs out.
import type { Simulator } from '../engine/simulator';
import type { Program, ProgramMain, Sys } from '../sdk';
import { NIC_REGS, STORAGE_REGS } from '../hw/platform';
import { STORAGE_COMMAND } from '../hw/storageDevice';
import { TraceKind } from '../trace/kinds';
import type { FaultSpec } from '../config/scenario';
import type { InjectableFault } from '../config/faultTypes';

export { INJECTABLE_FAULTS, isInjectableFault, type InjectableFault } from '../config/faultTypes';

export type FaultParams = Readonly<Record<string, string | number | boolean>>;

export interface FaultRecord {
  readonly seq: number;
  readonly label: string;
  readonly type: InjectableFault;
  readonly params: FaultParams;
  readonly armedAtCycles: number;
  /** The instance it was aimed at; NONE-like -1 when no instance was alive. */
  readonly endpoint: number;
  appliedAtCycles: number | null;
  /** Why it could not be injected, if it could not. */
  skipped: string | null;
}

/** The device a driver label owns, so that a wild DMA can program it. */
export interface DriverDevice {
  readonly kind: string;
  readonly portBase: number;
}

const HANG_SLICE_CYCLES = 10_000_000;
const DEFAULT_WILD_VADDR = 0x7fff_f000;

/**
 * The most faults one run arms. A scenario that repeats a fault every few
 * cycles (a fault storm) would otherwise keep a record of each until memory
 * runs out; at the cap the injector stops arming, says so, and the run goes on.
 * MINIX's campaigns inject a few faults per trial, far below it.
 */
export const MAX_FAULTS_PER_RUN = 100_000;

export class FaultInjector {
  readonly records: FaultRecord[] = [];
  /** Faults waiting for their instance (Proc.instance) to run. */
  private readonly armed = new Map<number, FaultRecord[]>();
  /** Why the injector stopped arming faults (the cap was reached), or null. */
  stopped: string | null = null;

  constructor(
    private readonly sim: Simulator,
    private readonly deviceOf: (label: string) => DriverDevice | undefined,
  ) {}

  /** Wraps a program so that faults armed for its instances take effect. */
  wrap(label: string, main: ProgramMain): ProgramMain {
    return (sys: Sys): Program => this.intercept(label, sys, this.sim.kernel.procOf(sys.endpoint)?.instance ?? -1, main(sys));
  }

  /** Arms a fault for the live instance of `label`; recorded as skipped if there is none. */
  arm(label: string, type: InjectableFault, params: FaultParams = {}): FaultRecord | undefined {
    if (this.records.length >= MAX_FAULTS_PER_RUN) {
      if (this.stopped === null) {
        const now = this.sim.clock.now();
        this.stopped = `stopped arming faults at ${now} cycles: ${MAX_FAULTS_PER_RUN.toLocaleString('en-US')} faults is the most one run arms (is a fault repeated every few cycles?)`;
        this.sim.trace.recordLabelled(now, TraceKind.custom, 0, 0, MAX_FAULTS_PER_RUN, 0, 0, 'fault:cap');
      }
      return undefined;
    }
    const endpoint = this.sim.endpointOf(label) ?? -1;
    // Aimed at the instance, not the endpoint: a restarted service keeps its endpoint, and a fault meant for an instance that ended does not strike the next.
    const instance = endpoint === -1 ? -1 : this.sim.kernel.procOf(endpoint)!.instance;
    const record: FaultRecord = {
      seq: this.records.length, label, type, params, armedAtCycles: this.sim.clock.now(), endpoint,
      appliedAtCycles: null, skipped: endpoint === -1 ? 'no running instance' : null,
    };
    this.records.push(record);
    if (endpoint !== -1) {
      const list = this.armed.get(instance) ?? [];
      list.push(record);
      this.armed.set(instance, list);
    }
    return record;
  }

  /** Arms the faults of a scenario at their times (and again every `repeatEvery`, `count` times in all). */
  schedule(spec: FaultSpec, startCycles = 0): void {
    const type = spec.type;
    let done = 0;
    const fire = () => {
      if (this.arm(spec.target, type, spec.params) === undefined) return;
      done++;
      if (spec.repeatEvery !== null && spec.repeatEvery.cycles > 0 && (spec.count === null || done < spec.count)) {
        this.sim.clock.schedule(spec.repeatEvery.cycles, fire, `fault:${spec.target}`);
      }
    };
    const at = Math.max(0, startCycles + spec.at.cycles - this.sim.clock.now());
    this.sim.clock.schedule(at, fire, `fault:${spec.target}`);
  }

  get injectedCount(): number {
    return this.records.filter((r) => r.appliedAtCycles !== null).length;
  }

  private *intercept(label: string, sys: Sys, instance: number, inner: Program): Program {
    let input = 0;
    let leakBytes = 0;
    for (;;) {
      const pending = this.armed.get(instance);
      if (pending !== undefined && pending.length > 0) {
        const f = pending.shift()!;
        f.appliedAtCycles = sys.uptimeCycles();
        this.sim.trace.recordLabelled(f.appliedAtCycles, TraceKind.custom, sys.endpoint, sys.endpoint, f.seq, 0, 0, `fault:${f.type}`);
        switch (f.type) {
          case 'crash':
            throw new Error(`injected fault: crash (#${f.seq})`);
          case 'hang':
            for (;;) yield sys.compute(HANG_SLICE_CYCLES);
          case 'wild-write': {
            const vaddr = typeof f.params['vaddr'] === 'number' ? f.params['vaddr'] : DEFAULT_WILD_VADDR;
            sys.mem.writeU32(vaddr, 0xdeadbeef);
            break;
          }
          case 'wild-dma':
            yield* this.wildDma(label, sys, f);
            break;
          case 'resource-leak':
            leakBytes = typeof f.params['bytes'] === 'number' ? f.params['bytes'] : 4096;
            break;
          default: {
            const unhandled: never = f.type;
            throw new Error(`the injector has no case for fault type ${String(unhandled)}`);
          }
        }
      }
      // A leaking instance loses memory at every kernel entry until an allocation fails.
      if (leakBytes > 0) sys.mem.alloc(leakBytes);
      const res = inner.next(input);
      if (res.done === true) return res.value;
      input = yield res.value;
    }
  }

  private *wildDma(label: string, sys: Sys, f: FaultRecord): Program {
    const device = this.deviceOf(label);
    if (device === undefined) {
      f.skipped = `${label} owns no DMA device`;
      return;
    }
    const paddr = this.dmaTarget(f);
    if (paddr === undefined) {
      f.skipped = `no process named ${String(f.params['target'])}`;
      return;
    }
    const base = device.portBase;
    if (device.kind === 'nic') {
      // The NIC fetches a descriptor from the ring base and writes its status back there.
      yield sys.sys_outl(base + NIC_REGS.TX_RING_BASE, paddr);
      yield sys.sys_outl(base + NIC_REGS.TX_RING_SIZE, 2);
      yield sys.sys_outl(base + NIC_REGS.TX_TAIL, 1);
    } else if (device.kind === 'block' || device.kind === 'cdrom') {
      yield sys.sys_outl(base + STORAGE_REGS.DMA_ADDR, paddr);
      yield sys.sys_outl(base + STORAGE_REGS.LBA, 0);
      yield sys.sys_outl(base + STORAGE_REGS.COUNT, 1);
      yield sys.sys_outl(base + STORAGE_REGS.COMMAND, STORAGE_COMMAND.READ_DMA);
    } else {
      f.skipped = `${device.kind} does no DMA`;
    }
  }

  /** Kernel memory (param `paddr`, default 0x1000) or, with param `target`, the first page of that process. */
  private dmaTarget(f: FaultRecord): number | undefined {
    const target = f.params['target'];
    if (typeof target !== 'string' || target === 'kernel') return typeof f.params['paddr'] === 'number' ? f.params['paddr'] : 0x1000;
    const p = this.sim.kernel.liveProcs().find((x) => x.name === target);
    if (p === undefined || p.space === null) return undefined;
    const paddr = p.space.translate(p.memBaseVaddr, 0);
    return paddr < 0 ? undefined : paddr;
  }
}
