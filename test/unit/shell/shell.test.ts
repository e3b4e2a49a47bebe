// The console's shell over a booted system: ps, service (through RS, running
// the system forward), trace tail, iommu, ls and cat of the CD, completion,
// and errors that come back as text, never as exceptions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NONE } from '../../../simulator/kernel/constants';
import { BUILTIN_CD_FILES, buildIsoImage } from '../../../simulator/services/isofs/isoBuilder';
import { stripAnsi, visibleWidth } from '../../../simulator/shell/ansi';
import type { ShellContext } from '../../../simulator/shell/command';
import { SERVICE_RUN_LIMIT_SECONDS } from '../../../simulator/shell/serviceCommand';
import { secondsToCycles } from '../../../simulator/time/time';
import { NO_SYSTEM_MESSAGE, completeLine, executeLine } from '../../../simulator/shell/shell';
import { bootSystem, type RunningSystem } from '../../../simulator/system/boot';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { utf8Encode } from '../../../simulator/core/utf8';

/** Long enough for RS to have started every service. */
const BOOTED_SECONDS = 0.05;

function booted(name: string, seconds = BOOTED_SECONDS, configuration?: 'microkernel'): RunningSystem {
  const scenario = builtinScenario(name);
  const system = bootScenario(configuration === undefined ? scenario : { ...scenario, configuration });
  system.run({ untilCycles: secondsToCycles(seconds, system.clockHz) });
  return system;
}

function run(system: RunningSystem | undefined, line: string, extra: Partial<ShellContext> = {}): string {
  return stripAnsi(executeLine(line, { system, columns: 120, ...extra }));
}

interface PsRow {
  endpoint: string;
  name: string;
  type: string;
  state: string;
  blockedOn: string;
  restarts: number;
}

/** Parses `ps` output back into rows (columns are separated by at least two spaces; LAST EXIT may be empty). */
function psRows(output: string): PsRow[] {
  const lines = output.split('\n');
  assert.match(lines[0]!, /^\s*EP\s+NAME\s+TYPE\s+STATE\s+BLOCKED ON\s+RESTARTS\s+LAST EXIT$/);
  return lines.slice(1, -1).map((line) => {
    const cells = line.trim().split(/ {2,}/);
    return { endpoint: cells[0]!, name: cells[1]!, type: cells[2]!, state: cells[3]!, blockedOn: cells[4]!, restarts: Number(cells[5]) };
  });
}

function psRow(system: RunningSystem, name: string): PsRow {
  const row = psRows(run(system, 'ps')).find((r) => r.name === name);
  assert.ok(row, `no ${name} row in ps`);
  return row;
}

describe('shell without a system', () => {
  it('says how to start one for every command that needs one', () => {
    for (const line of ['ps', 'service restart nic', 'trace tail', 'iommu', 'ls', 'cat /README.TXT']) {
      const name = line.split(' ')[0]!;
      assert.equal(run(undefined, line), `${name}: ${NO_SYSTEM_MESSAGE}`);
    }
  });

  it('answers help, and explains a single command', () => {
    const help = run(undefined, 'help');
    for (const c of ['ps', 'service', 'trace tail', 'iommu', 'ls', 'cat', 'help', 'clear']) assert.match(help, new RegExp(`^  ${c}`, 'm'));
    assert.match(run(undefined, 'help service'), /service restart <label>/);
    assert.equal(run(undefined, 'help nope'), "help: no command 'nope' (type help for the list)");
  });

  it('names an unknown command and ignores an empty line', () => {
    assert.equal(run(undefined, 'frobnicate --now'), 'frobnicate: command not found (type help for the list)');
    assert.equal(run(undefined, '   '), '');
  });

  it('reports a quoting mistake instead of guessing', () => {
    assert.equal(run(undefined, `cat '/README.TXT`), 'sh: unterminated single quote');
  });
});

describe('ps', () => {
  it('lists every process with endpoint, name, type, state, what it waits on and restarts', () => {
    const system = booted('s1');
    const rows = psRows(run(system, 'ps'));
    const names = rows.map((r) => r.name);
    for (const n of ['kernel', 'system', 'clock', 'rs', 'ds', 'nic', 'inet', 'disk', 'cdrom', 'isofs', 'vfs', 'packet-stream']) assert.ok(names.includes(n), `${n} missing from ps`);
    const nic = rows.find((r) => r.name === 'nic')!;
    assert.equal(Number(nic.endpoint), system.sim.endpointOf('nic'));
    assert.equal(nic.type, 'driver');
    assert.equal(nic.restarts, 0);
    const stream = rows.find((r) => r.name === 'packet-stream')!;
    assert.equal(stream.state, 'receiving');
    assert.equal(stream.blockedOn, 'CLOCK');
  });

  it('fits a long LAST EXIT into the terminal width', () => {
    const system = booted('s1');
    run(system, 'service fi nic crash');
    const wide = run(system, 'ps', { columns: 200 });
    assert.match(wide, /crashed: Error: injected fault: crash/);
    const narrow = run(system, 'ps', { columns: 80 });
    for (const line of narrow.split('\n').slice(0, -1)) assert.ok(visibleWidth(line) <= 80, `too wide for 80 columns: ${line}`);
    assert.match(narrow, / {2}crashed: .*…$/m);
  });
});

describe('service', () => {
  it('restart: RS kills the NIC driver and starts a new instance at the same endpoint (MINIX 3.4); ps shows it and one restart', () => {
    const system = booted('s1');
    const oldEndpoint = system.sim.endpointOf('nic')!;
    const oldInstance = system.sim.kernel.procOf(oldEndpoint)!.instance;
    const before = system.nowCycles;
    const out = run(system, 'service restart nic');
    const newEndpoint = system.sim.endpointOf('nic')!;
    assert.equal(newEndpoint, oldEndpoint);
    assert.notEqual(system.sim.kernel.procOf(newEndpoint)!.instance, oldInstance, 'a new process runs there');
    assert.match(out, new RegExp(`^service restart nic: nic restarted: endpoint ${oldEndpoint} kept, restarts 0 → 1$`, 'm'));
    assert.match(out, /ran the system .* of simulated time while RS acted/);
    assert.ok(system.nowCycles > before && system.nowCycles - before < secondsToCycles(SERVICE_RUN_LIMIT_SECONDS, system.clockHz), 'ran forward a little, not to the limit');
    const row = psRow(system, 'nic');
    assert.equal(Number(row.endpoint), newEndpoint);
    assert.equal(row.restarts, 1);
  });

  it('update: success once the new version runs; a failed update says why and the old version runs on', () => {
    const system = booted('s1');
    const oldEndpoint = system.sim.endpointOf('nic')!;
    const ok = run(system, 'service update nic');
    assert.match(ok, new RegExp(`^service update nic: nic updated live: endpoint ${oldEndpoint} kept, state transferred$`, 'm'));
    const updatedEndpoint = system.sim.endpointOf('nic')!;
    const failed = run(system, 'service update nic nosuch');
    assert.match(failed, /^service update nic: live update failed: ESRCH; live update to nosuch failed \(the new instance could not be started \(error -3\)\); nic carries on$/m);
    const status = system.serviceStatus('nic')!;
    assert.equal(status.program, 'nic');
    assert.equal(status.endpoint, updatedEndpoint, 'the old version ran on, never stopped');
  });

  it('down and up: the service goes away and comes back under a new endpoint', () => {
    const system = booted('s1');
    assert.match(run(system, 'service down printer'), /^service down printer: printer is down/);
    assert.equal(system.sim.endpointOf('printer'), undefined);
    assert.equal(psRow(system, 'printer').state, 'down');
    assert.match(run(system, 'service up printer'), /^service up printer: printer is up as endpoint \d+/);
    assert.ok(system.sim.endpointOf('printer') !== undefined);
  });

  it('passes on RS\'s refusal with MINIX\'s error name', () => {
    const system = booted('s1');
    assert.match(run(system, 'service up nic'), /^service up nic: RS refused: EBUSY \(the service is busy/);
  });

  it('fi: a crash is injected, takes effect, and RS restarts the driver', () => {
    const system = booted('s1');
    const oldEndpoint = system.sim.endpointOf('nic')!;
    const out = run(system, 'service fi nic crash');
    assert.match(out, new RegExp(`armed in nic \\(endpoint ${oldEndpoint}\\)`));
    assert.match(out, /took effect at/);
    assert.match(out, new RegExp(`RS restarted nic: endpoint ${oldEndpoint} kept, restarts 0 → 1`));
    assert.equal(system.faults.at(-1)?.type, 'crash');
    assert.equal(psRow(system, 'nic').restarts, 1);
  });

  it('fi: a wild DMA is blocked by the IOMMU and said so', () => {
    const system = booted('s1');
    const out = run(system, 'service fi nic wild-dma target=kernel');
    assert.match(out, /the IOMMU blocked 1 transfer meanwhile/);
    assert.equal(system.iommuState()?.faultCount, 1);
  });

  it('refuses unknown labels, operations, fault types and malformed arguments with a clear message', () => {
    const system = booted('s1');
    const t = system.nowCycles;
    assert.match(run(system, 'service restart foo'), /^service: no service 'foo': the services RS manages are .*\bnic\b/);
    assert.match(run(system, 'service restart rs'), /RS does not manage itself/);
    assert.match(run(system, 'service reboot nic'), /^service: unknown operation 'reboot' \(operations: up, down, restart, refresh, update, clone, fi\)/);
    assert.match(run(system, 'service fi nic melt'), /^service: unknown fault type 'melt' \(types: crash, hang, wild-write, wild-dma, resource-leak, bad-ipc-args, bad-kernel-call-args, irq-fault, corrupt-source, corrupt-destination, corrupt-pointer, skip-init, remove-instruction, remove-branch, invert-loop\)/);
    assert.match(run(system, 'service fi nic crash nokey'), /key=value/);
    assert.match(run(system, 'service restart'), /^service: usage: service restart <label>/);
    assert.match(run(system, 'service restart nic extra'), /too many arguments/);
    assert.equal(run(system, 'service'), 'service: usage: service <operation> <label> [args]');
    assert.equal(system.nowCycles, t, 'a refused command does not run the system');
  });

  it('only sends the request while the session is paused, and RS acts once the system runs', () => {
    const system = booted('s1');
    const t = system.nowCycles;
    const oldEndpoint = system.sim.endpointOf('nic');
    const out = run(system, 'service restart nic', { advance: { kind: 'paused' } });
    assert.match(out, /^service restart nic: sent to RS/);
    assert.match(out, /the system is paused: RS acts when it resumes/);
    assert.equal(system.nowCycles, t);
    assert.equal(system.sim.endpointOf('nic'), oldEndpoint);
    assert.equal(psRow(system, 'nic').restarts, 0);
    system.run({ untilCycles: t + 10_000_000 });
    assert.equal(psRow(system, 'nic').restarts, 1);
    assert.equal(system.sim.endpointOf('nic'), oldEndpoint);
  });

  it('is refused once the session has stopped, with the reason given', () => {
    const system = booted('s1');
    const out = run(system, 'service restart nic', { advance: { kind: 'refused', reason: 'the system has been stopped' } });
    assert.equal(out, 'service: the system has been stopped');
  });

  it('never runs past the limit it is given', () => {
    const system = booted('s1');
    const t = system.nowCycles;
    const out = run(system, 'service restart nic', { advance: { kind: 'run', limitCycles: 0 } });
    assert.match(out, /RS has not answered/);
    assert.equal(system.nowCycles, t);
  });
});

describe('trace tail', () => {
  it('shows the last N events, decoded, with process names', () => {
    const system = booted('s1');
    run(system, 'service restart nic');
    const out = run(system, 'trace tail 5').split('\n');
    assert.match(out[0]!, /TIME \(ms\)\s+EVENT\s+FROM\s+TO\s+DETAILS/);
    assert.equal(out.length, 7, 'header, five events, footer');
    assert.match(out[6]!, new RegExp(`^last 5 of ${system.sim.trace.totalRecorded} events$`));
    const all = run(system, 'trace tail 1000');
    assert.match(all, /restart\s+rs\s+nic\s+nic: endpoint \d+ → \d+/);
    assert.match(all, /created\s+-\s+service\s+service, priority/);
    assert.match(all, /kernel call\s+\S+\s+\S+\s+[A-Z]+ → (OK|E[A-Z]+)/);
  });

  it('defaults to 20 events and checks N', () => {
    const system = booted('s1');
    assert.equal(run(system, 'trace tail').split('\n').length, 22);
    assert.equal(run(system, 'trace tail 0'), 'trace: N must be between 1 and 1000');
    assert.equal(run(system, 'trace tail many'), "trace: N must be a whole number, not 'many'");
    assert.equal(run(system, 'trace'), 'trace: usage: trace tail [N]');
    assert.match(run(system, 'trace head'), /unknown subcommand 'head'/);
  });
});

describe('iommu', () => {
  it('shows the mode, each device\'s domain and its mappings', () => {
    const out = run(booted('s1'), 'iommu');
    assert.match(out, /^mode translate \(I\/O page tables\), invalidation strict$/m);
    assert.match(out, /^domain nic0 \(nic, id 1\): \d+ mappings$/m);
    assert.match(out, /^ {2}iova 0x[0-9a-f]+ → 0x[0-9a-f]+ {2}\d+ KiB {2}rw$/m);
    assert.match(out, /no blocked transfers/);
  });

  it('lists blocked transfers (S3: wild DMA from the disk driver)', () => {
    const out = run(booted('s3', 0.7), 'iommu');
    assert.match(out, /^blocked transfers \(2\)$/m);
    assert.equal(out.match(/disk0\s+write\s+0x[0-9a-f]+\s+512\s+not-mapped/g)?.length, 2);
  });

  it('says so when the configuration has no IOMMU', () => {
    assert.equal(run(booted('s1', BOOTED_SECONDS, 'microkernel'), 'iommu'), 'no IOMMU in configuration microkernel: devices reach all of physical memory by DMA');
  });
});

describe('ls and cat of the CD', () => {
  it('list directories and print files of the disc in the drive', () => {
    const system = booted('s3');
    assert.deepEqual(run(system, 'ls').split('\n').map((l) => l.trim()), ['-  DATA/', '-  DOCS/', '100  README.TXT'.replace(/^/, '')]);
    assert.match(run(system, 'ls /DOCS'), /^\d+ {2}CLAIMS.TXT$/);
    const readme = BUILTIN_CD_FILES.find((f) => f.path === '/README.TXT')!.text;
    assert.equal(run(system, 'cat /README.TXT'), readme.replace(/\n$/, ''));
    assert.equal(run(system, 'cat docs/../readme.txt'), readme.replace(/\n$/, ''), 'relative paths, .. and any case');
  });

  it('names what is wrong: a directory, a missing file, no disc, a damaged disc', () => {
    assert.equal(run(booted('s3'), 'cat /DOCS'), 'cat: /DOCS: is a directory');
    assert.equal(run(booted('s3'), 'cat /NOPE.TXT'), 'cat: /NOPE.TXT: no such file or directory on the CD');
    assert.equal(run(booted('s3'), 'ls /README.TXT/x'), 'ls: /README.TXT/x: not a directory');
    assert.equal(run(booted('s3'), 'cat'), 'cat: usage: cat <path>');
    assert.equal(run(booted('s1'), 'ls'), 'ls: there is no disc in the CD drive (cd0)');
    assert.match(run(booted('s2'), 'cat /README.TXT'), /^cat: the disc in cd0 is not a readable ISO 9660 volume: /);
  });

  it('prints control characters from the disc as ^X, never as escape sequences', () => {
    const image = buildIsoImage([{ path: '/EVIL.TXT', data: utf8Encode('red \x1b[31mtext\x1b[0m\x07 bell\n') }]);
    const system = bootSystem({ seed: 1, isoImage: image });
    system.run({ untilCycles: secondsToCycles(BOOTED_SECONDS, system.clockHz) });
    const out = executeLine('cat /EVIL.TXT', { system, columns: 80 });
    assert.equal(out, 'red ^[[31mtext^[[0m^G bell');
  });
});

describe('completion', () => {
  const system = booted('s3');
  const complete = (line: string, cursor = line.length) => completeLine(line, cursor, { system, columns: 80 });

  it('completes commands, operations, labels and fault types', () => {
    assert.deepEqual(complete('se'), { start: 0, end: 2, candidates: ['service'] });
    assert.deepEqual(complete('service re').candidates, ['refresh', 'restart']);
    assert.deepEqual(complete('service restart n'), { start: 16, end: 17, candidates: ['nic'] });
    assert.deepEqual(complete('service fi nic c').candidates, ['corrupt-destination', 'corrupt-pointer', 'corrupt-source', 'crash']);
    assert.deepEqual(complete('service fi nic cr').candidates, ['crash']);
    assert.ok(complete('service restart ').candidates.includes('nic'));
    assert.deepEqual(complete('trace t').candidates, ['tail']);
    assert.deepEqual(complete('help i').candidates, ['iommu']);
  });

  it('completes paths on the CD, in any case, and only the word before the cursor', () => {
    assert.deepEqual(complete('cat do').candidates, ['DOCS/']);
    assert.deepEqual(complete('cat DOCS/').candidates, ['DOCS/CLAIMS.TXT']);
    assert.deepEqual(complete('ls D   # rest', 4), { start: 3, end: 4, candidates: ['DATA/', 'DOCS/'] });
  });

  it('offers nothing where nothing fits, and never throws', () => {
    assert.deepEqual(complete('ps x').candidates, []);
    assert.deepEqual(complete('nosuch a').candidates, []);
    assert.deepEqual(completeLine('service restart n', 99, { system: undefined, columns: 80 }).candidates, []);
  });
});

describe('robustness and determinism', () => {
  it('turns an exception inside a command into a red line', () => {
    const broken = { processes: () => { throw new Error('process table unreadable'); }, sim: { panicked: null } } as unknown as RunningSystem;
    assert.equal(executeLine('ps', { system: broken, columns: 80 }), '\x1b[31mps: failed: process table unreadable\x1b[0m');
  });

  it('gives the same output for the same commands on the same system', () => {
    const lines = ['ps', 'service restart nic', 'service fi disk crash', 'trace tail 50', 'iommu', 'ps'];
    const a = booted('s1');
    const b = booted('s1');
    assert.deepEqual(lines.map((l) => executeLine(l, { system: a, columns: 100 })), lines.map((l) => executeLine(l, { system: b, columns: 100 })));
  });

  it('uses only the 16 named colours and bold', () => {
    const system = booted('s3', 0.7);
    const out = ['help', 'ps', 'service fi nic crash', 'trace tail 200', 'iommu', 'ls', 'bogus'].map((l) => executeLine(l, { system, columns: 100 })).join('\n');
    // eslint-disable-next-line no-control-regex -- looking for escape sequences
    const codes = new Set([...out.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]!));
    for (const c of codes) assert.match(c, /^(0|1|3[0-7]|9[0-7])$/, `SGR ${c}`);
  });

  it('shows a dead service with no endpoint as -', () => {
    const system = booted('s1');
    run(system, 'service down printer');
    assert.equal(system.rsStatus.get('printer')?.endpoint, NONE);
    assert.equal(psRow(system, 'printer').endpoint, '-');
  });
});
