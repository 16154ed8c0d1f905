import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../core/jsonl.js';

describe('readJsonl', () => {
  it('reads a gzipped file (committed evidence) as it reads a plain one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-jsonl-'));
    const text = '{"a":1}\n\n{"b":2}\nnot json\n';
    writeFileSync(path.join(dir, 'x.jsonl'), text);
    writeFileSync(path.join(dir, 'x.jsonl.gz'), gzipSync(text));
    const plain = readJsonl([path.join(dir, 'x.jsonl')]);
    const gz = readJsonl([path.join(dir, 'x.jsonl.gz')]);
    expect(gz.lines.map((l) => l.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(gz.lines.map((l) => [l.line, l.value])).toEqual(plain.lines.map((l) => [l.line, l.value]));
    expect(gz.skipped.map((s) => s.line)).toEqual([4]);
  });
});
