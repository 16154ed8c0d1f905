/** The example suites parse, expand against the built-in plugins, and do what the README says they do. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupBy } from '../../harness/store/aggregate.js';
import { cellState } from '../../harness/cost/state.js';
import { expandSuite, parseSuite } from '../../harness/suite/suite.js';
import { builtinExtractors } from '../../extractors/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const load = (name: string) => parseSuite(JSON.parse(readFileSync(path.join(root, 'examples/suites', name), 'utf8')), name);

describe('examples/suites/zoology.json', () => {
  const cells = expandSuite(load('zoology.json'));

  it('runs mqar and recall through every built-in extractor', () => {
    expect(new Set(cells.map((c) => c.task.name))).toEqual(new Set(['mqar', 'recall']));
    expect(new Set(cells.map((c) => c.extractor.name))).toEqual(new Set(builtinExtractors.map((d) => d.name)));
  });

  it('runs every extractor at two or more widths, so the report can draw accuracy against state size', () => {
    for (const [name, cs] of groupBy(cells, (c) => c.extractor.name)) {
      const widths = new Set(cs.map((c) => c.extractor.options[cellState(c).widthOption!]));
      expect(widths.size, name).toBeGreaterThanOrEqual(2);
      // mlp's state is its input window, whatever its width; everyone else's grows with it.
      if (name !== 'mlp') expect(new Set(cs.map((c) => cellState(c).stateBytes)).size, name).toBeGreaterThanOrEqual(2);
    }
  });
});
