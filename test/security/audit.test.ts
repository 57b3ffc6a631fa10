import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { aTransaction, startStack, TEST_DATABASE_URL, type TestStack } from '../support/stack.ts';
import { fraudguard } from '../support/cli.ts';
import { aUser, anApiKey, signIn } from '../support/principals.ts';

/** `fraudguard audit verify` as an operator runs it. */
function auditVerify(schema: string, ...args: string[]): { code: number | null; out: string } {
  return fraudguard(['audit', 'verify', '--schema', schema, ...args], { ...process.env, DATABASE_URL: TEST_DATABASE_URL });
}

/** As the database superuser, with the append-only trigger switched off: what an intruder with full access could do. */
async function asSuperuser(schema: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await client.query(sql);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  } finally { await client.end(); }
}

describe('the audit log', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('records each change with who, what, when and before/after, without secrets', async () => {
    const user = await aUser(stack, ['viewer']);
    await stack.request('PATCH', `/v1/admin/users/${user.username}`, { body: { roles: ['analyst'] } });
    const { id, key } = await anApiKey(stack, ['read']);
    await stack.request('DELETE', `/v1/admin/api-keys/${id}`);
    await signIn(stack, user);

    const { body } = await stack.get('/v1/admin/audit?limit=1000');
    const entries = body.entries as { seq: number; actor: string; action: string; target: string; at: string; before: any; after: any; request: any }[];
    const roleChange = entries.find((e) => e.action === 'PATCH /v1/admin/users/:username');
    assert.ok(roleChange);
    assert.equal(roleChange.actor, 'key:key_env_admin');
    assert.equal(roleChange.target, `user:${user.username}`);
    assert.deepEqual([roleChange.before.roles, roleChange.after.roles], [['viewer'], ['analyst']]);
    assert.ok(Date.parse(roleChange.at) > Date.now() - 60_000);
    const revocation = entries.find((e) => e.action === 'DELETE /v1/admin/api-keys/:id');
    assert.deepEqual([revocation?.before.active, revocation?.after.active], [true, false]);
    const created = entries.find((e) => e.action === 'POST /v1/admin/users');
    assert.equal(created?.request.body.password, '[REDACTED]');
    const chained = entries as unknown as { seq: number; hash: string; prev_hash: string }[];
    assert.ok(chained.slice(1).every((e, i) => e.prev_hash === chained[i]!.hash), 'each entry names the hash of the one before it');
    const login = entries.find((e) => e.action === 'user.signed_in');
    assert.equal(login?.actor, user.username);
    const everything = JSON.stringify(entries);
    for (const secret of [user.password, key, stack.adminKey]) assert.ok(!everything.includes(secret), 'no secret in the audit log');
  });

  it('does not record decisions (their own tables do) or refused requests', async () => {
    const before = (await stack.get('/v1/admin/audit?limit=1000')).body.entries.length as number;
    assert.equal((await stack.post('/v1/decisions', aTransaction())).status, 200);
    assert.equal((await stack.post('/v1/admin/users', { username: 'x' })).status, 400);
    const afterwards = (await stack.get('/v1/admin/audit?limit=1000')).body.entries as { action: string }[];
    assert.equal(afterwards.length, before);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even from the application', async () => {
    await assert.rejects(stack.db.query("UPDATE audit_log SET actor = 'mallory'"), /append-only/);
    await assert.rejects(stack.db.query('DELETE FROM audit_log'), /append-only/);
    await assert.rejects(stack.db.query('TRUNCATE audit_log'), /append-only/);
  });

  it('verifies intact, and names the first entry edited in SQL behind its back', async () => {
    const intact = auditVerify(stack.schema);
    assert.equal(intact.code, 0, intact.out);
    assert.match(intact.out, /audit log intact: \d+ entries; head \d+:[0-9a-f]{64}/);
    assert.deepEqual((await stack.get('/v1/admin/audit/verify')).body.ok, true);

    await asSuperuser(stack.schema, "UPDATE audit_log SET after = jsonb_set(after, '{roles}', '[\"admin\"]') WHERE action = 'PATCH /v1/admin/users/:username'");
    const { rows } = await stack.db.query("SELECT seq FROM audit_log WHERE action = 'PATCH /v1/admin/users/:username'");
    const broken = auditVerify(stack.schema);
    assert.equal(broken.code, 1, broken.out);
    assert.match(broken.out, new RegExp(`broken at entry #${rows[0].seq}: entry #${rows[0].seq} was altered`));
    const api = (await stack.get('/v1/admin/audit/verify')).body;
    assert.deepEqual([api.ok, api.seq], [false, rows[0].seq]);
  });

  it('names a deleted entry, and an anchor catches removal of the newest entries', async () => {
    const other = await startStack();
    try {
      for (let i = 0; i < 4; i++) await aUser(other, ['viewer']);
      const head = /head (\d+:[0-9a-f]{64})/.exec(auditVerify(other.schema).out)?.[1] as string;
      assert.ok(head);
      await asSuperuser(other.schema, 'DELETE FROM audit_log WHERE seq = 2');
      const deleted = auditVerify(other.schema);
      assert.equal(deleted.code, 1);
      assert.match(deleted.out, /broken at entry #2: entry #2 is missing/);

      await asSuperuser(other.schema, 'DELETE FROM audit_log WHERE seq <> 1');
      assert.equal(auditVerify(other.schema).code, 0, 'a chain cut at its end still links');
      const anchored = auditVerify(other.schema, '--anchor', head);
      assert.equal(anchored.code, 1);
      assert.match(anchored.out, /newest entries were removed/);
    } finally { await other.stop(); await other.dropSchema(); }
  });
});
