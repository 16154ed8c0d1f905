/**
 * Equal-budget tuning (Melis, Dyer & Blunsom 2018: under equal tuning budgets the ranking
 * of architectures can change). Every extractor of a suite gets the same grid and the same
 * budget, is scored on validation data only, and its main cells then run with its choice.
 *
 * - The grid: lists of values for tunable training fields (lr, warmup, schedule, clip) and
 *   extractor options (e.g. forgetBias); an option key applies to the extractors that have
 *   that option. Default: `DEFAULT_GRID` over the fields the suite leaves unset.
 * - A tuning group is one (task, extractor, length) with its settings; its key hashes
 *   everything its trials depend on, so groups that agree (the same model in two audit
 *   experiments) are tuned once, and its trials' records are a cache: the tuning file
 *   beside the results (`<out>.tune.jsonl`, append-only like the results) is read back by
 *   a resumed run, which reruns only what is missing.
 * - Successive halving (Jamieson & Talwalkar 2016): every grid point trains for
 *   budget / halving^(rungs-1) steps, but never fewer than `minRungSteps` (default 100,
 *   clamped to the budget), on each tuning seed; the best 1/halving go on to a budget
 *   `halving` times larger, until the last rung trains the survivors at the full budget and
 *   the best is chosen. A trial validates at least `TRIAL_CHECKS` times within its budget,
 *   so it can count as solved (two consecutive solved checks) at any rung. Trials restart
 *   from scratch at each rung (every trial is a cell: workers, --resume and --shard apply to
 *   them); a trial that solved the task under a constant schedule would stop at the same
 *   step at any budget, so it is carried to the next rung without rerunning.
 * - Ranking within a rung: fewest failed seeds (diverged or errored), then the lowest mean
 *   final validation loss, then the highest mean final validation score, then a stable hash
 *   of the grid point (`rankOutcomes`), never grid order. The loss is continuous, so it
 *   orders trials that all sit near chance, where seeds solved and steps to solve (kept in
 *   the outcome as description) are all zero or null and scores a few thousandths apart.
 * - Chance: a trial whose validation score cannot be told from chance is marked `atChance`
 *   (`isAtChance`), and a choice made among such trials only is `chosenAmongChance`.
 * - Trials run from their own seed stream (`Rng(seed).fork('tune')`, runCell.ts), one per
 *   tuning seed (two by default), and never read test data: the reported score stays held
 *   out from the choice.
 */
import { lengthText } from '../suite/lengthRange.js';
import { selectShard, selectShardByUnit, type Shard } from '../suite/shard.js';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { executeCells, type StopSignal } from './execute.js';
import { fieldInfo, trainFields, TUNABLE_FIELDS, type TrainConfig, type TunableField, type TuneInput } from '../suite/fields.js';
import { extractors } from '../plugins/registries.js';
import type { Progress } from './progress.js';
import { didYouMean } from '../../core/registry.js';
import { readResultLines, type CompletedRecord, type ResultRecord } from '../store/results.js';
import type { DataSources } from '../suite/stageData.js';
import { isDone, repairTail, warnSkipped } from '../store/files.js';
import { cellId, type Cell, type PluginUse, type Suite, type SuiteOrigin } from '../suite/suite.js';
import type { TrialOutcome, TuningSummary } from '../suite/tuneRecord.js';

/**
 * The default grid: the learning rate over half-decades from 3e-4 to 1e-2. 3e-4 is where
 * deep post-norm Transformers learn (and the usual Transformer rate), 1e-2 where plain
 * recurrent nets often do; 3e-3 was fxbench's single rate before tuning.
 */
export const DEFAULT_GRID: Record<string, unknown[]> = { lr: [3e-4, 1e-3, 3e-3, 1e-2] };
/** Two seeds: one seed's luck (its data order and initial weights) should not make the choice alone. */
export const DEFAULT_TUNE_SEEDS = [1, 2];
export const DEFAULT_HALVING = 2;
/**
 * The shortest rung (steps), clamped to the budget: a shorter rung would end inside the
 * default warmup (100 steps) and rank trials before any has trained at its learning rate.
 */
export const DEFAULT_MIN_RUNG_STEPS = 100;
/** Validation checks a trial makes at least: solving takes two consecutive solved checks, so a rung must hold more than two. */
export const TRIAL_CHECKS = 4;
const BUDGET_KEYS = ['steps', 'seeds', 'halving'];

/** One (task, extractor, length) to tune: its first main cell's settings, its grid and budget. */
export interface TuneGroup {
  key: string;
  suite: string;
  task: PluginUse;
  /** The extractor as the main cells have it, before the grid sets its options. */
  extractor: PluginUse;
  length: number;
  /** A length-generalisation group's ranges (its trials train on the range and are scored on validation, drawn from it). */
  range?: Cell['range'];
  train: TrainConfig;
  data: DataSources;
  /** The grid keys that apply to this extractor, in order, with their values. */
  grid: [string, unknown[]][];
  budget: TuningSummary['budget'];
}

export interface TuningPlan {
  groups: Map<string, TuneGroup>;
  /** The group key of each tuned main cell, by `cellKey`. */
  groupOf: Map<string, string>;
}

export const cellKey = (c: Pick<Cell, 'suite' | 'id'>) => `${c.suite}\u0000${c.id}`;
export const emptyPlan = (): TuningPlan => ({ groups: new Map(), groupOf: new Map() });

/**
 * The cells of one shard of a run. With tuning, a shard takes whole tuning groups (their
 * trials and main cells), so no group is tuned twice; run, status and collect all ask here.
 */
export function shardOfRun(all: Cell[], shard: Shard, plan: TuningPlan): Cell[] {
  if (!plan.groups.size) return selectShard(all, shard);
  return selectShardByUnit(all, shard, (c) => plan.groupOf.get(cellKey(c)) ?? cellKey(c));
}

/** Several suites' plans as one (an audit): groups with equal keys are one group. */
export function mergePlans(plans: TuningPlan[]): TuningPlan {
  const out = emptyPlan();
  for (const p of plans) {
    for (const [k, g] of p.groups) if (!out.groups.has(k)) out.groups.set(k, g);
    for (const [c, k] of p.groupOf) out.groupOf.set(c, k);
  }
  return out;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)));
const isTunable = (k: string): k is TunableField => (TUNABLE_FIELDS as readonly string[]).includes(k);
const optionKeys = (name: string) => Object.keys((extractors.get(name).options as unknown as { shape?: Record<string, unknown> }).shape ?? {});

/**
 * Stage 1 for tuning: validate the suite's grid against its extractors and group its cells.
 * Bad input (an unknown grid key, an empty list, a value the field or option refuses, a
 * field both set and tuned) is a UsageError naming where it was given.
 */
export function planTuning(suite: Suite, cells: Cell[], origin: SuiteOrigin = {}): TuningPlan {
  const plan = emptyPlan();
  if (suite.tune === false) return plan;
  const tune: TuneInput = suite.tune ?? {};
  const flagged = origin.flags?.tune !== undefined;
  const where = flagged ? '' : origin.file ? `suite file ${origin.file}: ` : '';
  const name = (k: string) => (flagged ? `--tune ${k}=...` : `tune.${k}`);
  const explicit = Object.keys(tune).filter((k) => !BUDGET_KEYS.includes(k));
  // The default grid leaves out what the suite sets: `--lr 0.003` trains at 0.003.
  const grid: [string, unknown[]][] = explicit.length
    ? explicit.map((k) => [k, tune[k] as unknown[]])
    : Object.entries(DEFAULT_GRID).filter(([k]) => isTunable(k) && suite[k] === undefined);
  const givenOptions = new Map<string, Record<string, unknown>>();
  suite.extractors.forEach((r) => {
    if (typeof r !== 'string') givenOptions.set(r.label ?? r.name, r.options ?? {});
  });
  const names = [...new Set(cells.map((c) => c.extractor.name))];
  for (const [k, values] of grid) {
    if (!Array.isArray(values))
      throw new UsageError(`${where}${name(k)}: expected a list of values to try, got ${show(values)} (e.g. "tune": {"${k}": [..., ...]})`);
    if (!values.length) throw new UsageError(`${where}${name(k)}: the grid list is empty: give at least one value, or drop "${k}"`);
    if (isTunable(k)) {
      if (suite[k] !== undefined)
        throw new UsageError(`${where}"${k}" is set (${show(suite[k])}) and tuned (${name(k)}): drop one of the two (tune: false turns tuning off)`);
      const schema = (trainFields[k] as z.ZodOptional<z.ZodType>).unwrap();
      values.forEach((v, i) => {
        if (!schema.safeParse(v).success)
          throw new UsageError(`${where}${flagged ? `--tune ${k}` : `tune.${k}[${i}]`}: expected ${fieldInfo.get(trainFields[k])!.expected}, got ${show(v)}`);
      });
      continue;
    }
    if (!names.some((n) => optionKeys(n).includes(k))) {
      const allowed = [...TUNABLE_FIELDS, ...new Set(names.flatMap(optionKeys))];
      const close = didYouMean(k, allowed);
      throw new UsageError(
        `${where}${name(k)}: unknown grid key "${k}"${close ? `: did you mean "${close}"?` : ''} (grid keys: ${TUNABLE_FIELDS.join(', ')}, or an option of this run's extractors: ${[...new Set(names.flatMap(optionKeys))].join(', ')})`,
      );
    }
  }
  const budget: TuningSummary['budget'] = {
    steps: tune.steps ?? suite.steps,
    seeds: tune.seeds ?? DEFAULT_TUNE_SEEDS,
    halving: tune.halving ?? DEFAULT_HALVING,
    minRungSteps: DEFAULT_MIN_RUNG_STEPS,
  };
  const checked = new Set<string>();
  for (const cell of cells) {
    const own = optionKeys(cell.extractor.name);
    const applicable = grid.filter(([k]) => isTunable(k) || own.includes(k));
    if (!applicable.length) continue;
    if (!checked.has(cell.extractor.label)) {
      checked.add(cell.extractor.label);
      const def = extractors.get(cell.extractor.name);
      for (const [k, values] of applicable) {
        if (isTunable(k)) continue;
        if (givenOptions.get(cell.extractor.label)?.[k] !== undefined || cell.extractor.matched?.option === k) {
          throw new UsageError(
            `${where}extractor ${cell.extractor.label} sets ${k} (${show(cell.extractor.options[k])}) and ${name(k)} tunes it: drop one of the two`,
          );
        }
        values.forEach((v, i) => {
          const r = def.options.safeParse({ ...cell.extractor.options, [k]: v });
          if (!r.success)
            throw new UsageError(
              `${where}${flagged ? `--tune ${k}` : `tune.${k}[${i}]`}: extractor ${cell.extractor.label} option ${k} refuses ${show(v)}: ${r.error.issues[0].message}`,
            );
        });
      }
    }
    const group = groupOf(cell, applicable, budget);
    if (!plan.groups.has(group.key)) plan.groups.set(group.key, group);
    plan.groupOf.set(cellKey(cell), group.key);
  }
  return plan;
}

function groupOf(cell: Cell, grid: [string, unknown[]][], budget: TuningSummary['budget']): TuneGroup {
  const keys = new Set(grid.map(([k]) => k));
  const omit = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.has(k)));
  // What the trials depend on; labels and the suite name do not change a trial.
  const identity = {
    task: { name: cell.task.name, options: cell.task.options },
    extractor: { name: cell.extractor.name, options: omit(cell.extractor.options) },
    length: cell.length,
    ...(cell.range ? { range: cell.range } : {}),
    train: omit({ ...cell.train, steps: budget.steps }),
    grid,
    budget,
  };
  const key = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
  return {
    key,
    suite: cell.suite,
    task: cell.task,
    extractor: cell.extractor,
    length: cell.length,
    range: cell.range,
    train: cell.train,
    data: cell.data,
    grid,
    budget,
  };
}

/** Every grid point, the first key varying slowest, values in the order given. */
export function gridPoints(grid: [string, unknown[]][]): Record<string, unknown>[] {
  return grid.reduce<Record<string, unknown>[]>((points, [k, values]) => points.flatMap((p) => values.map((v) => ({ ...p, [k]: v }))), [{}]);
}

/**
 * Trial budgets of successive halving for n grid points, shortest first:
 * budget / halving^(rungs-1-k), never below `minRungSteps` (clamped to the budget).
 */
export function rungBudgets(n: number, budget: TuningSummary['budget']): number[] {
  const eta = budget.halving;
  if (eta === false || n <= 1) return [budget.steps];
  const rungs = Math.max(1, Math.ceil(Math.log(n) / Math.log(eta) - 1e-9));
  const floor = Math.min(budget.minRungSteps ?? DEFAULT_MIN_RUNG_STEPS, budget.steps);
  return Array.from({ length: rungs }, (_, k) => Math.max(floor, Math.round(budget.steps / eta ** (rungs - 1 - k))));
}

/** A trial's validation interval: the suite's, shortened so the trial checks at least TRIAL_CHECKS times within `steps`. */
export const trialValEvery = (valEvery: number, steps: number) => Math.max(1, Math.min(valEvery, Math.floor(steps / TRIAL_CHECKS)));

const configLabel = (config: Record<string, unknown>) =>
  Object.entries(config)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(',');

/** The cache identity of a trial: its group, grid point, seed and budget. */
const trialId = (key: string, config: Record<string, unknown>, seed: number, steps: number) => JSON.stringify([key, configLabel(config), seed, steps]);

/** The cell of one trial: the group's settings with the grid point applied, for `steps` steps. */
export function trialCell(g: TuneGroup, config: Record<string, unknown>, seed: number, steps: number, rung: number): Cell {
  const trainPart = Object.fromEntries(Object.entries(config).filter(([k]) => isTunable(k)));
  const optionPart = Object.fromEntries(Object.entries(config).filter(([k]) => !isTunable(k)));
  return {
    id: `tune:${cellId(g.task.label, g.extractor.label, lengthText(g), seed)}/${configLabel(config)}/${steps}steps`,
    suite: g.suite,
    task: g.task,
    extractor: { ...g.extractor, options: { ...g.extractor.options, ...optionPart } },
    length: g.length,
    ...(g.range ? { range: g.range } : {}),
    seed,
    // Trials are scored on validation: no length generalisation, validation several times (trialValEvery).
    train: { ...g.train, ...trainPart, steps, valEvery: trialValEvery(g.train.valEvery, steps), generalize: [1] },
    data: { ...g.data, test: null },
    trial: { key: g.key, rung, config },
  };
}

const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** A grid point's outcome over its seeds' records. */
function outcomeOf(config: Record<string, unknown>, records: ResultRecord[]): TrialOutcome {
  const done = records.filter((r): r is CompletedRecord => r.status === 'completed');
  const solved = done.filter((r) => r.validation.stepsToSolve !== null);
  return {
    config,
    completed: done.length,
    failed: records.length - done.length,
    solved: solved.length,
    stepsToSolve: avg(solved.map((r) => r.validation.stepsToSolve!)),
    score: avg(done.map((r) => r.metrics.score)),
    loss: avg(done.map((r) => r.metrics.evalLoss)),
    atChance: isAtChance(done.map((r) => r.metrics)),
  };
}

/** One-sided z at α = 0.01: a grid of four trials at chance then shows a trial "above chance" in about 4% of groups, not 19%. */
export const CHANCE_Z = 2.326;
/** Losses (mse, cross-entropy): a mean validation score below this is at chance (records carry no per-sample spread to test with). */
export const CHANCE_SCORE = 0.05;

/**
 * Whether a trial's completed seeds (the metrics of their final validation checks) are indistinguishable
 * from chance. Accuracy: a one-sided normal approximation to the binomial test of the
 * seeds' pooled correct count against the empirical chance (the constant predictor on the
 * same validation samples), z = Σ n_i (value_i − chance_i) / sqrt(Σ n_i chance_i (1 − chance_i)),
 * at chance when z < CHANCE_Z. A per-step task's sample is a sequence whose value is its
 * mean over steps, with variance at most chance (1 − chance), so the test errs toward "at
 * chance". Losses: the mean score below CHANCE_SCORE. No completed seed: at chance (nothing
 * shows otherwise).
 */
export function isAtChance(seeds: Pick<CompletedRecord['metrics'], 'metric' | 'value' | 'empiricalChance' | 'samples' | 'score'>[]): boolean {
  if (!seeds.length) return true;
  if (seeds[0].metric !== 'accuracy') return avg(seeds.map((m) => m.score))! < CHANCE_SCORE;
  let excess = 0;
  let variance = 0;
  for (const { value, empiricalChance: c, samples: n } of seeds) {
    excess += n * (value - c);
    variance += n * c * (1 - c);
  }
  // Chance 0 or 1 on these samples: no spread under the null, only beating it counts.
  return variance === 0 ? excess <= 0 : excess / Math.sqrt(variance) < CHANCE_Z;
}

/**
 * The last tie-break: a stable hash of the grid point (keys sorted), the same whatever the
 * order of the grid's keys and values. Exact ties in failures, loss and score arise when
 * every seed of both trials failed, or when a grid key changes nothing at this setting;
 * then no grid point is better, and a hash favours none systematically, where grid order
 * picked the smallest learning rate every time. (The value nearest the middle of the tied
 * values is undefined for string options and several keys, and needs its own tie-break
 * between two tied values.)
 */
export const tieKey = (config: Record<string, unknown>) =>
  createHash('sha256')
    .update(
      JSON.stringify(
        Object.keys(config)
          .sort()
          .map((k) => [k, config[k]]),
      ),
    )
    .digest('hex');

/**
 * Best first: fewest failed seeds (a trial with a failed seed has no loss over all its
 * seeds, so failures rank first, by count), then the lowest mean validation loss, then the
 * highest mean validation score, then `tieKey`. Independent of the input order.
 */
export function rankOutcomes(outcomes: TrialOutcome[]): TrialOutcome[] {
  const key = (o: TrialOutcome) => [o.failed, o.loss ?? Infinity, -(o.score ?? -Infinity)];
  return outcomes
    .map((o) => ({ o, k: key(o), tie: tieKey(o.config) }))
    .sort((a, b) => {
      for (let j = 0; j < a.k.length; j++) if (a.k[j] !== b.k[j]) return a.k[j] < b.k[j] ? -1 : 1;
      return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
    })
    .map((x) => x.o);
}

export interface TuningOptions {
  /** The tuning file (JSONL of trial records), read as a cache and appended to. */
  file: string;
  progress: Progress;
  workers?: number;
  threads?: number;
  flushSubnormals?: boolean;
  plugins?: string[];
  stop?: StopSignal;
  warn(message: string): void;
}

/** The tuning file beside a results file: `x.jsonl` -> `x.tune.jsonl`. */
export const tuningFile = (out: string) => `${out.replace(/\.jsonl$/, '')}.tune.jsonl`;

/**
 * Stage 2 for tuning: run the trials of the groups `keys`, rung by rung (every group's
 * rung k together, on the workers), reusing the trials the tuning file already holds.
 * Returns each group's summary; `stopped` when a stop was requested (the finished trials
 * are saved, a resumed run goes on from them).
 */
export async function runTuning(plan: TuningPlan, keys: string[], opts: TuningOptions): Promise<{ summaries: Map<string, TuningSummary>; stopped: boolean }> {
  repairTail(opts.file, opts.warn);
  const cache = new Map<string, ResultRecord>();
  const { entries, skipped } = readResultLines([opts.file]);
  warnSkipped(skipped, opts.warn);
  for (const { record: r } of entries) if (r.trial && isDone(r)) cache.set(trialId(r.trial.key, r.trial.config, r.seed, r.train.steps), r);
  const summaries = new Map<string, TuningSummary>();
  const states = keys.map((key) => {
    const g = plan.groups.get(key)!;
    const points = gridPoints(g.grid);
    const summary: TuningSummary = { key, grid: Object.fromEntries(g.grid), budget: g.budget, rungs: [], chosen: points[0] };
    summaries.set(key, summary);
    return {
      g,
      summary,
      budgets: rungBudgets(points.length, g.budget),
      alive: points.length > 1 ? points : [],
      previous: new Map<string, { outcome: TrialOutcome; records: ResultRecord[] }>(),
    };
  });
  for (let rung = 0; states.some((s) => s.alive.length); rung++) {
    const active = states.filter((s) => s.alive.length);
    const todo: Cell[] = [];
    for (const s of active) {
      for (const config of s.alive) {
        if (carried(s, config, rung)) continue;
        for (const seed of s.g.budget.seeds) {
          const cell = trialCell(s.g, config, seed, s.budgets[rung], rung);
          if (!cache.has(trialId(s.g.key, config, seed, cell.train.steps))) todo.push(cell);
        }
      }
    }
    if (todo.length) {
      opts.progress.log(`tuning, rung ${rung + 1}: ${todo.length} trials of ${active.length} (task, extractor, length) groups -> ${opts.file}`);
      const records = await executeCells(todo, {
        out: opts.file,
        progress: opts.progress,
        workers: opts.workers,
        threads: opts.threads,
        flushSubnormals: opts.flushSubnormals,
        plugins: opts.plugins,
        stop: opts.stop,
      });
      for (const r of records) if (r.trial) cache.set(trialId(r.trial.key, r.trial.config, r.seed, r.train.steps), r);
      if (opts.stop?.requested) return { summaries, stopped: true };
    }
    for (const s of active) {
      const steps = s.budgets[rung];
      const results = s.alive.map((config) => {
        if (carried(s, config, rung)) {
          const prev = s.previous.get(configLabel(config))!;
          return { outcome: { ...prev.outcome, carried: true }, records: prev.records };
        }
        const records = s.g.budget.seeds.map((seed) => cache.get(trialId(s.g.key, config, seed, trialCell(s.g, config, seed, steps, rung).train.steps))!);
        return { outcome: outcomeOf(config, records), records };
      });
      const ranked = rankOutcomes(results.map((r) => r.outcome));
      const last = rung === s.budgets.length - 1;
      const kept = last ? 0 : Math.max(1, Math.ceil(ranked.length / (s.g.budget.halving as number)));
      s.summary.rungs.push({ steps, trials: ranked, kept });
      s.previous = new Map(results.map((r) => [configLabel(r.outcome.config), r]));
      if (last) {
        s.summary.chosen = ranked[0].config;
        s.summary.chosenAmongChance = ranked.every((o) => o.atChance);
        s.alive = [];
      } else s.alive = ranked.slice(0, kept).map((o) => o.config);
    }
  }
  return { summaries, stopped: false };
}

/**
 * Whether a grid point's previous-rung trials stand for this rung: every seed solved and
 * stopped at a regular validation check, under a constant schedule, with the same
 * validation interval, so training would stop at the same step at this budget too.
 */
function carried(
  s: { g: TuneGroup; budgets: number[]; previous: Map<string, { outcome: TrialOutcome; records: ResultRecord[] }> },
  config: Record<string, unknown>,
  rung: number,
): boolean {
  if (rung === 0) return false;
  const prev = s.previous.get(configLabel(config));
  if (!prev) return false;
  const schedule = (config.schedule ?? s.g.train.schedule) as string;
  const every = (steps: number) => trialValEvery(s.g.train.valEvery, steps);
  if (schedule !== 'constant' || every(s.budgets[rung - 1]) !== every(s.budgets[rung])) return false;
  return prev.records.every((r) => r.status === 'completed' && r.validation.stepsToSolve !== null && r.curves.loss.length % r.train.valEvery === 0);
}

/** A main cell with its group's choice applied and the tuning summary attached. */
export function applyTuning(cell: Cell, summary: TuningSummary): Cell {
  const trainPart = Object.fromEntries(Object.entries(summary.chosen).filter(([k]) => isTunable(k)));
  const optionPart = Object.fromEntries(Object.entries(summary.chosen).filter(([k]) => !isTunable(k)));
  return {
    ...cell,
    train: { ...cell.train, ...trainPart },
    extractor: { ...cell.extractor, options: { ...cell.extractor.options, ...optionPart } },
    tuning: summary,
  };
}

/** The tuning summaries that done main records already carry: a resumed run needs no tuning for their groups. */
export function summariesFromRecords(records: ResultRecord[]): Map<string, TuningSummary> {
  const out = new Map<string, TuningSummary>();
  for (const r of records) if (r.tuning && isDone(r) && !out.has(r.tuning.key)) out.set(r.tuning.key, r.tuning);
  return out;
}
