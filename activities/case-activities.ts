import type { FeatureStore, Label } from '../engine/features/store.ts';
import type { CaseRepository, CaseTransition } from './pg/case-repository.ts';
import type { LabelRepository } from './pg/label-repository.ts';

/** The analyst's verdict: a feature-store label (known from the resolution on) and who gave it, why. */
export interface CaseLabelInput extends Label {
  analyst: string;
  reasonCode: string | null;
}

/** What the case activities count (observability/metrics.ts implements it). */
export interface CaseObserver {
  slaBreached(tier: string): void;
}

/** Step 6's I/O for review cases: the Postgres mirror of each transition, and the resolution as a label. */
export function createCaseActivities(deps: { cases: CaseRepository; labels: LabelRepository; featureStore: FeatureStore; observer?: CaseObserver | undefined }) {
  return {
    async recordCaseTransition(t: CaseTransition): Promise<void> {
      const first = await deps.cases.record(t);
      // Counted where the breach is first mirrored, so a retried activity or a replayed workflow counts it once.
      // Counted against the tier whose SLA ran out, not the one the case moved to.
      if (first && t.type === 'SLA_BREACHED' && t.fromTier) deps.observer?.slaBreached(t.fromTier);
    },

    /** The analyst's verdict becomes a label: a labels row (idempotent) and the feature store's fraud-rate state. */
    async recordLabel({ analyst, reasonCode, ...label }: CaseLabelInput): Promise<void> {
      await deps.labels.record({
        transactionId: label.transactionId, fraud: label.fraud, source: 'analyst', knownAt: new Date(label.knownAtMs).toISOString(),
        reason: reasonCode ?? undefined, createdBy: analyst,
      });
      await deps.featureStore.label(label);
    },
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
