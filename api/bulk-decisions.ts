import { z } from 'zod';
import { forEachConcurrently } from './bounded-concurrency.ts';
import { REUSED_ID_MESSAGE, type ReusedIdCheck } from './reused-ids.ts';
import type { Decision } from '../engine/decision.ts';
import { issuesOf, parseTransaction, transactionInputSchema, type ClockBound, type FieldIssue, type Transaction } from '../engine/transaction.ts';

/**
 * POST /v1/decisions/bulk: up to BULK_MAX transactions in one request. Each item is parsed on its own
 * (a bad item gets its own errors, the good ones are still decided), each distinct valid transaction
 * gets one decision, idempotent by transaction id like POST /v1/decisions: a retried bulk request, an
 * id repeated inside one, or one also sent alone, returns the first decision again.
 */
export const BULK_MAX = 1000;

/** The envelope; items stay `unknown` here so that each one is parsed, and reported, separately. */
export const bulkEnvelopeSchema = z.strictObject({
  transactions: z.array(z.unknown()).min(1, `must hold 1 to ${BULK_MAX} transactions`).max(BULK_MAX, `must hold at most ${BULK_MAX} transactions: split the batch`),
});

/** The request as documented (GET /openapi.json): the envelope with its items' schema. */
export const bulkRequestSchema = z.strictObject({
  transactions: z.array(transactionInputSchema).min(1).max(BULK_MAX),
});

export type BulkItem<View> =
  | { index: number; transaction_id: string; ok: true; decision: View }
  | { index: number; transaction_id: string | null; ok: false; error: { code: string; message: string; fields?: FieldIssue[] } };

export interface BulkReply<View> {
  count: number;
  decided: number;
  invalid: number;
  failed: number;
  results: BulkItem<View>[];
}

/** Decides distinct transactions; a transaction that could not be decided maps to its error. */
export type DecideMany = (txs: Transaction[]) => Promise<Map<string, Decision | Error>>;

export interface BulkDeps<View> {
  decideMany: DecideMany;
  view: (d: Decision) => View;
  /** The receiving server's clock and how far ahead of it a transaction's time may lie. */
  clock: ClockBound;
  /** Where a decision was made for another payment under the same id, what differs (reused-ids.ts). */
  reusedId: ReusedIdCheck;
}

/**
 * Each transaction through `decide` (its own workflow), `concurrency` at a time: bounds the load one
 * bulk request puts on Temporal and the worker. The bulk route's way when the batch cannot be decided
 * in process (see bulk-in-process.ts).
 */
export function oneByOne(decide: (tx: Transaction) => Promise<Decision>, concurrency: number): DecideMany {
  return async (txs) => {
    const out = new Map<string, Decision | Error>();
    await forEachConcurrently(txs, concurrency, async (tx) => { out.set(tx.id, await decide(tx).catch(asError)); });
    return out;
  };
}

/** A failure as the Error a bulk item reports. */
export const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Parses the envelope; the caller maps a failure to 400. */
export function parseBulkEnvelope(body: unknown): { ok: true; items: unknown[] } | { ok: false; issues: FieldIssue[] } {
  const parsed = bulkEnvelopeSchema.safeParse(body);
  return parsed.success ? { ok: true, items: parsed.data.transactions } : { ok: false, issues: issuesOf(parsed.error) };
}

const idOf = (item: unknown): string | null => {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
};

export async function decideBulk<View>(items: unknown[], deps: BulkDeps<View>): Promise<BulkReply<View>> {
  const results: BulkItem<View>[] = new Array(items.length);
  // One decision per transaction id even when the batch repeats an id: the first payment sent under it is
  // decided, and every item of the id (that payment again, or another under a used id) is answered
  // against the payment the decision was made for.
  const byId = new Map<string, { tx: Transaction; items: { index: number; tx: Transaction }[] }>();
  const reusedItem = (index: number, tx: Transaction, fields: FieldIssue[]): BulkItem<View> =>
    ({ index, transaction_id: tx.id, ok: false, error: { code: 'TRANSACTION_ID_REUSED', message: REUSED_ID_MESSAGE, fields } });
  items.forEach((item, index) => {
    const parsed = parseTransaction(item, deps.clock);
    if (!parsed.ok) {
      results[index] = { index, transaction_id: idOf(item), ok: false,
        error: { code: 'INVALID_TRANSACTION', message: 'This transaction is invalid: see fields.', fields: parsed.issues } };
      return;
    }
    const seen = byId.get(parsed.value.id);
    if (seen) seen.items.push({ index, tx: parsed.value });
    else byId.set(parsed.value.id, { tx: parsed.value, items: [{ index, tx: parsed.value }] });
  });

  const outcomes = byId.size ? await deps.decideMany([...byId.values()].map((v) => v.tx)) : new Map<string, Decision | Error>();
  const answered: Promise<void>[] = [];
  for (const { tx, items } of byId.values()) {
    const outcome = outcomes.get(tx.id) ?? new Error('no decision was made for it');
    if (outcome instanceof Error) {
      // One item that could not be decided (Temporal unreachable, timeout) does not sink the batch:
      // resubmitting the batch is safe and returns the decisions already made.
      const message = `Not decided: ${outcome.message}. Resubmit it: decisions already made are returned again, never remade.`;
      for (const { index } of items) results[index] = { index, transaction_id: tx.id, ok: false, error: { code: 'UNAVAILABLE', message } };
      continue;
    }
    const view = deps.view(outcome);
    for (const item of items) {
      answered.push(deps.reusedId(item.tx, outcome).then((reused) => {
        results[item.index] = reused.length ? reusedItem(item.index, item.tx, reused) : { index: item.index, transaction_id: tx.id, ok: true, decision: view };
      }));
    }
  }
  await Promise.all(answered);

  const decided = results.filter((r) => r.ok).length;
  const invalid = results.filter((r) => !r.ok && (r.error.code === 'INVALID_TRANSACTION' || r.error.code === 'TRANSACTION_ID_REUSED')).length;
  return { count: items.length, decided, invalid, failed: items.length - decided - invalid, results };
}
