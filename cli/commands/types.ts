/**
 * The interface every `fxbench` command file implements. A command is its yargs usage
 * string, a one-line description, its flags and a handler; `COMMANDS` (./index.ts) lists
 * them, and cli.ts registers that list with yargs, so adding a command is one file and
 * one entry there.
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';

/** What a handler may need beyond its parsed flags. */
export interface CommandContext {
  /** The raw arguments (after `fxbench`): for messages that quote what was typed and for the resume command. */
  argv: string[];
}

export interface Command<A = Record<string, unknown>> {
  /** yargs usage, e.g. `run [suite]`; the first word is the command's name. */
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  handler: (a: ArgumentsCamelCase<A>, ctx: CommandContext) => void | Promise<void>;
}

/** Types a command's handler by its builder's flags. */
export const defineCommand = <A>(c: Command<A>): Command<A> => c;

/** The name a user types: the first word of the usage string. */
export const commandName = (c: Pick<Command<never>, 'command'>): string => c.command.split(' ')[0];
