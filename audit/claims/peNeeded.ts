import { equivalence, fisherComponent, tostComponent } from '../components.js';
import { pe, peLabel, peTrainLength } from '../experiments/pe.js';
import { meanOf, pairedBySeed, round, score, solveCount } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing, noControl } from './lib.js';

const SIN = peLabel('sinusoidal');
const NONE = peLabel('none');
const ADDING_MARGIN = 0.05;
const RECALL_MARGIN = 0.1;

export const peNeeded: Claim = {
  id: 'pe-needed',
  source: sourceOf(import.meta.url),
  title: 'Without positional encoding the Transformer loses word order',
  byConstruction:
    'An encoder without positions read at the last position is permutation-equivariant, so it cannot do better than chance on first-token recall whatever it learns; a test of the claim where it is not true by construction (a causal Transformer without positions, which the literature reports learns order) is still to come.',
  article: 'Reading all tokens in parallel loses word order, so positions are encoded on top of the input embedding.',
  experiment:
    'Transformer with sinusoidal positions and without any on an order-sensitive task (leak-free first-token recall: a position-blind model is exactly at chance) and an order-insensitive one (adding: a sum over marked pairs, whatever their positions), same seeds.',
  rule: `Two parts, both needed (intersection-union: p is the larger). Order-sensitive: Fisher's exact test (two-sided) on the seeds that solved recall, sinusoidal against none. Order-insensitive control: a paired TOST that the adding scores of the two are equivalent within ±${ADDING_MARGIN} (score units). Decided only if the sinusoidal model solved recall on at least half its seeds (the positive control). Supported if both parts hold, contradicted if positions-free solves recall significantly more often (Holm over the primary tests, family alpha 0.05). No effect: the recall scores are equivalent within ±${RECALL_MARGIN} (paired TOST).`,
  primary: {
    experiment: 'pe',
    task: 'recall (and adding as the control)',
    arms: [SIN, NONE],
    metric: 'recall: seeds solved on test; adding: test score (0 at chance, 1 perfect)',
    test: 'fisher exact',
    alpha: 0.05,
    direction: 'sinusoidal solves recall more often than none, and both score alike on adding',
    sesoi: { value: 0.5, unit: 'solve-rate difference' },
    margin: { value: RECALL_MARGIN, unit: 'recall score difference' },
    where: 'the one training length (twice the shortest profile length), if sinusoidal solved recall on at least half its seeds',
  },
  needs: [pe],
  charts: ['ablations', 'stepsToSolveCurves'],
  analyse(ev) {
    const L = peTrainLength(ev.profile);
    const sin = solveCount(ev, pe, { task: 'recall', extractor: SIN, length: L });
    const none = solveCount(ev, pe, { task: 'recall', extractor: NONE, length: L });
    const adding = pairedBySeed(ev, pe, { task: 'adding', length: L }, [SIN, NONE], score);
    const recall = pairedBySeed(ev, pe, { task: 'recall', length: L }, [SIN, NONE], score);
    if (!sin.n || !none.n || !adding.seeds.length) return missing('the positional-encoding cells');
    const secondary = {
      'recall solved, sinusoidal': fraction(sin.solved, sin.n),
      'recall solved, none': fraction(none.solved, none.n),
      'recall mean score, sinusoidal': round(meanOf(recall.values[0])),
      'recall mean score, none': round(meanOf(recall.values[1])),
      'adding mean score, sinusoidal': round(meanOf(adding.values[0])),
      'adding mean score, none': round(meanOf(adding.values[1])),
    };
    if (sin.solved < sin.n / 2) return { ...noControl('recall', [SIN], [L], ev.profile.steps), secondary };
    const order = fisherComponent(`recall solved: sinusoidal ${fraction(sin.solved, sin.n)} against none ${fraction(none.solved, none.n)}`, sin.solved, sin.n, none.solved, none.n, { sign: 1, sesoi: 0.5 });
    const control = tostComponent(`adding scores equivalent within ±${ADDING_MARGIN}`, adding.values[0], adding.values[1], { margin: ADDING_MARGIN, unit: 'score difference' });
    return {
      kind: 'test',
      components: [order, control],
      equivalence: equivalence(`recall scores equivalent within ±${RECALL_MARGIN}`, recall.values[0], recall.values[1], RECALL_MARGIN, 'score difference'),
      at: `T=${L}`,
      key: { label: 'recall solve-rate difference, sinusoidal - none', value: order.effect.value, ci: order.effect.ci },
      reason: `Recall solved on ${fraction(sin.solved, sin.n)} seeds with sinusoidal positions and ${fraction(none.solved, none.n)} without; adding scores ${round(meanOf(adding.values[0]))} and ${round(meanOf(adding.values[1]))}.`,
      secondary,
      caveats: ['Without positions, self-attention is permutation-equivariant: the readout sees the multiset of tokens, which decides adding but not which token came first.'],
    };
  },
};
