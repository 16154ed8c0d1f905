/**
 * `fxbench audit`: each of the article's claims becomes a pre-registered experiment with
 * one primary comparison declared in code before any data exists (arms, metric, test, α,
 * smallest effect of interest), evidence, and a verdict from one helper (verdict.ts).
 */
import type { CompletedRecord, ResultRecord } from '../harness/store/results.js';
import type { TuneInput } from '../harness/suite/fields.js';
import type { SuiteInput } from '../harness/suite/suite.js';
import type { ExperimentName } from './experiments/names.js';
import type { SpeedCase, SpeedRow } from './speed.js';

/**
 * - supported / contradicted: the primary test decides, in or against the claim's direction;
 * - no effect: equivalent within the declared margin, for a claim that predicts a difference;
 * - inconclusive: neither (the decision states the minimum detectable effect at 80% power and how many seeds would decide);
 * - not testable here: the hardware cannot test the claim; the decision reports the scoped result measured instead.
 */
export const VERDICTS = ['supported', 'contradicted', 'no effect', 'inconclusive', 'not testable here'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type ProfileName = 'smoke' | 'quick' | 'standard' | 'full';

/** Isolated timing (speed claims): tinybench, one measurement at a time with no training cell running. */
export interface SpeedPlan {
  /** Timed training steps per measurement (at least 50 outside the smoke profile). */
  steps: number;
  /** Repetitions of every measurement, interleaved across extractors (the machine's speed drifts). */
  repetitions: number;
  batch: number;
  /** Lengths for the step-time-against-length claim. */
  lengths: number[];
  /** The thread-scaling test (rnn-sequential): each arm timed at 1 and 2 kernel threads at these lengths and batches; the first batch is the primary's. */
  scaling: { lengths: number[]; batches: number[] };
}

/** The sizes an experiment is run at; claims read these instead of hard-coding numbers. */
export interface Profile {
  name: ProfileName;
  /** Seeds every cell runs. Confirmatory profiles use seeds from 1000 up, disjoint from the 1..999 used while developing the rules. */
  seeds: number[];
  /** More seeds for cheap cells: every arm (experiment, length, extractor label) whose most expensive cell costs at most `cheapCost` also runs these. */
  extraSeeds: number[];
  /** Analytic cost bound (harness/schedule.ts cellCost: steps x multiply-adds) of a cheap cell. */
  cheapCost: number;
  /** Training budget (steps) for learning experiments; a cell solved on validation stops earlier. */
  steps: number;
  /** A longer budget for the tasks known to need it (adding at T = 100). */
  longSteps: number;
  batch: number;
  /** The learning rate of the experiments that are not tuned (measurements at fixed settings). */
  lr: number;
  /** The tuning grid and budget of every learning experiment (harness/tune.ts), the same for every extractor; false: untuned, at `lr`. */
  tune: TuneInput | false;
  /** Linear warmup steps of every experiment. */
  warmup: number;
  /** Sequence lengths for length sweeps, shortest first. */
  lengths: number[];
  /** A long length for single-length experiments. */
  long: number;
  /** Widths: recurrent hidden, transformer dModel/ffDim, tcn channels. */
  hidden: number;
  dModel: number;
  ffDim: number;
  channels: number;
  /** Deep transformer for the residual and LayerNorm claims. */
  deepLayers: number;
  /** Parameter target for the speed-ranking claim. */
  matchParams: number;
  speed: SpeedPlan;
  /** Verdicts in this profile are indicative only (few seeds, small budgets). */
  indicative: boolean;
  /** Meant for confirmatory verdicts: seeds disjoint from development seeds, every rule registered before the run. */
  confirmatory: boolean;
}

/** First seed of the confirmatory range; seeds below it are for developing rules. */
export const CONFIRMATORY_SEED_MIN = 1000;

/** A named experiment: one or more suites built from the profile, all named `audit-<name>`, with the labels claims select by. */
export interface Experiment<T extends string = string, E extends string = string> {
  name: ExperimentName;
  /** Its source file, relative to the package root (registry.ts hashes it into the rules that read it). */
  source: string;
  /** Task labels its suites use. */
  tasks: readonly T[];
  /** Extractor labels its suites use (per length where labels carry the length). */
  extractors: (p: Profile) => readonly E[];
  suites(p: Profile): SuiteInput[];
}

export type TaskOf<X> = X extends Experiment<infer T, string> ? T : never;
export type ExtractorOf<X> = X extends Experiment<string, infer E> ? E : never;

/** Lookups over the records of the experiments a claim needs, typed by the experiment's labels. */
export interface Evidence {
  profile: Profile;
  records: ResultRecord[];
  /** Isolated timings (speed claims). */
  speed: SpeedRow[];
  /** Records of one experiment, optionally narrowed to a task label, extractor label and length. */
  select<T extends string, E extends string>(experiment: Experiment<T, E>, where?: { task?: T; extractor?: E; length?: number }): ResultRecord[];
  /** The completed records of the selection. */
  completed<T extends string, E extends string>(experiment: Experiment<T, E>, where?: { task?: T; extractor?: E; length?: number }): CompletedRecord[];
}

/** The statistical tests a primary comparison can use. */
export type TestKind = 'paired t' | 'one-sample t' | 'fisher exact' | 'log-rank' | 'paired tost' | 'cluster bootstrap' | 'analytic' | 'isolated timing';

/** The primary comparison, declared before the data exist and printed beside the rule. */
export interface PrimarySpec {
  /** Experiment and task label the comparison reads ('isolated timings': the speed claims' bench measurements). */
  experiment: ExperimentName | 'isolated timings';
  task: string;
  /** The two arms (extractor labels), or one arm against a reference value. */
  arms: readonly string[];
  /** What is measured per run, in words, with its unit. */
  metric: string;
  test: TestKind;
  /** Two-sided; Holm's correction runs over every claim's primary test at this family α. */
  alpha: number;
  /** What the claim predicts, in words ("lstm solves more seeds than rnn"). */
  direction: string;
  /** The smallest effect of interest: power and seeds needed are stated for it. */
  sesoi?: { value: number; unit: string };
  /** The equivalence margin of "no effect" (a paired TOST), when the claim has one. */
  margin?: { value: number; unit: string };
  /** At which length(s) it is decided: only where some arm is a working positive control. */
  where: string;
}

/** One statistical component of a primary test (compound claims combine several). */
export interface Component {
  label: string;
  test: TestKind;
  /** Two-sided p. */
  p: number;
  /** The sign of the effect relative to the claim: the direction predicted, the opposite, or none (0 or undefined). */
  favours: 'claim' | 'against' | 'neither';
  effect: Effect;
  power: PowerNote;
  /** Runs per arm the component used. */
  n: number[];
}

export interface Effect {
  label: string;
  value: number;
  /** Interval and how it was made. */
  ci?: [number, number];
  interval?: 'student t 95%' | 'bootstrap 95% (descriptive)' | 'bootstrap 95% (seeds x test files)' | 'exact';
  unit: string;
}

/** What an undecided test could have detected, and what would decide it. */
export interface PowerNote {
  /** Minimum detectable effect at 80% power for the observed variance (null: none is detectable with these seeds). */
  mde: number | null;
  /** The unit of the MDE and the effect. */
  unit: string;
  /** The largest |effect| the unit allows, when it is bounded (a score or rate difference): an MDE above it cannot be detected at this n. */
  range?: number;
  /** Seeds per arm at which the test reaches 80% power (paired t: for the smallest effect of interest; Fisher and log-rank: as their method says); null: more than the search allowed or no effect to detect. */
  seedsNeeded: number | null;
  /** The declared smallest effect of interest, and the power this test had to detect it at this n (paired and one-sample t). */
  sesoi?: number;
  powerAtSesoi?: number;
  /** How the figures were computed. */
  method: string;
}

/** What a claim's analysis returns; verdict.ts turns it into a verdict. */
export type Analysis =
  | {
      kind: 'test';
      /** The primary components; more than one: the claim holds only if every one does (an intersection-union test: p is the largest). */
      components: Component[];
      /** The equivalence test behind "no effect" (paired TOST within the margin), when the claim has one. */
      equivalence?: { p: number; margin: number; unit: string; label: string };
      /** The length (or other setting) it was decided at, and why there. */
      at: string;
      key: Decision['key'];
      reason: string;
      secondary: Decision['secondary'];
      caveats: string[];
    }
  | {
      /** Decided by computation, not by a test (definitional claims): no p, no Holm. */
      kind: 'analytic';
      verdict: 'supported' | 'contradicted';
      key: Decision['key'];
      reason: string;
      secondary: Decision['secondary'];
      caveats: string[];
    }
  | {
      kind: 'not testable';
      /** The scoped result measured instead. */
      scoped: string;
      key: Decision['key'];
      reason: string;
      secondary: Decision['secondary'];
      caveats: string[];
    }
  | {
      /** No decision possible: a missing experiment, or no arm learned the task at any length (no positive control). */
      kind: 'undecidable';
      reason: string;
      /** What would make it decidable. */
      needs: string;
      secondary: Decision['secondary'];
      caveats: string[];
    };

export interface Decision {
  verdict: Verdict;
  /** The number the verdict rests on, with its interval when there is one. */
  key: { label: string; value: number; ci?: [number, number] };
  /** Why, in one or two sentences with the numbers. */
  reason: string;
  /** The primary test as computed: raw and Holm-adjusted p, the effect, power. Absent for analytic and not-testable claims. */
  primary?: {
    p: number;
    pAdjusted: number;
    components: Component[];
    equivalence?: { p: number; pAdjusted: number; margin: number; unit: string; label: string };
    at: string;
  };
  /** Further numbers, descriptive only (no test, no correction). */
  secondary: Record<string, number | string | null>;
  caveats: string[];
}

/** The label of a claim whose verdict holds by construction: shown beside its verdict, and not counted among the decided claims. */
export const SANITY_CHECK = 'sanity check (by construction)';

export interface Claim {
  id: ClaimId;
  /**
   * Set when the verdict follows from the design rather than from data (a parameter count, a
   * model that is permutation-equivariant by its architecture, an initialisation that picks
   * the answer): why, in one sentence. Such a claim is a sanity check of the harness: its
   * test stays out of Holm's family and out of the count of decided claims.
   */
  byConstruction?: string;
  /** Its source file, relative to the package root (registry.ts hashes it). */
  source: string;
  /** One line. */
  title: string;
  /** The article's claim, paraphrased. */
  article: string;
  /** What is run. */
  experiment: string;
  /** The decision rule, in words; `analyse` + verdict.ts implement exactly this. */
  rule: string;
  primary: PrimarySpec;
  /** The experiments this claim reads. */
  needs: readonly Experiment[];
  /** The isolated timings it reads (speed claims). */
  speed?: (p: Profile) => SpeedCase[];
  /** The report's chart builders that show this claim's evidence, drawn from its experiments' records. */
  // Names, not builders: the report sits above the audit and resolves them (reports/render.ts; a test checks every name is a builder).
  charts: readonly string[];
  /** The rule itself: a pure function of the evidence. */
  analyse(evidence: Evidence): Analysis;
}

export const CLAIM_IDS = [
  'rnn-gradients',
  'rnn-long-range',
  'lstm-mitigates',
  'rnn-sequential',
  'rnn-weight-sharing',
  'pe-needed',
  'pe-length',
  'heads-long-range',
  'residual-gradients',
  'layernorm-convergence',
  'semantic-features',
  'speed-ranking',
] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];
