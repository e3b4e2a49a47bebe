// Breakpoint conditions and hit counts, as the user types them in the
// Breakpoints view ("Edit Condition", "Edit Hit Count").
//
// A condition is an expression in JavaScript's syntax over what the kernel
// entry offers, evaluated by a small interpreter, never by the engine: there
// are no calls, no assignments and no access to anything but these names.
//   caller   the process entering the kernel ("nic")
//   call     the IPC trap or kernel call ("SENDREC", "SAFECOPYFROM")
//   to       the process the entry sends to, if any ("inet")
//   type     the type of the message it sends (a number), if any
//   m        that message: m.type, m.source, m.words[i] (32-bit words, 0 = source, 1 = type)
//   r        the message the process last received (the request it is handling): r.type, r.source, r.words[i]
//   time     simulated seconds;  step  the simulator's step count
// and every message type by name (DL_WRITEV_S), e.g.
//   type == DL_WRITEV_S && time > 2
//   r.type == 0x500 || caller == "inet"
// A hit count is "N" or "== N" (the Nth hit only), "> N", ">= N", "< N",
// "<= N", or "% N" (every Nth hit). Hits are counted when the location
// matches and the condition holds.
import { parseExpressionAt, type Node } from 'acorn';
import { traceNaming } from '../../simulator/system/traceNames';

export class ConditionSyntaxError extends Error {}

/** Longest condition accepted, in characters. */
const MAX_CONDITION_LENGTH = 1000;

/** What a condition may name. */
export interface ConditionFacts {
  readonly caller: string;
  readonly call: string;
  readonly to: string | undefined;
  readonly type: number | undefined;
  readonly m: MessageFacts | undefined;
  readonly r: MessageFacts | undefined;
  readonly time: number;
  readonly step: number;
}

export interface MessageFacts {
  readonly type: number;
  readonly source: number;
  readonly words: readonly number[];
}

const NAMES = new Set<string>(['caller', 'call', 'to', 'type', 'm', 'r', 'time', 'step', 'undefined']);

export type Condition = (facts: ConditionFacts) => boolean;

let messageTypes: Map<string, number> | undefined;
function messageTypeNames(): Map<string, number> {
  if (messageTypes === undefined) {
    messageTypes = new Map();
    for (const t of traceNaming().messageTypes()) for (const n of t.name.split(' / ')) messageTypes.set(n, t.type);
  }
  return messageTypes;
}

type Value = number | string | boolean | undefined | MessageFacts | readonly number[];

/** Parses a condition; throws ConditionSyntaxError saying where and what was expected. */
export function compileCondition(text: string): Condition {
  if (text.length > MAX_CONDITION_LENGTH) throw new ConditionSyntaxError(`the condition has ${text.length} characters; at most ${MAX_CONDITION_LENGTH} are accepted`);
  let ast: Node;
  try {
    ast = parseExpressionAt(text, 0, { ecmaVersion: 2022 });
  } catch (e) {
    const column = (e as { pos?: number }).pos;
    throw new ConditionSyntaxError(`condition '${text}': ${(e as Error).message.replace(/ \(\d+:\d+\)$/, '')}${column === undefined ? '' : ` at column ${column + 1}`}`);
  }
  if (ast.end < text.trimEnd().length) {
    let at = ast.end;
    while (/\s/.test(text[at] ?? '')) at++;
    throw new ConditionSyntaxError(`condition '${text}': unexpected text at column ${at + 1}; expected the end of the expression`);
  }
  check(ast, text);
  return (facts) => truthy(evaluate(ast, facts));
}

/** Refuses, before any run, what the interpreter does not do and the names it does not know. */
function check(node: Node, text: string): void {
  const n = node as Node & Record<string, unknown>;
  const fail = (what: string) => new ConditionSyntaxError(`condition '${text}': ${what} at column ${node.start + 1}`);
  switch (node.type) {
    case 'Literal':
      if (n['regex'] !== undefined || typeof n['value'] === 'bigint') throw fail('expected a number, a string, true or false');
      return;
    case 'Identifier': {
      const name = n['name'] as string;
      if (!NAMES.has(name) && !messageTypeNames().has(name)) {
        throw fail(`unknown name '${name}' (expected caller, call, to, type, m, r, time, step, or a message type such as DL_WRITEV_S)`);
      }
      return;
    }
    case 'MemberExpression': {
      check(n['object'] as Node, text);
      const property = n['property'] as Node & Record<string, unknown>;
      if (n['computed'] === true) check(property, text);
      else if (!['type', 'source', 'words', 'length'].includes(property['name'] as string)) throw fail(`unknown field '${String(property['name'])}' (expected type, source or words)`);
      return;
    }
    case 'BinaryExpression':
    case 'LogicalExpression':
      check(n['left'] as Node, text);
      check(n['right'] as Node, text);
      return;
    case 'UnaryExpression':
      if (!['!', '-', '+', '~'].includes(n['operator'] as string)) throw fail(`the operator '${String(n['operator'])}' is not supported`);
      check(n['argument'] as Node, text);
      return;
    case 'ConditionalExpression':
      check(n['test'] as Node, text);
      check(n['consequent'] as Node, text);
      check(n['alternate'] as Node, text);
      return;
    default:
      throw fail(`${node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} is not supported (a condition compares values: no calls or assignments)`);
  }
}

function truthy(v: Value): boolean {
  return v !== undefined && v !== 0 && v !== '' && v !== false && !(typeof v === 'number' && Number.isNaN(v));
}

function num(v: Value): number {
  return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN;
}

function evaluate(node: Node, facts: ConditionFacts): Value {
  const n = node as Node & Record<string, unknown>;
  switch (node.type) {
    case 'Literal':
      return n['value'] as number | string | boolean;
    case 'Identifier': {
      const name = n['name'] as string;
      if (name === 'undefined') return undefined;
      if (NAMES.has(name)) return facts[name as keyof ConditionFacts];
      return messageTypeNames().get(name);
    }
    case 'MemberExpression': {
      const object = evaluate(n['object'] as Node, facts);
      if (object === undefined || object === null || typeof object !== 'object') return undefined;
      const key = n['computed'] === true ? evaluate(n['property'] as Node, facts) : ((n['property'] as Record<string, unknown>)['name'] as string);
      if (Array.isArray(object)) {
        if (key === 'length') return object.length;
        return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < object.length ? (object[key] as number) : undefined;
      }
      const m = object as MessageFacts;
      return key === 'type' ? m.type : key === 'source' ? m.source : key === 'words' ? m.words : undefined;
    }
    case 'LogicalExpression': {
      const left = evaluate(n['left'] as Node, facts);
      const op = n['operator'] as string;
      if (op === '&&') return truthy(left) ? evaluate(n['right'] as Node, facts) : left;
      if (op === '||') return truthy(left) ? left : evaluate(n['right'] as Node, facts);
      return left === undefined ? evaluate(n['right'] as Node, facts) : left;
    }
    case 'UnaryExpression': {
      const v = evaluate(n['argument'] as Node, facts);
      switch (n['operator']) {
        case '!':
          return !truthy(v);
        case '-':
          return -num(v);
        case '+':
          return num(v);
        default:
          return ~num(v);
      }
    }
    case 'ConditionalExpression':
      return truthy(evaluate(n['test'] as Node, facts)) ? evaluate(n['consequent'] as Node, facts) : evaluate(n['alternate'] as Node, facts);
    case 'BinaryExpression':
      return binary(n['operator'] as string, evaluate(n['left'] as Node, facts), evaluate(n['right'] as Node, facts));
    default:
      return undefined;
  }
}

function binary(op: string, a: Value, b: Value): Value {
  switch (op) {
    case '==':
    case '===':
      return a === b;
    case '!=':
    case '!==':
      return a !== b;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    if (op === '+') return a + b;
    if (op === '<') return a < b;
    if (op === '<=') return a <= b;
    if (op === '>') return a > b;
    if (op === '>=') return a >= b;
    return undefined;
  }
  const x = num(a);
  const y = num(b);
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '%':
      return x % y;
    case '&':
      return x & y;
    case '|':
      return x | y;
    case '^':
      return x ^ y;
    case '<<':
      return x << y;
    case '>>':
      return x >> y;
    case '>>>':
      return x >>> y;
    default:
      return undefined;
  }
}

export class HitConditionSyntaxError extends Error {}

/** Whether the nth hit (1 for the first) stops. */
export type HitCondition = (n: number) => boolean;

/** Parses a hit count; throws HitConditionSyntaxError saying what was expected. */
export function compileHitCondition(text: string): HitCondition {
  const m = /^\s*(==|=|>=|>|<=|<|%)?\s*(\d{1,9})\s*$/.exec(text);
  if (m === null) {
    throw new HitConditionSyntaxError(`hit count '${text}': expected a number of hits, optionally after ==, >, >=, <, <= or % (every Nth hit), e.g. '3' or '% 10'`);
  }
  const k = Number(m[2]);
  switch (m[1]) {
    case '>':
      return (n) => n > k;
    case '>=':
      return (n) => n >= k;
    case '<':
      return (n) => n < k;
    case '<=':
      return (n) => n <= k;
    case '%':
      if (k === 0) throw new HitConditionSyntaxError(`hit count '${text}': '% 0' would never stop; expected % and a number above 0`);
      return (n) => n % k === 0;
    default:
      return (n) => n === k;
  }
}
