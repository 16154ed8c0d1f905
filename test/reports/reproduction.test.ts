/**
 * The report's "Paper vs fxbench" section (reports/reproduction.ts): one row per number with
 * the paper's value and source, ours, the criterion in words and the verdict with why; the
 * budget notes and what the recipe leaves out; every string escaped; and the page opens with it.
 */
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../reports/page.js';
import { renderReproductionSection } from '../../reports/reproduction.js';
import { compareRecipe } from '../../reproduce/compare.js';
import { parseRecipe } from '../../reproduce/load.js';
import { completedRecord, EVIL } from './fixtures.js';

function reproduction(text = 'plain') {
  const recipe = parseRecipe(
    {
      id: 'demo',
      paper: { authors: `Ada Author, ${text}`, year: 2020, title: `Title ${text}`, venue: 'Venue', url: 'https://example.org/a?b=1&c=2' },
      summary: `Summary ${text}`,
      profiles: {
        quick: { suites: [{ name: 'demo-a', tasks: ['recall'], extractors: ['rnn'], lengths: [8] }] },
        full: {
          suites: [{ name: 'demo-a', tasks: ['recall'], extractors: ['rnn'], lengths: [8, 16] }],
          scaled: { paper: `1M steps ${text}`, ours: '1k steps', why: 'two cores' },
        },
      },
      numbers: [
        {
          id: 'solved',
          what: `RNN recall ${text}`,
          unit: '%',
          scale: 100,
          value: 100,
          source: { where: `Table 2 ${text}`, page: 7 },
          select: { suite: 'demo-a', task: 'recall', extractor: 'rnn', length: 8, statistic: 'max' },
          criterion: { kind: 'side', threshold: 90 },
        },
        {
          id: 'longer',
          what: 'RNN recall at 16',
          unit: '%',
          scale: 100,
          value: 80,
          source: { where: 'Figure 3', approximate: true },
          select: { suite: 'demo-a', task: 'recall', extractor: 'rnn', length: 16, statistic: 'mean' },
          criterion: { kind: 'within', points: 5 },
        },
      ],
      notes: [`Left out: ${text}`],
    },
    'demo.json',
  );
  const records = [1, 2].map((seed) => completedRecord({ seed }, { suite: 'demo-a', metrics: { value: 0.95 } }));
  return { recipe, comparison: compareRecipe(recipe, 'quick', records) };
}

describe('Paper vs fxbench', () => {
  it('one row per number: the paper with its source, ours, the criterion and the verdict with why', () => {
    const html = renderReproductionSection(reproduction());
    expect(html).toContain('<h2 id="reproduction">Paper vs fxbench</h2>');
    const rows = html.match(/<tr id="number-[^"]+">.*?<\/tr>/g)!;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('100%<br><small>Table 2 plain, p. 7</small>');
    expect(rows[0]).toContain('<td>max 95% (2 seeds)</td>');
    expect(rows[0]).toContain('above 90%, the paper&#39;s side');
    expect(rows[0]).toMatch(/>reproduced<\/span><br><small>ours 95% is above 90%, as the paper&#39;s<\/small>/);
    expect(rows[1]).toContain('≈ 80%<br><small>Figure 3 - approximate');
    expect(rows[1]).toMatch(/>not run<\/span><br><small>this run has no record of demo-a: recall, rnn, T = 16<\/small>/);
    expect(html).toContain('1 reproduced, 0 partly, 0 not, 1 not run');
    expect(html).toContain('<b>Indicative:</b>');
    expect(html).toContain('<td>1M steps plain</td><td>1k steps</td><td>two cores</td>');
    expect(html).toContain('<li>Left out: plain</li>');
    expect(html).toContain('href="https://example.org/a?b=1&amp;c=2"');
  });

  it('escapes every string that comes from the recipe', () => {
    const html = renderReproductionSection(reproduction(EVIL));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('opens the page, before the results table, with an entry in the contents', () => {
    const records = [completedRecord({ seed: 1 }, { suite: 'demo-a' })];
    const html = renderPage({
      records,
      charts: [],
      svgs: new Map(),
      scripts: [],
      generatedAt: '2026-01-02T03:04:05.000Z',
      opening: renderReproductionSection(reproduction()),
    });
    const at = html.indexOf('<h2 id="reproduction">');
    expect(at).toBeGreaterThan(html.indexOf('</header>'));
    expect(at).toBeLessThan(html.indexOf('<h2 id="numbers">'));
    const toc = html.slice(html.indexOf('<nav class="toc"'), html.indexOf('</nav>'));
    expect(toc).toContain('href="#reproduction">Paper vs fxbench</a>');
  });
});
