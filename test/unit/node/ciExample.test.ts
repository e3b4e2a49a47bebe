// The example workflow users copy (docs/ci/microkernel-lab.yml) runs as their CI would run it: its run
// steps job by job (the campaign's matrix expanded), with bash as GitHub runs it, in one folder that
// stands for the artifacts the jobs hand each other. `npx --yes microkernel-lab` is the CLI bundled from
// this checkout (the packed package's own `npx` is tested in cliPackage.test.ts), and the faults per
// shard are fewer than the example's, through the environment variable the example reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { bundleForTest } from '../bundle';

const root = join(__dirname, '..', '..', '..', '..');
let dir: string;
let cli: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-ci-example-'));
  cli = join(dir, 'mklab.js');
  await bundleForTest('node/cli/cli.ts', cli);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Job {
  readonly name: string;
  readonly matrix: Record<string, string[]>;
  readonly runs: string[];
}

/** The workflow's top-level env and, per job, its matrix and run scripts: what running it needs, read line by line. */
function readWorkflow(text: string): { env: Record<string, string>; jobs: Job[] } {
  const lines = text.split('\n');
  const env: Record<string, string> = {};
  const jobs: Job[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const top = /^([a-z-]+):/.exec(line);
    if (top !== null) {
      section = top[1]!;
      continue;
    }
    if (section === 'env') {
      const kv = /^ {2}([A-Z_]+): (.+)$/.exec(line);
      if (kv !== null) env[kv[1]!] = kv[2]!.trim();
      continue;
    }
    if (section !== 'jobs') continue;
    const job = /^ {2}([a-z][\w-]*):\s*$/.exec(line);
    if (job !== null) {
      jobs.push({ name: job[1]!, matrix: {}, runs: [] });
      continue;
    }
    const current = jobs.at(-1);
    if (current === undefined) continue;
    const axis = /^ {8}(\w+): \[(.*)\]$/.exec(line);
    if (axis !== null && lines.slice(0, i).reverse().find((l) => l.trim() !== '')?.trim() === 'matrix:') {
      current.matrix[axis[1]!] = axis[2]!.split(',').map((v) => v.trim());
      continue;
    }
    const run = /^(\s*)(?:- )?run: (.*)$/.exec(line);
    if (run === null) continue;
    if (run[2]!.trim() !== '|') {
      current.runs.push(run[2]!);
      continue;
    }
    const indent = run[1]!.length + (line.trimStart().startsWith('- ') ? 2 : 0);
    const body: string[] = [];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > indent)) body.push(lines[++i]!);
    const cut = Math.min(...body.filter((l) => l.trim() !== '').map((l) => l.search(/\S/)));
    current.runs.push(body.map((l) => l.slice(cut)).join('\n').trimEnd());
  }
  return { env, jobs };
}

test('the example workflow for users runs: every scenario with a JUnit report, a campaign in four shards, their merge into the survival table', async () => {
  const { env, jobs } = readWorkflow(readFileSync(join(root, 'docs', 'ci', 'microkernel-lab.yml'), 'utf8'));
  assert.deepEqual(jobs.map((j) => j.name), ['scenarios', 'campaign', 'survival']);
  assert.deepEqual(jobs[1]!.matrix, { shard: ['0', '1', '2', '3'] });
  assert.equal(env['FAULTS_PER_SHARD'], '100');

  const work = join(dir, 'repo');
  mkdirSync(join(work, 'scenarios'), { recursive: true });
  const scenario = { name: 'quick', system: 'default', configuration: 'microkernel-iommu', seed: 2, duration: '90s', workload: [{ kind: 'packet-stream', ratePerSecond: 10, sizeBytes: 128, direction: 'tx' }], faults: [{ at: '30s', target: 'nic', type: 'crash' }] };
  writeFileSync(join(work, 'scenarios', 'quick.mklab.json'), JSON.stringify(scenario, null, 2));
  writeFileSync(join(work, 'scenarios', 'monolithic.mklab.json'), JSON.stringify({ ...scenario, name: 'monolithic', configuration: 'monolithic' }, null, 2));
  const summaryFile = join(dir, 'step-summary.md');
  const runStep = (script: string, matrix: Record<string, string>) => {
    const command = script.replace(/\$\{\{ matrix\.(\w+) \}\}/g, (_, k: string) => matrix[k]!).replaceAll('npx --yes microkernel-lab', 'node "$MKLAB"');
    assert.doesNotMatch(command, /\$\{\{/, 'an expression the test does not stand in for');
    return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', command], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, ...env, FAULTS_PER_SHARD: '2', MKLAB: cli, GITHUB_STEP_SUMMARY: summaryFile },
    });
  };

  // The scenarios job fails, as it should: the monolithic run panics at the crash, which its scenario does not expect.
  const [scenarios, campaign, survival] = jobs as [Job, Job, Job];
  const s = runStep(scenarios.runs[0]!, {});
  assert.equal(s.status, 1, s.stderr);
  const reports = readdirSync(join(work, 'reports')).sort();
  assert.deepEqual(reports, ['monolithic.xml', 'quick.xml']);
  assert.match(readFileSync(join(work, 'reports', 'quick.xml'), 'utf8'), /tests="1" failures="0" errors="0"/);
  assert.match(readFileSync(join(work, 'reports', 'monolithic.xml'), 'utf8'), /<failure message="[^"]*panic/);

  for (const shard of campaign.matrix['shard']!) {
    for (const script of campaign.runs) {
      const r = runStep(script, { shard });
      assert.equal(r.status, 0, `shard ${shard}: ${r.stderr}`);
    }
    assert.ok(existsSync(join(work, `shard-${shard}.jsonl`)));
  }
  for (const script of survival.runs) {
    const r = runStep(script, {});
    assert.equal(r.status, 0, r.stderr);
  }
  const table = readFileSync(join(work, 'survival.md'), 'utf8');
  assert.match(table, /^\| fault type \| configuration \| trials \|/);
  assert.match(table, /^8 trials, \d+ faults injected; the system survived \d+ of 8 trials/m);
  assert.equal(readFileSync(summaryFile, 'utf8'), table, 'the table is the job summary');
  const schema = readFileSync(join(root, 'test', 'fixtures', 'junit', 'jenkins-junit.xsd'), 'utf8');
  const junit = readFileSync(join(work, 'survival.xml'), 'utf8');
  const valid = await validateXML({ xml: [{ fileName: 'survival.xml', contents: junit }], schema: [{ fileName: 'junit.xsd', contents: schema }] });
  assert.ok(valid.valid, valid.rawOutput);
  assert.match(junit, /<testsuite name="mklab campaign"/);
});
