/**
 * The audit's part of the report: a claims table (claim, verdict, key number with its
 * interval, p and Holm-adjusted p, confirmatory or exploratory), the hash of every rule and
 * test, then one section per claim: the article's claim, the experiment, the decision rule
 * with its primary comparison as declared before the data (arms, metric, test, α, smallest
 * effect of interest or equivalence margin), the result with its test, effect, interval and
 * power, the registration, the evidence charts, the descriptive numbers, the caveats and the
 * command that reruns it. Every string goes through escapeHtml.
 */
import type { AuditResult, ClaimResult } from '../audit/run.js';
import { SANITY_CHECK, VERDICTS, type Component, type Verdict } from '../audit/types.js';
import type { Chart } from './charts/index.js';
import { escapeHtml as h } from './escape.js';
import { chartSection } from './page.js';

const VERDICT_STYLE: Record<Verdict, string> = {
  supported: 'background:#e3f4e5;color:#1d5e26',
  contradicted: 'background:#fde2e1;color:#8a1c17',
  'no effect': 'background:#e4ecf7;color:#1d3f6e',
  inconclusive: 'background:#eeeeee;color:#444',
  'not testable here': 'background:#fff3d6;color:#6b4a00',
};

/** The verdicts that decide a claim (the others leave it open). */
const DECIDED: readonly Verdict[] = ['supported', 'contradicted', 'no effect'];

const num = (x: number | null | undefined, digits = 3) => (typeof x === 'number' && Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : 'n/a');
const pText = (p: number | undefined) => (p === undefined || !Number.isFinite(p) ? 'n/a' : p < 1e-4 ? p.toExponential(1) : num(p, 2));

function badge(verdict: Verdict): string {
  return `<span class="verdict" style="${VERDICT_STYLE[verdict] ?? ''};padding:.1rem .45rem;border-radius:.3rem;font-weight:600;white-space:nowrap">${h(verdict)}</span>`;
}

/** The verdict, and for a sanity check its label: it is not one of the decided claims. */
function verdictCell(c: ClaimResult): string {
  return c.byConstruction ? `${badge(c.decision.verdict)} <small class="sanity">${h(SANITY_CHECK)}</small>` : badge(c.decision.verdict);
}

function keyNumber(c: ClaimResult): string {
  const k = c.decision.key;
  const interval = k.ci ? ` [${num(k.ci[0])}, ${num(k.ci[1])}]` : '';
  return `${h(k.label)}: <b>${h(num(k.value))}</b>${h(interval)}`;
}

function primarySpec(c: ClaimResult): string {
  const p = c.primary;
  const rows: [string, string][] = [
    ['arms', p.arms.join(' vs ')],
    ['experiment, task', `${p.experiment}, ${p.task}`],
    ['metric', p.metric],
    ['test', `${p.test}, two-sided, α = ${p.alpha} family-wise (Holm over the primary tests)`],
    ['the claim predicts', p.direction],
    ...(p.sesoi ? [['smallest effect of interest', `${p.sesoi.value} (${p.sesoi.unit})`] as [string, string]] : []),
    ...(p.margin ? [['equivalence margin (no effect)', `±${p.margin.value} (${p.margin.unit})`] as [string, string]] : []),
    ['decided at', p.where],
  ];
  return `<table class="primary">${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</table>`;
}

/** The minimum detectable effect, or why there is none: an MDE beyond the metric's range is no effect at all. */
export function mdeText(p: Component['power']): string {
  if (p.mde === null) return 'none detectable';
  if (p.range !== undefined && Math.abs(p.mde) > p.range) return `cannot be detected at this n (it would exceed the metric's range, ±${p.range})`;
  return num(p.mde);
}

function componentRow(x: Component): string {
  const e = x.effect;
  const ci = e.ci ? ` [${num(e.ci[0])}, ${num(e.ci[1])}]${e.interval ? ` (${e.interval})` : ''}` : '';
  const atSesoi =
    x.power.powerAtSesoi !== undefined ? `power ${num(x.power.powerAtSesoi, 2)} at the smallest effect of interest (${num(x.power.sesoi)}); ` : '';
  const power = `${atSesoi}MDE ${mdeText(x.power)}; seeds per arm to decide: ${x.power.seedsNeeded ?? 'n/a'}`;
  return `<tr><td>${h(x.label)}</td><td>${h(x.test)}</td><td>${h(x.n.join(' / '))}</td><td>${h(pText(x.p))}</td><td>${h(x.favours)}</td><td>${h(`${e.label} ${num(e.value)}${ci} (${e.unit})`)}</td><td title="${h(x.power.method)}">${h(power)}</td></tr>`;
}

function primaryResult(c: ClaimResult): string {
  const p = c.decision.primary;
  if (!p) return '';
  const eq = p.equivalence
    ? `<p>Equivalence (no effect): ${h(p.equivalence.label)}: TOST p = ${h(pText(p.equivalence.p))}, Holm-adjusted ${h(pText(p.equivalence.pAdjusted))}.</p>`
    : '';
  return `
    <p><b>Primary test</b> at ${h(p.at)}: p = <b>${h(pText(p.p))}</b>, Holm-adjusted <b>${h(pText(p.pAdjusted))}</b>${p.components.length > 1 ? ' (intersection-union over the parts below: every part must hold)' : ''}.</p>
    <table class="components"><thead><tr><th>part</th><th>test</th><th>n per arm</th><th>p</th><th>points</th><th>effect [interval]</th><th>power at 80% (hover: how)</th></tr></thead><tbody>${p.components.map(componentRow).join('')}</tbody></table>
    ${eq}`;
}

function registration(c: ClaimResult): string {
  const r = c.registration;
  const what = r.version === null ? 'not registered' : `rule version ${r.version}, registered ${r.registered}`;
  const why = r.reasons.length ? `: ${r.reasons.join('; ')}` : ' (registered before the run, source unchanged, seeds disjoint from development seeds)';
  const commit = r.commit
    ? ` Registration commit <code>${h(r.commit.commit.slice(0, 10))}</code> (${h(r.commit.at)}), ${h(gapText(r.commit.gapMs))} before the first cell started.`
    : '';
  return `<p class="registration"><b>${h(r.status === 'confirmatory' ? 'Confirmatory' : 'Exploratory')}</b>${h(why)}. ${h(what)}; sources sha256 <code>${h(r.hash.slice(0, 16))}</code>.${commit}</p>`;
}

/** A time gap in the largest whole unit that reads well: "3 h 12 min", "14 min", "40 s"; negative gaps say "after". */
export function gapText(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  const sign = ms < 0 ? ' (negative: after, not)' : '';
  const s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const hr = Math.floor((s % 86400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  const text = d ? `${d} d ${hr} h` : hr ? `${hr} h ${min} min` : min ? `${min} min` : `${s} s`;
  return text + sign;
}

function claimSection(c: ClaimResult, profile: string, charts: Chart[], svgs: Map<string, string>): string {
  const numbers = Object.entries(c.decision.secondary)
    .map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(typeof v === 'number' ? num(v) : v === null ? 'n/a' : String(v))}</td></tr>`)
    .join('');
  const caveats = c.decision.caveats.map((x) => `<li>${h(x)}</li>`).join('');
  return `
  <section class="claim" id="claim-${h(c.id)}">
    <h3>${h(c.id)}: ${h(c.title)} ${verdictCell(c)}</h3>
    ${c.byConstruction ? `<p class="sanity"><b>A ${h(SANITY_CHECK)}:</b> ${h(c.byConstruction)} It checks the harness, not the article, so it is outside Holm's family and not counted among the decided claims.</p>` : ''}
    <p><b>The article:</b> ${h(c.article)}</p>
    <p><b>Experiment:</b> ${h(c.experiment)}</p>
    <p><b>Decision rule</b> (fixed in code before the data): ${h(c.rule)}</p>
    <details open><summary>Primary comparison, as declared before the data</summary>${primarySpec(c)}</details>
    <p><b>Result:</b> ${h(c.decision.reason)}${c.decision.verdict === 'contradicted' ? ' <b>This contradicts the article.</b>' : ''}</p>
    ${primaryResult(c)}
    ${registration(c)}
    ${charts.length ? `<div class="evidence">${charts.map((x) => chartSection(x, svgs.get(x.id))).join('\n')}</div>` : ''}
    ${numbers ? `<details><summary>Secondary numbers (descriptive: no test, no correction)</summary><table>${numbers}</table></details>` : ''}
    ${caveats ? `<p><b>Caveats</b></p><ul>${caveats}</ul>` : ''}
    ${c.error ? `<p style="color:#8a1c17">The rule failed: ${h(c.error)}</p>` : ''}
    <p class="rerun">Rerun: <code>npx fxbench audit --profile ${h(profile)} --claim ${h(c.id)}</code></p>
  </section>`;
}

/**
 * @param charts the evidence charts of each claim, by claim id (built from its experiments' records)
 * @param svgs server-rendered SVG per chart id, the <noscript> fallback
 */
export function renderAuditSection(audit: AuditResult, charts: Map<string, Chart[]> = new Map(), svgs: Map<string, string> = new Map()): string {
  const rows = audit.claims
    .map((c) => {
      const first = charts.get(c.id)?.[0];
      const evidence = first ? `<a href="#${h(first.id)}">chart</a>` : '';
      const p = c.decision.primary;
      return `<tr><td><a href="#claim-${h(c.id)}">${h(c.id)}</a></td><td>${h(c.title)}</td><td>${verdictCell(c)}</td><td>${keyNumber(c)}</td><td>${h(p ? pText(p.p) : '')}</td><td>${h(p ? pText(p.pAdjusted) : '')}</td><td>${h(c.registration.status)}</td><td>${evidence}</td></tr>`;
    })
    .join('');
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const claims = audit.claims.filter((c) => !c.byConstruction);
  const sanity = audit.claims.length - claims.length;
  for (const c of claims) counts[c.decision.verdict]++;
  const decided = claims.filter((c) => DECIDED.includes(c.decision.verdict)).length;
  const exploratory = audit.claims.filter((c) => c.registration.status === 'exploratory');
  const status = exploratory.length
    ? `<p><b>Exploratory:</b> ${exploratory.length} of ${audit.claims.length} verdicts are exploratory (each section says why: ${h(reasonKinds(exploratory.flatMap((c) => c.registration.reasons)).join('; '))}).</p>`
    : '<p><b>Confirmatory:</b> every rule was registered before this run, unchanged since, and the seeds are disjoint from the development seeds.</p>';
  const indicative = audit.profile.indicative
    ? `<p><b>Indicative:</b> the ${h(audit.profile.name)} profile uses few seeds and small budgets; run <code>fxbench audit --profile standard</code> for confirmatory verdicts.</p>`
    : '';
  const seeds = `${audit.profile.seeds.length} seeds${audit.profile.extraSeeds.length ? ` (${audit.profile.seeds.length + audit.profile.extraSeeds.length} for cheap cells)` : ''}`;
  return `
<h2 id="claims">The article's claims, put to experiment</h2>
<p>${h(decided)} of ${h(claims.length)} claims decided: ${VERDICTS.map((v) => `${counts[v]} ${h(v)}`).join(', ')}${sanity ? `; ${h(sanity)} more ${sanity > 1 ? 'are sanity checks' : 'is a sanity check'} (by construction), not counted` : ''} (profile ${h(audit.profile.name)}: ${h(seeds)}, budget ${h(audit.profile.steps)} training steps, lengths ${h(audit.profile.lengths.join(', '))}). Each claim has one primary test declared before the data; Holm's correction runs over the ${h(audit.primaryTests)} primary tests computed, at family α 0.05. Other numbers are descriptive.</p>
<p>Hash of every rule and test (sha256): <code>${h(audit.rulesHash)}</code>.</p>
${status}
${indicative}
<table class="claims"><thead><tr><th>claim</th><th>the article says</th><th>verdict</th><th>key number [interval]</th><th>p</th><th>Holm p</th><th>status</th><th>evidence</th></tr></thead><tbody>${rows}</tbody></table>
${audit.claims.map((c) => claimSection(c, audit.profile.name, charts.get(c.id) ?? [], svgs)).join('\n')}
`;
}

/** Each kind of reason once: the same reason with other seeds or versions in its parentheses is one sentence. */
export function reasonKinds(reasons: readonly string[]): string[] {
  return [...new Set(reasons.map((r) => r.replace(/ \([^)]*\)/g, '')))];
}
