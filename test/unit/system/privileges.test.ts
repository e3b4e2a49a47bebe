// One privilege model: a real MINIX system.conf entry gives the same kernel masks whether the system boots
// with it or the console's `service restart` starts it again, and the editor's Show Privileges says what
// those masks allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { servicePrivilege } from '../../../simulator/config/privileges';
import { parseSystemConf } from '../../../simulator/config/systemConf';
import { PRINTER_DRIVER_CONF } from '../../../simulator/drivers/printer';
import { KernelCall } from '../../../simulator/kernel/constants';
import { Privilege } from '../../../simulator/kernel/privilege';
import { stripAnsi } from '../../../simulator/shell/ansi';
import { executeLine } from '../../../simulator/shell/shell';
import { bootSystem, type RunningSystem } from '../../../simulator/system/boot';
import { summarisePrivilege } from '../../../simulator/system/privileges';
import { Session } from '../../../node/worker/session';

// Real MINIX files, vendored in test/fixtures/minix; MKLAB_MINIX_REFERENCE may point elsewhere.
const REF = process.env.MKLAB_MINIX_REFERENCE ?? resolve('test', 'fixtures', 'minix');
/** Long enough for RS to have started every service. */
const BOOTED_CYCLES = 50_000_000;

/** Everything the kernel checks, in a form deepEqual can compare. */
function masks(p: Privilege) {
  return {
    system: p.system,
    trapMask: p.trapMask,
    ipcToAll: p.ipcToAll,
    ipcToAllSys: p.ipcToAllSys,
    ipcToNames: [...p.ipcToNames].sort(),
    callMask: [...p.callMask],
    ioRanges: p.ioRanges,
    irqs: [...p.irqs].sort((a, b) => a - b),
    memRanges: p.memRanges,
    grantEntries: p.grantEntries,
    magicGrants: p.magicGrants,
  };
}

function kernelPrivilegeOf(system: RunningSystem, label: string): { endpoint: number; instance: number; priv: Privilege } {
  const endpoint = system.sim.endpointOf(label);
  assert.ok(endpoint !== undefined, `${label} is not running`);
  const proc = system.sim.kernel.procOf(endpoint);
  const priv = proc?.priv;
  assert.ok(proc && priv, `${label} has no privilege structure`);
  return { endpoint, instance: proc.instance, priv };
}

test("MINIX's printer.conf gives the same kernel masks at boot, after the console's service restart, and in Show Privileges", () => {
  const entryText = readFileSync(join(REF, 'printer.conf'), 'utf8');
  const entry = parseSystemConf(entryText, 'printer.conf').description.services[0]!;
  const expected = new Privilege(servicePrivilege(entry));
  // The entry differs from the built-in printer's, so the system below really runs with MINIX's.
  assert.ok(expected.ioRanges.some((r) => r.base === 0x278) && expected.ipcToAllSys);

  const defaultText = bootSystem({ seed: 1 }).systemConfText;
  const text = defaultText.replace(PRINTER_DRIVER_CONF.trimEnd(), entryText.trimEnd());
  assert.notEqual(text, defaultText, 'the default system has the built-in printer entry to replace');

  const session = new Session();
  try {
    session.start({ source: { kind: 'systemConf', file: join(REF, 'system.conf'), text }, speed: 0, trusted: false });
    session.pause();
    const system = session.system!;
    system.run({ untilCycles: BOOTED_CYCLES });

    const booted = kernelPrivilegeOf(system, 'printer');
    assert.deepEqual(masks(booted.priv), masks(expected));

    const out = stripAnsi(executeLine('service restart printer', { system, columns: 120 }));
    assert.match(out, /printer restarted/, out);
    const restarted = kernelPrivilegeOf(system, 'printer');
    assert.notEqual(restarted.instance, booted.instance, 'a new instance runs');
    assert.deepEqual(masks(restarted.priv), masks(expected));

    const shown = session.serviceDetails('printer').privileges;
    assert.deepEqual(shown, summarisePrivilege(servicePrivilege(entry)));
    // What the editor shows is what the kernel's masks allow.
    const allowed = (Object.entries(KernelCall) as [string, number][]).filter(([, n]) => expected.allowsKernelCall(n)).map(([name]) => name);
    assert.deepEqual(shown!.kernelCalls, allowed);
    assert.equal(shown!.ipcTargets, 'ALL_SYS');
    assert.deepEqual(shown!.ioRanges, expected.ioRanges.map((r) => `0x${r.base.toString(16)}:0x${r.count.toString(16)}`));
    assert.deepEqual([...shown!.irqs].sort((a, b) => a - b), masks(expected).irqs);
  } finally {
    session.dispose();
  }
});
