/** A tf op from a forward function that returns its value and gradient function: tf.customGrad, typed loosely once for ./ops.ts and ./convOps.ts. */
import * as tf from '@tensorflow/tfjs';

type GradFn = Parameters<typeof tf.customGrad>[0];

export const op = <F extends (...t: tf.Tensor[]) => tf.Tensor>(
  f: (...t: tf.Tensor[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor | tf.Tensor[] },
) => tf.customGrad(f as unknown as GradFn) as unknown as F;
