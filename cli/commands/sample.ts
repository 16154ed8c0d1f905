/** `fxbench sample <task>`: decoded samples of a task, from the stream a cell with that seed trains on. */
import { UsageError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { tasks } from '../../harness/plugins/registries.js';
import { formatZodIssue } from '../../harness/suite/suite.js';
import { parseOptionFlags } from './flags.js';
import { defineCommand } from './types.js';

export const sample = defineCommand({
  command: 'sample <task>',
  describe: 'print decoded samples of a task (tokens as text, target, meta)',
  builder: (y) =>
    y
      .positional('task', { type: 'string', demandOption: true, describe: 'task name' })
      .option('length', { type: 'number', default: 32, describe: 'sequence length T' })
      .option('count', { type: 'number', default: 5, describe: 'samples to print' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the sample stream' })
      .option('option', { alias: 'o', type: 'string', describe: 'task option NAME.KEY=VALUE, repeatable' })
      .coerce('option', (v: string | string[]) => [v].flat())
      .option('json', { type: 'boolean', describe: 'one JSON object per line' }),
  handler: (a) => printSamples(a.task as string, a),
});

function printSamples(name: string, a: { length: number; count: number; seed: number; option?: string[]; json?: boolean }): void {
  for (const [flag, v] of [
    ['length', a.length],
    ['count', a.count],
    ['seed', a.seed],
  ] as const) {
    if (!Number.isInteger(v) || v < (flag === 'seed' ? 0 : 1))
      throw new UsageError(`--${flag} must be a ${flag === 'seed' ? 'non-negative' : 'positive'} integer, got ${v}`);
  }
  const def = tasks.get(name);
  const given = parseOptionFlags(a.option ?? []);
  for (const key of given.keys())
    if (key !== name) throw new UsageError(`--option names "${key}", but this command samples task "${name}": write ${name}.KEY=VALUE`);
  const parsed = def.options.safeParse(given.get(name) ?? {});
  if (!parsed.success) throw new UsageError(`task ${name} options: ${formatZodIssue(parsed.error)}`);
  const task = def.create(parsed.data);
  if (a.length < task.minLength) throw new UsageError(`task ${name} needs --length >= ${task.minLength}, got ${a.length}`);
  // The same stream a cell with this seed trains on.
  const batch = task.sample(new Rng(a.seed).fork('train'), a.count, a.length);
  const chance = task.chance(a.length);
  const lines: string[] = [];
  if (!a.json) lines.push(`${name} at T=${a.length}: ${chance.metric}, chance ${+chance.value.toPrecision(4)} (${chance.why})`);
  for (let i = 0; i < a.count; i++) {
    const { input, target } = task.decode(batch, i);
    const meta = batch.meta[i];
    lines.push(a.json ? JSON.stringify({ input, target, meta }) : `#${i + 1}  ${input}\n    -> ${target}  ${JSON.stringify(meta)}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
