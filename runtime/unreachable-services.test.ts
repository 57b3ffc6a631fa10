import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { databaseUnreachable } from './unreachable-services.ts';
import { freePort } from './temporal-dev-server.ts';

const reasonFor = async (url: string) => {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
    return 'connected';
  } catch (err) {
    return databaseUnreachable(err, url)?.message ?? `not recognised: ${(err as Error).message}`;
  }
};

describe('a configured PostgreSQL that cannot be used at start', () => {
  it('says where (without the password), why, and the ways out', async () => {
    const closed = `postgres://fraud:s3cret@127.0.0.1:${await freePort()}/fraud`;
    const said = await reasonFor(closed);
    assert.match(said, /^PostgreSQL at postgres:\/\/fraud:\*\*\*@127\.0\.0\.1:\d+\/fraud \(DATABASE_URL\) cannot be used: connect ECONNREFUSED .*unset DATABASE_URL to run on the embedded PostgreSQL\.$/);
    assert.ok(!said.includes('s3cret'));
  });

  it('names a database that does not exist on a server that answers', async () => {
    assert.match(await reasonFor('postgres://postgres@127.0.0.1:5432/no_such_database_here'), /cannot be used: the database does not exist\./);
  });

  it('leaves other errors alone', () => {
    assert.equal(databaseUnreachable(new Error('syntax error'), 'postgres://x@y/z'), undefined);
  });
});
