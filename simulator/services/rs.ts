// The reincarnation server (MINIX's servers/rs): starts the services of the
// system description, learns of their deaths from the kernel (SYSTEM
// notification + GETKSIG), pings each one every heartbeat period and kills
// one that has not answered for two periods, and restarts failed services
// with MINIX's backoff. It also carries out the `service` utility's requests:
// up, down, restart, refresh, update (live update with state transfer) and clone.
import {
  ANY, CLOCK, Errno, Message, NONE, OK, PrivCtl, SIGKILL, SYSTEM, isNotify,
  type ChildEventOut, type ExitReason, type PrivilegeSpec, type Program, type ProgramArgs, type SpawnRequest, type Sys,
} from '../sdk';
import { DsClient, labelKey, type Call } from './dsClient';
import {
  RS_LABEL_BYTES, RS_LABEL_OFFSET, RS_LU_PREPARE, RS_LU_READY, RS_PROGRAM_BYTES, RS_PROGRAM_OFFSET, RsLayout, RsRequest, readString,
} from './messages';
import { AsyncSender, SEF_INIT_ARG, type InitType } from './sef';

/** A service RS may start: its program and the privileges the system description grants it. */
export interface RsServiceDefinition {
  readonly label: string;
  readonly program: string;
  readonly privilege: PrivilegeSpec;
  readonly priority: number;
  readonly quantumCycles: number;
  readonly memoryBytes?: number;
  readonly kernelMode: boolean;
  readonly args?: ProgramArgs;
  /** Started at boot in this order (lower first); on demand (`service up`) when absent. */
  readonly bootOrder?: number;
}

export type RsServiceState = 'starting' | 'running' | 'backoff' | 'down' | 'updating';

/** What RS knows of one service, readable by the host for views and summaries. */
export interface RsServiceStatus {
  readonly label: string;
  endpoint: number;
  program: string;
  state: RsServiceState;
  /** Restarts after a failure or a `service restart`. */
  restarts: number;
  /** Failures in a row that set the backoff (MINIX's r_restarts). */
  failures: number;
  lastExit: string | undefined;
  /** When each instance ended, and when each replacement was started, in cycles. */
  readonly deathTimesCycles: number[];
  readonly restartTimesCycles: number[];
  /** Time from a death to the new instance's init done, summed, and the last one. */
  downtimeCycles: number;
  lastDowntimeCycles: number;
  downSinceCycles: number | null;
  heartbeatKills: number;
  updates: number;
  replica: number;
}

export type RsStatusTable = Map<string, RsServiceStatus>;

export interface RsConfig {
  readonly services: readonly RsServiceDefinition[];
  readonly periodCycles: number;
  /** MINIX's backoff (at once, then 2, 4, 8, 16, 30 periods); off restarts at once every time. */
  readonly restartBackoff: boolean;
  readonly status: RsStatusTable;
  /** Records a restart in the trace (src RS, dst the new endpoint, a the old one). */
  readonly recordRestart: (rs: number, newEndpoint: number, oldEndpoint: number, label: string) => void;
}

export const MAX_BACKOFF_PERIODS = 30;

/** Periods to wait before the n-th restart after failures in a row (n from 1). */
export function backoffPeriods(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(2 ** (failures - 1), MAX_BACKOFF_PERIODS);
}

export function describeExit(reason: ExitReason): string {
  switch (reason.kind) {
    case 'exit':
      return `exited with status ${reason.status}`;
    case 'crash':
      return `crashed: ${reason.message}`;
    case 'fault':
      return `page fault (${reason.access} at 0x${reason.vaddr.toString(16)}: ${reason.reason})`;
    case 'signal':
      return `killed by signal ${reason.signal}`;
    case 'panic':
      return `panicked: ${reason.message}`;
  }
}

type Pending = 'down' | 'restart' | 'refresh' | 'update-prepare' | 'update' | null;

interface Entry {
  readonly def: RsServiceDefinition;
  readonly status: RsServiceStatus;
  pending: Pending;
  updateProgram: string | null;
  killedForHeartbeat: boolean;
  unansweredSince: number | null;
  restartAtCycles: number | null;
  lastEndpoint: number;
  /** Who asked for the live update in progress: RS answers when it has succeeded or failed (a late reply). */
  updateCaller: number;
  /** The new version has been started and has not yet answered its first heartbeat. */
  updateStarting: boolean;
}

export function rsProgram(config: RsConfig): (sys: Sys) => Program {
  return function* rs(sys: Sys): Program {
    const period = config.periodCycles;
    const entries = new Map<string, Entry>();
    const byEndpoint = new Map<number, Entry>();
    config.status.clear();
    for (const def of config.services) {
      const status: RsServiceStatus = {
        label: def.label, endpoint: NONE, program: def.program, state: 'down', restarts: 0, failures: 0, lastExit: undefined,
        deathTimesCycles: [], restartTimesCycles: [], downtimeCycles: 0, lastDowntimeCycles: 0, downSinceCycles: null,
        heartbeatKills: 0, updates: 0, replica: NONE,
      };
      config.status.set(def.label, status);
      entries.set(def.label, { def, status, pending: null, updateProgram: null, killedForHeartbeat: false, unansweredSince: null, restartAtCycles: null, lastEndpoint: NONE, updateCaller: NONE, updateStarting: false });
    }
    const m = new Message();
    const out = new Message();
    const ksig: ChildEventOut = { event: null };
    const async = new AsyncSender(sys, 32);
    let ds: DsClient | null = null;

    function* start(e: Entry, init: InitType, stopped = false): Call {
      const args: Record<string, string | number | boolean> = { ...(e.def.args ?? {}), rs: sys.endpoint, [SEF_INIT_ARG]: init };
      if (ds !== null) args['ds'] = ds.endpoint;
      else if (e.def.label === 'ds') args['ds'] = NONE;
      const program = e.updateProgram ?? e.status.program;
      const req: SpawnRequest = {
        spec: {
          program, name: e.def.label, privilege: e.def.privilege, priority: e.def.priority, quantumCycles: e.def.quantumCycles,
          kernelMode: e.def.kernelMode, args, stopped,
          ...(e.def.memoryBytes === undefined ? {} : { memoryBytes: e.def.memoryBytes }),
        },
        endpoint: NONE,
      };
      const r = yield sys.sys_spawn(req);
      if (r !== OK) return r;
      if (stopped) {
        e.status.replica = req.endpoint;
        return OK;
      }
      e.status.program = program;
      e.updateProgram = null;
      yield* adopt(e, req.endpoint);
      return OK;
    }

    /** Answers the caller of a live update with its outcome, without blocking RS (MINIX's late reply). */
    function* updateDone(e: Entry, status: number): Call {
      const caller = e.updateCaller;
      if (caller === NONE) return OK;
      e.updateCaller = NONE;
      out.clear();
      out.type = status;
      return yield sys.sendnb(caller, out);
    }

    function* adopt(e: Entry, endpoint: number): Call {
      byEndpoint.set(endpoint, e);
      e.status.endpoint = endpoint;
      e.status.state = 'starting';
      e.unansweredSince = null;
      e.killedForHeartbeat = false;
      e.restartAtCycles = null;
      if (ds !== null) yield* ds.publishU32(labelKey(e.def.label), endpoint >>> 0);
      return OK;
    }

    function* restart(e: Entry, oldEndpoint: number, init: InitType): Call {
      e.status.restartTimesCycles.push(sys.uptimeCycles());
      if (e.status.replica !== NONE && init === 'restart') {
        const replica = e.status.replica;
        e.status.replica = NONE;
        const r = yield sys.sys_privctl(replica, PrivCtl.ALLOW);
        if (r === OK) {
          config.recordRestart(sys.endpoint, replica, oldEndpoint, e.def.label);
          return yield* adopt(e, replica);
        }
      }
      const r = yield* start(e, init);
      if (r === OK) config.recordRestart(sys.endpoint, e.status.endpoint, oldEndpoint, e.def.label);
      else e.status.state = 'down';
      return r;
    }

    function* dropReplica(e: Entry): Call {
      const replica = e.status.replica;
      if (replica === NONE) return OK;
      e.status.replica = NONE;
      return yield sys.sys_kill(replica, SIGKILL);
    }

    function* childEnded(endpoint: number, reason: ExitReason, atCycles: number): Call {
      const e = byEndpoint.get(endpoint);
      if (e === undefined) {
        for (const x of entries.values()) if (x.status.replica === endpoint) x.status.replica = NONE;
        return OK;
      }
      byEndpoint.delete(endpoint);
      e.lastEndpoint = endpoint;
      const s = e.status;
      s.endpoint = NONE;
      s.lastExit = e.killedForHeartbeat ? 'no heartbeat: killed by rs' : describeExit(reason);
      s.deathTimesCycles.push(atCycles);
      if (s.downSinceCycles === null) s.downSinceCycles = atCycles;
      const pending = e.pending;
      e.pending = null;
      // It died while preparing for an update, or the new version died before it ran: the update failed.
      if (pending === 'update-prepare' || e.updateStarting) {
        e.updateProgram = null;
        e.updateStarting = false;
        yield* updateDone(e, Errno.EINTR);
      }
      switch (pending) {
        case 'down':
          s.state = 'down';
          s.downSinceCycles = null;
          return yield* dropReplica(e);
        case 'update': {
          s.state = 'updating';
          const from = s.program;
          const r = yield* restart(e, endpoint, 'live-update');
          if (r === OK) {
            s.updates++;
            e.updateStarting = true;
            // A replica of the previous version would bring that version back at the next failure.
            if (s.program !== from) yield* dropReplica(e);
            return OK;
          }
          // The new version could not be started: the old one comes back with the state it handed over.
          s.lastExit = `live update to ${e.updateProgram ?? from} failed (error ${r}); ${from} started again`;
          e.updateProgram = null;
          s.restartTimesCycles.pop();
          yield* updateDone(e, r);
          return yield* restart(e, endpoint, 'live-update');
        }
        case 'refresh':
          return yield* restart(e, endpoint, 'fresh');
        case 'restart':
          s.restarts++;
          return yield* restart(e, endpoint, 'restart');
        default: {
          s.restarts++;
          s.failures++;
          const wait = config.restartBackoff ? backoffPeriods(s.failures) : 0;
          if (wait === 0) return yield* restart(e, endpoint, 'restart');
          s.state = 'backoff';
          e.restartAtCycles = atCycles + wait * period;
          return OK;
        }
      }
    }

    function* heartbeat(now: number): Call {
      for (const e of entries.values()) {
        const s = e.status;
        if (s.endpoint === NONE || e.pending === 'update' || e.pending === 'down') continue;
        if (e.unansweredSince !== null && now - e.unansweredSince >= 2 * period) {
          e.killedForHeartbeat = true;
          s.heartbeatKills++;
          yield sys.sys_kill(s.endpoint, SIGKILL);
          continue;
        }
        if (e.unansweredSince === null) e.unansweredSince = now;
        yield sys.notify(s.endpoint);
      }
      return OK;
    }

    function* request(e: Entry | undefined, type: number, program: string): Call {
      if (e === undefined) return Errno.ESRCH;
      const s = e.status;
      const running = s.endpoint !== NONE;
      switch (type) {
        case RsRequest.UP:
          if (running || s.state === 'backoff') return Errno.EBUSY;
          if (program !== '') e.updateProgram = program;
          s.failures = 0;
          return yield* start(e, 'fresh');
        case RsRequest.DOWN:
          if (!running) {
            if (s.state !== 'backoff') return Errno.ESRCH;
            e.restartAtCycles = null;
            s.state = 'down';
            s.downSinceCycles = null;
            return yield* dropReplica(e);
          }
          e.pending = 'down';
          return yield sys.sys_kill(s.endpoint, SIGKILL);
        case RsRequest.RESTART:
        case RsRequest.REFRESH:
          if (!running) {
            if (s.state !== 'backoff') return Errno.ESRCH;
            return yield* restart(e, e.lastEndpoint, type === RsRequest.RESTART ? 'restart' : 'fresh');
          }
          e.pending = type === RsRequest.RESTART ? 'restart' : 'refresh';
          return yield sys.sys_kill(s.endpoint, SIGKILL);
        case RsRequest.UPDATE: {
          if (!running || e.pending !== null) return running ? Errno.EBUSY : Errno.ESRCH;
          e.updateProgram = program === '' ? s.program : program;
          e.pending = 'update-prepare';
          out.clear();
          out.type = RS_LU_PREPARE;
          return yield* async.send(s.endpoint, out);
        }
        case RsRequest.CLONE:
          if (!running) return Errno.ESRCH;
          if (s.replica !== NONE) return Errno.EBUSY;
          return yield* start(e, 'restart', true);
        default:
          return Errno.ENOSYS;
      }
    }

    // Boot: the data store first, then the others in boot order.
    const boot = [...entries.values()].filter((e) => e.def.bootOrder !== undefined).sort((a, b) => a.def.bootOrder! - b.def.bootOrder!);
    const dsEntry = entries.get('ds');
    if (dsEntry !== undefined) {
      const r = yield* start(dsEntry, 'fresh');
      if (r === OK) {
        ds = new DsClient(sys, dsEntry.status.endpoint);
        yield* ds.publishU32(labelKey('ds'), dsEntry.status.endpoint >>> 0);
        yield* ds.publishU32(labelKey('rs'), sys.endpoint >>> 0);
      }
    }
    for (const e of boot) if (e !== dsEntry) yield* start(e, 'fresh');

    let nextTick = sys.uptimeCycles() + period;
    for (;;) {
      let wake = nextTick;
      for (const e of entries.values()) if (e.restartAtCycles !== null && e.restartAtCycles < wake) wake = e.restartAtCycles;
      yield sys.sys_setalarm(wake, true);
      const r = yield sys.receive(ANY, m);
      if (r !== OK) continue;
      const now = sys.uptimeCycles();
      if (isNotify(m)) {
        if (m.source === SYSTEM) {
          for (;;) {
            yield sys.sys_getksig(ksig);
            const ev = ksig.event;
            if (ev === null) break;
            yield* childEnded(ev.endpoint, ev.reason, ev.timeCycles);
          }
        } else if (m.source === CLOCK) {
          for (const e of entries.values()) {
            if (e.restartAtCycles !== null && e.restartAtCycles <= now) yield* restart(e, e.lastEndpoint, 'restart');
          }
          if (now >= nextTick) {
            while (nextTick <= now) nextTick += period;
            yield* heartbeat(now);
          }
        } else {
          const e = byEndpoint.get(m.source);
          if (e !== undefined) {
            e.unansweredSince = null;
            const s = e.status;
            if (e.updateStarting) {
              e.updateStarting = false;
              yield* updateDone(e, OK);
            }
            if (s.state === 'starting' || s.state === 'updating') {
              s.state = 'running';
              if (s.downSinceCycles !== null) {
                s.lastDowntimeCycles = now - s.downSinceCycles;
                s.downtimeCycles += s.lastDowntimeCycles;
                s.downSinceCycles = null;
              }
            }
          }
        }
        continue;
      }
      if (m.type === RS_LU_READY) {
        const e = byEndpoint.get(m.source);
        if (e !== undefined && e.pending === 'update-prepare') {
          if (RsLayout.status.get(m) === OK) {
            e.pending = 'update';
            e.status.downSinceCycles = now;
            yield sys.sys_kill(m.source, SIGKILL);
          } else {
            e.pending = null;
            e.updateProgram = null;
            yield* updateDone(e, RsLayout.status.get(m));
          }
        }
        continue;
      }
      const label = readString(m, RS_LABEL_OFFSET, RS_LABEL_BYTES);
      const program = readString(m, RS_PROGRAM_OFFSET, RS_PROGRAM_BYTES);
      const entry = entries.get(label);
      const status = yield* request(entry, m.type, program);
      const caller = m.source;
      if (status === OK && m.type === RsRequest.UPDATE && entry !== undefined) {
        // Answered when the new version runs, or when the update has failed.
        entry.updateCaller = caller;
        continue;
      }
      m.clear();
      m.type = status;
      yield sys.send(caller, m);
    }
  };
}
