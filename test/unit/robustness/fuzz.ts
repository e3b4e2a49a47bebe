// Property-based fuzzing of the readers of user input, driven by fast-check:
// text and byte mutators whose every choice is drawn from fast-check (so a
// failing input shrinks to a small one and is replayed from the printed seed
// and path), and checks that a reported location lies inside the input.
//
// In `npm test` every property runs a fixed number of times from a fixed seed,
// so the tier is bounded and repeatable. `npm run fuzz` runs the same
// properties for as long as asked, with fresh seeds (MKLAB_FUZZ_SEED) and more
// runs per property (MKLAB_FUZZ_SCALE).
import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { RandomStream } from '../../../simulator/core/random';

/** The run's seed: fixed, so a failure repeats; MKLAB_FUZZ_SEED explores other mutants. */
export const FUZZ_SEED = Number.parseInt(process.env.MKLAB_FUZZ_SEED ?? '20261205', 10);
/** How many times more runs than the bounded tier each property makes (`npm run fuzz` raises it). */
export const FUZZ_SCALE = Math.max(1, Number.parseInt(process.env.MKLAB_FUZZ_SCALE ?? '1', 10) || 1);

/** The choices a mutator makes: a number below a bound, an item, a coin with a given bias. */
export interface Choices {
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** Choices drawn from fast-check inside a property (fc.gen()), so they are recorded, replayed and shrunk. */
export class GenChoices implements Choices {
  constructor(private readonly g: fc.GeneratorValue) {}
  int(maxExclusive: number): number {
    return maxExclusive <= 1 ? 0 : this.g(fc.nat, { max: maxExclusive - 1 });
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    // Shrinks towards "no": a smaller mutant.
    return this.g(fc.nat, { max: 999 }) >= 1000 - Math.round(p * 1000);
  }
}

/**
 * Checks `predicate` on `runs` inputs (times FUZZ_SCALE) drawn from fast-check,
 * from FUZZ_SEED; a failure is shrunk and reported with the seed and path that
 * replay it. Prints a `fuzz-count` line that `npm run fuzz` adds up.
 */
export function fuzz(name: string, runs: number, predicate: (choices: GenChoices, run: number) => void): void {
  const numRuns = runs * FUZZ_SCALE;
  let run = 0;
  const started = Date.now();
  fc.assert(
    fc.property(fc.gen(), (g) => {
      predicate(new GenChoices(g), run++);
    }),
    { seed: FUZZ_SEED, numRuns, endOnFailure: false },
  );
  console.log(`fuzz-count property=${JSON.stringify(name)} runs=${numRuns} seed=${FUZZ_SEED} ms=${Date.now() - started}`);
}

/** As fuzz, for a predicate that awaits (the trace view's loader). */
export async function fuzzAsync(name: string, runs: number, predicate: (choices: GenChoices, run: number) => Promise<void>): Promise<void> {
  const numRuns = runs * FUZZ_SCALE;
  let run = 0;
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(fc.gen(), async (g) => {
      await predicate(new GenChoices(g), run++);
    }),
    { seed: FUZZ_SEED, numRuns, endOnFailure: false },
  );
  console.log(`fuzz-count property=${JSON.stringify(name)} runs=${numRuns} seed=${FUZZ_SEED} ms=${Date.now() - started}`);
}

export class Rng implements Choices {
  private readonly stream: RandomStream;
  constructor(seed: number, stream = 0) {
    this.stream = new RandomStream(seed, stream);
  }
  int(maxExclusive: number): number {
    return maxExclusive <= 0 ? 0 : this.stream.nextInt(maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.stream.chance(p);
  }
}

const PUNCTUATION = [' ', '\n', '\t', '\r', '"', "'", '\\', '{', '}', '[', ']', '(', ')', ';', ',', ':', '=', '#', '-', '.', '/', '*', '0', '9', 'x', '\u00e9', '\u20ac', '\ud83d\ude00', '\u0000', '\ud800'];

/**
 * One text mutant: one to three edits, each deleting, inserting, duplicating or
 * replacing a piece of the text, or cutting it short. `tokens` are words of the
 * format (keywords, numbers, punctuation) that make mutants look nearly right.
 */
export function mutateText(rng: Choices, text: string, tokens: readonly string[]): string {
  let s = text;
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(s.length + 1);
    const len = 1 + rng.int(rng.chance(0.8) ? 8 : 200);
    switch (rng.int(7)) {
      case 0: // delete a span
        s = s.slice(0, at) + s.slice(at + len);
        break;
      case 1: // insert punctuation
        s = s.slice(0, at) + rng.pick(PUNCTUATION) + s.slice(at);
        break;
      case 2: // insert a word of the format
        s = s.slice(0, at) + rng.pick(tokens) + s.slice(at);
        break;
      case 3: // replace a span with a word of the format
        s = s.slice(0, at) + rng.pick(tokens) + s.slice(at + len);
        break;
      case 4: {
        // duplicate a span elsewhere
        const from = rng.int(s.length + 1);
        s = s.slice(0, at) + s.slice(from, from + len) + s.slice(at);
        break;
      }
      case 5: // cut the text short
        s = s.slice(0, at);
        break;
      default: {
        // replace one character with a random code unit
        const c = rng.chance(0.5) ? rng.pick(PUNCTUATION) : String.fromCharCode(rng.int(0x3000));
        s = s.slice(0, at) + c + s.slice(at + 1);
      }
    }
  }
  return s;
}

const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One byte mutant: bit flips, bytes set to edge values, a u32 overwritten (both byte orders), or a cut. */
export function mutateBytes(rng: Choices, bytes: Uint8Array, hotRanges: readonly (readonly [number, number])[] = []): Uint8Array {
  let b: Uint8Array = bytes.slice();
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    if (b.length === 0) break;
    // Most edits land in the structures named by hotRanges (headers, records), the rest anywhere.
    let at: number;
    if (hotRanges.length > 0 && rng.chance(0.85)) {
      const [lo, hi] = rng.pick(hotRanges);
      at = Math.min(b.length - 1, lo + rng.int(Math.max(1, hi - lo)));
    } else {
      at = rng.int(b.length);
    }
    switch (rng.int(6)) {
      case 0:
        b[at] = b[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        b[at] = rng.pick([0, 0xff, 0x7f, 0x80, 1]);
        break;
      case 2:
        b[at] = rng.int(256);
        break;
      case 3:
      case 4: {
        const v = rng.chance(0.5) ? rng.pick(INTERESTING_U32) : (b[at]! | (b[at + 1]! << 8)) + rng.int(9) - 4;
        const little = rng.chance(0.5);
        for (let k = 0; k < 4 && at + k < b.length; k++) b[at + k] = (v >>> (8 * (little ? k : 3 - k))) & 0xff;
        break;
      }
      default:
        if (rng.chance(0.3)) b = b.slice(0, at);
        else b[at] = b[at]! ^ 0xff;
    }
  }
  return b;
}

/** Builds a nested JSON value `depth` levels deep, as text (the parser must not overflow the stack). */
export function deepJson(depth: number, open = '[', close = ']'): string {
  return open.repeat(depth) + close.repeat(depth);
}

export interface TextLocation {
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly message: string;
}

/** Asserts that a reported location is inside the text (1-based; a column may be one past a line's end) and comes with a message. */
export function assertLocatedIn(text: string, d: TextLocation, what: string): void {
  const lines = text.split('\n');
  const inside = (line: number, column: number): boolean =>
    Number.isInteger(line) && Number.isInteger(column) && line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1]!.length + 1;
  assert.ok(inside(d.line, d.column), `${what}: ${d.line}:${d.column} is outside the input (${lines.length} lines): ${d.message}`);
  if (d.endLine !== undefined || d.endColumn !== undefined) {
    assert.ok(inside(d.endLine!, d.endColumn!), `${what}: end ${d.endLine}:${d.endColumn} is outside the input: ${d.message}`);
    assert.ok(d.endLine! > d.line || (d.endLine === d.line && d.endColumn! >= d.column), `${what}: range ends before it starts: ${d.message}`);
  }
  assert.equal(typeof d.message, 'string', what);
  assert.ok(d.message.trim().length > 0, `${what}: empty message`);
}

/** A short, printable description of a mutant for a failure message, to keep as a regression case. */
export function show(text: string, max = 400): string {
  return JSON.stringify(text.length > max ? text.slice(0, max) + '…' : text);
}
