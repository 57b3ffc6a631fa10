import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import proto from '@temporalio/proto';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

describe('POST /v1/decisions', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('decides a valid transaction with score, reasons, ruleset version and latency, and records it with its event', async () => {
    const tx = aTransaction({ amount: 12.3 });
    const res = await stack.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(['APPROVE', 'REVIEW', 'DECLINE'].includes(res.body.decision));
    assert.equal(res.body.transaction_id, tx['id']);
    assert.equal(res.body.ruleset_version, 'default@1');
    assert.equal(res.body.arm, 'champion');
    assert.ok(Array.isArray(res.body.reasons));
    assert.ok('score' in res.body);
    assert.ok(res.body.latency_ms >= 0);
    assert.equal(res.body.workflow_id, `tx-${tx['id']}`);

    const stored = await waitFor(async () => {
      const { rows } = await stack.db.query('SELECT d.decision, t.amount::text AS amount FROM decisions d JOIN transactions t ON t.id = d.transaction_id WHERE d.transaction_id = $1', [tx['id']]);
      return rows[0];
    });
    assert.equal(stored.decision, res.body.decision);
    assert.equal(stored.amount, '12.300000', 'amount kept exact as NUMERIC');
    const { rows: events } = await stack.db.query('SELECT type FROM decision_events WHERE transaction_id = $1', [tx['id']]);
    assert.deepEqual(events.map((e) => e.type), ['decided']);

    const fetched = await stack.get(`/v1/decisions/${tx['id']}`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.decision, res.body.decision);
    assert.equal(fetched.body.persisted, true);
  });

  it('records the decision before answering, so an approved transaction\'s workflow, started eagerly, ends in one workflow task of six events: no activity, no update, no patch marker', async () => {
    const tx = aTransaction({ amount: 3.5 });
    const res = await stack.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.decision, 'APPROVE', 'a small first payment of a new customer is approved by the default ruleset');
    const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = $1 AND NOT shadow', [tx['id']]);
    assert.equal(rows[0].n, 1, 'on record when answered');
    const handle = stack.temporal.workflow.getHandle(`tx-${tx['id']}`);
    await handle.result();
    const { EventType } = proto.temporal.api.enums.v1;
    const events = ((await handle.fetchHistory()).events ?? []).map((e) => EventType[e.eventType ?? 0]);
    assert.equal(events.filter((t) => t === 'EVENT_TYPE_WORKFLOW_TASK_STARTED').length, 1, `one workflow task: ${events.join(', ')}`);
    assert.ok(!events.includes('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'), `no persistence activity: ${events.join(', ')}`);
    // The worker runs in the API's process here: the workflow was started eagerly and its decision taken
    // from its local activity in process, with no update round trip.
    assert.ok(!events.includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED'), `answered without an update: ${events.join(', ')}`);
    // The starter says which steps this code runs (TransactionWorkflowInput.decideAndRecord), so no patch
    // marker and no search-attribute upsert (which the SDK adds to a patch's first use): one marker, the
    // decision's local activity.
    assert.deepEqual(events.map((t) => String(t).replace('EVENT_TYPE_', '')), [
      'WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED', 'WORKFLOW_TASK_COMPLETED',
      'MARKER_RECORDED', 'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    const again = await stack.post('/v1/decisions', tx);
    assert.deepEqual(again.body, res.body, 'a resubmission is answered by the finished workflow, the same');
  });

  it('returns the first decision to a repeated or concurrent submission of the same id: one row, one workflow', async () => {
    const tx = aTransaction({ customer_id: 'c-idem' });
    const first = await stack.post('/v1/decisions', tx);
    const again = await Promise.all(Array.from({ length: 8 }, () => stack.post('/v1/decisions', tx)));
    for (const r of again) {
      assert.equal(r.status, 200);
      assert.equal(r.body.decided_at, first.body.decided_at);
      assert.equal(r.body.decision, first.body.decision);
    }
    const concurrentTx = aTransaction({ customer_id: 'c-idem2' });
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => stack.post('/v1/decisions', concurrentTx)));
    assert.equal(new Set(concurrent.map((r) => r.body.decided_at)).size, 1, 'every concurrent caller sees the same decision');
    for (const id of [tx['id'], concurrentTx['id']]) {
      await waitFor(async () => (await stack.db.query('SELECT 1 FROM decisions WHERE transaction_id = $1', [id])).rowCount);
      const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = $1', [id]);
      assert.equal(rows[0].n, 1);
      const runs = [];
      for await (const wf of stack.temporal.workflow.list({ query: `WorkflowId = 'tx-${id}'` })) runs.push(wf);
      assert.equal(runs.length, 1, 'one workflow execution');
    }
  });

  it('refuses a used id sent with another payment (409, naming what differs) and still answers its retries', async () => {
    const tx = aTransaction({ customer_id: 'c-reused', amount: '129.90' });
    const first = await stack.post('/v1/decisions', tx);
    assert.equal(first.status, 200);
    const other = await stack.post('/v1/decisions', { ...tx, amount: '999.90', merchant_id: 'm-elsewhere' });
    assert.equal(other.status, 409, JSON.stringify(other.body));
    assert.equal(other.body.error.code, 'TRANSACTION_ID_REUSED');
    assert.deepEqual(other.body.error.fields.map((f: { field: string }) => f.field), ['amount', 'merchant_id']);
    // The same payment written another way (amount as a number, the time in another offset, extra details) is a retry.
    const sameInstant = new Date(Date.parse(tx['occurred_at'] as string)).toISOString().replace('Z', '+00:00');
    const retry = await stack.post('/v1/decisions', { ...tx, amount: 129.9, occurred_at: sameInstant, metadata: { attempt: 2 } });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.decided_at, first.body.decided_at);

    // Two payments racing under one id: one is decided, the other refused, whichever wins.
    const raced = aTransaction({ customer_id: 'c-raced' });
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.post('/v1/decisions', i % 2 ? { ...raced, amount: '55.00' } : raced)
      .then((r) => ({ amount: i % 2 ? '55.00' : raced['amount'], r }))));
    const { rows } = await stack.db.query('SELECT amount::text AS amount FROM transactions WHERE id = $1', [raced['id']]);
    const won = Number(rows[0].amount);
    for (const { amount, r } of replies) {
      assert.equal(r.status, Number(amount) === won ? 200 : 409, `${amount} against the recorded ${won}: ${JSON.stringify(r.body)}`);
    }
  });

  it('changes velocity features with each transaction of a customer and never leaks them to another customer', async () => {
    const base = Date.UTC(2026, 10, 22, 12, 0, 0);
    const decideAt = async (customer: string, minute: number, amount: string) => {
      const tx = aTransaction({ customer_id: customer, occurred_at: new Date(base + minute * 60_000).toISOString(), amount });
      assert.equal((await stack.post('/v1/decisions', tx)).status, 200);
      return (await waitFor(async () => (await stack.get(`/v1/decisions/${tx['id']}`)).body?.features)) as Record<string, number | null>;
    };
    const a1 = await decideAt('vel-a', 0, '10.00');
    const a2 = await decideAt('vel-a', 1, '20.00');
    const a3 = await decideAt('vel-a', 2, '30.00');
    const b1 = await decideAt('vel-b', 3, '5.00');
    assert.equal(a1['customer.tx_count_1h'], 0);
    assert.equal(a2['customer.tx_count_1h'], 1);
    assert.equal(a2['customer.amount_sum_1h'], 10);
    assert.equal(a3['customer.tx_count_1h'], 2);
    assert.equal(a3['customer.amount_sum_1d'], 30);
    assert.equal(b1['customer.tx_count_1h'], 0, 'another customer starts from nothing');
    assert.equal(b1['customer.amount_sum_1d'], 0);
  });
});


describe('POST /v1/decisions with TEMPORAL_EAGER_START=false', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack({ TEMPORAL_EAGER_START: 'false' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('decides through update-with-start, recorded once, as an API process without a worker does', async () => {
    const tx = aTransaction({ amount: 4.25 });
    const res = await stack.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const handle = stack.temporal.workflow.getHandle(`tx-${tx['id']}`);
    await handle.result();
    const { EventType } = proto.temporal.api.enums.v1;
    const events = ((await handle.fetchHistory()).events ?? []).map((e) => EventType[e.eventType ?? 0]);
    assert.ok(events.includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED'), `answered by the workflow's update: ${events.join(', ')}`);
    const { rows } = await stack.db.query('SELECT decision FROM decisions WHERE transaction_id = $1 AND NOT shadow', [tx['id']]);
    assert.deepEqual(rows.map((r) => r.decision), [res.body.decision]);
  });
});
