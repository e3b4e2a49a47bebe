// Code-level faults, as SWIFI mutates a driver's text (Ng and Chen; MINIX's injector, Herder et al., DSN
// 2009), done on the driver's source: every site where one of the seven code-level fault types can strike
// is found with acorn and opened with a switch, so that a fault turns one site's mutation on from the moment
// it strikes, in the instance it struck, and leaves every other site, instance and run as they were.
//
// Sites are numbered per type in source order (offset, then node kind), so `site: N` of a fault type names
// the same place for as long as the driver's source is unchanged. What each type does at its site:
//   corrupt-source       the right operand of a binary operator has a bit flipped
//   corrupt-destination  the value an assignment, an initialiser or ++/-- stores has a bit flipped
//   corrupt-pointer      a computed member's index has a bit flipped; a named member's object is lost
//                        (undefined, so the access throws, as a wild pointer faults)
//   skip-init            a variable's initialiser is skipped (the variable is undefined)
//   remove-instruction   an expression statement is skipped
//   remove-branch        an `if` or `?:` always takes its first branch (the conditional jump is gone)
//   invert-loop          a loop's condition is inverted
// Only code inside functions has sites: a module's top level has run before any fault can strike.
import type * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { CODE_FAULTS, type CodeFault } from '../config/faultTypes';

/** The name the opened code calls its switches by; user code may not use names starting with `__mklab`. */
export const MUTATION_NAME = '__mklabMut';

/** A text inserted into the source: at one offset, closings come first (innermost first), then openings (outermost first). */
export interface Splice {
  readonly offset: number;
  readonly text: string;
  /** Length of the node the splice belongs to. */
  readonly span: number;
  readonly closing: boolean;
  /** The order the splice's node was opened in, among nodes of equal span at one offset. */
  readonly seq?: number;
}

export function compareSplices(a: Splice, b: Splice): number {
  return (
    a.offset - b.offset ||
    Number(b.closing) - Number(a.closing) ||
    (a.closing ? a.span - b.span || (b.seq ?? 0) - (a.seq ?? 0) : b.span - a.span || (a.seq ?? 0) - (b.seq ?? 0))
  );
}

export interface MutationSite {
  readonly type: CodeFault;
  /** Its number among the sites of its type, in source order: what a fault's `site` parameter names. */
  readonly index: number;
  /** Its number among all the module's sites: the switch the opened code asks. */
  readonly slot: number;
  /** Where the mutated code starts, in the driver's source (1-based). */
  readonly line: number;
  readonly column: number;
  /** The code the mutation changes, on one line, shortened. */
  readonly text: string;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const PATTERNS = new Set(['ArrayPattern', 'ObjectPattern', 'RestElement', 'AssignmentPattern']);
/** The operators whose right operand is a value read from a register: not `in`, `instanceof` or the logical ones. */
const SOURCE_OPERATORS = new Set(['+', '-', '*', '/', '%', '**', '|', '&', '^', '<<', '>>', '>>>', '==', '!=', '===', '!==', '<', '<=', '>', '>=']);
const SITE_TEXT_LENGTH = 60;

interface Candidate {
  readonly type: CodeFault;
  readonly node: acorn.Node;
  /** The node the splices wrap. */
  readonly wrap: acorn.Node;
  readonly open: (slot: number) => string;
  readonly close: string;
}

export interface OpenedSites {
  readonly sites: readonly MutationSite[];
  readonly splices: readonly Splice[];
}

/**
 * Every mutation site of a parsed module and the splices that open them. `code` is what was parsed;
 * `original` maps a (1-based line, 0-based column) position of it to the driver's source (1-based both).
 */
export function openMutationSites(
  program: acorn.Program,
  code: string,
  original: (pos: acorn.Position) => { line: number; column: number },
): OpenedSites {
  const candidates: Candidate[] = [];
  const M = MUTATION_NAME;
  const flip = (type: CodeFault, node: acorn.Node, wrap: acorn.Node) =>
    candidates.push({ type, node, wrap, open: (k) => `${M}.flip(${k},(`, close: '))' });

  walk.fullAncestor(program, (node, _state, ancestors) => {
    const inFunction = ancestors.some((a, i) => i < ancestors.length - 1 && FUNCTIONS.has(a.type));
    if (!inFunction) return;
    switch (node.type) {
      case 'BinaryExpression': {
        const n = node as acorn.BinaryExpression;
        if (SOURCE_OPERATORS.has(n.operator)) flip('corrupt-source', n, n.right);
        return;
      }
      case 'AssignmentExpression': {
        const n = node as acorn.AssignmentExpression;
        if (n.left.type === 'Identifier' || n.left.type === 'MemberExpression') flip('corrupt-destination', n, n.right);
        return;
      }
      case 'UpdateExpression': {
        const n = node as acorn.UpdateExpression;
        if (n.argument.type !== 'Identifier') return;
        const name = n.argument.name;
        const step = n.operator === '++' ? '+' : '-';
        candidates.push({ type: 'corrupt-destination', node: n, wrap: n, open: (k) => `(${M}.on(${k})?(${name}=${M}.flip(${k},${name}${step}1)):`, close: ')' });
        return;
      }
      case 'VariableDeclarator': {
        const n = node as acorn.VariableDeclarator;
        if (n.init === null || n.init === undefined || n.id.type !== 'Identifier') return;
        // A `for (const x of xs)` declarator has no initialiser; one of `for (let i = 0; ...)` has.
        flip('corrupt-destination', n, n.init);
        candidates.push({ type: 'skip-init', node: n, wrap: n.init, open: (k) => `(${M}.on(${k})?void 0:(`, close: '))' });
        return;
      }
      case 'MemberExpression': {
        const n = node as acorn.MemberExpression;
        if (n.object.type === 'Super' || ancestors.some((a) => PATTERNS.has(a.type))) return;
        if (n.computed) flip('corrupt-pointer', n, n.property);
        else candidates.push({ type: 'corrupt-pointer', node: n, wrap: n.object, open: (k) => `(${M}.ptr(${k},(`, close: ')))' });
        return;
      }
      case 'ExpressionStatement': {
        const n = node as acorn.ExpressionStatement;
        if (n.directive !== undefined) return;
        candidates.push({ type: 'remove-instruction', node: n, wrap: n, open: (k) => `{if(!${M}.on(${k}))`, close: '}' });
        return;
      }
      case 'IfStatement':
      case 'ConditionalExpression': {
        const n = node as acorn.IfStatement | acorn.ConditionalExpression;
        candidates.push({ type: 'remove-branch', node: n, wrap: n.test, open: (k) => `${M}.on(${k})||(`, close: ')' });
        return;
      }
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement': {
        const n = node as acorn.WhileStatement | acorn.DoWhileStatement | acorn.ForStatement;
        if (n.test === null || n.test === undefined) return;
        candidates.push({ type: 'invert-loop', node: n, wrap: n.test, open: (k) => `${M}.on(${k})!==!!(`, close: ')' });
        return;
      }
      default:
        return;
    }
  });

  const typeOrder = (t: CodeFault) => CODE_FAULTS.indexOf(t);
  candidates.sort((a, b) => typeOrder(a.type) - typeOrder(b.type) || a.node.start - b.node.start || a.wrap.start - b.wrap.start || a.node.end - b.node.end);
  const sites: MutationSite[] = [];
  const splices: Splice[] = [];
  const perType = new Map<CodeFault, number>();
  candidates.forEach((c, slot) => {
    const index = perType.get(c.type) ?? 0;
    perType.set(c.type, index + 1);
    const at = original(c.node.loc!.start);
    const text = code.slice(c.node.start, c.node.end).replace(/\s+/g, ' ');
    sites.push({
      type: c.type, index, slot, line: at.line, column: at.column,
      text: text.length > SITE_TEXT_LENGTH ? `${text.slice(0, SITE_TEXT_LENGTH - 1)}…` : text,
    });
    const span = c.wrap.end - c.wrap.start;
    splices.push({ offset: c.wrap.start, text: c.open(slot), span, closing: false, seq: slot });
    splices.push({ offset: c.wrap.end, text: c.close, span, closing: true, seq: slot });
  });
  return { sites, splices };
}

/** The sites of one type, in their numbering. */
export function sitesOfType(sites: readonly MutationSite[], type: CodeFault): MutationSite[] {
  return sites.filter((s) => s.type === type);
}

/**
 * A value with one bit flipped, as a corrupted register holds it: an integer (any safe one) has bit `bit`
 * flipped, another number its sign, a boolean is negated, an object, function or string is lost (undefined); anything else is kept.
 */
export function corruptValue(value: unknown, bit: number): unknown {
  switch (typeof value) {
    case 'number': {
      if (!Number.isInteger(value)) return -value;
      const b = 2 ** bit;
      return Math.floor(value / b) % 2 === 0 ? value + b : value - b;
    }
    case 'bigint':
      return value ^ (1n << BigInt(bit));
    case 'boolean':
      return !value;
    case 'object':
      return value === null ? value : undefined;
    case 'function':
    case 'string':
      return undefined;
    default:
      return value;
  }
}

/**
 * The switches of one running instance of opened code: every site is off until a fault turns it on.
 * The opened code calls on/flip/ptr; they must stay small and monomorphic, since every site calls one.
 */
export class MutationSwitches {
  private readonly active: Uint8Array;
  private readonly bits: Uint8Array;
  private count = 0;

  constructor(readonly sites: readonly MutationSite[]) {
    this.active = new Uint8Array(sites.length);
    this.bits = new Uint8Array(sites.length);
  }

  /** Turns a site's mutation on; `bit` is the bit a corruption flips (0 to 31). */
  activate(slot: number, bit: number): void {
    if (this.active[slot] === 0) this.count++;
    this.active[slot] = 1;
    this.bits[slot] = bit & 31;
  }

  /** How many sites are on. */
  get activeCount(): number {
    return this.count;
  }

  on(k: number): boolean {
    return this.active[k] === 1;
  }

  flip(k: number, value: unknown): unknown {
    return this.active[k] === 1 ? corruptValue(value, this.bits[k]!) : value;
  }

  ptr(k: number, object: unknown): unknown {
    return this.active[k] === 1 ? undefined : object;
  }
}
