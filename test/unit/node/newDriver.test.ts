// "New Driver" writes a driver, its .conf and a scenario that work as they are:
// the driver runs beside the default system, does its periodic work, answers
// a request, crashes at the scenario's fault and is restarted by RS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { driverLabelProblem, driverTemplate } from '../../../simulator/config/driverTemplate';
import { parseScenario } from '../../../simulator/config/scenario';
import { parseSystemConf } from '../../../simulator/config/systemConf';
import { bootScenario } from '../../../simulator/system/scenarios';
import { readScenarioFiles } from '../../../node/boot/scenarioFiles';
import { Message, OK } from '../../../simulator/sdk';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mklab-newdriver-'));
  const files = driverTemplate('ticker');
  for (const f of [files.driver, files.conf, files.scenario]) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.text);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('driver labels follow MINIX\'s rules and may not take a built-in service\'s', () => {
  assert.equal(driverLabelProblem('ticker'), undefined);
  assert.match(driverLabelProblem('Ticker')!, /not a MINIX label/);
  assert.match(driverLabelProblem('a'.repeat(17))!, /at most 16 characters/);
  assert.match(driverLabelProblem('nic')!, /built-in service/);
});

test('the written .conf and scenario load without a diagnostic', () => {
  const files = driverTemplate('ticker');
  assert.deepEqual(parseSystemConf(files.conf.text, 'ticker.conf').diagnostics, []);
  assert.deepEqual(parseScenario(files.scenario.text, 'ticker.mklab.json').diagnostics, []);
});

test('the new driver runs: periodic work, a request answered, a crash at 2 s and a restart by RS', () => {
  const file = join(dir, 'ticker.mklab.json');
  const scenario = parseScenario(readFileSync(file, 'utf8'), file).scenario!;
  const system = bootScenario(scenario, readScenarioFiles(scenario, dir));
  const second = system.clockHz;
  system.run({ untilCycles: second });
  // Ten alarms a second, each 20,000 cycles of work (the template's WORK_PER_TICK).
  const before = system.sim.processes().find((p) => p.name === 'ticker')!;
  assert.ok(before.userCycles >= 9 * 20_000, `the driver did ${before.userCycles} cycles of work in its first second`);
  // A request from another process is answered with the tick count.
  let answer = -1;
  system.sim.programs.register('asker', function* (sys) {
    const m = new Message(1);
    const r = yield sys.sendrec(sys.args['ticker'] as number, m);
    answer = r === OK ? m.type : r;
    return 0;
  });
  system.sim.spawn({ program: 'asker', name: 'asker', privilege: { system: false, ipcTo: ['ticker'], kernelCalls: [] }, args: { ticker: before.endpoint } });
  system.run({ untilCycles: 1.5 * second });
  assert.ok(answer >= 9, `the driver answered ${answer}`);
  system.run({ untilCycles: scenario.duration.cycles });
  const status = system.serviceStatus('ticker')!;
  assert.equal(status.restarts, 1, 'RS restarted it after the injected crash');
  assert.equal(status.state, 'running');
  const summary = system.summary('ticker');
  assert.equal(summary.outcome, summary.expectedOutcome);
});
