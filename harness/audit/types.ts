/**
 * `fxbench audit`: each of the article's claims becomes a pre-declared experiment with a
 * decision rule written in code before any data exists, evidence, and a verdict.
 */
import type { ResultRecord } from '../results.js';
import type { TuneInput } from '../fields.js';
import type { SuiteInput } from '../suite.js';
import type { Interval } from '../stats.js';

export type Verdict = 'supported' | 'contradicted' | 'inconclusive';
export type ProfileName = 'smoke' | 'quick' | 'standard' | 'full';

/** The sizes an experiment is run at; claims read these instead of hard-coding numbers. */
export interface Profile {
  name: ProfileName;
  seeds: number[];
  /** Training steps for learning experiments. */
  steps: number;
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
  /** Deep transformer for the residual claim. */
  deepLayers: number;
  /** Parameter target for the speed-ranking claim. */
  matchParams: number;
  /** Verdicts in this profile are indicative only (one seed, small budgets). */
  indicative: boolean;
}

/** An estimate across seeds: mean, the seeds' values and a 95% Student-t interval (null with one seed). */
export interface Estimate {
  mean: number;
  values: number[];
  ci: Interval | null;
}

/** Lookups over the records of the experiments a claim needs. */
export interface Evidence {
  profile: Profile;
  records: ResultRecord[];
  /** Records of one experiment, optionally narrowed to a task label, extractor label and length. */
  select(experiment: string, where?: { task?: string; extractor?: string; length?: number }): ResultRecord[];
  /** An estimate of `value` over the completed records selected (one value per seed); undefined when none completed. */
  estimate(experiment: string, where: { task?: string; extractor?: string; length?: number }, value: (r: Extract<ResultRecord, { status: 'completed' }>) => number | null | undefined): Estimate | undefined;
}

export interface Decision {
  verdict: Verdict;
  /** The number the verdict rests on, with its interval when there are seeds to give one. */
  key: { label: string; value: number; ci?: [number, number] };
  /** Why, in one or two sentences with the numbers. */
  reason: string;
  /** Further numbers worth showing, by name. */
  numbers: Record<string, number | string | null>;
  caveats: string[];
}

export interface Claim {
  id: string;
  /** One line. */
  title: string;
  /** The article's claim, paraphrased. */
  article: string;
  /** What is run. */
  experiment: string;
  /** The decision rule, in words; `decide` implements exactly this. */
  rule: string;
  /** Names of the experiments (see experiments.ts) this claim reads. */
  needs: string[];
  /** The report's chart builders (reports/charts.ts CHART_BUILDERS) that show this claim's evidence, drawn from its experiments' records. */
  charts: string[];
  /** The rule itself: a pure function of the evidence. */
  decide(evidence: Evidence): Decision;
}

/** A named experiment: one or more suites built from the profile, all named `audit-<name>`. */
export interface Experiment {
  name: string;
  suites(p: Profile): SuiteInput[];
}
