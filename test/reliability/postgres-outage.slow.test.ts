import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, dropFeatureKeys, startStack, type TestStack } from '../support/stack.ts';
import { ownPostgres, type OwnService } from './own-services.ts';
import { assertEveryReviewHasItsCase, assertRecordedExactlyOnce, failures, outageUnderLoad, sendBulk, steadyLoad, type Sent } from './steady-load.ts';

const OUTAGE_MS = 8_000;

describe('PostgreSQL stopped and restarted under load', () => {
  let postgres: OwnService;
  let stack: TestStack;
  let sent: Sent[];
  let down: { from: number; to: number };
  let bulkSent: Sent[] = [];
  before(async () => {
    postgres = await ownPostgres();
    stack = await startStack({ DATABASE_URL: postgres.url });
    // A bulk request in the middle of the outage: it cannot read the decision record, so its batch
    // goes through the transaction workflows, which record each decision once Postgres is back.
    const txs = Array.from({ length: 10 }, (_, i) => aTransaction({ customer_id: `pg-bulk-${i % 3}` }));
    ({ sent, down } = await outageUnderLoad(steadyLoad(stack, { count: 60, perSecond: 4, prefix: 'pg' }), postgres, {
      downMs: OUTAGE_MS, whileDown: async () => { bulkSent = await sendBulk(stack, txs, OUTAGE_MS / 4); },
    }));
  });
  // The schema goes with its own Postgres; its feature keys are on the machine's Redis.
  after(async () => { await stack?.stop(); await postgres?.remove(); if (stack) await dropFeatureKeys(stack.config.REDIS_KEY_PREFIX); });

  it('answers every request with a decision, those sent while the database was down included', () => {
    const inside = sent.filter((s) => s.sentAt > down.from && s.sentAt < down.to);
    assert.ok(inside.length >= 10, `${inside.length} requests during the outage`);
    assert.deepEqual(failures(sent), []);
    assert.equal(bulkSent.length, 10);
    assert.deepEqual(failures(bulkSent), [], 'the bulk request sent during the outage: every item decided');
  });

  it('writes every record after recovery, each exactly once: nothing lost', async () => {
    await assertRecordedExactlyOnce(stack.db, [...sent, ...bulkSent]);
  });

  it('opens the review cases too', async () => {
    await assertEveryReviewHasItsCase(stack.db, [...sent, ...bulkSent]);
  });
});
