import type { Logger } from 'pino';
import type { FeatureStore, FeatureVector } from '../engine/features/store.ts';
import type { Transaction } from '../engine/transaction.ts';
import type { FeatureSource } from './decision-activities.ts';
import { withTimeout } from './with-timeout.ts';

export interface DegradePolicy {
  /** Feature names the decision path expects; all come back as null (missing) when the store is unavailable. */
  featureNames: readonly string[];
  /** Past this the store counts as unavailable for this transaction. */
  timeoutMs: number;
  /** Called once per degraded decision (metrics). */
  onDegraded?: (reason: string) => void;
}

/**
 * Degrade, don't fail: a feature store that errors or answers too slowly yields a vector of missing
 * values (which the rules' and models' missing-value policies handle) and the decision is marked degraded.
 */
export function degradingFeatureSource(store: FeatureStore, policy: DegradePolicy, log?: Logger): FeatureSource {
  const missing = (): FeatureVector => Object.fromEntries(policy.featureNames.map((n) => [n, null]));
  return {
    async read(tx: Transaction, txLog?: () => Logger) {
      try {
        const features = await withTimeout(store.observe(tx), policy.timeoutMs, () => new Error(`feature store gave no answer within ${policy.timeoutMs} ms`));
        return { features, degraded: false };
      } catch (err) {
        const reason = (err as Error).message;
        (txLog?.() ?? log)?.warn({ transactionId: tx.id, reason }, 'feature store unavailable: decision degraded');
        policy.onDegraded?.(reason);
        return { features: missing(), degraded: true };
      }
    },
  };
}
