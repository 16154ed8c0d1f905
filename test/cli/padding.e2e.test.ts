/** The CLI refuses an extractor declaring padding 'refuses' on a task that pads: one line, exit 2, before any work. */
import { describe, expect, it } from 'vitest';
import { fxbench } from './helpers.js';

describe("padding 'refuses' through the CLI", () => {
  it('the CLI refuses it with one line and exit code 2', async () => {
    const r = await fxbench([
      '--plugin',
      './test/fixtures/plugins/refuses-mask.mjs',
      'run',
      '--tasks',
      'agreement',
      '--extractors',
      'refuser',
      '--lengths',
      '12',
      '--out',
      '/nonexistent/never.jsonl',
    ]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^plugin .*refuses-mask\.mjs: registered extractor refuser$/); // the plugin loader's note
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(/^fxbench: extractor refuser declares padding 'refuses'/);
  });
});
