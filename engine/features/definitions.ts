/**
 * Features as data: one definition gives the online computation (Redis, one round trip), the
 * in-process one (embedded default, simulations) and the offline replay used for training. Names are
 * stable: rules and models refer to them.
 *
 * Semantics, shared by every store (the ULB handbook's chapter 3, made point-in-time):
 * - A window of length w at a transaction at time t covers the entity's *other* recorded
 *   transactions with time in (t − w, t]: never the transaction itself, never a later one.
 * - With a delay d the window is (t − d − w, t − d]: for labels that are known late, as the
 *   handbook's terminal risk windows.
 * - fraud_rate counts the frauds among the window's transactions whose label is known at t.
 * - Missing values: counts and sums of nothing are 0; a mean, a ratio or a time since of nothing
 *   is null (missing) — models and rules declare what they do with null.
 */

export const ENTITIES = ['customer', 'merchant', 'device', 'card', 'ip', 'email'] as const;
export type Entity = (typeof ENTITIES)[number];

export type Aggregate =
  | 'count' | 'sum' | 'mean' | 'max'
  /** Distinct values of `of` among the window's transactions. */
  | 'distinct'
  /** Frauds / transactions in the window, counting labels known at the transaction's time. */
  | 'fraud_rate'
  /** This transaction's amount / the window's mean amount. */
  | 'amount_ratio'
  /** Seconds since the entity's previous transaction within the window. */
  | 'seconds_since_last'
  /** 1 when `of` (e.g. the device) was not seen with this entity within the window, else 0; null when the transaction has no `of`. */
  | 'is_new';

export type Attribute = 'merchant' | 'device' | 'country' | 'customer';

export interface FeatureDefinition {
  name: string;
  entity: Entity;
  aggregate: Aggregate;
  windowMs: number;
  delayMs?: number;
  /** The attribute counted by distinct / is_new. */
  of?: Attribute;
  /** Only count the window's transactions passing this filter. */
  filter?: { minAmount?: number };
  description: string;
}

/** Features of the transaction alone (no state). */
export interface TransactionFeature {
  name: string;
  description: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const def = (name: string, entity: Entity, aggregate: Aggregate, windowMs: number, description: string, extra: Partial<FeatureDefinition> = {}): FeatureDefinition =>
  ({ name, entity, aggregate, windowMs, description, ...extra });

export const DEFAULT_FEATURES: readonly FeatureDefinition[] = [
  def('customer.tx_count_1h', 'customer', 'count', HOUR, 'Payments by the customer in the last hour'),
  def('customer.amount_sum_1h', 'customer', 'sum', HOUR, 'Amount spent by the customer in the last hour'),
  def('customer.tx_count_1d', 'customer', 'count', DAY, 'Payments by the customer in the last 24 hours'),
  def('customer.amount_sum_1d', 'customer', 'sum', DAY, 'Amount spent by the customer in the last 24 hours'),
  def('customer.amount_mean_1d', 'customer', 'mean', DAY, 'Mean amount of the customer\'s payments in the last 24 hours'),
  def('customer.tx_count_7d', 'customer', 'count', 7 * DAY, 'Payments by the customer in the last 7 days'),
  def('customer.amount_sum_7d', 'customer', 'sum', 7 * DAY, 'Amount spent by the customer in the last 7 days'),
  def('customer.amount_mean_7d', 'customer', 'mean', 7 * DAY, 'Mean amount of the customer\'s payments in the last 7 days'),
  def('customer.tx_count_30d', 'customer', 'count', 30 * DAY, 'Payments by the customer in the last 30 days'),
  def('customer.amount_sum_30d', 'customer', 'sum', 30 * DAY, 'Amount spent by the customer in the last 30 days'),
  def('customer.amount_mean_30d', 'customer', 'mean', 30 * DAY, 'Mean amount of the customer\'s payments in the last 30 days'),
  def('customer.amount_max_30d', 'customer', 'max', 30 * DAY, 'Largest payment by the customer in the last 30 days'),
  def('customer.amount_ratio_30d', 'customer', 'amount_ratio', 30 * DAY, 'This amount divided by the customer\'s 30-day mean'),
  def('customer.seconds_since_last', 'customer', 'seconds_since_last', 30 * DAY, 'Seconds since the customer\'s previous payment (within 30 days)'),
  def('customer.distinct_merchants_1d', 'customer', 'distinct', DAY, 'Distinct merchants the customer paid in the last 24 hours', { of: 'merchant' }),
  def('customer.distinct_devices_1d', 'customer', 'distinct', DAY, 'Distinct devices the customer used in the last 24 hours', { of: 'device' }),
  def('customer.new_device', 'customer', 'is_new', 30 * DAY, '1 when the device was not used by the customer in the last 30 days', { of: 'device' }),
  def('customer.new_country', 'customer', 'is_new', 30 * DAY, '1 when the country was not seen for the customer in the last 30 days', { of: 'country' }),
  def('terminal.tx_count_1d_delay7d', 'merchant', 'count', DAY, 'Payments at the terminal in the day a week ago (labels known late)', { delayMs: 7 * DAY }),
  def('terminal.tx_count_7d_delay7d', 'merchant', 'count', 7 * DAY, 'Payments at the terminal in the 7 days before the last week', { delayMs: 7 * DAY }),
  def('terminal.tx_count_30d_delay7d', 'merchant', 'count', 30 * DAY, 'Payments at the terminal in the 30 days before the last week', { delayMs: 7 * DAY }),
  def('terminal.fraud_rate_1d_delay7d', 'merchant', 'fraud_rate', DAY, 'Share of known frauds at the terminal in the day a week ago', { delayMs: 7 * DAY }),
  def('terminal.fraud_rate_7d_delay7d', 'merchant', 'fraud_rate', 7 * DAY, 'Share of known frauds at the terminal in the 7 days before the last week', { delayMs: 7 * DAY }),
  def('terminal.fraud_rate_30d_delay7d', 'merchant', 'fraud_rate', 30 * DAY, 'Share of known frauds at the terminal in the 30 days before the last week', { delayMs: 7 * DAY }),
  def('terminal.tx_count_1h', 'merchant', 'count', HOUR, 'Payments at the terminal in the last hour (card-testing bursts)'),
  def('device.distinct_customers_30d', 'device', 'distinct', 30 * DAY, 'Distinct customers who used the device in the last 30 days (shared-device rings)', { of: 'customer' }),
  def('card.tx_count_1d', 'card', 'count', DAY, 'Payments with cards of this BIN in the last 24 hours'),
  def('ip.distinct_customers_1d', 'ip', 'distinct', DAY, 'Distinct customers seen from the IP address in the last 24 hours', { of: 'customer' }),
  def('email.distinct_customers_30d', 'email', 'distinct', 30 * DAY, 'Distinct customers using the e-mail address in the last 30 days', { of: 'customer' }),
];

export const TRANSACTION_FEATURES: readonly TransactionFeature[] = [
  { name: 'tx.is_weekend', description: '1 on Saturday and Sunday (UTC), else 0' },
  { name: 'tx.is_night', description: '1 between 00:00 and 06:00 (UTC), else 0' },
  { name: 'tx.hour', description: 'Hour of day, 0–23 (UTC)' },
];

export function featureNames(defs: readonly FeatureDefinition[] = DEFAULT_FEATURES): string[] {
  return [...defs.map((d) => d.name), ...TRANSACTION_FEATURES.map((f) => f.name)];
}

/** How long an entity's history must be kept to answer every definition. */
export function retentionMs(defs: readonly FeatureDefinition[]): number {
  return Math.max(...defs.map((d) => d.windowMs + (d.delayMs ?? 0)));
}

/** Definitions grouped by the entity they read: a store handles one entity at a time. */
export function groupByEntity(defs: readonly FeatureDefinition[]): [Entity, FeatureDefinition[]][] {
  const m = new Map<Entity, FeatureDefinition[]>();
  for (const d of defs) m.set(d.entity, [...(m.get(d.entity) ?? []), d]);
  return [...m];
}
