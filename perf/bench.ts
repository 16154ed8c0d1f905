/**
 * Throughput benchmark of the extractors at the peer's standard shapes, and the PyTorch
 * peer that sets the figures beside a reference (../shared/peers/README.md).
 *
 * The model is exactly the peer's: token ids (vocabulary 32) -> embedding 64 (`tf.gather`)
 * -> extractor at its default options -> last position -> linear 128 -> 2 -> softmax
 * cross-entropy, trained with Adam (lr 1e-3). It is built from the harness's own pieces
 * (`buildModel`) with a tiny internal task of random tokens, so what is timed is what
 * `fxbench run` trains. A `train` step is forward + backward + Adam update; `infer` is a
 * forward pass to the logits (read back, so the work is done).
 *
 * Memory: one more step of each mode is run under `tf.profile`, and its peak is the peak of
 * tfjs's tensors (weights included) plus the peak of the kernels' own memory (the extractors'
 * WebAssembly arena, with the activations kept for the backward pass, and any host buffers
 * they saved): what the two WebAssembly heaps hold at most during a step.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Bench } from 'tinybench';
import { batchTensorList, buildModel, type BatchTensors, type Model } from '../harness/cell/model.js';
import { Adam, gradData } from '../harness/cell/optimizer.js';
import { packageRoot } from '../core/paths.js';
import { extractors } from '../harness/plugins/registries.js';
import { Rng } from '../core/rng.js';
import { kernels } from '../kernels/runtime/runtime.js';
import type { Batch, Task } from '../tasks/types.js';

export type BenchMode = 'train' | 'infer';

export interface BenchRow {
  extractor: string;
  length: number;
  batch: number;
  mode: BenchMode;
  /** Sequences per second: batch / mean step time. */
  seqPerSec: number;
  /** Mean wall time of one step (train) or one forward pass (infer). */
  msPerStep: number;
  p50Ms: number;
  p99Ms: number;
  /** Parameters of the extractor alone (as the peer's `params`). */
  params: number;
  /** Achieved GFLOP/s from the extractor's analytic `flops(B, T)` (x3 for train, see below). */
  gflops: number;
  /** Peak bytes during one step: tfjs tensors plus the kernels' memory (see the file comment). */
  peakBytes: number;
  /** Kernel threads (`--threads`). */
  threads: number;
  /** Whether the kernels flushed subnormals to zero (`--flush-subnormals`). */
  flushSubnormals: boolean;
}

export interface BenchOptions {
  extractors: string[];
  lengths: number[];
  batch: number;
  /** Time budget per (extractor, length, mode) in ms; at least MIN_ITERATIONS steps run regardless. */
  minTimeMs?: number;
  /**
   * Write each model's initial extractor weights, before any step, to
   * `<weightsDir>/T<length>/<extractor>.json` in the peer's `--weights` format, so that the
   * peer starts from the same numbers (`runTorchPeer`'s `weightsDir`).
   */
  weightsDir?: string;
}

/** `{name: {shape, data}}` in the state_dict layout: the peer's `--weights` file of one extractor. */
export function peerWeights(
  variables: Record<string, tf.Variable>,
  stateName: (name: string) => string = (n) => n,
): Record<string, { shape: number[]; data: number[] }> {
  return Object.fromEntries(Object.entries(variables).map(([name, v]) => [stateName(name), { shape: v.shape, data: Array.from(v.dataSync()) }]));
}

/** The folder of one length's weight files under a bench's `weightsDir`. */
export const weightsFolder = (weightsDir: string, length: number) => path.join(weightsDir, `T${length}`);

/** The peer's shapes (../shared/peers/torch_bench.py). */
export const BENCH_SHAPES = { vocab: 32, embed: 64, classes: 2, lr: 1e-3 } as const;
const MIN_ITERATIONS = 3;

/** Random tokens with random binary labels: the benchmark needs shapes, not a learnable task. */
function randomTokensTask(): Task {
  const { vocab, classes } = BENCH_SHAPES;
  return {
    input: { kind: 'tokens', vocab, tokens: Array.from({ length: vocab }, (_, i) => `t${i}`) },
    output: { kind: 'classes', classes, labels: ['0', '1'], per: 'sequence' },
    chance: () => ({ value: 1 / classes, metric: 'accuracy', why: '1/k for k uniform classes' }),
    minLength: 1,
    sample(rng: Rng, batchSize: number, length: number): Batch {
      const inputs = new Int32Array(batchSize * length);
      for (let i = 0; i < inputs.length; i++) inputs[i] = rng.int(vocab);
      const targets = new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) targets[i] = rng.int(classes);
      return { batchSize, length, inputs, targets, meta: Array.from({ length: batchSize }, () => ({})) };
    },
    decode: () => ({ input: '', target: '' }),
  };
}

/** One Adam step on one batch (the runner's optimiser; no clipping, as the peer); returns nothing so that nothing is kept alive. */
function trainStep(model: Model, optimizer: Adam, t: BatchTensors, vars: tf.Variable[]): void {
  const { value, grads } = tf.variableGrads(() => model.loss(model.predict(model.extract(model.embed(t), t, true), t), t), vars);
  // Read the loss outside any tidy (cheap on WASM there) so the step's work is complete.
  value.dataSync();
  optimizer.step(gradData(vars, grads));
  tf.dispose([value, ...Object.values(grads)]);
}

function inferStep(model: Model, t: BatchTensors): void {
  const logits = tf.tidy(() => model.predict(model.extract(model.embed(t), t, false), t));
  logits.dataSync();
  logits.dispose();
}

/**
 * Times a training step and an inference pass for every (extractor, length). Call after
 * `initBackend` (the backend is whatever tfjs has set).
 */
export async function runBench(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const task = randomTokensTask();
  for (const name of opts.extractors) {
    const def = extractors.get(name);
    for (const length of opts.lengths) {
      const rng = new Rng(`bench/${name}/${length}`);
      const model = buildModel(task, def, def.options.parse({}), { embedDim: BENCH_SHAPES.embed, readout: 'last' }, rng.fork('init'), undefined, length);
      // PyTorch's Adam defaults (eps 1e-8), as the peer uses.
      const vars = Object.values(model.variables);
      const optimizer = new Adam(vars, { lr: BENCH_SHAPES.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
      const t = model.toTensors(task.sample(rng.fork('data'), opts.batch, length));
      if (opts.weightsDir) {
        mkdirSync(weightsFolder(opts.weightsDir, length), { recursive: true });
        writeFileSync(
          path.join(weightsFolder(opts.weightsDir, length), `${name}.json`),
          JSON.stringify(peerWeights(model.extractor.variables, def.torchPeer?.stateName)),
        );
      }
      try {
        const flops = model.extractor.flops(opts.batch, length);
        const modes: [BenchMode, () => void, number][] = [
          // A training step costs ~3x the forward FLOPs: the forward pass, and a backward
          // pass that computes two products per forward product (input and weight gradients).
          ['train', () => trainStep(model, optimizer, t, vars), 3 * flops],
          ['infer', () => inferStep(model, t), flops],
        ];
        for (const [mode, fn, stepFlops] of modes) {
          const stats = await timeIt(`${name}/${length}/${mode}`, fn, opts.minTimeMs ?? 1000);
          const peakBytes = await peakStepBytes(fn);
          rows.push({
            extractor: name,
            length,
            batch: opts.batch,
            mode,
            seqPerSec: (opts.batch * 1000) / stats.mean,
            msPerStep: stats.mean,
            p50Ms: stats.p50,
            p99Ms: stats.p99,
            params: model.extractorParams,
            gflops: stepFlops / stats.mean / 1e6,
            peakBytes,
            threads: kernels().threadCount,
            flushSubnormals: kernels().flushes,
          });
        }
      } finally {
        tf.dispose(batchTensorList(t));
        model.dispose();
      }
    }
  }
  return rows;
}

/** Peak bytes of one run of `fn`: tfjs tensors (tf.profile) plus the kernels' arena and saved host buffers. */
async function peakStepBytes(fn: () => void): Promise<number> {
  const K = kernels();
  K.resetPeak();
  const info = await tf.profile(fn);
  return info.peakBytes + K.peakBytes();
}

/** Latency statistics (ms) of `fn` by tinybench: a short warm-up, then at least MIN_ITERATIONS runs and `minTimeMs`. */
async function timeIt(name: string, fn: () => void, minTimeMs: number): Promise<{ mean: number; p50: number; p99: number }> {
  const bench = new Bench({ time: minTimeMs, iterations: MIN_ITERATIONS, warmupIterations: 1, warmupTime: 0, throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0].result;
  if (result.state !== 'completed') throw new Error(`bench ${name}: ${result.state}`);
  return { mean: result.latency.mean, p50: result.latency.p50, p99: result.latency.p99 };
}

/** A row of the PyTorch peer: the same fields as ours, less the percentiles and GFLOP/s it does not print; `threads` is the thread count it ran with. */
export type PeerRow = Omit<BenchRow, 'p50Ms' | 'p99Ms' | 'gflops' | 'peakBytes' | 'threads' | 'flushSubnormals'> & {
  peer: string;
  threads?: number;
  /** `torch.set_flush_denormal` as the peer ran (`--flush-denormal`). */
  flushDenormal?: boolean;
  /** `given`: it started from our initial extractor weights (`--weights`); `random`: from its own initialisation. */
  weights?: 'given' | 'random';
};

/** The peer script, shipped beside the package (../shared/peers from the package root), or FXBENCH_PEER_SCRIPT (e.g. for a second checkout). */
export function peerScript(): string {
  return process.env.FXBENCH_PEER_SCRIPT || path.resolve(packageRoot(), '..', 'shared', 'peers', 'torch_bench.py');
}

const TORCH_HELP =
  "the PyTorch peer needs Debian's python3 with torch and a threaded OpenBLAS: " +
  '`apt-get update && apt-get install -y python3-torch libopenblas0-pthread` (see ../shared/peers/README.md)';

/**
 * Runs the PyTorch peer (`/usr/bin/python3 torch_bench.py --threads N`, default 1) at the
 * same shapes and parses its JSON lines. Rejects with an explanation of how to install torch
 * when python3 or torch is missing.
 */
export async function runTorchPeer(opts: BenchOptions & { python?: string; threads?: number; flushDenormal?: boolean }): Promise<PeerRow[]> {
  const threads = opts.threads ?? 1;
  const python = opts.python ?? '/usr/bin/python3';
  if (python.includes('/') && !existsSync(python)) throw new Error(`${python} not found: ${TORCH_HELP}`);
  const script = peerScript();
  if (!existsSync(script)) throw new Error(`PyTorch peer not found at ${script}: it ships in ../shared/peers beside the fxbench checkout`);
  const args = [
    script,
    '--extractors',
    opts.extractors.join(','),
    '--lengths',
    opts.lengths.join(','),
    '--batch',
    String(opts.batch),
    '--threads',
    String(threads),
  ];
  if (opts.minTimeMs !== undefined) args.push('--min-time', String(opts.minTimeMs / 1000));
  if (opts.flushDenormal) args.push('--flush-denormal');
  if (opts.weightsDir) {
    if (opts.lengths.length !== 1) throw new Error('runTorchPeer: weights are per length; run the peer once per length');
    args.push('--weights', weightsFolder(opts.weightsDir, opts.lengths[0]));
  }
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(python, args, { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...peerThreadEnv(threads) } }, (err, out, errOut) => {
      if (!err) return resolve(out);
      const missing =
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${python} not found`
          : /No module named .?torch/.test(errOut)
            ? 'torch is not installed'
            : undefined;
      reject(
        new Error(
          missing ? `${missing}: ${TORCH_HELP}` : `PyTorch peer failed (${err.message.split('\n')[0]}): ${errOut.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      );
    });
  });
  return parsePeerOutput(stdout).map((r) => ({ ...r, threads }));
}

/**
 * The environment that holds the peer to `threads` threads. `torch.set_num_threads` alone
 * does not: Debian's PyTorch calls the pthreads OpenBLAS, which starts a thread per core
 * for every product (measured: an 8192 x 128 x 384 matMul at --threads 1 used 1.98 cores,
 * 124 GFLOP/s, against 1.00 core and 65 GFLOP/s with OPENBLAS_NUM_THREADS=1).
 */
export function peerThreadEnv(threads: number): Record<string, string> {
  const n = String(threads);
  return { OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/** One JSON object per line; other lines (warnings) are skipped. */
export function parsePeerOutput(stdout: string): PeerRow[] {
  const rows: PeerRow[] = [];
  for (const line of stdout.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    const r = JSON.parse(s) as PeerRow;
    if (typeof r.extractor !== 'string' || typeof r.seqPerSec !== 'number' || (r.mode !== 'train' && r.mode !== 'infer')) {
      throw new Error(`PyTorch peer printed an unexpected line: ${s}`);
    }
    rows.push(r);
  }
  return rows;
}

/**
 * Isolated timing of training steps for the audit's speed claims: the extractor at the
 * given options, at the bench's shapes (embedding 64, random tokens, batch `batch`), timed
 * by tinybench over exactly `iterations` steps after one warm-up step. Call after
 * `initBackend`, with nothing else running in the process.
 */
export async function timeTrainSteps(
  name: string,
  options: Record<string, unknown>,
  length: number,
  batch: number,
  iterations: number,
): Promise<{ meanMs: number; p50Ms: number; params: number }> {
  const task = randomTokensTask();
  const def = extractors.get(name);
  const rng = new Rng(`speed/${name}/${length}`);
  const model = buildModel(task, def, def.options.parse(options), { embedDim: BENCH_SHAPES.embed, readout: 'last' }, rng.fork('init'), undefined, length);
  const vars = Object.values(model.variables);
  const optimizer = new Adam(vars, { lr: BENCH_SHAPES.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const t = model.toTensors(task.sample(rng.fork('data'), batch, length));
  try {
    const bench = new Bench({ time: 0, iterations, warmupIterations: 1, warmupTime: 0, throws: true });
    bench.add(`${name}/${length}`, () => trainStep(model, optimizer, t, vars));
    await bench.run();
    const result = bench.tasks[0].result;
    if (result.state !== 'completed') throw new Error(`timing ${name}/${length}: ${result.state}`);
    return { meanMs: result.latency.mean, p50Ms: result.latency.p50, params: model.extractorParams };
  } finally {
    tf.dispose([t.inputs, t.targets]);
    model.dispose();
  }
}
