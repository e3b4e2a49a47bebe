// The located errors the loader reports instead of throwing.

export type DiagnosticCode =
  | 'unreadable'
  | 'unsupported-extension'
  | 'syntax'
  | 'forbidden-import'
  | 'forbidden-require'
  | 'forbidden-syntax'
  | 'reserved-name'
  | 'import-not-found'
  | 'import-outside-folder'
  | 'import-cycle'
  | 'no-main'
  | 'main-not-generator'
  | 'load-exception'
  | 'cpu-budget'
  | 'timeout'
  // A limit enforced from outside the driver's thread: its memory, or its thread ended.
  | 'limit';

/** A problem in a user's file. Lines and columns count from 1, as editors show them. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly message: string;
  readonly code: DiagnosticCode;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message} [${diagnostic.code}]`;
}
