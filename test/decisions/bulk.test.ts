import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { decisionReplySchema } from '../../api/openapi.ts';
import { anApiKey } from '../support/principals.ts';

// One stack for both suites of this file: starting one is most of its time.
let stack: TestStack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); await stack?.dropSchema(); });

describe('POST /v1/decisions/bulk', () => {
  it('takes 1,000 transactions in one request and gives one decision per transaction id, recorded once', async () => {
    // 100 distinct transactions, each sent ten times in the batch: 1,000 items, 100 decisions (the
    // bench measures 1,000 distinct ones; here the suite's time stays short).
    // Each with the metadata integrators send (ten values of an order's details): the batch passes 1 MB.
    const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`order_field_${k}`, 'x'.repeat(120)]));
    const distinct = Array.from({ length: 100 }, (_, i) => aTransaction({ customer_id: `bulk-c${i % 20}`, metadata }));
    const txs = Array.from({ length: 1000 }, (_, i) => distinct[i % 100] as Record<string, unknown>);
    assert.ok(JSON.stringify({ transactions: txs }).length > 1_048_576);
    const res = await stack.post('/v1/decisions/bulk', { transactions: txs });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    assert.deepEqual({ count: res.body.count, decided: res.body.decided, invalid: res.body.invalid, failed: res.body.failed },
      { count: 1000, decided: 1000, invalid: 0, failed: 0 });
    res.body.results.forEach((r: { index: number; transaction_id: string; ok: boolean; decision: { decided_at: string } }, i: number) => {
      assert.equal(r.index, i);
      assert.equal(r.transaction_id, txs[i]?.['id']);
      assert.equal(r.ok, true);
      decisionReplySchema.parse(r.decision);
      assert.equal(r.decision.decided_at, res.body.results[i % 100].decision.decided_at, 'a repeated id shares the first decision');
    });
    const ids = distinct.map((t) => t['id']);
    await waitFor(async () => {
      const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = ANY($1) AND NOT shadow', [ids]);
      return rows[0].n === 100;
    }, 120_000, 'every bulk decision recorded');
  });

  it('reports each invalid item with its fields and still decides the valid ones', async () => {
    const good = aTransaction();
    const res = await stack.post('/v1/decisions/bulk', { transactions: [
      good,
      { ...aTransaction(), amount: '-3' },
      { ...aTransaction(), currency: 'euro', surprise: 1 },
      'not an object',
      { ...aTransaction(), occurred_at: '2099-01-01T00:00:00Z' },
    ] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.decided, res.body.invalid, res.body.failed], [1, 4, 0]);
    const [ok, negative, twoFaults, notObject, ahead] = res.body.results;
    assert.equal(ok.ok, true);
    assert.equal(ok.decision.transaction_id, good['id']);
    assert.equal(negative.ok, false);
    assert.equal(negative.error.code, 'INVALID_TRANSACTION');
    assert.deepEqual(negative.error.fields.map((f: { field: string }) => f.field), ['amount']);
    assert.deepEqual(new Set(twoFaults.error.fields.map((f: { field: string }) => f.field)), new Set(['currency', '(body)']));
    assert.equal(notObject.transaction_id, null);
    assert.equal(notObject.error.fields[0].field, '(body)');
    assert.deepEqual(ahead.error.fields.map((f: { field: string }) => f.field), ['occurred_at']);
    assert.match(ahead.error.fields[0].reason, /days after this server's clock .*at most 15 minutes ahead/);
  });

  it('refuses an envelope that is not { transactions: [1..1000] } with 400 and the reason', async () => {
    for (const body of [{}, { transactions: [] }, { transactions: Array.from({ length: 1001 }, () => ({})) }, { transactions: [], extra: 1 }, []]) {
      const res = await stack.post('/v1/decisions/bulk', body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.error.code, 'INVALID_REQUEST');
      assert.ok(res.body.error.fields.length > 0);
    }
  });

  it('is idempotent by transaction id: a resubmitted batch, a repeated id and POST /v1/decisions all return the first decision', async () => {
    const txs = Array.from({ length: 20 }, () => aTransaction({ customer_id: 'bulk-idem' }));
    const first = await stack.post('/v1/decisions/bulk', { transactions: txs });
    const again = await stack.post('/v1/decisions/bulk', { transactions: [...txs, txs[0]] });
    assert.equal(again.body.decided, 21);
    txs.forEach((_, i) => assert.equal(again.body.results[i].decision.decided_at, first.body.results[i].decision.decided_at));
    assert.equal(again.body.results[20].decision.decided_at, first.body.results[0].decision.decided_at);
    const single = await stack.post('/v1/decisions', txs[3]);
    assert.equal(single.body.decided_at, first.body.results[3].decision.decided_at);
    await waitFor(async () => (await stack.db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = ANY($1)', [txs.map((t) => t['id'])])).rows[0].n === 20, 30_000);
    const { rows } = await stack.db.query('SELECT transaction_id, count(*)::int AS n FROM decisions WHERE transaction_id = ANY($1) GROUP BY 1 HAVING count(*) > 1', [txs.map((t) => t['id'])]);
    assert.deepEqual(rows, []);
  });

  it('refuses, item by item, a used id sent with another payment, in the same batch or after an earlier request', async () => {
    const [a, b] = [aTransaction({ customer_id: 'bulk-reused' }), aTransaction({ customer_id: 'bulk-reused' })] as Record<string, unknown>[];
    assert.equal((await stack.post('/v1/decisions', a)).status, 200);
    const res = await stack.post('/v1/decisions/bulk', { transactions: [{ ...a, amount: '9999.00' }, b, { ...b, currency: 'USD' }, a] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual([res.body.decided, res.body.invalid, res.body.failed], [2, 2, 0]);
    const [changedA, firstB, changedB, sameA] = res.body.results;
    assert.equal(changedA.error.code, 'TRANSACTION_ID_REUSED');
    assert.deepEqual(changedA.error.fields.map((f: { field: string }) => f.field), ['amount']);
    assert.equal(firstB.ok, true);
    assert.equal(changedB.error.code, 'TRANSACTION_ID_REUSED');
    assert.deepEqual(changedB.error.fields.map((f: { field: string }) => f.field), ['currency']);
    assert.equal(sameA.ok, true, 'the first payment repeated is a retry');
  });

  it('needs the decide permission', async () => {
    const { key } = await anApiKey(stack, ['read']);
    const res = await stack.as(key).post('/v1/decisions/bulk', { transactions: [aTransaction()] });
    assert.equal(res.status, 403);
  });
});

describe('GET /openapi.json', () => {
  it('describes every route with its permission, and the decision request from the schema that parses it', async () => {
    const res = await stack.get('/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.0.3');
    const decide = res.body.paths['/v1/decisions'].post;
    assert.equal(decide['x-permission'], 'decide');
    const tx = decide.requestBody.content['application/json'].schema;
    assert.ok(tx.required.includes('id') && tx.required.includes('amount'));
    assert.equal(tx.additionalProperties, false);
    const bulk = res.body.paths['/v1/decisions/bulk'].post.requestBody.content['application/json'].schema;
    assert.equal(bulk.properties.transactions.maxItems, 1000);
    assert.ok(res.body.paths['/v1/decisions/{id}'].get);
    assert.deepEqual(res.body.paths['/healthz'].get.security, []);
  });

  it('is refused without credentials', async () => {
    assert.equal((await stack.as(null).get('/openapi.json')).status, 401);
  });
});
