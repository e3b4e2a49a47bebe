// The console's MINIX-like shell: reads a line, finds the command, runs it
// over the running system and returns its output. It never throws: a user's
// mistake or a failing command comes back as red text.
import { bold, dim, errorText, padEnd, printable } from './ansi';
import { catCommand, lsCommand } from './cdCommands';
import { ShellError, type ShellCommand, type ShellContext } from './command';
import { iommuCommand } from './iommuCommand';
import { psCommand } from './psCommand';
import { serviceCommand } from './serviceCommand';
import { quoteWord, tokenize } from './tokenizer';
import { traceCommand } from './traceCommand';

export type { ShellContext } from './command';

export const NO_SYSTEM_MESSAGE = 'no system is running: start one with Microkernel Lab: Start System…';
export const MAX_LINE_LENGTH = 4096;

const KEYS_HELP = [
  'Keys: ←/→ Home/End (Ctrl+A/E) move; Backspace/Delete; Ctrl+U/K cut before/after the cursor;',
  'Ctrl+W cuts a word; Ctrl+C drops the line; ↑/↓ history; Tab completes; Ctrl+L clears.',
];

const helpCommand: ShellCommand = {
  name: 'help',
  usage: 'help [command]',
  summary: 'list the commands, or explain one',
  needsSystem: false,
  run(args) {
    if (args.length > 1) throw new ShellError('usage: help [command]');
    if (args.length === 1) {
      const c = COMMANDS.get(args[0]!);
      if (c === undefined) throw new ShellError(`no command '${printable(args[0]!)}' (type help for the list)`);
      return [bold(c.usage), c.summary, ...(c.details === undefined ? [] : ['', ...c.details])].join('\n');
    }
    const width = Math.max(...[...COMMANDS.values()].map((c) => c.usage.length));
    const lines = [...COMMANDS.values()].map((c) => `  ${padEnd(bold(c.usage), width)}  ${c.summary}`);
    return [...lines, '', dim(KEYS_HELP.join('\n'))].join('\n');
  },
  complete(before) {
    return before.length === 0 ? [...COMMANDS.keys()] : [];
  },
};

const clearCommand: ShellCommand = {
  name: 'clear',
  usage: 'clear',
  summary: 'clear the screen',
  needsSystem: false,
  run() {
    return '\x1b[H\x1b[2J\x1b[3J';
  },
};

const COMMANDS: ReadonlyMap<string, ShellCommand> = new Map(
  [helpCommand, psCommand, serviceCommand, traceCommand, iommuCommand, lsCommand, catCommand, clearCommand].map((c) => [c.name, c]),
);

export function commandNames(): string[] {
  return [...COMMANDS.keys()];
}

/** Runs one line and returns what it prints (no trailing newline; empty for an empty line). */
export function executeLine(line: string, context: ShellContext): string {
  if (line.length > MAX_LINE_LENGTH) return errorText(`sh: the line is longer than ${MAX_LINE_LENGTH} characters`);
  const parsed = tokenize(line);
  if (!parsed.ok) return errorText(`sh: ${parsed.error}`);
  const words = parsed.tokens.map((t) => t.text);
  if (words.length === 0) return '';
  const name = words[0]!;
  const command = COMMANDS.get(name);
  if (command === undefined) return errorText(`${printable(name)}: command not found (type help for the list)`);
  const system = context.system;
  if (command.needsSystem && system === undefined) return errorText(`${name}: ${NO_SYSTEM_MESSAGE}`);
  try {
    return command.run(words.slice(1), { ...context, system: system!, columns: Math.max(20, Math.floor(context.columns) || 80) });
  } catch (e) {
    if (e instanceof ShellError) return errorText(`${name}: ${e.message}`);
    const message = e instanceof Error ? e.message : String(e);
    return errorText(`${name}: failed: ${printable(message)}`);
  }
}

export interface Completion {
  /** The part of the line the chosen candidate replaces: [start, end). */
  readonly start: number;
  readonly end: number;
  /** Candidates, quoted as they must be typed, sorted. */
  readonly candidates: readonly string[];
}

/** Candidates for the word that ends at `cursor` (commands, operations, labels, fault types, paths on the CD). */
export function completeLine(line: string, cursor: number, context: ShellContext): Completion {
  const at = Math.max(0, Math.min(line.length, Math.floor(cursor) || 0));
  const head = line.slice(0, at);
  const parsed = tokenize(head);
  const tokens = parsed.ok ? parsed.tokens : parsed.partial;
  const last = tokens[tokens.length - 1];
  const typing = last !== undefined && last.end === at && (parsed.ok ? !/[ \t]$/.test(head) : true);
  const before = (typing ? tokens.slice(0, -1) : tokens).map((t) => t.text);
  const word = typing ? last.text : '';
  const start = typing ? last.start : at;
  let candidates: readonly string[] = [];
  try {
    if (before.length === 0) candidates = commandNames();
    else candidates = COMMANDS.get(before[0]!)?.complete?.(before.slice(1), context, word) ?? [];
  } catch {
    candidates = [];
  }
  const lower = word.toLowerCase();
  const kept = [...new Set(candidates.filter((c) => c.toLowerCase().startsWith(lower)))].sort();
  return { start, end: at, candidates: kept.map((c) => (c.endsWith('/') ? quoteWord(c.slice(0, -1)) + '/' : quoteWord(c))) };
}
