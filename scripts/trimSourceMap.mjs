// Keeps, in a bundle's source map, only the mappings into the sources that
// earn their place in the package: the programs a user debugs (the built-in
// drivers, services, programs and the SDK they call), whose lines the
// debugger maps kernel entries to. The rest of the simulator (kernel,
// engine, adapter) then shows as bundle positions in a stack trace, which
// only the project's own developers read, from a development build with the
// whole map. Mappings are Base64 VLQ (the source map v3 format): decoded to
// absolute values, filtered, and encoded again as deltas.
import { readFileSync, writeFileSync } from 'node:fs';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The values of one segment's VLQ fields. */
function decodeSegment(text) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`source map: '${c}' is not a Base64 VLQ digit`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeValue(n) {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}

/** `mappings` with only the segments whose source `keep(sourcePath)` accepts (segments without a source go too). */
export function trimMappings(mappings, sources, keep) {
  const kept = sources.map((s) => keep(s));
  // Running values across the whole string (the generated column resets each line).
  let src = 0;
  let line = 0;
  let col = 0;
  let name = 0;
  // The last values written, for the deltas of the output.
  let outSrc = 0;
  let outLine = 0;
  let outCol = 0;
  let outName = 0;
  const lines = mappings.split(';').map((lineText) => {
    let genCol = 0;
    let outGenCol = 0;
    const segments = [];
    for (const segText of lineText === '' ? [] : lineText.split(',')) {
      const f = decodeSegment(segText);
      genCol += f[0];
      if (f.length < 4) continue;
      src += f[1];
      line += f[2];
      col += f[3];
      if (f.length >= 5) name += f[4];
      if (!kept[src]) continue;
      let seg = encodeValue(genCol - outGenCol) + encodeValue(src - outSrc) + encodeValue(line - outLine) + encodeValue(col - outCol);
      if (f.length >= 5) {
        seg += encodeValue(name - outName);
        outName = name;
      }
      outGenCol = genCol;
      outSrc = src;
      outLine = line;
      outCol = col;
      segments.push(seg);
    }
    return segments.join(',');
  });
  return lines.join(';');
}

/** The sources a user's debugging needs: the programs of the simulated system and the SDK. */
export function debuggedSource(path) {
  return /(^|\/)simulator\/(drivers|services|programs|sdk)\//.test(path.replaceAll('\\', '/'));
}

/** Rewrites the map file in place, keeping the debugged sources' mappings. Returns its size before and after. */
export function trimSourceMapFile(file, keep = debuggedSource) {
  const text = readFileSync(file, 'utf8');
  const map = JSON.parse(text);
  map.mappings = trimMappings(map.mappings, map.sources, keep);
  const out = JSON.stringify(map);
  writeFileSync(file, out);
  return { before: text.length, after: out.length };
}
