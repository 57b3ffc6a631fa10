import type { FeatureVector } from '../engine/features/store.ts';
import type { ArmScores, ModelWeights } from '../engine/scoring.ts';

export type ScoreBatch = (modelVersions: string[], vectors: FeatureVector[], weights?: ModelWeights) => Promise<ArmScores[]>;
export type ScoreOne = (modelVersions: string[], features: FeatureVector, weights?: ModelWeights) => Promise<ArmScores>;

interface Pending {
  versions: string[];
  weights: ModelWeights | undefined;
  vectors: FeatureVector[];
  waiters: { resolve: (s: ArmScores) => void; reject: (e: unknown) => void }[];
}

/**
 * Dynamic batching: single-row score calls made in the same turn of the event loop (concurrent
 * decisions, a bulk request's transactions) become one batched call per model set. An ONNX run has
 * a fixed cost (a thread-pool hop, tensor set-up) of about 30 µs against about 1 µs per extra row,
 * and occlusion reason codes add a second run per model, so under load this cuts the scoring cost
 * several times; a lone call waits only for the current turn to end (setImmediate), not a timer.
 * Results are exactly the row-by-row ones: a batch is the same rows through the same models.
 */
export function batchingScorer(scoreBatch: ScoreBatch, opts: { maxBatch?: number } = {}): ScoreOne {
  const maxBatch = opts.maxBatch ?? 256;
  let pending = new Map<string, Pending>();
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batches = [...pending.values()];
    pending = new Map();
    for (const b of batches) run(b);
  };

  const run = (b: Pending) => {
    scoreBatch(b.versions, b.vectors, b.weights).then(
      (scores) => b.waiters.forEach((w, i) => w.resolve(scores[i] as ArmScores)),
      (err: unknown) => b.waiters.forEach((w) => w.reject(err)),
    );
  };

  return (versions, features, weights) => new Promise<ArmScores>((resolve, reject) => {
    const key = JSON.stringify([versions, weights ?? null]);
    let b = pending.get(key);
    if (!b) pending.set(key, b = { versions, weights, vectors: [], waiters: [] });
    b.vectors.push(features);
    b.waiters.push({ resolve, reject });
    if (b.vectors.length >= maxBatch) {
      pending.delete(key);
      run(b);
      return;
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}
