import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/store/results.js';
import { buildCharts } from '../../reports/charts/index.js';
import { escapeHtml, jsonForScript } from '../../reports/escape.js';
import { writeReport } from '../../reports/render.js';
import { completedRecord, divergedRecord, erroredRecord, EVIL } from './fixtures.js';

const record = (extractor: string, length: number, value: number) =>
  completedRecord(
    { extractor: { name: extractor, label: extractor }, length },
    { metrics: { metric: 'accuracy', value, chance: 0.25, higherIsBetter: true, evalLoss: 1, accuracy: value, msPerStep: 2, finalLoss: 1 } },
  );

describe('report', () => {
  it('escapes HTML and script-breaking JSON', () => {
    expect(escapeHtml('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    expect(jsonForScript({ s: '</script><!--' })).not.toMatch(/<|>/);
    expect(JSON.parse(jsonForScript({ s: '</script>\u2028' }))).toEqual({ s: '</script>\u2028' });
  });

  it('builds a metric-vs-length chart per task with chance, and gradient-norm charts', () => {
    const charts = buildCharts([record('rnn', 8, 0.9), record('rnn', 32, 0.3), record('lstm', 8, 1), record('lstm', 32, 0.8)]);
    const ids = charts.map((c) => c.id);
    expect(ids).toContain('metric-vs-length-recall');
    expect(ids).toContain('grad-norm-recall');
    const spec = charts.find((c) => c.id === 'metric-vs-length-recall')!.spec as {
      layer: { data: { values: { chance?: number }[] }; mark: { type: string } }[];
    };
    const chance = spec.layer.find((l) => l.data.values.some((v) => v.chance !== undefined))!;
    expect(chance.data.values.map((v) => v.chance)).toEqual([0.25]); // the same at every length: one rule
    expect(chance.mark.type).toBe('rule');
    for (const c of charts) expect(c.caption.length).toBeGreaterThan(20);
  });

  it('writes an offline page with inlined vega, SVG fallbacks, results.csv, and no unescaped data', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-report-'));
    const evilTask = { name: 'recall', label: `recall${EVIL}`, options: { note: EVIL } };
    const records: ResultRecord[] = [
      record('rnn', 8, 0.9),
      record('lstm', 8, 1),
      completedRecord({ task: evilTask, extractor: { name: 'lstm', label: `lstm${EVIL}`, options: { x: EVIL } } }),
      erroredRecord({ seed: 2 }, { message: EVIL }),
      divergedRecord({ seed: 3 }, { message: EVIL }),
    ];
    const file = await writeReport(records, dir);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain('<img src=x');
    // Outside the inlined libraries, the only <script> elements are ours.
    const scripts = html.match(/<script[^>]*>/g)!;
    expect(scripts.every((s) => s === '<script>' || s === '<script type="application/json" id="fxbench-specs">')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/); // everything inlined: works offline
    expect(html).toContain('vegaEmbed');
    expect(html).toMatch(/<noscript><svg/);
    expect(html).toContain('href="results.csv"');
    expect(html).toContain('id="problems"');
    const files = readdirSync(path.join(dir, 'charts'));
    expect(files).toContain('metric-vs-length-recall.vl.json');
    expect(files).toContain('metric-vs-length-recall.svg');
    // The chart files of the evil task have safe names.
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9_-]+\.(vl\.json|svg)$/);
    const csv = readFileSync(path.join(dir, 'results.csv'), 'utf8');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(records.length + 1);
  });
});
