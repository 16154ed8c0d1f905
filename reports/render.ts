/**
 * Stage 7 (render): results -> chart specs -> a self-contained HTML report.
 *
 *   DIR/index.html            offline: vega, vega-lite and vega-embed inlined; each chart's
 *                             server-rendered SVG inside <noscript> as a fallback
 *   DIR/charts/<id>.vl.json   each Vega-Lite spec, for reuse
 *   DIR/charts/<id>.svg       each chart as SVG, for papers and READMEs
 *   DIR/results.csv           one row per run with the headline numbers (linked from the page)
 */
import { distinctLabels } from './labels.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ResultRecord } from '../harness/store/results.js';
import { buildCharts, chartBuilder, type Chart } from './charts/index.js';
import { resultsCsv } from './csv.js';
import { renderPage } from './page.js';
import { speedChart } from './charts/speed.js';
import { renderAuditSection } from './audit.js';
import { CLAIMS } from '../audit/claims/index.js';
import type { AuditResult } from '../audit/run.js';
import { renderReproductionSection, type Reproduction } from './reproduction.js';

/** The minified browser bundle of a package, found beside its resolved entry point (its `exports` hide build/). */
export function browserBundle(pkg: 'vega' | 'vega-lite' | 'vega-embed'): string {
  const entry = fileURLToPath(import.meta.resolve(pkg));
  const file = path.join(path.dirname(entry), `${pkg}.min.js`);
  return readFileSync(file, 'utf8');
}

/** Server-side SVG of a Vega-Lite spec (vega's View.toSVG, no canvas needed). */
export async function chartSvg(spec: Chart['spec']): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Each claim's evidence charts, from the records of the experiments it reads; ids prefixed by the claim. */
function auditCharts(audit: AuditResult, records: ResultRecord[]): Map<string, Chart[]> {
  const out = new Map<string, Chart[]>();
  for (const c of audit.claims) {
    const claim = CLAIMS.find((x) => x.id === c.id);
    if (!claim) continue;
    const suites = new Set(claim.needs.map((e) => `audit-${e.name}`));
    const own = records.filter((r) => suites.has(r.suite)); // labels already distinct (writeReport)
    const charts = claim.charts.flatMap((name) => chartBuilder(name)(own));
    if (claim.speed) {
      // An audit written before the thread-scaling plan existed has none: its timings are the one-thread ones.
      const speed = audit.profile.speed as Partial<typeof audit.profile.speed>;
      const profile = { ...audit.profile, speed: { ...audit.profile.speed, scaling: speed.scaling ?? { lengths: [], batches: [] } } };
      const cases = claim.speed(profile);
      charts.push(
        ...speedChart(
          audit.speed.filter((r) => cases.some((s) => s.label === r.label && s.length === r.length)),
          'isolated-timings',
          `${claim.id}: isolated training throughput (one thread unless the label names batch b and threads t)`,
        ),
      );
    }
    out.set(
      c.id,
      charts.map((x) => ({ ...x, id: `${c.id}--${x.id}` })),
    );
  }
  return out;
}

/**
 * Write the report into `dir`; returns the absolute path of index.html. With `audit`, the
 * page opens with the claims table and one section per claim; with `reproduction`, it opens
 * with the paper's numbers beside ours (./reproduction.ts), then the usual results and charts.
 */
export async function writeReport(allRecords: ResultRecord[], dir: string, audit?: AuditResult, reproduction?: Reproduction): Promise<string> {
  const records = distinctLabels(allRecords);
  // An audit mixes many experiments that reuse task names: its charts are drawn per claim,
  // from that claim's experiments only, and shown in the claim's section.
  const claimCharts = audit ? auditCharts(audit, records) : new Map<string, Chart[]>();
  const introCharts = [...claimCharts.values()].flat();
  const charts = audit ? [] : buildCharts(records);
  mkdirSync(path.join(dir, 'charts'), { recursive: true });
  const svgs = new Map<string, string>();
  for (const chart of [...charts, ...introCharts]) {
    const svg = await chartSvg(chart.spec);
    svgs.set(chart.id, svg);
    writeFileSync(path.join(dir, 'charts', `${chart.id}.vl.json`), JSON.stringify(chart.spec, null, 2));
    writeFileSync(path.join(dir, 'charts', `${chart.id}.svg`), svg);
  }
  writeFileSync(path.join(dir, 'results.csv'), resultsCsv(records));
  const html = renderPage({
    records,
    charts,
    svgs,
    scripts: [browserBundle('vega'), browserBundle('vega-lite'), browserBundle('vega-embed')],
    generatedAt: new Date().toISOString(),
    opening: reproduction ? renderReproductionSection(reproduction) : undefined,
    intro: audit ? renderAuditSection(audit, claimCharts, svgs) : undefined,
    introCharts,
    csvHref: 'results.csv',
    title: audit
      ? `fxbench audit, ${audit.profile.name} profile`
      : reproduction
        ? `fxbench reproduce ${reproduction.recipe.id}, ${reproduction.comparison.profile} profile`
        : undefined,
  });
  const file = path.resolve(dir, 'index.html');
  writeFileSync(file, html);
  return file;
}
