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

/** Scores feature vectors with the models an arm names. */
export interface Scorer {
  score(modelVersions: string[], features: FeatureVector): Promise<ArmScores>;
}
