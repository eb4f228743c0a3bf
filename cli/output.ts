import { parseArgs } from 'node:util';

/** What a command prints (to stdout) and the process's exit code. */
export interface CommandResult {
  lines: string[];
  exitCode: number;
}

/** Exit codes of `npm run rac`, documented in its usage text. */
export const EXIT = {
  ok: 0,
  /** Some registry rows were refused (the good ones loaded). */
  rowsRefused: 1,
  usage: 2,
  databaseUnavailable: 3,
  /** Anything unexpected: a bug or an AWS error; the message is printed, not the stack. */
  failure: 4,
} as const;

/** A command line the CLI does not understand; printed with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The positional arguments of a command that takes no options; anything else is a UsageError. */
export function positionalsOf(args: readonly string[], usage: string): string[] {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options: {}, strict: true }).positionals;
  } catch {
    throw new UsageError(`ожидается: ${usage}`);
  }
}
