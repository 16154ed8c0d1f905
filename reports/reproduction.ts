/**
 * The reproduction's part of the report ("Paper vs fxbench"): the paper and what the recipe
 * reproduces, then one row per number of the paper: its value and where it is printed, ours
 * (the paper's statistic over our seeds, how many, and a mean's 95% interval), the criterion in
 * words, and the verdict with why. Then each profile's budget against the paper's (`scaled`),
 * the recipe's notes (what it leaves out) and the command that reruns it. A `not` is a finding
 * and is shown as plainly as a `reproduced`. Every string goes through escapeHtml.
 */
import { type Comparison, countsText, type Verdict } from '../reproduce/compare.js';
import { RECIPE_PROFILES, type Recipe } from '../reproduce/recipe.js';
import { escapeHtml as h } from './escape.js';

/** What the report needs of a reproduction: the recipe (for its settings and notes) and the verdicts. */
export interface Reproduction {
  recipe: Recipe;
  comparison: Comparison;
}

const VERDICT_STYLE: Record<Verdict, string> = {
  reproduced: 'background:#e3f4e5;color:#1d5e26',
  partly: 'background:#fff3d6;color:#6b4a00',
  not: 'background:#fde2e1;color:#8a1c17',
  'not run': 'background:#eeeeee;color:#444',
};

function badge(verdict: Verdict): string {
  return `<span class="verdict" style="${VERDICT_STYLE[verdict]};padding:.1rem .45rem;border-radius:.3rem;font-weight:600;white-space:nowrap">${h(verdict)}</span>`;
}

function scaledBlock(recipe: Recipe): string {
  const rows = RECIPE_PROFILES.flatMap((p) => {
    const s = recipe.profiles[p].scaled;
    return s ? [`<tr><th>${h(p)}</th><td>${h(s.paper)}</td><td>${h(s.ours)}</td><td>${h(s.why)}</td></tr>`] : [];
  });
  if (!rows.length) return '';
  return `<h3>The paper's budget and ours</h3>
<table class="scaled"><thead><tr><th>profile</th><th>the paper</th><th>fxbench</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The "Paper vs fxbench" section, `id="reproduction"`. */
export function renderReproductionSection({ recipe, comparison: c }: Reproduction): string {
  const p = c.paper;
  const rows = c.rows
    .map(
      (r) =>
        `<tr id="number-${h(r.id)}"><td><b>${h(r.id)}</b><br>${h(r.what)}</td><td>${h(r.paper)}<br><small>${h(r.source)}</small></td><td>${h(r.ours)}</td><td>${h(r.criterion)}</td><td>${badge(r.verdict)}<br><small>${h(r.why)}</small></td></tr>`,
    )
    .join('');
  const indicative = c.indicative
    ? `<p><b>Indicative:</b> the ${h(c.profile)} profile runs few seeds on small budgets; <code>fxbench reproduce ${h(c.recipe)} --profile full</code> runs the recipe's comparison.</p>`
    : '';
  const notes = recipe.notes.length ? `<h3>What this recipe leaves out</h3><ul>${recipe.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  return `
<h2 id="reproduction">Paper vs fxbench</h2>
<p><b>${h(p.authors)} (${h(p.year)}).</b> <a href="${h(p.url)}">${h(p.title)}</a>. ${h(p.venue)}.</p>
<p>${h(c.summary)} Recipe <code>${h(c.recipe)}</code>, ${h(c.profile)} profile: ${h(countsText(c))}. Each criterion was declared in the recipe before any run; the verdicts are computed from the records, none is typed by hand.</p>
${indicative}
<table class="reproduction"><thead><tr><th>number</th><th>the paper (source)</th><th>fxbench</th><th>criterion</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>
${scaledBlock(recipe)}
${notes}
<p>Rerun: <code>fxbench reproduce ${h(c.recipe)} --profile ${h(c.profile)}</code>. The recipe, with every number's source, is <code>reproduce/recipes/${h(c.recipe)}.json</code>.</p>
`;
}
