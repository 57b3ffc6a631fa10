import type { Logger } from 'pino';
import type { Decision } from '../engine/decision.ts';
import { paymentDifferences, parseTransaction, type FieldIssue, type Transaction } from '../engine/transaction.ts';

/**
 * A transaction id is the idempotency key: a retry gets the first decision back. A request that sends
 * a used id with another payment (a client that reuses ids, two payments racing under one) must not
 * get that decision, which was made for a different amount, customer or merchant: it is refused (409),
 * naming what differs.
 */
export type ReusedIdCheck = (tx: Transaction, decision: Decision, sent: Transaction) => Promise<FieldIssue[]>;

/**
 * Whether `decision` was made for the request received at `receivedAtMs`: its latency counts from the
 * receipt of the request that made it. Only a decision made for another request needs the stored payment read.
 */
export const madeFor = (decision: Decision, receivedAtMs: number): boolean =>
  Math.abs(Date.parse(decision.decidedAt) - decision.latencyMs - receivedAtMs) < 1;

export function reusedIdCheck(deps: { transactionBody(id: string): Promise<Record<string, unknown> | null>; log?: Logger }, receivedAtMs: number): ReusedIdCheck {
  // `sent`: the payment this request had decided under tx's id (a bulk request may carry several under one id).
  return async (tx, decision, sent) => {
    if (madeFor(decision, receivedAtMs)) return differencesAsIssues(paymentDifferences(sent, tx));
    let body: Record<string, unknown> | null;
    try {
      body = await deps.transactionBody(tx.id);
    } catch (err) {
      // Postgres unreachable: the first payment cannot be read, and a retry must still be answered.
      deps.log?.warn({ transactionId: tx.id, err: (err as Error).message }, 'first payment of a repeated id unreadable: answered without comparing');
      return [];
    }
    const first = body ? parseTransaction(body) : null;
    if (!first?.ok) return [];
    return differencesAsIssues(paymentDifferences(first.value, tx));
  };
}

export const differencesAsIssues = (fields: readonly string[]): FieldIssue[] =>
  fields.map((field) => ({ field, reason: 'differs from the payment first decided under this transaction id' }));

export const REUSED_ID_MESSAGE = 'This transaction id was decided for another payment: a retry must repeat the first request, and a new payment needs a new id.';
