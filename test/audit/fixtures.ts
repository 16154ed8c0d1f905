/**
 * Synthetic records for the audit's decision rules: every record goes through
 * `resultSchema`, so they follow the results contract. A test states what matters to its
 * rule (accuracy, steps to solve, sensitivity profile, gradient norms, meta bins) and the
 * rest is filled in.
 */
import { PROFILES } from '../../audit/experiments/index.js';
import { decide } from '../../audit/run.js';
import type { SpeedRow } from '../../audit/speed.js';
import type { Claim, Profile } from '../../audit/types.js';
import { resultSchema, SCHEMA_VERSION, type ResultRecord } from '../../harness/store/results.js';

/** Five seeds, no extra seeds, lengths 8 and 32, confirmatory seeds from 1000. */
export const P: Profile = { ...PROFILES.quick, seeds: [1000, 1001, 1002, 1003, 1004], extraSeeds: [], lengths: [8, 32], long: 32, steps: 100 };
export const SEEDS = P.seeds;

const env = { fxbench: '0', node: 'v20', tfjs: '4.22.0', backend: 'wasm', cpu: 'x', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' };
const train = (steps: number) => ({
  steps,
  batch: 32,
  lr: 0.003,
  warmup: 0,
  schedule: 'constant' as const,
  clip: 1,
  embedDim: 64,
  readout: 'last' as const,
  valEvery: Math.min(100, steps),
  valSamples: 512,
  evalSamples: 2048,
  generalize: [1],
  backend: 'wasm' as const,
  optimizer: { name: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
});
const data = { train: { stream: 'train' }, validation: { stream: 'validation' }, test: { stream: 'test' } };
/** The score of an accuracy against a chance: 0 at chance, 1 perfect. */
const scoreOf = (accuracy: number, chance: number) => (accuracy - chance) / (1 - chance);
const SOLVED_SCORE = 0.95;

export interface Fake {
  exp: string;
  task?: string;
  taskName?: string;
  extractor: string;
  length: number;
  seed?: number;
  /** Held-out accuracy (default: chance). */
  accuracy?: number;
  chance?: number;
  /** Steps until the loss closed 90% of its drop. */
  stepsToThreshold?: number | null;
  /** Validation steps-to-solve (null: censored); default: `stepsToThreshold` when the test score solved, else null. */
  stepsToSolve?: number | null;
  budget?: number;
  profileInit?: number[];
  profileTrained?: number[];
  /** Per-group gradient norms at the first logged step. */
  norms?: Record<string, number>;
  /** Length generalisation rows: factor -> accuracy, or 'na' (not applicable). */
  factors?: Record<number, number | 'na'>;
  byDistance?: { value: number; n: number; score: number }[];
  peak?: number;
  startedAt?: string;
  /** Accuracy bins by test file (the genre task's meta). */
  byFile?: { value: number; n: number; score: number }[];
  /** The training loss at every step (default two steps). */
  loss?: number[];
}

export function record(f: Fake): ResultRecord {
  const chance = f.chance ?? 0.25;
  const accuracy = f.accuracy ?? chance;
  const seed = f.seed ?? SEEDS[0];
  const task = f.task ?? 'recall';
  const profile = f.profileInit ?? Array.from({ length: f.length }, () => 1);
  const score = scoreOf(accuracy, chance);
  const stepsToSolve =
    f.stepsToSolve !== undefined ? f.stepsToSolve : score >= SOLVED_SCORE ? (f.stepsToThreshold ?? Math.round((f.budget ?? P.steps) / 2)) : null;
  return resultSchema.parse({
    schemaVersion: SCHEMA_VERSION,
    cellId: `${task}/${f.extractor}/T${f.length}/s${seed}`,
    suite: `audit-${f.exp}`,
    task: { name: f.taskName ?? task.split('-')[0], label: task, options: { symbols: 4 } },
    extractor: { name: f.extractor.split('-')[0], label: f.extractor, options: {}, params: 1000 },
    length: f.length,
    seed,
    train: train(f.budget ?? P.steps),
    data,
    env,
    startedAt: f.startedAt ?? '2099-01-01T00:00:00.000Z',
    wallMs: 1,
    status: 'completed',
    metrics: {
      metric: 'accuracy',
      value: accuracy,
      split: 'test',
      samples: 2048,
      chance,
      empiricalChance: chance,
      score,
      higherIsBetter: true,
      evalLoss: 1,
      accuracy,
      msPerStep: 10,
      finalLoss: 1,
    },
    validation: { samples: 512, solvedScore: SOLVED_SCORE, empiricalChance: chance, curve: [], stepsToSolve },
    curves: { loss: f.loss ?? [1.4, 1.3], gradNorm: (f.loss ?? [1.4, 1.3]).map(() => 1) },
    byMeta: { ...(f.byDistance ? { distance: f.byDistance } : {}), ...(f.byFile ? { file: f.byFile } : {}) },
    gradients: {
      groups: [{ step: 1, norms: f.norms ?? { head: 1 } }],
      profileInit: profile,
      profileTrained: f.profileTrained ?? profile,
      slopeInit: 0,
      slopeTrained: 0,
      exploding: false,
      vanishing: false,
    },
    lengths: Object.entries(f.factors ?? { 1: accuracy }).map(([factor, v]) =>
      v === 'na'
        ? { length: Math.round(f.length * Number(factor)), factor: Number(factor), status: 'not-applicable', reason: 'beyond the table' }
        : {
            length: Math.round(f.length * Number(factor)),
            factor: Number(factor),
            status: 'completed',
            value: v,
            chance,
            empiricalChance: chance,
            score: scoreOf(v, chance),
          },
    ),
    cost: { forwardFlops: 1, trainFlopsPerStep: 3, gflops: 1, peakTensorBytes: f.peak ?? 1e6, rssBytes: 1e8 },
    stepsToThreshold: f.stepsToThreshold ?? null,
  });
}

/** One record per seed: `values[i]` feeds seed i. */
export function perSeed(values: readonly number[], f: (v: number, seed: number, i: number) => Fake): ResultRecord[] {
  return values.map((v, i) => record({ seed: SEEDS[i], ...f(v, SEEDS[i], i) }));
}

/** A solved (accuracy 1) or unsolved (chance) recall record. */
export const solved = (yes: boolean) => (yes ? 1 : 0.25);

/** A sensitivity profile 10^(slope · distance) over T positions (index T-1 is the readout). */
export const profileOf = (T: number, slope: number) => Array.from({ length: T }, (_, t) => 10 ** (slope * (T - 1 - t)));

/** The decision of one claim on these records. */
export function decision(claim: Claim, records: ResultRecord[], opts: { profile?: Profile; speed?: SpeedRow[] } = {}) {
  return decide([claim], opts.profile ?? P, records, opts.speed ?? []).claims[0];
}

/** A small deterministic jitter per seed, so samples have spread. */
export const jitter = (i: number, size = 0.01) => (size * (((i * 7919) % 5) - 2)) / 2;
