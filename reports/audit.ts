/**
 * The audit's part of the report: a claims table (claim, verdict, key number with its
 * interval, link to the evidence), then one section per claim: the article's claim, the
 * experiment, the decision rule, the numbers, the verdict and its caveats, and the command
 * that reruns it. Every string goes through escapeHtml.
 */
import type { AuditResult, ClaimResult } from '../harness/audit/run.js';
import type { Chart } from './charts.js';
import { escapeHtml as h } from './escape.js';
import { chartSection } from './page.js';

const VERDICT_STYLE: Record<string, string> = {
  supported: 'background:#e3f4e5;color:#1d5e26',
  contradicted: 'background:#fde2e1;color:#8a1c17',
  inconclusive: 'background:#eeeeee;color:#444',
};

const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : 'n/a');

function badge(verdict: string): string {
  return `<span class="verdict" style="${VERDICT_STYLE[verdict] ?? ''};padding:.1rem .45rem;border-radius:.3rem;font-weight:600">${h(verdict)}</span>`;
}

function keyNumber(c: ClaimResult): string {
  const k = c.decision.key;
  const interval = k.ci ? ` [${num(k.ci[0])}, ${num(k.ci[1])}]` : '';
  return `${h(k.label)}: <b>${h(num(k.value))}</b>${h(interval)}`;
}

function claimSection(c: ClaimResult, profile: string, charts: Chart[], svgs: Map<string, string>): string {
  const numbers = Object.entries(c.decision.numbers)
    .map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(typeof v === 'number' ? num(v) : String(v))}</td></tr>`)
    .join('');
  const caveats = c.decision.caveats.map((x) => `<li>${h(x)}</li>`).join('');
  return `
  <section class="claim" id="claim-${h(c.id)}">
    <h3>${h(c.id)}: ${h(c.title)} ${badge(c.decision.verdict)}</h3>
    <p><b>The article:</b> ${h(c.article)}</p>
    <p><b>Experiment:</b> ${h(c.experiment)}</p>
    <p><b>Decision rule</b> (fixed in code before the run): ${h(c.rule)}</p>
    <p><b>Result:</b> ${h(c.decision.reason)}${c.decision.verdict === 'contradicted' ? ' <b>This contradicts the article.</b>' : ''}</p>
    ${charts.length ? `<div class="evidence">${charts.map((x) => chartSection(x, svgs.get(x.id))).join('\n')}</div>` : '<p><i>No chart: its experiment produced no completed cell.</i></p>'}
    ${numbers ? `<details><summary>Numbers</summary><table>${numbers}</table></details>` : ''}
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
      return `<tr><td><a href="#claim-${h(c.id)}">${h(c.id)}</a></td><td>${h(c.title)}</td><td>${badge(c.decision.verdict)}</td><td>${keyNumber(c)}</td><td>${evidence}</td></tr>`;
    })
    .join('');
  const counts = { supported: 0, contradicted: 0, inconclusive: 0 };
  for (const c of audit.claims) counts[c.decision.verdict]++;
  const indicative = audit.profile.indicative
    ? `<p><b>Indicative:</b> the ${h(audit.profile.name)} profile uses one seed and small budgets; run <code>fxbench audit --profile standard</code> for verdicts that rest on three seeds with 95% confidence intervals.</p>`
    : '';
  return `
<h2 id="claims">The article's claims, put to experiment</h2>
<p>${counts.supported} supported, ${counts.contradicted} contradicted, ${counts.inconclusive} inconclusive (profile ${h(audit.profile.name)}: seeds ${h(audit.profile.seeds.join(', '))}, ${h(audit.profile.steps)} training steps, lengths ${h(audit.profile.lengths.join(', '))}).</p>
${indicative}
<table class="claims"><thead><tr><th>claim</th><th>the article says</th><th>verdict</th><th>key number [95% CI]</th><th>evidence</th></tr></thead><tbody>${rows}</tbody></table>
${audit.claims.map((c) => claimSection(c, audit.profile.name, charts.get(c.id) ?? [], svgs)).join('\n')}
`;
}
