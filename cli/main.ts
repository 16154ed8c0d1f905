/**
 * The `fxbench` command line: global flags, the commands of ./commands/ (one file each,
 * listed in ./commands/index.ts), and error handling. Every command validates all of its
 * input before any work starts; a UsageError prints one line and exits with code 2.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import { commandName } from './commands/types.js';
import { loadPlugins } from '../harness/plugins/load.js';
import { packageVersion } from '../core/paths.js';
import { didYouMean } from '../core/registry.js';

export async function main(argv: string[]): Promise<void> {
  const names = COMMANDS.map(commandName);
  const parser = yargs(argv)
    .scriptName('fxbench')
    .usage(
      '$0 <command> [options]\n\nCompare sequence feature extractors on identical tasks: the RNN family (RNN, LSTM, GRU, minGRU), the Transformer encoder and linear attention, the TCN, and state-space models (S4D, Mamba).',
    )
    // Not `array: true`: an array option would swallow the command name that follows it.
    .option('plugin', { type: 'string', describe: 'load an extractor/task plugin (file or package), repeatable; plugins are code: only load what you trust' })
    .coerce(['plugin', 'option'], (v: string | string[]) => [v].flat())
    .option('verbose', { type: 'boolean', describe: 'print stack traces of errors' })
    .middleware(async (a) => {
      if (a.plugin?.length) {
        for (const p of await loadPlugins(a.plugin)) {
          process.stderr.write(
            `plugin ${p.plugin}: registered ${[...p.extractors.map((n) => `extractor ${n}`), ...p.tasks.map((n) => `task ${n}`)].join(', ')}\n`,
          );
        }
      }
    });
  for (const c of COMMANDS) parser.command(c.command, c.describe, c.builder, (a) => c.handler(a, { argv }));
  parser
    .demandCommand(1, `give a command: ${names.slice(0, -1).join(', ')} or ${names.at(-1)} (fxbench --help)`)
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .fail((msg, err) => {
      if (err && err.name !== 'YError') throw err;
      // yargs' own messages can span lines: keep one; suggest the closest flag for an unknown one.
      let line = (msg ?? err?.message ?? '').replace(/\s*\n\s*/g, ' ').trim();
      const unknown = /^Unknown arguments?: (.+)$/.exec(line);
      const choice = /^Invalid values: Argument: (\S+), Given: (.+), Choices: (.+)$/.exec(line);
      if (unknown) {
        const known = Object.keys((parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key).filter(
          (k) => k.length > 1 && k !== '$0',
        );
        const first = unknown[1].split(', ')[0];
        const close = didYouMean(first.replace(/^-+/, ''), known);
        if (close) line += `: did you mean --${close}?`;
        line += ' (see --help)';
      } else if (choice) {
        line = `--${choice[1]} ${choice[2]}: expected ${choice[3].split(', ').join(' or ')}`;
      } else if (/^Did you mean /.test(line)) {
        line = `unknown command "${argv.find((x) => !x.startsWith('-')) ?? ''}": ${line.replace(/^Did/, 'did')} (see --help)`;
      } else if (/^Not enough arguments following: /.test(line)) {
        line = `--${line.replace(/^Not enough arguments following: /, '')} needs a value (see --help)`;
      }
      throw new UsageError(line);
    });
  await parser.parseAsync();
}

/** Entry point for bin/fxbench.js: maps errors to exit codes. */
export async function cli(argv = hideBin(process.argv)): Promise<void> {
  try {
    await main(argv);
  } catch (e) {
    const verbose = argv.includes('--verbose');
    if (e instanceof UsageError) {
      process.stderr.write(`fxbench: ${e.message}\n`);
      if (verbose) process.stderr.write(`${e.stack}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`fxbench: ${(e as Error).message}\n`);
      if (verbose) process.stderr.write(`${(e as Error).stack}\n`);
      else process.stderr.write('(run again with --verbose for the stack trace)\n');
      process.exitCode = 1;
    }
  }
}
