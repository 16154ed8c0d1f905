import { extractors } from '../../harness/plugins/registries.js';
import { mlpLabel, weightSharing } from '../experiments/weightSharing.js';
import { round } from '../measures.js';
import { sourceOf } from '../preregistration.js';
import { logLogFit } from '../../stats/index.js';
import type { Claim, Profile } from '../types.js';

const EMBED = 64;

/** Analytic parameter counts and training memory (float32 values) of the rnn and the flattened mlp at length T. */
function analytic(p: Profile, T: number) {
  const rnnDef = extractors.get('rnn');
  const mlpDef = extractors.get('mlp');
  const rnnOptions = rnnDef.options.parse({ hidden: p.hidden });
  const mlpOptions = mlpDef.options.parse({ hidden: p.hidden, maxLen: T });
  const rnnParams = rnnDef.width!.params(rnnOptions, EMBED);
  const mlpParams = mlpDef.width!.params(mlpOptions, EMBED);
  // Activations backpropagation through time keeps (B x T x gates x H per layer), from the definition's own estimate.
  const rnnActivations = rnnDef.memory!(rnnOptions, { batch: p.batch, length: T, inputDim: EMBED }).train.reduce((s, t) => s + t.floats, 0);
  return { rnnParams, mlpParams, rnnActivations };
}

export const rnnWeightSharing: Claim = {
  id: 'rnn-weight-sharing',
  source: sourceOf(import.meta.url),
  title: 'Weight sharing makes RNNs memory-efficient',
  byConstruction: "Parameter counts follow from the definitions: the RNN's does not depend on T, the MLP's grows with it.",
  article: 'Because it shares weights across time steps, an RNN is more memory-efficient than a fully connected network.',
  experiment: 'Parameters of rnn against mlp (one ReLU layer over the flattened sequence, sized for each length), computed from the extractor definitions at the profile lengths and at 64 to 1024; the RNN\'s training activation memory from its definition\'s estimate; measured peak training tensor memory of both at the profile lengths (3 training steps).',
  rule:
    "Analytic (parameter counts are definitional: seeds add nothing). Supported if the RNN's parameter count is the same at every length and below the MLP's at every length; contradicted otherwise. How the RNN's training activation memory grows with T (backpropagation through time keeps every step) is reported beside it, descriptive.",
  primary: {
    experiment: 'weight-sharing',
    task: 'recall',
    arms: ['rnn', 'mlp'],
    metric: 'extractor parameters (analytic, from the definitions)',
    test: 'analytic',
    alpha: 0.05,
    direction: 'rnn parameters constant in T and below the mlp\'s at every T',
    where: 'the profile lengths and 64, 128, 256, 512, 1024',
  },
  needs: [weightSharing],
  charts: ['paramCounts', 'memoryVsLength'],
  analyse(ev) {
    const lengths = [...new Set([...ev.profile.lengths, 64, 128, 256, 512, 1024])].sort((a, b) => a - b);
    const rows = lengths.map((T) => ({ T, ...analytic(ev.profile, T) }));
    const shared = rows.every((r) => r.rnnParams === rows[0].rnnParams);
    const fewer = rows.every((r) => r.rnnParams < r.mlpParams);
    const secondary: Record<string, number | string | null> = {};
    for (const r of rows) {
      secondary[`rnn params T=${r.T}`] = r.rnnParams;
      secondary[`mlp params T=${r.T}`] = r.mlpParams;
      secondary[`rnn training activations (MiB, batch ${ev.profile.batch}) T=${r.T}`] = round((4 * r.rnnActivations) / 2 ** 20);
    }
    const growth = logLogFit(rows.map((r) => r.T), rows.map((r) => r.rnnActivations));
    secondary['rnn activation memory ~ T^k, k'] = growth ? round(growth.slope) : null;
    for (const L of ev.profile.lengths) {
      const rnn = ev.completed(weightSharing, { extractor: 'rnn', length: L })[0];
      const mlp = ev.completed(weightSharing, { extractor: mlpLabel(L), length: L })[0];
      secondary[`measured peak MiB rnn T=${L}`] = rnn ? round(rnn.cost.peakTensorBytes / 2 ** 20) : null;
      secondary[`measured peak MiB mlp T=${L}`] = mlp ? round(mlp.cost.peakTensorBytes / 2 ** 20) : null;
    }
    const last = rows[rows.length - 1];
    return {
      kind: 'analytic',
      verdict: fewer && shared ? 'supported' : 'contradicted',
      key: { label: `mlp / rnn parameters at T=${last.T}`, value: last.mlpParams / last.rnnParams },
      reason: `RNN parameters: ${rows[0].rnnParams} at every length (${shared ? 'shared' : 'not shared'}); MLP: ${rows[0].mlpParams} at T=${rows[0].T} to ${last.mlpParams} at T=${last.T}. The RNN's training activations grow as T^${growth ? round(growth.slope) : '?'} (${round((4 * rows[0].rnnActivations) / 2 ** 20)} MiB at T=${rows[0].T}, ${round((4 * last.rnnActivations) / 2 ** 20)} MiB at T=${last.T}).`,
      secondary,
      caveats: ['Parameters are shared across time; training memory is not: backpropagation through time keeps every step\'s activations, so memory grows linearly in T for the RNN too.'],
    };
  },
};
