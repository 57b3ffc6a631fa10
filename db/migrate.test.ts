import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { TEST_DATABASE_URL, uniqueName } from '../test/support/stack.ts';
import { migrate, schemaLockId } from './migrate.ts';

describe('migrations at start', () => {
  const schemas: string[] = [];
  const aSchema = () => { const s = uniqueName('mig').toLowerCase(); schemas.push(s); return s; };
  after(async () => {
    const db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    for (const s of schemas) await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await db.end();
  });

  it('lets processes starting together on one schema take turns: one migrates, the others find it done', async () => {
    const schema = aSchema();
    const ran = await Promise.all([1, 2, 3].map(() => migrate(TEST_DATABASE_URL, schema)));
    const migrating = ran.filter((names) => names.length > 0);
    assert.equal(migrating.length, 1, 'one process ran the migrations');
    assert.deepEqual(ran.filter((names) => names.length === 0).length, 2, 'the others waited and had nothing left to run');
    assert.deepEqual(await migrate(TEST_DATABASE_URL, schema), []);
  });

  it('migrates two schemas of one database side by side', async () => {
    const [a, b] = [aSchema(), aSchema()];
    const [ranA, ranB] = await Promise.all([migrate(TEST_DATABASE_URL, a), migrate(TEST_DATABASE_URL, b)]);
    assert.ok(ranA.length > 0 && ranB.length > 0);
    assert.deepEqual(ranA, ranB);
    assert.notEqual(schemaLockId(a), schemaLockId(b));
  });
});
