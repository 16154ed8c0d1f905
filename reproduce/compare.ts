/**
 * Paper vs fxbench: each of a recipe's numbers against the records of a run, with the verdict
 * its criterion (declared in the recipe before any run) gives. Pure functions of the recipe and
 * the records; nothing here is typed by hand.
 *
 *   ours      the records the number selects (suite, task label, extractor label(s), length
 *             or range), completed runs only, reduced by the paper's statistic (mean, median,
 *             max or min over seeds), times the number's `scale`; a mean of two or more runs
 *             carries its Student-t 95% interval
 *   verdict   `reproduced`, `partly` or `not`, each with why in words; `not run` when the run
 *             has no record of a selected cell (the profile has no such cell); runs that all
 *             diverged or errored are a result: `not`
 *
 * Criteria (./recipe.ts):
 *   within  |ours - paper| <= points: reproduced. Beyond, but a mean's 95% interval reaches
 *           the band paper ± points: partly (the seeds cannot tell). Otherwise not.
 *   side    ours on the paper's side of the threshold (>= counts as above): reproduced,
 *           or partly within `margin` of it (too close to call). The other side: not.
 *   order   for members in different groups of the paper's ranking, ours must keep the
 *           direction by more than `margin`; members of one group the paper calls comparable
 *           must stay within `margin` of each other. Every pair as the paper's: reproduced;
 *           a pair reversed beyond the margin, or comparable members further apart: not;
 *           otherwise (a gap inside the margin: neither confirmed nor contradicted): partly.
 */
import type { ResultRecord } from '../harness/store/results.js';
import { lengthText } from '../harness/suite/lengthRange.js';
import { mean, median } from '../stats/descriptive.js';
import { confidenceInterval } from '../stats/intervals.js';
import { isIndicative } from './plan.js';
import type { OrderNumber, PaperNumber, Recipe, RecipeHeader, RecipeProfileName, Select, ValueNumber } from './recipe.js';

export const VERDICTS = ['reproduced', 'partly', 'not', 'not run'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Ours for one selection, on the paper's scale. */
export interface Measured {
  statistic: Select['statistic'];
  /** The statistic over the completed runs; null when none completed. */
  value: number | null;
  /** Completed runs the statistic is over (seeds, times the extractors when several are pooled). */
  n: number;
  /** Runs selected, completed or not. */
  runs: number;
  /** Whether several extractor labels are pooled (then `n` counts runs, not seeds). */
  pooled: boolean;
  /** Student-t 95% interval of a mean of two or more runs, cut to the metric's range (at least 0; accuracy at most 1, times the scale). */
  interval: [number, number] | null;
}

export interface MemberResult {
  id: string;
  label: string;
  paperValue: number | null;
  measured: Measured;
}

export interface ComparisonRow {
  id: string;
  what: string;
  unit: string;
  /** "Table 2, p. 7", with "read off the figure" when approximate. */
  source: string;
  approximate: boolean;
  /** The paper's value as printed, or the ordering it reports. */
  paper: string;
  paperValue: number | null;
  /** Ours in words: statistic, value, interval, runs. */
  ours: string;
  measured: Measured | null;
  members: MemberResult[] | null;
  /** The criterion in words. */
  criterion: string;
  verdict: Verdict;
  why: string;
}

export interface Comparison {
  recipe: string;
  paper: RecipeHeader['paper'];
  summary: string;
  profile: RecipeProfileName;
  /** Quick profile: few seeds and small budgets, so every verdict is indicative. */
  indicative: boolean;
  rows: ComparisonRow[];
  counts: Record<Verdict, number>;
}

/** Three significant digits; exponent form below 1e-3. */
export function fmt(x: number): string {
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}

/** A value with its unit: `52%`, `0.0204 nats per step`. */
export const withUnit = (x: number, unit: string): string => (unit === '%' ? `${fmt(x)}%` : `${fmt(x)} ${unit}`);
/** What a difference is counted in: points for percentages. */
const diffUnit = (unit: string): string => (unit === '%' ? 'points' : unit);

export const selectText = (s: Select): string =>
  `${s.suite}: ${s.task}, ${[s.extractor].flat().join(' or ')}, ${typeof s.length === 'number' ? `T = ${s.length}` : `lengths ${s.length}`}`;

/** The runs `s` selects, reduced by its statistic. */
export function measure(s: Select, records: readonly ResultRecord[], scale = 1): Measured {
  const labels = [s.extractor].flat();
  const selected = records.filter(
    (r) => r.suite === s.suite && r.task.label === s.task && labels.includes(r.extractor.label) && lengthText(r) === String(s.length),
  );
  const completed = selected.flatMap((r) => (r.status === 'completed' ? [r] : []));
  const values = completed.map((r) => r.metrics.value * scale);
  const pooled = labels.length > 1;
  const base = { statistic: s.statistic, n: values.length, runs: selected.length, pooled, interval: null };
  if (!values.length) return { ...base, value: null };
  const value =
    s.statistic === 'mean' ? mean(values) : s.statistic === 'median' ? median(values) : s.statistic === 'max' ? Math.max(...values) : Math.min(...values);
  const ci = s.statistic === 'mean' ? confidenceInterval(values) : null;
  if (!ci) return { ...base, value };
  // Every metric is at least 0 and accuracy at most 1: a Student-t interval of few seeds can leave that range, so it is cut to it (as the summary table does).
  const top = completed[0].metrics.metric === 'accuracy' ? scale : Infinity;
  return { ...base, value, interval: [Math.max(0, ci.lo), Math.min(top, ci.hi)] };
}

function oursText(m: Measured, unit: string): string {
  if (!m.runs) return 'not run';
  const runs = m.pooled ? `${m.n} runs` : `${m.n} seed${m.n === 1 ? '' : 's'}`;
  const completed = m.n < m.runs ? `${runs} of ${m.runs} completed` : runs;
  if (m.value === null) return `no run completed (${m.runs} diverged or errored)`;
  const interval = m.interval ? ` [${fmt(m.interval[0])}, ${fmt(m.interval[1])}]` : '';
  return `${m.statistic} ${withUnit(m.value, unit)}${interval} (${completed})`;
}

function sourceText(n: PaperNumber): string {
  const s = n.source;
  return `${s.where}${s.page ? `, p. ${s.page}` : ''}${s.approximate ? ' - approximate: stated in the text or read off a figure' : ''}`;
}

const paperSide = (n: ValueNumber & { criterion: { kind: 'side' } }): 'above' | 'below' =>
  n.criterion.side ?? (n.value! >= n.criterion.threshold ? 'above' : 'below');

/** The paper's ranking of an ordering, as text: `RNN > Transformer ≈ LSTM`. */
function rankingText(n: OrderNumber): string {
  const label = new Map(n.members.map((m) => [m.id, m.value === null ? m.label : `${m.label} ${withUnit(m.value, n.unit)}`]));
  const group = (g: string[]) =>
    g.length === 1
      ? label.get(g[0])
      : n.criterion.groupsAre === 'comparable'
        ? g.map((id) => label.get(id)).join(' ≈ ')
        : `{${g.map((id) => label.get(id)).join(', ')}}`;
  return n.criterion.ranking.map(group).join(' > ');
}

/** The criterion of a number in words, as the report and the terminal print it. */
export function criterionText(n: PaperNumber): string {
  const c = n.criterion;
  if (c.kind === 'within') return `within ±${fmt(c.points)} ${diffUnit(n.unit)} of the paper's ${withUnit((n as ValueNumber).value!, n.unit)}`;
  if (c.kind === 'side') {
    const side = paperSide(n as ValueNumber & { criterion: { kind: 'side' } });
    const margin = c.margin > 0 ? `; within ${fmt(c.margin)} of it is too close to call (partly)` : '';
    return `${side} ${withUnit(c.threshold, n.unit)}, the paper's side (a value equal to it counts as above)${margin}`;
  }
  const grouped = c.ranking.some((g) => g.length > 1);
  const ties = !grouped
    ? ''
    : c.groupsAre === 'comparable'
      ? `; members the paper shows as comparable (≈) within ${fmt(c.margin)} of each other`
      : '; members in braces are not ordered among themselves';
  return `the paper's ordering, highest first: ${rankingText(n as OrderNumber)}; each gap kept by more than ${fmt(c.margin)} ${diffUnit(n.unit)}${ties}`;
}

const notRun = (s: Select): string => `this run has no record of ${selectText(s)}`;

function judgeValue(n: ValueNumber, m: Measured): { verdict: Verdict; why: string } {
  if (!m.runs) return { verdict: 'not run', why: notRun(n.select) };
  if (m.value === null) return { verdict: 'not', why: `none of the ${m.runs} runs completed (every one diverged or errored)` };
  const ours = withUnit(m.value, n.unit);
  const c = n.criterion;
  if (c.kind === 'within') {
    const paper = n.value!;
    const d = Math.abs(m.value - paper);
    const gap = `|ours - paper| = |${fmt(m.value)} - ${fmt(paper)}| = ${fmt(d)} ${diffUnit(n.unit)}`;
    if (d <= c.points) return { verdict: 'reproduced', why: `${gap} <= ${fmt(c.points)}` };
    if (m.interval && m.interval[0] <= paper + c.points && m.interval[1] >= paper - c.points)
      return {
        verdict: 'partly',
        why: `${gap} > ${fmt(c.points)}, but the 95% interval [${fmt(m.interval[0])}, ${fmt(m.interval[1])}] reaches within ${fmt(c.points)} of the paper: more seeds would tell`,
      };
    return { verdict: 'not', why: `${gap} > ${fmt(c.points)}` };
  }
  const want = paperSide(n as ValueNumber & { criterion: { kind: 'side' } });
  const got = m.value >= c.threshold ? 'above' : 'below';
  const thr = withUnit(c.threshold, n.unit);
  if (got !== want) return { verdict: 'not', why: `ours ${ours} is ${got} ${thr}; the paper's is ${want}` };
  if (Math.abs(m.value - c.threshold) <= c.margin)
    return { verdict: 'partly', why: `ours ${ours} is ${got} ${thr} as the paper's, but within ${fmt(c.margin)} of it: too close to call` };
  return { verdict: 'reproduced', why: `ours ${ours} is ${got} ${thr}, as the paper's` };
}

function judgeOrder(n: OrderNumber, members: MemberResult[]): { verdict: Verdict; why: string } {
  const missing = members.filter((m) => !m.measured.runs);
  if (missing.length) return { verdict: 'not run', why: missing.map((m) => notRun(n.members.find((x) => x.id === m.id)!.select)).join('; ') };
  const failed = members.filter((m) => m.measured.value === null);
  if (failed.length) return { verdict: 'not', why: `no run of ${failed.map((m) => m.label).join(', ')} completed (diverged or errored)` };
  const value = new Map(members.map((m) => [m.id, m.measured.value!]));
  const label = new Map(members.map((m) => [m.id, m.label]));
  const margin = n.criterion.margin;
  const reversed: string[] = [];
  const tied: string[] = [];
  const apart: string[] = [];
  const groups = n.criterion.ranking;
  for (let i = 0; i < groups.length; i++) {
    // Members the paper reports as comparable: ours within the margin of each other.
    if (n.criterion.groupsAre === 'comparable')
      for (let x = 0; x < groups[i].length; x++)
        for (let y = x + 1; y < groups[i].length; y++) {
          const [a, b] = [groups[i][x], groups[i][y]];
          const d = Math.abs(value.get(a)! - value.get(b)!);
          if (d > margin) apart.push(`${label.get(a)} and ${label.get(b)} differ by ${fmt(d)} (the paper shows them comparable)`);
        }
    // Between groups: the paper's direction, by more than the margin.
    for (let j = i + 1; j < groups.length; j++)
      for (const a of groups[i])
        for (const b of groups[j]) {
          const d = value.get(a)! - value.get(b)!;
          if (d < -margin) reversed.push(`${label.get(b)} is above ${label.get(a)} by ${fmt(-d)} (the paper: below)`);
          else if (d <= margin) tied.push(`${label.get(a)} - ${label.get(b)} = ${fmt(d)}, within the margin ${fmt(margin)} (the paper: ${label.get(a)} above)`);
        }
  }
  // A reversed pair, or members the paper calls comparable that are not, contradicts the paper; a gap inside the margin only fails to confirm it.
  if (reversed.length || apart.length) return { verdict: 'not', why: [...reversed, ...apart, ...tied].join('; ') };
  if (tied.length) return { verdict: 'partly', why: tied.join('; ') };
  const comparable = n.criterion.groupsAre === 'comparable' && groups.some((g) => g.length > 1);
  return { verdict: 'reproduced', why: `every pair as in the paper: ordered beyond the margin${comparable ? ', and the comparable ones within it' : ''}` };
}

/** One number of a recipe against the records. */
export function compareNumber(n: PaperNumber, records: readonly ResultRecord[]): ComparisonRow {
  const base = { id: n.id, what: n.what, unit: n.unit, source: sourceText(n), approximate: n.source.approximate, criterion: criterionText(n) };
  if ('select' in n) {
    const m = measure(n.select, records, n.scale);
    const paper =
      n.value !== null
        ? `${n.source.approximate ? '≈ ' : ''}${withUnit(n.value, n.unit)}`
        : n.criterion.kind === 'side'
          ? `${paperSide(n as ValueNumber & { criterion: { kind: 'side' } })} ${withUnit(n.criterion.threshold, n.unit)}`
          : 'no value';
    return { ...base, paper, paperValue: n.value, ours: oursText(m, n.unit), measured: m, members: null, ...judgeValue(n, m) };
  }
  const members = n.members.map((x) => ({ id: x.id, label: x.label, paperValue: x.value, measured: measure(x.select, records, n.scale) }));
  const ours = members.map((x) => `${x.label}: ${oursText(x.measured, n.unit)}`).join('; ');
  return { ...base, paper: rankingText(n), paperValue: null, ours, measured: null, members, ...judgeOrder(n, members) };
}

/** The verdict counts in one line: "3 reproduced, 1 partly, 2 not, 0 not run". */
export const countsText = (c: Pick<Comparison, 'counts'>): string =>
  `${c.counts.reproduced} reproduced, ${c.counts.partly} partly, ${c.counts.not} not, ${c.counts['not run']} not run`;

/** Every number of `recipe` against the records of a run of `profile`. */
export function compareRecipe(recipe: Recipe, profile: RecipeProfileName, records: readonly ResultRecord[]): Comparison {
  const rows = recipe.numbers.map((n) => compareNumber(n, records));
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, rows.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  return { recipe: recipe.id, paper: recipe.paper, summary: recipe.summary, profile, indicative: isIndicative(profile), rows, counts };
}
