/**
 * harness/bench.ts: the schema of `runBench`'s rows on a tiny shape (not its timings), the
 * peer script's location, the parsing of the peer's JSON lines, the thread variables the
 * peer is started with, and the error that says how to install torch when python3 is missing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../kernels/backend.js';
import { parsePeerOutput, peerScript, runBench, runTorchPeer, type BenchRow, type PeerRow } from '../../perf/bench.js';
import { bestOf, formatScaling, formatTable, jsonLines, spread, summarise } from '../../perf/benchRun.js';
import { packageRoot } from '../../core/paths.js';

const EXTRACTORS = ['rnn', 'lstm', 'gru', 'transformer', 'tcn'];

describe('runBench', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('times a train step and an inference pass per (extractor, length), with every field positive', async () => {
    const rows = await runBench({ extractors: EXTRACTORS, lengths: [4, 6], batch: 2, minTimeMs: 1 });
    expect(rows).toHaveLength(EXTRACTORS.length * 2 * 2);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'batch',
          'extractor',
          'flushSubnormals',
          'gflops',
          'length',
          'mode',
          'msPerStep',
          'p50Ms',
          'p99Ms',
          'params',
          'peakBytes',
          'seqPerSec',
          'threads',
        ].sort(),
      );
      expect(EXTRACTORS).toContain(r.extractor);
      expect([4, 6]).toContain(r.length);
      expect(r.batch).toBe(2);
      expect(['train', 'infer']).toContain(r.mode);
      for (const k of ['seqPerSec', 'msPerStep', 'p50Ms', 'p99Ms', 'gflops', 'params', 'peakBytes'] as const) {
        expect(Number.isFinite(r[k]), `${r.extractor} ${r.mode} ${k}`).toBe(true);
        expect(r[k], `${r.extractor} ${r.mode} ${k}`).toBeGreaterThan(0);
      }
      expect(r.seqPerSec).toBeCloseTo((r.batch * 1000) / r.msPerStep, 6);
      expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
      expect(r.flushSubnormals).toBe(true);
    }
    // Both modes of every cell, and params as the peer counts them (the extractor alone): rnn = 1*H*(E+H) + 2*H.
    for (const e of EXTRACTORS)
      for (const L of [4, 6]) for (const m of ['train', 'infer']) expect(rows.some((r) => r.extractor === e && r.length === L && r.mode === m)).toBe(true);
    expect(rows.find((r) => r.extractor === 'rnn')!.params).toBe(128 * (64 + 128) + 2 * 128);
    // A training step holds more than a forward pass (activations kept, gradients).
    for (const r of rows.filter((x) => x.mode === 'train'))
      expect(r.peakBytes).toBeGreaterThan(rows.find((x) => x.mode === 'infer' && x.extractor === r.extractor && x.length === r.length)!.peakBytes);
  });
});

describe('repetitions (--reps)', () => {
  const row = (mode: 'train' | 'infer', length: number, seqPerSec: number, peakBytes = 1000 * length): BenchRow => ({
    extractor: 'rnn',
    length,
    batch: 32,
    mode,
    seqPerSec,
    msPerStep: 32000 / seqPerSec,
    p50Ms: 1,
    p99Ms: 2,
    params: 10,
    gflops: 1,
    peakBytes,
    threads: 1,
  });
  const peer = (mode: 'train' | 'infer', length: number, seqPerSec: number): PeerRow => ({
    peer: 'torch',
    extractor: 'rnn',
    length,
    batch: 32,
    mode,
    seqPerSec,
    msPerStep: 32000 / seqPerSec,
    params: 10,
  });

  it('medians with min-max; the ratio pairs each repetition of ours with the peer run beside it', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4 });
    // Ours 100, 90, 200 against the peer's 100, 50, 400: ratios 1, 1.8, 0.5 (not 100/100 of the medians).
    const ours = [[row('train', 64, 100)], [row('train', 64, 90)], [row('train', 64, 200)]];
    const theirs = [[peer('train', 64, 100)], [peer('train', 64, 50)], [peer('train', 64, 400)]];
    const [s] = summarise(ours, theirs);
    expect(s.reps).toBe(3);
    expect(s.seqPerSec).toEqual({ median: 100, min: 90, max: 200 });
    expect(s.ratio).toEqual({ median: 1, min: 0.5, max: 1.8 });
    const lines = jsonLines(s);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ extractor: 'rnn', mode: 'train', seqPerSec: 100, seqPerSecRange: [90, 200], reps: 3, peakBytes: 64000 });
    expect(lines[1]).toMatchObject({ peer: 'torch', seqPerSec: 100, seqPerSecRange: [50, 400] });
    expect(lines[2]).toEqual({ ratio: 'ours/torch', extractor: 'rnn', length: 64, batch: 32, mode: 'train', median: 1, min: 0.5, max: 1.8, reps: 3 });
    expect(formatTable([s])).toMatch(/1\.00\s+0\.50-1\.80/);
  });

  it("with --threads, the peer's better row of its 1- and N-thread runs, per (length, mode)", () => {
    const at = (threads: number, p: PeerRow) => ({ ...p, threads });
    const one = [at(1, peer('train', 64, 100)), at(1, peer('infer', 64, 300))];
    const two = [at(2, peer('train', 64, 150)), at(2, peer('infer', 64, 250))];
    expect(bestOf(one, two).map((r) => [r.mode, r.seqPerSec, r.threads])).toEqual([
      ['train', 150, 2],
      ['infer', 300, 1],
    ]);
    const s = summarise([[{ ...row('train', 64, 120), threads: 2 }]], [bestOf(one, two)]);
    expect(s[0].ratio?.median).toBeCloseTo(0.8);
    expect(jsonLines(s[0])[1]).toMatchObject({ peer: 'torch', threads: [2] });
    expect(formatTable(s)).toContain('ours on 2 kernel threads; torch seq/s is the better of its runs at 1 and 2 threads');
  });

  it('the scaling slopes of time and of peak memory against length', () => {
    // Time constant in T (seq/s 100 at both lengths) and memory linear in T.
    const s = summarise([[row('train', 64, 100, 64e3), row('train', 256, 100, 256e3)]], [[]]);
    expect(s[0].ratio).toBeUndefined();
    expect(formatScaling(s)).toMatch(/rnn train: time 0\.00, peak memory 1\.00/);
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

  it('holds the peer to its thread count: --threads and the BLAS/OpenMP thread variables (torch.set_num_threads alone does not bind OpenBLAS)', async () => {
    // A stand-in for python3 that reports the variables it was started with as seq/s.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-peer-'));
    const fake = path.join(dir, 'python3');
    const line = (mode: string, variable: string) =>
      `printf '{"peer":"torch","extractor":"rnn","length":4,"batch":2,"mode":"${mode}","seqPerSec":%s,"msPerStep":1,"params":1}\\n' "$${variable}"`;
    writeFileSync(fake, ['#!/bin/sh', line('train', 'OPENBLAS_NUM_THREADS'), line('infer', 'OMP_NUM_THREADS'), ''].join('\n'), { mode: 0o755 });
    const script = path.join(dir, 'torch_bench.py');
    writeFileSync(script, '');
    const saved = process.env.FXBENCH_PEER_SCRIPT;
    process.env.FXBENCH_PEER_SCRIPT = script;
    try {
      for (const threads of [1, 2]) {
        const rows = await runTorchPeer({ extractors: ['rnn'], lengths: [4], batch: 2, python: fake, threads });
        expect(rows.map((r) => [r.mode, r.seqPerSec, r.threads])).toEqual([
          ['train', threads, threads],
          ['infer', threads, threads],
        ]);
      }
    } finally {
      if (saved === undefined) delete process.env.FXBENCH_PEER_SCRIPT;
      else process.env.FXBENCH_PEER_SCRIPT = saved;
    }
  });

  it("starts the peer from our initial extractor weights, under the peer's state_dict names, with our flush setting", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-peer-weights-'));
    await runBench({ extractors: ['rnn', 'tcn'], lengths: [4], batch: 2, minTimeMs: 1, weightsDir: dir });
    const rnn = JSON.parse(readFileSync(path.join(dir, 'T4', 'rnn.json'), 'utf8')) as Record<string, { shape: number[]; data: number[] }>;
    expect(Object.keys(rnn).sort()).toEqual(['rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0']);
    expect(rnn['rnn.weight_hh_l0'].shape).toEqual([128, 128]);
    expect(rnn['rnn.weight_hh_l0'].data).toHaveLength(128 * 128);
    const tcn = Object.keys(JSON.parse(readFileSync(path.join(dir, 'T4', 'tcn.json'), 'utf8')));
    expect(tcn).toContain('blocks.0.c1.weight');
    expect(tcn).toContain('blocks.0.down.weight');
    // A stand-in for python3 that prints its arguments as the extractor's name.
    const fake = path.join(dir, 'python3');
    writeFileSync(
      fake,
      '#!/bin/sh\nprintf \'{"peer":"torch","extractor":"%s","length":4,"batch":2,"mode":"train","seqPerSec":1,"msPerStep":1,"params":1}\\n\' "$*"\n',
      { mode: 0o755 },
    );
    const script = path.join(dir, 'torch_bench.py');
    writeFileSync(script, '');
    const saved = process.env.FXBENCH_PEER_SCRIPT;
    process.env.FXBENCH_PEER_SCRIPT = script;
    try {
      const [row] = await runTorchPeer({ extractors: ['rnn'], lengths: [4], batch: 2, python: fake, weightsDir: dir, flushDenormal: true });
      expect(row.extractor).toContain(`--flush-denormal --weights ${path.join(dir, 'T4')}`);
      await expect(runTorchPeer({ extractors: ['rnn'], lengths: [4, 8], batch: 2, python: fake, weightsDir: dir })).rejects.toThrow(/weights are per length/);
    } finally {
      if (saved === undefined) delete process.env.FXBENCH_PEER_SCRIPT;
      else process.env.FXBENCH_PEER_SCRIPT = saved;
    }
  });

  it('explains how to install torch when python3 is missing', async () => {
    await expect(runTorchPeer({ extractors: ['rnn'], lengths: [4], batch: 2, python: '/nonexistent/python3' })).rejects.toThrow(
      /apt-get install -y python3-torch libopenblas0-pthread/,
    );
  });
});
