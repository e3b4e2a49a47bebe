// Colours for the console's output: only the 16 named ANSI colours (SGR 30-37
// and 90-97), so the terminal draws them with the theme's own terminal colours.

export type NamedColour =
  | 'black' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white'
  | 'brightBlack' | 'brightRed' | 'brightGreen' | 'brightYellow' | 'brightBlue' | 'brightMagenta' | 'brightCyan' | 'brightWhite';

const SGR: Readonly<Record<NamedColour, number>> = {
  black: 30, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37,
  brightBlack: 90, brightRed: 91, brightGreen: 92, brightYellow: 93, brightBlue: 94, brightMagenta: 95, brightCyan: 96, brightWhite: 97,
};

const RESET = '\x1b[0m';

export function colour(name: NamedColour, text: string): string {
  return text === '' ? '' : `\x1b[${SGR[name]}m${text}${RESET}`;
}

export function bold(text: string): string {
  return text === '' ? '' : `\x1b[1m${text}${RESET}`;
}

/** Secondary text: bright black, which every terminal theme keeps readable. */
export function dim(text: string): string {
  return colour('brightBlack', text);
}

export function errorText(text: string): string {
  return colour('red', text);
}

// eslint-disable-next-line no-control-regex -- matching the escape sequences this module writes
const SGR_SEQUENCE = /\x1b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(SGR_SEQUENCE, '');
}

/** Columns the text takes on screen (one per code point; colours take none). */
export function visibleWidth(text: string): number {
  let n = 0;
  for (const _ of stripAnsi(text)) n++;
  return n;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleWidth(text))) + text;
}

/** Cuts plain text (no colours) to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return chars.slice(0, width - 1).join('') + '…';
}

/**
 * Makes text from outside (a file on the CD, a crash message) safe to print:
 * control characters other than newline and tab would move the cursor or
 * start escape sequences, so they are shown as ^X.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- exactly the control characters are wanted here
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`));
}

export interface Column {
  readonly title: string;
  readonly align?: 'left' | 'right';
  /** This column gives way first when the table is wider than the terminal (its cells must be plain text). */
  readonly shrinkable?: boolean;
}

/**
 * Lays out rows under bold titles, two spaces between columns. When the
 * table is wider than `columns`, the shrinkable column is cut to fit (never
 * below its title's width).
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[], widthColumns: number): string {
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.title), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (columns.length - 1);
  const shrink = columns.findIndex((c) => c.shrinkable === true);
  if (shrink >= 0 && total > widthColumns) {
    widths[shrink] = Math.max(visibleWidth(columns[shrink]!.title), widths[shrink]! - (total - widthColumns));
  }
  const cell = (text: string, i: number, last: boolean): string => {
    const c = columns[i]!;
    const t = c.shrinkable === true ? truncate(text, widths[i]!) : text;
    if (c.align === 'right') return padStart(t, widths[i]!);
    return last ? t : padEnd(t, widths[i]!);
  };
  const line = (cells: readonly string[]) => cells.map((t, i) => cell(t, i, i === cells.length - 1)).join('  ').replace(/ +$/, '');
  const header = columns.map((c, i) => {
    const padded = c.align === 'right' ? padStart(c.title, widths[i]!) : i === columns.length - 1 ? c.title : padEnd(c.title, widths[i]!);
    return bold(padded);
  }).join('  ');
  return [header, ...rows.map(line)].join('\n');
}
