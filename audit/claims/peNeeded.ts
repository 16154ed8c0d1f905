import { equivalence, pairedComponent } from '../components.js';
import { causalLabel, pe, peLabel, peTrainLength } from '../experiments/pe.js';
import { meanOf, pairedBySeed, round, score, solveCount } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import type { Claim } from '../types.js';
import { fraction, missing } from './lib.js';

const SIN = peLabel('sinusoidal');
const NONE = peLabel('none');
const CAUSAL_SIN = causalLabel('sinusoidal');
const CAUSAL_NONE = causalLabel('none');
/** Smallest recall-score advantage of positions that would matter (0 chance, 1 perfect). */
const SESOI = 0.2;
/** "No effect": the causal models with and without positions score alike within this (paired TOST). */
const RECALL_MARGIN = 0.1;
/** The causal model with positions must learn recall at least this well, or a tie says nothing. */
const CONTROL_SCORE = 0.5;

export const peNeeded: Claim = {
  id: 'pe-needed',
  source: sourceOf(import.meta.url),
  title: 'Without positional encoding the Transformer loses word order',
  article: 'Reading all tokens in parallel loses word order, so positions are encoded on top of the input embedding.',
  experiment:
    'Causal Transformers (decoder-style masking) with sinusoidal positions and without any (NoPE) on an order-sensitive task (leak-free first-token recall) and an order-insensitive one (adding), same seeds; the same pair as bidirectional encoders, where a model without positions is permutation-equivariant and cannot do better than chance on recall: a sanity check, descriptive.',
  rule: `Tested where it is not true by construction: per seed, the recall score (0 at chance, 1 perfect) of the causal Transformer with sinusoidal positions minus that of the causal Transformer without positions. A two-sided paired t-test over seeds. Decided only if the causal model with positions learns recall (mean score at least ${CONTROL_SCORE}: the positive control). Supported if positions score significantly higher, contradicted if the model without positions does (Holm over the primary tests, family alpha 0.05); smallest effect of interest ${SESOI}. No effect: equivalent within ±${RECALL_MARGIN} (paired TOST), what the literature reports for causal models without positions (Haviv et al. 2022; Kazemnejad et al. 2023). The encoders' recall and both pairs' adding scores are descriptive.`,
  primary: {
    experiment: 'pe',
    task: 'recall',
    arms: [CAUSAL_SIN, CAUSAL_NONE],
    metric: 'recall test score per seed (0 at chance, 1 perfect)',
    test: 'paired t',
    alpha: 0.05,
    direction: 'the causal model with sinusoidal positions scores higher than without',
    sesoi: { value: SESOI, unit: 'score difference' },
    margin: { value: RECALL_MARGIN, unit: 'score difference' },
    where: `the one training length (twice the shortest profile length), if the causal model with positions scores at least ${CONTROL_SCORE}`,
  },
  needs: [pe],
  charts: ['ablations', 'stepsToSolveCurves'],
  analyse(ev) {
    const L = peTrainLength(ev.profile);
    const recall = pairedBySeed(ev, pe, { task: 'recall', length: L }, [CAUSAL_SIN, CAUSAL_NONE], score);
    if (!recall.seeds.length) return missing('the causal positional-encoding cells');
    const secondary: Record<string, number | string | null> = {};
    for (const label of [SIN, NONE, CAUSAL_SIN, CAUSAL_NONE]) {
      for (const task of ['recall', 'adding'] as const) {
        const rs = ev.completed(pe, { task, extractor: label, length: L });
        secondary[`${task} mean score, ${label}`] = rs.length ? round(meanOf(rs.map(score))) : null;
      }
      const c = solveCount(ev, pe, { task: 'recall', extractor: label, length: L });
      secondary[`recall solved, ${label}`] = c.n ? fraction(c.solved, c.n) : null;
    }
    const [withPos, without] = recall.values;
    if (!(meanOf(withPos) >= CONTROL_SCORE)) {
      return {
        kind: 'undecidable',
        reason: `No positive control: the causal Transformer with positions scored ${round(meanOf(withPos))} on recall, below ${CONTROL_SCORE}.`,
        needs: 'a longer training budget (or tuning) until the causal model with positions learns recall',
        secondary,
        caveats: [],
      };
    }
    const c = pairedComponent(`recall score, causal sinusoidal minus causal none, ${recall.seeds.length} seeds`, withPos, without, { sign: 1, unit: 'score difference', sesoi: SESOI });
    return {
      kind: 'test',
      components: [c],
      equivalence: equivalence(`causal recall scores within ±${RECALL_MARGIN}`, withPos, without, RECALL_MARGIN, 'score difference'),
      at: `T=${L}, causal`,
      key: { label: 'recall score, causal sinusoidal - causal none', value: c.effect.value, ci: c.effect.ci },
      reason: `Causal models: recall ${round(meanOf(withPos))} with sinusoidal positions, ${round(meanOf(without))} without (${recall.seeds.length} shared seeds). Encoders (sanity check): ${secondary[`recall mean score, ${SIN}`]} with positions, ${secondary[`recall mean score, ${NONE}`]} without.`,
      secondary,
      caveats: ['The article speaks of the encoder, where the claim holds by construction (the sanity check above); the causal test asks whether positions are needed at all once the mask breaks the symmetry.'],
    };
  },
};
