import type { Label } from '../../engine/features/store.ts';
import { toTransaction, type Transaction } from '../../engine/transaction.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A Monday, 00:00 UTC: bucket-aligned for every default bucket width. */
export const T0 = Date.parse('2018-04-02T00:00:00Z');

let seq = 0;

/** A transaction at `at` (epoch ms) with sensible defaults; ids are unique unless given. */
export function tx(over: { id?: string; at?: number; amount?: string; customer?: string; terminal?: string; device?: string; country?: string; ip?: string; email?: string; cardBin?: string } = {}): Transaction {
  return toTransaction({
    id: over.id ?? `t${++seq}`,
    occurred_at: new Date(over.at ?? T0).toISOString(),
    amount: over.amount ?? '10.00',
    currency: 'EUR',
    customer_id: over.customer ?? 'c1',
    terminal_id: over.terminal ?? 'm1',
    ...(over.device ? { device_id: over.device } : {}),
    ...(over.country ? { country: over.country } : {}),
    ...(over.ip ? { ip: over.ip } : {}),
    ...(over.email ? { email: over.email } : {}),
    ...(over.cardBin ? { card_bin: over.cardBin } : {}),
  });
}

export function labelOf(t: Transaction, fraud: boolean, knownAtMs: number): Label {
  return { transactionId: t.id, customerId: t.customer_id, merchantId: t.merchant_id, occurredAtMs: t.occurredAtMs, fraud, knownAtMs };
}
