// Breakpoint conditions and hit counts as the user types them: what they evaluate to, and clear errors for the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, compileHitCondition, ConditionSyntaxError, HitConditionSyntaxError, type ConditionFacts } from '../../../node/dap/conditions';

const facts: ConditionFacts = {
  caller: 'inet',
  call: 'SENDREC',
  to: 'nic',
  type: 0x202,
  m: { type: 0x202, source: 7, words: [7, 0x202, 1500, -1] },
  r: { type: 0x500, source: 3, words: [3, 0x500] },
  time: 2.5,
  step: 1234,
};

test('a condition compares what the kernel entry offers, with message types by name', () => {
  const holds = (text: string) => compileCondition(text)(facts);
  assert.equal(holds('type == DL_WRITEV_S'), true);
  assert.equal(holds('type == DL_WRITEV_S && time > 3'), false);
  assert.equal(holds('caller == "inet" && to === "nic"'), true);
  assert.equal(holds("call != 'SENDREC'"), false);
  assert.equal(holds('m.words[2] >= 1500 && m.words[3] < 0'), true);
  assert.equal(holds('r.type == 0x500 || caller == "nic"'), true);
  assert.equal(holds('(m.words[2] & 0xff) == 0xdc'), true);
  assert.equal(holds('step % 2 == 0 ? true : false'), true);
  assert.equal(holds('!(time >= 2)'), false);
  assert.equal(holds('m.words.length == 4'), true);
  // What an entry lacks is undefined, never an error: a kernel call has no message, a process may have received nothing.
  const bare: ConditionFacts = { ...facts, to: undefined, type: undefined, m: undefined, r: undefined };
  assert.equal(compileCondition('m.type == 0x202')(bare), false);
  assert.equal(compileCondition('r.words[1] == 0x500')(bare), false);
  assert.equal(compileCondition('to == undefined')(bare), true);
});

test('a condition that does not parse, or names what it may not, is refused with the column', () => {
  const refused: [string, RegExp][] = [
    ['type ==', /condition 'type ==': Unexpected token at column 8/],
    ['type == 1 junk', /unexpected text at column 11/],
    ['typ == 1', /unknown name 'typ' \(expected caller, call, to, type, m, r, time, step, or a message type such as DL_WRITEV_S\) at column 1/],
    ['m.tyep == 1', /unknown field 'tyep' \(expected type, source or words\)/],
    ['process.exit(1)', /call expression is not supported/],
    ['process', /unknown name 'process'/],
    ['caller = "x"', /assignment expression is not supported .*no calls or assignments/],
    ['m.words.map(String)', /call expression is not supported/],
    ['/a+/.test(caller)', /call expression is not supported/],
    ['typeof m == "object"', /the operator 'typeof' is not supported/],
    ['x'.repeat(1001), /at most 1000 are accepted/],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => compileCondition(text), (e: Error) => e instanceof ConditionSyntaxError && message.test(e.message), text);
  }
});

test('a hit count stops at the Nth hit, after it, before it, or every Nth', () => {
  const stops = (text: string) => [1, 2, 3, 4, 5, 6].filter(compileHitCondition(text));
  assert.deepEqual(stops('3'), [3]);
  assert.deepEqual(stops('== 3'), [3]);
  assert.deepEqual(stops('>= 4'), [4, 5, 6]);
  assert.deepEqual(stops('> 4'), [5, 6]);
  assert.deepEqual(stops('< 3'), [1, 2]);
  assert.deepEqual(stops('<=2'), [1, 2]);
  assert.deepEqual(stops('% 2'), [2, 4, 6]);
  for (const bad of ['', 'three', '>> 2', '% 0', '-1', '3.5']) {
    assert.throws(() => compileHitCondition(bad), HitConditionSyntaxError, bad);
  }
});
