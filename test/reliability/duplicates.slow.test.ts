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
    const single = (tx: Record<string, unknown>, changed = false) => stack.post('/v1/decisions', changed ? { ...tx, amount: '777.00' } : tx)
      .then((r: HttpReply) => { assert.equal(r.status, 200, JSON.stringify(r.body)); keep(tx['id'] as string, r.body); });
    const bulk = (batch: Record<string, unknown>[]) => stack.post('/v1/decisions/bulk', { transactions: batch })
      .then((r: HttpReply) => {
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
        for (const item of r.body.results) { assert.equal(item.ok, true, JSON.stringify(item)); keep(item.transaction_id, item.decision); }
      });
    // Everything at once: five single submissions of each id (one with a changed body), and two bulk
    // requests holding every id (the second with each id twice).
    await Promise.all([
      ...txs.flatMap((tx) => [single(tx), single(tx), single(tx, true), single(tx), single(tx)]),
      bulk(txs),
      bulk([...txs, ...txs].reverse()),
    ]);
    for (const tx of txs) {
      const seen = replies.get(tx['id'] as string) ?? [];
      assert.equal(seen.length, 8, `${tx['id']}: 5 single + 3 bulk answers`);
      assert.equal(new Set(seen.map((v) => `${v.decision}@${v.decided_at}`)).size, 1, `${tx['id']}: one decision for every answer`);
    }
    const sent: Sent[] = txs.map((tx) => ({ id: tx['id'] as string, sentAt: 0, reply: { status: 200, body: replies.get(tx['id'] as string)?.[0], headers: new Headers() } }));
    await assertRecordedExactlyOnce(stack.db, sent);
    for (const tx of txs) {
      const runs = [];
      for await (const wf of stack.temporal.workflow.list({ query: `WorkflowId = 'tx-${tx['id']}'` })) runs.push(wf);
      assert.equal(runs.length, 1, `one workflow for ${tx['id']}`);
    }
  });
});
