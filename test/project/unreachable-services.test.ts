import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { spawnMain } from '../support/processes.ts';
import { TEST_DATABASE_URL, uniqueName } from '../support/stack.ts';
import { freePort } from '../../runtime/temporal-dev-server.ts';

/** main.ts with `env`, expected to refuse to start: its exit code and what it printed. */
async function refusedStart(env: Record<string, string>): Promise<{ code: number | null; said: string }> {
  const run = await spawnMain({ PORT: '0', HOST: '127.0.0.1', ...env }, /could not start/, { unset: ['REDIS_URL', 'METRICS_PORT'], timeoutMs: 90_000 });
  const { code } = await run.exited;
  return { code, said: run.logs.join('\n') };
}

describe('npm start with a configured service it cannot use', () => {
  const schema = uniqueName('unreach').toLowerCase();
  after(async () => {
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
  });

  it('names the PostgreSQL of DATABASE_URL (without its password), what failed and the ways out, in one line', async () => {
    const { code, said } = await refusedStart({ DATABASE_URL: `postgres://fraud:s3cret@127.0.0.1:${await freePort()}/fraud` });
    assert.equal(code, 1);
    assert.match(said, /FraudGuard could not start: PostgreSQL at postgres:\/\/fraud:\*\*\*@127\.0\.0\.1:\d+\/fraud \(DATABASE_URL\) cannot be used: connect ECONNREFUSED [^\n]*unset DATABASE_URL to run on the embedded PostgreSQL\./);
    assert.doesNotMatch(said, /s3cret|\n\s+at /, 'no password, no stack trace');
  });

  it('names the Temporal server of TEMPORAL_ADDRESS and the ways out, in one line', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { code, said } = await refusedStart({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, TEMPORAL_ADDRESS: address });
    assert.equal(code, 1);
    assert.match(said, new RegExp(`FraudGuard could not start: The Temporal server at ${address} \\(TEMPORAL_ADDRESS\\) cannot be reached: [^\\n]*unset TEMPORAL_ADDRESS to run on an embedded Temporal dev server\\.`));
    assert.doesNotMatch(said, /\n\s+at /, 'no stack trace');
  });
});
