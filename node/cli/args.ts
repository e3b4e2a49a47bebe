// Command-line parsing for every `mklab` command: node's own parseArgs, with
// its errors turned into the one line a user needs (what was wrong and where
// to read the usage), so that no misuse ends in a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A command line that cannot be run: the message is one line, and the exit status is 2. */
export class UsageError extends Error {}

/** The one-line usage error for `command`, pointing at its help. */
export function usageLine(command: string, problem: string): string {
  return `${command}: ${problem} (see '${command} --help')\n`;
}

/** Node's parseArgs message, shortened to what was wrong. */
function describeParseError(e: unknown): string {
  const error = e as { code?: string; message?: string };
  const message = error.message ?? String(e);
  const quoted = /'([^']*)'/.exec(message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? message}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /--[\w-]+/.exec(message)?.[0];
      return /argument missing/.test(message) ? `option '${option ?? quoted}' needs a value` : `option '${option ?? quoted}' takes no value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? message}'`;
    default:
      return message.split('\n')[0]!;
  }
}

/** Parses `args` strictly against `options`; a misuse throws UsageError with a one-line message. */
export function parseCommandArgs<O extends Options>(args: readonly string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(describeParseError(e));
  }
}
