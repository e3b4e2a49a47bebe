// The package's source map keeps the mappings the debugger needs (the
// programs users debug: drivers, services, programs, the SDK) and drops the
// rest: checked on a real bundle of the simulator, position by position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
// @ts-expect-error: a plain JavaScript build script, without types
import { debuggedSource, trimMappings } from '../../../scripts/trimSourceMap.mjs';

/** Every mapped position of a map, as "generatedLine:generatedColumn -> source:line:column". */
function positions(map: { sources: string[]; mappings: string }): Set<string> {
  const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out = new Set<string>();
  let src = 0;
  let line = 0;
  let col = 0;
  map.mappings.split(';').forEach((lineText, genLine) => {
    let genCol = 0;
    for (const seg of lineText === '' ? [] : lineText.split(',')) {
      const f: number[] = [];
      let v = 0;
      let shift = 0;
      for (const c of seg) {
        const d = DIGITS.indexOf(c);
        v += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          f.push(v & 1 ? -(v >>> 1) : v >>> 1);
          v = 0;
          shift = 0;
        }
      }
      genCol += f[0]!;
      if (f.length < 4) continue;
      src += f[1]!;
      line += f[2]!;
      col += f[3]!;
      out.add(`${genLine}:${genCol} -> ${map.sources[src]}:${line}:${col}`);
    }
  });
  return out;
}

test('trimming keeps every position of the debugged sources and none of the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mklab-map-'));
  try {
    await esbuild.build({ entryPoints: ['simulator/system/scenarios.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: join(dir, 'sim.js'), sourcemap: true, sourcesContent: false, logLevel: 'error', external: ['source-text:*', 'bundle-text:*'] });
    const map = JSON.parse(readFileSync(join(dir, 'sim.js.map'), 'utf8')) as { sources: string[]; mappings: string };
    const all = positions(map);
    const trimmed = positions({ sources: map.sources, mappings: trimMappings(map.mappings, map.sources, debuggedSource) as string });
    const wanted = [...all].filter((p) => /simulator\/(drivers|services|programs|sdk)\//.test(p.split(' -> ')[1]!));
    assert.ok(wanted.some((p) => p.includes('simulator/drivers/nic.ts:')), 'the NIC driver is in the bundle');
    assert.deepEqual([...trimmed].sort(), wanted.sort(), 'exactly the debugged sources\' positions, at the same places');
    assert.ok(trimmed.size < all.size * 0.8, `${trimmed.size} of ${all.size} positions kept`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
