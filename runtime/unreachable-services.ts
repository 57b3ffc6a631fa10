import { StartupError } from './startup-error.ts';

/** Connection failures an operator fixes outside the process (a server down, a wrong address, name or password). */
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);
const POSTGRES: Record<string, string> = {
  '28P01': 'the password was refused',
  '28000': 'the user may not connect',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
};

/**
 * The configured PostgreSQL refused or could not be reached at start: a StartupError saying where
 * (the URL without its password), what happened and the ways out; undefined for any other error.
 */
export function databaseUnreachable(err: unknown, databaseUrl: string): StartupError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(NETWORK.has(code) || code in POSTGRES)) return undefined;
  const what = POSTGRES[code] ?? `${(err as Error).message}`;
  return new StartupError(`PostgreSQL at ${withoutPassword(databaseUrl)} (DATABASE_URL) cannot be used: ${what}. `
    + 'Start it or correct DATABASE_URL; unset DATABASE_URL to run on the embedded PostgreSQL.');
}

/**
 * The configured Temporal server could not be reached at start: the SDK's own words ("Failed to connect
 * before the deadline") name neither the address nor the setting.
 */
export function temporalUnreachable(err: unknown, address: string): StartupError {
  return new StartupError(`The Temporal server at ${address} (TEMPORAL_ADDRESS) cannot be reached: ${(err as Error).message}. `
    + 'Start it or correct TEMPORAL_ADDRESS; unset TEMPORAL_ADDRESS to run on an embedded Temporal dev server.');
}

/** A database URL fit to print: its password masked. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured address';
  }
}
