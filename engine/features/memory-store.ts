import type { Transaction } from '../transaction.ts';
import { computeEntityFeatures, computeTransactionFeatures, entityKey, eventOf, nullFeatures, type EntityEvent, type EntityLabel } from './compute.ts';
import { groupByEntity, retentionMs, type Entity, type FeatureDefinition } from './definitions.ts';
import type { FeatureStore, FeatureVector, Label } from './store.ts';

interface EntityState {
  /** Sorted by time; old events are dropped from the front. */
  events: EntityEvent[];
  labels: EntityLabel[];
  maxT: number;
}

export interface MemoryFeatureStore extends FeatureStore {
  /** Synchronous observe: the replay of millions of rows does not pay a promise per row. */
  observeSync(tx: Transaction): FeatureVector;
  labelSync(label: Label): void;
  /** Entities held now (memory is bounded by the retention window). */
  size(): number;
}

/**
 * The in-process feature store: the embedded default, simulations and the offline replay. Pure
 * (no I/O, no wall clock: time is each transaction's own timestamp), same results as Redis because
 * both hand their raw window to computeEntityFeatures.
 */
export function createMemoryFeatureStore({ definitions }: { definitions: readonly FeatureDefinition[] }): MemoryFeatureStore {
  const groups = groupByEntity(definitions);
  const retention = retentionMs(definitions);
  const labelled = new Set(definitions.filter((d) => d.aggregate === 'fraud_rate').map((d) => d.entity));
  const states = new Map<string, EntityState>();
  let latest = -Infinity;
  let sinceSweep = 0;

  const stateOf = (k: string): EntityState => {
    let s = states.get(k);
    if (!s) { s = { events: [], labels: [], maxT: -Infinity }; states.set(k, s); }
    return s;
  };

  function observeSync(tx: Transaction): FeatureVector {
    const out: FeatureVector = {};
    const event = eventOf(tx);
    for (const [entity, defs] of groups) {
      const key = entityKey(tx, entity);
      if (key === undefined) { nullFeatures(defs, out); continue; }
      const state = stateOf(`${entity}:${key}`);
      computeEntityFeatures(defs, tx, state.events, state.labels, out);
      record(state, event, retention);
    }
    computeTransactionFeatures(tx, out);
    if (tx.occurredAtMs > latest) latest = tx.occurredAtMs;
    if (++sinceSweep >= 50_000) { sweep(states, latest - retention); sinceSweep = 0; }
    return out;
  }

  function labelSync(l: Label): void {
    const label: EntityLabel = { id: l.transactionId, t: l.occurredAtMs, knownAt: l.knownAtMs, fraud: l.fraud };
    for (const entity of labelled) {
      const key = entity === 'customer' ? l.customerId : entity === 'merchant' ? l.merchantId : undefined;
      if (key === undefined) continue;
      const state = stateOf(`${entity}:${key}`);
      if (!state.labels.some((x) => x.id === label.id && x.knownAt === label.knownAt && x.fraud === label.fraud)) state.labels.push(label);
    }
  }

  return {
    observeSync,
    labelSync,
    size: () => states.size,
    observe: async (tx) => observeSync(tx),
    label: async (l) => labelSync(l),
  };
}

/** Inserts in time order (idempotent per id) and drops what no definition can see any more. */
function record(state: EntityState, e: EntityEvent, retention: number): void {
  const events = state.events;
  const last = events[events.length - 1];
  if (!last || last.t <= e.t) {
    if (last?.t === e.t && events.some((x) => x.id === e.id)) return;
    events.push(e);
  } else {
    if (events.some((x) => x.id === e.id)) return;
    let lo = 0, hi = events.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if ((events[mid] as EntityEvent).t <= e.t) lo = mid + 1; else hi = mid; }
    events.splice(lo, 0, e);
  }
  if (e.t > state.maxT) state.maxT = e.t;
  const horizon = state.maxT - retention;
  let drop = 0;
  while (drop < events.length && (events[drop] as EntityEvent).t <= horizon) drop += 1;
  if (drop) events.splice(0, drop);
  if (state.labels.length > 64) state.labels = state.labels.filter((l) => l.t > horizon);
}

function sweep(states: Map<string, EntityState>, horizon: number): void {
  for (const [k, s] of states) if (s.maxT <= horizon) states.delete(k);
}

