import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { clusterSeedsNeeded, normalPower, twoWayClusterBootstrap } from '../../stats/cluster.js';

/** A seeds x files table: d = effect + seed offset + file offset (+ noise), weight 1. */
function table(S: number, F: number, effect: number, seedSd: number, fileSd: number, rng: Rng) {
  const seed = Array.from({ length: S }, () => seedSd * rng.normal());
  const file = Array.from({ length: F }, () => fileSd * rng.normal());
  const d = seed.map((a) => file.map((b) => effect + a + b + 0.01 * rng.normal()));
  return { d, w: d.map((row) => row.map(() => 1)) };
}

describe('two-way cluster bootstrap (seeds x test files)', () => {
  it('the estimate is the mean over seeds of the weighted file mean; weights count samples', () => {
    const b = twoWayClusterBootstrap(
      [
        [1, 3],
        [2, 2],
      ],
      [
        [1, 3],
        [1, 1],
      ],
      { rng: new Rng(1), resamples: 200 },
    );
    // seed 0: (1 + 9) / 4 = 2.5; seed 1: 2; mean 2.25
    expect(b.estimate).toBeCloseTo(2.25, 12);
  });

  it('file-level variation widens the interval beyond what seeds alone show, and the split sees which part it is', () => {
    const rng = new Rng(2);
    const files = table(10, 30, 0.1, 0.001, 0.2, rng);
    const b = twoWayClusterBootstrap(files.d, files.w, { rng: new Rng(3) });
    expect(b.seFiles).toBeGreaterThan(10 * b.seSeeds);
    expect(b.se).toBeGreaterThan(0.02); // ~0.2 / sqrt(30)
    expect(b.ci[0]).toBeLessThan(b.estimate);
    expect(b.ci[1]).toBeGreaterThan(b.estimate);
    expect(b.ci[1] - b.ci[0]).toBeGreaterThan(3 * b.se); // about 2 x 1.96 standard errors
    // More seeds cannot shrink the file part: at a small effect no seed count decides it.
    expect(clusterSeedsNeeded(0.02, b, 10, 0.05)).toBeNull();
    const seeds = twoWayClusterBootstrap(table(10, 30, 0.1, 0.2, 0.001, new Rng(4)).d, files.w, { rng: new Rng(5) });
    expect(seeds.seSeeds).toBeGreaterThan(10 * seeds.seFiles);
    expect(clusterSeedsNeeded(0.1, seeds, 10, 0.05)).toBeGreaterThan(10);
  });

  it('p: small for a clear effect, not small for none; never below 1/B', () => {
    const clear = table(8, 20, 0.3, 0.02, 0.02, new Rng(6));
    const b = twoWayClusterBootstrap(clear.d, clear.w, { rng: new Rng(7), resamples: 500 });
    expect(b.p).toBe(1 / 500);
    const none = table(8, 20, 0, 0.05, 0.05, new Rng(8));
    expect(twoWayClusterBootstrap(none.d, none.w, { rng: new Rng(9), resamples: 500 }).p).toBeGreaterThan(0.05);
  });

  it('normal power: 0.05 at no effect (two-sided alpha), 0.8 at (z_0.975 + z_0.8) standard errors', () => {
    expect(normalPower(0, 1, 0.05)).toBeCloseTo(0.05, 6);
    expect(normalPower(1.959964 + 0.841621, 1, 0.05)).toBeCloseTo(0.8, 3);
  });

  it('refuses tables that are not seeds x files', () => {
    expect(() => twoWayClusterBootstrap([], [], { rng: new Rng(1) })).toThrow(RangeError);
    expect(() => twoWayClusterBootstrap([[1, 2]], [[1]], { rng: new Rng(1) })).toThrow(/seeds x files/);
  });
});
