/**
 * The extractor plugin interface: tensors in, tensors out. An extractor maps embedded
 * inputs [B, T, D] to features [B, T, H]; the harness owns everything around it
 * (embedding, readout, head, loss, optimiser, measurement), so every extractor is
 * trained and measured alike.
 */
import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { KernelOps } from './ops.js';

export interface ExtractorContext {
  /** Width D of the embedded input. */
  inputDim: number;
  /** Stream for weight initialisation (never Math.random, never tf's own RNG). */
  rng: Rng;
  /** Where warnings go (e.g. a receptive field shorter than the sequence). */
  warn?: (message: string) => void;
  /**
   * The kernel toolkit (./ops.ts): the WebAssembly kernels the built-ins run on, as
   * differentiable tf ops (linear, activations and gates, linear scans, norms, ...), so
   * that a plugin trains at the built-ins' speed.
   */
  ops: KernelOps;
  /**
   * The sequence length T the extractor will be trained at, when the caller knows it (the
   * harness always tells it). Initialisations that depend on the time scale read it, e.g.
   * the chrono initialisation of gate biases (Tallec & Ollivier 2018: T_max = T).
   */
  length?: number;
}

export interface ApplyOptions {
  training: boolean;
  /**
   * Key-padding mask [B, T]: 1 where the position holds a real token, 0 where it is
   * padding (tasks pad on the left). Absent when the batch has no padding. What an
   * extractor does with it is declared by its definition's `padding`.
   */
  mask?: tf.Tensor2D;
}

/**
 * How an extractor treats padding, declared once on its definition and recorded with every
 * result (fair comparison: a difference in padding treatment is a recorded difference).
 * - `masked`: padded positions cannot influence the features of real positions
 *   (attention masks padded keys, as PyTorch's `src_key_padding_mask`);
 * - `reads`: the extractor reads pads as input (recurrent models read the left pads first,
 *   then the tokens; causal models' real positions see pads only through their past);
 * - `refuses`: the extractor cannot take a mask; a task whose batches carry padding is
 *   refused before any work.
 */
export const PADDING_TREATMENTS = ['masked', 'reads', 'refuses'] as const;
export type PaddingTreatment = (typeof PADDING_TREATMENTS)[number];

/** One term of a memory estimate: float32 values alive at the peak, and what they are in words. */
export interface MemoryTerm {
  floats: number;
  /** e.g. "attention scores B*heads*T^2 = 32*4*4096^2 floats per layer". */
  what: string;
}

/** The shape a memory estimate is for: batch B, length T and input width D. */
export interface RunShape {
  batch: number;
  length: number;
  inputDim: number;
}

export interface Extractor {
  /**
   * Trainable weights, keyed by PyTorch state_dict names and stored in PyTorch's layout
   * (e.g. `weight_ih_l0` is [G*H, D]), so weights map one to one between frameworks.
   */
  variables: Record<string, tf.Variable>;
  /** Feature width H of `apply`'s output. */
  outputDim: number;
  /** x [B, T, D] -> features [B, T, H]. Must be called inside a tf gradient tape or tidy. */
  apply(x: tf.Tensor3D, opts: ApplyOptions): tf.Tensor3D;
  /**
   * Analytic forward FLOPs for a batch of B sequences of length T. Convention of the
   * built-ins: a matMul multiply-add = 2; each elementwise op or activation = 1 per output
   * element; a reduction = 1 per input element; data movement = 0 (see each flops()).
   */
  flops(batch: number, length: number): number;
  /** Longest input this extractor accepts (learned positions), if bounded. */
  maxLength?: number;
  /** Facts worth recording with results, e.g. the TCN's receptive field. */
  info?: Record<string, number | string | boolean>;
  /** Frees tensors the extractor keeps besides its variables (caches); variables are freed by the harness. */
  dispose?(): void;
}

export interface ExtractorDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Registry key: lowercase, digits, dashes. */
  name: string;
  /** One line in the article's terms. */
  description: string;
  /** Options with defaults; `fxbench list` prints them. */
  options: S;
  create(options: z.output<S>, ctx: ExtractorContext): Extractor;
  /**
   * Parameter matching (`--match-params N`): the option that sets the extractor's width,
   * the step its values must be a multiple of, and the analytic parameter count of given
   * options, so widths can be chosen without allocating weights.
   */
  width?: {
    option: string;
    multipleOf?: (options: z.output<S>) => number;
    params: (options: z.output<S>, inputDim: number) => number;
  };
  /**
   * Estimated float32 tensors alive at the peak, by term (pure arithmetic, nothing
   * allocated): `forward` is what a forward pass inside a tidy holds (evaluation), `train`
   * what a training step holds (activations kept for backward plus gradients in flight).
   * Without it the harness cannot refuse a cell that would not fit the heap.
   */
  memory?: (options: z.output<S>, shape: RunShape) => { forward: MemoryTerm[]; train: MemoryTerm[] };
  /**
   * State carried per sequence at inference after reading `length` positions, in float32
   * values (Zoology's "state size"): what a streaming implementation must keep to emit the
   * next output. A fixed-size state (RNN, SSM) does not depend on `length`; a KV cache does.
   */
  state?: (options: z.output<S>, length: number, inputDim: number) => MemoryTerm;
  /**
   * Approximate forward FLOPs of one batch from the options alone (nothing built): the
   * cell-cost model's unit (harness/cost/cellCost.ts), which orders cells and sizes the
   * audit's seed budget. Default: 2 x parameters x B x T, every weight applied at every
   * position; declare it when that is wrong (attention's T^2 products, a layer applied
   * once per sequence).
   */
  forwardFlops?: (options: z.output<S>, shape: RunShape) => number;
  /** What to lower when a cell would not fit the memory budget, e.g. "lower --batch, the length, heads or layers" (default: the batch, the length or the width). */
  memoryAdvice?: string;
  /** What the extractor does with a padding mask (default `reads`). */
  padding?: PaddingTreatment;
  /**
   * The PyTorch peer (../shared/peers/torch_bench.py) builds this extractor under the same
   * name: `fxbench bench --peer torch` times both, the peer starting from our initial weights.
   * `stateName`: the peer's state_dict name of one of our weight names, where its modules
   * name them differently (default: the same name).
   */
  torchPeer?: { stateName?: (name: string) => string };
  /**
   * The initialisation search a fair comparison gives this extractor: option values from
   * the literature, PyTorch's default among them, that tuning tries beside the learning
   * rate (the audit adds them to every tuned arm's grid, so a family is not judged on one
   * initialisation another family was tuned for). Each list must hold the option's default.
   */
  initSearch?: Record<string, readonly unknown[]>;
}

export function defineExtractor<S extends z.ZodObject>(def: ExtractorDefinition<S>): ExtractorDefinition {
  return def as unknown as ExtractorDefinition;
}

export function parameterCount(variables: Record<string, tf.Variable>): number {
  let n = 0;
  for (const v of Object.values(variables)) n += v.size;
  return n;
}

/** What an extractor definition does with a padding mask (default `reads`). */
export function paddingOf(def: ExtractorDefinition): PaddingTreatment {
  return def.padding ?? 'reads';
}
