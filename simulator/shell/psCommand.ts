// `ps`: the process table as MINIX's ps shows it, with what RS knows of each service.
import { NONE } from '../kernel/constants';
import type { ProcessSummary } from '../protocol/workerProtocol';
import { colour, dim, printable, table, type NamedColour } from './ansi';
import { ShellError, type ShellCommand } from './command';

const STATE_COLOURS: Readonly<Record<string, NamedColour>> = {
  running: 'green',
  ready: 'green',
  stopped: 'yellow',
  starting: 'cyan',
  updating: 'cyan',
  backoff: 'yellow',
  down: 'red',
};

function row(p: ProcessSummary): string[] {
  const state = STATE_COLOURS[p.state];
  return [
    p.endpoint === NONE ? '-' : String(p.endpoint),
    p.label,
    p.group === 'kernel' ? 'kernel' : p.group.replace(/s$/, ''),
    state === undefined ? p.state : colour(state, p.state),
    p.blockedOn ?? '-',
    p.restarts > 0 ? colour('yellow', String(p.restarts)) : String(p.restarts),
    printable(p.lastExit ?? ''),
  ];
}

export const psCommand: ShellCommand = {
  name: 'ps',
  usage: 'ps',
  summary: 'list processes: endpoint, name, state, what each is blocked on, restarts',
  details: [
    'EP is the endpoint (generation and slot; a restarted service gets a new one).',
    'STATE is the kernel\'s view of a live process (running, ready, sending, receiving,',
    'sendrec, stopped) or RS\'s view of a service that is not running (starting,',
    'backoff, down). RESTARTS counts restarts after failures and `service restart`.',
  ],
  needsSystem: true,
  run(args, { system, columns }) {
    if (args.length > 0) throw new ShellError(`takes no arguments (got '${args[0]}')`);
    const processes = system.processes();
    const body = table(
      [
        { title: 'EP', align: 'right' },
        { title: 'NAME' },
        { title: 'TYPE' },
        { title: 'STATE' },
        { title: 'BLOCKED ON' },
        { title: 'RESTARTS', align: 'right' },
        { title: 'LAST EXIT', shrinkable: true },
      ],
      processes.map(row),
      columns,
    );
    const panic = system.sim.panicked;
    const footer = panic === null
      ? dim(`${processes.length} processes, system '${system.name}' (${system.configuration})`)
      : colour('red', `the kernel panicked: ${printable(panic.message)}`);
    return `${body}\n${footer}`;
  },
};
