/** The built-in extractors, in the order reports list them. */
import { linearTransformer } from './transformer/linearAttention.js';
import { mingru } from './recurrent/mingru.js';
import { mlp } from './mlp.js';
import { mamba } from './ssm/mamba.js';
import { deltanet, gatedDeltanet } from './ssm/deltanet.js';
import { gru, lstm, rnn } from './recurrent/recurrent.js';
import { s4d } from './ssm/s4d.js';
import { tcn } from './tcn/tcn.js';
import { transformer } from './transformer/transformer.js';
import type { ExtractorDefinition } from './types.js';

export const builtinExtractors: ExtractorDefinition[] = [rnn, lstm, gru, transformer, tcn, mlp, mamba, s4d, mingru, linearTransformer, deltanet, gatedDeltanet];
