import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type HttpReply, type TestStack } from '../support/stack.ts';
import { assertRecordedExactlyOnce, type Sent } from './steady-load.ts';

describe('duplicate and concurrent submissions of the same transaction ids', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('gives each id one decision, whether it comes alone, five times at once, or inside bulk requests', async () => {
    const txs = Array.from({ length: 30 }, (_, i) => aTransaction({ customer_id: `dup-c${i % 5}` }));
    const replies = new Map<string, { decision: string; decided_at: string }[]>();
    const keep = (id: string, view: { decision: string; decided_at: string }) => { replies.set(id, [...(replies.get(id) ?? []), view]); };
    // The submission with a changed payment: refused (409) unless it was the one decided, which the
    // transactions table says afterwards.
    const changedReplies = new Map<string, HttpReply>();
    const single = (tx: Record<string, unknown>, changed = false) => stack.post('/v1/decisions', changed ? { ...tx, amount: '777.00' } : tx)
      .then((r: HttpReply) => {
        if (changed) { changedReplies.set(tx['id'] as string, r); return; }
        if (r.status === 409) return; // this id's changed payment won: checked below
        assert.equal(r.status, 200, JSON.stringify(r.body));
        keep(tx['id'] as string, r.body);
      });
    const bulk = (batch: Record<string, unknown>[]) => stack.post('/v1/decisions/bulk', { transactions: batch })
      .then((r: HttpReply) => {
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
        for (const item of r.body.results) if (item.ok) keep(item.transaction_id, item.decision);
      });
    // Everything at once: five single submissions of each id (one with a changed body), and two bulk
    // requests holding every id (the second with each id twice).
    await Promise.all([
      ...txs.flatMap((tx) => [single(tx), single(tx), single(tx, true), single(tx), single(tx)]),
      bulk(txs),
      bulk([...txs, ...txs].reverse()),
    ]);
    const { rows } = await stack.db.query('SELECT id, amount::float8 AS amount FROM transactions WHERE id = ANY($1)', [txs.map((t) => t['id'])]);
    const changedWon = new Set(rows.filter((r) => r.amount === 777).map((r) => r.id as string));
    for (const tx of txs) {
      const id = tx['id'] as string;
      const seen = replies.get(id) ?? [];
      const changed = changedReplies.get(id);
      if (changedWon.has(id)) {
        assert.equal(changed?.status, 200);
        assert.equal(seen.length, 0, `${id}: the changed payment was decided, so every other submission is refused`);
      } else {
        assert.equal(changed?.status, 409, `${id}: ${JSON.stringify(changed?.body)}`);
        assert.equal(changed?.body.error.code, 'TRANSACTION_ID_REUSED');
        assert.equal(seen.length, 7, `${id}: 4 single + 3 bulk answers`);
        assert.equal(new Set(seen.map((v) => `${v.decision}@${v.decided_at}`)).size, 1, `${id}: one decision for every answer`);
      }
    }
    const sent: Sent[] = txs.map((tx) => ({ id: tx['id'] as string, sentAt: 0,
      reply: { status: 200, body: replies.get(tx['id'] as string)?.[0] ?? changedReplies.get(tx['id'] as string)?.body, headers: new Headers() } }));
    await assertRecordedExactlyOnce(stack.db, sent);
    for (const tx of txs) {
      const runs = [];
      for await (const wf of stack.temporal.workflow.list({ query: `WorkflowId = 'tx-${tx['id']}'` })) runs.push(wf);
      assert.equal(runs.length, 1, `one workflow for ${tx['id']}`);
    }
  });
});
