// Finds where in the user's own files an exception thrown by driver code came from.
import { isCpuBudgetExceeded } from '../../simulator/compile/cpuGuard';

/** What locateError needs of a loaded program. */
export interface LocatableProgram {
  readonly source: string;
  readonly files: readonly string[];
  originalPosition(file: string, line: number, column: number): { line: number; column: number } | undefined;
}

export interface ErrorLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** The error's name and message, such as "TypeError: x is not a function". */
  readonly message: string;
  readonly stack: string;
  /** False when no frame of the stack was in the driver's files; the position is then the entry file's start. */
  readonly located: boolean;
}

/**
 * Reads what a thrown value says about itself. The value is the driver's: its properties may be getters or
 * proxy traps that throw, and its toString may throw, so every read is guarded and falls back to a plain text.
 */
export function guarded(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A value as text, or `fallback` when printing it throws. */
export function printable(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  const s = guarded(() => String(value));
  return typeof s === 'string' ? s : fallback;
}

function describe(error: unknown): { message: string; stack: string } {
  // Errors made in the driver's sandbox are not `instanceof Error` here: they come from another realm.
  if ((typeof error === 'object' || typeof error === 'function') && error !== null) {
    const name = guarded(() => (error as { name?: unknown }).name);
    const message = guarded(() => (error as { message?: unknown }).message);
    const stack = guarded(() => (error as { stack?: unknown }).stack);
    const line = `${typeof name === 'string' ? name : 'Error'}: ${printable(message, 'a message that cannot be printed')}`;
    return { message: line, stack: typeof stack === 'string' ? stack : line };
  }
  const line = `a non-error value: ${typeof error === 'string' ? JSON.stringify(error) : printable(error, typeof error)}`;
  return { message: line, stack: line };
}

/**
 * The innermost stack frame in one of the program's files, mapped back to the user's source.
 * The line is exact: every transformation keeps lines. The column is mapped back through the
 * transformations (type annotations removed, step checks inserted, imports rewritten) token by token,
 * so it may be a few characters off inside a rewritten expression, such as a call of an imported function.
 */
export function locateError(error: unknown, program: LocatableProgram): ErrorLocation {
  const { message, stack } = describe(error);
  if (isCpuBudgetExceeded(error)) {
    return { file: error.file, line: error.line, column: error.column, message, stack, located: true };
  }
  for (const frame of stack.split('\n')) {
    for (const file of program.files) {
      const index = frame.lastIndexOf(`${file}:`);
      if (index < 0 || (index > 0 && frame[index - 1] !== '(' && frame[index - 1] !== ' ')) continue;
      const match = /^(\d+):(\d+)/.exec(frame.slice(index + file.length + 1));
      if (!match) continue;
      const at = program.originalPosition(file, Number(match[1]), Number(match[2]));
      if (at) return { file, line: at.line, column: at.column, message, stack, located: true };
    }
  }
  return { file: program.source, line: 1, column: 1, message, stack, located: false };
}
