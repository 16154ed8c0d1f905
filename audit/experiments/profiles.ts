/**
 * The audit's profiles. quick is what `npm start` runs (indicative: few seeds and small
 * budgets; about 2 minutes on 2 cores); standard is the confirmatory size, under an hour on
 * 2 cores (its sizes were chosen with a cost model fitted to a quick run's step times, before
 * any confirmatory seed ran: at most 55 minutes of training if no cell stopped early); full
 * is for a cluster (`fxbench submit slurm --audit full`). Confirmatory profiles use seeds from
 * 1000 up, disjoint from the seeds 1..999 used while developing the rules.
 */
import { UsageError } from '../../core/errors.js';
import { CONFIRMATORY_SEED_MIN, type Profile, type ProfileName } from '../types.js';

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

export const PROFILES: Record<ProfileName, Profile> = {
  // What `npm start` runs: every claim at small sizes, 2 seeds (4 for the cheapest cells).
  // Verdicts are indicative.
  quick: {
    name: 'quick',
    seeds: [1, 2],
    extraSeeds: [3, 4],
    cheapCost: 1e10,
    steps: 150,
    longSteps: 150,
    batch: 32,
    lr: 3e-3,
    // Two rates a decade apart with each arm's initialisation search, at a third of the budget on one tuning seed:
    // the cheapest tuning that still lets each extractor pick its own rate and init (the confirmatory profiles tune on two seeds).
    tune: { lr: [1e-3, 1e-2], steps: 50, seeds: [1] },
    warmup: 15,
    lengths: [8, 32],
    long: 16,
    hidden: 64,
    dModel: 64,
    ffDim: 128,
    channels: 64,
    deepLayers: 4,
    matchParams: 50_000,
    speed: { steps: 50, repetitions: 5, batch: 8, lengths: [8, 32], scaling: { lengths: [32], batches: [1, 8] } },
    indicative: true,
    confirmatory: false,
  },
  // Seconds-long run of every experiment through the whole pipeline (tests, CI): the
  // verdicts it prints are real decisions on real measurements, but of nearly untrained models.
  smoke: {
    name: 'smoke',
    seeds: [1],
    extraSeeds: [2],
    cheapCost: 2e5, // the radius sweep only: two seeds exercise the paired tests
    steps: 3,
    longSteps: 3,
    batch: 4,
    lr: 3e-3,
    tune: { lr: [1e-3, 3e-3], steps: 3 },
    warmup: 0,
    lengths: [6, 12],
    long: 12,
    hidden: 8,
    dModel: 8,
    ffDim: 16,
    channels: 8,
    deepLayers: 2,
    matchParams: 20_000,
    speed: { steps: 3, repetitions: 3, batch: 2, lengths: [6], scaling: { lengths: [6], batches: [1, 2] } },
    indicative: true,
    confirmatory: false,
  },
  // Confirmatory, under an hour on 2 cores: 10 seeds for every arm costing at most 1.4e11
  // (steps x multiply-adds: the RNN family at T <= 128, the Transformer and TCN up to T = 32,
  // the positional-encoding and depth experiments), 5 for the rest (the Transformer and TCN
  // at T = 128, the heads sweep, the semantic Transformer and TCN, the LSTM on adding).
  // Fisher's test on solved counts needs 10 against 10 (or 5 against 10) to pass Holm's
  // threshold; the paired t-tests decide with 5.
  standard: {
    name: 'standard',
    seeds: range(CONFIRMATORY_SEED_MIN, 5),
    extraSeeds: range(CONFIRMATORY_SEED_MIN + 5, 5),
    cheapCost: 1.4e11,
    steps: 600,
    longSteps: 1000,
    batch: 32,
    lr: 3e-3,
    // The default grid (four rates, tune.ts) and each arm's initialisation search at a third of the budget by successive halving, on two confirmatory tuning seeds.
    tune: { steps: 200, seeds: range(CONFIRMATORY_SEED_MIN, 2) },
    warmup: 50,
    lengths: [8, 32, 128],
    long: 64,
    hidden: 64,
    dModel: 64,
    ffDim: 128,
    channels: 64,
    deepLayers: 6,
    matchParams: 100_000,
    speed: { steps: 50, repetitions: 6, batch: 16, lengths: [32, 128, 512], scaling: { lengths: [128, 512], batches: [1, 32] } },
    indicative: false,
    confirmatory: true,
  },
  // Cluster-sized (shard it): 20 seeds, longer budgets, lengths to 1024.
  full: {
    name: 'full',
    seeds: range(CONFIRMATORY_SEED_MIN, 20),
    extraSeeds: [],
    cheapCost: 0,
    steps: 5000,
    longSteps: 5000,
    batch: 32,
    lr: 3e-3,
    tune: { steps: 2500, seeds: range(CONFIRMATORY_SEED_MIN, 2) },
    warmup: 100,
    lengths: [16, 64, 256, 1024],
    long: 256,
    hidden: 128,
    dModel: 128,
    ffDim: 512,
    channels: 128,
    deepLayers: 8,
    matchParams: 200_000,
    speed: { steps: 100, repetitions: 10, batch: 32, lengths: [64, 256, 1024], scaling: { lengths: [256, 1024], batches: [1, 32] } },
    indicative: false,
    confirmatory: true,
  },
};

/** Seed blocks are whole thousands: block b holds seeds b, b + 1, ... */
export const SEED_BLOCK = 1000;

/**
 * A confirmatory profile on another block of seeds (a replication): every seed it runs, tunes
 * and adds for cheap cells moves from the block at 1000 to `block` (2000, 3000, ...), so two
 * blocks share no seed and no data stream. Refused for exploratory profiles (their seeds are
 * development seeds) and for a block that is not a whole thousand of at least 1000.
 */
export function atSeedBlock(p: Profile, block: number): Profile {
  if (!p.confirmatory) throw new UsageError(`--seed-block is for the confirmatory profiles (standard, full); the ${p.name} profile runs development seeds`);
  if (!Number.isInteger(block) || block < CONFIRMATORY_SEED_MIN || block % SEED_BLOCK !== 0)
    throw new UsageError(`--seed-block ${block}: expected a whole thousand from ${CONFIRMATORY_SEED_MIN} up (e.g. --seed-block 2000)`);
  const shift = (s: number) => s - CONFIRMATORY_SEED_MIN + block;
  return {
    ...p,
    seeds: p.seeds.map(shift),
    extraSeeds: p.extraSeeds.map(shift),
    tune: p.tune === false ? false : { ...p.tune, ...(p.tune.seeds ? { seeds: p.tune.seeds.map(shift) } : {}) },
  };
}
