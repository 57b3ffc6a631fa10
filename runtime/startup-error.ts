/**
 * A reason the process cannot start that the operator can act on (a port taken, a directory out of
 * reach): main.ts prints its message alone, as it does a configuration error, not a stack trace.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
