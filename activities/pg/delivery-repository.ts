import type { Db } from '../../db/pool.ts';
import type { Channel } from '../notify/policy.ts';

export interface DeliveryAttempt {
  idempotencyKey: string;
  channel: Channel;
  eventType: string;
  transactionId: string;
  caseId: string | null;
  recipient: string;
  payload: unknown;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead_letter';

export interface DeliveryRecord extends Omit<DeliveryAttempt, 'payload'> {
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}

/**
 * notification_deliveries: one row per (event, channel). It is what makes a notification
 * idempotent across activity retries and workflow retries, and where dead letters are kept.
 */
export function createDeliveryRepository(db: Db) {
  return {
    /** Counts one more attempt, unless the notification was already delivered; returns the row's status after. */
    async attempt(a: DeliveryAttempt): Promise<{ status: DeliveryStatus; attempts: number }> {
      const { rows } = await db.query<{ status: DeliveryStatus; attempts: number }>(
        `INSERT INTO notification_deliveries (idempotency_key, channel, event_type, transaction_id, case_id, recipient, status, attempts, payload)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 1, $7)
         ON CONFLICT (idempotency_key, channel) DO UPDATE SET
           attempts = notification_deliveries.attempts + CASE WHEN notification_deliveries.status = 'delivered' THEN 0 ELSE 1 END,
           status = CASE WHEN notification_deliveries.status = 'delivered' THEN 'delivered' ELSE 'pending' END,
           updated_at = now()
         RETURNING status, attempts`,
        [a.idempotencyKey, a.channel, a.eventType, a.transactionId, a.caseId, a.recipient, JSON.stringify(a.payload)]);
      return rows[0] as { status: DeliveryStatus; attempts: number };
    },

    async failed(idempotencyKey: string, channel: Channel, error: string): Promise<void> {
      await db.query(
        `UPDATE notification_deliveries SET last_error = $3, updated_at = now()
         WHERE idempotency_key = $1 AND channel = $2 AND status <> 'delivered'`, [idempotencyKey, channel, error.slice(0, 2000)]);
    },

    async delivered(idempotencyKey: string, channel: Channel): Promise<void> {
      await db.query(
        `UPDATE notification_deliveries SET status = 'delivered', last_error = NULL, delivered_at = now(), updated_at = now()
         WHERE idempotency_key = $1 AND channel = $2`, [idempotencyKey, channel]);
    },

    /**
     * After the last try: the notification is kept, with its payload and last error, for a person to act on.
     * Returns false when it was already a dead letter (a retried activity), so it is counted once.
     */
    async deadLetter(a: DeliveryAttempt, error: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `INSERT INTO notification_deliveries (idempotency_key, channel, event_type, transaction_id, case_id, recipient, status, attempts, payload, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, 'dead_letter', 0, $7, $8)
         ON CONFLICT (idempotency_key, channel) DO UPDATE SET status = 'dead_letter', last_error = EXCLUDED.last_error, updated_at = now()
         WHERE notification_deliveries.status = 'pending'`,
        [a.idempotencyKey, a.channel, a.eventType, a.transactionId, a.caseId, a.recipient, JSON.stringify(a.payload), error.slice(0, 2000)]);
      return rowCount === 1;
    },

    async forTransaction(transactionId: string): Promise<DeliveryRecord[]> {
      const { rows } = await db.query<{
        idempotency_key: string; channel: Channel; event_type: string; transaction_id: string; case_id: string | null; recipient: string;
        status: DeliveryStatus; attempts: number; last_error: string | null; delivered_at: Date | null;
      }>('SELECT * FROM notification_deliveries WHERE transaction_id = $1 ORDER BY id', [transactionId]);
      return rows.map((r) => ({
        idempotencyKey: r.idempotency_key, channel: r.channel, eventType: r.event_type, transactionId: r.transaction_id, caseId: r.case_id,
        recipient: r.recipient, status: r.status, attempts: r.attempts, lastError: r.last_error, deliveredAt: r.delivered_at?.toISOString() ?? null,
      }));
    },
  };
}

export type DeliveryRepository = ReturnType<typeof createDeliveryRepository>;
