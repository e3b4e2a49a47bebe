// Splits a command line into words as a POSIX shell does for plain words:
// blanks separate words, '…' quotes literally, "…" quotes with \" \\ \$ \`
// escapes, and a backslash outside quotes takes the next character literally.

export interface Token {
  readonly text: string;
  /** Where the word starts and ends in the line (end exclusive), quotes included. */
  readonly start: number;
  readonly end: number;
}

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: readonly Token[] }
  | { readonly ok: false; readonly error: string; readonly partial: readonly Token[] };

const BLANK = /[ \t]/;

export function tokenize(line: string): TokenizeResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && BLANK.test(line[i]!)) i++;
    if (i >= line.length) break;
    const start = i;
    let text = '';
    let quote: "'" | '"' | null = null;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote === "'") {
        if (c === "'") quote = null;
        else text += c;
      } else if (quote === '"') {
        if (c === '"') quote = null;
        else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) text += line[++i];
        else text += c;
      } else if (c === "'" || c === '"') {
        quote = c;
      } else if (c === '\\') {
        if (i + 1 >= line.length) return { ok: false, error: 'the line ends with a lone backslash', partial: [...tokens, { text, start, end: i + 1 }] };
        text += line[++i];
      } else if (BLANK.test(c)) {
        break;
      } else {
        text += c;
      }
    }
    if (quote !== null) {
      const name = quote === "'" ? 'single' : 'double';
      return { ok: false, error: `unterminated ${name} quote`, partial: [...tokens, { text, start, end: i }] };
    }
    tokens.push({ text, start, end: i });
  }
  return { ok: true, tokens };
}

/** Quotes a word so that tokenize gives it back unchanged (for completion). */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
