import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createOnnxScorer, modelsInDirectory } from './onnx-scorer.ts';
import { batchingScorer, type ScoreBatch } from './score-batcher.ts';
import type { FeatureVector } from '../engine/features/store.ts';
import { committedModels, MODELS_DIR } from '../test/ml/model-fixtures.ts';

const { gbdt, anomaly } = committedModels();
const vectorOf = (i: number): FeatureVector => ({
  amount: 5 + (i * 37) % 900, 'customer.tx_count_1d': i % 7, 'customer.amount_sum_1d': (i * 53) % 2000,
  'customer.amount_ratio_30d': 0.2 + (i % 13) / 3, 'terminal.fraud_rate_7d_delay7d': (i % 5) / 10, 'tx.hour': i % 24,
});

describe('dynamic batching of single-row scoring', () => {
  const onnx = createOnnxScorer({ load: modelsInDirectory(MODELS_DIR) });
  after(() => onnx.release());
  const counting = () => {
    const batches: number[] = [];
    const scoreBatch: ScoreBatch = (v, x, w) => { batches.push(x.length); return onnx.scoreBatch(v, x, w); };
    return { batches, score: batchingScorer(scoreBatch, { maxBatch: 64 }) };
  };

  it('scores calls made together in one batched run, each caller getting exactly its own row\'s scores', async () => {
    const { batches, score } = counting();
    const vectors = Array.from({ length: 50 }, (_, i) => vectorOf(i));
    const together = await Promise.all(vectors.map((v) => score([gbdt, anomaly], v)));
    assert.deepEqual(batches, [50]);
    const alone = [];
    for (const v of vectors) alone.push(await onnx.scoreBatch([gbdt, anomaly], [v]).then((s) => s[0]));
    assert.deepEqual(together, alone);
  });

  it('scores a lone call at once, in a batch of one', async () => {
    const { batches, score } = counting();
    await score([gbdt], vectorOf(1));
    await score([gbdt], vectorOf(2));
    assert.deepEqual(batches, [1, 1]);
  });

  it('keeps arms with other models or other weights in batches of their own', async () => {
    const { batches, score } = counting();
    const [a, b, c] = await Promise.all([
      score([gbdt, anomaly], vectorOf(3)), score([gbdt], vectorOf(3)), score([gbdt, anomaly], vectorOf(3), { anomaly: 1 }),
    ]);
    assert.deepEqual([...batches].sort(), [1, 1, 1]);
    assert.equal(b?.models.length, 1);
    assert.notEqual(a?.combined, c?.combined, 'the weights reached their own batch');
  });

  it('splits a burst larger than the batch limit into several runs', async () => {
    const { batches, score } = counting();
    await Promise.all(Array.from({ length: 150 }, (_, i) => score([gbdt], vectorOf(i))));
    assert.deepEqual(batches, [64, 64, 22]);
  });

  it('fails every caller of a batch that could not be scored, and only them', async () => {
    const { score } = counting();
    const results = await Promise.allSettled([
      score(['no-such-model'], vectorOf(1)), score(['no-such-model'], vectorOf(2)), score([gbdt], vectorOf(3)),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled']);
    assert.match(String((results[0] as PromiseRejectedResult).reason), /no-such-model/);
  });
});
