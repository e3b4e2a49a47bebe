// The reincarnation server, following MINIX's servers/rs: starts the services
// of the system description and learns of their deaths from the kernel
// (SYSTEM notification + GETKSIG). Once a second (RS_DELTA_T) it checks them:
// it pings each service that was given a heartbeat period when more than a
// period has passed since the last ping, and kills one whose last answer is
// more than two periods old; it restarts a failed service at once the first
// time and otherwise after 2, 4, 8, 16, then 30 checks (the binary
// exponential backoff, counted in checks, from the restarts the service has
// had since it was brought up); it gives up on a service that fails during
// its initialisation, and kills one that has not finished it within two
// RS_INIT_T. It also carries out the `service` utility's requests: up, down,
// restart, refresh, update (live update: the old instance waits with its
// state until the new one has taken it over, and carries on if the new one
// fails) and clone. A restarted, refreshed or live-updated service keeps its
// endpoint, as in MINIX 3.4: the new instance is created in the slot of the
// one that ended, or swapped into it (sys_update, RS_SWAP), so clients need no
// new lookup; DS's republished label tells them a new instance runs. RS keeps
// its times in seconds and turns them into cycles once, when it starts.
import {
  ANY, CLOCK, Errno, Message, NONE, OK, PrivCtl, SIGKILL, SYSTEM, isNotify, secondsToCycles,
  type ChildEventOut, type ExitReason, type PrivilegeSpec, type Program, type ProgramArgs, type SpawnRequest, type Sys,
} from '../sdk';
import { DsClient, type Call } from './dsClient';
import {
  RS_LABEL_BYTES, RS_LABEL_OFFSET, RS_LU_PREPARE, RS_PROGRAM_BYTES, RS_PROGRAM_OFFSET, RsLayout, RsRequest, readString,
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
  /** Heartbeat period in seconds (MINIX's `service up -period`); a service without one is never pinged. */
  readonly periodSeconds?: number;
  /**
   * Whether the program reports the end of its initialisation through SEF (every
   * built-in service does; default true). RS counts one that does not as
   * initialised as soon as it has started it.
   */
  readonly sef?: boolean;
}

export type RsServiceState = 'starting' | 'running' | 'backoff' | 'down' | 'updating';

/** What ended the instance a restart replaced. */
export type RsRestartCause = 'crash' | 'heartbeat' | 'restart' | 'refresh';

/** One restart of a service, in cycles. */
export interface RsRestartRecord {
  readonly cause: RsRestartCause;
  /** When the previous instance ended (for a heartbeat kill, when RS killed it). */
  readonly diedAtCycles: number;
  /** When the service stopped serving: its end, or for a heartbeat kill its last answer to a ping. */
  readonly downSinceCycles: number;
  /** When RS started the replacement. */
  readonly restartedAtCycles: number;
  /** When the replacement finished its initialisation; null while it has not. */
  upAtCycles: number | null;
}

/** What RS knows of one service, readable by the host for views and summaries. */
export interface RsServiceStatus {
  readonly label: string;
  endpoint: number;
  program: string;
  state: RsServiceState;
  /** Restarts after a failure or a `service restart`. */
  restarts: number;
  /**
   * MINIX's r_restarts: the restarts (after a failure, a `service restart` or a
   * `service refresh`) that have finished their initialisation since the service
   * was last brought up; it sets the next backoff. Only `service up` zeroes it.
   */
  incarnation: number;
  lastExit: string | undefined;
  /** When each instance ended, and when each replacement was started, in cycles. */
  readonly deathTimesCycles: number[];
  readonly restartTimesCycles: number[];
  /** Every restart and refresh, with its delay and its outage. */
  readonly restartLog: RsRestartRecord[];
  /** Time from when the service stopped serving to a new instance's init done, summed, and the last one. */
  downtimeCycles: number;
  lastDowntimeCycles: number;
  downSinceCycles: number | null;
  heartbeatKills: number;
  /** The heartbeat period in cycles; 0 when the service is not pinged. */
  readonly periodCycles: number;
  /** When RS last heard from the running instance (its init done or an answer to a ping). */
  lastAliveCycles: number | null;
  updates: number;
  replica: number;
  /** MINIX's r_backoff: the checks (every RsTiming.checkSeconds) left before RS restarts the service; 0 when not in backoff. */
  backoffChecks: number;
}

export type RsStatusTable = Map<string, RsServiceStatus>;

/** RS's times, in seconds (MINIX's servers/rs/const.h). */
export interface RsTiming {
  /** RS_DELTA_T: RS checks its services this often; backoffs are counted in these checks. */
  readonly checkSeconds: number;
  /** RS_INIT_T: a service still initialising is killed when more than twice this has passed since it started. */
  readonly initSeconds: number;
  /** MAX_BACKOFF: the longest backoff, in checks. */
  readonly maxBackoffChecks: number;
  /** RS_DEFAULT_PREPARE_MAXTIME: how long a service may take to prepare for a live update. */
  readonly prepareSeconds: number;
}

export const MINIX_RS_TIMING: RsTiming = { checkSeconds: 1, initSeconds: 10, maxBackoffChecks: 30, prepareSeconds: 2 };

export interface RsConfig {
  readonly services: readonly RsServiceDefinition[];
  /** Cycles per second of the simulated clock; RS turns its times into cycles with it once, when it starts. */
  readonly clockHz: number;
  /** Default MINIX's. */
  readonly timing?: RsTiming;
  /**
   * MINIX's binary exponential backoff. Off is MINIX's `-no-bin-exp`: the first
   * restart at once, every later one at the next check.
   */
  readonly restartBackoff: boolean;
  readonly status: RsStatusTable;
  /** Records a restart in the trace (src RS, dst the new endpoint, a the old one). */
  readonly recordRestart: (rs: number, newEndpoint: number, oldEndpoint: number, label: string) => void;
}

/**
 * MINIX's backoff (manager.c, terminate_service): the checks to wait before
 * restarting a service that failed after `incarnation` completed restarts:
 * none the first time, then 2^incarnation checks, at most `maxChecks`; with the
 * exponential backoff off, one check.
 */
export function backoffChecks(incarnation: number, exponential = true, maxChecks = MINIX_RS_TIMING.maxBackoffChecks): number {
  if (incarnation <= 0) return 0;
  if (!exponential) return 1;
  return Math.min(2 ** Math.min(incarnation, 30), maxChecks);
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

/** A live update in progress. */
interface Update {
  readonly program: string;
  /** Who asked; RS answers when the update has succeeded or failed (a late reply). */
  caller: number;
  /** 'prepare': the old instance was asked to reach a safe state; 'init': it waits while the new one initialises. */
  phase: 'prepare' | 'init';
  /** When the current phase began. */
  since: number;
  readonly oldEndpoint: number;
  newEndpoint: number;
}

interface Entry {
  readonly def: RsServiceDefinition;
  readonly status: RsServiceStatus;
  readonly periodCycles: number;
  /** The end RS expects for the running instance, because it was asked for it. */
  pending: 'down' | 'restart' | 'refresh' | null;
  /** The running instance has not yet finished its initialisation (MINIX's RS_INITIALIZING). */
  initializing: boolean;
  /** The running instance replaced a failed or restarted one: its init done counts in `incarnation`. */
  isRestart: boolean;
  /** MINIX's r_alive_tm and r_check_tm: the last sign of life and the last ping. */
  aliveAt: number;
  checkAt: number;
  /** The running instance was killed for not answering (MINIX's RS_NOPINGREPLY). */
  noPingReply: boolean;
  lastEndpoint: number;
  /** Why the previous instance ended and when, for the restart that follows. */
  lastCause: RsRestartCause;
  lastDiedAt: number;
  update: Update | null;
}

export function rsProgram(config: RsConfig): (sys: Sys) => Program {
  return function* rs(sys: Sys): Program {
    // RS's times, turned into cycles once.
    const timing = config.timing ?? MINIX_RS_TIMING;
    const cycles = (seconds: number) => secondsToCycles(seconds, config.clockHz);
    const checkCycles = Math.max(1, cycles(timing.checkSeconds));
    const initCycles = cycles(timing.initSeconds);
    const prepareCycles = cycles(timing.prepareSeconds);

    const entries = new Map<string, Entry>();
    const byEndpoint = new Map<number, Entry>();
    /** Instances RS has ended on purpose and whose death it ignores: the old one after a live update, a failed new one. */
    const retiring = new Set<number>();
    config.status.clear();
    for (const def of config.services) {
      const periodCycles = def.periodSeconds === undefined || !(def.periodSeconds > 0) ? 0 : Math.max(1, cycles(def.periodSeconds));
      const status: RsServiceStatus = {
        label: def.label, endpoint: NONE, program: def.program, state: 'down', restarts: 0, incarnation: 0, lastExit: undefined,
        deathTimesCycles: [], restartTimesCycles: [], restartLog: [], downtimeCycles: 0, lastDowntimeCycles: 0, downSinceCycles: null,
        heartbeatKills: 0, periodCycles, lastAliveCycles: null, updates: 0, replica: NONE, backoffChecks: 0,
      };
      config.status.set(def.label, status);
      entries.set(def.label, {
        def, status, periodCycles, pending: null, initializing: false, isRestart: false, aliveAt: 0, checkAt: 0,
        noPingReply: false, lastEndpoint: NONE, lastCause: 'crash', lastDiedAt: 0, update: null,
      });
    }
    const m = new Message();
    const out = new Message();
    const ksig: ChildEventOut = { event: null };
    const async = new AsyncSender(sys, 32);
    let ds: DsClient | null = null;

    function spawnRequest(e: Entry, program: string, init: InitType, stopped: boolean, keep = NONE): SpawnRequest {
      const args: Record<string, string | number | boolean> = { ...(e.def.args ?? {}), rs: sys.endpoint, [SEF_INIT_ARG]: init };
      if (ds !== null) args['ds'] = ds.endpoint;
      else if (e.def.label === 'ds') args['ds'] = NONE;
      return {
        spec: {
          program, name: e.def.label, privilege: e.def.privilege, priority: e.def.priority, quantumCycles: e.def.quantumCycles,
          kernelMode: e.def.kernelMode, args, stopped,
          ...(e.def.memoryBytes === undefined ? {} : { memoryBytes: e.def.memoryBytes }),
          ...(keep === NONE ? {} : { endpoint: keep }),
        },
        endpoint: NONE,
      };
    }

    /**
     * Starts an instance of the service's program (or of `program`), or a
     * stopped replica. A restart passes the endpoint of the instance that ended
     * (`keep`): the new one takes it, as in MINIX 3.4, so clients go on using the
     * endpoint they know; should its slot have been taken meanwhile, the new
     * instance gets an endpoint of its own, which DS tells clients.
     */
    function* start(e: Entry, init: InitType, isRestart: boolean, program = e.status.program, stopped = false, keep = NONE): Call {
      let req = spawnRequest(e, program, init, stopped, keep);
      let r = yield sys.sys_spawn(req);
      if (r === Errno.EBUSY && keep !== NONE) {
        req = spawnRequest(e, program, init, stopped);
        r = yield sys.sys_spawn(req);
      }
      if (r !== OK) return r;
      if (stopped) {
        e.status.replica = req.endpoint;
        return OK;
      }
      e.status.program = program;
      yield* adopt(e, req.endpoint, isRestart);
      return OK;
    }

    function* adopt(e: Entry, endpoint: number, isRestart: boolean): Call {
      const now = sys.uptimeCycles();
      byEndpoint.set(endpoint, e);
      e.status.endpoint = endpoint;
      e.status.state = 'starting';
      e.initializing = true;
      e.isRestart = isRestart;
      e.aliveAt = now;
      e.checkAt = 0;
      e.noPingReply = false;
      e.status.backoffChecks = 0;
      if (ds !== null) yield* ds.publishLabel(e.def.label, endpoint);
      if (e.def.sef === false) initDone(e, now);
      return OK;
    }

    /** The running instance finished its initialisation (MINIX's do_init_ready and end_srv_init). */
    function initDone(e: Entry, now: number): void {
      const s = e.status;
      e.initializing = false;
      e.aliveAt = now;
      e.checkAt = 0;
      s.lastAliveCycles = now;
      s.state = 'running';
      if (e.isRestart) {
        s.incarnation++;
        const record = s.restartLog.at(-1);
        if (record !== undefined && record.upAtCycles === null) record.upAtCycles = now;
      }
      e.isRestart = false;
      upAgain(s, now);
    }

    function upAgain(s: RsServiceStatus, now: number): void {
      if (s.downSinceCycles === null) return;
      s.lastDowntimeCycles = now - s.downSinceCycles;
      s.downtimeCycles += s.lastDowntimeCycles;
      s.downSinceCycles = null;
    }

    /** Answers the caller of a live update with its outcome, without blocking RS (MINIX's late reply). */
    function* updateDone(u: Update, status: number): Call {
      if (u.caller === NONE) return OK;
      out.clear();
      out.type = status;
      const r = yield sys.sendnb(u.caller, out);
      u.caller = NONE;
      return r;
    }

    function* restart(e: Entry, init: InitType, cause: RsRestartCause): Call {
      const s = e.status;
      const now = sys.uptimeCycles();
      s.restartTimesCycles.push(now);
      s.restartLog.push({ cause, diedAtCycles: e.lastDiedAt, downSinceCycles: s.downSinceCycles ?? e.lastDiedAt, restartedAtCycles: now, upAtCycles: null });
      if (s.replica !== NONE && init === 'restart') {
        let replica = s.replica;
        s.replica = NONE;
        // The replica moves into the slot of the instance that ended and takes its endpoint (RS_SWAP).
        if (e.lastEndpoint !== NONE && (yield sys.sys_update(replica, e.lastEndpoint)) === OK) replica = e.lastEndpoint;
        const r = yield sys.sys_privctl(replica, PrivCtl.ALLOW);
        if (r === OK) {
          config.recordRestart(sys.endpoint, replica, e.lastEndpoint, e.def.label);
          return yield* adopt(e, replica, true);
        }
      }
      const r = yield* start(e, init, true, e.status.program, false, e.lastEndpoint);
      if (r === OK) config.recordRestart(sys.endpoint, s.endpoint, e.lastEndpoint, e.def.label);
      else {
        s.state = 'down';
        s.lastExit = `${s.lastExit ?? 'ended'}; the new instance could not be started (error ${r})`;
      }
      return r;
    }

    function* dropReplica(e: Entry): Call {
      const replica = e.status.replica;
      if (replica === NONE) return OK;
      e.status.replica = NONE;
      retiring.add(replica);
      return yield sys.sys_kill(replica, SIGKILL);
    }

    /** The service is gone until someone brings it up: no replica, and its label unpublished. */
    function* giveUp(e: Entry): Call {
      e.status.state = 'down';
      yield* dropReplica(e);
      if (ds !== null && e.def.label !== 'ds') yield* ds.deleteLabel(e.def.label);
      return OK;
    }

    /** A live update failed: the new instance goes, the old one carries on with its state (MINIX's rollback). */
    function* rollBack(e: Entry, why: string, status: number): Call {
      const u = e.update!;
      e.update = null;
      const s = e.status;
      if (u.newEndpoint !== NONE && byEndpoint.get(u.newEndpoint) === e) {
        byEndpoint.delete(u.newEndpoint);
        retiring.add(u.newEndpoint);
        yield sys.sys_kill(u.newEndpoint, SIGKILL);
      }
      if (u.phase === 'init') {
        out.clear();
        out.type = Errno.EINTR;
        yield sys.sendnb(u.oldEndpoint, out);
      }
      s.state = 'running';
      s.lastExit = `live update to ${u.program} failed (${why}); ${s.program} carries on`;
      upAgain(s, sys.uptimeCycles());
      return yield* updateDone(u, status);
    }

    /** The new version has taken the state over: it becomes the service and the old instance ends. */
    function* commitUpdate(e: Entry, now: number): Call {
      const u = e.update!;
      e.update = null;
      const s = e.status;
      // The new instance takes the old one's slot and endpoint (RS_SWAP); the old one, now at the new one's, ends.
      const swapped = (yield sys.sys_update(u.newEndpoint, u.oldEndpoint)) === OK;
      const endpoint = swapped ? u.oldEndpoint : u.newEndpoint;
      const retired = swapped ? u.newEndpoint : u.oldEndpoint;
      byEndpoint.delete(retired);
      byEndpoint.set(endpoint, e);
      retiring.add(retired);
      yield sys.sys_kill(retired, SIGKILL);
      const from = s.program;
      s.program = u.program;
      s.endpoint = endpoint;
      s.updates++;
      e.isRestart = false;
      initDone(e, now);
      // Republished even at the same endpoint: what the new version did not take over (requests the old one held) clients send again.
      if (ds !== null) yield* ds.publishLabel(e.def.label, endpoint);
      config.recordRestart(sys.endpoint, endpoint, u.oldEndpoint, e.def.label);
      // A replica of the previous version would bring that version back at the next failure.
      if (s.program !== from) yield* dropReplica(e);
      return yield* updateDone(u, OK);
    }

    function* childEnded(endpoint: number, reason: ExitReason, atCycles: number): Call {
      if (retiring.delete(endpoint)) return OK;
      const e = byEndpoint.get(endpoint);
      if (e === undefined) {
        for (const x of entries.values()) if (x.status.replica === endpoint) x.status.replica = NONE;
        return OK;
      }
      const s = e.status;
      const u = e.update;
      if (u !== null && endpoint === u.newEndpoint) {
        // The new version died before it had taken the state over.
        return yield* rollBack(e, `the new instance ${describeExit(reason)}`, Errno.EINTR);
      }
      byEndpoint.delete(endpoint);
      e.lastEndpoint = endpoint;
      e.lastDiedAt = atCycles;
      s.endpoint = NONE;
      s.deathTimesCycles.push(atCycles);
      const heartbeat = e.noPingReply;
      const wasInitializing = e.initializing;
      e.initializing = false;
      e.noPingReply = false;
      s.lastExit = heartbeat
        ? wasInitializing
          ? `did not finish its initialisation within ${2 * timing.initSeconds} s: killed by rs`
          : 'no heartbeat answer for more than two periods: killed by rs'
        : describeExit(reason);
      // A hung service stopped serving when it last answered, not when RS noticed.
      if (s.downSinceCycles === null) s.downSinceCycles = heartbeat ? Math.min(e.aliveAt, atCycles) : atCycles;
      if (u !== null) {
        // The old instance ended during the update: the update has failed, and its end is handled like any other.
        e.update = null;
        if (u.newEndpoint !== NONE && byEndpoint.get(u.newEndpoint) === e) {
          byEndpoint.delete(u.newEndpoint);
          retiring.add(u.newEndpoint);
          yield sys.sys_kill(u.newEndpoint, SIGKILL);
        }
        yield* updateDone(u, Errno.EINTR);
      }
      const pending = e.pending;
      e.pending = null;
      switch (pending) {
        case 'down':
          s.downSinceCycles = null;
          return yield* giveUp(e);
        case 'refresh':
          e.lastCause = 'refresh';
          return yield* restart(e, 'fresh', 'refresh');
        case 'restart':
          s.restarts++;
          e.lastCause = 'restart';
          return yield* restart(e, 'restart', 'restart');
        default:
          break;
      }
      if (wasInitializing) {
        // MINIX gives up on a service that fails during its initialisation.
        s.lastExit = `failed during its initialisation (${s.lastExit}); not restarted`;
        return yield* giveUp(e);
      }
      s.restarts++;
      e.lastCause = heartbeat ? 'heartbeat' : 'crash';
      const wait = backoffChecks(s.incarnation, config.restartBackoff, timing.maxBackoffChecks);
      if (wait === 0) return yield* restart(e, 'restart', e.lastCause);
      s.state = 'backoff';
      e.status.backoffChecks = wait;
      return OK;
    }

    /** MINIX's do_period, once per check. */
    function* period(now: number): Call {
      for (const e of entries.values()) {
        const s = e.status;
        const u = e.update;
        if (u !== null) {
          if (u.phase === 'prepare' && now - u.since > prepareCycles) {
            yield* rollBack(e, `${s.program} did not prepare within ${timing.prepareSeconds} s`, Errno.EINTR);
          } else if (u.phase === 'init' && now - u.since > 2 * initCycles) {
            yield* rollBack(e, `the new instance did not finish its initialisation within ${2 * timing.initSeconds} s`, Errno.EINTR);
          }
          continue;
        }
        if (e.status.backoffChecks > 0) {
          e.status.backoffChecks--;
          if (e.status.backoffChecks === 0) yield* restart(e, 'restart', e.lastCause);
          continue;
        }
        if (s.endpoint === NONE || e.noPingReply) continue;
        const p = e.initializing ? initCycles : e.periodCycles;
        if (p === 0) continue;
        if (e.aliveAt < e.checkAt) {
          // A ping is unanswered: kill the service when its last sign of life is more than two periods old.
          if (now - e.aliveAt > 2 * p) {
            e.noPingReply = true;
            s.heartbeatKills++;
            yield sys.sys_kill(s.endpoint, SIGKILL);
          }
        } else if (now - e.checkAt > p) {
          yield sys.notify(s.endpoint);
          e.checkAt = now;
        }
      }
      return OK;
    }

    function* request(e: Entry | undefined, type: number, program: string, caller: number): Call {
      if (e === undefined) return Errno.ESRCH;
      const s = e.status;
      const running = s.endpoint !== NONE;
      if (e.update !== null && type !== RsRequest.UP) return Errno.EBUSY;
      switch (type) {
        case RsRequest.UP:
          if (running || s.state === 'backoff') return Errno.EBUSY;
          // A service brought up starts afresh, its restarts forgotten (MINIX's init_slot).
          s.incarnation = 0;
          return yield* start(e, 'fresh', false, program === '' ? s.program : program);
        case RsRequest.DOWN:
          if (!running) {
            if (s.state !== 'backoff') return Errno.ESRCH;
            e.status.backoffChecks = 0;
            s.downSinceCycles = null;
            return yield* giveUp(e);
          }
          e.pending = 'down';
          return yield sys.sys_kill(s.endpoint, SIGKILL);
        case RsRequest.RESTART:
        case RsRequest.REFRESH:
          if (!running) {
            if (s.state !== 'backoff') return Errno.ESRCH;
            e.status.backoffChecks = 0;
            if (type === RsRequest.RESTART) return yield* restart(e, 'restart', e.lastCause);
            return yield* restart(e, 'fresh', 'refresh');
          }
          e.pending = type === RsRequest.RESTART ? 'restart' : 'refresh';
          return yield sys.sys_kill(s.endpoint, SIGKILL);
        case RsRequest.UPDATE: {
          if (!running) return Errno.ESRCH;
          if (e.pending !== null || e.initializing) return Errno.EBUSY;
          // Every process holds the data store's endpoint, and a new instance would have another.
          if (e.def.label === 'ds') return Errno.EPERM;
          e.update = { program: program === '' ? s.program : program, caller, phase: 'prepare', since: sys.uptimeCycles(), oldEndpoint: s.endpoint, newEndpoint: NONE };
          out.clear();
          out.type = RS_LU_PREPARE;
          const r = yield* async.send(s.endpoint, out);
          if (r !== OK) e.update = null;
          return r;
        }
        case RsRequest.CLONE:
          if (!running) return Errno.ESRCH;
          if (s.replica !== NONE) return Errno.EBUSY;
          return yield* start(e, 'restart', true, s.program, true);
        default:
          return Errno.ENOSYS;
      }
    }

    /** The old instance is ready for a live update (it waits in SENDREC for RS's verdict). */
    function* prepared(source: number, status: number, now: number): Call {
      const e = byEndpoint.get(source);
      const u = e?.update ?? null;
      if (e === undefined || u === null || u.phase !== 'prepare' || u.oldEndpoint !== source) {
        // The update was called off meanwhile: the instance carries on.
        out.clear();
        out.type = Errno.EINTR;
        return yield sys.sendnb(source, out);
      }
      if (status !== OK) {
        out.clear();
        out.type = status;
        yield sys.sendnb(source, out);
        return yield* rollBack(e, `${e.status.program} could not save its state (error ${status})`, status);
      }
      const s = e.status;
      u.phase = 'init';
      u.since = now;
      s.state = 'updating';
      s.downSinceCycles = now;
      const req = spawnRequest(e, u.program, 'live-update', false);
      const r = yield sys.sys_spawn(req);
      if (r !== OK) return yield* rollBack(e, `the new instance could not be started (error ${r})`, r);
      u.newEndpoint = req.endpoint;
      byEndpoint.set(req.endpoint, e);
      if (e.def.sef === false) return yield* commitUpdate(e, now);
      return OK;
    }

    // Boot: the data store first, then the others in boot order.
    const boot = [...entries.values()].filter((e) => e.def.bootOrder !== undefined).sort((a, b) => a.def.bootOrder! - b.def.bootOrder!);
    const dsEntry = entries.get('ds');
    if (dsEntry !== undefined) {
      const r = yield* start(dsEntry, 'fresh', false);
      if (r === OK) {
        ds = new DsClient(sys, dsEntry.status.endpoint);
        yield* ds.publishLabel('ds', dsEntry.status.endpoint);
        yield* ds.publishLabel('rs', sys.endpoint);
      }
    }
    for (const e of boot) if (e !== dsEntry) yield* start(e, 'fresh', false);

    // RS's checks fall on whole multiples of RS_DELTA_T of simulated time.
    const nextCheck = (now: number) => (Math.floor(now / checkCycles) + 1) * checkCycles;
    let checkAt = nextCheck(sys.uptimeCycles());
    yield sys.sys_setalarm(checkAt, true);
    for (;;) {
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
          if (now >= checkAt) {
            checkAt = nextCheck(now);
            // As MINIX's do_period takes the time of the alarm's notification, the check's own time counts, not when RS got to it.
            yield* period(checkAt - checkCycles);
          }
          yield sys.sys_setalarm(checkAt, true);
        } else {
          // A sign of life: the end of an initialisation, or an answer to a ping.
          const e = byEndpoint.get(m.source);
          if (e === undefined) continue;
          const u = e.update;
          if (u !== null && m.source === u.newEndpoint) {
            if (u.phase === 'init') yield* commitUpdate(e, now);
            continue;
          }
          e.aliveAt = now;
          e.status.lastAliveCycles = now;
          if (e.initializing) initDone(e, now);
        }
        continue;
      }
      // A service answers RS_LU_PREPARE with a message of the same type when it is ready (or not).
      if (m.type === RS_LU_PREPARE) {
        yield* prepared(m.source, RsLayout.status.get(m), now);
        continue;
      }
      const label = readString(m, RS_LABEL_OFFSET, RS_LABEL_BYTES);
      const program = readString(m, RS_PROGRAM_OFFSET, RS_PROGRAM_BYTES);
      const entry = entries.get(label);
      const caller = m.source;
      const status = yield* request(entry, m.type, program, caller);
      // An accepted update is answered when it has succeeded or failed.
      if (status === OK && m.type === RsRequest.UPDATE) continue;
      m.clear();
      m.type = status;
      yield sys.send(caller, m);
    }
  };
}
