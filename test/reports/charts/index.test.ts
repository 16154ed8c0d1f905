import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { buildCharts, chartBuilder, CHART_BUILDERS, SECTIONS } from '../../../reports/charts/index.js';
import { speedChart } from '../../../reports/charts/speed.js';
import { completedRecord, env, richResults, widthSweep } from '../fixtures.js';

// The official schema shipped with vega-lite (its `exports` hide build/: resolve the entry and go up).
const vegaLiteDir = path.resolve(path.dirname(fileURLToPath(import.meta.resolve('vega-lite'))), '..');
const schema = JSON.parse(readFileSync(path.join(vegaLiteDir, 'build', 'vega-lite-schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: false, strict: false, allowUnionTypes: true, validateFormats: false, inlineRefs: false, code: { optimize: false } }); // ~2 s instead of ~9 s to compile
const validate = ajv.compile(schema);

describe('chart builders on a rich results set', () => {
  const records = [...richResults(), ...widthSweep()];

  it.each(Object.entries(CHART_BUILDERS))('%s produces charts whose specs validate against the Vega-Lite schema and compile', (name, build) => {
    const charts = build(records);
    expect(charts.length, `${name} built no chart`).toBeGreaterThan(0);
    for (const chart of charts) {
      const ok = validate(chart.spec);
      expect(ok, `${chart.id}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(() => compile(chart.spec)).not.toThrow();
      expect(chart.caption.length).toBeGreaterThan(40);
      expect(chart.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(SECTIONS).toContain(chart.section);
    }
  });

  it('the isolated-timing chart of the speed claims validates and compiles', () => {
    const rows = ['rnn', 'transformer'].flatMap((name) =>
      [32, 128].flatMap((length) =>
        [0, 1, 2].map((repetition) => ({
          label: name,
          name,
          options: {},
          length,
          repetition,
          batch: 8,
          steps: 50,
          meanMs: 10,
          p50Ms: 10,
          seqPerSec: 800 + repetition,
          params: 1000,
          measuredAt: 'x',
          env,
        })),
      ),
    );
    const [chart] = speedChart(rows, 'timings', 'timings');
    expect(validate(chart.spec), ajv.errorsText(validate.errors)).toBe(true);
    expect(() => compile(chart.spec)).not.toThrow();
    expect(speedChart([], 'x', 'x')).toEqual([]);
  });

  it('chart ids are unique', () => {
    const ids = buildCharts(records).map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a chart appears only when the results have data for it', () => {
    const bare = [completedRecord({ length: 8 }, { lengths: [{ length: 8, factor: 1, status: 'completed', value: 0.8 }] })];
    const ids = buildCharts(bare).map((c) => c.id);
    expect(ids).toContain('metric-vs-length-recall');
    expect(ids.some((id) => id.startsWith('metric-by-'))).toBe(false); // no meta bins
    expect(ids.some((id) => id.startsWith('length-generalisation'))).toBe(false); // only 1x
    expect(ids.some((id) => id.startsWith('ablation'))).toBe(false); // one label per name
    expect(ids.some((id) => id.startsWith('metric-vs-state'))).toBe(false); // no widths varied
    expect(buildCharts(richResults()).some((c) => c.id.startsWith('metric-vs-state'))).toBe(false); // nor here
    expect(buildCharts([])).toEqual([]);
  });
});

describe('chartBuilder', () => {
  it("resolves every claim's evidence chart names, and throws on an unknown name", async () => {
    const { CLAIMS } = await import('../../../audit/claims/index.js');
    for (const claim of CLAIMS)
      for (const name of claim.charts) expect(chartBuilder(name), `${claim.id}: ${name}`).toBe(CHART_BUILDERS[name as keyof typeof CHART_BUILDERS]);
    expect(() => chartBuilder('metricVsLenght')).toThrow(/no chart builder named "metricVsLenght"/);
    expect(() => chartBuilder('toString')).toThrow(/no chart builder/);
  });
});
