/**
 * `fxbench reproduce` in-process (cli/commands/reproduce.ts through cli/main.ts): `--list`
 * names the committed recipes, and bad input stops before any work with one line (a
 * UsageError, which the CLI prints and exits 2 with: test/cli/reproduce.e2e.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { UsageError } from '../../core/errors.js';

afterEach(() => vi.restoreAllMocks());

/** The one-line message `fxbench args...` stops with. */
async function refusal(args: string[]): Promise<string> {
  try {
    await main(args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`fxbench ${args.join(' ')} did not stop`);
}

describe('fxbench reproduce', () => {
  it('--list names every recipe with its paper and one line', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    await main(['reproduce', '--list']);
    const text = out.join('');
    for (const id of ['bai2018', 'deletang2023', 'le2015', 'tallec2018', 'zoology2023']) expect(text).toMatch(new RegExp(`^${id} +\\S`, 'm'));
    expect(text).toContain('Tallec & Ollivier 2018, "Can recurrent neural networks warp time?" (ICLR 2018)');
  });

  it('refuses an unknown recipe, an unknown profile and a missing id with one line each', async () => {
    expect(await refusal(['reproduce', 'talec2018'])).toMatch(
      /^unknown recipe "talec2018": did you mean "tallec2018"\? \(recipes: bai2018, deletang2023, le2015, tallec2018, zoology2023/,
    );
    expect(await refusal(['reproduce', 'tallec2018', '--profile', 'quik'])).toBe('unknown profile "quik": did you mean "quick"? (profiles: quick, full)');
    expect(await refusal(['reproduce'])).toMatch(/^give a recipe id, e\.g\. fxbench reproduce tallec2018 --profile quick/);
  });

  it('refuses --resume without the folder of the run to continue, before any work', async () => {
    expect(await refusal(['reproduce', 'tallec2018', '--profile', 'quick', '--resume'])).toMatch(/^--resume needs --out/);
  });
});
