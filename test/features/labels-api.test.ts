import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';

describe('POST /v1/labels', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('refuses a label said to become known years from now (it would never count), and takes it when sent as known now', async () => {
    const tx = aTransaction();
    assert.equal((await stack.post('/v1/decisions', tx)).status, 200);
    const ahead = await stack.post('/v1/labels', { transaction_id: tx['id'], fraud: true, known_at: '2030-01-01T00:00:00Z' });
    assert.equal(ahead.status, 400, JSON.stringify(ahead.body));
    assert.equal(ahead.body.error.fields[0].field, 'known_at');
    assert.match(ahead.body.error.fields[0].reason, /days after this server's clock .*at most 15 minutes ahead is accepted; send when the label became known, or leave it out for now/);
    const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM labels WHERE transaction_id = $1', [tx['id']]);
    assert.equal(rows[0].n, 0, 'nothing recorded');

    const now = await stack.post('/v1/labels', { transaction_id: tx['id'], fraud: true });
    assert.equal(now.status, 201, JSON.stringify(now.body));
    assert.equal(now.body.duplicate, false);
    assert.ok(Math.abs(Date.parse(now.body.known_at) - Date.now()) < 60_000);
  });

  it('shows a decision with its labels, oldest first, and its events', async () => {
    const tx = aTransaction();
    assert.equal((await stack.post('/v1/decisions', tx)).status, 200);
    assert.equal((await stack.post('/v1/labels', { transaction_id: tx['id'], fraud: true, source: 'chargeback', reason: '10.4' })).status, 201);
    assert.equal((await stack.post('/v1/labels', { transaction_id: tx['id'], fraud: false, source: 'client' })).status, 201);
    const shown = await stack.get(`/v1/decisions/${tx['id']}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body.labels.map((l: Record<string, unknown>) => [l['fraud'], l['source'], l['reason'], l['created_by']]),
      [[true, 'chargeback', '10.4', 'key:key_env_admin'], [false, 'client', null, 'key:key_env_admin']]);
    assert.ok(shown.body.labels.every((l: { known_at: string }) => !Number.isNaN(Date.parse(l.known_at))));
    assert.equal(shown.body.events[0].type, 'decided');
    assert.ok(!Number.isNaN(Date.parse(shown.body.events[0].created_at)), 'snake_case like the rest of the reply');
  });

  it('refuses a label known before its transaction happened, and records nothing', async () => {
    const tx = aTransaction({ occurred_at: new Date(Date.now() - 3_600_000).toISOString() });
    assert.equal((await stack.post('/v1/decisions', tx)).status, 200);
    const early = await stack.post('/v1/labels', { transaction_id: tx['id'], fraud: true, known_at: new Date(Date.now() - 2 * 3_600_000).toISOString() });
    assert.equal(early.status, 400);
    assert.equal(early.body.error.fields[0].field, 'known_at');
    assert.match(early.body.error.fields[0].reason, /^is before the transaction happened \(.+\): a label becomes known after its payment/);
    const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM labels WHERE transaction_id = $1', [tx['id']]);
    assert.equal(rows[0].n, 0);
  });

  it('names the field and the reason for a label that is not one', async () => {
    const res = await stack.post('/v1/labels', { transaction_id: 't-unknown', fraud: 'yes' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.error.fields.map((f: { field: string }) => f.field), ['fraud']);
  });
});
