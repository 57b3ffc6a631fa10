import type { Db } from '../../db/pool.ts';

export interface LabelRecord {
  transactionId: string;
  fraud: boolean;
  source: 'analyst' | 'chargeback' | 'client' | 'import';
  knownAt: string;
  reason?: string | undefined;
  createdBy: string;
}

export interface LabelledTransaction {
  customerId: string;
  merchantId: string;
  occurredAt: string;
}

/** Labels table: append-only, one row per (transaction, source, verdict) thanks to the idempotency key. */
export function createLabelRepository(db: Db) {
  return {
    async transaction(id: string): Promise<LabelledTransaction | null> {
      const { rows } = await db.query<{ customer_id: string; merchant_id: string; occurred_at: Date }>(
        'SELECT customer_id, merchant_id, occurred_at FROM transactions WHERE id = $1', [id]);
      const r = rows[0];
      return r ? { customerId: r.customer_id, merchantId: r.merchant_id, occurredAt: r.occurred_at.toISOString() } : null;
    },

    /** Records a label once; a repeat of the same (transaction, source, verdict) is a no-op. */
    async record(label: LabelRecord): Promise<{ inserted: boolean }> {
      const res = await db.query(
        `INSERT INTO labels (transaction_id, fraud, source, known_at, reason, created_by, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
        [label.transactionId, label.fraud, label.source, label.knownAt, label.reason ?? null, label.createdBy, labelKey(label)]);
      return { inserted: (res.rowCount ?? 0) > 0 };
    },

    /** A transaction's labels, oldest first: the latest one is what precision, recall and the fraud-rate features count. */
    async forTransaction(transactionId: string): Promise<LabelRecord[]> {
      const { rows } = await db.query<{ fraud: boolean; source: LabelRecord['source']; known_at: Date; reason: string | null; created_by: string }>(
        'SELECT fraud, source, known_at, reason, created_by FROM labels WHERE transaction_id = $1 ORDER BY id', [transactionId]);
      return rows.map((r) => ({ transactionId, fraud: r.fraud, source: r.source, knownAt: r.known_at.toISOString(), reason: r.reason ?? undefined, createdBy: r.created_by }));
    },

    async latest(transactionId: string): Promise<(LabelRecord & { id: number }) | null> {
      const { rows } = await db.query<{ id: number; fraud: boolean; source: LabelRecord['source']; known_at: Date; reason: string | null; created_by: string }>(
        'SELECT id, fraud, source, known_at, reason, created_by FROM labels WHERE transaction_id = $1 ORDER BY id DESC LIMIT 1', [transactionId]);
      const r = rows[0];
      return r ? { id: r.id, transactionId, fraud: r.fraud, source: r.source, knownAt: r.known_at.toISOString(), reason: r.reason ?? undefined, createdBy: r.created_by } : null;
    },
  };
}
export type LabelRepository = ReturnType<typeof createLabelRepository>;

export const labelKey = (l: Pick<LabelRecord, 'transactionId' | 'source' | 'fraud'>) => `${l.transactionId}:${l.source}:${l.fraud ? 'fraud' : 'legit'}`;
