// Services used by the reincarnation-server tests: a driver description, a state-keeping service, and
// MINIX's RS figures (servers/rs/const.h) in the simulated clock's cycles, for writing expectations from the rule.
import { ANY, CLOCK, Errno, Message, OK, isNotify, ref, type Program, type Sys } from '../../../simulator/sdk';
import { Sef, type InitType } from '../../../simulator/services/sef';
import type { BuiltinService } from '../../../simulator/system/builtin';
import { DEFAULT_COST_PROFILE, costProfile } from '../../../simulator/kernel/costs/costProfiles';

/** One second of simulated time, in cycles of the default cost profile's clock (bootSystem's and the built-in scenarios'). */
export const SECOND = costProfile(DEFAULT_COST_PROFILE).clockHz;
/** RS_DELTA_T: RS checks once a second. */
export const CHECK = SECOND;
/** RS_INIT_T. */
export const INIT_T = 10 * SECOND;
/** RS acts on a death or a request within this much simulated time when nothing makes it wait. */
export const AT_ONCE = SECOND / 1000;
/** The keeper counts this often. */
export const TICK = SECOND / 100;

/** The first of RS's checks (whole seconds) that comes strictly after `t`. */
export function checkAfter(t: number): number {
  return (Math.floor(t / CHECK) + 1) * CHECK;
}

export function userDriver(label: string, main: (sys: Sys) => Program, bootOrder?: number, periodSeconds?: number): BuiltinService {
  return {
    label, kind: 'driver', main, sourceFile: `test/${label}.ts`, description: label,
    conf: `service ${label}\n{\n\tipc SYSTEM rs ds;\n};\n`,
    ...(bootOrder === undefined ? {} : { bootOrder }),
    ...(periodSeconds === undefined ? {} : { heartbeatPeriodSeconds: periodSeconds }),
  };
}

/** A second version of a service, startable only by a live update. */
export function version(label: string, main: (sys: Sys) => Program): BuiltinService {
  return { ...userDriver(label, main), kind: 'program', conf: '' };
}

/**
 * Counts alarm ticks and publishes the count; takes it back from DS after a restart, and is handed it at a live update.
 * `initCycles` of work make its initialisation take that long; `failInit` makes it fail (returning EIO, throwing, or
 * never finishing), at every initialisation or only at those of type `failOn`.
 */
export function keeper(
  version: number,
  options: { initCycles?: number; failInit?: 'status' | 'throw' | 'never'; failOn?: InitType } = {},
): (sys: Sys) => Program {
  return function* keeperMain(sys: Sys): Program {
    const sef = new Sef(sys);
    let count = 0;
    const r = yield* sef.startup({
      *init(type, handedOver) {
        if (type === 'live-update' && handedOver !== null) count = new DataView(handedOver.buffer, handedOver.byteOffset).getUint32(0, true);
        if (type === 'restart') {
          const prev = ref(0);
          if ((yield* sef.ds.retrieveU32('keeper.count', prev)) === OK) count = prev.value;
        }
        if (options.initCycles !== undefined) yield sys.compute(options.initCycles);
        const fail = options.failOn === undefined || options.failOn === type ? options.failInit : undefined;
        if (fail === 'status') return Errno.EIO;
        if (fail === 'throw') throw new Error('keeper: cannot initialise');
        if (fail === 'never') {
          const m = new Message();
          for (;;) yield sys.receive(CLOCK, m);
        }
        yield* sef.ds.publishU32('keeper.version', version);
        yield* sef.ds.publishU32('keeper.init', type === 'fresh' ? 0 : type === 'restart' ? 1 : 2);
        yield* sef.ds.publishU32('keeper.endpoint', sys.endpoint >>> 0);
        return OK;
      },
      saveState: () => Uint8Array.of(count & 0xff, (count >>> 8) & 0xff, (count >>> 16) & 0xff, count >>> 24),
    });
    if (r !== OK) return r;
    const m = new Message();
    yield sys.sys_setalarm(TICK);
    for (;;) {
      yield* sef.receive(ANY, m);
      if (!isNotify(m) || m.source !== CLOCK) continue;
      count++;
      yield* sef.ds.publishU32('keeper.count', count);
      yield sys.sys_setalarm(TICK);
    }
  };
}
