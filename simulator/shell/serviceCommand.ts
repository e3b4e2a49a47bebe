// `service`: MINIX's service utility (up, down, restart, refresh, update,
// clone) and its fault injection (fi). A request goes to RS through the
// simulated `service` program, so it takes effect only as the system runs:
// the command runs the system forward, for at most one second of simulated
// time, until RS has answered and done what was asked, and says how long it ran.
import { NONE, OK, statusName } from '../kernel/constants';
import { INJECTABLE_FAULTS, isInjectableFault, type FaultParams } from '../faults/injector';
import type { ServiceOperation } from '../programs/service';
import type { RsServiceStatus } from '../services/rs';
import type { RunningSystem } from '../system/boot';
import { formatDuration, secondsToCycles } from '../time/time';
import { bold, colour, dim, printable } from './ansi';
import { ShellError, type Advance, type ShellCommand } from './command';

/** The longest the console runs the system for one `service` command. */
export const SERVICE_RUN_LIMIT_SECONDS = 1;
/** The system runs in slices this long between checks of whether RS is done. */
const SLICE_CYCLES = 20_000;

const OPERATIONS: readonly ServiceOperation[] = ['up', 'down', 'restart', 'refresh', 'update', 'clone'];
const SUBCOMMANDS = [...OPERATIONS, 'fi'] as const;

const ERRNO_MEANING: Readonly<Record<string, string>> = {
  ESRCH: 'the service is not running',
  EBUSY: 'the service is busy (already running, restarting or being updated)',
  EINVAL: 'RS refused the request as malformed',
  ENOSYS: 'RS does not know this request',
  EPERM: 'the request is not allowed',
  ECALLDENIED: 'the service utility may not call RS',
  EDEADSRCDST: 'RS is not running',
};

interface RunOutcome {
  readonly ranCycles: number;
  readonly stop: 'done' | 'limit' | 'paused' | 'panic' | 'idle';
}

/** Runs the system in small slices until `done()` holds, the limit is reached, or it cannot run on. */
function runUntil(system: RunningSystem, done: () => boolean, limitCycles: number): RunOutcome {
  const start = system.nowCycles;
  for (;;) {
    if (done()) return { ranCycles: system.nowCycles - start, stop: 'done' };
    if (system.sim.panicked !== null) return { ranCycles: system.nowCycles - start, stop: 'panic' };
    const ran = system.nowCycles - start;
    if (ran >= limitCycles) return { ranCycles: ran, stop: 'limit' };
    const r = system.run({ untilCycles: start + Math.min(limitCycles, ran + SLICE_CYCLES) });
    if (r.reason === 'paused' || r.reason === 'idle') return { ranCycles: system.nowCycles - start, stop: done() ? 'done' : r.reason };
  }
}

interface Snapshot {
  endpoint: number;
  restarts: number;
  state: string;
  updates: number;
  replica: number;
  lastExit: string | undefined;
  /** Restarts and refreshes so far: a new instance keeps the endpoint, so this, not the endpoint, tells one came. */
  instances: number;
}

function snapshot(s: RsServiceStatus): Snapshot {
  return { endpoint: s.endpoint, restarts: s.restarts, state: s.state, updates: s.updates, replica: s.replica, lastExit: s.lastExit, instances: s.restartLog.length };
}

function endpointText(endpoint: number): string {
  return endpoint === NONE ? 'none' : String(endpoint);
}

/** "endpoint 7 kept" (MINIX 3.4 keeps it across restarts and updates), or "endpoint 7 → 12" when the old slot was taken. */
function endpointChange(before: Snapshot, after: Snapshot): string {
  return after.endpoint === before.endpoint ? `endpoint ${after.endpoint} kept` : `endpoint ${endpointText(before.endpoint)} → ${after.endpoint}`;
}

function knownLabels(system: RunningSystem): string[] {
  return [...system.rsStatus.keys()].sort();
}

function statusOf(system: RunningSystem, label: string): RsServiceStatus {
  const s = system.rsStatus.get(label);
  if (s !== undefined) return s;
  const hint = label === 'rs' ? 'RS does not manage itself; ' : '';
  throw new ShellError(`no service '${label}': ${hint}the services RS manages are ${knownLabels(system).join(', ')}`);
}

/** How far the command may run the system; throws when the system takes no requests. */
function runLimit(system: RunningSystem, advance: Advance): number | 'paused' {
  const panic = system.sim.panicked;
  if (panic !== null) throw new ShellError(`the system has panicked (${printable(panic.message)}); start it again`);
  if (advance.kind === 'refused') throw new ShellError(advance.reason);
  if (advance.kind === 'paused') return 'paused';
  const limit = secondsToCycles(SERVICE_RUN_LIMIT_SECONDS, system.clockHz);
  return Math.max(0, Math.min(limit, advance.limitCycles ?? limit));
}

const PAUSED_NOTE = 'the system is paused: RS acts when it resumes (Microkernel Lab: Resume System)';

function ranNote(outcome: RunOutcome, system: RunningSystem): string {
  const why = outcome.stop === 'paused' ? ', then stopped at a breakpoint' : outcome.stop === 'panic' ? ', then the kernel panicked' : '';
  return dim(`(ran the system ${formatDuration(outcome.ranCycles, system.clockHz)} of simulated time while RS acted${why}; now at ${formatDuration(system.nowCycles, system.clockHz)})`);
}

function operation(op: ServiceOperation, args: readonly string[], system: RunningSystem, advance: Advance): string {
  if (args.length < 1) throw new ShellError(`usage: service ${op} <label>${op === 'update' || op === 'up' ? ' [program]' : ''}`);
  const label = args[0]!;
  const program = args[1];
  if (args.length > (op === 'update' || op === 'up' ? 2 : 1)) throw new ShellError(`too many arguments for 'service ${op}'`);
  const status = statusOf(system, label);
  const limit = runLimit(system, advance);
  const before = snapshot(status);
  const live = (): RsServiceStatus => system.rsStatus.get(label) ?? status;
  const utility = system.service(op, label, program);
  if (utility < 0) throw new ShellError(`the service utility could not be started (${statusName(utility)})`);
  const head = bold(`service ${op} ${label}:`);
  if (limit === 'paused') return `${head} sent to RS (service utility at endpoint ${utility})\n${colour('yellow', PAUSED_NOTE)}`;
  let answer: number | undefined;
  let answerText = '';
  const unsubscribe = system.sim.on('processEnded', (e) => {
    if (e.endpoint !== utility) return;
    answer = e.reason.kind === 'exit' ? e.reason.status : Number.NaN;
    if (e.reason.kind !== 'exit') answerText = e.reason.kind;
  });
  const settled = (): boolean => {
    const s = live();
    switch (op) {
      case 'up':
        return s.state === 'running' && s.endpoint !== NONE;
      case 'down':
        return s.state === 'down';
      case 'restart':
      case 'refresh':
        return s.state === 'running' && s.endpoint !== NONE && s.restartLog.length > before.instances;
      case 'update':
        return s.state === 'running' && s.updates > before.updates;
      case 'clone':
        return s.replica !== NONE;
    }
  };
  let outcome: RunOutcome;
  try {
    outcome = runUntil(system, () => answer !== undefined && (answer !== OK || settled()), limit);
  } finally {
    unsubscribe();
  }
  if (answer === undefined) {
    return `${head} ${colour('yellow', `RS has not answered within ${formatDuration(outcome.ranCycles, system.clockHz)}`)}\n${ranNote(outcome, system)}`;
  }
  if (Number.isNaN(answer)) return `${head} ${colour('red', `the service utility ended without an answer (${answerText})`)}\n${ranNote(outcome, system)}`;
  if (answer !== OK) {
    const name = statusName(answer);
    const meaning = ERRNO_MEANING[name];
    // RS answers an update it accepted only when it is over; a failure then says what happened.
    const failed = op === 'update' && live().updates === before.updates && live().lastExit !== before.lastExit ? live().lastExit : undefined;
    const text = failed !== undefined ? `live update failed: ${name}; ${failed}` : `RS refused: ${name}${meaning === undefined ? '' : ` (${meaning})`}`;
    return `${head} ${colour('red', text)}\n${ranNote(outcome, system)}`;
  }
  const after = snapshot(live());
  let what: string;
  switch (op) {
    case 'up':
      what = settled() ? `${label} is up as endpoint ${after.endpoint}` : `RS accepted; ${label} is ${after.state}`;
      break;
    case 'down':
      what = settled() ? `${label} is down (it was endpoint ${endpointText(before.endpoint)})` : `RS accepted; ${label} is ${after.state}`;
      break;
    case 'restart':
    case 'refresh':
      what = settled()
        ? `${label} ${op === 'restart' ? 'restarted' : 'refreshed'}: ${endpointChange(before, after)}, restarts ${before.restarts} → ${after.restarts}`
        : `RS accepted; ${label} is ${after.state} (endpoint ${endpointText(after.endpoint)})`;
      break;
    case 'update':
      what = settled()
        ? `${label} updated live: ${endpointChange(before, after)}, state transferred`
        : `RS accepted; ${label} is ${after.state}`;
      break;
    case 'clone':
      what = settled() ? `${label} cloned: a stopped replica waits as endpoint ${after.replica}` : `RS accepted; no replica yet`;
      break;
  }
  return `${head} ${colour(settled() ? 'green' : 'yellow', what)}\n${ranNote(outcome, system)}`;
}

function parseParams(words: readonly string[]): FaultParams {
  const params: Record<string, string | number | boolean> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new ShellError(`fault parameters are key=value (got '${w}')`);
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    params[key] = /^-?[0-9]+$/.test(value) || /^0x[0-9a-f]+$/i.test(value) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value;
  }
  return params;
}

function injectFault(args: readonly string[], system: RunningSystem, advance: Advance): string {
  if (args.length < 2) throw new ShellError(`usage: service fi <label> <${INJECTABLE_FAULTS.join('|')}> [key=value…]`);
  const [label, type] = [args[0]!, args[1]!];
  const status = statusOf(system, label);
  if (!isInjectableFault(type)) throw new ShellError(`unknown fault type '${type}' (types: ${INJECTABLE_FAULTS.join(', ')})`);
  const params = parseParams(args.slice(2));
  const limit = runLimit(system, advance);
  const before = snapshot(status);
  const live = (): RsServiceStatus => system.rsStatus.get(label) ?? status;
  const blockedBefore = system.iommuState()?.faultCount ?? 0;
  const seq = system.faults.length;
  system.injectFault(label, type, params);
  const record = system.faults[seq];
  const head = bold(`service fi ${label} ${type}:`);
  if (record === undefined) throw new ShellError('the fault injector did not record the fault');
  if (record.skipped !== null) return `${head} ${colour('red', `not injected: ${record.skipped}`)}`;
  if (limit === 'paused') return `${head} armed in ${label} (endpoint ${record.endpoint})\n${colour('yellow', 'the system is paused: the fault strikes when it resumes and the service next runs')}`;
  // Done once RS has dealt with the instance's end: a new instance runs, or RS waits (backoff) or gave up (down).
  const handled = () => {
    const s = live();
    return (s.restartLog.length > before.instances && s.state === 'running') || s.state === 'backoff' || s.state === 'down';
  };
  const outcome = runUntil(system, () => record.skipped !== null || (record.appliedAtCycles !== null && handled()), limit);
  const lines = [`${head} armed in ${label} (endpoint ${record.endpoint})`];
  if (record.skipped !== null) lines.push(colour('red', `not injected: ${record.skipped}`));
  else if (record.appliedAtCycles === null) lines.push(colour('yellow', `${label} has not run since; the fault waits for its next turn`));
  else lines.push(`took effect at ${formatDuration(record.appliedAtCycles, system.clockHz)} of simulated time`);
  const blocked = (system.iommuState()?.faultCount ?? 0) - blockedBefore;
  if (type === 'wild-dma' && blocked > 0) lines.push(colour('green', `the IOMMU blocked ${blocked} transfer${blocked === 1 ? '' : 's'} meanwhile (see iommu)`));
  const after = snapshot(live());
  const lastExit = live().lastExit;
  if (after.instances > before.instances && after.state === 'running') {
    lines.push(colour('green', `RS restarted ${label}: ${endpointChange(before, after)}, restarts ${before.restarts} → ${after.restarts}`));
  } else if (after.state !== 'running') {
    lines.push(colour('yellow', `${label} is ${after.state}${lastExit === undefined ? '' : ` (${printable(lastExit)})`}`));
  } else if (record.appliedAtCycles !== null) {
    const period = live().periodCycles;
    const hangNote =
      type !== 'hang'
        ? ''
        : period === 0
          ? `; RS does not ping ${label} (it has no heartbeat period), so it will not notice the hang`
          : `; RS kills it at its first check more than two heartbeat periods (${formatDuration(2 * period, system.clockHz)}) after its last answer`;
    lines.push(`${label} is still running as endpoint ${after.endpoint}${hangNote}`);
  }
  lines.push(ranNote(outcome, system));
  return lines.join('\n');
}

export const serviceCommand: ShellCommand = {
  name: 'service',
  usage: 'service <operation> <label> [args]',
  summary: 'ask the reincarnation server to start, stop, restart, update a service, or inject a fault',
  details: [
    'service up <label> [program]       start a service that is down',
    'service down <label>               stop it; RS does not bring it back',
    'service restart <label>            kill it and start a new instance (counts as a restart)',
    'service refresh <label>            the same, without counting a restart',
    'service update <label> [program]   live update: the new instance gets the old one\'s state',
    'service clone <label>              start a stopped replica that takes over on the next failure',
    `service fi <label> <type> [k=v…]   inject a fault: ${INJECTABLE_FAULTS.join(', ')}`,
    '',
    'The request goes to RS as MINIX\'s service utility sends it; the console runs the',
    'system forward (at most one second of simulated time) until RS has acted.',
  ],
  needsSystem: true,
  run(args, { system, advance = { kind: 'run' } }) {
    const sub = args[0];
    if (sub === undefined) throw new ShellError(`usage: ${serviceCommand.usage}`);
    if (sub === 'fi') return injectFault(args.slice(1), system, advance);
    if (!(OPERATIONS as readonly string[]).includes(sub)) throw new ShellError(`unknown operation '${sub}' (operations: ${SUBCOMMANDS.join(', ')})`);
    return operation(sub as ServiceOperation, args.slice(1), system, advance);
  },
  complete(before, { system }) {
    if (before.length === 0) return SUBCOMMANDS;
    if (before.length === 1) return system === undefined ? [] : knownLabels(system);
    if (before.length === 2 && before[0] === 'fi') return INJECTABLE_FAULTS;
    return [];
  },
};
