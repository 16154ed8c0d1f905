/**
 * The one place verdicts are made. Every claim's analysis ends in an `Analysis`; this turns
 * the set of them into verdicts:
 *
 * 1. Each tested claim's primary p (its components combined: an intersection-union test
 *    when a claim has several parts) goes into Holm's step-down correction over the primary
 *    tests at family α 0.05. The equivalence tests behind "no effect" are a second family,
 *    corrected the same way.
 * 2. supported / contradicted: the Holm-adjusted primary p is at most α, and the effect
 *    points the claim's way / the other way.
 * 3. no effect: otherwise, when the claim declares an equivalence margin and the adjusted
 *    TOST p is at most α.
 * 4. inconclusive: otherwise, stating the minimum detectable effect at 80% power for the
 *    observed variance and the seeds that would decide.
 * 5. A sanity check (a claim whose verdict holds by construction, `byConstruction`) is
 *    decided the same way on its own p, outside Holm's family, and labelled so.
 * 6. Analytic claims keep their computed verdict (no test); not-testable claims are "not
 *    testable here" with their scoped result; undecidable ones (no positive control, no
 *    data) are inconclusive with what they need.
 */
import { holm } from '../stats/index.js';
import { combine, FAMILY_ALPHA } from './components.js';
import { round } from './measures.js';
import type { Analysis, Claim, Component, Decision, Evidence } from './types.js';

function powerText(c: Component): string {
  const { mde, unit, seedsNeeded, method, range } = c.power;
  const mdeText =
    mde === null
      ? 'no effect is detectable with these seeds'
      : range !== undefined && Math.abs(mde) > range
        ? `no effect can be detected at this n (the minimum detectable one, ${round(mde)}, exceeds the metric's range, ±${range} ${unit})`
        : `the minimum detectable effect at 80% power is ${round(mde)} (${unit})`;
  const seedsText = seedsNeeded === null ? 'no seed count up to the search limit would decide it' : `about ${seedsNeeded} seeds per arm would decide it`;
  return `${c.label}: ${mdeText}; ${seedsText} (${method})`;
}

/** Decide every claim: analyses, Holm over the primary tests, verdicts. A rule that throws is reported as inconclusive with its error. */
export function decideClaims(claims: readonly Claim[], evidence: Evidence): { decision: Decision; error?: string }[] {
  const analyses = claims.map((c): { analysis: Analysis; error?: string } => {
    try {
      return { analysis: c.analyse(evidence) };
    } catch (e) {
      const message = (e as Error).message;
      return { analysis: { kind: 'undecidable', reason: `the decision rule failed: ${message}`, needs: 'a fix to the rule', secondary: {}, caveats: [] }, error: message };
    }
  });
  const combined = analyses.map(({ analysis }) => (analysis.kind === 'test' ? combine(analysis.components) : undefined));
  // A sanity check's p is its own: it does not widen the family the article's claims are corrected over.
  const inFamily = (i: number) => !claims[i].byConstruction;
  const primaryP = combined.map((c, i) => (inFamily(i) ? (c?.p ?? NaN) : NaN));
  const adjusted = holm(primaryP).map((p, i) => (inFamily(i) ? p : (combined[i]?.p ?? NaN)));
  const eqP = analyses.map(({ analysis }, i) => (inFamily(i) && analysis.kind === 'test' && analysis.equivalence ? analysis.equivalence.p : NaN));
  const eqAdjusted = holm(eqP).map((p, i) => {
    const a = analyses[i].analysis;
    return inFamily(i) ? p : a.kind === 'test' && a.equivalence ? a.equivalence.p : NaN;
  });
  const tested = primaryP.filter((p) => !Number.isNaN(p)).length;
  return analyses.map(({ analysis: a, error }, i) => {
    const base = { secondary: a.secondary, caveats: a.caveats };
    if (a.kind === 'analytic') return { decision: { ...base, verdict: a.verdict, key: a.key, reason: `${a.reason} (analytic: decided by computation, no test)` }, error };
    if (a.kind === 'not testable') return { decision: { ...base, verdict: 'not testable here', key: a.key, reason: `${a.reason} Scoped result measured instead: ${a.scoped}` }, error };
    if (a.kind === 'undecidable') return { decision: { ...base, verdict: 'inconclusive', key: { label: 'no decision', value: NaN }, reason: `${a.reason} Needs: ${a.needs}.` }, error };
    const { p, favours } = combined[i]!;
    const pAdjusted = adjusted[i];
    const equivalence = a.equivalence ? { ...a.equivalence, pAdjusted: eqAdjusted[i] } : undefined;
    const primary = { p, pAdjusted, components: a.components, equivalence, at: a.at };
    const pText = Number.isNaN(p)
      ? 'no test could be computed'
      : inFamily(i)
        ? `p = ${round(p, 2)}, Holm-adjusted over ${tested} primary tests ${round(pAdjusted, 2)}`
        : `p = ${round(p, 2)} (a sanity check: outside Holm's family)`;
    let verdict: Decision['verdict'] = 'inconclusive';
    let why: string;
    if (pAdjusted <= FAMILY_ALPHA && favours !== 'neither') {
      verdict = favours === 'claim' ? 'supported' : 'contradicted';
      why = `${pText} (at most α = ${FAMILY_ALPHA}), ${favours === 'claim' ? "in the claim's direction" : "against the claim's direction"}.`;
    } else if (equivalence && equivalence.pAdjusted <= FAMILY_ALPHA) {
      verdict = 'no effect';
      why = `${pText}; equivalent within ±${equivalence.margin} (${equivalence.unit}): TOST p = ${round(equivalence.p, 2)}, Holm-adjusted ${round(equivalence.pAdjusted, 2)}.`;
    } else {
      const weak = a.components.filter((c) => !(c.p <= FAMILY_ALPHA && c.favours === 'claim'));
      why = `${pText}: not decided. ${(weak.length ? weak : a.components).map(powerText).join('. ')}.`;
    }
    return { decision: { ...base, verdict, key: a.key, reason: `${a.reason} At ${a.at}: ${why}`, primary }, error };
  });
}
