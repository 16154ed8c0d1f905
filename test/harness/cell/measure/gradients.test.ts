/**
 * The gradient measurements against cases where the answer is known by hand.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../kernels/backend.js';
import {
  ExplosionDetector,
  isVanishing,
  profileSlope,
  sensitivityProfile,
  stepsToThreshold,
  variableGroup,
} from '../../../../harness/cell/measure/gradients.js';
import { buildModel } from '../../../../harness/cell/model.js';
import { Rng } from '../../../../core/rng.js';
import { defineExtractor } from '../../../../extractors/types.js';
import { builtinTasks } from '../../../../tasks/index.js';

beforeAll(async () => {
  await initBackend('cpu'); // exact float32 arithmetic is all this needs
});

/**
 * A linear recurrence h_t = w * h_{t-1} + x_t on every channel, output h. With the readout
 * at the last position, dL/dx_t = w^(T-1-t) * dL/dh_{T-1}: the sensitivity decays exactly
 * as |w|^distance (Pascanu et al.'s linear case).
 */
const linearRecurrence = defineExtractor({
  name: 'linear-recurrence',
  description: 'h_t = w h_{t-1} + x_t',
  options: z.object({ w: z.number() }).strict(),
  create(o, ctx) {
    return {
      variables: {},
      outputDim: ctx.inputDim,
      apply(x) {
        const [B, T, D] = x.shape;
        const steps = tf.unstack(x, 1); // T x [B, D]
        let h = tf.zeros([B, D]);
        const hs: tf.Tensor[] = [];
        for (let t = 0; t < T; t++) hs.push((h = tf.add(tf.mul(h, o.w), steps[t])));
        return tf.stack(hs, 1) as tf.Tensor3D; // [B, T, D]
      },
      flops: () => 0,
    };
  },
});

describe('sensitivity profile', () => {
  const recall = builtinTasks.find((t) => t.name === 'recall')!;
  const task = recall.create(recall.options.parse({ symbols: 4 }));

  for (const w of [0.5, 0.9, 1.5]) {
    it(`decays as w^distance for a linear recurrence with w = ${w}`, () => {
      const T = 10;
      const model = buildModel(task, linearRecurrence, linearRecurrence.options.parse({ w }), { embedDim: 4, readout: 'last' }, new Rng(1));
      const t = model.toTensors(task.sample(new Rng(2), 8, T));
      const profile = sensitivityProfile(model, t);
      expect(profile).toHaveLength(T);
      // Each sample's gradient at position t is w^(T-1-t) times its gradient at the readout.
      for (let i = 0; i < T; i++) expect(profile[i] / profile[T - 1]).toBeCloseTo(w ** (T - 1 - i), 4);
      expect(profileSlope(profile)!).toBeCloseTo(Math.log10(w), 5);
      tf.dispose([t.inputs, t.targets]);
      model.dispose();
    });
  }

  it('flags vanishing only when the far end falls below 1e-6 of the readout', () => {
    expect(isVanishing([1e-7, 1e-3, 1])).toBe(true);
    expect(isVanishing([2e-6, 1e-3, 1])).toBe(false);
    expect(isVanishing([1])).toBe(false);
  });

  it('leaves positions with no gradient path out of the slope', () => {
    // Positions 0 and 1 unreachable (e.g. beyond a receptive field): slope from the rest, log10 10 per step = -1.
    expect(profileSlope([0, 0, 0.01, 0.1, 1])).toBeCloseTo(-1, 10);
    expect(profileSlope([0, 0, 1])).toBeNull();
  });
});

describe('explosion detector', () => {
  it('flags the first step above 1000x the running median of the earlier steps', () => {
    const d = new ExplosionDetector();
    [1, 2, 1, 2, 1, 2, 1500, 2500].forEach((n, i) => d.observe(i + 1, n));
    // median of [1,2,1,2,1,2] = 1.5; 1500 is 1000x exactly (not above); 2500 > 1000 x median(1,1,1,2,2,2,1500) = 2000
    expect(d.explodingStep).toBe(8);
  });

  it('needs a few steps of history before judging', () => {
    const d = new ExplosionDetector();
    [1e-6, 1, 1].forEach((n, i) => d.observe(i + 1, n));
    expect(d.explodingStep).toBeUndefined();
  });
});

describe('steps to threshold', () => {
  it('finds where the smoothed loss closed 90% of its fall', () => {
    // 40 steps: window 2. Loss falls linearly from 10 to 0 over steps 1..11, then stays 0.
    const loss = Array.from({ length: 40 }, (_, i) => Math.max(0, 10 - i));
    // smoothed[j] = mean(loss[j], loss[j+1]) = 9.5 - j for j <= 9; start 9.5, min 0, target 0.95 -> first j with 9.5 - j <= 0.95 is j = 9 (0.5) ... j=8 gives 1.5
    expect(stepsToThreshold(loss)).toBe(9 + 2);
    expect(stepsToThreshold([1, 1, 1, 1])).toBeNull();
  });
});

describe('variable groups', () => {
  it('groups variables by extractor layer or block', () => {
    expect(variableGroup('embedding.weight')).toBe('embedding');
    expect(variableGroup('head.bias')).toBe('head');
    expect(variableGroup('extractor.weight_hh_l1')).toBe('layer.1');
    expect(variableGroup('extractor.layers.0.self_attn.in_proj_weight')).toBe('layers.0');
    expect(variableGroup('extractor.blocks.3.conv1.weight')).toBe('blocks.3');
    expect(variableGroup('extractor.proj.weight')).toBe('proj');
  });
});
