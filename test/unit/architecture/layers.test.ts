// The layer rules of ARCHITECTURE.md are enforced by `npm run lint`. These tests lint
// imports that break a rule and imports that keep it, so the rule cannot quietly stop
// resolving imports (and so pass everything) without a test failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('boundaries/')).map((m) => m.message);
}

test('the editor may not import the simulator runtime (it runs in the worker)', async () => {
  const errors = await layerErrors('extension/probe.ts', "import { bootScenario } from '../simulator/system/scenarios';\nexport const b = bootScenario;\n");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /"extension" to elements of type "sim-system"/);
});

test('the kernel may not import services, the SDK or the engine', async () => {
  for (const target of ['../services/rs', '../sdk/sys', '../engine/simulator']) {
    const errors = await layerErrors('simulator/kernel/probe.ts', `import * as m from '${target}';\nexport const x = m;\n`);
    assert.equal(errors.length, 1, `kernel importing ${target}`);
  }
});

test('webviews may not import Node front ends, and the simulator may not import node/', async () => {
  assert.equal((await layerErrors('webview/trace/probe.ts', "import * as m from '../../node/worker/session';\nexport const x = m;\n")).length, 1);
  assert.equal((await layerErrors('simulator/system/probe.ts', "import * as m from '../../node/cli/cli';\nexport const x = m;\n")).length, 1);
});

test("the editor may import a panel's markup, and nothing else of a webview's folder", async () => {
  assert.deepEqual(await layerErrors('extension/trace/probe.ts', "import { TRACE_VIEW_MARKUP } from '../../webview/trace/markup';\nexport const m = TRACE_VIEW_MARKUP;\n"), []);
  const errors = await layerErrors('extension/trace/probe.ts', "import { Viewport } from '../../webview/trace/viewport';\nexport const v = Viewport;\n");
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /"extension" to elements of type "webview"/);
});

test('imports the table allows pass', async () => {
  assert.deepEqual(await layerErrors('extension/probe.ts', "import type { SystemSnapshot } from '../simulator/protocol/workerProtocol';\nexport type S = SystemSnapshot;\n"), []);
  assert.deepEqual(await layerErrors('simulator/drivers/probe.ts', "import { Sef } from '../services/sef';\nexport const s = Sef;\n"), []);
  assert.deepEqual(await layerErrors('node/dap/probe.ts', "import * as m from '../../simulator/system/boot';\nexport const x = m;\n"), []);
});

test('a file in a folder the table does not name is refused', async () => {
  const errors = await layerErrors('simulator/probe.ts', 'export const x = 1;\n');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /does not belong to any known element/);
});

test('the time conversions are open to every layer, the editor and the panels included; the rest of core is not', async () => {
  assert.deepEqual(await layerErrors('webview/trace/probe.ts', "import { cyclesToSeconds } from '../../simulator/time/time';\nexport const f = cyclesToSeconds;\n"), []);
  assert.deepEqual(await layerErrors('extension/probe.ts', "import { formatSimTime } from '../simulator/time/time';\nexport const f = formatSimTime;\n"), []);
  assert.deepEqual(await layerErrors('simulator/hw/probe.ts', "import { secondsToCycles } from '../time/time';\nexport const f = secondsToCycles;\n"), []);
  assert.equal((await layerErrors('webview/trace/probe.ts', "import { EventQueue } from '../../simulator/core/eventQueue';\nexport const q = EventQueue;\n")).length, 1);
  assert.equal((await layerErrors('simulator/time/probe.ts', "import { EventQueue } from '../core/eventQueue';\nexport const q = EventQueue;\n")).length, 1);
});
