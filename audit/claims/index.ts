/** The article's claims, one file each, in the article's order. */
import type { Claim, ClaimId } from '../types.js';
import { headsLongRange } from './headsLongRange.js';
import { layernormConvergence } from './layernormConvergence.js';
import { lstmMitigates } from './lstmMitigates.js';
import { peLength } from './peLength.js';
import { peNeeded } from './peNeeded.js';
import { residualGradients } from './residualGradients.js';
import { rnnGradients } from './rnnGradients.js';
import { rnnLongRange } from './rnnLongRange.js';
import { rnnSequential } from './rnnSequential.js';
import { rnnWeightSharing } from './rnnWeightSharing.js';
import { semanticFeatures } from './semanticFeatures.js';
import { speedRanking } from './speedRanking.js';

/** Every claim by id: a missing one does not compile. */
export const CLAIMS_BY_ID: Record<ClaimId, Claim> = {
  'rnn-gradients': rnnGradients,
  'rnn-long-range': rnnLongRange,
  'lstm-mitigates': lstmMitigates,
  'rnn-sequential': rnnSequential,
  'rnn-weight-sharing': rnnWeightSharing,
  'pe-needed': peNeeded,
  'pe-length': peLength,
  'heads-long-range': headsLongRange,
  'residual-gradients': residualGradients,
  'layernorm-convergence': layernormConvergence,
  'semantic-features': semanticFeatures,
  'speed-ranking': speedRanking,
};

export const CLAIMS: Claim[] = Object.values(CLAIMS_BY_ID);
