import type { Db } from '../../db/pool.ts';
import type { CaseStatus, Tier } from '../../workflows/case-machine.ts';

export interface QueueFilter {
  tier?: Tier | undefined;
  statuses: CaseStatus[];
  /** Only cases opened at or before this instant (the "min age" filter). */
  openedBefore?: Date | undefined;
  amountMin?: number | undefined;
  amountMax?: number | undefined;
  scoreMin?: number | undefined;
  scoreMax?: number | undefined;
  limit: number;
  offset: number;
}

export interface QueuedCase {
  id: string;
  transactionId: string;
  status: CaseStatus;
  tier: Tier;
  claimedBy: string | null;
  claimedAt: string | null;
  slaDueAt: string | null;
  overdue: boolean;
  escalations: number;
  openedAt: string;
  resolution: 'approved' | 'declined' | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  reasonCode: string | null;
  amount: string;
  currency: string;
  customerId: string;
  merchantId: string;
  occurredAt: string;
  score: number | null;
  reasons: { code: string; message: string }[];
}

export interface HistoryEntry {
  transactionId: string;
  occurredAt: string;
  amount: string;
  currency: string;
  merchantId: string;
  decision: string | null;
  score: number | null;
  label: boolean | null;
}

interface QueueRow {
  id: string; transaction_id: string; status: CaseStatus; tier: Tier; claimed_by: string | null; claimed_at: Date | null;
  sla_due_at: Date | null; overdue: boolean; escalations: number; opened_at: Date; resolution: 'approved' | 'declined' | null;
  resolved_by: string | null; resolved_at: Date | null; reason_code: string | null; amount: string; currency: string;
  customer_id: string; merchant_id: string; occurred_at: Date; score: number | null; reasons: QueuedCase['reasons'];
}

// Amounts as the client sent them (the body keeps the decimal text; the NUMERIC(21,6) column prints six decimals).
const AMOUNT_AS_SENT = `COALESCE(t.body->>'amount', t.amount::text)`;
const CASE_COLUMNS = `c.id, c.transaction_id, c.status, c.tier, c.claimed_by, c.claimed_at, c.sla_due_at, c.overdue, c.escalations, c.opened_at,
  c.resolution, c.resolved_by, c.resolved_at, c.reason_code, ${AMOUNT_AS_SENT} AS amount, t.currency, t.customer_id, t.merchant_id,
  t.occurred_at, d.score, d.reasons`;
const CASE_FROM = `cases c JOIN transactions t ON t.id = c.transaction_id
  LEFT JOIN decisions d ON d.transaction_id = c.transaction_id AND NOT d.shadow`;

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;
function fromRow(r: QueueRow): QueuedCase {
  return {
    id: r.id, transactionId: r.transaction_id, status: r.status, tier: r.tier, claimedBy: r.claimed_by, claimedAt: isoOrNull(r.claimed_at),
    slaDueAt: isoOrNull(r.sla_due_at), overdue: r.overdue, escalations: r.escalations, openedAt: r.opened_at.toISOString(),
    resolution: r.resolution, resolvedBy: r.resolved_by, resolvedAt: isoOrNull(r.resolved_at), reasonCode: r.reason_code,
    amount: r.amount, currency: r.currency, customerId: r.customer_id, merchantId: r.merchant_id, occurredAt: r.occurred_at.toISOString(),
    score: r.score, reasons: r.reasons ?? [],
  };
}

/** The analysts' read model: the queue and everything the case screen shows. */
export function createCaseQueue(db: Db) {
  return {
    /** Priority order: the SLA that breaches first, then the riskiest score, then the oldest. */
    async list(f: QueueFilter): Promise<QueuedCase[]> {
      const { rows } = await db.query<QueueRow>(
        `SELECT ${CASE_COLUMNS} FROM ${CASE_FROM}
         WHERE c.status = ANY($1::text[])
           AND ($2::text IS NULL OR c.tier = $2)
           AND ($3::timestamptz IS NULL OR c.opened_at <= $3)
           AND ($4::numeric IS NULL OR t.amount >= $4) AND ($5::numeric IS NULL OR t.amount <= $5)
           AND ($6::float8 IS NULL OR d.score >= $6) AND ($7::float8 IS NULL OR d.score <= $7)
         ORDER BY c.sla_due_at ASC NULLS LAST, d.score DESC NULLS LAST, c.opened_at, c.id
         LIMIT $8 OFFSET $9`,
        [f.statuses, f.tier ?? null, f.openedBefore?.toISOString() ?? null, f.amountMin ?? null, f.amountMax ?? null,
          f.scoreMin ?? null, f.scoreMax ?? null, f.limit, f.offset]);
      return rows.map(fromRow);
    },

    async get(caseId: string): Promise<QueuedCase | null> {
      const { rows } = await db.query<QueueRow>(`SELECT ${CASE_COLUMNS} FROM ${CASE_FROM} WHERE c.id = $1`, [caseId]);
      return rows[0] ? fromRow(rows[0]) : null;
    },

    /** The transaction as the client sent it. */
    async transactionBody(transactionId: string): Promise<Record<string, unknown> | null> {
      const { rows } = await db.query<{ body: Record<string, unknown> }>('SELECT body FROM transactions WHERE id = $1', [transactionId]);
      return rows[0]?.body ?? null;
    },

    /** The customer's latest other transactions, with how each was decided and labelled. */
    async customerHistory(customerId: string, exceptTransactionId: string, limit = 20): Promise<HistoryEntry[]> {
      const { rows } = await db.query<{ id: string; occurred_at: Date; amount: string; currency: string; merchant_id: string; decision: string | null; score: number | null; fraud: boolean | null }>(
        `SELECT t.id, t.occurred_at, ${AMOUNT_AS_SENT} AS amount, t.currency, t.merchant_id, d.decision, d.score,
           (SELECT l.fraud FROM labels l WHERE l.transaction_id = t.id ORDER BY l.id DESC LIMIT 1) AS fraud
         FROM transactions t LEFT JOIN decisions d ON d.transaction_id = t.id AND NOT d.shadow
         WHERE t.customer_id = $1 AND t.id <> $2
         ORDER BY t.occurred_at DESC LIMIT $3`, [customerId, exceptTransactionId, limit]);
      return rows.map((r) => ({ transactionId: r.id, occurredAt: r.occurred_at.toISOString(), amount: r.amount, currency: r.currency,
        merchantId: r.merchant_id, decision: r.decision, score: r.score, label: r.fraud }));
    },
  };
}

export type CaseQueue = ReturnType<typeof createCaseQueue>;
