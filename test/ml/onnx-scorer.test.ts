import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { combine, createOnnxScorer, modelsInDirectory } from '../../activities/onnx-scorer.ts';
import { modelInput } from '../../engine/scoring.ts';
import { TreeExplainer } from '../../activities/tree-contributions.ts';
import type { FeatureVector } from '../../engine/features/store.ts';
import { committedModels, MODELS_DIR, modelFiles } from './model-fixtures.ts';

const { gbdt, anomaly } = committedModels();
const fixture = JSON.parse(readFileSync(`${MODELS_DIR}parity/${gbdt}.json`, 'utf8')) as { featureNames: string[]; rows: (number | null)[][] };
const vector = (row: (number | null)[]): FeatureVector => Object.fromEntries(fixture.featureNames.map((n, j) => [n, row[j] ?? null]));
const rows = fixture.rows.slice(0, 40).map(vector);
/** An ordinary customer: a few payments a day around 50, at a terminal with no known fraud. */
const ordinary = (): FeatureVector => ({
  'customer.tx_count_1h': 0, 'customer.amount_sum_1h': 0, 'customer.tx_count_1d': 3, 'customer.amount_sum_1d': 150, 'customer.amount_mean_1d': 50,
  'customer.tx_count_7d': 20, 'customer.amount_sum_7d': 1000, 'customer.amount_mean_7d': 50, 'customer.tx_count_30d': 85, 'customer.amount_sum_30d': 4250,
  'customer.amount_mean_30d': 50, 'customer.amount_ratio_30d': 1, 'customer.seconds_since_last': 20_000, 'terminal.tx_count_1d_delay7d': 1,
  'terminal.tx_count_7d_delay7d': 7, 'terminal.tx_count_30d_delay7d': 28, 'terminal.fraud_rate_1d_delay7d': 0, 'terminal.fraud_rate_7d_delay7d': 0,
  'terminal.fraud_rate_30d_delay7d': 0, 'terminal.tx_count_1h': 0, 'tx.is_weekend': 0, 'tx.is_night': 0, 'tx.hour': 14, amount: 50,
});

describe('ONNX scorer', () => {
  const scorer = createOnnxScorer({ load: modelsInDirectory(MODELS_DIR) });
  after(() => scorer.release());

  it('scores one transaction with each model of the arm, in [0, 1], and combines them by the metadata weights', async () => {
    const s = await scorer.score([gbdt, anomaly], ordinary());
    assert.deepEqual(s.models.map((m) => [m.role, m.modelVersion]), [['gbdt', gbdt], ['anomaly', anomaly]]);
    for (const m of s.models) assert.ok(m.score >= 0 && m.score <= 1, `${m.role} ${m.score}`);
    // Default weights: gbdt 1, anomaly 0 (the anomaly score is a rule fact, not part of the combination).
    assert.equal(s.combined, s.models[0]?.score);
  });

  it('gives an arm without models no score', async () => {
    assert.deepEqual(await scorer.score([], ordinary()), { combined: null, models: [] });
  });

  it('combines by the weights the deployment\'s arm sets', async () => {
    const s = await scorer.score([gbdt, anomaly], ordinary(), { gbdt: 0.9, anomaly: 0.1 });
    const [g, a] = s.models.map((m) => m.score) as [number, number];
    assert.ok(Math.abs((s.combined as number) - (0.9 * g + 0.1 * a)) < 1e-9);
    assert.equal(combine([0.2, 0.6], [0, 0]), 0.4, 'no positive weight: the plain mean');
  });

  it('combines by the arm\'s own weights first, a role left out keeping its default', async () => {
    const s = await scorer.score([gbdt, anomaly], ordinary(), { anomaly: 1 });
    const [g, a] = s.models.map((m) => m.score) as [number, number];
    assert.ok(Math.abs((s.combined as number) - (g + a) / 2) < 1e-6, 'gbdt keeps its metadata weight 1, anomaly takes the arm\'s 1');
    const onlyAnomaly = await scorer.score([gbdt, anomaly], ordinary(), { gbdt: 0, anomaly: 1 });
    assert.equal(onlyAnomaly.combined, a);
    assert.deepEqual(onlyAnomaly.models, s.models, 'weights change the combination, never a model\'s own score');
  });

  it('scores a batch exactly as it scores each row alone', async () => {
    const batch = await scorer.scoreBatch([gbdt, anomaly], rows);
    const single = [];
    for (const r of rows) single.push(await scorer.score([gbdt, anomaly], r)); // one at a time: batches of one row
    assert.deepEqual(batch, single);
  });

  it('treats null and absent features as missing (NaN) without failing, as a degraded decision has them', async () => {
    const degraded: FeatureVector = Object.fromEntries(Object.keys(ordinary()).map((k) => [k, null]));
    const s = await scorer.score([gbdt, anomaly], modelInput(75, degraded));
    for (const m of s.models) assert.ok(Number.isFinite(m.score) && m.score >= 0 && m.score <= 1);
    const absent = await scorer.score([gbdt, anomaly], { amount: 75 });
    assert.deepEqual(absent.models.map((m) => m.score), s.models.map((m) => m.score));
  });

  it('names the amount among the top reasons of a very large payment, for both models', async () => {
    const normal = await scorer.score([gbdt, anomaly], ordinary());
    const big = await scorer.score([gbdt, anomaly], { ...ordinary(), amount: 2_500, 'customer.amount_ratio_30d': 50 });
    const [g, a] = big.models;
    assert.ok((g?.score ?? 0) > (normal.models[0]?.score ?? 1), 'a 2,500 payment scores higher than a 50 one');
    assert.ok(g?.topContributions.slice(0, 3).some((c) => c.feature === 'amount' || c.feature === 'customer.amount_ratio_30d'), JSON.stringify(g?.topContributions));
    assert.ok(a?.topContributions.some((c) => c.feature === 'amount' || c.feature === 'customer.amount_ratio_30d'), JSON.stringify(a?.topContributions));
    for (const m of big.models) {
      const cs = m.topContributions.map((c) => c.contribution);
      assert.ok(cs.every((c) => c > 0), 'only features pushing the score up');
      assert.deepEqual(cs, [...cs].sort((x, y) => y - x), 'largest first');
    }
  });

  it('explains the GBDT score exactly: bias + path contributions = the log-odds of its probability', async () => {
    const files = modelFiles(gbdt);
    const names = (files.metadata as { featureNames: string[] }).featureNames;
    const explainer = TreeExplainer.parse(files.explainer, names.length);
    const scored = await scorer.scoreBatch([gbdt], rows);
    const c = new Float64Array(names.length);
    rows.forEach((r, i) => {
      const x = Float32Array.from(names.map((n) => r[n] ?? Number.NaN));
      explainer.contributions(x, 0, c);
      const margin = explainer.bias + c.reduce((s, v) => s + v, 0);
      const p = scored[i]?.models[0]?.score as number;
      assert.ok(Math.abs(1 / (1 + Math.exp(-margin)) - p) < 1e-5, `row ${i}: sigmoid(${margin}) vs ${p}`);
    });
  });

  it('refuses a model whose metadata names another version', async () => {
    const files = modelFiles(gbdt);
    const wrong = createOnnxScorer({ load: async () => ({ ...files, metadata: { ...(files.metadata as object), version: 'other-1' } }) });
    await assert.rejects(wrong.score([gbdt], ordinary()), /metadata names version other-1/);
  });
});
