import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../reports/charts/index.js';
import { renderPage } from '../../reports/page.js';
import { completedRecord, divergedRecord, erroredRecord, EVIL, richResults } from './fixtures.js';

const page = (records = richResults({ tasks: ['recall', 'agreement'], seeds: [1, 2] }), intro?: string) =>
  renderPage({ records, charts: buildCharts(records), svgs: new Map(), scripts: [], generatedAt: '2026-01-02T03:04:05.000Z', csvHref: 'results.csv', intro });

describe('report page', () => {
  it('has a table of contents linking every chart, grouped by section', () => {
    const records = richResults({ tasks: ['recall', 'agreement'], seeds: [1, 2] });
    const html = page(records);
    const toc = html.slice(html.indexOf('<nav class="toc"'), html.indexOf('</nav>'));
    for (const c of buildCharts(records)) {
      expect(toc, c.id).toContain(`href="#${c.id}"`);
      expect(html).toContain(`<section class="chart" id="${c.id}">`);
    }
    for (const s of ['Accuracy', 'Length generalisation', 'Ablations', 'Gradients', 'Training', 'Cost']) expect(toc).toContain(`>${s}</a>`);
    // per-task charts of one kind share an entry
    expect(toc).toContain('training loss over training: <a href="#loss-recall">recall</a>, <a href="#loss-agreement">agreement</a>');
    expect(toc).toContain('href="results.csv"');
    expect(html).toContain('generated 2026-01-02 03:04 UTC');
  });

  it('opens with the results table, before any chart, and warns when sizes differ more than 2x', () => {
    const html = page();
    const numbers = html.indexOf('<h2 id="numbers">Results</h2>');
    expect(numbers).toBeGreaterThan(0);
    expect(numbers).toBeLessThan(html.indexOf('<section class="chart"'));
    expect(html).toContain('<table id="numbers-table" class="sortable">');
    expect(page([completedRecord(), completedRecord({ seed: 2 })])).not.toContain('id="size-warning"');
    const big = completedRecord({ seed: 1, extractor: { name: 'transformer', label: 'big', params: 10_000 } });
    expect(page([completedRecord(), big])).toMatch(/id="size-warning".*parameter counts range from 1000 to 10000.*--match-params N/);
  });

  it('lists runs that did not complete, with their messages, and counts them', () => {
    const html = page([
      completedRecord(),
      divergedRecord({ seed: 2 }, { divergedAtStep: 9, message: 'loss is NaN' }),
      erroredRecord({ seed: 3 }, { message: 'out of memory' }),
    ]);
    expect(html).toContain('Runs that did not complete (2)');
    expect(html).toMatch(/recall\/rnn\/T8\/s2<\/b> <span class="pill diverged">diverged at step 9<\/span> <span class="msg">loss is NaN/);
    expect(html).toContain('<span class="msg">out of memory</span>');
    expect(html).toContain('1 completed</span> <span class="pill diverged">1 diverged</span> <span class="pill errored">1 errored</span>');
    expect(html).toContain('<tr class="errored">');
    expect(page([completedRecord()])).not.toContain('id="problems"');
  });

  it('escapes labels, options and messages everywhere: colour key, contents, tables, config', () => {
    const records = [
      completedRecord({
        task: { name: 'recall', label: `t${EVIL}`, options: { o: EVIL } },
        extractor: { name: 'rnn', label: `x${EVIL}`, options: { o: EVIL } },
      }),
      erroredRecord({ seed: 2 }, { message: EVIL }),
    ];
    const html = page(records);
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain('<img');
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="application/json" id="fxbench-specs">', '<script>']);
    expect(html).toContain(`x&lt;script&gt;alert(1)&lt;/script&gt;`);
  });

  it("says in the tuning table and the cell's flags when the settings were chosen among chance-level trials", () => {
    const tuning = (key: string, chosenAmongChance?: boolean) => ({
      key,
      grid: { lr: [0.001, 0.01] },
      budget: { steps: 200, seeds: [1, 2], halving: 2, minRungSteps: 100 },
      rungs: [{ steps: 200, trials: [], kept: 0 }],
      chosen: { lr: 0.001 },
      ...(chosenAmongChance === undefined ? {} : { chosenAmongChance }),
    });
    const html = page([
      completedRecord({ extractor: { name: 'rnn', label: 'rnn' } }, { tuning: tuning('a', true) }),
      completedRecord({ extractor: { name: 'lstm', label: 'lstm' } }, { tuning: tuning('b', false) }),
    ]);
    const table = html.slice(html.indexOf('<table id="tuning-table"'), html.indexOf('</table>', html.indexOf('<table id="tuning-table"')));
    expect(table).toContain('<td>lr = 0.001 (settings chosen among chance-level trials)</td>');
    expect(table.match(/chance-level/g)).toHaveLength(1);
    const summary = html.slice(html.indexOf('<table id="summary-table"'), html.indexOf('</table>', html.indexOf('<table id="summary-table"')));
    expect(summary.match(/settings chosen among chance-level trials/g)).toHaveLength(1);
    expect(page([completedRecord({}, { tuning: tuning('c') })])).not.toContain('(settings chosen among chance-level trials)');
  });

  it('places trusted intro HTML (the audit) before the charts and links it', () => {
    const html = page([completedRecord()], '<h2 id="claims">Claims</h2>');
    expect(html.indexOf('id="claims"')).toBeLessThan(html.indexOf('class="chart"'));
    expect(html).toContain('href="#claims"');
  });
});

describe('the audit section', () => {
  it('says each kind of exploratory reason once', async () => {
    const { reasonKinds } = await import('../../reports/audit.js');
    expect(
      reasonKinds([
        'seeds below 1000 (1, 2) are development seeds',
        'the quick profile is exploratory by design',
        'seeds below 1000 (1, 2, 3, 4) are development seeds',
      ]),
    ).toEqual(['seeds below 1000 are development seeds', 'the quick profile is exploratory by design']);
  });
});
