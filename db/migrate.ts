import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type { Logger } from 'pino';
import { advisoryLockId } from './lock-id.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Brings the schema up to date. API and worker processes starting together (docker compose starts them
 * at once) take turns on an advisory lock: one migrates, the others wait for it and find nothing to do.
 * node-pg-migrate's own default is one lock for the whole server, refused to whoever comes second: the
 * second process would fail to start, and two installations in schemas of one database could not start
 * together. The lock here is the schema's.
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
    advisoryLockMode: 'wait',
    lockValue: schemaLockId(schema),
    log: (msg: string) => log?.debug(msg),
  });
  const names = ran.map((m) => m.name);
  if (names.length) log?.info({ migrations: names }, 'database migrated');
  return names;
}

/** The schema's migration lock. */
export const schemaLockId = (schema: string): number => advisoryLockId(`fraudguard-migrations:${schema}`);
