// Code-level faults (claim S6, SWIFI's seven mutation types): each type changes exactly what it says at
// exactly one site, from the moment it strikes; sites are numbered the same way every time; a built-in
// driver opened for mutation runs as the compiled-in one until a fault strikes; a mutated loop that never
// enters the kernel again is a hang, not a frozen simulator.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileDriverModule } from '../../../simulator/compile/compileModule';
import { MutationSwitches, corruptValue, sitesOfType, type MutationSite } from '../../../simulator/compile/mutation';
import { CODE_FAULTS, type CodeFault } from '../../../simulator/config/faultTypes';
import { CpuGuard } from '../../../simulator/compile/cpuGuard';
import { openedSites } from '../../../simulator/system/openedDrivers';
import { builtinScenario, bootScenario } from '../../../simulator/system/scenarios';
import type { FaultSpec } from '../../../simulator/config/scenario';
import { parseTrialId, runTrial } from '../../../simulator/campaign/campaign';
import { TraceKind } from '../../../simulator/trace/kinds';

/** A small module with one site of each kind at known places; each function returns what a mutation changes. */
const FIXTURE = `
export function sum(xs: number[]): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    total = total + xs[i];
  }
  return total;
}
export function label(n: number): string {
  let out = 'small';
  if (n > 10) out = 'big';
  log.push(n);
  return out;
}
export const log: number[] = [];
`;

interface Loaded {
  readonly sites: readonly MutationSite[];
  readonly switches: MutationSwitches;
  readonly exports: { sum(xs: number[]): number; label(n: number): string; log: number[] };
}

function load(text = FIXTURE): Loaded {
  const result = compileDriverModule('fixture.ts', text, new Set(), { mutable: true });
  if (!result.ok) assert.fail(result.diagnostics.map((d) => d.message).join('; '));
  const sites = result.module.sites!;
  const switches = new MutationSwitches(sites);
  const guard = new CpuGuard(100_000);
  const module = { exports: {} as Loaded['exports'] };
  new Function('exports', 'require', 'module', '__mklabTick', '__mklabMut', result.module.code)(module.exports, () => ({}), module, (l: number, c: number) => guard.tick('fixture.ts', l, c), switches);
  return { sites, switches, exports: module.exports };
}

function site(l: Loaded, type: CodeFault, text: string): MutationSite {
  const found = sitesOfType(l.sites, type).find((s) => s.text === text);
  assert.ok(found, `no ${type} site '${text}' among ${JSON.stringify(sitesOfType(l.sites, type).map((s) => s.text))}`);
  return found;
}

describe('code-level fault sites', () => {
  it('finds every type\'s sites inside functions only, numbered in source order, with their lines in the source', () => {
    const l = load();
    const at = (type: CodeFault) => sitesOfType(l.sites, type).map((s) => `${s.line}:${s.text}`);
    assert.deepEqual(at('skip-init'), ['3:total = 0', '4:i = 0', '10:out = \'small\'']);
    // A site's text is shortened to 60 characters.
    assert.deepEqual(at('invert-loop'), ['4:for (let i = 0; i < xs.length; i++) { total = total + xs[i]…']);
    assert.deepEqual(at('remove-branch'), ['11:if (n > 10) out = \'big\';']);
    assert.deepEqual(at('remove-instruction'), ['5:total = total + xs[i];', '11:out = \'big\';', '12:log.push(n);']);
    assert.deepEqual(at('corrupt-source'), ['4:i < xs.length', '5:total + xs[i]', '11:n > 10']);
    assert.deepEqual(at('corrupt-destination'), ['3:total = 0', '4:i = 0', '4:i++', '5:total = total + xs[i]', '10:out = \'small\'', '11:out = \'big\'']);
    assert.deepEqual(at('corrupt-pointer'), ['4:xs.length', '5:xs[i]', '12:log.push']);
    // The module's top level (`log`'s initialiser) has run before any fault can strike: no site there.
    assert.ok(l.sites.every((s) => s.line !== 15));
    assert.deepEqual(load().sites, l.sites, 'the same source gives the same sites');
  });

  it('runs as written while every site is off', () => {
    const l = load();
    assert.equal(l.exports.sum([1, 2, 3]), 6);
    assert.equal(l.exports.label(11), 'big');
    assert.equal(l.exports.label(3), 'small');
  });

  it('each type changes what it says at the site it struck, and nothing else', () => {
    const cases: [CodeFault, string, (l: Loaded) => void][] = [
      ['skip-init', 'total = 0', (l) => assert.ok(Number.isNaN(l.exports.sum([1, 2])), 'total starts undefined')],
      ['invert-loop', 'for (let i = 0; i < xs.length; i++) { total = total + xs[i]…', (l) => assert.equal(l.exports.sum([1, 2, 3]), 0)],
      ['remove-branch', 'if (n > 10) out = \'big\';', (l) => assert.equal(l.exports.label(3), 'big')],
      ['remove-instruction', 'total = total + xs[i];', (l) => assert.equal(l.exports.sum([1, 2, 3]), 0)],
      ['remove-instruction', 'log.push(n);', (l) => { l.exports.label(1); assert.deepEqual(l.exports.log, []); }],
      // Bit 4 flipped in the right operand of `n > 10`: 10 becomes 26.
      ['corrupt-source', 'n > 10', (l) => assert.equal(l.exports.label(20), 'small')],
      // Bit 4 flipped in what `total = total + xs[i]` stores: 0+1 -> 17, 17+2=19 -> 3, 3+3=6 -> 22.
      ['corrupt-destination', 'total = total + xs[i]', (l) => assert.equal(l.exports.sum([1, 2, 3]), 22)],
      ['corrupt-pointer', 'xs[i]', (l) => assert.ok(Number.isNaN(l.exports.sum([1, 2])), 'xs[i ^ 16] is past the end')],
      ['corrupt-pointer', 'log.push', (l) => assert.throws(() => l.exports.label(1), TypeError)],
    ];
    for (const [type, text, check] of cases) {
      const l = load();
      const s = site(l, type, text);
      l.switches.activate(s.slot, 4);
      check(l);
      assert.equal(l.switches.activeCount, 1);
    }
  });

  it('corrupts values as a flipped register bit would', () => {
    assert.equal(corruptValue(0, 3), 8);
    assert.equal(corruptValue(8, 3), 0);
    assert.equal(corruptValue(2 ** 40, 31), 2 ** 40 + 2 ** 31);
    assert.equal(corruptValue(-1, 0), -2);
    assert.equal(corruptValue(true, 0), false);
    assert.equal(corruptValue({}, 0), undefined);
    assert.equal(corruptValue(null, 0), null);
  });
});

describe('code-level faults in the built-in NIC driver', () => {
  it('has sites of all seven types', () => {
    const sites = openedSites('simulator/drivers/nic.ts');
    for (const type of CODE_FAULTS) assert.ok(sitesOfType(sites, type).length > 0, `the NIC driver has no ${type} site`);
  });

  const s1 = builtinScenario('s1');
  const faultAt = (type: CodeFault, params: FaultSpec['params']): FaultSpec => ({ at: { written: '1s', cycles: Math.round(s1.clockHz) }, type, target: 'nic', params, repeatEvery: null, count: null });
  const runS1 = (faults: FaultSpec[], seconds = 4) => {
    const system = bootScenario({ ...s1, faults }, { seed: 7 });
    system.run({ untilCycles: Math.round(seconds * system.clockHz) });
    return system;
  };

  it('opened but untouched, runs exactly as the compiled-in driver (the same trace)', () => {
    const plain = bootScenario({ ...s1, faults: [] }, { seed: 7 });
    const opened = bootScenario({ ...s1, faults: [] }, { seed: 7, openCode: ['nic'] });
    for (const s of [plain, opened]) s.run({ untilCycles: Math.round(3 * s.clockHz) });
    assert.ok(plain.network.deliveredToPeer >= 20, `${plain.network.deliveredToPeer} packets delivered`);
    assert.equal(opened.traceDigest(), plain.traceDigest());
  });

  it('a mutated loop that never enters the kernel again spins: RS\'s heartbeat finds the driver hung and restarts it', () => {
    // Without an IOMMU the TX clean-up loop makes no kernel call; with its increment removed it never ends.
    const r = runTrial(parseTrialId('microkernel:nic:remove-instruction:1:802100ac'));
    assert.equal(r.faults[0]!.site?.text, 'txClean = (txClean + 1) % TX_DESCRIPTORS;');
    assert.equal(r.faults[0]!.site?.file, 'simulator/drivers/nic.ts');
    assert.equal(r.outcome, 'hang-recovered', r.reason);
    // Two 5-s heartbeat periods and RS's next one-second check.
    assert.ok(r.detectionSeconds !== null && r.detectionSeconds > 9 && r.detectionSeconds <= 11, `detected after ${r.detectionSeconds} s`);
  });

  it('a scenario\'s code-level fault opens its target, strikes the site it names and says where in the trace', () => {
    const sites = sitesOfType(openedSites('simulator/drivers/nic.ts'), 'corrupt-pointer');
    const target = sites.find((x) => x.text === 'm.source')!;
    const system = runS1([faultAt('corrupt-pointer', { site: target.index, bit: 3 })], 3);
    const record = system.faults[0]!;
    assert.equal(record.skipped, null);
    assert.deepEqual(record.site, { ...target, file: 'simulator/drivers/nic.ts' });
    const status = system.serviceStatus('nic')!;
    assert.equal(status.restarts, 1, 'the driver crashed at its next request and RS restarted it');
    assert.match(status.lastExit ?? '', /TypeError: Cannot read properties of undefined \(reading 'source'\)/);
    const t = system.sim.trace;
    const labels: string[] = [];
    for (let q = t.firstSeq; q < t.endSeq; q++) if (t.get(q).kind === TraceKind.custom) labels.push(t.get(q).label);
    assert.ok(labels.includes(`fault:site simulator/drivers/nic.ts:${target.line}:${target.column} m.source`), labels.filter((l) => l.startsWith('fault:')).join(', '));
  });

  it('names what it cannot do: a site out of range, a target whose code is not open', () => {
    const count = sitesOfType(openedSites('simulator/drivers/nic.ts'), 'invert-loop').length;
    const system = runS1([faultAt('invert-loop', { site: count })], 1.5);
    assert.equal(system.faults[0]!.skipped, `simulator/drivers/nic.ts has ${count} invert-loop site(s), numbered 0 to ${count - 1}; site ${count} is not one`);
    const plain = bootScenario({ ...s1, faults: [] }, { seed: 7 });
    plain.run({ untilCycles: Math.round(1.5 * plain.clockHz) });
    plain.injectFault('nic', 'remove-branch');
    plain.run({ untilCycles: Math.round(2 * plain.clockHz) });
    assert.match(plain.faults[0]!.skipped ?? '', /^nic's code is not open to mutation/);
  });

  it('strikes each of the seven types in a campaign trial, replayable from its id alone', () => {
    for (const type of CODE_FAULTS) {
      const r = runTrial(parseTrialId(`microkernel-iommu:nic:${type}:2:0000c0de`));
      assert.equal(r.injected, 2, `${type}: ${JSON.stringify(r.faults)}`);
      for (const f of r.faults) assert.match(`${f.site?.file}:${f.site?.line}`, /^simulator\/drivers\/nic\.ts:\d+$/);
      assert.equal(runTrial(parseTrialId(r.id)).traceDigest, r.traceDigest);
    }
  });

  it('strikes the application\'s poll-mode driver under kernel-bypass', () => {
    const r = runTrial(parseTrialId('kernel-bypass:nic:remove-branch:1:0000c0de'));
    assert.equal(r.injected, 1);
    assert.equal(r.faults[0]!.site?.file, 'simulator/drivers/pollModeNic.ts');
  });

  it('stops a livelock after its step budget and says whether the rest of the system still ran', () => {
    // Every read refused at once: the network server posts it again at once, without end.
    const r = runTrial(parseTrialId('monolithic:nic:remove-branch:1:c5a80159'));
    assert.equal(r.outcome, 'system-failure');
    assert.match(r.reason, /^livelock: 1,000,000 simulator steps used up by 1\.\d+ s of simulated time; RS no longer ran$/);
  });
});
