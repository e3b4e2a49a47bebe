// Maps line and column positions in transformed driver code back to the user's own source text.

/** Zero-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

export type PositionMap = (position: Position) => Position;

export const identityMap: PositionMap = (position) => position;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlqSegment(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`invalid source map character ${JSON.stringify(char)}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return values;
}

interface Segment {
  readonly generatedColumn: number;
  readonly line: number;
  readonly column: number;
}

/** A map from a standard source map's `mappings` string (one source, as sucrase writes). */
export function sourceMapPositions(mappings: string): PositionMap {
  const lines: Segment[][] = [];
  let line = 0;
  let column = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = [];
    let generatedColumn = 0;
    for (const segmentText of lineText.split(',')) {
      if (segmentText === '') continue;
      const fields = decodeVlqSegment(segmentText);
      generatedColumn += fields[0] ?? 0;
      if (fields.length < 4) continue;
      line += fields[2] ?? 0;
      column += fields[3] ?? 0;
      segments.push({ generatedColumn, line, column });
    }
    lines.push(segments);
  }
  return (position) => {
    const segments = lines[position.line];
    let found: Segment | undefined;
    for (const segment of segments ?? []) {
      if (segment.generatedColumn > position.column) break;
      found = segment;
    }
    // Between two mapped tokens sucrase copies text unchanged, so the offset from the last token carries over.
    return found === undefined
      ? position
      : { line: found.line, column: found.column + (position.column - found.generatedColumn) };
  };
}

export interface Insertion {
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

/** A map undoing insertions of text that contains no line breaks; a position inside inserted text maps to where it was inserted. */
export function insertionPositions(insertions: readonly Insertion[]): PositionMap {
  const byLine = new Map<number, Insertion[]>();
  for (const insertion of insertions) {
    const list = byLine.get(insertion.line) ?? [];
    list.push(insertion);
    byLine.set(insertion.line, list);
  }
  for (const list of byLine.values()) list.sort((a, b) => a.column - b.column);
  return (position) => {
    let shift = 0;
    for (const insertion of byLine.get(position.line) ?? []) {
      const start = insertion.column + shift;
      if (position.column < start) break;
      if (position.column < start + insertion.length) return { line: position.line, column: insertion.column };
      shift += insertion.length;
    }
    return { line: position.line, column: position.column - shift };
  };
}

/** Applies the maps in order: the first undoes the last transformation. */
export function composePositions(...maps: readonly PositionMap[]): PositionMap {
  return (position) => maps.reduce((current, map) => map(current), position);
}

/** A function from an offset in `text` to its zero-based line and column (lines end at \n). */
export function offsetPositions(text: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  return (offset) => {
    const clamped = Math.max(0, Math.min(offset, text.length));
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, column: clamped - lineStarts[low]! };
  };
}

/**
 * Keeps positions inside `text`: a map can overshoot where a transformation added text that the
 * source map does not cover (the "use strict" prologue on the first line), and a location must
 * never point past the end of a line or of the file.
 */
export function clampPositions(text: string): PositionMap {
  const lengths = text.split('\n').map((line) => line.length);
  return (position) => {
    const line = Math.max(0, Math.min(position.line, lengths.length - 1));
    return { line, column: Math.max(0, Math.min(position.column, lengths[line]!)) };
  };
}
