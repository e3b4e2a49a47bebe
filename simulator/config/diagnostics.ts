// Source positions and diagnostics shared by the configuration parsers.

/** A range in a file: 1-based line and column, the end column one past the last character. */
export interface SourceRange {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Diagnostic extends SourceRange {
  readonly severity: Severity;
  /** A stable identifier of the kind of problem, for example `missing-semicolon`. */
  readonly code: string;
  readonly message: string;
}

export function diagnostic(range: SourceRange, severity: Severity, code: string, message: string): Diagnostic {
  return {
    file: range.file,
    line: range.line,
    column: range.column,
    endLine: range.endLine,
    endColumn: range.endColumn,
    severity,
    code,
    message,
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Maps character offsets of a text to 1-based lines and columns. */
export class LineMap {
  private readonly starts: number[] = [0];

  constructor(
    readonly file: string,
    text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  range(start: number, end: number): SourceRange {
    const a = this.position(start);
    const b = this.position(Math.max(start, end));
    return { file: this.file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }
}
