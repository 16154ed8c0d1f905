/**
 * The report page. Every string that comes from results (names, options, messages) goes
 * through `escapeHtml`, and the chart specs are embedded with `jsonForScript`: corpora and
 * plugins can put arbitrary HTML and scripts into results.
 */
import type { ResultRecord } from '../harness/results.js';
import type { Chart } from './charts.js';
import { escapeHtml as h, jsonForScript } from './escape.js';

export interface PageInput {
  records: ResultRecord[];
  charts: Chart[];
  /** Server-rendered SVG per chart id (trusted: produced by vega from escaped data). */
  svgs: Map<string, string>;
  /** Inlined browser bundles: vega, vega-lite, vega-embed. */
  scripts: string[];
  generatedAt: string;
  /** Trusted HTML placed before the charts (the audit's claims section, already escaped). */
  intro?: string;
}

const fmt = (x: number | undefined, digits = 3) => (x === undefined || !Number.isFinite(x) ? '' : Number(x.toPrecision(digits)).toString());

function summaryTable(records: ResultRecord[]): string {
  const head = ['task', 'extractor', 'length', 'seed', 'status', 'metric', 'value', 'chance', 'params', 'ms/step', 'wall s'];
  const rows = records.map((r) => {
    const done = r.status === 'completed' ? r.metrics : undefined;
    const status = r.status === 'completed' ? 'completed' : r.status === 'diverged' ? `diverged at step ${r.divergedAtStep}` : `errored: ${r.message}`;
    const cells = [r.task.label, r.extractor.label, r.length, r.seed, status, done?.metric ?? '', fmt(done?.value), fmt(done?.chance), r.extractor.params ?? '', fmt(done?.msPerStep), fmt(r.wallMs / 1000)];
    return `<tr class="${h(r.status)}">${cells.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`;
  });
  return `<table id="summary" class="sortable"><thead><tr>${head.map((c, i) => `<th data-col="${i}" title="click to sort">${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function configBlock(records: ResultRecord[]): string {
  const envs = [...new Map(records.map((r) => [JSON.stringify(r.env), r.env])).values()];
  const trains = [...new Map(records.map((r) => [JSON.stringify(r.train), r.train])).values()];
  const extractors = [...new Map(records.map((r) => [r.extractor.label, { name: r.extractor.name, options: r.extractor.options, info: r.extractor.info }])).entries()];
  const tasks = [...new Map(records.map((r) => [r.task.label, { name: r.task.name, options: r.task.options }])).entries()];
  const pre = (x: unknown) => `<pre>${h(JSON.stringify(x, null, 2))}</pre>`;
  return `
    <details open><summary>Environment</summary>${pre(envs.length === 1 ? envs[0] : envs)}</details>
    <details><summary>Training budget (identical for every extractor)</summary>${pre(trains.length === 1 ? trains[0] : trains)}</details>
    <details><summary>Extractors and their options</summary>${pre(Object.fromEntries(extractors))}</details>
    <details><summary>Tasks and their options</summary>${pre(Object.fromEntries(tasks))}</details>`;
}

function chartSection(c: Chart, svg: string | undefined): string {
  return `
  <section class="chart" id="${h(c.id)}">
    <h3>${h(c.title)}</h3>
    <p class="caption">${h(c.caption)}</p>
    <div class="vis" data-chart="${h(c.id)}"></div>
    <noscript>${svg ?? ''}</noscript>
    <p class="links"><a href="charts/${encodeURIComponent(c.id)}.vl.json">spec</a> · <a href="charts/${encodeURIComponent(c.id)}.svg">svg</a></p>
  </section>`;
}

export function renderPage(p: PageInput): string {
  const suites = [...new Set(p.records.map((r) => r.suite))];
  const counts = { completed: 0, diverged: 0, errored: 0 };
  for (const r of p.records) counts[r.status]++;
  const specs = Object.fromEntries(p.charts.map((c) => [c.id, c.spec]));
  const inline = (js: string) => `<script>${js.replace(/<\/script/gi, '<\\/script')}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fxbench report: ${h(suites.join(', '))}</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1180px; padding: 1.5rem; color: #222; }
  h1 { margin-bottom: .2rem; } .sub { color: #555; margin-top: 0; }
  .chart { margin: 1.8rem 0; } .caption { color: #444; margin: .2rem 0 .6rem; max-width: 60rem; }
  .links { font-size: 12px; color: #777; } .links a { color: #777; }
  table { border-collapse: collapse; font-size: 13px; } th, td { padding: .25rem .6rem; border-bottom: 1px solid #e3e3e3; text-align: left; }
  th { cursor: pointer; background: #f6f6f6; position: sticky; top: 0; } th:hover { background: #ececec; }
  tr.diverged td { background: #fff4e0; } tr.errored td { background: #fde8e8; }
  pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: 12px; } details { margin: .4rem 0; } summary { cursor: pointer; }
</style>
</head>
<body>
<h1>fxbench report</h1>
<p class="sub">Suite ${h(suites.join(', '))} · ${p.records.length} cells (${counts.completed} completed, ${counts.diverged} diverged, ${counts.errored} errored) · generated ${h(p.generatedAt)}</p>
<p>Every extractor saw the same training and evaluation data, embedding, readout, head, loss, optimiser and step budget; only the feature extractor differs.</p>
${p.intro ?? ''}
<h2>Charts</h2>
${p.charts.map((c) => chartSection(c, p.svgs.get(c.id))).join('\n')}
<h2>Summary</h2>
${summaryTable(p.records)}
<h2>Environment and configuration</h2>
${configBlock(p.records)}
<script type="application/json" id="fxbench-specs">${jsonForScript(specs)}</script>
${p.scripts.map(inline).join('\n')}
<script>
(function () {
  var specs = JSON.parse(document.getElementById('fxbench-specs').textContent);
  document.querySelectorAll('.vis').forEach(function (el) {
    var id = el.getAttribute('data-chart');
    vegaEmbed(el, specs[id], { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } })
      .catch(function (err) { el.textContent = 'chart failed to render: ' + err.message; });
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
        var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
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
