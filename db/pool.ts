import pg from 'pg';

// NUMERIC comes back as a string (exact); int8 counts fit in a JS number for our sizes.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A pool whose sessions use `schema` (tests give each suite its own schema). */
export function createPool(databaseUrl: string, schema: string, max = 10): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
}

export type Db = pg.Pool;

/**
 * Ends the pool once its connections have closed. pg's `end()` resolves when it has asked them to
 * close, not when they have: a server stopped right after (the embedded one, by our own stop) could
 * still terminate a closing connection, which the pool reports as an error. `graceMs` bounds the wait.
 */
export async function closePool(pool: pg.Pool, graceMs = 2_000): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => { if (--open <= 0) resolve(); });
  });
  await pool.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
  clearTimeout(timer);
}

/** Runs `work` on one connection inside a transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(db: Db, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
