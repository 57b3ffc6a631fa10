import type { FeatureVector } from './features/store.ts';

/** One model's output for one transaction. */
export interface ModelScore {
  /** The model's role in the arm, the fact name suffix rules see: `score.<role>` (e.g. gbdt, anomaly). */
  role: string;
  modelVersion: string;
  /** Probability-like score in [0, 1]; higher = more likely fraud. */
  score: number;
  /** Features that pushed the score up the most, largest first. */
  topContributions: { feature: string; contribution: number }[];
}

export interface ArmScores {
  /** Combined score of the arm's models, in [0, 1]; null when the arm has no model. */
  combined: number | null;
  models: ModelScore[];
}

/**
 * How an arm combines its models: the weight of each role in `combined` (e.g. { gbdt: 0.9, anomaly: 0.1 });
 * a role left out keeps its model's own default weight (metadata `combine.weight`). A model with weight 0
 * is still scored and seen by rules as `score.<role>`, it just does not move `combined`.
 */
export type ModelWeights = Record<string, number>;

/**
 * Scores feature vectors with the models an arm names. The vector is the model input: the store's
 * features plus the transaction's own `amount`.
 */
export interface Scorer {
  score(modelVersions: string[], features: FeatureVector, weights?: ModelWeights): Promise<ArmScores>;
}

/** The name of the transaction's own amount among a model's inputs (every model's first input; not a store feature). */
export const AMOUNT_INPUT = 'amount';

/** A model's input for a transaction: the store's features beside the transaction's amount. */
export function modelInput(amount: number, features: FeatureVector): FeatureVector {
  return { ...features, [AMOUNT_INPUT]: amount };
}
