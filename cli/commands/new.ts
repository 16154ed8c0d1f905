/**
 * `fxbench new extractor|task NAME [--dir DIR]`: writes a working, commented plugin file and
 * a test beside it. The plugin takes tf and z from the plugin API, so it runs from any folder;
 * the test (node's own runner: `node --test NAME.test.mjs`) trains it for a few steps through
 * this fxbench and checks the record completed.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { packageRoot } from '../../core/paths.js';
import { defineCommand } from './types.js';

const KINDS = ['extractor', 'task'] as const;
type Kind = (typeof KINDS)[number];

function extractorPlugin(name: string): string {
  return `/**
 * Extractor plugin "${name}": a causal running mean of the inputs, then a linear map and tanh.
 * Written by \`fxbench new extractor ${name}\`; edit freely.
 *
 *   fxbench --plugin ./${name}.mjs run --tasks recall,adding --extractors ${name},lstm --lengths 16,64
 *
 * The contract (extractors/types.ts in fxbench): \`create(options, ctx)\` returns
 * { variables, outputDim, apply, flops }. apply(x [B, T, D], { training, mask }) must return
 * features [B, T, outputDim]; fxbench checks that on a dry batch before any training. The
 * harness owns the embedding, readout, head, loss and optimiser, identical for every extractor.
 * Plugins are code: fxbench runs this file with your privileges.
 */
export default function ({ tf, z, registerExtractor }) {
  registerExtractor({
    name: '${name}',
    description: 'causal running mean of the inputs, then a linear map and tanh (an order-blind baseline)',
    // Options with defaults; \`fxbench list\` prints them, -o ${name}.hidden=64 sets one.
    options: z.object({ hidden: z.number().int().positive().default(128).describe('output width H') }).strict(),
    // What a padding mask does to this extractor: 'reads' (pads are input), 'masked' or 'refuses'.
    padding: 'reads',
    create(options, ctx) {
      const D = ctx.inputDim;
      const H = options.hidden;
      // Weights from the harness's seeded rng (ctx.rng), so a seed reproduces them; names as PyTorch's state_dict.
      const bound = 1 / Math.sqrt(D);
      const init = (shape) => tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (ctx.rng.uniform() * 2 - 1) * bound), shape));
      const variables = { 'proj.weight': init([D, H]), 'proj.bias': init([H]) };
      return {
        variables,
        outputDim: H,
        apply(x) {
          const [B, T] = x.shape;
          // tfjs 4.22's cumsum has a wrong gradient on any axis but the last: sum along the last one.
          const sums = tf.cumsum(x.transpose([0, 2, 1]), 2); // [B, D, T]: column t = x_1 + .. + x_t
          const mean = tf.div(sums, tf.range(1, T + 1)).transpose([0, 2, 1]); // [B, T, D]
          const y = tf.add(tf.matMul(mean.reshape([B * T, D]), variables['proj.weight']), variables['proj.bias']); // [B*T, H]
          return tf.tanh(y).reshape([B, T, H]); // [B, T, H]
        },
        // Analytic forward FLOPs (a multiply-add = 2): the throughput charts divide by it.
        flops: (B, T) => 2 * B * T * D + 2 * B * T * D * H + 2 * B * T * H,
      };
    },
  });
}
`;
}

function taskPlugin(name: string): string {
  return `/**
 * Task plugin "${name}": name the first token of a sequence of random symbols (k classes).
 * Written by \`fxbench new task ${name}\`; edit freely.
 *
 *   fxbench --plugin ./${name}.mjs run --tasks ${name} --extractors lstm,transformer --lengths 16,64
 *   fxbench --plugin ./${name}.mjs sample ${name}
 *
 * The contract (tasks/types.ts in fxbench): sample(rng, batchSize, length) is a pure function of
 * the seeded rng and returns flat arrays: inputs [B*T] token ids in [0, vocab), targets [B]
 * class ids (per-sequence) or [B*T] (per-step), meta one object per sample. fxbench checks the
 * shapes and ranges on a dry batch before any training. Plugins are code: fxbench runs this
 * file with your privileges.
 */
export default function ({ z, registerTask }) {
  registerTask({
    name: '${name}',
    description: 'name the first of T random symbols: the answer is as far from the readout as the sequence is long',
    example: 'c a b a -> c (the first symbol)',
    source: 'fxbench new (a template)',
    options: z.object({ symbols: z.number().int().min(2).max(64).default(4).describe('k: symbols, and classes') }).strict(),
    create({ symbols }) {
      const tokens = Array.from({ length: symbols }, (_, i) => String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : ''));
      return {
        input: { kind: 'tokens', vocab: symbols, tokens },
        output: { kind: 'classes', classes: symbols, labels: tokens, per: 'sequence' },
        chance: () => ({ value: 1 / symbols, metric: 'accuracy', why: \`1/k for k = \${symbols} uniform answers\` }),
        minLength: 1,
        sample(rng, batchSize, length) {
          const inputs = new Int32Array(batchSize * length);
          const targets = new Int32Array(batchSize);
          for (let b = 0; b < batchSize; b++) {
            for (let t = 0; t < length; t++) inputs[b * length + t] = rng.int(symbols);
            targets[b] = inputs[b * length];
          }
          // meta: per-sample facts the report can bin accuracy by (here the distance to the answer).
          return { batchSize, length, inputs, targets, meta: Array.from({ length: batchSize }, () => ({ distance: length - 1 })) };
        },
        decode(batch, i) {
          const T = batch.length;
          return { input: Array.from(batch.inputs.subarray(i * T, (i + 1) * T), (id) => tokens[id]).join(' '), target: tokens[batch.targets[i]] };
        },
      };
    },
  });
}
`;
}

function pluginTest(kind: Kind, name: string): string {
  const bin = path.join(packageRoot(), 'bin', 'fxbench.js');
  const suite = kind === 'extractor' ? `'--tasks', 'recall', '--extractors', '${name}'` : `'--tasks', '${name}', '--extractors', 'lstm'`;
  return `// Trains the ${kind} plugin "${name}" for a few steps through fxbench and checks the record completed.
// Run: node --test ${name}.test.mjs   (written by \`fxbench new ${kind} ${name}\`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

// The fxbench that wrote this file; change it if fxbench moves.
const FXBENCH = ${JSON.stringify(bin)};
const plugin = path.join(import.meta.dirname, '${name}.mjs');

test('${name} trains through fxbench', () => {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), '${name}-')), 'results.jsonl');
  const run = spawnSync(process.execPath, [FXBENCH, '--plugin', plugin, 'run', ${suite}, '--lengths', '8', '--seeds', '1', '--steps', '5', '--no-tune', '--workers', '1', '--out', out, '--quiet'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const [record] = readFileSync(out, 'utf8').trim().split('\\n').map((line) => JSON.parse(line));
  assert.equal(record.status, 'completed', record.message);
});
`;
}

export const newPlugin = defineCommand({
  command: 'new <kind> <name>',
  describe: 'write a working, commented extractor or task plugin and a test for it (node --test NAME.test.mjs)',
  builder: (y) =>
    y
      .positional('kind', { type: 'string', choices: KINDS, describe: 'extractor or task', demandOption: true })
      .positional('name', { type: 'string', describe: 'its registry name: lowercase letters, digits and dashes', demandOption: true })
      .option('dir', { type: 'string', default: '.', describe: 'folder to write NAME.mjs and NAME.test.mjs into' }),
  handler: (a) => {
    const kind = a.kind as Kind;
    const name = String(a.name);
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new UsageError(`plugin name "${name}": use lowercase letters, digits and dashes, starting with a letter, e.g. my-${kind}`);
    const dir = path.resolve(a.dir);
    const files = [path.join(dir, `${name}.mjs`), path.join(dir, `${name}.test.mjs`)];
    for (const f of files) if (existsSync(f)) throw new UsageError(`${f} already exists: choose another name or --dir, or remove it`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(files[0], kind === 'extractor' ? extractorPlugin(name) : taskPlugin(name));
    writeFileSync(files[1], pluginTest(kind, name));
    process.stdout.write(`wrote ${files[0]}\nwrote ${files[1]}\nrun its test: node --test ${path.relative(process.cwd(), files[1]) || files[1]}\n`);
  },
});
