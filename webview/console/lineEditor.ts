// The console's line editor: the line being typed, its cursor and the
// history, drawn on a terminal of a given width (lines longer than the
// terminal wrap). Pure logic: it returns what to write to the terminal.
import { splitKeys, type Key } from './keys';

export const HISTORY_LIMIT = 500;

/** What the editor needs from outside: the terminal's width and a way to write to it. */
export interface EditorTerminal {
  readonly columns: number;
  write(data: string): void;
}

/** Why the editor stopped taking keys: a line to run, or a word to complete. */
export type EditorRequest =
  | { readonly kind: 'submit'; readonly line: string }
  | { readonly kind: 'complete'; readonly line: string; readonly cursor: number };

export interface Completion {
  readonly start: number;
  readonly end: number;
  readonly candidates: readonly string[];
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

export class LineEditor {
  private chars: string[] = [];
  private cursor = 0;
  /** Rows between the prompt's first row and the row the terminal cursor is on. */
  private cursorRow = 0;
  private readonly history: string[];
  private historyIndex: number;
  private draft = '';

  constructor(
    private readonly terminal: EditorTerminal,
    private readonly prompt: string,
    private readonly promptWidth: number,
    history: readonly string[] = [],
  ) {
    this.history = history.slice(-HISTORY_LIMIT);
    this.historyIndex = this.history.length;
  }

  get line(): string {
    return this.chars.join('');
  }

  get cursorIndex(): number {
    return this.cursor;
  }

  get historyEntries(): readonly string[] {
    return this.history;
  }

  /** Writes the prompt and the line on a fresh row (the terminal cursor must be at column 0). */
  showPrompt(): void {
    this.cursorRow = 0;
    this.terminal.write(this.draw(false));
  }

  /**
   * Handles typed data up to the first Enter or Tab that needs an answer;
   * returns that request and the data not yet handled.
   */
  feed(data: string): { request: EditorRequest | undefined; rest: string } {
    const keys = splitKeys(data);
    for (let i = 0; i < keys.length; i++) {
      const request = this.key(keys[i]!);
      if (request !== undefined) return { request, rest: keysToData(keys.slice(i + 1)) };
    }
    return { request: undefined, rest: '' };
  }

  /** Applies a completion answer: one candidate replaces the word, several extend it to their common prefix or are listed. */
  complete(c: Completion): void {
    const line = this.line;
    const start = Math.max(0, Math.min(c.start, line.length));
    const end = Math.max(start, Math.min(c.end, line.length));
    if (c.candidates.length === 0) {
      this.terminal.write('\x07');
      return;
    }
    const replace = (text: string) => {
      const head = line.slice(0, start) + text;
      this.chars = Array.from(head + line.slice(end));
      this.cursor = Array.from(head).length;
      this.redraw();
    };
    if (c.candidates.length === 1) {
      const only = c.candidates[0]!;
      replace(only.endsWith('/') ? only : `${only} `);
      return;
    }
    const prefix = commonPrefix(c.candidates);
    if (prefix.length > end - start && prefix !== line.slice(start, end)) {
      replace(prefix);
      return;
    }
    this.moveToEnd();
    this.terminal.write(`\r\n${layOut(c.candidates, this.terminal.columns)}\r\n`);
    this.showPrompt();
  }

  /** Re-fits the drawn line after the terminal's width changed (the terminal has reflowed it). */
  resized(): void {
    this.cursorRow = Math.floor((this.promptWidth + this.cursor) / Math.max(1, this.terminal.columns));
  }

  /** Replaces the line (the state restored after a reload), drawing it. */
  setLine(text: string): void {
    this.chars = Array.from(text);
    this.cursor = this.chars.length;
    this.redraw();
  }

  private key(k: Key): EditorRequest | undefined {
    switch (k.kind) {
      case 'text':
        this.chars.splice(this.cursor, 0, ...Array.from(k.text));
        this.cursor += Array.from(k.text).length;
        break;
      case 'enter':
        return this.submit();
      case 'tab':
        return { kind: 'complete', line: this.line, cursor: this.line.length - this.chars.slice(this.cursor).join('').length };
      case 'backspace':
        if (this.cursor === 0) return undefined;
        this.chars.splice(--this.cursor, 1);
        break;
      case 'delete':
        if (this.cursor >= this.chars.length) return undefined;
        this.chars.splice(this.cursor, 1);
        break;
      case 'left':
        if (this.cursor === 0) return undefined;
        this.cursor--;
        break;
      case 'right':
        if (this.cursor >= this.chars.length) return undefined;
        this.cursor++;
        break;
      case 'home':
        this.cursor = 0;
        break;
      case 'end':
        this.cursor = this.chars.length;
        break;
      case 'wordLeft':
        this.cursor = this.wordStart();
        break;
      case 'wordRight':
        this.cursor = this.wordEnd();
        break;
      case 'up':
        this.recall(-1);
        break;
      case 'down':
        this.recall(1);
        break;
      case 'ctrl':
        return this.control(k.letter);
      case 'ignored':
        return undefined;
    }
    this.redraw();
    return undefined;
  }

  private control(letter: string): EditorRequest | undefined {
    switch (letter) {
      case 'a':
        this.cursor = 0;
        break;
      case 'e':
        this.cursor = this.chars.length;
        break;
      case 'b':
        return this.key({ kind: 'left' });
      case 'f':
        return this.key({ kind: 'right' });
      case 'u':
        this.chars.splice(0, this.cursor);
        this.cursor = 0;
        break;
      case 'k':
        this.chars.splice(this.cursor);
        break;
      case 'w': {
        const from = this.wordStart();
        this.chars.splice(from, this.cursor - from);
        this.cursor = from;
        break;
      }
      case 'c':
        this.moveToEnd();
        this.terminal.write('^C\r\n');
        this.chars = [];
        this.cursor = 0;
        this.historyIndex = this.history.length;
        this.showPrompt();
        return undefined;
      case 'l':
        this.terminal.write('\x1b[H\x1b[2J');
        this.showPrompt();
        return undefined;
      case 'p':
        return this.key({ kind: 'up' });
      case 'n':
        return this.key({ kind: 'down' });
      case 'd':
        return this.key({ kind: 'delete' });
      default:
        return undefined;
    }
    this.redraw();
    return undefined;
  }

  private submit(): EditorRequest {
    const line = this.line;
    this.moveToEnd();
    this.terminal.write('\r\n');
    this.cursorRow = 0;
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.splice(0, this.history.length - HISTORY_LIMIT);
    }
    this.historyIndex = this.history.length;
    this.draft = '';
    this.chars = [];
    this.cursor = 0;
    return { kind: 'submit', line };
  }

  private recall(step: -1 | 1): void {
    const next = this.historyIndex + step;
    if (next < 0 || next > this.history.length) return;
    if (this.historyIndex === this.history.length) this.draft = this.line;
    this.historyIndex = next;
    this.chars = Array.from(next === this.history.length ? this.draft : this.history[next]!);
    this.cursor = this.chars.length;
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && this.chars[i - 1] === ' ') i--;
    while (i > 0 && this.chars[i - 1] !== ' ') i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    while (i < this.chars.length && this.chars[i] === ' ') i++;
    while (i < this.chars.length && this.chars[i] !== ' ') i++;
    return i;
  }

  private moveToEnd(): void {
    this.cursor = this.chars.length;
    this.redraw();
  }

  private redraw(): void {
    this.terminal.write(this.draw(true));
  }

  /**
   * Draws prompt and line from the prompt's first row and puts the cursor
   * where it belongs. A line that exactly fills its last row leaves the
   * terminal cursor in the "pending wrap" state; writing a space and backing
   * over it moves the cursor to the next row, so row arithmetic holds.
   */
  private draw(fromCurrentRow: boolean): string {
    const columns = Math.max(1, this.terminal.columns);
    let out = fromCurrentRow && this.cursorRow > 0 ? `\x1b[${this.cursorRow}A` : '';
    out += `\r\x1b[J${this.prompt}${this.line}`;
    const total = this.promptWidth + this.chars.length;
    if (total > 0 && total % columns === 0) out += ' \b\x1b[K';
    const endRow = Math.floor(total / columns);
    const at = this.promptWidth + this.cursor;
    const row = Math.floor(at / columns);
    const column = at % columns;
    if (endRow > row) out += `\x1b[${endRow - row}A`;
    out += '\r';
    if (column > 0) out += `\x1b[${column}C`;
    this.cursorRow = row;
    return out;
  }
}

/** Candidates in columns as wide as the longest, as many as fit. */
export function layOut(words: readonly string[], columns: number): string {
  const width = Math.max(...words.map((w) => Array.from(w).length)) + 2;
  const perRow = Math.max(1, Math.floor(columns / width));
  const rows: string[] = [];
  for (let i = 0; i < words.length; i += perRow) {
    rows.push(words.slice(i, i + perRow).map((w) => w.padEnd(width)).join('').trimEnd());
  }
  return rows.join('\r\n');
}

function keysToData(keys: readonly Key[]): string {
  return keys.map(keyToData).join('');
}

const KEY_DATA: Readonly<Record<string, string>> = {
  enter: '\r', backspace: '\x7f', delete: '\x1b[3~', left: '\x1b[D', right: '\x1b[C', up: '\x1b[A', down: '\x1b[B',
  home: '\x1b[H', end: '\x1b[F', tab: '\t', wordLeft: '\x1bb', wordRight: '\x1bf',
};

function keyToData(k: Key): string {
  if (k.kind === 'text') return k.text;
  if (k.kind === 'ctrl') return String.fromCharCode(k.letter.charCodeAt(0) - 0x60);
  if (k.kind === 'ignored') return k.data;
  return KEY_DATA[k.kind]!;
}
