/** `fxbench quick`: the built-in quick suite over every registered extractor, with a report. */
import { extractors } from '../../harness/plugins/registries.js';
import { QUICK_SUITE } from '../../harness/suite/builtin.js';
import { defaultOut } from './controls.js';
import { runAndReport } from './run.js';
import { runFlags, suiteFromArgs } from './runFlags.js';
import { defineCommand } from './types.js';

export const quick = defineCommand({
  command: 'quick',
  describe: 'run the built-in quick suite (every extractor x recall, adding x two lengths) and write a report',
  builder: (y) => runFlags(y),
  handler: async (a, { argv }) => {
    const { input, origin } = suiteFromArgs(a, { ...QUICK_SUITE, extractors: extractors.names() }, argv); // every registered extractor, plugins included
    const out = a.out ?? defaultOut(input.name ?? 'quick');
    await runAndReport(input, { ...a, out }, a.report ?? out.replace(/\.jsonl$/, '-report'), origin, a.out ? argv : [...argv, '--out', out]);
  },
});
