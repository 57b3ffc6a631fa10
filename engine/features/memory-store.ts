import type { Transaction } from '../transaction.ts';
import { computeTransactionFeatures, entityKey } from './compute.ts';
import type { FeatureDefinition } from './definitions.ts';
import { labelEntity, newEntityState, observeEntity, type EntityState, type SeenPolicy } from './entity-state.ts';
import { compilePlan, entityFeatures, entityRequest, nullFeatures } from './plan.ts';
import type { FeatureStore, FeatureVector, Label } from './store.ts';

export interface MemoryFeatureStore extends FeatureStore {
  /** Synchronous observe: the replay of millions of rows does not pay a promise per row. */
  observeSync(tx: Transaction): FeatureVector;
  labelSync(label: Label): void;
  /** Entities held now (memory is bounded: idle entities are forgotten after the retention). */
  size(): number;
  /** Every feature name observe returns, in a stable order. */
  readonly names: readonly string[];
}

export interface MemoryFeatureStoreOptions {
  definitions: readonly FeatureDefinition[];
  /** How long (transaction time) and how many ids per entity a retry is recognised; default 1 h, 10,000. */
  seen?: SeenPolicy;
}

export const DEFAULT_SEEN: SeenPolicy = { windowMs: 3_600_000, max: 10_000 };
/** Look for idle entities every this many transactions. */
const SWEEP_EVERY = 50_000;

/**
 * The in-process feature store: the embedded default, simulations and the offline replay. Pure
 * (no I/O, no wall clock: time is each transaction's own timestamp), deterministic, and the same
 * results as the Redis store: both answer the same requests (plan.ts) with the same steps
 * (entity-state.ts here, the Lua script there). Memory is bounded: per entity, buckets cover only
 * the widest window, and an entity with nothing in its retention is dropped.
 */
export function createMemoryFeatureStore({ definitions, seen = DEFAULT_SEEN }: MemoryFeatureStoreOptions): MemoryFeatureStore {
  const plan = compilePlan(definitions);
  const states = plan.groups.map(() => new Map<string, EntityState>());
  const labelled = plan.groups.map((g, i) => ({ g, i })).filter(({ g }) => g.fraud);
  let latest = -Infinity;
  let sinceSweep = 0;

  const stateOf = (i: number, key: string): EntityState => {
    const m = states[i] as Map<string, EntityState>;
    let s = m.get(key);
    if (!s) { s = newEntityState(plan.groups[i] as (typeof plan.groups)[number]); m.set(key, s); }
    return s;
  };

  function observeSync(tx: Transaction): FeatureVector {
    const out: FeatureVector = {};
    plan.groups.forEach((g, i) => {
      const key = entityKey(tx, g.entity);
      if (key === undefined) { nullFeatures(g, out); return; }
      const { reply } = observeEntity(stateOf(i, key), g, entityRequest(g, tx), seen);
      entityFeatures(g, tx, reply, out);
    });
    computeTransactionFeatures(tx, out);
    if (tx.occurredAtMs > latest) latest = tx.occurredAtMs;
    if (++sinceSweep >= SWEEP_EVERY) { sweep(); sinceSweep = 0; }
    return out;
  }

  function labelSync(l: Label): void {
    for (const { g, i } of labelled) {
      const key = g.entity === 'customer' ? l.customerId : l.merchantId;
      labelEntity(stateOf(i, key), { id: l.transactionId, t: l.occurredAtMs, knownAt: l.knownAtMs, fraud: l.fraud });
    }
  }

  // An entity whose latest transaction is older than its retention, with no label still to come, can
  // answer nothing any more: forgetting it changes no feature (a new transaction starts it afresh).
  function sweep(): void {
    plan.groups.forEach((g, i) => {
      const horizon = latest - g.retentionMs - seen.windowMs;
      for (const [k, s] of states[i] as Map<string, EntityState>) {
        if (s.maxT < horizon && s.pending.every((p) => p.knownAt < horizon)) (states[i] as Map<string, EntityState>).delete(k);
      }
    });
  }

  return {
    names: plan.names,
    observeSync,
    labelSync,
    size: () => states.reduce((n, m) => n + m.size, 0),
    observe: async (tx) => observeSync(tx),
    label: async (l) => labelSync(l),
  };
}
