/**
 * harness/bench.ts: the schema of `runBench`'s rows on a tiny shape (not its timings), the
 * peer script's location, the parsing of the peer's JSON lines, and the error that says how
 * to install torch when python3 is missing.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../harness/backend.js';
import { parsePeerOutput, peerScript, runBench, runTorchPeer } from '../../harness/bench.js';
import { packageRoot } from '../../harness/paths.js';

const EXTRACTORS = ['rnn', 'lstm', 'gru', 'transformer', 'tcn'];

describe('runBench', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('times a train step and an inference pass per (extractor, length), with every field positive', async () => {
    const rows = await runBench({ extractors: EXTRACTORS, lengths: [4, 6], batch: 2, minTimeMs: 1 });
    expect(rows).toHaveLength(EXTRACTORS.length * 2 * 2);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['batch', 'extractor', 'gflops', 'length', 'mode', 'msPerStep', 'p50Ms', 'p99Ms', 'params', 'seqPerSec'].sort());
      expect(EXTRACTORS).toContain(r.extractor);
      expect([4, 6]).toContain(r.length);
      expect(r.batch).toBe(2);
      expect(['train', 'infer']).toContain(r.mode);
      for (const k of ['seqPerSec', 'msPerStep', 'p50Ms', 'p99Ms', 'gflops', 'params'] as const) {
        expect(Number.isFinite(r[k]), `${r.extractor} ${r.mode} ${k}`).toBe(true);
        expect(r[k], `${r.extractor} ${r.mode} ${k}`).toBeGreaterThan(0);
      }
      expect(r.seqPerSec).toBeCloseTo((r.batch * 1000) / r.msPerStep, 6);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    }
    // Both modes of every cell, and params as the peer counts them (the extractor alone): rnn = 1*H*(E+H) + 2*H.
    for (const e of EXTRACTORS) for (const L of [4, 6]) for (const m of ['train', 'infer']) expect(rows.some((r) => r.extractor === e && r.length === L && r.mode === m)).toBe(true);
    expect(rows.find((r) => r.extractor === 'rnn')!.params).toBe(128 * (64 + 128) + 2 * 128);
  });
});

describe('the PyTorch peer', () => {
  it('is looked for at ../shared/peers/torch_bench.py from the package root', () => {
    expect(peerScript()).toBe(path.resolve(packageRoot(), '..', 'shared', 'peers', 'torch_bench.py'));
  });

  it('parses JSON lines and skips other output', () => {
    const out = [
      'some warning from torch',
      '{"peer": "torch", "extractor": "rnn", "length": 64, "batch": 32, "mode": "train", "seqPerSec": 2355.0, "msPerStep": 13.6, "params": 24832}',
      '{"peer": "torch", "extractor": "rnn", "length": 64, "batch": 32, "mode": "infer", "seqPerSec": 5000.5, "msPerStep": 6.4, "params": 24832}',
      '',
    ].join('\n');
    const rows = parsePeerOutput(out);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ peer: 'torch', extractor: 'rnn', length: 64, batch: 32, mode: 'train', seqPerSec: 2355, params: 24832 });
    expect(() => parsePeerOutput('{"peer": "torch", "mode": "sideways"}')).toThrow(/unexpected line/);
  });

  it('explains how to install torch when python3 is missing', async () => {
    await expect(runTorchPeer({ extractors: ['rnn'], lengths: [4], batch: 2, python: '/nonexistent/python3' })).rejects.toThrow(/apt-get install -y python3-torch libopenblas0-pthread/);
  });
});
