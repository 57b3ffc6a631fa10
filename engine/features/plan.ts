import type { Transaction } from '../transaction.ts';
import { attributeOf, toMicros } from './compute.ts';
import {
  bucketMsOf, checkDefinitions, emptyValue, groupByEntity, TRANSACTION_FEATURES,
  type AmountFilter, type Attribute, type Entity, type FeatureDefinition,
} from './definitions.ts';
import type { FeatureVector } from './store.ts';

/**
 * The definitions compiled into what a store keeps per entity and what it reads per transaction.
 * Both stores (in-process and Redis) take the same EntityRequest and return the same EntityReply
 * (raw window aggregates in integer micro-units); `entityFeatures` turns a reply into feature values.
 * All window arithmetic lives here, once, so the stores cannot disagree on what a window is.
 */

/** One bucketed history of an entity: a bucket width and the transactions it counts. */
export interface SeriesPlan {
  /** Part of the storage key: stable for a given width and filter. */
  key: string;
  bucketMs: number;
  filter?: AmountFilter;
  /** Buckets kept behind the current one (the widest window plus its delay). */
  span: number;
  /** Fraud counts are kept in this series (a fraud_rate definition reads it). */
  fraud: boolean;
  /** Amount sums / maxima are read from this series; a store may leave them 0 where not. */
  sums: boolean;
  max: boolean;
}

/** A range of whole buckets of one series, relative to the transaction's bucket. */
export interface WindowPlan { series: number; buckets: number; endOffset: number }

/** A distinct / is_new read: values of one attribute last seen since the window's start. */
export interface ReadPlan { attribute: number; bucketMs: number; buckets: number }

type Output =
  | { def: FeatureDefinition; kind: 'window'; index: number }
  | { def: FeatureDefinition; kind: 'read'; index: number; attribute: Attribute }
  | { def: FeatureDefinition; kind: 'last'; bucketMs: number; buckets: number };

export interface EntityPlan {
  entity: Entity;
  definitions: FeatureDefinition[];
  series: SeriesPlan[];
  windows: WindowPlan[];
  attributes: Attribute[];
  /** Per attribute: the longest window reading it (values last seen before that are forgotten). */
  attributeKeepMs: number[];
  reads: ReadPlan[];
  /** Per series, the windows reading it; per attribute, the reads of it (the stores' inner loops). */
  seriesWindows: number[][];
  attributeReads: number[][];
  /** Labels reach this entity (a fraud_rate definition). */
  fraud: boolean;
  /** How far back the entity's history reaches. */
  retentionMs: number;
  outputs: Output[];
}

export interface FeaturePlan {
  groups: EntityPlan[];
  names: string[];
}

/** What a store must do for one entity and one transaction. */
export interface EntityRequest {
  id: string;
  t: number;
  amountMicros: number;
  /** Per series: the transaction's bucket, whether it counts there, the oldest bucket kept. */
  series: { k: number; record: boolean; keepFrom: number }[];
  /** Per window: the inclusive bucket range read. */
  windows: { lo: number; hi: number }[];
  /** Per read: the window's start time (values last seen at or after it count). */
  reads: { low: number }[];
  /** Per attribute: this transaction's value and the time before which values are forgotten. */
  attributes: { value: string | undefined; forgetBefore: number }[];
  /** Fraud marks of transactions older than this are forgotten. */
  forgetFraudsBefore: number;
}

/**
 * A store's answer: per window n, sum, max (micro-units) and known frauds; per read the distinct
 * count and whether the transaction's value was seen (1/0); then hasLast (1/0) and the time of the
 * entity's latest transaction recorded before this one.
 */
export type EntityReply = number[];

export const replyLength = (p: EntityPlan): number => p.windows.length * 4 + p.reads.length * 2 + 2;

export function compilePlan(defs: readonly FeatureDefinition[]): FeaturePlan {
  checkDefinitions(defs);
  const groups = groupByEntity(defs).map(([entity, ds]) => compileEntity(entity, ds));
  return { groups, names: [...defs.map((d) => d.name), ...TRANSACTION_FEATURES.map((f) => f.name)] };
}

function compileEntity(entity: Entity, definitions: FeatureDefinition[]): EntityPlan {
  const plan: EntityPlan = {
    entity, definitions, series: [], windows: [], attributes: [], attributeKeepMs: [], reads: [], seriesWindows: [], attributeReads: [], fraud: false, retentionMs: 0, outputs: [],
  };
  const indexOf = <T>(list: T[], same: (x: T) => boolean, make: () => T): number => {
    const i = list.findIndex(same);
    if (i >= 0) return i;
    list.push(make());
    return list.length - 1;
  };
  for (const def of definitions) {
    const bucketMs = bucketMsOf(def);
    const buckets = def.windowMs / bucketMs;
    plan.retentionMs = Math.max(plan.retentionMs, def.windowMs + (def.delayMs ?? 0));
    if (def.aggregate === 'distinct' || def.aggregate === 'is_new') {
      const of = def.of as Attribute;
      const attribute = indexOf(plan.attributes, (a) => a === of, () => of);
      plan.attributeKeepMs[attribute] = Math.max(plan.attributeKeepMs[attribute] ?? 0, def.windowMs);
      const index = indexOf(plan.reads, (r) => r.attribute === attribute && r.bucketMs === bucketMs && r.buckets === buckets, () => ({ attribute, bucketMs, buckets }));
      plan.outputs.push({ def, kind: 'read', index, attribute: of });
      continue;
    }
    if (def.aggregate === 'seconds_since_last') {
      plan.outputs.push({ def, kind: 'last', bucketMs, buckets });
      continue;
    }
    const key = seriesKey(bucketMs, def.filter);
    const series = indexOf(plan.series, (s) => s.key === key, () => ({ key, bucketMs, span: 0, fraud: false, sums: false, max: false, ...(def.filter ? { filter: def.filter } : {}) }));
    const s = plan.series[series] as SeriesPlan;
    const endOffset = def.delayMs ? def.delayMs / bucketMs + 1 : 0;
    s.span = Math.max(s.span, buckets + endOffset);
    if (def.aggregate === 'fraud_rate') { s.fraud = true; plan.fraud = true; }
    if (def.aggregate === 'sum' || def.aggregate === 'mean' || def.aggregate === 'amount_ratio') s.sums = true;
    if (def.aggregate === 'max') s.max = true;
    const index = indexOf(plan.windows, (w) => w.series === series && w.buckets === buckets && w.endOffset === endOffset, () => ({ series, buckets, endOffset }));
    plan.outputs.push({ def, kind: 'window', index });
  }
  plan.seriesWindows = plan.series.map((_, s) => plan.windows.flatMap((w, i) => (w.series === s ? [i] : [])));
  plan.attributeReads = plan.attributes.map((_, a) => plan.reads.flatMap((r, i) => (r.attribute === a ? [i] : [])));
  return plan;
}

function seriesKey(bucketMs: number, filter: AmountFilter | undefined): string {
  if (!filter) return String(bucketMs);
  return `${bucketMs}:${filter.minAmount ?? ''}-${filter.maxAmount ?? ''}`;
}

function passes(filter: AmountFilter | undefined, amount: number): boolean {
  return !filter || ((filter.minAmount === undefined || amount >= filter.minAmount) && (filter.maxAmount === undefined || amount <= filter.maxAmount));
}

/** The window's first bucket start, for a window of `buckets` buckets ending with the transaction's. */
const windowStart = (t: number, bucketMs: number, buckets: number): number => (Math.floor(t / bucketMs) - buckets + 1) * bucketMs;

export function entityRequest(plan: EntityPlan, tx: Transaction): EntityRequest {
  const t = tx.occurredAtMs;
  const series = plan.series.map((s) => {
    const k = Math.floor(t / s.bucketMs);
    return { k, record: passes(s.filter, tx.amountValue), keepFrom: k - s.span + 1 };
  });
  const windows = plan.windows.map((w) => {
    const hi = (series[w.series] as { k: number }).k - w.endOffset;
    return { lo: hi - w.buckets + 1, hi };
  });
  return {
    id: tx.id, t, amountMicros: toMicros(tx.amountValue), series, windows,
    reads: plan.reads.map((r) => ({ low: windowStart(t, r.bucketMs, r.buckets) })),
    attributes: plan.attributes.map((a, i) => ({ value: attributeOf(tx, a), forgetBefore: t - (plan.attributeKeepMs[i] as number) })),
    forgetFraudsBefore: t - plan.retentionMs,
  };
}

/** Feature values of one entity from a store's reply (the only place aggregates become features). */
export function entityFeatures(plan: EntityPlan, tx: Transaction, reply: EntityReply, out: FeatureVector): void {
  const readsAt = plan.windows.length * 4;
  const lastAt = readsAt + plan.reads.length * 2;
  for (const o of plan.outputs) {
    const d = o.def;
    if (o.kind === 'read') {
      const i = readsAt + o.index * 2;
      out[d.name] = d.aggregate === 'distinct' ? (reply[i] as number) : attributeOf(tx, o.attribute) === undefined ? null : reply[i + 1] ? 0 : 1;
      continue;
    }
    if (o.kind === 'last') {
      const last = reply[lastAt + 1] as number;
      out[d.name] = reply[lastAt] && last >= windowStart(tx.occurredAtMs, o.bucketMs, o.buckets) ? Math.max(0, tx.occurredAtMs - last) / 1000 : null;
      continue;
    }
    const i = o.index * 4;
    const n = reply[i] as number, sum = reply[i + 1] as number, max = reply[i + 2] as number, frauds = reply[i + 3] as number;
    if (n === 0) { out[d.name] = emptyValue(d.aggregate); continue; }
    switch (d.aggregate) {
      case 'count': out[d.name] = n; break;
      case 'sum': out[d.name] = sum / 1e6; break;
      case 'mean': out[d.name] = sum / n / 1e6; break;
      case 'max': out[d.name] = max / 1e6; break;
      // More known frauds than counted transactions happens only when a transaction was labelled
      // but never recorded here (its decision degraded): a rate stays a rate.
      case 'fraud_rate': out[d.name] = Math.min(1, frauds / n); break;
      case 'amount_ratio': out[d.name] = sum === 0 ? null : (toMicros(tx.amountValue) * n) / sum; break;
      default: out[d.name] = null;
    }
  }
}

/** Every feature of the entity null: the transaction does not carry it, or the store is unavailable. */
export function nullFeatures(plan: EntityPlan, out: FeatureVector): void {
  for (const d of plan.definitions) out[d.name] = null;
}
