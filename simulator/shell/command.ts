// What every console command is: a name, its help, and a function over the
// running system that returns text (with the 16 named ANSI colours).
import type { RunningSystem } from '../system/boot';

export interface ShellContext {
  /** The running system, or undefined when none has been started. */
  readonly system: RunningSystem | undefined;
  /** The terminal's width; tables are fitted to it. */
  readonly columns: number;
  /**
   * Whether commands that act through RS may run the system forward until RS
   * has acted: `run` (at most `limitCycles` of simulated time), `paused` (the
   * request is sent and takes effect when the system resumes), or `refused`
   * with the reason the system takes no requests (it has stopped). Default: run.
   */
  readonly advance?: Advance;
}

export type Advance =
  | { readonly kind: 'run'; readonly limitCycles?: number }
  | { readonly kind: 'paused' }
  | { readonly kind: 'refused'; readonly reason: string };

/** The context of a command that needs a system, once the shell has checked there is one. */
export interface SystemContext extends ShellContext {
  readonly system: RunningSystem;
}

export interface ShellCommand {
  readonly name: string;
  /** One line: the command and its arguments, e.g. `trace tail [N]`. */
  readonly usage: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Further lines for `help <command>`. */
  readonly details?: readonly string[];
  readonly needsSystem: boolean;
  run(args: readonly string[], context: SystemContext): string;
  /**
   * Candidates for the word being typed, given the words before it (not
   * counting the command's name); the shell keeps those that start with `word`.
   */
  complete?(before: readonly string[], context: ShellContext, word: string): readonly string[];
}

/** A mistake of the user's (bad arguments, unknown label): printed as `command: message`, never a crash. */
export class ShellError extends Error {
  override readonly name = 'ShellError';
}

/** Parses a whole positive number, or throws a ShellError naming what it is for. */
export function positiveInteger(text: string, what: string, max: number): number {
  if (!/^[0-9]+$/.test(text)) throw new ShellError(`${what} must be a whole number, not '${text}'`);
  const n = Number(text);
  if (n < 1 || n > max) throw new ShellError(`${what} must be between 1 and ${max}`);
  return n;
}
