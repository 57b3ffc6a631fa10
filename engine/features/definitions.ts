/**
 * Features as data: one definition gives the online computation (Redis, one round trip), the
 * in-process one (embedded default, simulations) and the offline replay used for training. Names are
 * stable: rules and models refer to them.
 *
 * Windows (the ULB handbook's chapter 3, made point-in-time and bounded):
 * - Time is the transaction's own timestamp t (occurredAtMs), never the wall clock.
 * - Each entity keeps its transactions in buckets of `bucketMs` (see `bucketMsOf`); a window is a set
 *   of whole buckets, so its edges are exact to one bucket. With k = floor(t / bucketMs), W = window
 *   and D = delay in buckets:
 *   - no delay: buckets k−W+1 … k, i.e. [(k+1)·bucket − w, t): the last w, never anything older,
 *     up to one bucket less at the far edge. The open bucket k holds the transactions recorded
 *     before this one; the transaction itself is never in its own window. (The handbook counts the
 *     current transaction in its customer windows; we do not: a feature says what was known before
 *     the payment, and the amount itself is the model's own input.)
 *   - delay d: buckets k−D−W … k−D−1, i.e. [k·bucket − d − w, k·bucket − d): w long, closed buckets
 *     only, all older than t − d. With labels known d after their transaction (the handbook's
 *     terminal windows, 7 days) every label in the window is known at t.
 * - "Before" means recorded before: transactions are processed in time order by the replay; online,
 *   concurrent transactions of one entity are serialized by the store and each sees those recorded
 *   before it (in the open bucket, even one stamped a few ms later). No later bucket is ever read.
 * - fraud_rate = frauds known at t / transactions in the window. A label counts from its knownAtMs
 *   on (exactly, on the transaction clock), in the bucket of the labelled transaction's time; a later
 *   label of the same transaction replaces the earlier one (analyst corrections).
 * - distinct / is_new are exact within the window's bucket-aligned start (last time each value was
 *   seen), and have no delay.
 *
 * Missing values (the declared policy, see `emptyValue`): with no transaction in the window, counts,
 * sums and distinct counts are 0; what is undefined on nothing — mean, max, fraud rate, amount ratio,
 * seconds since the previous transaction — is null (missing). When the transaction does not carry
 * the entity (no device, IP, card BIN or e-mail) every feature of that entity is null, and is_new is
 * null when the transaction lacks the attribute. When the store is unavailable (degraded.ts) every
 * stateful feature is null and only the tx.* features are computed. Models and rules say what they
 * do with null (the models route it as NaN).
 */

export const ENTITIES = ['customer', 'merchant', 'device', 'card', 'ip', 'email'] as const;
/** `merchant` is the merchant_id / terminal_id entity (its features are named terminal.*); `card` is the card BIN. */
export type Entity = (typeof ENTITIES)[number];

export type Aggregate =
  | 'count' | 'sum' | 'mean' | 'max'
  /** Distinct values of `of` among the window's transactions. */
  | 'distinct'
  /** Known frauds / transactions in the window (labels known at the transaction's time). */
  | 'fraud_rate'
  /** This transaction's amount / the window's mean amount. */
  | 'amount_ratio'
  /** Seconds since the entity's previous transaction, null when there was none within the window. */
  | 'seconds_since_last'
  /** 1 when `of` (e.g. the device) was not seen with this entity within the window, else 0. */
  | 'is_new';

export type Attribute = 'merchant' | 'device' | 'country' | 'customer';

/** Which transactions a window counts (amounts in the transaction's currency, inclusive bounds). */
export interface AmountFilter { minAmount?: number; maxAmount?: number }

export interface FeatureDefinition {
  /** Stable name, `prefix.snake_case`; rules and models refer to it. */
  name: string;
  entity: Entity;
  aggregate: Aggregate;
  windowMs: number;
  /** Shift the window back by this much (labels known late). */
  delayMs?: number;
  /** Bucket width: the window's edge precision. Default: see `bucketMsOf`. */
  bucketMs?: number;
  /** The attribute counted by distinct / is_new. */
  of?: Attribute;
  /** Only count the window's transactions passing this filter. */
  filter?: AmountFilter;
  description: string;
}

/** Features of the transaction alone (no state; computed even when the store is unavailable). */
export interface TransactionFeature {
  name: string;
  description: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The declared missing-value policy: what a window with no transaction yields. */
export function emptyValue(aggregate: Aggregate): 0 | null {
  return aggregate === 'count' || aggregate === 'sum' || aggregate === 'distinct' ? 0 : null;
}

/**
 * Bucket width: 1 minute for windows up to an hour, 15 minutes up to a day, 1 hour beyond (at most
 * 96 buckets for the short windows, 720 for 30 days), reduced so that it divides window and delay.
 */
export function bucketMsOf(d: FeatureDefinition): number {
  if (d.bucketMs !== undefined) return d.bucketMs;
  const nominal = d.windowMs <= HOUR ? MINUTE : d.windowMs <= DAY ? 15 * MINUTE : HOUR;
  return gcd(gcd(nominal, d.windowMs), d.delayMs || nominal);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

const def = (name: string, entity: Entity, aggregate: Aggregate, windowMs: number, description: string, extra: Partial<FeatureDefinition> = {}): FeatureDefinition =>
  ({ name, entity, aggregate, windowMs, description, ...extra });
const late = { delayMs: 7 * DAY };

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
  def('terminal.tx_count_1d_delay7d', 'merchant', 'count', DAY, 'Payments at the terminal in the day before the last week', late),
  def('terminal.tx_count_7d_delay7d', 'merchant', 'count', 7 * DAY, 'Payments at the terminal in the 7 days before the last week', late),
  def('terminal.tx_count_30d_delay7d', 'merchant', 'count', 30 * DAY, 'Payments at the terminal in the 30 days before the last week', late),
  def('terminal.fraud_rate_1d_delay7d', 'merchant', 'fraud_rate', DAY, 'Share of known frauds at the terminal in the day before the last week', late),
  def('terminal.fraud_rate_7d_delay7d', 'merchant', 'fraud_rate', 7 * DAY, 'Share of known frauds at the terminal in the 7 days before the last week', late),
  def('terminal.fraud_rate_30d_delay7d', 'merchant', 'fraud_rate', 30 * DAY, 'Share of known frauds at the terminal in the 30 days before the last week', late),
  def('terminal.tx_count_1h', 'merchant', 'count', HOUR, 'Payments at the terminal in the last hour (card-testing bursts)'),
  def('device.distinct_customers_30d', 'device', 'distinct', 30 * DAY, 'Distinct customers who used the device in the last 30 days (shared-device rings)', { of: 'customer' }),
  def('card.tx_count_1d', 'card', 'count', DAY, 'Payments with cards of this BIN in the last 24 hours'),
  def('ip.distinct_customers_1d', 'ip', 'distinct', DAY, 'Distinct customers seen from the IP address in the last 24 hours', { of: 'customer' }),
  def('email.distinct_customers_30d', 'email', 'distinct', 30 * DAY, 'Distinct customers using the e-mail address in the last 30 days', { of: 'customer' }),
];

export const TRANSACTION_FEATURES: readonly TransactionFeature[] = [
  { name: 'tx.is_weekend', description: '1 on Saturday and Sunday (UTC), else 0' },
  { name: 'tx.is_night', description: '1 from 00:00 to 05:59:59 (UTC), else 0' },
  { name: 'tx.hour', description: 'Hour of day, 0–23 (UTC)' },
];

/** Every feature name the store returns, in a stable order: the definitions', then the tx.* ones. */
export function featureNames(defs: readonly FeatureDefinition[] = DEFAULT_FEATURES): string[] {
  return [...defs.map((d) => d.name), ...TRANSACTION_FEATURES.map((f) => f.name)];
}

/** How far back an entity's history must reach to answer every definition. */
export function retentionMs(defs: readonly FeatureDefinition[]): number {
  return Math.max(0, ...defs.map((d) => d.windowMs + (d.delayMs ?? 0)));
}

/** Definitions grouped by the entity they read: a store handles one entity at a time. */
export function groupByEntity(defs: readonly FeatureDefinition[]): [Entity, FeatureDefinition[]][] {
  const m = new Map<Entity, FeatureDefinition[]>();
  for (const d of defs) m.set(d.entity, [...(m.get(d.entity) ?? []), d]);
  return [...m];
}

/** A definition set that cannot be computed: says which feature and why. */
export class FeatureDefinitionInvalid extends Error {
  readonly code = 'FEATURE_DEFINITION_INVALID';
  constructor(readonly feature: string, readonly reason: string) {
    super(`feature ${feature}: ${reason}`);
  }
}

const NAME = /^[a-z][a-z0-9]*\.[a-z][a-z0-9_]*$/;
const LABELLED: readonly Entity[] = ['customer', 'merchant'];

/** Checks a definition set once, when a store is built; throws FeatureDefinitionInvalid. */
export function checkDefinitions(defs: readonly FeatureDefinition[]): void {
  const seen = new Set<string>(TRANSACTION_FEATURES.map((f) => f.name));
  for (const d of defs) {
    const fail = (reason: string) => { throw new FeatureDefinitionInvalid(d.name, reason); };
    if (!NAME.test(d.name)) fail('name must read prefix.snake_case, e.g. customer.tx_count_1d');
    if (seen.has(d.name)) fail('name is used twice');
    seen.add(d.name);
    if (!ENTITIES.includes(d.entity)) fail(`unknown entity ${d.entity}`);
    const bucket = bucketMsOf(d);
    if (!Number.isInteger(bucket) || bucket <= 0) fail('bucketMs must be a positive whole number of ms');
    if (!(d.windowMs > 0) || d.windowMs % bucket !== 0) fail(`windowMs must be a positive multiple of the bucket (${bucket} ms)`);
    if ((d.delayMs ?? 0) < 0 || (d.delayMs ?? 0) % bucket !== 0) fail(`delayMs must be a multiple of the bucket (${bucket} ms)`);
    const needsOf = d.aggregate === 'distinct' || d.aggregate === 'is_new';
    if (needsOf !== (d.of !== undefined)) fail(needsOf ? 'distinct and is_new need `of`' : '`of` applies only to distinct and is_new');
    if (needsOf && d.delayMs) fail('distinct and is_new take no delay');
    if (needsOf && d.filter) fail('distinct and is_new take no filter');
    if (d.aggregate === 'fraud_rate' && !LABELLED.includes(d.entity)) fail('fraud_rate needs an entity that labels name (customer, merchant)');
    if (d.aggregate === 'fraud_rate' && d.filter) fail('fraud_rate takes no filter (labels carry no amount)');
    if (d.aggregate === 'seconds_since_last' && (d.delayMs || d.filter)) fail('seconds_since_last takes no delay or filter');
  }
}
