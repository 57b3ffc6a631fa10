import type { Transaction } from '../transaction.ts';
import type { Attribute, Entity, FeatureDefinition } from './definitions.ts';
import type { FeatureVector } from './store.ts';

/**
 * One recorded transaction as an entity remembers it. Amounts are integer micro-units so that sums
 * are exact and identical whatever order a store adds them in (Redis returns ties by member, the
 * in-process store by arrival).
 */
export interface EntityEvent {
  id: string;
  t: number;
  amountMicros: number;
  customer: string;
  merchant: string;
  device?: string;
  country?: string;
}

/** A label as an entity remembers it: the labelled transaction's time and when the label became known. */
export interface EntityLabel {
  id: string;
  t: number;
  knownAt: number;
  fraud: boolean;
}

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

export function eventOf(tx: Transaction): EntityEvent {
  return {
    id: tx.id, t: tx.occurredAtMs, amountMicros: toMicros(tx.amountValue), customer: tx.customer_id, merchant: tx.merchant_id,
    ...(tx.device_id !== undefined ? { device: tx.device_id } : {}), ...(tx.country !== undefined ? { country: tx.country } : {}),
  };
}

function attributeOf(e: EntityEvent, a: Attribute): string | undefined {
  return a === 'merchant' ? e.merchant : a === 'customer' ? e.customer : a === 'device' ? e.device : e.country;
}

function txAttribute(tx: Transaction, a: Attribute): string | undefined {
  return a === 'merchant' ? tx.merchant_id : a === 'customer' ? tx.customer_id : a === 'device' ? tx.device_id : tx.country;
}

/**
 * The features of one entity for `tx`, from that entity's recorded events and labels. `events` may
 * hold anything (other times, the transaction itself after a retry): the window rules of
 * definitions.ts decide what counts. Every store calls this same function.
 */
export function computeEntityFeatures(defs: readonly FeatureDefinition[], tx: Transaction, events: readonly EntityEvent[], labels: readonly EntityLabel[], out: FeatureVector): void {
  const t = tx.occurredAtMs;
  const fraudKnown = labels.length ? knownFrauds(labels, t) : null;
  for (const d of defs) {
    const hi = t - (d.delayMs ?? 0);
    const lo = hi - d.windowMs;
    let n = 0, sum = 0, max = -Infinity, last = -Infinity, frauds = 0;
    const distinct = d.aggregate === 'distinct' || d.aggregate === 'is_new' ? new Set<string>() : null;
    for (const e of events) {
      if (e.t <= lo || e.t > hi || e.id === tx.id) continue;
      if (d.filter?.minAmount !== undefined && e.amountMicros < toMicros(d.filter.minAmount)) continue;
      n += 1;
      sum += e.amountMicros;
      if (e.amountMicros > max) max = e.amountMicros;
      if (e.t > last) last = e.t;
      if (distinct && d.of) { const v = attributeOf(e, d.of); if (v !== undefined) distinct.add(v); }
      if (fraudKnown?.has(e.id)) frauds += 1;
    }
    out[d.name] = aggregate(d, tx, { n, sum, max, last, frauds, distinct });
  }
}

function aggregate(d: FeatureDefinition, tx: Transaction, w: { n: number; sum: number; max: number; last: number; frauds: number; distinct: Set<string> | null }): number | null {
  switch (d.aggregate) {
    case 'count': return w.n;
    case 'sum': return w.sum / 1e6;
    case 'mean': return w.n === 0 ? null : w.sum / w.n / 1e6;
    case 'max': return w.n === 0 ? null : w.max / 1e6;
    case 'distinct': return w.distinct?.size ?? 0;
    case 'fraud_rate': return w.n === 0 ? 0 : w.frauds / w.n;
    case 'amount_ratio': return w.n === 0 || w.sum === 0 ? null : toMicros(tx.amountValue) / (w.sum / w.n);
    case 'seconds_since_last': return w.n === 0 ? null : (tx.occurredAtMs - w.last) / 1000;
    case 'is_new': {
      const v = d.of ? txAttribute(tx, d.of) : undefined;
      return v === undefined ? null : w.distinct?.has(v) ? 0 : 1;
    }
  }
}

/** Ids of transactions whose latest label known at `t` says fraud. */
function knownFrauds(labels: readonly EntityLabel[], t: number): Set<string> {
  const latest = new Map<string, EntityLabel>();
  for (const l of labels) {
    if (l.knownAt > t) continue;
    const prev = latest.get(l.id);
    if (!prev || l.knownAt >= prev.knownAt) latest.set(l.id, l);
  }
  const out = new Set<string>();
  for (const [id, l] of latest) if (l.fraud) out.add(id);
  return out;
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

/** Every feature null: the vector for an entity the transaction does not carry. */
export function nullFeatures(defs: readonly FeatureDefinition[], out: FeatureVector): void {
  for (const d of defs) out[d.name] = null;
}
