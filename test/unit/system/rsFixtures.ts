// Services used by the reincarnation-server tests: a driver description and a state-keeping service.
import { ANY, CLOCK, Message, OK, isNotify, ref, type Program, type Sys } from '../../../simulator/sdk';
import { Sef } from '../../../simulator/services/sef';
import type { BuiltinService } from '../../../simulator/system/builtin';

/** The heartbeat period of the tests' systems. */
export const PERIOD = 10_000_000;

export function userDriver(label: string, main: (sys: Sys) => Program, bootOrder?: number): BuiltinService {
  return {
    label, kind: 'driver', main, sourceFile: `test/${label}.ts`, description: label,
    conf: `service ${label}\n{\n\tipc SYSTEM rs ds;\n};\n`,
    ...(bootOrder === undefined ? {} : { bootOrder }),
  };
}

export /** Counts alarm ticks and publishes the count; takes it back from DS after a restart, and is handed it at a live update. */
function keeper(version: number): (sys: Sys) => Program {
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
        yield* sef.ds.publishU32('keeper.version', version);
        yield* sef.ds.publishU32('keeper.init', type === 'fresh' ? 0 : type === 'restart' ? 1 : 2);
        yield* sef.ds.publishU32('keeper.endpoint', sys.endpoint >>> 0);
        return OK;
      },
      saveState: () => Uint8Array.of(count & 0xff, (count >>> 8) & 0xff, (count >>> 16) & 0xff, count >>> 24),
    });
    if (r !== OK) return r;
    const m = new Message();
    yield sys.sys_setalarm(PERIOD / 10);
    for (;;) {
      yield* sef.receive(ANY, m);
      if (!isNotify(m) || m.source !== CLOCK) continue;
      count++;
      yield* sef.ds.publishU32('keeper.count', count);
      yield sys.sys_setalarm(PERIOD / 10);
    }
  };
}
