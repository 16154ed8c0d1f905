import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../harness/results.js';
import { resultSchema } from '../../harness/results.js';
import { buildCharts } from '../../reports/charts.js';
import { escapeHtml, jsonForScript } from '../../reports/escape.js';
import { writeReport } from '../../reports/render.js';

const env = { fxbench: '0.1.0', node: 'v20', tfjs: '4.22.0', backend: 'wasm', cpu: 'test', cores: 2, memoryGiB: 24, platform: 'linux', arch: 'x64' };
const train = { steps: 3, batch: 4, lr: 0.001, clip: 1, embedDim: 8, readout: 'last' as const, evalBatches: 1, backend: 'wasm' as const, optimizer: { name: 'adam' as const, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } };
const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';

function record(extractor: string, length: number, value: number, over: Partial<ResultRecord> = {}): ResultRecord {
  return resultSchema.parse({
    schemaVersion: 1,
    cellId: `recall/${extractor}/T${length}/s1`,
    suite: 'test',
    task: { name: 'recall', label: 'recall', options: { symbols: 4 } },
    extractor: { name: extractor, label: extractor, options: {}, params: 100 },
    length,
    seed: 1,
    train,
    env,
    startedAt: '2026-01-01T00:00:00.000Z',
    wallMs: 10,
    status: 'completed',
    metrics: { metric: 'accuracy', value, chance: 0.25, higherIsBetter: true, evalLoss: 1, accuracy: value, msPerStep: 2, finalLoss: 1 },
    curves: { loss: [1.4, 1.2, 1.0], gradNorm: [0.5, 0.4, 0.3] },
    byMeta: {},
    ...over,
  });
}

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
    const spec = charts.find((c) => c.id === 'metric-vs-length-recall')!.spec as { layer: { data: { values: { chance?: number }[] } }[] };
    expect(spec.layer[1].data.values.map((v) => v.chance)).toEqual([0.25, 0.25]);
    for (const c of charts) expect(c.caption.length).toBeGreaterThan(20);
  });

  it('writes an offline page with inlined vega, SVG fallbacks, and no unescaped data', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fxbench-report-'));
    const evil = record('rnn', 8, 0.5, { status: 'errored', message: EVIL } as never);
    const file = await writeReport([record('rnn', 8, 0.9), record('lstm', 8, 1), { ...evil, status: 'errored', message: EVIL } as ResultRecord], dir);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(EVIL);
    expect(html).not.toMatch(/<script[^>]+src=/); // everything inlined: works offline
    expect(html).toContain('vegaEmbed');
    expect(html).toMatch(/<noscript><svg/);
    const files = readdirSync(path.join(dir, 'charts'));
    expect(files).toContain('metric-vs-length-recall.vl.json');
    expect(files).toContain('metric-vs-length-recall.svg');
  });
});
