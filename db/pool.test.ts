import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closePool } from './pool.ts';
import { TEST_DATABASE_URL } from '../test/support/stack.ts';

/** Server sessions still open under this application name, as Postgres itself sees them. */
async function sessionsNamed(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

describe('closePool', () => {
  it('resolves once every connection of the pool has closed, so a server stopped right after finds none of them open', async () => {
    const name = `fg-close-${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, application_name: name, max: 4 });
    // Four connections at once, then all idle in the pool.
    await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(0.05)')));
    assert.equal(pool.totalCount, 4);
    assert.equal(await sessionsNamed(name), 4);
    const errors: Error[] = [];
    pool.on('error', (err) => errors.push(err));
    let closed = 0;
    pool.on('remove', () => { closed += 1; }); // pg: a client's connection has ended and left the pool

    await closePool(pool);

    assert.equal(closed, 4, 'every connection had closed when it resolved');
    assert.equal(await sessionsNamed(name), 0);
    assert.deepEqual(errors, []);
  });

  it('resolves at once for a pool that never connected', async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL });
    const started = performance.now();
    await closePool(pool, 5_000);
    assert.ok(performance.now() - started < 1_000, 'did not wait out its grace period');
  });
});
