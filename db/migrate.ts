import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Brings the schema up to date. node-pg-migrate takes an advisory lock, so API and worker
 * processes starting together do not race.
 */
export async function migrate(databaseUrl: string, schema: string, log?: Logger): Promise<string[]> {
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    schema,
    createSchema: true,
    checkOrder: true,
    singleTransaction: true,
    log: (msg: string) => log?.debug(msg),
  });
  const names = ran.map((m) => m.name);
  if (names.length) log?.info({ migrations: names }, 'database migrated');
  return names;
}
