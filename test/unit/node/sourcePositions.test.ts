// Kernel entries' locations as the debugger and the trace view get them: read from the engine's structured call
// sites and mapped through Node's source maps once per position, they are the very frames the stack's text gives
// (Node formats it through the same source maps: the unit tests run with --enable-source-maps).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import { secondsToCycles } from '../../../simulator/time/time';
import { setPositionMapper } from '../../../simulator/sdk/sys';
import { locateThroughSourceMaps } from '../../../node/boot/sourcePositions';

const limit = Error.stackTraceLimit;
after(() => {
  setPositionMapper(null);
  Error.stackTraceLimit = limit;
});

/** Every kernel entry's frames, innermost first, in 3 s of S1 (its servers, drivers and their helpers reached by yield*). */
function entryFrames(): string[] {
  const system = bootScenario(builtinScenario('s1'), { captureSourceLocations: true, trace: { capacity: 1 << 16 } });
  const frames: string[] = [];
  system.sim.kernelEntryHook = (e) => {
    frames.push(`${e.name} ${e.call}: ${[e.location, ...e.callers].join(' < ')}`);
  };
  system.run({ untilCycles: secondsToCycles(3, system.clockHz) });
  return frames;
}

test("an entry's frames read from call sites through the source maps are those of the stack's text", () => {
  // As the debug adapter keeps them: the whole stack, so that neither way cuts it.
  Error.stackTraceLimit = 64;
  setPositionMapper(null);
  const fromText = entryFrames();
  locateThroughSourceMaps();
  const fromSites = entryFrames();
  assert.ok(fromText.length > 500, `${fromText.length} entries`);
  assert.deepEqual(fromSites, fromText);
  // They name the TypeScript sources, with the helpers that led there (a driver's call into its SEF helpers).
  assert.ok(fromSites.every((f) => /\.ts:\d+:\d+/.test(f)), fromSites.find((f) => !/\.ts:\d+:\d+/.test(f)));
  assert.ok(fromSites.some((f) => /simulator\/drivers\/\w+\.ts:\d+:\d+ < /.test(f) || / < .*simulator\/drivers\/\w+\.ts:\d+:\d+/.test(f)));
});
