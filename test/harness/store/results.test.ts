/**
 * Every record field round-trips: a record of each status with every declared field set
 * (test/helpers/zodSample.ts) is appended to a results file and read back whole, and so are
 * the audit's speed rows and the environment recorded with both.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { appendJsonl } from '../../../core/jsonl.js';
import { initBackend } from '../../../kernels/backend.js';
import { environment, envSchema } from '../../../harness/store/env.js';
import { appendResult, readResults, resultSchema, type ResultRecord } from '../../../harness/store/results.js';
import { readSpeed, speedRowSchema } from '../../../audit/speed.js';
import { leafPaths, sample } from '../../helpers/zodSample.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-records-'));

describe('record schemas', () => {
  const variants = resultSchema.options as readonly z.ZodType[];

  it.each(variants.map((s) => [(sample(s) as ResultRecord).status, s] as const))('a %s record keeps every field through a results file', (status, schema) => {
    const record = sample(schema) as ResultRecord;
    expect(schema.safeParse(record).success).toBe(true);
    const file = path.join(dir, `${status}.jsonl`);
    appendResult(file, record);
    const { records, skipped } = readResults([file]);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(1);
    const back = records[0];
    for (const leaf of leafPaths(record)) expect(leafPaths(back), leaf).toContain(leaf);
    expect(back).toEqual(record);
    expect(leafPaths(record)).toContain('env.threads');
  });

  it('a speed row keeps every field through a speed file', () => {
    const row = sample(speedRowSchema);
    const file = path.join(dir, 'audit.speed.jsonl');
    appendJsonl(file, row);
    expect(readSpeed(file)).toEqual([row]);
  });

  it('the environment as measured holds only declared fields, so none is dropped on reading', async () => {
    await initBackend('wasm');
    const env = environment();
    expect(envSchema.strict().safeParse(env).success, JSON.stringify(env)).toBe(true);
    expect(env.flushSubnormals).toBe(true); // on by default
    expect(envSchema.parse(JSON.parse(JSON.stringify(env)))).toEqual(JSON.parse(JSON.stringify(env)));
  });

  it('a torn last line is skipped with the reason, the lines before it read', () => {
    const file = path.join(dir, 'torn.jsonl');
    const record = sample(variants[0]) as ResultRecord;
    appendResult(file, record);
    const whole = readFileSync(file, 'utf8');
    writeFileSync(file, whole + whole.slice(0, 40));
    const { records, skipped } = readResults([file]);
    expect(records).toEqual([record]);
    expect(skipped).toMatchObject([{ line: 2, torn: true }]);
  });
});
