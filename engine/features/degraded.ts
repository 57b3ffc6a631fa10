import type { Transaction } from '../transaction.ts';
import { computeTransactionFeatures } from './compute.ts';
import type { FeatureDefinition } from './definitions.ts';
import type { FeatureStore, FeatureVector } from './store.ts';

/**
 * Degrade, don't fail: when the feature store cannot answer (unreachable, slower than its timeout)
 * the decision still gets a vector, marked degraded, following the declared missing-value policy:
 * every stateful feature null (missing), the tx.* features computed from the transaction alone.
 */

/** The store could not answer in time: the caller degrades (features) or retries (labels). */
export class FeatureStoreUnavailable extends Error {
  readonly code = 'FEATURE_STORE_UNAVAILABLE';
  constructor(readonly reason: string) {
    super(`feature store unavailable: ${reason}`);
  }
}

export interface FeatureRead {
  features: FeatureVector;
  /** True when the store could not answer and the missing-value policy applied. */
  degraded: boolean;
  /** Why it degraded. */
  reason?: string;
}

/** The vector a degraded decision gets: stateful features null, transaction features computed. */
export function degradedVector(definitions: readonly FeatureDefinition[], tx: Transaction): FeatureVector {
  const out: FeatureVector = {};
  for (const d of definitions) out[d.name] = null;
  computeTransactionFeatures(tx, out);
  return out;
}

/**
 * Observes `tx` and never throws: a store failure yields the degraded vector. The timeout belongs to
 * the store (the Redis store rejects with FeatureStoreUnavailable past its timeoutMs); `onDegraded`
 * is where the caller logs and counts.
 */
export async function readFeatures(
  store: FeatureStore,
  tx: Transaction,
  opts: { definitions: readonly FeatureDefinition[]; onDegraded?: (reason: string, tx: Transaction) => void },
): Promise<FeatureRead> {
  try {
    return { features: await store.observe(tx), degraded: false };
  } catch (err) {
    const reason = err instanceof FeatureStoreUnavailable ? err.reason : (err as Error).message;
    opts.onDegraded?.(reason, tx);
    return { features: degradedVector(opts.definitions, tx), degraded: true, reason };
  }
}
