import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision } from '../engine/decision.ts';
import { parseTransaction, paymentOf, type Transaction } from '../engine/transaction.ts';
import { reusedIdCheck } from './reused-ids.ts';

const body = { id: 't-1', occurred_at: '2026-12-07T10:00:00Z', amount: '129.90', currency: 'EUR', customer_id: 'c-1', merchant_id: 'm-1' };
const tx = (overrides: Record<string, unknown> = {}): Transaction => {
  const parsed = parseTransaction({ ...body, ...overrides });
  assert.ok(parsed.ok);
  return parsed.value;
};
// Only what the check reads of a decision: the payment it names, if any.
const decisionFor = (payment?: Transaction) => ({ transactionId: 't-1', ...(payment ? { payment: paymentOf(payment) } : {}) }) as Decision;

describe('telling a retry from a used transaction id sent with another payment', () => {
  const noRead = { transactionBody: async () => assert.fail('the decision names its payment: nothing to read') };

  it('takes the same payment however written (amount as a number, another offset, other details) as a retry, without a read', async () => {
    const check = reusedIdCheck(noRead);
    assert.deepEqual(await check(tx({ amount: 129.9, occurred_at: '2026-12-07T12:00:00+02:00', metadata: { attempt: 2 } }), decisionFor(tx())), []);
  });

  it('names every field of the payment that differs', async () => {
    const issues = await reusedIdCheck(noRead)(tx({ amount: '999.90', merchant_id: 'm-2', terminal_id: 'pos-9' }), decisionFor(tx()));
    assert.deepEqual(issues.map((i) => i.field), ['amount', 'merchant_id', 'terminal_id']);
  });

  it('reads the recorded payment for a decision that does not name one (made by a workflow before decisions did)', async () => {
    const check = reusedIdCheck({ transactionBody: async (id) => (id === 't-1' ? body : null) });
    assert.deepEqual((await check(tx({ currency: 'USD' }), decisionFor())).map((i) => i.field), ['currency']);
    assert.deepEqual(await check(tx(), decisionFor()), []);
  });

  it('answers a repeated id when the recorded payment cannot be read (Postgres down), saying so in the log', async () => {
    const warned: string[] = [];
    const log = { warn: (_o: unknown, msg: string) => { warned.push(msg); } } as unknown as NonNullable<Parameters<typeof reusedIdCheck>[0]['log']>;
    const check = reusedIdCheck({ transactionBody: async () => { throw new Error('connect ECONNREFUSED'); }, log });
    assert.deepEqual(await check(tx({ amount: '1.00' }), decisionFor()), []);
    assert.deepEqual(warned, ['first payment of a repeated id unreadable: answered without comparing']);
  });
});
