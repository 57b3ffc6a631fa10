import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startStack, type TestStack } from '../support/stack.ts';
import { ownPostgres, type OwnService } from './own-services.ts';
import { assertEveryReviewHasItsCase, assertRecordedExactlyOnce, failures, steadyLoad, type Sent } from './steady-load.ts';

const OUTAGE_MS = 8_000;

describe('PostgreSQL stopped and restarted under load', () => {
  let postgres: OwnService;
  let stack: TestStack;
  let sent: Sent[];
  let down: { from: number; to: number };
  let recordedDuringOutage = -1;
  before(async () => {
    postgres = await ownPostgres();
    stack = await startStack({ DATABASE_URL: postgres.url });
    const load = steadyLoad(stack, { count: 60, perSecond: 4, prefix: 'pg' });
    await new Promise((r) => setTimeout(r, 4_000));
    down = { from: Date.now(), to: 0 };
    await postgres.stop();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await postgres.start();
    down.to = Date.now();
    sent = await load.done;
  });
  after(async () => { await stack?.stop(); await postgres?.remove(); });

  it('answers every request with a decision, those sent while the database was down included', () => {
    const inside = sent.filter((s) => s.sentAt > down.from && s.sentAt < down.to);
    assert.ok(inside.length >= 10, `${inside.length} requests during the outage`);
    assert.deepEqual(failures(sent), []);
  });

  it('writes every record after recovery, each exactly once: nothing lost', async () => {
    await assertRecordedExactlyOnce(stack.db, sent);
  });

  it('opens the review cases too', async (t) => {
    await assertEveryReviewHasItsCase(stack.db, sent, t);
  });
});
