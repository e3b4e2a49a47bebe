// Where a position in a system.conf file falls (which service, which key, which value), for completion and hover.

import { STANDARD_LABELS, kernelCall, serviceKey, vmCall } from './minixNames.js';
import { parseIoRange, parsePciClass, parsePciDeviceId } from './systemConf.js';

/** Character offsets into the text, `end` exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The word the position touches: `span` covers all of it, `prefix` the part before the position. */
export interface ConfWord {
  readonly text: string;
  readonly prefix: string;
  readonly span: Span;
}

export type ConfContext =
  | { readonly kind: 'comment' }
  | { readonly kind: 'string' }
  /** Between entries, where `service` (or `include`) may start a statement. */
  | { readonly kind: 'top-level'; readonly word: ConfWord | undefined }
  /** Right after `service`. */
  | { readonly kind: 'service-label'; readonly word: ConfWord | undefined }
  /** At the start of a statement in a service entry. */
  | { readonly kind: 'key'; readonly service: string; readonly word: ConfWord | undefined }
  /** After a key: `values` are the words already written before the position. */
  | { readonly kind: 'value'; readonly service: string; readonly key: string; readonly values: readonly string[]; readonly word: ConfWord | undefined }
  /** Anywhere else: inside a nested block, or after the label of an entry. */
  | { readonly kind: 'other'; readonly word: ConfWord | undefined };

/** What the word at a position means, for hovers. */
export type ConfWordRole =
  | { readonly kind: 'service-keyword'; readonly word: ConfWord }
  | { readonly kind: 'service-label'; readonly label: string; readonly word: ConfWord }
  | { readonly kind: 'key'; readonly key: string; readonly service: string; readonly word: ConfWord }
  | { readonly kind: 'kernel-call'; readonly name: string; readonly word: ConfWord }
  | { readonly kind: 'vm-call'; readonly name: string; readonly word: ConfWord }
  /** ALL, ALL_SYS, NONE, BASIC, SELF or KERNEL after the key that gives it its meaning. */
  | { readonly kind: 'keyword'; readonly key: string; readonly name: string; readonly word: ConfWord }
  | { readonly kind: 'label'; readonly key: string; readonly label: string; readonly defined: boolean; readonly standard: boolean; readonly word: ConfWord }
  | { readonly kind: 'value'; readonly key: string; readonly text: string; readonly word: ConfWord };

type TokenKind = 'word' | 'string' | 'open' | 'close' | 'semi' | 'comment';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** For strings: the closing quote was found. */
  readonly closed?: boolean;
}

const SPECIAL = '!#$%&*+-./:<=>?[\\]^_|~';
const KEYWORDS = new Set(['ALL', 'ALL_SYS', 'NONE', 'BASIC', 'SELF', 'KERNEL']);
const LABEL_KEYS = new Set(['ipc', 'control', 'class', 'sigmgr', 'scheduler']);
const MULTI_KEYS = new Set(['ipc', 'system', 'vm', 'io', 'irq', 'pci', 'control', 'class']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 0x80 || SPECIAL.includes(c);
}

/** Splits the text the way MINIX's configfile.c reads it; comments are kept as tokens so a position can fall in one. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let afterSpace = true;
  while (pos < text.length) {
    const c = text[pos]!;
    const start = pos;
    if (isSpace(c)) {
      pos++;
      afterSpace = true;
      continue;
    }
    if (c === '#' && afterSpace) {
      while (pos < text.length && text[pos] !== '\n') pos++;
      out.push({ kind: 'comment', text: text.slice(start, pos), start, end: pos });
      continue;
    }
    afterSpace = false;
    if (c === '{' || c === '}' || c === ';') {
      pos++;
      out.push({ kind: c === '{' ? 'open' : c === '}' ? 'close' : 'semi', text: c, start, end: pos });
    } else if (c === '"' || c === "'") {
      pos++;
      while (pos < text.length && text[pos] !== '\n' && text[pos] !== c) pos += text[pos] === '\\' ? 2 : 1;
      const closed = text[pos] === c;
      if (closed) pos++;
      pos = Math.min(pos, text.length);
      out.push({ kind: 'string', text: text.slice(start, pos), start, end: pos, closed });
    } else if (isWordChar(c)) {
      while (pos < text.length && isWordChar(text[pos]!)) pos += text[pos] === '\\' ? 2 : 1;
      pos = Math.min(pos, text.length);
      out.push({ kind: 'word', text: text.slice(start, pos), start, end: pos });
    } else pos++;
  }
  return out;
}

/** Labels of the entries the file itself describes (`service <label>` at the top level). */
export function definedLabels(text: string): string[] {
  const labels: string[] = [];
  let depth = 0;
  let statementStart = true;
  const tokens = tokenize(text).filter((t) => t.kind !== 'comment');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (depth === 0 && statementStart && t.kind === 'word' && t.text === 'service' && next?.kind === 'word' && !labels.includes(next.text)) {
      labels.push(next.text);
    }
    if (t.kind === 'open') depth++;
    else if (t.kind === 'close') depth = Math.max(0, depth - 1);
    // A `}` back at the top level also ends an entry whose `;` was forgotten.
    statementStart = depth === 0 && (t.kind === 'semi' || t.kind === 'close');
  }
  return labels;
}

function wordOf(t: Token, offset: number): ConfWord {
  return { text: t.text, prefix: t.text.slice(0, offset - t.start), span: { start: t.start, end: t.end } };
}

interface Frame {
  /** The statement that opened the block, as written before its `{`. */
  readonly header: readonly Token[];
  readonly statement: Token[];
}

function isValidValue(key: string, firstValue: string | undefined, w: string, labels: ReadonlySet<string>): boolean {
  switch (key) {
    case 'system':
      return kernelCall(w) !== undefined || KEYWORDS.has(w);
    case 'vm':
      return vmCall(w) !== undefined || KEYWORDS.has(w);
    case 'io':
      return parseIoRange(w) !== undefined;
    case 'irq':
      return /^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(w);
    case 'pci':
      return firstValue === 'class' ? parsePciClass(w) !== undefined : parsePciDeviceId(w) !== undefined;
    default:
      return labels.has(w) || KEYWORDS.has(w);
  }
}

/**
 * Whether `w`, written after `key` and `values`, starts a new statement: a key
 * word that cannot be a value of the current key, as the parser assumes when
 * a `;` was forgotten.
 */
function startsStatement(key: string, values: readonly string[], w: string, labels: ReadonlySet<string>): boolean {
  if (serviceKey(w) === undefined || values.length < (key === 'pci' ? 1 : 0)) return false;
  return MULTI_KEYS.has(key) ? !isValidValue(key, values[0], w, labels) : values.length > 0;
}

function splitStatement(words: readonly Token[], labels: ReadonlySet<string>): { key: string; values: string[] } | undefined {
  let key: string | undefined;
  let values: string[] = [];
  for (const t of words) {
    if (key === undefined) key = t.text;
    else if (t.kind === 'word' && startsStatement(key, values, t.text, labels)) {
      key = t.text;
      values = [];
    } else values.push(t.text);
  }
  return key === undefined ? undefined : { key, values };
}

/** The context at `offset` (0-based) in a system.conf text. Never throws. */
export function contextAt(text: string, offset: number): ConfContext {
  const tokens = tokenize(text);
  const labels = new Set([...STANDARD_LABELS, ...definedLabels(text)]);
  const stack: Frame[] = [];
  let statement: Token[] = [];
  let word: ConfWord | undefined;
  for (const t of tokens) {
    if (t.start >= offset && !(t.kind === 'word' && t.start === offset)) break;
    if (t.kind === 'comment') {
      if (offset > t.start && offset <= t.end) return { kind: 'comment' };
      continue;
    }
    if (t.kind === 'string' && offset > t.start && (offset < t.end || (offset === t.end && t.closed !== true))) return { kind: 'string' };
    if (t.kind === 'word' && offset >= t.start && offset <= t.end) {
      word = wordOf(t, offset);
      break;
    }
    if (t.kind === 'open') {
      stack.push({ header: statement, statement: [] });
      statement = [];
    } else if (t.kind === 'close') {
      const frame = stack.pop();
      statement = frame === undefined ? [] : [...frame.header, t];
    } else if (t.kind === 'semi') statement = [];
    else statement.push(t);
  }
  return classify(stack, statement, word, labels);
}

function classify(stack: readonly Frame[], statement: readonly Token[], word: ConfWord | undefined, labels: ReadonlySet<string>): ConfContext {
  if (stack.length === 0) {
    const last = statement[statement.length - 1];
    if (statement.length === 0 || last?.kind === 'close') return { kind: 'top-level', word };
    if (statement.length === 1 && last?.kind === 'word' && last.text === 'service') return { kind: 'service-label', word };
    return { kind: 'other', word };
  }
  const header = stack[stack.length - 1]!.header;
  if (stack.length > 1 || header.length < 2 || header[0]!.text !== 'service' || header[0]!.kind !== 'word') return { kind: 'other', word };
  const service = header[1]!.text;
  const split = splitStatement(statement.filter((t) => t.kind === 'word' || t.kind === 'string'), labels);
  if (split === undefined || statement.some((t) => t.kind === 'close')) return { kind: 'key', service, word };
  return { kind: 'value', service, key: split.key, values: split.values, word };
}

/** What the word at `offset` means, or undefined if the position is on no word. */
export function wordRoleAt(text: string, offset: number): ConfWordRole | undefined {
  const context = contextAt(text, offset);
  if (context.kind === 'comment' || context.kind === 'string' || context.word === undefined) return undefined;
  const word = context.word;
  const w = word.text;
  const defined = new Set(definedLabels(text));
  switch (context.kind) {
    case 'top-level':
      return w === 'service' ? { kind: 'service-keyword', word } : undefined;
    case 'service-label':
      return { kind: 'service-label', label: w, word };
    case 'key':
      return { kind: 'key', key: w, service: context.service, word };
    case 'value': {
      const key = context.key;
      if (startsStatement(key, context.values, w, new Set([...STANDARD_LABELS, ...defined]))) {
        return { kind: 'key', key: w, service: context.service, word };
      }
      if (key === 'system' && kernelCall(w) !== undefined) return { kind: 'kernel-call', name: w, word };
      if (key === 'vm' && vmCall(w) !== undefined) return { kind: 'vm-call', name: w, word };
      if (KEYWORDS.has(w)) return { kind: 'keyword', key, name: w, word };
      if (LABEL_KEYS.has(key)) return { kind: 'label', key, label: w, defined: defined.has(w), standard: STANDARD_LABELS.includes(w), word };
      return { kind: 'value', key, text: w, word };
    }
    case 'other':
      return undefined;
  }
}
