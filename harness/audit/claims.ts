/**
 * The article's claims, each with its experiment and its decision rule, fixed here before
 * any data exists. `rule` states in words what `decide` computes; the report prints both
 * the rule and the numbers it was applied to.
 */
import { leastSquares } from '../stats.js';
import type { CompletedRecord } from '../results.js';
import { both, ci, compare, estimateOf, lower, margin, missing, round, stepsToLoss, upper } from './rules.js';
import type { Claim, Decision, Estimate, Evidence, Verdict } from './types.js';

const RNN_FAMILY = ['rnn', 'lstm', 'gru'];
const lastLength = (ev: Evidence) => ev.profile.lengths[ev.profile.lengths.length - 1];
const firstLength = (ev: Evidence) => ev.profile.lengths[0];
/** Margin used to compare single-seed means (indicative runs), in the unit of the quantity compared. */
const SLOPE_MARGIN = 0.005; // log10 per position
const SCORE_MARGIN = 0.05; // fraction of the way from chance to perfect
const RATIO_MARGIN = 0.1; // first/last layer gradient-norm ratio

const rnnGradients: Claim = {
  id: 'rnn-gradients',
  title: "A plain RNN's gradients vanish or explode over long sequences",
  article: 'RNNs suffer vanishing and exploding gradients when learning long sequences, so long-distance dependencies are hard to learn.',
  experiment:
    'Per-position sensitivity ||dL/dx_t|| of rnn, lstm, gru, transformer and tcn on recall at every profile length, at initialisation and after training; and an RNN whose recurrent matrix starts as rho x a random orthogonal matrix, rho = 0.5, 1, 2 (Pascanu et al.: spectral radius below and above 1).',
  rule:
    'Supported if, at initialisation, the log-sensitivity slope per position is below -0.005 for rho = 0.5 (vanishing) and above +0.005 for rho = 2 (exploding), and after training the default RNN decays more steeply than the LSTM at the longest length (intervals apart; one seed: by more than 0.005). Contradicted if neither regime appears, or the RNN decays less steeply than the LSTM. Otherwise inconclusive.',
  needs: ['rnn-radius', 'recall-lengths'],
  charts: ['gradientProfile', 'gradNormOverTraining'],
  decide(ev) {
    const L = lastLength(ev);
    const slope = (exp: string, extractor: string, length: number, when: 'slopeInit' | 'slopeTrained') =>
      ev.estimate(exp, { extractor, length }, (r) => r.gradients[when]);
    const low = slope('rnn-radius', 'rnn-rho0.5', ev.profile.long, 'slopeInit');
    const high = slope('rnn-radius', 'rnn-rho2', ev.profile.long, 'slopeInit');
    const rnn = slope('recall-lengths', 'rnn', L, 'slopeTrained');
    const lstm = slope('recall-lengths', 'lstm', L, 'slopeTrained');
    if (!low || !high || !rnn || !lstm) return missing('the radius sweep or the trained rnn/lstm profiles');
    const vanishes = upper(low) < -SLOPE_MARGIN;
    const explodes = lower(high) > SLOPE_MARGIN;
    const steeper = compare(rnn, lstm, SLOPE_MARGIN);
    let verdict: Verdict = 'inconclusive';
    if (vanishes && explodes && steeper === 'less') verdict = 'supported';
    else if ((!vanishes && !explodes) || steeper === 'greater') verdict = 'contradicted';
    return {
      verdict,
      key: { label: `trained rnn log10-sensitivity slope per position at T=${L}`, value: rnn.mean, ci: ci(rnn) },
      reason: `At initialisation the slope is ${round(low.mean)} per position with rho=0.5 and ${round(high.mean)} with rho=2 (${vanishes ? 'vanishing' : 'no vanishing'}, ${explodes ? 'exploding' : 'no explosion'}); after training the RNN's slope is ${round(rnn.mean)} against the LSTM's ${round(lstm.mean)} (${steeper === 'less' ? 'steeper' : steeper === 'greater' ? 'flatter' : 'not distinguishable'}).`,
      numbers: { slopeRho05: round(low.mean), slopeRho1: round(slope('rnn-radius', 'rnn-rho1', ev.profile.long, 'slopeInit')?.mean ?? NaN), slopeRho2: round(high.mean), rnnTrained: round(rnn.mean), lstmTrained: round(lstm.mean) },
      caveats: ['tanh saturates: a spectral radius above 1 is necessary for exploding gradients, not sufficient (Pascanu et al. 2013).'],
    };
  },
};

/** Above-chance margin of each extractor on recall at a length. */
const recallMargin = (ev: Evidence, extractor: string, length: number) => ev.estimate('recall-lengths', { extractor, length }, margin);

const rnnLongRange: Claim = {
  id: 'rnn-long-range',
  title: 'Plain RNNs fail to use long-range dependencies in practice',
  article: 'Although an RNN can in theory capture long-term dependencies, in practice the gradient problems keep it from doing so.',
  experiment: 'recall of the first token (distance T-1) at every profile length for rnn, lstm, gru, transformer and tcn, same data and budget.',
  rule:
    "Score = (accuracy - chance) / (1 - chance). Supported if the RNN scores at least 0.5 at the shortest length and, at some longer length, at most 0.1 (chance) while another extractor scores at least 0.5 there (the task is learnable with this budget at that length). Contradicted if the RNN scores at least 0.5 at the longest length. Otherwise inconclusive. (Until 2026-11-30 the rule looked at the longest length only, which no extractor may learn within the budget.)",
  needs: ['recall-lengths'],
  charts: ['metricVsLength'],
  decide(ev) {
    const short = recallMargin(ev, 'rnn', firstLength(ev));
    const long = recallMargin(ev, 'rnn', lastLength(ev));
    if (!short || !long) return missing('rnn on recall');
    // The best other extractor at each length, by mean.
    const bestAt = (L: number) =>
      ['lstm', 'gru', 'transformer', 'tcn']
        .map((e) => [e, recallMargin(ev, e, L)] as const)
        .filter((x): x is readonly [string, Estimate] => !!x[1])
        .reduce<readonly [string, Estimate] | undefined>((a, b) => (!a || b[1].mean > a[1].mean ? b : a), undefined);
    // The shortest length past the first where the RNN is at chance and another extractor learned.
    const failing = ev.profile.lengths.slice(1).find((L) => {
      const rnn = recallMargin(ev, 'rnn', L);
      const best = bestAt(L);
      return rnn && upper(rnn) <= 0.1 && best && lower(best[1]) >= 0.5;
    });
    const at = failing ?? lastLength(ev);
    const rnnAt = recallMargin(ev, 'rnn', at)!;
    const best = bestAt(at);
    let verdict: Verdict = 'inconclusive';
    if (lower(long) >= 0.5) verdict = 'contradicted';
    else if (lower(short) >= 0.5 && failing !== undefined) verdict = 'supported';
    return {
      verdict,
      key: { label: `rnn score above chance at T=${at}`, value: rnnAt.mean, ci: ci(rnnAt) },
      reason: `The RNN scores ${round(short.mean)} at T=${firstLength(ev)} and ${round(rnnAt.mean)} at T=${at}; the best other extractor there (${best?.[0] ?? 'none'}) scores ${round(best?.[1].mean ?? NaN)}.${failing === undefined ? ' No length has the RNN at chance while another extractor learned.' : ''}`,
      numbers: Object.fromEntries(ev.profile.lengths.flatMap((L) => ['rnn', 'lstm', 'gru', 'transformer', 'tcn'].map((e) => [`${e}@${L}`, round(recallMargin(ev, e, L)?.mean ?? NaN)]))),
      caveats: ['A fixed training budget: an RNN at chance here might learn with many more steps; the claim is about practice, which the budget stands for.'],
    };
  },
};

const lstmMitigates: Claim = {
  id: 'lstm-mitigates',
  title: "LSTM's cell state and gates mitigate the RNN's problems",
  article: "LSTM's cell state and forget, input and output gates fix the RNN's vanishing gradients and long-dependency problem.",
  experiment: 'From the recall length sweep: the longest length each of rnn and lstm solves (score >= 0.8), and their sensitivity slopes after training at the longest length.',
  rule:
    'Supported if the LSTM solves a longer length than the RNN and its trained sensitivity does not decay more steeply than the RNN\'s. Contradicted if the RNN solves a longer length than the LSTM. Otherwise inconclusive.',
  needs: ['recall-lengths'],
  charts: ['metricVsLength', 'gradientProfile'],
  decide(ev) {
    const solved = (e: string) => Math.max(0, ...ev.profile.lengths.filter((L) => { const m = recallMargin(ev, e, L); return m !== undefined && lower(m) >= 0.8; }));
    const rnnL = solved('rnn');
    const lstmL = solved('lstm');
    const L = lastLength(ev);
    const rs = ev.estimate('recall-lengths', { extractor: 'rnn', length: L }, (r) => r.gradients.slopeTrained);
    const ls = ev.estimate('recall-lengths', { extractor: 'lstm', length: L }, (r) => r.gradients.slopeTrained);
    if (!rs || !ls) return missing('rnn and lstm on recall at the longest length');
    const decay = compare(ls, rs, SLOPE_MARGIN);
    let verdict: Verdict = 'inconclusive';
    if (rnnL > lstmL) verdict = 'contradicted';
    else if (lstmL > rnnL && decay !== 'less') verdict = 'supported';
    return {
      verdict,
      key: { label: 'longest length solved by the LSTM (0 = none)', value: lstmL },
      reason: `The LSTM solves up to T=${lstmL || 'none'}, the RNN up to T=${rnnL || 'none'}; trained sensitivity slopes at T=${L}: LSTM ${round(ls.mean)}, RNN ${round(rs.mean)}.`,
      numbers: { lstmLongestSolved: lstmL, rnnLongestSolved: rnnL, gruLongestSolved: solved('gru'), lstmSlope: round(ls.mean), rnnSlope: round(rs.mean) },
      caveats: ['Solved means a score of at least 0.8 of the way from chance to perfect on held-out data, at the lower end of its interval where there are seeds.'],
    };
  },
};

const seqPerSec = (r: CompletedRecord) => (r.train.batch * 1000) / r.metrics.msPerStep;

const rnnSequential: Claim = {
  id: 'rnn-sequential',
  title: 'Recurrence limits parallelism and training speed; the Transformer parallelises',
  article: "The RNN's sequential nature limits parallel computation and hence training speed; the Transformer drops recursion and is highly parallelisable.",
  experiment: 'Training step time of every extractor across the recall length sweep; the critical path (chain of dependent steps) of each: rnn/lstm/gru T per layer, transformer one per layer, tcn one per convolution.',
  rule:
    'Supported if the Transformer trains more sequences per second than both the RNN and the LSTM at the longest length (intervals apart; one seed: by more than 10%). Contradicted if it is slower than both. Otherwise inconclusive.',
  needs: ['recall-lengths'],
  charts: ['throughputVsLength'],
  decide(ev) {
    const L = lastLength(ev);
    const speed = (e: string) => ev.estimate('recall-lengths', { extractor: e, length: L }, seqPerSec);
    const [tf, rnn, lstm] = [speed('transformer'), speed('rnn'), speed('lstm')];
    if (!tf || !rnn || !lstm) return missing('step times at the longest length');
    const vsRnn = compare(tf, rnn, 0.1 * rnn.mean);
    const vsLstm = compare(tf, lstm, 0.1 * lstm.mean);
    let verdict: Verdict = 'inconclusive';
    if (vsRnn === 'greater' && vsLstm === 'greater') verdict = 'supported';
    else if (vsRnn === 'less' && vsLstm === 'less') verdict = 'contradicted';
    const scaling = (e: string) => {
      const pts = ev.profile.lengths.map((len) => [len, ev.estimate('recall-lengths', { extractor: e, length: len }, (r) => r.metrics.msPerStep)?.mean] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
      return pts.length >= 2 ? round(leastSquares(pts.map((p) => Math.log(p[0])), pts.map((p) => Math.log(p[1]))).slope) : null;
    };
    return {
      verdict,
      key: { label: `transformer / lstm training seq/s at T=${L}`, value: tf.mean / lstm.mean },
      reason: `At T=${L} the Transformer trains ${round(tf.mean)} seq/s, the RNN ${round(rnn.mean)} and the LSTM ${round(lstm.mean)}. Critical path at T=${L}: ${L} dependent steps per recurrent layer against 2 per Transformer layer.`,
      numbers: {
        transformerSeqPerSec: round(tf.mean),
        rnnSeqPerSec: round(rnn.mean),
        lstmSeqPerSec: round(lstm.mean),
        tcnSeqPerSec: round(speed('tcn')?.mean ?? NaN),
        criticalPathRecurrent: L,
        criticalPathTransformer: 2 * 2,
        timeScalingRnn: scaling('rnn'),
        timeScalingTransformer: scaling('transformer'),
      },
      caveats: [
        'Each run uses one CPU thread (tfjs WASM), so the Transformer cannot show parallelism across cores here; what is measured is how its larger, fewer operations compare with the RNN\'s T small dependent steps on one core.',
        'Widths differ between extractors (see the config); see speed-ranking for equal parameter counts.',
      ],
    };
  },
};

const rnnWeightSharing: Claim = {
  id: 'rnn-weight-sharing',
  title: 'Weight sharing makes RNNs memory-efficient',
  article: 'Because it shares weights across time steps, an RNN is more memory-efficient than a fully connected network.',
  experiment: 'Parameters and peak training tensor memory of rnn against mlp (one ReLU layer over the flattened sequence, sized for each length) at every profile length.',
  rule:
    "Supported if the RNN's parameter count is the same at every length and below the MLP's at every length, and its peak training memory is below the MLP's at the longest length. Contradicted if the RNN has at least as many parameters as the MLP at some length. Inconclusive if only the parameter part holds (activation memory of backpropagation through time grows with T).",
  needs: ['weight-sharing'],
  charts: ['paramCounts', 'memoryVsLength'],
  decide(ev) {
    const rows = ev.profile.lengths.map((L) => {
      const rnn = ev.select('weight-sharing', { extractor: 'rnn', length: L }).find((r) => r.status === 'completed') as CompletedRecord | undefined;
      const mlp = ev.select('weight-sharing', { extractor: `mlp-${L}`, length: L }).find((r) => r.status === 'completed') as CompletedRecord | undefined;
      return { L, rnn, mlp };
    });
    if (rows.some((r) => !r.rnn || !r.mlp)) return missing('rnn and mlp at every length');
    const rnnParams = rows.map((r) => r.rnn!.extractor.params ?? 0);
    const mlpParams = rows.map((r) => r.mlp!.extractor.params ?? 0);
    const shared = rnnParams.every((p) => p === rnnParams[0]);
    const fewer = rnnParams.every((p, i) => p < mlpParams[i]);
    const last = rows[rows.length - 1];
    const memRnn = last.rnn!.cost.peakTensorBytes;
    const memMlp = last.mlp!.cost.peakTensorBytes;
    let verdict: Verdict = 'inconclusive';
    if (!fewer) verdict = 'contradicted';
    else if (shared && memRnn < memMlp) verdict = 'supported';
    return {
      verdict,
      key: { label: `mlp / rnn parameters at T=${last.L}`, value: mlpParams[mlpParams.length - 1] / rnnParams[rnnParams.length - 1] },
      reason: `RNN parameters: ${rnnParams.join(', ')} at T = ${ev.profile.lengths.join(', ')}; MLP: ${mlpParams.join(', ')}. Peak training tensor memory at T=${last.L}: RNN ${(memRnn / 2 ** 20).toFixed(1)} MiB, MLP ${(memMlp / 2 ** 20).toFixed(1)} MiB.`,
      numbers: Object.fromEntries(rows.flatMap((r, i) => [[`rnnParams@${r.L}`, rnnParams[i]], [`mlpParams@${r.L}`, mlpParams[i]], [`rnnPeakMiB@${r.L}`, round(r.rnn!.cost.peakTensorBytes / 2 ** 20)], [`mlpPeakMiB@${r.L}`, round(r.mlp!.cost.peakTensorBytes / 2 ** 20)]])),
      caveats: ['Peak memory includes weights, Adam state and activations kept for the backward pass; the RNN keeps T steps of activations.'],
    };
  },
};

const peNeeded: Claim = {
  id: 'pe-needed',
  title: 'Without positional encoding the Transformer loses word order',
  article: 'Reading all tokens in parallel loses word order, so positions are encoded on top of the input embedding.',
  experiment: 'Transformer with positional none vs sinusoidal on an order-sensitive task (recall of the first token) and an order-insensitive one (adding: a sum over marked pairs, whatever their positions).',
  rule:
    'Supported if on recall sinusoidal scores above none (intervals apart; one seed: by more than 0.05) and none stays near chance (score <= 0.2), while on adding none is not worse than sinusoidal by more than 0.05 in score. Contradicted if none learns recall anyway (score >= 0.5). Otherwise inconclusive.',
  needs: ['pe'],
  charts: ['ablations'],
  decide(ev) {
    const L = ev.profile.lengths[0] * 2;
    const get = (task: string, extractor: string) => ev.estimate('pe', { task, extractor, length: L }, margin);
    const [rs, rn, as, an] = [get('recall', 'transformer-sinusoidal'), get('recall', 'transformer-none'), get('adding', 'transformer-sinusoidal'), get('adding', 'transformer-none')];
    if (!rs || !rn || !as || !an) return missing('the positional-encoding cells');
    const recallGap = compare(rs, rn, SCORE_MARGIN);
    const addingLoss = compare(as, an, SCORE_MARGIN);
    let verdict: Verdict = 'inconclusive';
    if (recallGap === 'greater' && upper(rn) <= 0.2 && addingLoss !== 'greater') verdict = 'supported';
    else if (lower(rn) >= 0.5) verdict = 'contradicted';
    return {
      verdict,
      key: { label: 'recall score: sinusoidal minus none', value: rs.mean - rn.mean },
      reason: `On recall (order-sensitive) sinusoidal scores ${round(rs.mean)} and none ${round(rn.mean)}; on adding (order-insensitive) ${round(as.mean)} and ${round(an.mean)}.`,
      numbers: { recallSinusoidal: round(rs.mean), recallNone: round(rn.mean), addingSinusoidal: round(as.mean), addingNone: round(an.mean) },
      caveats: ['Without positions, self-attention is permutation-equivariant: the readout sees the multiset of tokens, which decides adding but not which token came first.'],
    };
  },
};

const peLength: Claim = {
  id: 'pe-length',
  title: "Learned absolute positions cap the length; sinusoidal ones carry relative position",
  article: "BERT's learned absolute position embedding limits it to 512 tokens; the sinusoidal encoding carries relative position.",
  experiment: 'Relative-position recall (name the symbol 4 positions before the query), trained at L with learned positions (table of L) and with sinusoidal ones, then evaluated at 2L and 4L.',
  rule:
    'Supported if learned positions cannot read 2L (not applicable) and sinusoidal positions, having learned the task at L (score >= 0.5), keep at least half their score at 2L. Contradicted if sinusoidal positions fall to chance (score <= 0.1) at 2L after learning at L. Otherwise inconclusive.',
  needs: ['pe-length'],
  charts: ['lengthGeneralisation'],
  decide(ev) {
    const L = ev.profile.lengths[0] * 2;
    const learned = ev.select('pe-length', { extractor: 'transformer-learned', length: L }).filter((r): r is CompletedRecord => r.status === 'completed');
    const sin = ev.select('pe-length', { extractor: 'transformer-sinusoidal', length: L }).filter((r): r is CompletedRecord => r.status === 'completed');
    if (!learned.length || !sin.length) return missing('the learned and sinusoidal transformers');
    const capped = learned.every((r) => r.lengths.filter((x) => x.factor > 1).every((x) => x.status === 'not-applicable'));
    const scoreAt = (r: CompletedRecord, factor: number) => {
      const row = r.lengths.find((x) => x.factor === factor);
      return row?.status === 'completed' && row.score !== undefined ? row.score : NaN; // measured from the empirical chance at that length
    };
    const at1 = estimateOf(sin.map((r) => scoreAt(r, 1)))!;
    const at2 = estimateOf(sin.map((r) => scoreAt(r, 2)));
    const at4 = estimateOf(sin.map((r) => scoreAt(r, 4)));
    if (!at2) return missing('sinusoidal evaluation at 2L');
    let verdict: Verdict = 'inconclusive';
    if (lower(at1) >= 0.5 && upper(at2) <= 0.1) verdict = 'contradicted';
    else if (capped && lower(at1) >= 0.5 && lower(at2) >= 0.5 * at1.mean) verdict = 'supported';
    return {
      verdict,
      key: { label: 'sinusoidal score at 2L (trained at L)', value: at2.mean, ci: ci(at2) },
      reason: `Learned positions ${capped ? 'cannot read' : 'can read'} beyond their table of ${L}. Sinusoidal positions score ${round(at1.mean)} at L=${L}, ${round(at2.mean)} at ${2 * L} and ${round(at4?.mean ?? NaN)} at ${4 * L}.`,
      numbers: { learnedCapped: String(capped), sinusoidalAtL: round(at1.mean), sinusoidalAt2L: round(at2.mean), sinusoidalAt4L: round(at4?.mean ?? NaN) },
      caveats: ['The task needs only the offset 4 from the query, so an encoding that carries relative position can in principle solve it at any length.'],
    };
  },
};

const headsLongRange: Claim = {
  id: 'heads-long-range',
  title: "More heads, better long-range capture",
  article: 'The more heads, the stronger the Transformer\'s ability to capture long-distance features.',
  experiment: 'Transformers with 1, 2, 4 and 8 heads at fixed width on subject-verb agreement with attractors and on recall at a long distance.',
  rule:
    'On agreement, where at least one of the two has learned something (score >= 0.2): supported if 8 heads score above 1 head (intervals apart; one seed: by more than 0.05) and the least-squares slope of score against log2(heads) is positive; contradicted if 1 head scores above 8 heads by the same test. Otherwise inconclusive.',
  needs: ['heads'],
  charts: ['ablations', 'metricByMeta'],
  decide(ev) {
    const L = ev.profile.long;
    const get = (task: string, h: number) => ev.estimate('heads', { task, extractor: `transformer-h${h}`, length: L }, margin);
    const hs = [1, 2, 4, 8];
    const agreement = hs.map((h) => get('agreement', h));
    if (agreement.some((e) => !e)) return missing('the heads sweep on agreement');
    const [h1, , , h8] = agreement as Estimate[];
    const xs = hs.flatMap((h, i) => agreement[i]!.values.map(() => Math.log2(h)));
    const ys = agreement.flatMap((e) => e!.values);
    const slope = leastSquares(xs, ys).slope;
    const cmp = compare(h8, h1, SCORE_MARGIN);
    const learned = Math.max(h1.mean, h8.mean) >= 0.2;
    let verdict: Verdict = 'inconclusive';
    if (learned && cmp === 'greater' && slope > 0) verdict = 'supported';
    else if (learned && cmp === 'less') verdict = 'contradicted';
    const recall = hs.map((h) => round(get('recall', h)?.mean ?? NaN));
    return {
      verdict,
      key: { label: 'agreement score, 8 heads minus 1 head', value: h8.mean - h1.mean },
      reason: `Agreement scores for 1, 2, 4, 8 heads: ${agreement.map((e) => round(e!.mean)).join(', ')} (slope ${round(slope)} per doubling); recall at T=${L}: ${recall.join(', ')}.`,
      numbers: { ...Object.fromEntries(hs.map((h, i) => [`agreement@h${h}`, round(agreement[i]!.mean)])), ...Object.fromEntries(hs.map((h, i) => [`recall@h${h}`, recall[i]])), slopePerDoubling: round(slope) },
      caveats: ['At fixed width, more heads means narrower heads (dModel / heads channels each).'],
    };
  },
};

const residualGradients: Claim = {
  id: 'residual-gradients',
  title: 'Residual connections counter vanishing gradients',
  article: 'Add & norm: the skip connection adds a layer\'s input to its output to counter vanishing gradients.',
  experiment: 'A deep Transformer with and without residual connections on recall: per-layer gradient norms at the first step (first layer relative to last) and accuracy.',
  rule:
    "Supported if without residuals the first layer's gradient norm, relative to the last layer's, is smaller than with residuals (intervals apart; one seed: by more than 0.1), and the residual model scores at least as well (within 0.05). Contradicted if the ratio is not smaller without residuals by that test and the model without residuals scores higher by more than 0.05. Otherwise inconclusive.",
  needs: ['residual'],
  charts: ['groupGradNorms', 'ablations'],
  decide(ev) {
    const L = ev.profile.lengths[0] * 2;
    const last = `layers.${ev.profile.deepLayers - 1}`;
    const ratio = (r: CompletedRecord) => {
      const g = r.gradients.groups[0]?.norms;
      return g && g['layers.0'] !== undefined && g[last] ? g['layers.0'] / g[last] : undefined;
    };
    const [rr, nr] = ['transformer-residual', 'transformer-no-residual'].map((e) => ev.estimate('residual', { extractor: e, length: L }, ratio));
    const [rs, ns] = ['transformer-residual', 'transformer-no-residual'].map((e) => ev.estimate('residual', { extractor: e, length: L }, margin));
    if (!rr || !nr || !rs || !ns) return missing('the residual and no-residual transformers');
    let verdict: Verdict = 'inconclusive';
    const smaller = compare(nr, rr, RATIO_MARGIN) === 'less';
    if (smaller && compare(ns, rs, SCORE_MARGIN) !== 'greater') verdict = 'supported';
    else if (!smaller && compare(ns, rs, SCORE_MARGIN) === 'greater') verdict = 'contradicted';
    return {
      verdict,
      key: { label: 'first/last layer gradient-norm ratio without residuals', value: nr.mean, ci: ci(nr) },
      reason: `First/last layer gradient norm at step 1: ${round(rr.mean)} with residuals, ${round(nr.mean)} without; scores ${round(rs.mean)} and ${round(ns.mean)}.`,
      numbers: { ratioResidual: round(rr.mean), ratioNoResidual: round(nr.mean), scoreResidual: round(rs.mean), scoreNoResidual: round(ns.mean), layers: ev.profile.deepLayers },
      caveats: ['Post-norm LayerNorm stays in both models; only the skip connections are removed.'],
    };
  },
};

const layernormConvergence: Claim = {
  id: 'layernorm-convergence',
  title: 'Layer normalisation speeds up convergence',
  article: 'Layer normalisation normalises hidden layers to a standard normal distribution to speed up convergence.',
  experiment: 'A Transformer with post-norm (the article\'s add & norm), pre-norm and no LayerNorm on recall: training steps until the smoothed loss falls below half the chance loss (ln k / 2).',
  rule:
    'Supported if the model without LayerNorm needs more steps than both normalised ones (never reaching counts as the budget plus one; intervals apart, one seed: by more than 10% of the budget). Contradicted if it needs fewer steps than both. Otherwise inconclusive.',
  needs: ['norm'],
  charts: ['lossCurves', 'stepsToThreshold'],
  decide(ev) {
    const L = ev.profile.lengths[0] * 2;
    const steps = (e: string) =>
      ev.estimate('norm', { extractor: e, length: L }, (r) => stepsToLoss(r.curves.loss, Math.log(r.task.options.symbols as number) / 2) ?? r.train.steps + 1);
    const [post, pre, none] = ['transformer-post', 'transformer-pre', 'transformer-none'].map(steps);
    if (!post || !pre || !none) return missing('the three normalisation variants');
    const m = 0.1 * ev.profile.steps;
    const vsPost = compare(none, post, m);
    const vsPre = compare(none, pre, m);
    let verdict: Verdict = 'inconclusive';
    if (vsPost === 'greater' && vsPre === 'greater') verdict = 'supported';
    else if (vsPost === 'less' && vsPre === 'less') verdict = 'contradicted';
    return {
      verdict,
      key: { label: 'steps to threshold without LayerNorm', value: none.mean, ci: ci(none) },
      reason: `Steps until the loss falls below ln(k)/2: post-norm ${round(post.mean)}, pre-norm ${round(pre.mean)}, none ${round(none.mean)} (budget ${ev.profile.steps}).`,
      numbers: { post: round(post.mean), pre: round(pre.mean), none: round(none.mean), budget: ev.profile.steps },
      caveats: ['Gradients are clipped to norm 1 and Adam adapts step sizes, which already damps the effect of scale that LayerNorm removes.'],
    };
  },
};

const semanticFeatures: Claim = {
  id: 'semantic-features',
  title: 'The Transformer extracts better features; on agreement it leads at short distance and the RNN family catches up at long distance',
  article: "In the cited comparison the Transformer is ahead of RNN and CNN on semantic features; on subject-verb agreement it is slightly ahead below a distance of about 13 and the RNN slightly ahead beyond; the CNN clearly weaker.",
  experiment: 'rnn, lstm, transformer and tcn on Brown-corpus genre classification (4 groups, by-file split) and on generated subject-verb agreement with attractors, accuracy binned by subject-verb distance.',
  rule:
    "Part 1: supported if the Transformer's genre score is above every other extractor's (intervals apart; one seed: by more than 0.05), contradicted if another extractor is above it by that test. Part 2: from the held-out agreement accuracy by distance, the Transformer's lead over the best of rnn/lstm at distances up to the median against beyond it: supported if it leads at short distance and its lead shrinks at long distance, contradicted if it does not lead at short distance and its lead grows. Overall: contradicted if either part is, supported if both are, else inconclusive.",
  needs: ['semantic'],
  charts: ['metricByMeta', 'ablations'],
  decide(ev) {
    const L = ev.profile.long;
    const genre = (e: string) => ev.estimate('semantic', { task: 'brown-genre', extractor: e, length: L }, margin);
    const tf = genre('transformer');
    const others = ['rnn', 'lstm', 'tcn'].map((e) => [e, genre(e)] as const);
    if (!tf || others.some(([, x]) => !x)) return missing('brown-genre for every extractor');
    const cmps = others.map(([, x]) => compare(tf, x!, SCORE_MARGIN));
    const part1: Verdict = cmps.every((c) => c === 'greater') ? 'supported' : cmps.some((c) => c === 'less') ? 'contradicted' : 'inconclusive';

    // Part 2: accuracy by distance from byMeta, pooled over seeds.
    const bins = (e: string) => {
      const recs = ev.select('semantic', { task: 'agreement', extractor: e, length: L }).filter((r): r is CompletedRecord => r.status === 'completed');
      return recs.flatMap((r) => r.byMeta.distance ?? []);
    };
    const all = ['transformer', ...RNN_FAMILY.filter((e) => e !== 'gru')].flatMap(bins);
    if (!all.length) return missing('agreement accuracy by distance');
    const distances = all.flatMap((b) => Array(b.n).fill(b.value) as number[]).sort((a, b) => a - b);
    const cut = distances[Math.floor(distances.length / 2)];
    const accuracy = (e: string, short: boolean) => {
      const bs = bins(e).filter((b) => (short ? b.value <= cut : b.value > cut));
      const n = bs.reduce((s, b) => s + b.n, 0);
      return n ? bs.reduce((s, b) => s + b.n * b.score, 0) / n : NaN;
    };
    const rnnBest = (short: boolean) => Math.max(accuracy('rnn', short), accuracy('lstm', short));
    const leadShort = accuracy('transformer', true) - rnnBest(true);
    const leadLong = accuracy('transformer', false) - rnnBest(false);
    let part2: Verdict = 'inconclusive';
    if (!Number.isFinite(leadShort) || !Number.isFinite(leadLong)) part2 = 'inconclusive';
    else if (leadShort > 0 && leadLong < leadShort) part2 = 'supported';
    else if (leadShort <= 0 && leadLong > leadShort) part2 = 'contradicted';
    return {
      verdict: both(part1, part2),
      key: { label: 'transformer genre score minus the best other', value: tf.mean - Math.max(...others.map(([, x]) => x!.mean)) },
      reason: `Genre scores: transformer ${round(tf.mean)}, ${others.map(([e, x]) => `${e} ${round(x!.mean)}`).join(', ')} (part 1 ${part1}). Agreement: the Transformer's lead over the best RNN is ${round(leadShort)} at distances <= ${cut} and ${round(leadLong)} beyond (part 2 ${part2}).`,
      numbers: { part1, part2, medianDistance: cut, leadShort: round(leadShort), leadLong: round(leadLong), tcnGenre: round(others[2][1]!.mean) },
      caveats: ['Genre is classified from one window of T words; agreement sentences are generated, not Tang et al.\'s data; the distance cut is the median of the evaluation samples, not the article\'s 13.'],
    };
  },
};

const speedRanking: Claim = {
  id: 'speed-ranking',
  title: 'Speed ranks Transformer > CNN > RNN',
  article: 'Speed: the Transformer is fastest, the CNN next, and the RNN several to tens of times slower.',
  experiment: 'Training throughput (sequences per second) of transformer, tcn, rnn and lstm with widths chosen for equal parameter counts (--match-params), at one length.',
  rule:
    'Supported if the Transformer trains faster than the TCN and the TCN faster than both rnn and lstm (intervals apart; one seed: by more than 10%). Contradicted if either order is reversed by the same test. Otherwise inconclusive.',
  needs: ['speed'],
  charts: ['gflopsPerExtractor', 'paramCounts'],
  decide(ev) {
    const L = ev.profile.long;
    const speed = (e: string) => ev.estimate('speed', { extractor: e, length: L }, seqPerSec);
    const [tf, tcn, rnn, lstm] = ['transformer', 'tcn', 'rnn', 'lstm'].map(speed);
    if (!tf || !tcn || !rnn || !lstm) return missing('throughput of every extractor');
    const fastestRnn = rnn.mean >= lstm.mean ? rnn : lstm;
    const a = compare(tf, tcn, 0.1 * tcn.mean);
    const b = compare(tcn, fastestRnn, 0.1 * fastestRnn.mean);
    let verdict: Verdict = 'inconclusive';
    if (a === 'greater' && b === 'greater' && compare(tcn, rnn, 0.1 * rnn.mean) === 'greater' && compare(tcn, lstm, 0.1 * lstm.mean) === 'greater') verdict = 'supported';
    else if (a === 'less' || b === 'less') verdict = 'contradicted';
    return {
      verdict,
      key: { label: `transformer / lstm training seq/s at T=${L}, equal parameters`, value: tf.mean / lstm.mean },
      reason: `Training seq/s at ~${ev.profile.matchParams} parameters, T=${L}: transformer ${round(tf.mean)}, tcn ${round(tcn.mean)}, rnn ${round(rnn.mean)}, lstm ${round(lstm.mean)}.`,
      numbers: { transformer: round(tf.mean), tcn: round(tcn.mean), rnn: round(rnn.mean), lstm: round(lstm.mean) },
      caveats: ['One CPU thread per run (tfjs WASM); the cited comparison ran on GPUs, where parallel operations gain far more.'],
    };
  },
};

export const CLAIMS: Claim[] = [
  rnnGradients,
  rnnLongRange,
  lstmMitigates,
  rnnSequential,
  rnnWeightSharing,
  peNeeded,
  peLength,
  headsLongRange,
  residualGradients,
  layernormConvergence,
  semanticFeatures,
  speedRanking,
];

export type { Decision };
