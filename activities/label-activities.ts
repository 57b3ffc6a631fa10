import type { FeatureStore } from '../engine/features/store.ts';

export interface ApplyLabelInput {
  transactionId: string;
  customerId: string;
  merchantId: string;
  occurredAt: string;
  fraud: boolean;
  knownAt: string;
}

/** Step 7: a label reaches the feature store (fraud-rate features see it from knownAt on). */
export function createLabelActivities(deps: { featureStore: FeatureStore }) {
  return {
    async applyLabel(l: ApplyLabelInput): Promise<void> {
      await deps.featureStore.label({
        transactionId: l.transactionId, customerId: l.customerId, merchantId: l.merchantId,
        occurredAtMs: Date.parse(l.occurredAt), fraud: l.fraud, knownAtMs: Date.parse(l.knownAt),
      });
    },
  };
}
