/**
 * Bad input through the built CLI: every case stops before any work with one line that
 * names the input and the fix, exit code 2 and no stack trace (unless --verbose).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fxbench } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-validation-'));

function suiteFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const base = ['run', '--tasks', 'recall', '--extractors', 'lstm', '--lengths', '8'];
const out = path.join(dir, 'never-written.jsonl');

/** [what, arguments, the one line expected on stderr] */
const cases: [string, string[], RegExp][] = [
  // Names, with did-you-mean.
  [
    'unknown task',
    ['run', '--tasks', 'recal', '--extractors', 'lstm', '--lengths', '8'],
    /^fxbench: unknown task "recal": did you mean "recall"\? \(known: .*`fxbench list`/,
  ],
  ['unknown extractor', ['run', '--tasks', 'recall', '--extractors', 'lstn', '--lengths', '8'], /^fxbench: unknown extractor "lstn": did you mean "lstm"\?/],
  [
    'unknown extractor option',
    [...base, '-o', 'lstm.hiden=32'],
    /^fxbench: -o lstm\.hiden=32: extractor lstm has no option "hiden": did you mean "hidden"\? \(its options: hidden, layers/,
  ],
  [
    'bad extractor option value',
    [...base, '-o', 'lstm.hidden=0'],
    /^fxbench: -o lstm\.hidden=0: extractor lstm option hidden: expected a positive number, got 0/,
  ],
  [
    'inconsistent extractor options',
    ['run', '--tasks', 'recall', '--extractors', 'transformer', '--lengths', '8', '-o', 'transformer.dModel=10', '-o', 'transformer.heads=4'],
    /^fxbench: extractor transformer options: heads must divide dModel/,
  ],
  [
    'option for a plugin not in the run',
    [...base, '-o', 'lstn.hidden=32'],
    /^fxbench: --option names "lstn", which is not among this run's tasks or extractors: did you mean "lstm"\?/,
  ],
  ['malformed option', [...base, '-o', 'lstm.hidden'], /^fxbench: --option "lstm\.hidden" is malformed: write it as NAME\.KEY=VALUE/],
  ['unknown flag', [...base, '--step', '3'], /^fxbench: Unknown argument: step: did you mean --steps\?/],
  ['unknown command', ['rnu'], /^fxbench: unknown command "rnu": did you mean run\?/],
  // Numbers.
  [
    'non-positive length',
    ['run', '--tasks', 'recall', '--extractors', 'lstm', '--lengths', '8,-4'],
    /^fxbench: --lengths 8,-4: expected a positive integer \(or a \{\"train\": \[lo, hi\], \"test\": \[lo, hi\]\} range\) in each entry, got -4 \(e\.g\. --lengths 16,64\)$/,
  ],
  [
    'non-integer length',
    ['run', '--tasks', 'recall', '--extractors', 'lstm', '--lengths', '8.5'],
    /^fxbench: --lengths 8\.5: expected a positive integer \(or a .* range\) in each entry, got 8\.5/,
  ],
  [
    'length that is not a number',
    ['run', '--tasks', 'recall', '--extractors', 'lstm', '--lengths', '8,x'],
    /^fxbench: --lengths: "x" is not a number or a range: give a comma-separated list such as --lengths 16,64 or 1-40:41-500$/,
  ],
  ['length below the task minimum', [...base, '-o', 'recall.distance=10'], /^fxbench: task recall needs length >= 11, got 8: raise --lengths$/],
  ['negative seed', [...base, '--seeds', '1,-1'], /^fxbench: --seeds 1,-1: expected a non-negative integer in each entry, got -1 \(e\.g\. --seeds 1,2,3\)$/],
  ['zero steps', [...base, '--steps', '0'], /^fxbench: --steps 0: expected a positive integer \(e\.g\. --steps 200\)$/],
  ['steps not a number', [...base, '--steps', 'abc'], /^fxbench: --steps "abc" is not a number: e\.g\. --steps 200$/],
  ['steps given twice', [...base, '--steps', '3', '--steps', '4'], /^fxbench: --steps is given 2 times: give it once/],
  ['non-integer batch', [...base, '--batch', '2.5'], /^fxbench: --batch 2\.5: expected a positive integer \(e\.g\. --batch 32\)$/],
  ['learning rate out of range', [...base, '--lr', '5'], /^fxbench: --lr 5: expected a number in \(0, 1\] \(e\.g\. --lr 0\.003\)$/],
  ['zero workers', [...base, '--workers', '0'], /^fxbench: --workers 0: expected a positive integer \(worker threads\), e\.g\. --workers 2$/],
  [
    'fractional threads',
    [...base, '--threads', '1.5'],
    /^fxbench: --threads 1\.5: expected a positive integer \(kernel threads per cell\), e\.g\. --threads 2$/,
  ],
  [
    'bench with zero threads (the same check as run)',
    ['bench', '--extractors', 'rnn', '--threads', '0'],
    /^fxbench: --threads 0: expected a positive integer \(kernel threads per cell\), e\.g\. --threads 2$/,
  ],
  ['shard index out of range', [...base, '--shard', '2/2'], /^fxbench: --shard 2\/2: the index must be 0\.\.1 \(shards are 0-based/],
  ['--shard auto outside a scheduler', [...base, '--shard', 'auto'], /^fxbench: --shard auto: no scheduler index in the environment/],
  ['--shards without --shard auto', [...base, '--shards', '3'], /^fxbench: --shards 3 needs --shard auto/],
  ['negative --lock-wait', [...base, '--lock-wait', '-1'], /^fxbench: --lock-wait -1: expected seconds, a non-negative number/],
  ['malformed shard', [...base, '--shard', '1of2'], /^fxbench: --shard "1of2" is malformed: write INDEX\/COUNT with a 0-based index/],
  ['resume without --out', [...base, '--resume'], /^fxbench: --resume needs --out FILE/],
  [
    'extractor whose outputDim is not the width it returns',
    ['--plugin', './test/fixtures/plugins/broken-contracts.mjs', 'run', '--tasks', 'recall', '--extractors', 'wrong-width', '--lengths', '8', '--steps', '2'],
    /^fxbench: extractor wrong-width: apply returned features of width 8 but declares outputDim 9: /,
  ],
  [
    'task whose sample returns too few inputs',
    ['--plugin', './test/fixtures/plugins/broken-contracts.mjs', 'run', '--tasks', 'short-batch', '--extractors', 'lstm', '--lengths', '8', '--steps', '2'],
    /^fxbench: task short-batch: sample\(\) returned 15 input values for a batch of 2 x 8, expected 16 /,
  ],
  ['unknown backend', [...base, '--backend', 'gpu'], /^fxbench: --backend "gpu": expected "wasm" or "cpu"$/],
  ['flag without its value', [...base, '--steps'], /^fxbench: --steps needs a value/],
  // Cluster submission and run folders.
  ['submit without a scheduler', ['submit'], /^fxbench: give a scheduler: fxbench submit slurm \.\.\. or fxbench submit k8s \.\.\.$/],
  [
    'submit without work',
    ['submit', 'slurm', '--shards', '2', '--dry-run'],
    /^fxbench: give a suite file \(fxbench submit slurm suite\.json \.\.\.\) or --audit PROFILE$/,
  ],
  [
    'submit with zero shards',
    ['submit', 'slurm', '--audit', 'smoke', '--shards', '0', '--dry-run'],
    /^fxbench: --shards 0: expected a positive integer, e.g. --shards 4$/,
  ],
  [
    'submit with a suite and --audit',
    [
      'submit',
      'slurm',
      suiteFile('both.json', '{"tasks": ["recall"], "extractors": ["lstm"], "lengths": [8]}'),
      '--audit',
      'smoke',
      '--shards',
      '2',
      '--dry-run',
    ],
    /^fxbench: give a suite file or --audit PROFILE, not both/,
  ],
  [
    'submit with an unknown profile',
    ['submit', 'slurm', '--audit', 'huge', '--shards', '2', '--dry-run'],
    /^fxbench: --audit "huge": expected "quick" or "smoke" or "standard" or "full"$/,
  ],
  [
    'submit --claim without --audit',
    [
      'submit',
      'slurm',
      suiteFile('claim.json', '{"tasks": ["recall"], "extractors": ["lstm"], "lengths": [8]}'),
      '--claim',
      'pe-needed',
      '--shards',
      '1',
      '--dry-run',
    ],
    /^fxbench: --claim goes with --audit PROFILE$/,
  ],
  ['status of a folder that is not a run', ['status', dir], /^fxbench: .* is not a run folder \(no run\.json\): give the folder `fxbench submit` printed$/],
  // Suite files: the file, the path inside it, what was expected.
  [
    'unknown key in a suite file',
    ['run', suiteFile('stpes.json', '{"tasks": ["recall"], "extractors": ["lstm"], "lengths": [8], "stpes": 3}')],
    /^fxbench: suite file .*stpes\.json: unknown key "stpes" at the top level: did you mean "steps"\? \(allowed: name, tasks/,
  ],
  [
    'unknown key in a suite entry',
    ['run', suiteFile('option.json', '{"tasks": ["recall"], "extractors": [{"name": "transformer", "option": {}}], "lengths": [8]}')],
    /^fxbench: suite file .*option\.json: unknown key "option" in extractors\[0\]: did you mean "options"\?/,
  ],
  [
    'bad value deep in a suite file',
    ['run', suiteFile('heads.json', '{"tasks": ["recall"], "extractors": ["lstm", {"name": "transformer", "options": {"heads": "four"}}], "lengths": [8]}')],
    /^fxbench: suite file .*heads\.json: extractors\[1\]\.options\.heads: extractor transformer option heads: expected a number, got "four"/,
  ],
  [
    'bad length in a suite file',
    ['run', suiteFile('lengths.json', '{"tasks": ["recall"], "extractors": ["lstm"], "lengths": [8, 0]}')],
    /^fxbench: suite file .*lengths\.json: lengths\[1\]: expected a positive integer \(or a .* range\), got 0 \(e\.g\. "lengths": \[16, 64\]\)$/,
  ],
  [
    'unknown name in a suite file',
    ['run', suiteFile('name.json', '{"tasks": ["recal"], "extractors": ["lstm"], "lengths": [8]}')],
    /^fxbench: suite file .*name\.json: tasks\[0\]: unknown task "recal": did you mean "recall"\?/,
  ],
  [
    'invalid JSON',
    ['run', suiteFile('syntax.json', '{"tasks": ["recall"],\n "extractors": ["lstm"]\n "lengths": [8]}')],
    /^fxbench: suite file .*syntax\.json is not valid JSON at line 3 column 2 .*: fix the syntax$/,
  ],
  ['suite file that is not an object', ['run', suiteFile('array.json', '[1]')], /^fxbench: suite file .*array\.json: expected a JSON object such as \{"tasks"/],
  ['missing suite file', ['run', path.join(dir, 'nope.json')], /^fxbench: suite file .*nope\.json cannot be read \(no such file\): check the path$/],
  // The training protocol: tuning grid, splits, validation interval.
  [
    'unknown grid key',
    [...base, '--tune', 'hiden=8,16'],
    /^fxbench: --tune hiden=\.\.\.: unknown grid key "hiden": did you mean "hidden"\? \(grid keys: lr, warmup, schedule, clip, weightDecay, or an option of this run's extractors: hidden, /,
  ],
  [
    'empty grid',
    ['run', suiteFile('grid.json', '{"tasks": ["recall"], "extractors": ["lstm"], "lengths": [8], "tune": {"lr": []}}')],
    /^fxbench: suite file .*grid\.json: tune\.lr: the grid list is empty: give at least one value, or drop "lr"$/,
  ],
  [
    'field both set and tuned',
    [...base, '--lr', '0.01', '--tune', 'lr=0.001,0.003'],
    /^fxbench: "lr" is set \(0\.01\) and tuned \(--tune lr=\.\.\.\): drop one of the two/,
  ],
  [
    'split a task does not have',
    ['--plugin', './test/fixtures/plugins/two-splits.mjs', 'run', '--tasks', 'two-splits', '--extractors', 'lstm', '--lengths', '8'],
    /^fxbench: task two-splits has no "validation" split: the harness trains on "train", tunes and stops early on "validation" and reports "test"/,
  ],
  [
    'valEvery larger than steps',
    [...base, '--steps', '10', '--val-every', '50'],
    /^fxbench: --val-every 50 is larger than the budget --steps 10: validation would never run; lower --val-every or raise --steps$/,
  ],
  [
    'retired suite field',
    ['run', suiteFile('old.json', '{"tasks": ["recall"], "extractors": ["lstm"], "lengths": [8], "evalBatches": 4}')],
    /^fxbench: suite file .*old\.json: "evalBatches" is no longer a suite field: the test set is now "evalSamples"/,
  ],
  // Plugins.
  ['missing plugin file', ['--plugin', './nope.mjs', ...base], /^fxbench: plugin file \.\/nope\.mjs does not exist: check the path given to --plugin$/],
  [
    'plugin that registers nothing',
    ['--plugin', './test/fixtures/plugins/empty.mjs', ...base],
    /^fxbench: plugin \.\/test\/fixtures\/plugins\/empty\.mjs registered nothing/,
  ],
];

describe.concurrent('bad input stops before any work: one line, exit code 2', () => {
  for (const [what, args, expected] of cases) {
    it(what, async () => {
      // --out everywhere (bar the --resume case): a case that wrongly passed validation must not write into the repository.
      const r = await fxbench([...args, ...(args.includes('run') && !args.includes('--resume') ? ['--out', out] : [])]);
      expect(r.code, r.stderr).toBe(2);
      // A plugin that loaded says so first (plugins are code); the error is then the one other line.
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => !/^plugin \S+: registered /.test(l));
      expect(lines.join('\n')).toMatch(expected);
      expect(lines, r.stderr).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  }

  it('adds the stack trace under --verbose', async () => {
    const r = await fxbench([...base, '--steps', '0', '--verbose', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fxbench: --steps 0: expected a positive integer/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
