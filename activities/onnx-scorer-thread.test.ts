import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { createOnnxScorer, modelsInDirectory, type ModelLoader } from './onnx-scorer.ts';
import { createThreadedOnnxScorer } from './onnx-scorer-thread.ts';
import { knownModelInputs, ModelRejected, parseModelMetadata } from './model-metadata.ts';
import type { FeatureVector } from '../engine/features/store.ts';
import { committedModels, MODELS_DIR } from '../test/ml/model-fixtures.ts';

const { gbdt, anomaly } = committedModels();
const vectorOf = (i: number): FeatureVector => ({
  amount: 5 + (i * 37) % 900, 'customer.tx_count_1d': i % 7, 'customer.amount_sum_1d': (i * 53) % 2000,
  'customer.amount_ratio_30d': 0.2 + (i % 13) / 3, 'terminal.fraud_rate_7d_delay7d': (i % 5) / 10, 'tx.hour': i % 24,
});

describe('ONNX scorer on its own thread', () => {
  const load = modelsInDirectory(MODELS_DIR);
  const threaded = createThreadedOnnxScorer({ load });
  const local = createOnnxScorer({ load });
  after(async () => { await threaded.close(); await local.release(); });

  it('scores exactly as the scorer on the calling thread, alone and in batches, reason codes included', async () => {
    const vectors = Array.from({ length: 40 }, (_, i) => vectorOf(i));
    assert.deepEqual(await threaded.scoreBatch([gbdt, anomaly], vectors), await local.scoreBatch([gbdt, anomaly], vectors));
    const alone = await Promise.all(vectors.slice(0, 5).map((v) => threaded.score([gbdt, anomaly], v, { anomaly: 1 })));
    assert.deepEqual(alone, await Promise.all(vectors.slice(0, 5).map((v) => local.score([gbdt, anomaly], v, { anomaly: 1 }))));
    assert.ok(alone[0]?.models[0]?.topContributions.length);
  });

  it('leaves reason codes out when a call asks for none (replays), with the same scores', async () => {
    const vectors = Array.from({ length: 12 }, (_, i) => vectorOf(i));
    const bare = await threaded.scoreBatch([gbdt, anomaly], vectors, undefined, { topReasons: 0 });
    const full = await local.scoreBatch([gbdt, anomaly], vectors);
    assert.deepEqual(bare.map((s) => s.combined), full.map((s) => s.combined));
    assert.ok(bare.every((s) => s.models.every((m) => m.topContributions.length === 0)));
    assert.ok(full.some((s) => s.models.some((m) => m.topContributions.length > 0)));
  });

  it('gives the model\'s metadata, and a model it cannot load fails its callers with the reason', async () => {
    assert.equal((await threaded.metadata(gbdt)).role, 'gbdt');
    await assert.rejects(threaded.score(['no-such-model'], vectorOf(1)), /no-such-model/);
    const broken: ModelLoader = async (version) => ({ ...(await load(gbdt)), onnx: new Uint8Array([1, 2, 3]), metadata: { ...((await load(gbdt)).metadata as object), version } });
    const other = createThreadedOnnxScorer({ load: broken });
    try {
      await assert.rejects(other.metadata('gbdt-broken'), /protobuf parsing failed/);
    } finally { await other.close(); }
  });

  it('frees released versions and loads them again when asked', async () => {
    await threaded.release([gbdt]);
    const again = await threaded.score([gbdt], vectorOf(3));
    assert.deepEqual(again, await local.score([gbdt], vectorOf(3)));
  });

  it('checks a model being registered on its thread: a sound one passes, a broken one is refused with every problem', async () => {
    const source = await load(gbdt);
    const meta = parseModelMetadata(source.metadata);
    await threaded.validate(source.onnx, meta, knownModelInputs());
    await assert.rejects(threaded.validate(source.onnx, { ...meta, featureNames: [...meta.featureNames.slice(1), 'no.such_feature'] }, knownModelInputs()),
      (err: unknown) => err instanceof ModelRejected && err.problems.some((p) => p.includes('no.such_feature')));
    await assert.rejects(threaded.validate(new Uint8Array([1, 2, 3]), meta, knownModelInputs()),
      (err: unknown) => err instanceof ModelRejected && err.problems.some((p) => p.startsWith('onnx: not a loadable ONNX model')));
  });

  it('keeps ModelRejected a ModelRejected across the thread', async () => {
    const wrongVersion: ModelLoader = async () => load(gbdt);
    const other = createThreadedOnnxScorer({ load: wrongVersion });
    try {
      await assert.rejects(other.metadata('not-its-version'), (err: unknown) => err instanceof ModelRejected && err.problems.some((p) => p.includes('metadata.version')));
    } finally { await other.close(); }
  });

  it('closes while requests are under way without taking the process down: what was asked is answered, the rest refused', () => {
    // In a process of its own: the failure this guards against is a native abort, not an exception.
    const script = resolve(import.meta.dirname, '../test/ml/scorer-close-race.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, '8'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, `exit ${run.status} ${run.signal ?? ''}: ${run.stderr.slice(-600)}`);
    assert.doesNotMatch(run.stderr, /Napi::Error|terminate called/);
    const { rounds, outcomes } = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as { rounds: number; outcomes: Record<string, number> };
    assert.equal(rounds, 8);
    assert.deepEqual(Object.keys(outcomes).filter((o) => o.startsWith('failed')), [], JSON.stringify(outcomes));
    assert.ok((outcomes['answered'] ?? 0) >= 8, `the validation asked before closing is answered each round: ${JSON.stringify(outcomes)}`);
    assert.ok((outcomes['refused: closed'] ?? 0) >= 8, `the model asked for while closing is refused each round: ${JSON.stringify(outcomes)}`);
  });

  it('fails requests made after it was closed instead of hanging', async () => {
    const other = createThreadedOnnxScorer({ load });
    await other.metadata(gbdt);
    await other.close();
    await assert.rejects(other.score([gbdt], vectorOf(1)));
  });
});
