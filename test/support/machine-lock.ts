import pg from 'pg';
import { advisoryLockId } from '../../db/lock-id.ts';

/** Held by tests that start the embedded services or need their ports free. */
export const EMBEDDED_SERVICES_LOCK = 'embedded-services';

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Holds a lock shared by every test process on this machine, for tests of what exists once per machine
 * (the embedded services' fixed ports): `npm test` runs two files at a time, and two `npm start`s would
 * fight over ports 54329 and 7233. It is an advisory lock of the tests' PostgreSQL, held by a connection of
 * its own, so a holder that dies without releasing it releases it all the same (its connection closes).
 * Resolves to the release.
 */
export async function holdMachineLock(name: string, { waitMs = 15 * 60_000 } = {}): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, application_name: `fraudguard-test-lock ${name}` });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = ${Math.round(waitMs)}`);
    await client.query('SELECT pg_advisory_lock($1::bigint)', [String(advisoryLockId(`fraudguard-test:${name}`))]);
  } catch (err) {
    await client.end();
    throw new Error(`the tests' machine lock "${name}" is still held after ${waitMs / 1000} s (${(err as Error).message})`);
  }
  return async () => { await client.end(); };
}
