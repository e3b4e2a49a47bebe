// The built-in scenario templates load with no diagnostics and differ in what they show.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario } from '../../../simulator/config/scenario.js';
import { SCENARIO_TEMPLATES, scenarioTemplate, scenarioTemplateText } from '../../../simulator/config/scenarioTemplates.js';

test('every template is a valid scenario with a seed, a configuration, a workload and faults', () => {
  assert.deepEqual(SCENARIO_TEMPLATES.map((t) => t.id), ['s1', 's2', 's3', 'empty']);
  for (const t of SCENARIO_TEMPLATES) {
    const { scenario, diagnostics } = parseScenario(scenarioTemplateText(t), `${t.fileStem}.mklab.json`);
    assert.deepEqual(diagnostics, [], t.id);
    assert.ok(scenario, t.id);
    assert.ok(Array.isArray(t.content.workload) && Array.isArray(t.content.faults), t.id);
  }
  assert.deepEqual(parseScenario(scenarioTemplateText(scenarioTemplate('s1')!), 's1.json').scenario?.faults.map((f) => [f.target, f.type]), [['nic', 'crash']]);
  assert.equal(parseScenario(scenarioTemplateText(scenarioTemplate('s3')!), 's3.json').scenario?.faults[0]?.type, 'wild-dma');
  assert.equal(scenarioTemplate('nope'), undefined);
});
