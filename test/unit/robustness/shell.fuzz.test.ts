// The console's shell under random lines: the tokenizer never throws and keeps every word inside
// the line; a command line, however odd, comes back as text (an error of the command's own, never
// the catch-all "failed:" an unexpected exception gives); completion stays inside the line.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { stripAnsi } from '../../../simulator/shell/ansi';
import type { Advance, ShellContext } from '../../../simulator/shell/command';
import { MAX_LINE_LENGTH, commandNames, completeLine, executeLine } from '../../../simulator/shell/shell';
import { tokenize } from '../../../simulator/shell/tokenizer';
import { bootScenario, builtinScenario } from '../../../simulator/system/scenarios';
import type { RunningSystem } from '../../../simulator/system/boot';
import { INJECTABLE_FAULTS } from '../../../simulator/faults/injector';
import { FUZZ_SEED, Rng, show } from './fuzz';

const BOOTED_CYCLES = 50_000_000;
let withCd: RunningSystem;
let withDamagedCd: RunningSystem;

before(() => {
  withCd = bootScenario(builtinScenario('s3'));
  withCd.run({ untilCycles: BOOTED_CYCLES });
  withDamagedCd = bootScenario(builtinScenario('s2'));
  withDamagedCd.run({ untilCycles: BOOTED_CYCLES });
});

const WORDS = [
  ...commandNames(), 'tail', 'up', 'down', 'restart', 'refresh', 'update', 'clone', 'fi', ...INJECTABLE_FAULTS,
  'nic', 'disk', 'isofs', 'rs', 'vfs', 'pm', 'kernel', 'system', 'clock', 'idle', 'hostile', 'NIC', 'rtl8139',
  '/', '/README.TXT', '/DOCS', '/DOCS/CLAIMS.TXT', '..', '../..', '/a/../../..', '.', '//', 'docs/../readme.txt', '/README.TXT/x',
  '0', '1', '-1', '20', '99999999999999999999', '1e3', '0x10', 'NaN', 'Infinity', '4294967296',
  'vaddr=0', 'bytes=1e309', 'paddr=-1', 'target=kernel', 'target=vfs', '=', 'x=', '=y', 'bytes=NaN', 'vaddr=0xffffffff',
];
const PIECES = ["'", '"', '\\', '\\"', '\t', '  ', '\x1b[31m', '\x07', '\u0000', '\ud800', '\u00e9', '\u{1f600}', '$', '`', '#', ';', '|', '&&', '*'];

function randomLine(rng: Rng): string {
  const n = rng.int(7);
  let line = '';
  for (let i = 0; i < n; i++) {
    if (i > 0) line += rng.chance(0.85) ? ' ' : rng.pick(['\t', '', '   ']);
    line += rng.chance(0.75) ? rng.pick(WORDS) : rng.pick(PIECES);
    if (rng.chance(0.15)) line += rng.pick(PIECES);
  }
  return rng.chance(0.02) ? line + 'x'.repeat(MAX_LINE_LENGTH) : line;
}

const ADVANCES: (Advance | undefined)[] = [
  { kind: 'paused' },
  { kind: 'refused', reason: 'the system has stopped' },
  { kind: 'run', limitCycles: 2_000_000 },
];
const COLUMNS = [80, 120, 0, 1, 19, -5, Number.NaN, 10_000];

function checkTokenize(line: string, what: string): void {
  let r: ReturnType<typeof tokenize>;
  try {
    r = tokenize(line);
  } catch (e) {
    assert.fail(`${what}\ntokenize threw ${String(e)}`);
  }
  const tokens = r.ok ? r.tokens : r.partial;
  if (!r.ok) assert.ok(r.error.length > 0, what);
  let last = 0;
  for (const t of tokens) {
    assert.ok(t.start >= last && t.start < t.end && t.end <= line.length, `${what}: token [${t.start}, ${t.end}) in a line of ${line.length}`);
    last = t.end;
  }
}

function checkExecute(line: string, context: ShellContext, what: string): string {
  let out: string;
  try {
    out = executeLine(line, context);
  } catch (e) {
    assert.fail(`${what}\nexecuteLine threw ${String(e)}`);
  }
  assert.equal(typeof out, 'string', what);
  // "<command>: failed: ..." is what the shell prints when a command throws something other than its own error.
  const plain = stripAnsi(out);
  const name = commandNames().find((c) => plain.startsWith(`${c}: failed: `));
  assert.equal(name, undefined, `${what}\nan unexpected exception: ${plain.split('\n')[0]}`);
  return plain;
}

test('random lines: tokenized within the line, answered as text, completed inside the line', () => {
  const rng = new Rng(FUZZ_SEED, 50);
  const N = 2500;
  let refused = 0;
  for (let i = 0; i < N; i++) {
    const line = randomLine(rng);
    const what = `line ${i} (seed ${FUZZ_SEED}): ${show(line)}`;
    checkTokenize(line, what);
    // Service requests change the system; most run on a system without a disc, some on the damaged disc.
    const system = rng.chance(0.1) ? undefined : rng.chance(0.3) ? withDamagedCd : withCd;
    const advance = rng.pick(ADVANCES);
    const context: ShellContext = { system, columns: rng.pick(COLUMNS), ...(advance === undefined ? {} : { advance }) };
    const out = checkExecute(line, context, what);
    if (/^(sh|\S+): /.test(out) && !out.includes('\n')) refused++;
    const cursor = rng.pick([0, line.length, rng.int(line.length + 1), -1, line.length + 5, Number.NaN]);
    let c: ReturnType<typeof completeLine>;
    try {
      c = completeLine(line, cursor, context);
    } catch (e) {
      assert.fail(`${what}\ncompleteLine(${cursor}) threw ${String(e)}`);
    }
    assert.ok(c.start >= 0 && c.start <= c.end && c.end <= line.length, `${what}: completion [${c.start}, ${c.end}) at ${cursor}`);
  }
  assert.ok(refused > N * 0.2, `only ${refused} of ${N} lines were refused`);
});

test('every command with every argument count up to four, on each kind of system: text, never an unexpected exception', () => {
  const rng = new Rng(FUZZ_SEED, 51);
  for (const system of [undefined, withCd, withDamagedCd]) {
    for (const name of commandNames()) {
      for (let args = 0; args <= 4; args++) {
        for (let k = 0; k < 8; k++) {
          const words = [name, ...Array.from({ length: args }, () => rng.pick(WORDS))];
          const line = words.join(' ');
          checkExecute(line, { system, columns: 80, advance: { kind: 'paused' } }, `${show(line)} on ${system === undefined ? 'no system' : system.name}`);
        }
      }
    }
  }
});
