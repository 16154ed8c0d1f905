/**
 * A `UsageError` is the user's to fix (bad flag, unknown name, malformed suite file): the
 * CLI prints its one-line message and exits with code 2, without a stack trace.
 * Anything else is a bug or a failure of the run and keeps its stack under --verbose.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
