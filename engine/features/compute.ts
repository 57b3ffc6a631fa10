import type { Transaction } from '../transaction.ts';
import type { Attribute, Entity } from './definitions.ts';
import type { FeatureVector } from './store.ts';

/**
 * Amounts as integer micro-units: sums are exact and the same whatever order a store adds them in
 * (doubles hold integers exactly up to 2^53 micro-units, 9 billion in the transaction's currency).
 */
export const toMicros = (amount: number): number => Math.round(amount * 1e6);

/** The key of `entity` in `tx`, or undefined when the transaction does not carry it (no device, no IP…). */
export function entityKey(tx: Transaction, entity: Entity): string | undefined {
  switch (entity) {
    case 'customer': return tx.customer_id;
    case 'merchant': return tx.merchant_id;
    case 'device': return tx.device_id;
    case 'card': return tx.card_bin;
    case 'ip': return tx.ip;
    case 'email': return tx.email?.toLowerCase();
  }
}

/** The value of an attribute counted by distinct / is_new, or undefined when the transaction lacks it. */
export function attributeOf(tx: Transaction, a: Attribute): string | undefined {
  switch (a) {
    case 'merchant': return tx.merchant_id;
    case 'customer': return tx.customer_id;
    case 'device': return tx.device_id;
    case 'country': return tx.country;
  }
}

/** Features of the transaction alone. Times are UTC: the data carries no time zone. */
export function computeTransactionFeatures(tx: Transaction, out: FeatureVector): void {
  const d = new Date(tx.occurredAtMs);
  const day = d.getUTCDay();
  const hour = d.getUTCHours();
  out['tx.is_weekend'] = day === 0 || day === 6 ? 1 : 0;
  out['tx.is_night'] = hour < 6 ? 1 : 0;
  out['tx.hour'] = hour;
}
