/**
 * The store's rules in-process (fast): resume planning and its refusals, torn-tail repair,
 * merge refusals, errored records superseded by retries, shards, memory estimates.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateCellMemory, memoryRefusal, WASM_HEAP_BYTES } from '../../../harness/cost/memory.js';
import { erroredRecord } from '../../../harness/run/pool.js';
import { appendResult, readResults, type ResultRecord } from '../../../harness/store/results.js';
import { parseShard, resolveShard, selectShard } from '../../../harness/suite/shard.js';
import { UsageError } from '../../../core/errors.js';
import { firstDifference, mergeResults, planResume, repairTail, supersedeRetried } from '../../../harness/store/files.js';
import { expandSuite, parseSuite, type SuiteInput } from '../../../harness/suite/suite.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-store-'));
let n = 0;
const fresh = () => path.join(dir, `f${++n}.jsonl`);

function cells(over: Partial<SuiteInput> = {}) {
  return expandSuite(parseSuite({ name: 's', tasks: ['recall'], extractors: ['rnn', 'lstm'], lengths: [6], seeds: [1, 2], steps: 3, batch: 4, ...over }));
}
/** Stand-ins for results: errored records carry the cell's full identity, and `done` turns one into a diverged record. */
const errored = (c: ReturnType<typeof cells>[number], message = 'boom') => erroredRecord(c, message);
const done = (c: ReturnType<typeof cells>[number]): ResultRecord => ({
  ...erroredRecord(c, ''),
  status: 'diverged',
  divergedAtStep: 1,
  message: 'x',
  curves: { loss: [], gradNorm: [] },
});
const warnings = () => {
  const list: string[] = [];
  return { list, warn: (m: string) => void list.push(m) };
};

describe('resume planning', () => {
  it('skips done cells, retries errored ones, and starts fresh without a file', () => {
    const cs = cells();
    const file = fresh();
    expect(planResume(file, cs, () => {}).todo).toHaveLength(4);
    appendResult(file, done(cs[0]));
    appendResult(file, errored(cs[1]));
    const plan = planResume(file, cs, () => {});
    expect(plan).toMatchObject({ done: 1, retried: 1 });
    expect(plan.todo.map((c) => c.id)).toEqual([cs[1].id, cs[2].id, cs[3].id]);
    appendResult(file, done(cs[1])); // the retry succeeded: the errored line is superseded
    expect(supersedeRetried(readResults([file]).records).map((r) => r.status)).toEqual(['diverged', 'diverged']);
  });

  it('refuses another suite, a cell the run does not have, and another configuration', () => {
    const cs = cells();
    const other = fresh();
    appendResult(other, done(cells({ name: 'other' })[0]));
    expect(() => planResume(other, cs, () => {})).toThrow(/holds results of suite "other" \(line 1\), not "s"/);
    const extra = fresh();
    appendResult(extra, done(cells({ lengths: [7] })[0]));
    expect(() => planResume(extra, cs, () => {})).toThrow(/holds cell recall\/rnn\/T7\/s1, which is not a cell of this run/);
    const config = fresh();
    appendResult(config, done(cells({ lr: 0.01 })[0]));
    expect(() => planResume(config, cs, () => {})).toThrow(/cell recall\/rnn\/T6\/s1 was run with train\.lr = 0\.01, this run has 0\.003/);
    const options = fresh();
    appendResult(options, done(cells({ extractors: [{ name: 'rnn', options: { hidden: 8 } }, 'lstm'] })[0]));
    expect(() => planResume(options, cs, () => {})).toThrow(/extractor\.options\.hidden = 8, this run has 128/);
  });

  it('cuts a torn last line off (with a warning) and completes a record that lost only its newline', () => {
    const cs = cells();
    const file = fresh();
    appendResult(file, done(cs[0]));
    appendFileSync(file, '{"schemaVersion":1,"cel');
    expect(readResults([file]).skipped).toMatchObject([{ line: 2, torn: true }]);
    const w = warnings();
    repairTail(file, w.warn);
    expect(w.list).toEqual([expect.stringMatching(/:2: torn last line .*removed/)]);
    expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    appendFileSync(file, JSON.stringify(done(cs[1])));
    repairTail(file, () => {});
    expect(readResults([file]).records).toHaveLength(2);
    // appendResult never glues a record onto a torn line.
    appendFileSync(file, '{"torn');
    appendResult(file, done(cs[2]));
    const read = readResults([file]);
    expect(read.records).toHaveLength(3);
    expect(read.skipped).toMatchObject([{ line: 3, torn: false }]);
  });
});

describe('merge', () => {
  it('combines files, lets a done record supersede an errored one, and refuses duplicates and mixed configurations', () => {
    const cs = cells();
    const [a, b] = [fresh(), fresh()];
    appendResult(a, done(cs[0]));
    appendResult(a, errored(cs[1]));
    appendResult(b, done(cs[1]));
    appendResult(b, errored(cs[2]));
    appendResult(a, errored(cs[3], 'first try'));
    appendResult(b, errored(cs[3], 'second try'));
    const merged = mergeResults([a, b], () => {});
    expect(merged.records.map((r) => `${r.cellId} ${r.status}`)).toEqual([
      `${cs[0].id} diverged`,
      `${cs[1].id} diverged`,
      `${cs[2].id} errored`,
      `${cs[3].id} errored`,
    ]);
    expect(merged.records[3]).toMatchObject({ message: 'second try' });
    expect(merged.superseded).toBe(2);
    const dup = fresh();
    appendResult(dup, done(cs[0]));
    expect(() => mergeResults([a, dup], () => {})).toThrow(/duplicate cell recall\/rnn\/T6\/s1: in .*:1 and .*:1/);
    const relabel = fresh();
    appendResult(relabel, done(cells({ extractors: [{ name: 'lstm', label: 'rnn' }] })[1]));
    expect(() => mergeResults([a, relabel], () => {})).toThrow(/extractor "rnn" has extractor\.name = "rnn" in .* but "lstm" in/);
    const empty = fresh();
    writeFileSync(empty, '');
    expect(() => mergeResults([empty], () => {})).toThrow(/no results records/);
  });

  it('firstDifference names the path of the first difference', () => {
    expect(firstDifference({ a: { b: [1, 2] } }, { a: { b: [1, 3] } })).toEqual({ path: 'a.b[1]', a: 2, b: 3 });
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeUndefined();
  });
});

describe('shards', () => {
  it('parses i/N (0-based) and splits cells round-robin into disjoint, covering shards', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3')).toThrow(/index must be 0\.\.2/);
    expect(() => parseShard('0/0')).toThrow(/count must be at least 1/);
    expect(() => parseShard('a/b')).toThrow(/malformed/);
    const xs = Array.from({ length: 10 }, (_, i) => i);
    const parts = [0, 1, 2].map((i) => selectShard(xs, { index: i, count: 3 }));
    expect(parts).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7],
      [2, 5, 8],
    ]);
  });

  it('--shard auto reads a Slurm array (0- or 1-based) or a Kubernetes completion index, and refuses in one line otherwise', () => {
    const slurm = (id: number, min: number, max: number, count = max - min + 1) => ({
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_MAX: String(max),
      SLURM_ARRAY_TASK_COUNT: String(count),
    });
    expect(resolveShard('auto', undefined, slurm(2, 0, 3))).toEqual({ index: 2, count: 4, from: 'SLURM_ARRAY_TASK_ID=2' });
    expect(resolveShard('auto', undefined, slurm(1, 1, 4))).toMatchObject({ index: 0, count: 4 }); // --array=1-4
    expect(resolveShard('auto', undefined, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4', SLURM_ARRAY_TASK_MAX: '6' })).toMatchObject({
      index: 1,
      count: 3,
    });
    expect(resolveShard('auto', 4, slurm(3, 0, 3))).toMatchObject({ index: 3, count: 4 });
    expect(resolveShard('auto', 3, { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: 3, from: 'JOB_COMPLETION_INDEX=2' });
    expect(resolveShard('1/3', undefined, slurm(0, 0, 1))).toEqual({ index: 1, count: 3 }); // explicit wins over the environment
    const refusals: [string, number | undefined, Record<string, string>, RegExp][] = [
      ['auto', undefined, {}, /no scheduler index in the environment .*give --shard I\/N/],
      ['auto', undefined, { JOB_COMPLETION_INDEX: '1' }, /JOB_COMPLETION_INDEX=1 \(a Kubernetes Indexed Job\) needs --shards N/],
      ['auto', 2, { JOB_COMPLETION_INDEX: '2' }, /JOB_COMPLETION_INDEX=2 is out of range for --shards 2 \(indices 0\.\.1\)/],
      ['auto', 3, slurm(0, 0, 3), /the Slurm array has 4 tasks but --shards is 3/],
      ['auto', undefined, slurm(4, 0, 6, 4), /the Slurm array 0-6 has 4 tasks, not 7: use a contiguous array without a step/],
      ['auto', undefined, { SLURM_ARRAY_TASK_ID: '3' }, /neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN\/MAX is set/],
      ['auto', undefined, { SLURM_ARRAY_TASK_ID: 'x' }, /SLURM_ARRAY_TASK_ID="x" is not a non-negative integer/],
      ['auto', undefined, { ...slurm(0, 0, 1), JOB_COMPLETION_INDEX: '0' }, /both SLURM_ARRAY_TASK_ID=0 and JOB_COMPLETION_INDEX=0 are set/],
      ['auto', 0, { JOB_COMPLETION_INDEX: '0' }, /--shards 0: expected a positive integer/],
      ['0/2', 2, {}, /--shards goes with --shard auto/],
    ];
    for (const [spec, shards, env, message] of refusals) {
      let error: unknown;
      try {
        resolveShard(spec, shards, env);
      } catch (e) {
        error = e;
      }
      expect(error, `${spec} ${shards} ${JSON.stringify(env)}`).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('memory estimate', () => {
  it('grows as B*heads*T^2 while attention keeps its probabilities, linearly once it streams, and refuses what cannot fit the heap', () => {
    const at = (T: number, extra: Partial<SuiteInput> = {}) =>
      estimateCellMemory(cells({ extractors: ['transformer'], lengths: [T], batch: 32, ...extra })[0])!.bytes;
    // Kept probabilities (B*heads*T^2*layers <= 2^26 floats at T = 512): the T^2 term shows.
    expect(at(512) / at(256)).toBeGreaterThan(2.2); // linear terms would give 2
    // Streaming beyond (extractors/attention.ts): O(T).
    const ratio = at(8192) / at(4096);
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThanOrEqual(2.05);
    const [small, fits, huge] = cells({ extractors: ['transformer'], lengths: [64, 4096, 8192], batch: 8, seeds: [1] });
    expect(memoryRefusal(small)).toBeUndefined();
    expect(memoryRefusal(fits)).toBeUndefined(); // T = 4096 at batch 8 trains (17.5 GiB when the probabilities were kept)
    expect(memoryRefusal(cells({ extractors: ['transformer'], lengths: [8192], batch: 32, seeds: [1] })[0])).toBeDefined();
    const refusal = memoryRefusal(cells({ extractors: ['transformer'], lengths: [32768], batch: 32, seeds: [1] })[0])!;
    expect(huge).toBeDefined();
    expect(refusal.estimatedPeakBytes).toBeGreaterThan(WASM_HEAP_BYTES);
    expect(refusal.message).toMatch(/dominant term: activations B\*T\*\(8 dModel \+ ffDim\)\*layers = 32\*32768\*1536\*2/);
    const rnn = memoryRefusal(cells({ extractors: [{ name: 'lstm', options: { hidden: 512 } }], lengths: [16384], batch: 64 })[0])!;
    expect(rnn.message).toMatch(/recurrent gates and states T\*B\*G\*H = 16384\*64\*4\*512/);
  });
});
