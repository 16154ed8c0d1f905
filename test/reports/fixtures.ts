/**
 * Synthetic results records for report tests: every record goes through `resultSchema`, so
 * the fixtures follow the results contract. `richResults()` exercises every chart builder:
 * three tasks (accuracy and MSE metrics, distance and attractor meta), built-in extractors
 * plus transformer variants (an ablation), lengths 8/16/32, three seeds, an exploding, a
 * diverged and an errored run, and not-applicable length evaluations.
 */
import { resultSchema, SCHEMA_VERSION, type CompletedRecord, type ResultRecord } from '../../harness/store/results.js';
import { scoreOf, type MetricName } from '../../tasks/types.js';

export const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';

export const env = { fxbench: '0.1.0', node: 'v20', tfjs: '4.22.0', backend: 'wasm', cpu: 'test cpu', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' };
export const train = {
  steps: 60,
  batch: 16,
  lr: 0.003,
  clip: 1,
  embedDim: 64,
  warmup: 0,
  schedule: 'constant' as const,
  readout: 'last' as const,
  valEvery: 20,
  valSamples: 512,
  evalSamples: 2048,
  generalize: [1, 2, 4],
  backend: 'wasm' as const,
  optimizer: { name: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
};

/** A seeded uniform generator (mulberry32): fixtures are identical on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Spec {
  task?: { name: string; label: string; options?: Record<string, unknown> };
  extractor?: { name: string; label: string; options?: Record<string, unknown>; params?: number };
  length?: number;
  seed?: number;
}

function common(s: Spec) {
  const task = { options: {}, ...(s.task ?? { name: 'recall', label: 'recall' }) };
  const extractor = { options: {}, params: 1000, ...(s.extractor ?? { name: 'rnn', label: 'rnn' }) };
  const length = s.length ?? 8;
  const seed = s.seed ?? 1;
  return {
    schemaVersion: SCHEMA_VERSION,
    cellId: `${task.label}/${extractor.label}/T${length}/s${seed}`,
    suite: 'test',
    task,
    extractor,
    length,
    seed,
    train,
    data: { train: { stream: 'train' }, validation: { stream: 'validation' }, test: { stream: 'test' } },
    env,
    startedAt: '2026-01-01T00:00:00.000Z',
    wallMs: 1234,
  };
}

/** A completed record with plausible defaults; `over` replaces top-level fields. */
export function completedRecord(s: Spec = {}, over: Record<string, unknown> = {}): CompletedRecord {
  const c = common(s);
  const T = c.length;
  const profile = Array.from({ length: T }, (_, t) => 10 ** (-0.1 * (T - 1 - t)));
  const metrics = {
    metric: 'accuracy',
    value: 0.8,
    chance: 0.125,
    higherIsBetter: true,
    evalLoss: 0.7,
    accuracy: 0.8,
    msPerStep: 10,
    finalLoss: 0.6,
    ...((over.metrics as Record<string, unknown> | undefined) ?? {}),
  };
  // Fields a test does not set: measured on 2048 test samples whose empirical chance equals the population chance.
  const filled = { split: 'test', samples: 2048, empiricalChance: metrics.chance, ...metrics } as typeof metrics & { empiricalChance: number };
  const withScore = { score: scoreOf(filled.metric as MetricName, filled.value as number, filled.empiricalChance), ...filled };
  return resultSchema.parse({
    ...c,
    status: 'completed',
    validation: {
      samples: 512,
      solvedScore: 0.95,
      empiricalChance: metrics.chance,
      curve: [{ step: 20, value: metrics.value, score: withScore.score }],
      stepsToSolve: null,
    },
    curves: { loss: [2, 1.5, 1, 0.8], gradNorm: [1, 0.8, 0.6, 0.5] },
    byMeta: {},
    gradients: {
      groups: [1, 2, 3, 4].map((step) => ({ step, norms: { embedding: 0.1 / step, 'layer.0': 0.5 / step, head: 1 / step } })),
      profileInit: profile,
      profileTrained: profile.map((v) => v * 2),
      slopeInit: -0.1,
      slopeTrained: -0.1,
      exploding: false,
      vanishing: false,
    },
    lengths: [1, 2, 4].map((factor) => ({ length: T * factor, factor, status: 'completed', value: 0.8 / factor, chance: 0.125 })),
    cost: { forwardFlops: 1e6 * T, trainFlopsPerStep: 3e6 * T, gflops: 0.3 * T ** 0.3, peakTensorBytes: 2e5 * T, rssBytes: 3e8 },
    stepsToThreshold: 3,
    ...over,
    metrics: withScore,
  }) as CompletedRecord;
}

export function divergedRecord(s: Spec = {}, over: Record<string, unknown> = {}): ResultRecord {
  return resultSchema.parse({
    ...common(s),
    status: 'diverged',
    divergedAtStep: 3,
    message: 'loss is NaN',
    curves: { loss: [2, 3, 9], gradNorm: [1, 50, 4000] },
    ...over,
  });
}

export function erroredRecord(s: Spec = {}, over: Record<string, unknown> = {}): ResultRecord {
  return resultSchema.parse({ ...common(s), status: 'errored', message: 'out of memory', ...over });
}

const TASKS = [
  { name: 'recall', label: 'recall', options: { symbols: 8 }, metric: 'accuracy' as const, chance: 1 / 8, meta: [] as string[] },
  { name: 'adding', label: 'adding', options: { variant: 'anywhere' }, metric: 'mse' as const, chance: 1 / 6, meta: ['distance'] },
  { name: 'agreement', label: 'agreement', options: {}, metric: 'accuracy' as const, chance: 0.5, meta: ['distance', 'attractors'] },
];

const EXTRACTORS = [
  { name: 'rnn', label: 'rnn', options: { hidden: 128, layers: 1 }, params: 24832, skill: 0.55, speed: 1.0, groups: ['layer.0'] },
  { name: 'lstm', label: 'lstm', options: { hidden: 128, layers: 1 }, params: 99328, skill: 0.85, speed: 1.0, groups: ['layer.0'] },
  { name: 'gru', label: 'gru', options: { hidden: 128, layers: 1 }, params: 74496, skill: 0.8, speed: 1.0, groups: ['layer.0'] },
  {
    name: 'transformer',
    label: 'transformer',
    options: { heads: 4, positional: 'sinusoidal' },
    params: 404480,
    skill: 0.9,
    speed: 0.4,
    groups: ['proj', 'layers.0', 'layers.1'],
  },
  {
    name: 'transformer',
    label: 'tf-1head',
    options: { heads: 1, positional: 'sinusoidal' },
    params: 404480,
    skill: 0.8,
    speed: 0.45,
    groups: ['proj', 'layers.0', 'layers.1'],
  },
  {
    name: 'transformer',
    label: 'tf-learned',
    options: { heads: 4, positional: 'learned', maxLen: 64 },
    params: 412672,
    skill: 0.88,
    speed: 0.4,
    groups: ['proj', 'pos_embedding', 'layers.0', 'layers.1'],
  },
  {
    name: 'tcn',
    label: 'tcn',
    options: { channels: 128, kernel: 3, levels: 4 },
    params: 396288,
    skill: 0.75,
    speed: 0.2,
    groups: ['blocks.0', 'blocks.1', 'blocks.2', 'blocks.3'],
  },
];

const LENGTHS = [8, 16, 32];
const SEEDS = [1, 2, 3];
const STEPS = train.steps;

export interface RichOptions {
  tasks?: string[];
  extractors?: string[];
  lengths?: number[];
  seeds?: number[];
  /** Leave out the length-range records. */
  noRanges?: boolean;
}

/**
 * A results set that triggers every chart builder (about 190 records with the defaults).
 * Subsets keep every builder busy as long as they include recall and agreement, rnn, lstm,
 * two transformer labels, tcn, length 32 and seed 2 (the exploding, diverged and errored
 * runs are rnn/recall/T32/s2, lstm/agreement/T32/s2 and tcn/recall/T8/s2).
 */
export function richResults(opts: RichOptions = {}): ResultRecord[] {
  const out: ResultRecord[] = [];
  const tasks = TASKS.filter((t) => !opts.tasks || opts.tasks.includes(t.label));
  const extractors = EXTRACTORS.filter((e) => !opts.extractors || opts.extractors.includes(e.label));
  for (const task of tasks) {
    for (const ex of extractors) {
      for (const T of opts.lengths ?? LENGTHS) {
        for (const seed of opts.seeds ?? SEEDS) {
          const rand = rng(seed * 1000 + T * 10 + EXTRACTORS.indexOf(ex) + 100 * TASKS.indexOf(task));
          const spec: Spec = { task, extractor: ex, length: T, seed };
          // Errored: one tcn cell; diverged: one lstm cell.
          if (ex.label === 'tcn' && T === 8 && seed === 2 && task.name === 'recall') {
            out.push(erroredRecord(spec, { message: 'WebAssembly.Memory(): could not allocate memory' }));
            continue;
          }
          const decay = Math.exp((-T / 32) * (1 - ex.skill) * 3); // how much of the skill survives at this length
          const noise = (rand() - 0.5) * 0.08;
          const acc = task.chance + (1 - task.chance) * ex.skill * decay + noise;
          const value = task.metric === 'mse' ? Math.max(0.01, (1 / 6) * (1 - ex.skill * decay) + noise / 10) : Math.min(1, Math.max(0, acc));
          const loss = Array.from({ length: STEPS }, (_, i) => 2.1 * Math.exp(-i / (10 + 30 * (1 - ex.skill))) + 0.3 + rand() * 0.05);
          const gradNorm = Array.from({ length: STEPS }, (_, i) => (ex.name === 'rnn' ? 0.5 * 0.97 ** i : 1.2 * Math.exp(-i / 40)) * (1 + rand() * 0.3));
          const exploding = ex.label === 'rnn' && T === 32 && seed === 2 && task.name === 'recall';
          if (exploding) gradNorm[39] = 5e4;
          if (ex.label === 'lstm' && T === 32 && seed === 2 && task.name === 'agreement') {
            out.push(
              divergedRecord(spec, {
                divergedAtStep: 45,
                message: 'non-finite gradient at step 45',
                curves: { loss: loss.slice(0, 44), gradNorm: gradNorm.slice(0, 44) },
              }),
            );
            continue;
          }
          const perPos = ex.name === 'rnn' ? -0.25 : ex.name === 'lstm' || ex.name === 'gru' ? -0.06 : ex.name === 'tcn' ? -0.02 : -0.005;
          const profile = (scale: number, slope: number) =>
            Array.from({ length: T }, (_, t) => (ex.name === 'tcn' && T - 1 - t > 30 ? 0 : scale * 10 ** (slope * (T - 1 - t)) * (1 + rand() * 0.2)));
          const every = 3;
          const groups = Array.from({ length: STEPS / every }, (_, k) => {
            const step = k * every + 1;
            const norms: Record<string, number> = { embedding: 0.02 * gradNorm[step - 1] };
            ex.groups.forEach((g, i) => (norms[g] = gradNorm[step - 1] * 0.3 * 2 ** (i - ex.groups.length)));
            norms.head = 0.6 * gradNorm[step - 1];
            return { step, norms };
          });
          const lengths = [1, 2, 4].map((factor) => {
            const L = T * factor;
            if (ex.label === 'tf-learned' && L > 64)
              return { length: L, factor, status: 'not-applicable', reason: `learned positions stop at maxLen 64; ${L} is longer` };
            const v = task.metric === 'mse' ? Math.min(0.3, value * factor ** 0.5) : task.chance + (value - task.chance) / factor ** (1 - ex.skill + 0.2);
            return { length: L, factor, status: 'completed', value: v, chance: task.chance };
          });
          const byMeta: Record<string, { value: number; n: number; score: number }[]> = {};
          for (const key of task.meta) {
            const values = key === 'distance' ? Array.from({ length: Math.max(2, T / 4) }, (_, i) => i * 4 + 1).filter((d) => d < T) : [0, 1, 2, 3];
            byMeta[key] = values.map((d) => ({
              value: d,
              n: 4 + Math.floor(rand() * 20),
              score:
                task.metric === 'mse'
                  ? value * (1 + d / T)
                  : Math.max(0, Math.min(1, value - (key === 'distance' ? d / T : d / 8) * (1 - ex.skill) + (rand() - 0.5) * 0.05)),
            }));
          }
          // Recall was tuned: the learning-rate grid by successive halving on validation.
          const tuning =
            task.name === 'recall'
              ? (() => {
                  const best = ex.name === 'transformer' ? 3e-4 : 3e-3;
                  const trial = (lr: number, steps: number) => {
                    const score = Math.max(-0.05, ex.skill * Math.exp(-(Math.log10(lr / best) ** 2)) * (steps / STEPS) - T / 200);
                    const solved = score > 0.95 ? 1 : 0;
                    return { config: { lr }, completed: 1, failed: 0, solved, stepsToSolve: solved ? Math.round(steps * 0.6) : null, score };
                  };
                  const lrs = [3e-4, 1e-3, 3e-3, 1e-2];
                  const rank = (ts: ReturnType<typeof trial>[]) => [...ts].sort((a, b) => b.score - a.score);
                  const r0 = rank(lrs.map((lr) => trial(lr, STEPS / 2)));
                  const r1 = rank(r0.slice(0, 2).map((t) => trial(t.config.lr, STEPS)));
                  return {
                    key: `k-${ex.label}-${T}`,
                    grid: { lr: lrs },
                    budget: { steps: STEPS, seeds: [1], halving: 2 },
                    rungs: [
                      { steps: STEPS / 2, trials: r0, kept: 2 },
                      { steps: STEPS, trials: r1, kept: 0 },
                    ],
                    chosen: r1[0].config,
                  };
                })()
              : undefined;
          const ms = (2 + 0.02 * T * T * (ex.name === 'transformer' ? 1 : 0) + 0.5 * T) / ex.speed;
          const flops = 3e6 * T * (ex.name === 'transformer' ? 4 : 1);
          out.push(
            completedRecord(spec, {
              ...(tuning ? { tuning, train: { ...train, lr: tuning.chosen.lr } } : {}),
              metrics: {
                metric: task.metric,
                value,
                chance: task.chance,
                higherIsBetter: task.metric !== 'mse',
                evalLoss: loss[STEPS - 1],
                accuracy: task.metric === 'accuracy' ? value : undefined,
                msPerStep: ms * (1 + rand() * 0.1),
                finalLoss: loss[STEPS - 1],
              },
              curves: { loss, gradNorm },
              byMeta,
              gradients: {
                groups,
                profileInit: profile(0.01, perPos),
                profileTrained: profile(0.2, perPos * 0.7),
                slopeInit: perPos,
                slopeTrained: perPos * 0.7,
                exploding,
                ...(exploding ? { explodingStep: 40 } : {}),
                vanishing: ex.name === 'rnn' && T === 32,
              },
              lengths,
              cost: {
                forwardFlops: flops,
                trainFlopsPerStep: 3 * flops,
                gflops: (3 * flops) / ms / 1e6,
                peakTensorBytes: 1e5 * T * (ex.name === 'transformer' ? T / 4 : 1),
                rssBytes: 3e8,
              },
              stepsToThreshold: ex.skill < 0.6 && T === 32 ? null : Math.round(10 + 30 * (1 - ex.skill) + T / 4),
            }),
          );
        }
      }
    }
  }
  // Length generalisation over a range: trained on 2-16, tested on a grid over 18-64; the score is the mean over the grid.
  if (!opts.noRanges)
    for (const task of tasks.filter((t) => t.metric === 'accuracy').slice(0, 1))
      for (const ex of extractors.slice(0, 3))
        for (const seed of opts.seeds ?? SEEDS) {
          const rand = rng(seed * 7919 + EXTRACTORS.indexOf(ex));
          const grid = [18, 24, 30, 36, 42, 48, 54, 64];
          const lengths = grid.map((L) => {
            const v = Math.min(1, Math.max(0, task.chance + (1 - task.chance) * ex.skill * Math.exp(-(L - 16) / (40 * ex.skill)) + (rand() - 0.5) * 0.05));
            return { length: L, factor: L / 16, status: 'completed', value: v, chance: task.chance };
          });
          const value = lengths.reduce((a, l) => a + l.value, 0) / lengths.length;
          const r = completedRecord(
            { task, extractor: ex, length: 16, seed },
            { range: { train: [2, 16], test: [18, 64], testLengths: 8 }, lengths, metrics: { metric: 'accuracy', value, chance: task.chance } },
          );
          out.push({ ...r, cellId: `${task.label}/${ex.label}/T2-16:18-64/s${seed}` });
        }
  return out;
}

/**
 * A width sweep on recall (Zoology's experiment in miniature): LSTMs at three widths and
 * Transformers at two (ffDim = 4·dModel, scaled with the width), at T = 16 and 64, two seeds,
 * each record with its state size. Wider does better; the KV cache grows with T.
 */
export function widthSweep(): CompletedRecord[] {
  const out: CompletedRecord[] = [];
  const sweep = [
    ...[16, 32, 64].map((h) => ({
      name: 'lstm',
      label: `lstm-h${h}`,
      options: { hidden: h, layers: 1 },
      widthOption: 'hidden',
      state: () => 4 * 2 * h,
      skill: h / 80,
    })),
    ...[16, 32].map((d) => ({
      name: 'transformer',
      label: `tf-d${d}`,
      options: { dModel: d, ffDim: 4 * d, heads: 2 },
      widthOption: 'dModel',
      state: (T: number) => 4 * 2 * 2 * T * d,
      skill: 0.5 + d / 80,
    })),
  ];
  for (const e of sweep) {
    for (const T of [16, 64]) {
      for (const seed of [1, 2]) {
        const value = Math.min(1, 0.125 + 0.875 * e.skill * (T === 16 ? 1 : 0.7) + (seed - 1.5) * 0.04);
        out.push(
          completedRecord(
            { extractor: { name: e.name, label: e.label, options: e.options }, length: T, seed },
            {
              extractor: { name: e.name, label: e.label, options: e.options, params: 1000, stateBytes: e.state(T), widthOption: e.widthOption },
              metrics: { metric: 'accuracy', value, chance: 0.125, higherIsBetter: true, evalLoss: 1, accuracy: value, msPerStep: 5, finalLoss: 1 },
            },
          ),
        );
      }
    }
  }
  return out;
}
