/**
 * The report page. Every string that comes from results (names, options, messages) goes
 * through `escapeHtml`, and the chart specs are embedded with `jsonForScript`: corpora and
 * plugins can put arbitrary HTML and scripts into results.
 *
 * Layout: title and counts, a short intro, the results table (mean and interval per task,
 * extractor and length, with a warning when sizes differ more than 2x), the extractor colour key, contents, runs that
 * did not complete, the charts by section (each with its caption), the sortable summary
 * table, the environment and configuration.
 */
import { lengthText } from '../harness/suite/lengthRange.js';
import { aggregateCells } from '../harness/store/aggregate.js';
import type { ResultRecord } from '../harness/store/results.js';
import { SECTIONS, type Chart } from './charts/index.js';
import { AMONG_CHANCE } from './charts/tuning.js';
import { sizeSpread, summaryRows } from './summaryTable.js';
import { isSolved } from '../harness/cell/measure/solve.js';
import { escapeHtml as h, jsonForScript } from './escape.js';
import { extractorPalette } from './palette.js';

export interface PageInput {
  records: ResultRecord[];
  charts: Chart[];
  /** Server-rendered SVG per chart id (trusted: produced by vega from escaped data). */
  svgs: Map<string, string>;
  /** Inlined browser bundles: vega, vega-lite, vega-embed. */
  scripts: string[];
  generatedAt: string;
  /** Trusted HTML placed first, before the results table (a reproduction's paper-vs-fxbench table, already escaped). */
  opening?: string;
  /** Trusted HTML placed before the charts (the audit's claims section, already escaped). */
  intro?: string;
  /** Charts the intro places itself (the audit's evidence): their specs are embedded, their sections are not repeated. */
  introCharts?: Chart[];
  /** Relative link to the results CSV, when written beside the page. */
  csvHref?: string;
  /** The page's title (default: the suites, the first two and how many more). */
  title?: string;
}

/** "a, b" or "a, b and 7 more suites": a title stays short however many suites a report spans. */
function shortList(names: readonly string[], noun: string): string {
  return names.length <= 2 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more ${noun}`;
}

const fmt = (x: number | null | undefined, digits = 3) =>
  x === undefined || x === null || !Number.isFinite(x) ? '' : Number(x.toPrecision(digits)).toString();

function statusText(r: ResultRecord): string {
  if (r.status === 'completed') return 'completed';
  if (r.status === 'diverged') return `diverged at step ${r.divergedAtStep}`;
  return 'errored';
}

function flags(r: ResultRecord): string {
  if (r.status !== 'completed') return r.message;
  const f: string[] = [];
  if (r.gradients.exploding) f.push(`exploding gradient${r.gradients.explodingStep ? ` at step ${r.gradients.explodingStep}` : ''}`);
  // A run that solved its task carried the gradient it needed, however small the measured profile's tail: no flag.
  if (r.gradients.vanishing && !isSolved(r)) f.push('vanishing gradient');
  const na = r.lengths.filter((l) => l.status === 'not-applicable').map((l) => (r.range ? `T=${l.length}` : `${l.factor}×`));
  if (na.length) f.push(`not applicable at ${na.join(', ')}`);
  if (r.tuning?.chosenAmongChance) f.push(AMONG_CHANCE);
  return f.join('; ');
}

/** The numbers first: mean and 95% interval per (task, extractor, length), seeds solved, parameters (./summaryTable.ts), and the size warning. */
function numbersTable(records: ResultRecord[]): string {
  const rows = summaryRows(records);
  if (!rows.length) return '';
  const head: [string, string][] = [
    ['task', ''],
    ['extractor', ''],
    ['T', 'sequence length'],
    ['metric', ''],
    ['mean', 'mean of the test metric over the completed seeds'],
    ['95% interval', "Student-t interval of the mean over seeds, cut to the metric's range (at least 0; accuracy at most 1)"],
    ['chance', 'population chance baseline in the same metric'],
    ['seeds', 'completed of run'],
    ['solved', 'seeds whose test score reached the solved threshold'],
    ['params', 'extractor parameters (embedding and head excluded)'],
  ];
  const body = rows.map((r) => {
    const cells = [
      r.task,
      r.extractor,
      r.lengthText,
      r.metric,
      fmt(r.mean),
      r.ci95 ? `${fmt(r.ci95[0])} to ${fmt(r.ci95[1])}` : '',
      fmt(r.chance),
      r.completed === r.seeds ? r.seeds : `${r.completed}/${r.seeds}`,
      `${r.solved}/${r.seeds}`,
      r.params ?? '',
    ];
    return `<tr>${cells.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`;
  });
  const spread = sizeSpread(rows);
  const warning = spread
    ? `<p class="warning" id="size-warning"><strong>Sizes differ:</strong> parameter counts range from ${h(spread.small.params)} to ${h(spread.big.params)}, more than 2x, so a difference in accuracy may be a difference in size. <code>--match-params N</code> sizes every extractor to about N parameters.</p>`
    : '';
  return `<h2 id="numbers">Results</h2>\n${warning}${sortableTable('numbers-table', head, body)}`;
}

/** A table whose headers sort it when clicked (the page's script), each header's title saying what its column holds. */
function sortableTable(id: string, head: [string, string][], rows: string[]): string {
  const th = head.map(([c, title], i) => `<th data-col="${i}" title="${h(title ? `${title}; click to sort` : 'click to sort')}">${h(c)}</th>`).join('');
  return `<div class="table-wrap"><table id="${h(id)}" class="sortable"><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function summaryTable(records: ResultRecord[]): string {
  const head: [string, string][] = [
    ['task', ''],
    ['extractor', ''],
    ['T', 'sequence length'],
    ['seed', ''],
    ['status', ''],
    ['metric', ''],
    ['value', 'held-out value of the metric'],
    ['chance', 'population chance baseline in the same metric'],
    ['score', "0 at the empirical chance (the training data's constant predictor on the same samples), 1 perfect"],
    ['solved at', 'steps to solve on validation (first of two solved checks); empty: censored at the budget'],
    ['params', 'extractor parameters (embedding and head excluded)'],
    ['ms/step', 'mean training step time'],
    ['GFLOP/s', 'achieved by the extractor'],
    ['steps→90%', 'steps until the smoothed loss closed 90% of its drop'],
    ['∇ slope', 'log10 gradient per position of distance, after training'],
    ['flags and messages', ''],
    ['wall s', 'wall time of the cell'],
  ];
  const rows = records.map((r) => {
    const done = r.status === 'completed' ? r : undefined;
    const cells = [
      r.task.label,
      r.extractor.label,
      lengthText(r),
      r.seed,
      statusText(r),
      done?.metrics.metric ?? '',
      fmt(done?.metrics.value),
      fmt(done?.metrics.chance),
      fmt(done?.metrics.score),
      done?.validation.stepsToSolve ?? '',
      r.extractor.params ?? '',
      fmt(done?.metrics.msPerStep),
      fmt(done?.cost.gflops),
      done ? (done.stepsToThreshold ?? 'never') : '',
      fmt(done?.gradients.slopeTrained),
      flags(r),
      fmt(r.wallMs / 1000),
    ];
    return `<tr class="${h(r.status)}">${cells.map((c, i) => `<td${i === 4 ? ' class="status"' : ''}>${h(c)}</td>`).join('')}</tr>`;
  });
  return sortableTable('summary-table', head, rows);
}

/**
 * The tuning of every (task, extractor, length): the grid, the budget, each rung's trial
 * budget and survivors, and the choice the reported runs used (harness/tune.ts).
 */
function tuningTable(records: ResultRecord[]): string {
  const groups = [...new Map(records.flatMap((r) => (r.tuning ? [[JSON.stringify([r.task.label, r.extractor.label, r.length]), r] as const] : []))).values()];
  if (!groups.length) return '';
  const show = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(', ') : JSON.stringify(v)}`)
      .join('; ');
  const rows = groups.map((r) => {
    const t = r.tuning!;
    const rungs = t.rungs.length
      ? t.rungs.map((x) => `${x.trials.length} × ${x.steps} steps${x.kept ? ` → ${x.kept}` : ''}`).join(', ')
      : 'one grid point: nothing to run';
    const budget = `${t.budget.steps} steps, seeds ${t.budget.seeds.join(', ')}, ${t.budget.halving === false ? 'no halving' : `halving ${t.budget.halving}`}`;
    const chosen = `${show(t.chosen)}${t.chosenAmongChance ? ` (${AMONG_CHANCE})` : ''}`;
    const cells = [r.task.label, r.extractor.label, r.length, show(t.grid), budget, rungs, chosen];
    return `<tr>${cells.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`;
  });
  const head = ['task', 'extractor', 'T', 'grid', 'budget', 'rungs (grid points × trial steps → kept)', 'chosen'].map((c) => `<th>${h(c)}</th>`).join('');
  return `<p>Every extractor was tuned with the same grid and budget, on validation data only (trials never read the test data, and run from their own seed stream); the reported runs used the choice. Successive halving (Jamieson &amp; Talwalkar 2016) trains every grid point for a fraction of the budget and keeps the best for longer; the ranking is: fewest failed seeds, lowest mean final validation loss, highest mean final validation score. A choice marked "${AMONG_CHANCE}" was made when every trial of the last rung was indistinguishable from chance on validation: it rests on noise.</p>
<div class="table-wrap"><table id="tuning-table"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function problems(records: ResultRecord[]): string {
  const bad = records.filter((r) => r.status !== 'completed');
  if (!bad.length) return '';
  const items = bad.map((r) => {
    const what = r.status === 'diverged' ? `diverged at step ${r.divergedAtStep}` : 'errored';
    return `<li class="${h(r.status)}"><b>${h(r.cellId)}</b> <span class="pill ${h(r.status)}">${h(what)}</span> <span class="msg">${h(r.message)}</span></li>`;
  });
  return `
<section id="problems" class="problems">
  <h2>Runs that did not complete (${bad.length})</h2>
  <p>These cells have no metrics and are left out of the charts of results (diverged runs still show their curves up to the step that diverged).</p>
  <ul>${items.join('')}</ul>
</section>`;
}

function configBlock(records: ResultRecord[]): string {
  const envs = [...new Map(records.map((r) => [JSON.stringify(r.env), r.env])).values()];
  const trains = [...new Map(records.map((r) => [JSON.stringify(r.train), r.train])).values()];
  const extractors = [
    ...new Map(
      records.map((r) => [r.extractor.label, { name: r.extractor.name, options: r.extractor.options, params: r.extractor.params, info: r.extractor.info }]),
    ).entries(),
  ];
  const tasks = [...new Map(records.map((r) => [r.task.label, { name: r.task.name, options: r.task.options }])).entries()];
  const pre = (x: unknown) => `<pre>${h(JSON.stringify(x, null, 2))}</pre>`;
  return `
    <details open><summary>Environment</summary>${pre(envs.length === 1 ? envs[0] : envs)}</details>
    <details><summary>Training budget (identical for every extractor, but for what tuning chose: see Tuning)</summary>${pre(trains.length === 1 ? trains[0] : trains)}</details>
    <details><summary>Extractors and their options</summary>${pre(Object.fromEntries(extractors))}</details>
    <details><summary>Tasks and their options</summary>${pre(Object.fromEntries(tasks))}</details>`;
}

export function chartSection(c: Chart, svg: string | undefined): string {
  return `
  <section class="chart" id="${h(c.id)}">
    <h3>${h(c.title)}</h3>
    <p class="caption">${h(c.caption)}</p>
    <div class="vis" data-chart="${h(c.id)}"></div>
    <noscript>${svg ?? ''}</noscript>
    <p class="links"><a href="charts/${encodeURIComponent(c.id)}.vl.json">Vega-Lite spec</a> · <a href="charts/${encodeURIComponent(c.id)}.svg">SVG</a> · <a href="#top">top</a></p>
  </section>`;
}

/** `2026-01-01T12:34:56.789Z` -> `2026-01-01 12:34 UTC`; anything else as it is. */
const readableTime = (iso: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) && iso.endsWith('Z') ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso);

const sectionId = (s: string) => `section-${s.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

function colourKey(records: ResultRecord[]): string {
  const p = extractorPalette(records);
  if (!p.labels.length) return '';
  const chips = p.labels.map((l) => `<span class="chip"><i style="background:${h(p.color(l))}"></i>${h(l)}</span>`).join('');
  return `<p class="key">Extractor colours, the same in every chart: ${chips}</p>`;
}

/** A section's chart links, per-task charts of one kind together: "accuracy vs sequence length: recall, agreement". */
function tocLinks(charts: Chart[]): string {
  const kindOf = (c: Chart) => (c.task !== undefined && c.title.startsWith(`${c.task}: `) ? c.title.slice(c.task.length + 2) : c.title);
  const entries = new Map<string, Chart[]>(); // kind -> its charts, in first-seen order
  for (const c of charts) entries.set(kindOf(c), [...(entries.get(kindOf(c)) ?? []), c]);
  return [...entries]
    .map(([kind, cs]) =>
      cs.length === 1 && cs[0].task === undefined
        ? `<span class="toc-item"><a href="#${h(cs[0].id)}">${h(kind)}</a></span>`
        : `<span class="toc-item">${h(kind)}: ${cs.map((c) => `<a href="#${h(c.id)}">${h(c.task ?? c.title)}</a>`).join(', ')}</span>`,
    )
    .join('<span class="sep"> · </span>');
}

function contents(p: PageInput, bySection: [string, Chart[]][], hasProblems: boolean): string {
  const row = (href: string, text: string, links = '') => `<dt><a href="${h(href)}">${h(text)}</a></dt><dd>${links}</dd>`;
  const rows: string[] = [];
  if (p.opening && /id="reproduction"/.test(p.opening))
    rows.push(row('#reproduction', 'Paper vs fxbench', "the paper's numbers beside ours, each with its verdict"));
  if (p.records.length) rows.push(row('#numbers', 'Results', 'mean and 95% interval per task, extractor and length'));
  if (p.intro && /id="claims"/.test(p.intro)) rows.push(row('#claims', "The article's claims"));
  if (hasProblems) rows.push(row('#problems', 'Runs that did not complete'));
  for (const [section, charts] of bySection) rows.push(row(`#${sectionId(section)}`, section, tocLinks(charts)));
  rows.push(row('#summary', 'Summary of every run', 'sortable table'));
  rows.push(row('#configuration', 'Environment and configuration', 'machine, library versions, training budget, options'));
  const csv = p.csvHref ? `<a href="${h(p.csvHref)}" download>results.csv</a> has one row per run; ` : '';
  return `<nav class="toc" aria-label="contents"><h2>Contents</h2><dl>${rows.join('')}</dl><p class="downloads">Data: ${csv}each chart links its Vega-Lite spec and an SVG.</p></nav>`;
}

export function renderPage(p: PageInput): string {
  const suites = [...new Set(p.records.map((r) => r.suite))];
  const counts = { completed: 0, diverged: 0, errored: 0 };
  for (const r of p.records) counts[r.status]++;
  const specs = Object.fromEntries([...p.charts, ...(p.introCharts ?? [])].map((c) => [c.id, c.spec]));
  const inline = (js: string) => `<script>${js.replace(/<\/script/gi, '<\\/script')}</script>`;
  const tuned = tuningTable(p.records);
  const bySection = SECTIONS.map((s) => [s, p.charts.filter((c) => c.section === s)] as [string, Chart[]]).filter(
    ([s, cs]) => cs.length || (s === 'Tuning' && tuned),
  );
  const tasks = [...new Set(p.records.map((r) => r.task.label))];
  const extractors = extractorPalette(p.records).labels;
  const lengths = [...new Set([...p.records].sort((a, b) => a.length - b.length).map(lengthText))];
  const seeds = [...new Set(p.records.map((r) => r.seed))].sort((a, b) => a - b);
  const twoSeeds = aggregateCells(p.records).some((g) => g.value?.n === 2);
  const pill = (n: number, cls: string, word: string) => `<span class="pill ${cls}">${n} ${word}</span>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(p.title ?? `fxbench report: ${shortList(suites, 'suites')}`)}</title>
<style>
  :root { --ink: #1f2328; --muted: #57606a; --line: #e3e6ea; --soft: #f6f8fa; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0 auto; max-width: 1280px; padding: 1.5rem 1.5rem 4rem; color: var(--ink); }
  h1 { margin: 0 0 .2rem; font-size: 1.9rem; } h2 { margin-top: 2.4rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); } h3 { margin: 0 0 .2rem; font-size: 1.08rem; }
  .sub { color: var(--muted); margin: 0 0 1rem; } .lead { max-width: 62rem; }
  a { color: #0a58ca; }
  .pill { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; font-size: 12.5px; font-weight: 600; background: #e7f3ea; color: #1a6b33; }
  .pill.diverged { background: #fff0d6; color: #8a5300; } .pill.errored { background: #fde2e1; color: #8a1c17; }
  .key { display: flex; flex-wrap: wrap; gap: .3rem .9rem; align-items: center; }
  .chip { display: inline-flex; align-items: center; gap: .35rem; font-weight: 600; font-size: 14px; } .chip i { width: 14px; height: 14px; border-radius: 3px; display: inline-block; }
  .toc { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .4rem 1.2rem .8rem; margin: 1.2rem 0; }
  .toc h2 { border: 0; margin: .4rem 0; font-size: 1.1rem; } .toc dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.2rem; margin: .2rem 0; }
  .toc dt { font-weight: 600; } .toc dd { margin: 0; font-size: 14px; color: var(--muted); } .toc .sep { color: #aaa; }
  .downloads { margin: .6rem 0 0; font-size: 14px; }
  .problems ul { padding-left: 1.2rem; } .problems li { margin: .3rem 0; } .problems .msg { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; color: #5a1a16; word-break: break-word; }
  .chart { margin: 1.6rem 0 2.2rem; } .caption { color: #3b4148; margin: .15rem 0 .6rem; max-width: 62rem; }
  .vis { overflow-x: auto; } .vis .vega-embed { padding-right: 0; }
  .links { font-size: 12px; color: #777; margin: .2rem 0; } .links a { color: #777; }
  .table-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
  table { border-collapse: collapse; font-size: 13px; } th, td { padding: .28rem .6rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
  th { cursor: pointer; background: var(--soft); position: sticky; top: 0; white-space: nowrap; } th:hover { background: #eaeef2; } th[data-sort=asc]::after { content: " ▲"; } th[data-sort=desc]::after { content: " ▼"; }
  tr.diverged td { background: #fff6e5; } tr.errored td { background: #fdeceb; } td.status { white-space: nowrap; font-weight: 600; } tr.completed td.status { font-weight: 400; color: var(--muted); }
  .warning { background: #fff4e5; border-left: 4px solid #e69500; padding: .5rem .8rem; }
  pre { background: var(--soft); padding: .6rem; overflow-x: auto; font-size: 12px; } details { margin: .4rem 0; } summary { cursor: pointer; }
</style>
</head>
<body>
<header id="top">
<h1>fxbench report</h1>
<p class="sub">${h(suites.length === 1 ? `Suite ${suites[0]}` : `${suites.length} suites: ${suites.join(', ')}`)} · generated ${h(readableTime(p.generatedAt))} · ${p.records.length} runs: ${pill(counts.completed, 'completed', 'completed')} ${pill(counts.diverged, 'diverged', 'diverged')} ${pill(counts.errored, 'errored', 'errored')}</p>
</header>
${p.opening ?? ''}
<p class="lead">This page compares feature extractors on identical tasks: ${h(extractors.join(', '))} on ${h(tasks.join(', '))}, at sequence length${lengths.length > 1 ? 's' : ''} ${h(lengths.join(', '))} with seed${seeds.length > 1 ? 's' : ''} ${h(seeds.join(', '))}.
Every extractor saw the same training and evaluation data, embedding, readout, head, loss, optimiser and step budget; only the feature extractor differs.
Each chart says in one line how to read it; hover any mark for its numbers. Shaded bands and black bars are 95% confidence intervals of the mean over seeds (Student t); with one seed there are none${twoSeeds ? ', and with two they are very wide (t(0.975, 1) = 12.7): run three or more seeds to tell extractors apart' : ''}.</p>
${numbersTable(p.records)}
${colourKey(p.records)}
${contents(p, bySection, counts.diverged + counts.errored > 0)}
${p.intro ?? ''}
${problems(p.records)}
${bySection.map(([section, charts]) => `<h2 id="${sectionId(section)}">${h(section)}</h2>\n${section === 'Tuning' ? tuned : ''}${charts.map((c) => chartSection(c, p.svgs.get(c.id))).join('\n')}`).join('\n')}
<h2 id="summary">Summary of every run</h2>
<p>Click a column header to sort.${p.csvHref ? ` The same numbers, unrounded, are in <a href="${h(p.csvHref)}" download>results.csv</a>.` : ''}</p>
${summaryTable(p.records)}
<h2 id="configuration">Environment and configuration</h2>
${configBlock(p.records)}
<script type="application/json" id="fxbench-specs">${jsonForScript(specs)}</script>
${p.scripts.map(inline).join('\n')}
<script>
(function () {
  var specs = JSON.parse(document.getElementById('fxbench-specs').textContent);
  document.querySelectorAll('.vis').forEach(function (el) {
    var id = el.getAttribute('data-chart');
    vegaEmbed(el, specs[id], { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (err) { el.setAttribute('data-rendered', 'failed'); el.textContent = 'chart failed to render: ' + err.message; console.error(err); });
  });
  // Sortable summary table: click a header to sort by that column (numbers numerically).
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () {
      var table = th.closest('table'), body = table.tBodies[0], col = +th.getAttribute('data-col');
      var asc = th.getAttribute('data-sort') !== 'asc';
      table.querySelectorAll('th').forEach(function (x) { x.removeAttribute('data-sort'); });
      th.setAttribute('data-sort', asc ? 'asc' : 'desc');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = Number(x), ny = Number(y);
        var c = (x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, undefined, { numeric: true });
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
</script>
</body>
</html>
`;
}
