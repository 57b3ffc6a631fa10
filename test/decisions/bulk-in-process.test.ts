import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { caseIdOf } from '../../workflows/case-actions.ts';
import { deployCaseRuleset } from '../cases/case-fixtures.ts';

// The bulk route decides its batch in the API process and hands follow-ups to the transaction
// workflows; these are the guarantees a single request has, checked for a batch.
describe('POST /v1/decisions/bulk, decided in process', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack();
    await deployCaseRuleset(stack, { shadowDeclinesAll: true }); // amount ≥ 9000 DECLINE, ≥ 1000 REVIEW, else APPROVE
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  const bulk = async (transactions: Record<string, unknown>[]) => {
    const res = await stack.post('/v1/decisions/bulk', { transactions });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
    return res.body.results as { transaction_id: string; ok: boolean; decision: Record<string, any> }[];
  };

  it('has every decision, shadow arms included, recorded by the time it answers', async () => {
    const txs = Array.from({ length: 40 }, (_, i) => aTransaction({ amount: i % 10 === 0 ? '1500.00' : '25.00', customer_id: `bip-rec${i % 7}` }));
    const results = await bulk(txs);
    const ids = txs.map((t) => t['id']);
    const { rows } = await stack.db.query(
      `SELECT transaction_id, arm, shadow, decision, decided_at FROM decisions WHERE transaction_id = ANY($1) ORDER BY transaction_id, shadow`, [ids]);
    assert.equal(rows.filter((r) => !r.shadow).length, 40, 'acting decisions');
    assert.equal(rows.filter((r) => r.shadow).length, 40, 'the shadow arm\'s decision of each');
    for (const r of results) {
      const acting = rows.find((row) => row.transaction_id === r.transaction_id && !row.shadow);
      assert.equal(acting.decision, r.decision['decision']);
      assert.equal(acting.decided_at.toISOString(), r.decision['decided_at']);
    }
    const events = await stack.db.query(`SELECT transaction_id FROM decision_events WHERE type = 'decided' AND transaction_id = ANY($1)`, [ids]);
    assert.equal(events.rowCount, 40, 'one decided event each');
  });

  it('opens the case of each REVIEW and notifies each DECLINE through the transaction\'s own workflow', async () => {
    const review = aTransaction({ amount: '1500.00', customer_id: 'bip-case' });
    const decline = aTransaction({ amount: '9500.00', customer_id: 'bip-case' });
    const approve = aTransaction({ amount: '12.00', customer_id: 'bip-case' });
    const [r, d, a] = await bulk([review, decline, approve]);
    assert.deepEqual([r?.decision['decision'], d?.decision['decision'], a?.decision['decision']], ['REVIEW', 'DECLINE', 'APPROVE']);
    assert.equal(r?.decision['workflow_id'], `tx-${review['id']}`);
    assert.equal(d?.decision['workflow_id'], `tx-${decline['id']}`);

    const caseId = caseIdOf(review['id'] as string);
    const opened = await waitFor(async () => { const c = await stack.get(`/v1/cases/${caseId}`); return c.status === 200 ? c.body : null; }, 30_000, 'the case opened');
    assert.equal(opened.case.id, caseId);
    assert.equal(opened.case.status, 'open');
    assert.equal(await stack.temporal.workflow.getHandle(`tx-${decline['id']}`).result().then((x: any) => x.decidedAt), d?.decision['decided_at'],
      'the DECLINE\'s workflow ran on the bulk decision, not a new one');
    // A single request for the same ids joins those workflows and answers the same decisions.
    for (const [tx, item] of [[review, r], [decline, d], [approve, a]] as const) {
      const single = await stack.post('/v1/decisions', tx);
      assert.equal(single.body.decided_at, item?.decision['decided_at'], `${tx['amount']}: the first decision`);
    }
  });

  it('lists every decision of the request in its batch workflow, the one an APPROVE names', async () => {
    const txs = Array.from({ length: 5 }, () => aTransaction({ amount: '30.00', customer_id: 'bip-batch' }));
    const results = await bulk(txs);
    const workflowId = results[0]?.decision['workflow_id'] as string;
    assert.match(workflowId, /^bulk-/);
    assert.ok(results.every((x) => x.decision['workflow_id'] === workflowId));
    const handle = stack.temporal.workflow.getHandle(workflowId);
    await handle.result();
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const payload = JSON.parse(Buffer.from(started?.input?.payloads?.[0]?.data as Uint8Array).toString());
    assert.deepEqual(payload.summary.map((s: { transactionId: string }) => s.transactionId).sort(), txs.map((t) => t['id']).sort());
    assert.ok(payload.summary.every((s: { decision: string }) => s.decision === 'APPROVE'));
  });

  it('answers an id decided alone before with that decision, and never decides it again', async () => {
    const tx = aTransaction({ amount: '1500.00', customer_id: 'bip-first' });
    const single = await stack.post('/v1/decisions', tx);
    const [item] = await bulk([tx]);
    assert.equal(item?.decision['decided_at'], single.body.decided_at);
    assert.equal(item?.decision['workflow_id'], `tx-${tx['id']}`);
    const { rows } = await stack.db.query('SELECT count(*)::int AS n FROM decisions WHERE transaction_id = $1 AND NOT shadow', [tx['id']]);
    assert.equal(rows[0].n, 1);
  });
});
