/**
 * Weights in and out of an extractor as plain JSON-able records keyed by PyTorch
 * state_dict names, in PyTorch's layout (the layout `Extractor.variables` already uses), so
 * a PyTorch `state_dict` converted with `{k: {shape: list(v.shape), data: v.flatten().tolist()}}`
 * loads one to one, and a saved record loads back into a fresh extractor of the same options.
 */
import * as tf from '@tensorflow/tfjs';
import type { Extractor } from './types.js';

/** One tensor per PyTorch name: its shape and its values, flat in row-major order. */
export type WeightRecord = { [name: string]: { shape: number[]; data: number[] } };

/** Copies every variable of `extractor` out as a `WeightRecord` (float32 values widened to numbers). */
export function saveWeights(extractor: Extractor): WeightRecord {
  const record: WeightRecord = {};
  for (const [name, variable] of Object.entries(extractor.variables)) {
    record[name] = { shape: [...variable.shape], data: Array.from(variable.dataSync()) };
  }
  return record;
}

/**
 * Assigns `record` into the extractor's existing variables (`variable.assign`), after
 * checking the whole record first: every name must be known, every variable must be
 * present, and every shape (and data length) must match. On any mismatch nothing is
 * assigned and an Error with a one-line message naming the weight and the fix is thrown.
 */
export function loadWeights(extractor: Extractor, record: WeightRecord): void {
  const variables = extractor.variables;
  const known = Object.keys(variables);
  for (const name of Object.keys(record)) {
    if (!Object.hasOwn(variables, name)) {
      throw new Error(
        `loadWeights: unknown weight "${name}" (this extractor has ${known.length} weights: ${preview(known)}); ` +
          `remove it from the record or create the extractor with the options the weights were saved with`,
      );
    }
  }
  for (const name of known) {
    if (!Object.hasOwn(record, name)) {
      throw new Error(
        `loadWeights: weight "${name}" is missing from the record; ` +
          `add it (shape [${variables[name].shape.join(', ')}]) or create the extractor with the options the weights were saved with`,
      );
    }
  }
  for (const name of known) {
    const entry = record[name];
    const want = variables[name].shape;
    if (typeof entry !== 'object' || entry === null) {
      throw new Error(`loadWeights: weight "${name}" is not a {shape, data} entry; store it as {shape: [${want.join(', ')}], data: [...]}`);
    }
    if (!Array.isArray(entry.shape) || entry.shape.length !== want.length || entry.shape.some((n, i) => n !== want[i])) {
      throw new Error(
        `loadWeights: weight "${name}" has shape [${String(entry.shape)}] but the extractor expects [${want.join(', ')}] (PyTorch layout); ` +
          `check the extractor options (widths, inputDim) or transpose the tensor to PyTorch's layout`,
      );
    }
    const size = want.reduce((a, b) => a * b, 1);
    if (!Array.isArray(entry.data) && !ArrayBuffer.isView(entry.data)) {
      throw new Error(`loadWeights: weight "${name}" has no data array; store its values flat in row-major order under "data"`);
    }
    if (entry.data.length !== size) {
      throw new Error(
        `loadWeights: weight "${name}" has ${entry.data.length} values but shape [${want.join(', ')}] needs ${size}; ` +
          `store the values flat in row-major order`,
      );
    }
  }
  for (const name of known) {
    const variable = variables[name];
    const { data } = record[name];
    // tf.tensor copies the numbers into a float32 buffer; assign replaces the variable's value in place.
    const value = tf.tensor(Float32Array.from(data), variable.shape, 'float32');
    variable.assign(value);
    value.dispose();
  }
}

function preview(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')}, ...`;
}
