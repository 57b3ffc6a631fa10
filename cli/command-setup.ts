import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { EMBEDDED_DATABASE_URL } from '../runtime/embedded-postgres.ts';
import { withoutPassword } from '../runtime/unreachable-services.ts';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * What every database command does first: read its options and the environment's configuration,
 * printing what is wrong (with the usage) and giving null when it cannot go on (the caller exits 2).
 */
export function commandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    console.error(`${(err as Error).message}\nUsage: ${usage}`);
    return null;
  }
}

export function commandConfig(): Config | null {
  try {
    return loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    return null;
  }
}

/**
 * The database a command works on: `--database-url`, else DATABASE_URL, else the embedded PostgreSQL that
 * `npm start` runs when DATABASE_URL is unset (its files under FRAUDGUARD_DATA_DIR), so the commands
 * work on the installation the README starts. Null when there is none of the three.
 */
export function commandDatabase(option: string | undefined, config: Config): { url: string; embedded: boolean } | null {
  const url = option ?? config.DATABASE_URL;
  if (url) return { url, embedded: false };
  return existsSync(join(resolve(ROOT, config.FRAUDGUARD_DATA_DIR), 'postgres')) ? { url: EMBEDDED_DATABASE_URL, embedded: true } : null;
}

/** Why a command could not use its database, with the way out when it was the embedded one. */
export function unreachableDatabase(database: { url: string; embedded: boolean }, err: unknown): string {
  const why = `cannot use the database at ${withoutPassword(database.url)}: ${(err as Error).message}`;
  return database.embedded ? `${why} (the embedded PostgreSQL runs while \`npm start\` does: start it, or set DATABASE_URL)` : why;
}

/** What to say when no database is configured and none is embedded here. */
export const NO_DATABASE = 'no database: DATABASE_URL is not set (pass --database-url) and `npm start` has not created its embedded one here';
