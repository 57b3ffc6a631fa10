import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { ownRedis, type OwnService } from './own-services.ts';
import { assertRecordedExactlyOnce, failures, outageUnderLoad, steadyLoad, type Sent } from './steady-load.ts';

describe('Redis stopped and restarted under load', () => {
  let redis: OwnService;
  let stack: TestStack;
  let sent: Sent[];
  let down: { from: number; to: number };
  before(async () => {
    redis = await ownRedis();
    stack = await startStack({ REDIS_URL: redis.url });
    ({ sent, down } = await outageUnderLoad(steadyLoad(stack, { count: 60, perSecond: 4, prefix: 'redis' }), redis, { downMs: 4_000 }));
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await redis?.remove(); });

  it('keeps deciding: no request fails', () => {
    assert.deepEqual(failures(sent), []);
  });

  it('marks the decisions made while Redis was down as degraded', () => {
    // Sent well inside the outage (a second after it began, a second before it ended).
    const inside = sent.filter((s) => s.sentAt > down.from + 1_000 && s.sentAt < down.to - 1_000);
    assert.ok(inside.length >= 5, `${inside.length} requests inside the outage`);
    for (const s of inside) assert.equal(s.reply?.body.degraded, true, `${s.id} sent during the outage`);
  });

  it('records every decision, degraded or not, exactly once', async () => {
    await assertRecordedExactlyOnce(stack.db, sent);
  });

  it('uses features again once Redis is back', async () => {
    const customer = `redis-back-${Date.now()}`;
    let last: { degraded: boolean; transaction_id: string } | undefined;
    // The client reconnects on its own schedule: the first decisions after the restart may still be degraded.
    for (let i = 0; i < 40 && (last === undefined || last.degraded); i++) {
      const res = await stack.post('/v1/decisions', aTransaction({ customer_id: customer }));
      assert.equal(res.status, 200);
      last = res.body;
      if (last?.degraded) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(last?.degraded, false, 'decisions are no longer degraded');
    const next = await stack.post('/v1/decisions', aTransaction({ customer_id: customer }));
    assert.equal(next.body.degraded, false);
    const stored = await stack.get(`/v1/decisions/${next.body.transaction_id}`);
    assert.ok((stored.body.features['customer.tx_count_1h'] ?? 0) >= 1, `the customer's earlier transaction is counted: ${JSON.stringify(stored.body.features)}`);
  });
});
