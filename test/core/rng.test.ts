import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';

const draw = (r: Rng, n = 8) => Array.from({ length: n }, () => r.nextUint32());

describe('Rng', () => {
  it('gives equal streams for equal seeds and different streams for different seeds', () => {
    expect(draw(new Rng(7))).toEqual(draw(new Rng(7)));
    expect(draw(new Rng(7))).not.toEqual(draw(new Rng(8)));
  });

  it('forks independent, reproducible streams by label', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    draw(a, 100); // drawing from the parent does not move a fork
    expect(draw(a.fork('train'))).toEqual(draw(b.fork('train')));
    expect(draw(a.fork('train'))).not.toEqual(draw(a.fork('eval')));
  });

  it('draws integers uniformly in range', () => {
    const r = new Rng(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400); // ~4.5 sigma
    expect(() => r.int(0)).toThrow(/positive integer/);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and normals with mean 0, variance 1', () => {
    const r = new Rng(4);
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
      su += u;
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });
});
