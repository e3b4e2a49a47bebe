// Fault-injection campaigns (claim S6): every outcome class comes out of a real trial, a trial is a
// function of its id, shards merge into the unsharded summary byte for byte, and the command line
// refuses what it cannot run with a clear message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CampaignTally, OUTCOME_CLASSES, campaignMarkdown, campaignOptions, parseTrialId, planTrial, runTrial, trialCount, trialId, watchTrial, type OutcomeClass,
} from '../../../simulator/campaign/campaign';
import { campaignCommand, replayCommand } from '../../../node/cli/campaignCommand';
import { TraceKind } from '../../../simulator/trace/kinds';
import { validateXML } from 'xmllint-wasm';

/** Trials found to end in each class; the test checks each outcome and the evidence behind it. */
const BY_CLASS: Record<OutcomeClass, string> = {
  'no-effect': 'microkernel-iommu:nic:bad-ipc-args:1:00000001',
  'request-retried': 'microkernel-iommu:nic:bad-kernel-call-args:1:00000001',
  'crash-recovered': 'microkernel-iommu:nic:crash:1:00000001',
  'hang-recovered': 'microkernel-iommu:nic:hang:1:00000001',
  'driver-failed': 'microkernel-iommu:nic:invert-loop:1:49eab86c',
  'data-corrupted': 'microkernel-iommu:nic:bad-kernel-call-args:1:0000004a',
  'system-failure': 'monolithic:nic:crash:1:00000001',
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), progressStream: { isTTY: false, write: () => true } } };
}

describe('campaign trials', () => {
  for (const outcome of OUTCOME_CLASSES) {
    it(`a trial ends in ${outcome} when that is what happened to the system`, () => {
      const spec = parseTrialId(BY_CLASS[outcome]);
      let evidence: Record<string, number> = {};
      const r = runTrial(spec, 0, (system) => {
        system.sim.on('processEnded', () => undefined);
        evidence = {};
        const read = () => {
          const nic = system.serviceStatus('nic');
          evidence = {
            panicked: system.sim.panicked === null ? 0 : 1,
            restarts: nic?.restarts ?? 0,
            heartbeatKills: nic?.heartbeatKills ?? 0,
            corrupted: system.network.corruptedAtPeer,
            retransmissions: system.network.inet.retransmissions,
          };
        };
        const run = system.run.bind(system);
        system.run = (o) => {
          const res = run(o);
          read();
          return res;
        };
      });
      assert.equal(r.outcome, outcome, `${r.id}: ${r.reason}`);
      assert.equal(r.injected, 1, 'the fault struck');
      switch (outcome) {
        case 'no-effect':
          assert.deepEqual(evidence, { panicked: 0, restarts: 0, heartbeatKills: 0, corrupted: 0, retransmissions: 0 });
          break;
        case 'request-retried':
          assert.equal(evidence['restarts'], 0);
          assert.ok(evidence['retransmissions']! > 0);
          break;
        case 'crash-recovered':
          assert.equal(evidence['restarts'], 1);
          assert.equal(evidence['heartbeatKills'], 0);
          // MINIX restarts a first failure at once: detection at the crash, recovery within a millisecond.
          assert.equal(r.detectionSeconds, 0);
          assert.ok(r.recoverySeconds !== null && r.recoverySeconds < 0.001, `recovery ${r.recoverySeconds} s`);
          break;
        case 'hang-recovered':
          assert.equal(evidence['heartbeatKills'], 1);
          // Noticed at RS's first check more than two 5-s periods after the last answer: 10 to 11 s after the hang.
          assert.ok(r.detectionSeconds !== null && r.detectionSeconds > 9 && r.detectionSeconds <= 11, `detected after ${r.detectionSeconds} s`);
          break;
        case 'driver-failed':
          // The receive loop's condition inverted: the driver answers RS but takes no frame from its ring again.
          assert.deepEqual({ panicked: evidence['panicked'], restarts: evidence['restarts'], heartbeatKills: evidence['heartbeatKills'] }, { panicked: 0, restarts: 0, heartbeatKills: 0 });
          assert.match(r.reason, /^no progress in the last 5 s: nic runs but moves nothing; RS and the rest of the system ran on$/);
          break;
        case 'data-corrupted':
          assert.ok(evidence['corrupted']! > 0, 'the peer found a damaged frame');
          assert.equal(evidence['panicked'], 0);
          break;
        case 'system-failure':
          assert.equal(evidence['panicked'], 1);
          assert.match(r.reason, /^kernel panic: nic: /);
          break;
      }
    });
  }

  it('a system that stops moving is a system failure even without a panic: a hang in kernel code, a wild DMA without an IOMMU', () => {
    const hang = runTrial(parseTrialId('monolithic:nic:hang:1:00000001'));
    assert.equal(hang.outcome, 'system-failure');
    assert.match(hang.reason, /^no progress in the last 5 s/);
    const dma = runTrial(parseTrialId('microkernel:nic:wild-dma:1:00000002'));
    assert.equal(dma.outcome, 'system-failure');
    assert.match(dma.reason, /^kernel memory corrupted/);
    // The same fault with the IOMMU: the transfer is blocked, the driver fails and is restarted.
    const confined = runTrial({ ...parseTrialId('microkernel:nic:wild-dma:1:00000002'), configuration: 'microkernel-iommu' });
    assert.equal(confined.outcome, 'crash-recovered');
  });

  it('watched (as the debugger runs it, in slices of its own and stopping before each fault), runs as the campaign ran it', () => {
    for (const id of ['microkernel-iommu:nic:crash:1:00000001', 'monolithic:nic:hang:3:00000005']) {
      const { system, untilCycles, result } = watchTrial(parseTrialId(id));
      system.stopBeforeCommands = true;
      const stops: number[] = [];
      for (;;) {
        const r = system.run({ untilCycles, sliceCycles: Math.round(system.clockHz / 7) });
        if (r.reason !== 'command') break;
        stops.push(Math.round((system.nowCycles / system.clockHz) * 1e6) / 1e6);
      }
      assert.deepEqual(stops, result.faults.map((f) => f.armedAtSeconds), `${id}: a stop before each fault, when it was armed`);
      assert.equal(system.traceDigest(), result.traceDigest, `${id}: the same trace`);
    }
  });

  it('is a function of its id: the same id gives the same outcome, fault times and trace', () => {
    const id = BY_CLASS['hang-recovered'];
    const a = runTrial(parseTrialId(id));
    const b = runTrial(parseTrialId(id));
    assert.deepEqual(a, b);
    assert.equal(a.id, id);
    assert.match(a.traceDigest, /^[0-9a-f]{16}$/);
  });

  it('the interface faults corrupt what the driver hands the kernel, as the trace shows', () => {
    const labels = (id: string) => {
      const seen: string[] = [];
      runTrial(parseTrialId(id), 0, (system) => {
        const t = system.sim.trace;
        const run = system.run.bind(system);
        let from = t.endSeq;
        system.run = (o) => {
          const res = run(o);
          for (let s = Math.max(from, t.firstSeq); s < t.endSeq; s++) {
            const e = t.get(s);
            if (e.kind === TraceKind.custom && e.label.startsWith('fault:')) seen.push(e.label);
          }
          from = t.endSeq;
          return res;
        };
      });
      return seen;
    };
    assert.deepEqual(labels('microkernel-iommu:nic:bad-kernel-call-args:1:00000001'), ['fault:bad-kernel-call-args', 'fault:corrupted kernel call argument b']);
    assert.deepEqual(labels('microkernel-iommu:nic:bad-ipc-args:1:00000001'), ['fault:bad-ipc-args', 'fault:corrupted asynchronous message destination']);
  });
});

describe('campaign plans and ids', () => {
  const options = campaignOptions({ types: ['crash', 'hang'], configurations: ['microkernel-iommu', 'monolithic'], faults: 10, faultsPerTrial: 2, seed: 9 });

  it('trials go round the fault types, then the configurations; each has its own seed; ids round-trip', () => {
    assert.equal(trialCount(options), 5);
    const plan = [0, 1, 2, 3, 4].map((i) => planTrial(options, i));
    assert.deepEqual(plan.map((p) => `${p.type}/${p.configuration}/${p.faults}`), [
      'crash/microkernel-iommu/2', 'hang/microkernel-iommu/2', 'crash/monolithic/2', 'hang/monolithic/2', 'crash/microkernel-iommu/2',
    ]);
    assert.equal(new Set(plan.map((p) => p.seed)).size, 5);
    for (const p of plan) assert.deepEqual(parseTrialId(trialId(p)), p);
  });

  it('a malformed id is refused with what an id looks like, and an unknown part is named', () => {
    assert.throws(() => parseTrialId('nonsense'), /not a trial id: expected CONFIGURATION:TARGET:FAULT-TYPE:FAULTS:SEED/);
    assert.throws(() => parseTrialId('mainframe:nic:crash:1:00000001'), /unknown configuration 'mainframe'/);
    assert.throws(() => parseTrialId('microkernel:disk:crash:1:00000001'), /unknown target 'disk'/);
    assert.throws(() => parseTrialId('microkernel:nic:melt:1:00000001'), /unknown fault type 'melt'/);
  });

  it('the tally is the same whatever order trials come in, and counts a trial once', () => {
    const trial = (index: number, type: 'crash' | 'hang', configuration: 'monolithic' | 'microkernel-iommu', injected: number, outcome: OutcomeClass) =>
      ({ index, id: `${configuration}:nic:${type}:2:0000000${index}`, type, configuration, injected, outcome, reason: outcome });
    const results = [
      trial(0, 'crash', 'monolithic', 1, 'system-failure'),
      trial(1, 'hang', 'microkernel-iommu', 1, 'hang-recovered'),
      trial(2, 'crash', 'microkernel-iommu', 0, 'no-effect'),
    ];
    const forward = new CampaignTally(options);
    const backward = new CampaignTally(options);
    for (const r of results) forward.add(r);
    for (const r of [...results].reverse()) backward.add(r);
    assert.equal(backward.add(results[0]!), false, 'a trial given twice is refused');
    assert.equal(JSON.stringify(forward.summary()), JSON.stringify(backward.summary()));
    const s = forward.summary();
    assert.equal(s.missingTrials, 2);
    assert.deepEqual(s.rows.map((r) => [r.type, r.configuration, r.trials, r.survival]), [
      ['crash', 'microkernel-iommu', 1, 1],
      ['crash', 'monolithic', 1, 0],
      ['hang', 'microkernel-iommu', 1, 1],
    ]);
    assert.match(campaignMarkdown(s), /\| crash \| monolithic \| 1 \| 1 \| .*\| 1 \(100\.0 %\) \| 0\.0 % \|/);
    // The harmful trials a row names are its lowest-numbered ones, whatever the order they came in.
    const many = (order: number[]) => {
      const t = new CampaignTally(options);
      for (const i of order) t.add(trial(i, 'crash', 'monolithic', 1, 'system-failure'));
      return t.summary().rows[0]!.harmful.map((h) => h.index);
    };
    const indices = Array.from({ length: 25 }, (_, i) => i);
    assert.deepEqual(many(indices), indices.slice(0, 10));
    assert.deepEqual(many([...indices].reverse()), indices.slice(0, 10));
  });
});

describe('mklab campaign', () => {
  const args = ['--faults', '8', '--types', 'crash,bad-ipc-args', '--configs', 'microkernel-iommu,monolithic', '--seed', '3', '--json'];

  it('shards merged give the unsharded summary, byte for byte; a missing shard is reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mklab-campaign-'));
    try {
      const full = io();
      assert.equal(await campaignCommand([...args, '--out', join(dir, 'full.jsonl')], full.io), 0);
      const logs: string[] = [];
      for (let i = 0; i < 3; i++) {
        const shard = io();
        const log = join(dir, `shard${i}.jsonl`);
        logs.push(log);
        assert.equal(await campaignCommand([...args, '--shard', `${i}/3`, '--out', log], shard.io), 0);
      }
      const merged = io();
      assert.equal(await campaignCommand(['merge', '--json', ...logs], merged.io), 0);
      assert.equal(merged.out.join(''), full.out.join(''));
      const summary = JSON.parse(full.out.join(''));
      assert.equal(summary.trials, 8);
      assert.equal(summary.missingTrials, 0);
      // One line per trial after the header, each naming a trial that replays.
      const lines = readFileSync(join(dir, 'full.jsonl'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 9);
      const trial = JSON.parse(lines[3]!);
      const replayed = io();
      assert.equal(replayCommand([trial.id, '--json'], replayed.io), 0);
      assert.deepEqual({ ...JSON.parse(replayed.out.join('')), index: trial.index }, trial);

      const partial = io();
      assert.equal(await campaignCommand(['merge', logs[0]!, logs[2]!], partial.io), 1);
      assert.match(partial.err.join(''), /trial\(s\) of the campaign are in none of the logs/);
      const twice = io();
      assert.equal(await campaignCommand(['merge', logs[0]!, logs[0]!], twice.io), 1);
      assert.match(twice.err.join(''), /is in more than one log/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--junit: one case per fault type and configuration, validated against the JUnit schema; a failed case names trials that replay to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mklab-campaign-junit-'));
    try {
      const file = join(dir, 'campaign.xml');
      const r = io();
      assert.equal(await campaignCommand(['--faults', '4', '--types', 'crash,hang', '--configs', 'microkernel-iommu,monolithic', '--junit', file], r.io), 0);
      const xml = readFileSync(file, 'utf8');
      const schema = readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'junit', 'jenkins-junit.xsd'), 'utf8');
      const result = await validateXML({ xml: [{ fileName: 'campaign.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: schema }] });
      assert.ok(result.valid, result.rawOutput);
      assert.match(xml, /<testsuites name="mklab" tests="4" failures="2" errors="0"/);
      assert.match(xml, /<testcase name="crash in microkernel-iommu" classname="mklab.campaign.microkernel-iommu" time="0.000"\/>/);
      assert.match(xml, /<failure message="the system did not survive 1 of 1 trials" type="system-failure">/);
      const id = /mklab replay (monolithic:nic:hang:1:[0-9a-f]{8})/.exec(xml)?.[1];
      assert.ok(id, xml);
      const replayed = io();
      assert.equal(replayCommand([id, '--json'], replayed.io), 0);
      assert.equal(JSON.parse(replayed.out.join('')).outcome, 'system-failure');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an interrupt (Ctrl-C) stops after the trial under way: exit status 130, and the log keeps every finished trial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mklab-campaign-stop-'));
    try {
      const log = join(dir, 'stopped.jsonl');
      let stop: (() => void) | undefined;
      let released = false;
      const err: string[] = [];
      let drawn = 0;
      const status = await campaignCommand(['--faults', '6', '--types', 'crash', '--configs', 'microkernel', '--out', log, '--workers', '1'], {
        out: () => undefined,
        err: (s) => err.push(s),
        // A terminal, so that the progress bar draws; the user presses Ctrl-C once two trials are done.
        progressStream: { isTTY: true, columns: 80, write: () => (++drawn === 2 && stop?.(), true) },
        onInterrupt(s) {
          stop = s;
          return () => (released = true);
        },
        now: () => 0,
      });
      assert.equal(status, 130);
      assert.ok(released, 'the interrupt handler is taken away again');
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(lines.length, 1 + 2, 'the header and the two finished trials');
      assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l).index), [0, 1]);
      assert.match(err.join(''), /stopped after 2 of 6 trials; .*stopped\.jsonl holds them/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replay saves the same trace twice, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mklab-replay-'));
    try {
      const files = [join(dir, 'a.mktrace'), join(dir, 'b.mktrace')];
      for (const f of files) assert.equal(replayCommand([BY_CLASS['crash-recovered'], '--trace', f], io().io), 0);
      const [a, b] = files.map((f) => readFileSync(f));
      assert.ok(a!.length > 1000);
      assert.ok(a!.equals(b!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad usage with exit status 2 and one line, and a damaged log with its file, line and column', async () => {
    for (const bad of [['--faults', 'many'], ['--types', 'melt'], ['--configs', 'mainframe'], ['--shard', '3/3'], ['--faults-per-trial', '0'], ['--bogus']]) {
      const r = io();
      assert.equal(await campaignCommand(bad, r.io), 2, bad.join(' '));
      assert.equal(r.err.length, 1);
      assert.match(r.err[0]!, /^mklab campaign: .*\(see 'mklab campaign --help'\)\n$/);
    }
    const replay = io();
    assert.equal(replayCommand([], replay.io), 2);
    const dir = mkdtempSync(join(tmpdir(), 'mklab-merge-'));
    try {
      const log = join(dir, 'bad.jsonl');
      const good = io();
      assert.equal(await campaignCommand(['--faults', '1', '--types', 'crash', '--configs', 'monolithic', '--out', log], good.io), 0);
      writeFileSync(log, readFileSync(log, 'utf8') + '{"index": 1, oops}\n');
      const r = io();
      assert.equal(await campaignCommand(['merge', log], r.io), 1);
      assert.match(r.err.join(''), new RegExp(`${log.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: not JSON`));
      const notLog = join(dir, 'other.jsonl');
      writeFileSync(notLog, '{"hello": 1}\n');
      const r2 = io();
      assert.equal(await campaignCommand(['merge', notLog], r2.io), 1);
      assert.match(r2.err.join(''), /other\.jsonl:1:1: expected a campaign trial log/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
