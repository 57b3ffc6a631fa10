import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../engine/decision.ts';
import { createLocalAnswers } from './local-answers.ts';

const decision = (id: string) => ({ transactionId: id, decision: 'APPROVE' }) as unknown as Decision;

describe('local answers (eagerly started decisions answered in process)', () => {
  it('hands the published decision to the route waiting for that workflow, once', async () => {
    const answers = createLocalAnswers();
    const w = answers.expect('tx-1', 1_000);
    assert.ok(w);
    answers.publish('tx-2', decision('2'));
    answers.publish('tx-1', decision('1'));
    answers.publish('tx-1', decision('1-again'));
    assert.equal((await w.answer)?.transactionId, '1');
  });

  it('answers null when the activity could not record its decision, when it is late, or when cancelled', async () => {
    const answers = createLocalAnswers();
    const unrecorded = answers.expect('tx-a', 1_000);
    answers.publish('tx-a', null);
    assert.equal(await unrecorded?.answer, null);
    assert.equal(await answers.expect('tx-b', 20)?.answer, null);
    const cancelled = answers.expect('tx-c', 1_000);
    cancelled?.cancel();
    assert.equal(await cancelled?.answer, null);
  });

  it('gives no waiter for a workflow already awaited, and a new one once the first is settled', async () => {
    const answers = createLocalAnswers();
    const first = answers.expect('tx-d', 1_000);
    assert.equal(answers.expect('tx-d', 1_000), null);
    first?.cancel();
    await first?.answer;
    const again = answers.expect('tx-d', 1_000);
    answers.publish('tx-d', decision('d'));
    assert.equal((await again?.answer)?.transactionId, 'd');
  });

  it('keeps no publication nobody waited for (a workflow started elsewhere): a later wait for that id does not get it', async () => {
    const answers = createLocalAnswers();
    answers.publish('tx-none', decision('none'));
    assert.equal(await answers.expect('tx-none', 20)?.answer, null);
  });
});
