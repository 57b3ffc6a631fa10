import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../support/stack.ts';
import { assertEveryReviewHasItsCase, assertRecordedExactlyOnce, failures, steadyLoad, type Sent } from './steady-load.ts';

const COUNT = Number(process.env.RELIABILITY_COUNT ?? 100);
const RATE = Number(process.env.RELIABILITY_RATE ?? 5);

describe(`steady load: ${COUNT} decisions at ${RATE}/s`, () => {
  let stack: TestStack;
  let sent: Sent[];
  before(async () => {
    stack = await startStack();
    sent = await steadyLoad(stack, { count: COUNT, perSecond: RATE }).done;
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('answers every request with a decision', () => {
    assert.deepEqual(failures(sent), []);
  });

  it('records every decision in Postgres exactly once, as it was answered', async () => {
    await assertRecordedExactlyOnce(stack.db, sent);
  });

  it('opens a review case for every REVIEW and for nothing else', async () => {
    await assertEveryReviewHasItsCase(stack.db, sent);
  });
});
