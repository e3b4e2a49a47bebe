// The files "New Driver" writes: a working driver of the user's own, its
// MINIX-style .conf (its privileges) and a scenario that runs it beside the
// default system and crashes it once, so the user sees the reincarnation
// server bring it back. Pure data: the extension writes the files, a unit
// test runs them through `mklab run`.

/** MINIX's label rules as RS applies them: a letter, then letters, digits, '_' or '-', at most 16 characters. */
const LABEL = /^[a-z][a-z0-9_-]{0,15}$/;

/** Labels the default system already uses; a driver of that name would clash with a built-in service. */
const TAKEN = ['rs', 'ds', 'vfs', 'inet', 'nic', 'disk', 'cdrom', 'isofs', 'printer', 'amddev', 'pm', 'vm', 'tty', 'service'];

/** Why `label` cannot name a new driver, or undefined if it can. */
export function driverLabelProblem(label: string): string | undefined {
  if (!LABEL.test(label)) return `'${label}' is not a MINIX label: start with a lower-case letter, then letters, digits, '_' or '-', at most 16 characters`;
  if (TAKEN.includes(label)) return `'${label}' is the label of a built-in service; choose another`;
  return undefined;
}

export interface DriverFiles {
  /** Paths relative to the folder the files go in. */
  readonly driver: { readonly path: string; readonly text: string };
  readonly conf: { readonly path: string; readonly text: string };
  readonly scenario: { readonly path: string; readonly text: string };
}

/** The three files of a new driver named `label` (check it with driverLabelProblem first). */
export function driverTemplate(label: string): DriverFiles {
  const driver = `// ${label}: a driver of your own, run by Microkernel Lab as MINIX runs its drivers:
// a user-mode process started by the reincarnation server (RS) with the
// privileges in ${label}.conf, restarted by RS when it crashes.
//
// It wakes every 100 ms of simulated time on an alarm from the kernel's CLOCK
// task, does a little work, and answers any process that sends it a message
// with the number of ticks so far. Run it with Start System (or
// \`mklab run ${label}.mklab.json\`), set breakpoints here and debug it with
// Run and Debug, and see docs/drivers.md for more.
import { ANY, CLOCK, Message, OK, isNotify, type Program, type Sys } from 'microkernel-lab';

/** Cycles of work per tick, charged to this driver as a real driver's computation would be. */
const WORK_PER_TICK = 20_000;

// A Program is a generator of kernel calls, resumed with each call's status.
export function* main(sys: Sys): Program {
  const period = Math.round(sys.clockHz / 10);
  const m = new Message();
  let ticks = 0;
  yield sys.sys_setalarm(period);
  for (;;) {
    const r = yield sys.receive(ANY, m);
    if (r !== OK) continue;
    if (m.source === CLOCK && isNotify(m)) {
      ticks++;
      yield sys.compute(WORK_PER_TICK);
      yield sys.sys_setalarm(period);
      continue;
    }
    // Any other message is a request: answer with the tick count.
    const caller = m.source;
    m.clear();
    m.type = ticks;
    yield sys.sendnb(caller, m);
  }
}
`;
  const conf = `# The privileges of ${label}, as in a MINIX per-driver .conf file: the
# kernel calls it may make (the basic ones: alarms, uptime...) and whom it may
# send messages to.
service ${label}
{
	system BASIC;
	ipc SYSTEM rs ds;
};
`;
  const scenario = {
    name: label,
    description: `The default system with the driver ${label}; at 2 s the driver crashes (an injected fault) and the reincarnation server restarts it.`,
    system: 'default',
    configuration: 'microkernel-iommu',
    seed: 1,
    duration: '10s',
    userDrivers: [`drivers/${label}.ts`],
    workload: [{ kind: 'packet-stream', ratePerSecond: 1000, sizeBytes: 1500, direction: 'tx' }],
    faults: [{ at: '2s', target: label, type: 'crash' }],
    options: { heartbeatPeriod: '5s', restartBackoff: true },
  };
  return {
    driver: { path: `drivers/${label}.ts`, text: driver },
    conf: { path: `drivers/${label}.conf`, text: conf },
    scenario: { path: `${label}.mklab.json`, text: JSON.stringify(scenario, null, 2) + '\n' },
  };
}

/**
 * The editor's typings for the drivers New Driver writes: the SDK's declarations (the build's
 * dist/sdk/microkernel-lab.d.ts, copied into the workspace and refreshed when the extension's copy
 * changes) and a tsconfig.json beside the drivers that maps `microkernel-lab` to them, written only
 * if there is none. Relative paths, so the folder type-checks wherever it is and without the
 * extension's install path (which changes with every version): `tsc -p drivers` works in CI too.
 */
export const DRIVER_SDK_TYPES_PATH = 'drivers/.mklab/microkernel-lab.d.ts';

export const DRIVER_TSCONFIG = {
  path: 'drivers/tsconfig.json',
  text: `{
  // Written by Microkernel Lab's New Driver, for the editor: type-checking and completion in the
  // drivers of this folder. 'microkernel-lab', the SDK a driver imports, is typed by
  // .mklab/microkernel-lab.d.ts, which the extension keeps up to date; edit the rest as you like.
  "compilerOptions": {
    "target": "ES2022",
    "module": "ESNext",
    "moduleResolution": "Bundler",
    // A driver runs with the language's built-ins only (no DOM, no Node.js); the SDK declares its console.
    "lib": ["ES2023"],
    "types": [],
    "paths": { "microkernel-lab": ["./.mklab/microkernel-lab.d.ts"] },
    "strict": true,
    // Microkernel Lab strips the types of each file on its own, and runs the drivers itself.
    "isolatedModules": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "allowJs": true
  }
}
`,
} as const;
