// A small JSON parser that keeps the source range of every value and key, and reports syntax errors with positions.

import { diagnostic, LineMap, type Diagnostic, type SourceRange } from './diagnostics.js';

export type JsonNode =
  | { readonly kind: 'object'; readonly range: SourceRange; readonly members: readonly JsonMember[] }
  | { readonly kind: 'array'; readonly range: SourceRange; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly range: SourceRange; readonly value: string }
  | { readonly kind: 'number'; readonly range: SourceRange; readonly value: number }
  | { readonly kind: 'boolean'; readonly range: SourceRange; readonly value: boolean }
  | { readonly kind: 'null'; readonly range: SourceRange };

export interface JsonMember {
  readonly key: string;
  readonly keyRange: SourceRange;
  readonly value: JsonNode;
}

class JsonSyntaxError {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly message: string,
  ) {}
}

const MAX_DEPTH = 256;

class Parser {
  private pos = 0;
  private readonly lines: LineMap;

  constructor(
    private readonly text: string,
    file: string,
  ) {
    this.lines = new LineMap(file, text);
  }

  parseDocument(): JsonNode {
    const v = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail(this.pos, this.pos + 1, `unexpected '${this.text[this.pos]}' after the end of the JSON value`);
    return v;
  }

  private fail(start: number, end: number, message: string): never {
    throw new JsonSyntaxError(start, Math.min(Math.max(end, start), this.text.length), message);
  }

  private ws(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '/' && t[this.pos + 1] === '/') {
        // Comments are accepted because VS Code treats scenario files as JSON with comments.
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail(this.pos, t.length, 'comment is not closed: expected */');
        this.pos = end + 2;
      } else return;
    }
  }

  private range(start: number): SourceRange {
    return this.lines.range(start, this.pos);
  }

  private value(depth: number): JsonNode {
    this.ws();
    if (depth > MAX_DEPTH) this.fail(this.pos, this.pos + 1, `values nested more than ${MAX_DEPTH} deep`);
    const t = this.text;
    const start = this.pos;
    const c = t[start];
    if (c === undefined) this.fail(start, start, 'unexpected end of file: expected a value');
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      const value = this.string();
      return { kind: 'string', range: this.range(start), value };
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, node] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (t.startsWith(word, start)) {
        this.pos += word.length;
        return { ...node, range: this.range(start) } as JsonNode;
      }
    }
    let end = start;
    while (end < t.length && /[A-Za-z0-9_$]/.test(t[end]!)) end++;
    this.fail(start, Math.max(end, start + 1), `unexpected ${end > start ? `'${t.slice(start, end)}'` : `'${c}'`}: expected a value (object, array, string, number, true, false or null)`);
  }

  private object(depth: number): JsonNode {
    const start = this.pos++;
    const members: JsonMember[] = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', range: this.range(start), members };
    }
    for (;;) {
      this.ws();
      const keyStart = this.pos;
      if (this.text[keyStart] !== '"') {
        if (this.pos >= this.text.length) this.fail(start, start + 1, "unterminated object: expected '}'");
        this.fail(keyStart, keyStart + 1, `expected a property name in double quotes, found '${this.text[keyStart]}'`);
      }
      const key = this.string();
      const keyRange = this.range(keyStart);
      this.ws();
      if (this.text[this.pos] !== ':') this.fail(this.pos, this.pos + 1, `expected ':' after property name "${key}"`);
      this.pos++;
      const value = this.value(depth + 1);
      members.push({ key, keyRange, value });
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        this.ws();
        if (this.text[this.pos] === '}') this.fail(this.pos - 1, this.pos, "trailing comma: expected another property before '}'");
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { kind: 'object', range: this.range(start), members };
      }
      if (c === undefined) this.fail(start, start + 1, "unterminated object: expected '}'");
      this.fail(this.pos, this.pos + 1, `expected ',' or '}' after the value of "${key}"`);
    }
  }

  private array(depth: number): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', range: this.range(start), items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        this.ws();
        if (this.text[this.pos] === ']') this.fail(this.pos - 1, this.pos, "trailing comma: expected another value before ']'");
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { kind: 'array', range: this.range(start), items };
      }
      if (c === undefined) this.fail(start, start + 1, "unterminated array: expected ']'");
      this.fail(this.pos, this.pos + 1, "expected ',' or ']' in array");
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos++;
    let out = '';
    for (;;) {
      const c = t[this.pos];
      if (c === undefined || c === '\n') this.fail(start, this.pos, 'unterminated string: expected a closing "');
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < ' ') this.fail(this.pos, this.pos + 1, 'control character in string: write it as an escape such as \\n');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = t[this.pos + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.pos += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) {
        out += String.fromCharCode(parseInt(t.slice(this.pos + 2, this.pos + 6), 16));
        this.pos += 6;
      } else this.fail(this.pos, this.pos + 2, `bad escape '\\${e ?? ''}' in string`);
    }
  }

  private number(): JsonNode {
    const start = this.pos;
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(start, start + 400));
    if (m === null) this.fail(start, start + 1, 'bad number');
    this.pos += m[0].length;
    return { kind: 'number', range: this.range(start), value: Number(m[0]) };
  }
}

/** Parses JSON (comments allowed) keeping positions; a syntax error becomes a located diagnostic. Never throws. */
export function parseJsonWithPositions(text: string, file: string): { node: JsonNode | undefined; diagnostics: Diagnostic[] } {
  const p = new Parser(text, file);
  try {
    return { node: p.parseDocument(), diagnostics: [] };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const lines = new LineMap(file, text);
    return { node: undefined, diagnostics: [diagnostic(lines.range(e.start, e.end), 'error', 'json-syntax', e.message)] };
  }
}
