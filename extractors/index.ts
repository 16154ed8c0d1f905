/** The built-in extractors, in the order reports list them. */
import { linearTransformer } from './linearTransformer.js';
import { mingru } from './mingru.js';
import { mlp } from './mlp.js';
import { mamba } from './mamba.js';
import { gru, lstm, rnn } from './recurrent.js';
import { s4d } from './s4d.js';
import { tcn } from './tcn.js';
import { transformer } from './transformer.js';
import type { ExtractorDefinition } from './types.js';

export const builtinExtractors: ExtractorDefinition[] = [rnn, lstm, gru, transformer, tcn, mlp, mamba, s4d, mingru, linearTransformer];
