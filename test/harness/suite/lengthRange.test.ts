import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/rng.js';
import { acceptedLengths, lengthDrawer, lengthText, parseLengthEntry, rangeText, testGrid } from '../../../harness/suite/lengthRange.js';

describe('length ranges', () => {
  it('parse the flag form, and name a range as the flag writes it', () => {
    expect(parseLengthEntry('lengths', '64')).toBe(64);
    const r = parseLengthEntry('lengths', '1-40:41-500');
    expect(r).toEqual({ train: [1, 40], test: [41, 500], testLengths: 32 });
    expect(rangeText(r as never)).toBe('1-40:41-500');
    expect(lengthText({ length: 40, range: r as never })).toBe('1-40:41-500');
    expect(lengthText({ length: 64 })).toBe('64');
    expect(() => parseLengthEntry('lengths', '1-40')).toThrow(/"1-40" is not a number or a range/);
  });

  it('accept only the task lengths, and spread a test grid evenly with both ends', () => {
    const even = { minLength: 2, lengths: { accepts: (T: number) => T % 2 === 0, rule: 'even lengths' } };
    expect(acceptedLengths(even, [1, 9])).toEqual([2, 4, 6, 8]);
    expect(acceptedLengths({ minLength: 3 }, [1, 5])).toEqual([3, 4, 5]);
    const all = acceptedLengths({ minLength: 1 }, [41, 500]);
    const grid = testGrid(all, 32);
    expect(grid).toHaveLength(32);
    expect(grid[0]).toBe(41);
    expect(grid.at(-1)).toBe(500);
    const gaps = grid.slice(1).map((x, i) => x - grid[i]);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
    expect(testGrid([5, 6, 7], 32)).toEqual([5, 6, 7]);
  });

  it('draw lengths uniformly over the accepted ones, reproducibly', () => {
    const draw = lengthDrawer([2, 4, 6, 8], new Rng(7));
    const again = lengthDrawer([2, 4, 6, 8], new Rng(7));
    const xs = Array.from({ length: 4000 }, draw);
    expect(Array.from({ length: 4000 }, again)).toEqual(xs);
    for (const v of [2, 4, 6, 8]) {
      const share = xs.filter((x) => x === v).length / xs.length;
      expect(share).toBeGreaterThan(0.22);
      expect(share).toBeLessThan(0.28);
    }
  });
});
