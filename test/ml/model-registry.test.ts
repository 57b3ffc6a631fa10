import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createModelRegistry, ModelNotFound, ModelVersionExists, type ModelRegistry } from '../../activities/model-registry.ts';
import { ModelRejected } from '../../activities/model-metadata.ts';
import { createOnnxScorer } from '../../activities/onnx-scorer.ts';
import { registerCommittedModels } from '../../runtime/scorer.ts';
import { createLogger } from '../../observability/logger.ts';
import { committedModels, MODELS_DIR, modelFiles } from './model-fixtures.ts';

const DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const MIGRATION = fileURLToPath(new URL('../../db/migrations/004_models.sql', import.meta.url));
const upMigration = () => (readFileSync(MIGRATION, 'utf8').split('-- Down Migration')[0] as string);

describe('model registry (PostgreSQL)', () => {
  const schema = `ml_registry_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let admin: pg.Pool;
  let db: pg.Pool;
  let registry: ModelRegistry;
  const { gbdt, anomaly } = committedModels();

  before(async () => {
    admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    db = new pg.Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
    await db.query(upMigration());
    registry = createModelRegistry(db);
  });

  after(async () => {
    await db?.end();
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it('registers a model version with its metadata, feature order and checksum', async () => {
    const files = modelFiles(gbdt);
    const m = await registry.register(files);
    assert.equal(m.version, gbdt);
    assert.equal(m.role, 'gbdt');
    assert.equal(m.status, 'active');
    assert.equal(m.featureNames[0], 'amount');
    assert.match(m.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual((await registry.get(gbdt)).featureNames, m.featureNames);
  });

  it('refuses to register the same version twice (versions are immutable)', async () => {
    await assert.rejects(registry.register(modelFiles(gbdt)), ModelVersionExists);
  });

  it('lists registered versions, and only active ones when asked', async () => {
    await registry.register(modelFiles(anomaly));
    assert.deepEqual((await registry.list()).map((m) => m.version).sort(), [anomaly, gbdt].sort());
    await registry.retire(anomaly);
    assert.deepEqual((await registry.list({ status: 'active' })).map((m) => m.version), [gbdt]);
    const retired = await registry.get(anomaly);
    assert.equal(retired.status, 'retired');
    assert.ok(retired.retiredAt);
  });

  it('says which version is unknown', async () => {
    await assert.rejects(registry.retire('nope-1'), ModelNotFound);
    await assert.rejects(registry.get('nope-1'), /nope-1 is not registered/);
  });

  it('refuses a model whose input width does not match its feature names, and says why', async () => {
    const files = modelFiles(gbdt);
    const meta = files.metadata as { version: string; featureNames: string[] };
    const bad = { ...meta, version: 'gbdt-short', featureNames: meta.featureNames.slice(0, -1) };
    await assert.rejects(registry.register({ ...files, metadata: bad }), (err: unknown) => {
      assert.ok(err instanceof ModelRejected);
      assert.match(err.message, /takes \d+ features but the metadata names \d+/);
      return true;
    });
    assert.deepEqual((await registry.list()).filter((m) => m.version === 'gbdt-short'), []);
  });

  it('refuses feature names the store does not compute, unknown outputs and a checksum of other bytes', async () => {
    const files = modelFiles(gbdt);
    const meta = files.metadata as { featureNames: string[]; onnx: Record<string, unknown> };
    const renamed = { ...meta, version: 'gbdt-renamed', featureNames: ['amount', 'customer.shoe_size', ...meta.featureNames.slice(2)] };
    await assert.rejects(registry.register({ ...files, metadata: renamed }), /"customer.shoe_size" is not computed by the feature store/);
    const output = { ...meta, version: 'gbdt-output', onnx: { ...meta.onnx, output: 'label' } };
    await assert.rejects(registry.register({ ...files, metadata: output }), /no output "label"/);
    const other = { ...meta, version: 'gbdt-other', onnx: { ...meta.onnx, sha256: '0'.repeat(64) } };
    await assert.rejects(registry.register({ ...files, metadata: other }), /not the file it describes/);
    await assert.rejects(registry.register({ ...files, onnx: new Uint8Array([1, 2, 3]), metadata: { ...meta, version: 'gbdt-junk', onnx: { ...meta.onnx, sha256: undefined } } }), /not a loadable ONNX model/);
  });

  it('refuses a tree model without the tree structure its reason codes need, or with one of another width', async () => {
    const files = modelFiles(gbdt);
    const meta = { ...(files.metadata as object), version: 'gbdt-no-trees' };
    await assert.rejects(registry.register({ onnx: files.onnx, metadata: meta }), (err: unknown) => {
      assert.ok(err instanceof ModelRejected);
      assert.equal(err.issues[0]?.field, 'explainer');
      return true;
    });
    const doc = files.explainer as { trees: { feature: number[] }[] };
    const wide = { ...doc, trees: [{ ...(doc.trees[0] as object), feature: (doc.trees[0] as { feature: number[] }).feature.map((f) => (f >= 0 ? 999 : f)) }] };
    await assert.rejects(registry.register({ ...files, metadata: meta, explainer: wide }), /split uses input 999/);
  });

  it('registers the committed models once however often (and by however many processes) it starts', async () => {
    const fresh = `${schema}_c`;
    await admin.query(`CREATE SCHEMA ${fresh}`);
    const other = new pg.Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${fresh}` });
    try {
      await other.query(upMigration());
      const reg = createModelRegistry(other);
      const log = createLogger({ level: 'silent' });
      const [first, second] = await Promise.all([registerCommittedModels(reg, MODELS_DIR, log), registerCommittedModels(reg, MODELS_DIR, log)]);
      const third = await registerCommittedModels(reg, MODELS_DIR, log);
      for (const got of [first, second, third]) assert.deepEqual(got.map((m) => m.version).sort(), [anomaly, gbdt].sort());
      assert.deepEqual((await reg.list()).map((m) => m.version).sort(), [anomaly, gbdt].sort());
    } finally {
      await other.end();
      await admin.query(`DROP SCHEMA IF EXISTS ${fresh} CASCADE`);
    }
  });

  it('serves registered versions to the scorer, retired ones included (old decisions replay)', async () => {
    const scorer = createOnnxScorer({ load: registry.loader() });
    try {
      const meta = await scorer.metadata(gbdt);
      const row = Object.fromEntries(meta.featureNames.map((n) => [n, n === 'amount' ? 80 : 1]));
      const scores = await scorer.score([gbdt, anomaly], row);
      assert.equal(scores.models.length, 2);
      for (const m of scores.models) assert.ok(m.score >= 0 && m.score <= 1);
      assert.ok(scores.models[0]?.topContributions.length, 'the tree model gives reason codes from its stored structure');
    } finally {
      await scorer.release();
    }
  });
});
