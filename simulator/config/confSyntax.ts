// The generic MINIX configuration-file syntax (configfile(5)): words, strings, `{}` sublists, `;`, `#` comments, `include`.

import { diagnostic, LineMap, type Diagnostic, type SourceRange } from './diagnostics.js';

export interface ConfAtom {
  readonly kind: 'word' | 'string';
  readonly text: string;
  readonly range: SourceRange;
  /** True if no other token precedes it on its line. */
  readonly firstOnLine: boolean;
}

export interface ConfSublist {
  readonly kind: 'list';
  readonly statements: ConfStatement[];
  /** From `{` to `}` inclusive. */
  readonly range: SourceRange;
  readonly openRange: SourceRange;
  readonly closed: boolean;
  readonly firstOnLine: boolean;
}

export type ConfItem = ConfAtom | ConfSublist;

export interface ConfStatement {
  readonly items: ConfItem[];
  /** The range of the terminating `;`, or undefined if the statement ended at `}` or the end of the file. */
  readonly semicolon: SourceRange | undefined;
}

export interface IncludeResolver {
  /** Returns the text of an included file, or undefined if it cannot be read. */
  (path: string, fromFile: string): { file: string; text: string } | undefined;
}

type TokenKind = 'word' | 'string' | 'open' | 'close' | 'semi' | 'eof';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly range: SourceRange;
  readonly firstOnLine: boolean;
}

const SPECIAL = '!#$%&*+-./:<=>?[\\]^_|~';
const MAX_INCLUDE_DEPTH = 16;
const MAX_LIST_DEPTH = 64;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  return (
    (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 0x80 || SPECIAL.includes(c)
  );
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', s: ' ', t: '\t', v: '\v' };

class Lexer {
  private pos = 0;
  private lastLine = 0;
  private readonly lines: LineMap;

  constructor(
    private readonly text: string,
    file: string,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.lines = new LineMap(file, text);
  }

  private skipWhite(): void {
    const t = this.text;
    // As in MINIX's configfile.c, '#' starts a comment only at the start of the file or after white space.
    if (this.pos === 0 && t[0] === '#') this.skipComment();
    while (this.pos < t.length && isSpace(t[this.pos]!)) {
      this.pos++;
      if (t[this.pos] === '#') this.skipComment();
    }
  }

  private skipComment(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
  }

  private token(kind: TokenKind, text: string, start: number, end: number): Token {
    const range = this.lines.range(start, end);
    const firstOnLine = range.line !== this.lastLine;
    this.lastLine = range.endLine;
    return { kind, text, range, firstOnLine };
  }

  next(): Token {
    for (;;) {
      this.skipWhite();
      const t = this.text;
      const start = this.pos;
      if (start >= t.length) return this.token('eof', '', start, start);
      const c = t[start]!;
      if (c === '{') return (this.pos++, this.token('open', c, start, start + 1));
      if (c === '}') return (this.pos++, this.token('close', c, start, start + 1));
      if (c === ';') return (this.pos++, this.token('semi', c, start, start + 1));
      if (c === '"' || c === "'") {
        const s = this.readString(c);
        if (s !== undefined) return this.token('string', s, start, this.pos);
        continue;
      }
      if (isWordChar(c)) return this.token('word', this.readWord(), start, this.pos);
      this.pos++;
      this.diagnostics.push(
        diagnostic(this.lines.range(start, start + 1), 'error', 'syntax', `unexpected character '${c}': expected a word, a string, '{', '}' or ';'`),
      );
    }
  }

  private readString(quote: string): string | undefined {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < t.length && t[this.pos] !== '\n') {
      const c = t[this.pos]!;
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '\\') out += this.readEscape();
      else {
        out += c;
        this.pos++;
      }
    }
    this.diagnostics.push(
      diagnostic(this.lines.range(start, this.pos), 'error', 'unterminated-string', `string is not closed: expected ${quote} before the end of the line`),
    );
    return undefined;
  }

  private readWord(): string {
    const t = this.text;
    let out = '';
    while (this.pos < t.length && isWordChar(t[this.pos]!)) {
      if (t[this.pos] === '\\') out += this.readEscape();
      else out += t[this.pos++];
    }
    return out;
  }

  private readEscape(): string {
    const t = this.text;
    this.pos++;
    const c = t[this.pos];
    if (c === undefined) return '';
    if (isSpace(c)) {
      this.skipWhite();
      return '';
    }
    if (c >= '0' && c <= '9') {
      let d = 0;
      for (let n = 0; n < 3 && t[this.pos] !== undefined && t[this.pos]! >= '0' && t[this.pos]! <= '9'; n++) d = d * 8 + Number(t[this.pos++]);
      return String.fromCharCode(d & 0xff);
    }
    if (c === 'x' || c === 'X') {
      this.pos++;
      let digits = '';
      while (digits.length < 2 && /[0-9a-fA-F]/.test(t[this.pos] ?? '')) digits += t[this.pos++];
      if (digits === '') {
        this.diagnostics.push(diagnostic(this.lines.range(this.pos - 2, this.pos), 'error', 'syntax', 'bad hex escape: expected a hex digit after \\x'));
        return '';
      }
      return String.fromCharCode(parseInt(digits, 16));
    }
    this.pos++;
    return ESCAPES[c] ?? c;
  }
}

class Reader {
  private tok: Token;
  private readonly lexer: Lexer;

  constructor(
    text: string,
    readonly file: string,
    private readonly diagnostics: Diagnostic[],
    private readonly resolve: IncludeResolver | undefined,
    private readonly includeDepth: number,
  ) {
    this.lexer = new Lexer(text, file, diagnostics);
    this.tok = this.lexer.next();
  }

  readFile(): ConfStatement[] {
    const list = this.readList(0);
    while (this.tok.kind !== 'eof') {
      this.diagnostics.push(diagnostic(this.tok.range, 'error', 'syntax', `unexpected '${this.tok.text}': no block is open here`));
      this.tok = this.lexer.next();
      list.push(...this.readList(0));
    }
    return list;
  }

  private readList(depth: number): ConfStatement[] {
    const list: ConfStatement[] = [];
    for (;;) {
      const st = this.readLine(depth);
      if (st === undefined) return list;
      const first = st.items[0];
      if (first !== undefined && first.kind === 'word' && first.text === 'include') list.push(...this.include(st));
      else list.push(st);
    }
  }

  private readLine(depth: number): ConfStatement | undefined {
    const items: ConfItem[] = [];
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof' || t.kind === 'close') return items.length > 0 ? { items, semicolon: undefined } : undefined;
      this.tok = this.lexer.next();
      if (t.kind === 'semi') {
        if (items.length > 0) return { items, semicolon: t.range };
      } else if (t.kind === 'open') {
        if (items.length === 0) {
          this.diagnostics.push(diagnostic(t.range, 'error', 'syntax', "unexpected '{': a block must follow a word, as in 'service <label> {'"));
        }
        items.push(this.readSublist(t, depth + 1));
      } else {
        items.push({ kind: t.kind === 'string' ? 'string' : 'word', text: t.text, range: t.range, firstOnLine: t.firstOnLine });
      }
    }
  }

  private readSublist(open: Token, depth: number): ConfSublist {
    if (depth > MAX_LIST_DEPTH) {
      this.diagnostics.push(diagnostic(open.range, 'error', 'syntax', `blocks nested more than ${MAX_LIST_DEPTH} deep`));
    }
    const statements = depth > MAX_LIST_DEPTH ? this.skipBlock() : this.readList(depth);
    const close = this.tok;
    const closed = close.kind === 'close';
    if (closed) this.tok = this.lexer.next();
    else {
      this.diagnostics.push(
        diagnostic(open.range, 'error', 'unterminated-block', `unterminated block: expected '}' to close the '{' opened at line ${open.range.line}, column ${open.range.column}`),
      );
    }
    return {
      kind: 'list',
      statements,
      range: spanRange(open.range, close.range),
      openRange: open.range,
      closed,
      firstOnLine: open.firstOnLine,
    };
  }

  private skipBlock(): ConfStatement[] {
    let level = 0;
    while (this.tok.kind !== 'eof' && !(this.tok.kind === 'close' && level === 0)) {
      if (this.tok.kind === 'open') level++;
      if (this.tok.kind === 'close') level--;
      this.tok = this.lexer.next();
    }
    return [];
  }

  private include(st: ConfStatement): ConfStatement[] {
    const head = st.items[0]!;
    const arg = st.items[1];
    if (arg === undefined || arg.kind === 'list' || st.items.length > 2) {
      this.diagnostics.push(diagnostic(head.range, 'error', 'syntax', "'include' takes exactly one file name"));
      return [];
    }
    if (this.resolve === undefined) {
      this.diagnostics.push(diagnostic(arg.range, 'warning', 'include-unresolved', `cannot read included file '${arg.text}' here; its services are not checked`));
      return [];
    }
    if (this.includeDepth >= MAX_INCLUDE_DEPTH) {
      this.diagnostics.push(diagnostic(arg.range, 'error', 'include-depth', `includes nested more than ${MAX_INCLUDE_DEPTH} deep (does '${arg.text}' include itself?)`));
      return [];
    }
    const got = this.resolve(arg.text, this.file);
    if (got === undefined) {
      // MINIX's configfile.c treats a missing included file as empty.
      this.diagnostics.push(diagnostic(arg.range, 'warning', 'include-missing', `included file '${arg.text}' not found; MINIX treats it as empty`));
      return [];
    }
    return new Reader(got.text, got.file, this.diagnostics, this.resolve, this.includeDepth + 1).readFile();
  }
}

/** Reads a file in MINIX's configuration syntax into statements; syntax errors go to `diagnostics`. */
export function readConf(text: string, file: string, diagnostics: Diagnostic[], resolve?: IncludeResolver): ConfStatement[] {
  return new Reader(text, file, diagnostics, resolve, 0).readFile();
}

export function itemText(item: ConfItem): string {
  return item.kind === 'list' ? '{...}' : item.kind === 'string' ? JSON.stringify(item.text) : item.text;
}

export function spanRange(a: SourceRange, b: SourceRange): SourceRange {
  return { file: a.file, line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}

/** A zero-width range just after `r`, where a missing token belongs. */
export function after(r: SourceRange): SourceRange {
  return { file: r.file, line: r.endLine, column: r.endColumn, endLine: r.endLine, endColumn: r.endColumn };
}
