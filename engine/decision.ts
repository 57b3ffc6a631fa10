import type { FeatureVector } from './features/store.ts';
import type { ArmScores } from './scoring.ts';
import type { PaymentIdentity } from './transaction.ts';

export const OUTCOMES = ['APPROVE', 'REVIEW', 'DECLINE'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Why a decision came out as it did, in words an analyst and an integrator can act on. */
export interface Reason {
  code: string;
  message: string;
  /** The rule that produced it, when a rule did. */
  rule?: string;
}

/** A rule whose conditions held, with the event it emitted. */
export interface FiredRule {
  name: string;
  priority: number;
  event: { type: string; params?: Record<string, unknown> };
  /** Why it fired: the condition tree with each leaf's fact value and result, as json-rules-engine reports it. */
  conditions?: unknown;
}

/** What one arm (champion, challenger or shadow) decided for a transaction. */
export interface ArmDecision {
  arm: string;
  shadow: boolean;
  decision: Outcome;
  /** Final score in [0, 1] after rule adjustments; null when the arm has no model and no rule scored. */
  score: number | null;
  reasons: Reason[];
  tags: string[];
  firedRules: FiredRule[];
  rulesetVersion: string;
  modelVersions: string[];
  scores: ArmScores;
}

/** The decision returned to the caller and recorded: the acted-on arm plus the shadow arms beside it. */
export interface Decision extends ArmDecision {
  transactionId: string;
  workflowId: string;
  deploymentVersion: number;
  features: FeatureVector;
  /** True when some features could not be read (feature store down or slow) and the missing-value policy applied. */
  degraded: boolean;
  /** Milliseconds from the API receiving the request to the decision being ready. */
  latencyMs: number;
  decidedAt: string;
  shadows: ArmDecision[];
  /**
   * The payment decided: a request that sends its id with another payment is told apart from a retry
   * without a read (api/reused-ids.ts). Set by the decision activity; a decision read back from Postgres
   * takes it from its transaction record. Absent only from decisions that workflows which ran before it
   * was recorded answer from their state.
   */
  payment?: PaymentIdentity;
}
