import type { Logger } from 'pino';
import type { Decision } from '../engine/decision.ts';
import { paymentDifferences, paymentOf, parseTransaction, type FieldIssue, type PaymentIdentity, type Transaction } from '../engine/transaction.ts';

/**
 * A transaction id is the idempotency key: a retry gets the first decision back. A request that sends
 * a used id with another payment (a client that reuses ids, two payments racing under one) must not
 * get that decision, which was made for a different amount, customer or merchant: it is refused (409),
 * naming what differs. Empty for a retry.
 */
export type ReusedIdCheck = (tx: Transaction, decision: Decision) => Promise<FieldIssue[]>;

/**
 * Compares against the payment the decision names (no I/O: the decision activity records it, and the
 * decision repository reads it with the decision); only a decision answered by a workflow that ran before
 * decisions named their payment has it read from the transaction record.
 */
export function reusedIdCheck(deps: { transactionBody(id: string): Promise<Record<string, unknown> | null>; log?: Logger }): ReusedIdCheck {
  const recordedPayment = async (id: string): Promise<PaymentIdentity | null> => {
    try {
      const first = parseTransaction(await deps.transactionBody(id));
      return first.ok ? paymentOf(first.value) : null;
    } catch (err) {
      // Postgres unreachable: the first payment cannot be read, and a retry must still be answered.
      deps.log?.warn({ transactionId: id, err: (err as Error).message }, 'first payment of a repeated id unreadable: answered without comparing');
      return null;
    }
  };
  return async (tx, decision) => {
    const first = decision.payment ?? await recordedPayment(tx.id);
    return first ? paymentDifferences(first, paymentOf(tx)).map((field) => ({ field, reason: 'differs from the payment first decided under this transaction id' })) : [];
  };
}

export const REUSED_ID_MESSAGE = 'This transaction id was decided for another payment: a retry must repeat the first request, and a new payment needs a new id.';
