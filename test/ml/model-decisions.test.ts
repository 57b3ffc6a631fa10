import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, uniqueName, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { decidedUnder, deploy } from '../support/deployments.ts';
import { committedModels, modelFiles } from './model-fixtures.ts';

/** What POST /v1/models takes for a committed model, under another version when asked (same bytes). */
function upload(version: string, as?: string): { onnx: string; metadata: Record<string, unknown>; explainer?: unknown } {
  const files = modelFiles(version);
  const metadata = { ...(files.metadata as Record<string, unknown>), ...(as ? { version: as } : {}) };
  return { onnx: Buffer.from(files.onnx).toString('base64'), metadata, ...(files.explainer === undefined ? {} : { explainer: files.explainer }) };
}

interface ModelReply { role: string; version: string; score: number; top_features: { feature: string; contribution: number }[] }

describe('decisions scored by the registered ONNX models (real stack)', () => {
  let stack: TestStack;
  const { gbdt, anomaly } = committedModels();

  before(async () => { stack = await startStack({ FOUR_EYES: 'false' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('registers the committed models at start and seeds the champion with both, combined as the arm says', async () => {
    const models = await stack.get('/v1/models');
    assert.equal(models.status, 200);
    assert.deepEqual(models.body.models.map((m: { version: string }) => m.version).sort(), [anomaly, gbdt].sort());
    const current = await stack.get('/v1/deployments/current');
    assert.deepEqual(current.body.spec.champion.modelVersions, [gbdt, anomaly]);
    assert.deepEqual(current.body.spec.champion.modelWeights, { gbdt: 1, anomaly: 0 }, 'the GBDT decides; the anomaly score is a rule fact (docs/models.md)');
    const inUse = models.body.models.find((m: { version: string }) => m.version === gbdt);
    assert.deepEqual(inUse.in_use, { deployment_version: current.body.version, arms: ['champion'] });
  });

  it('decides with each model\'s score and reason codes, in the reply and in the recorded decision', async () => {
    const tx = aTransaction({ customer_id: uniqueName('c'), amount: '180.00' });
    const res = await stack.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.model_versions, [gbdt, anomaly]);
    assert.deepEqual(res.body.models.map((m: ModelReply) => [m.role, m.version]), [['gbdt', gbdt], ['anomaly', anomaly]]);
    for (const m of res.body.models as ModelReply[]) {
      assert.ok(m.score >= 0 && m.score <= 1, `${m.role} score ${m.score} in [0, 1]`);
      assert.equal(res.body.model_scores[m.role], m.score);
      for (const r of m.top_features) assert.ok(r.contribution > 0 && typeof r.feature === 'string');
    }
    const gbdtReply = res.body.models[0] as ModelReply;
    assert.ok(gbdtReply.top_features.length > 0, 'the tree model explains its score');
    assert.deepEqual(res.body.top_features, gbdtReply.top_features);
    assert.equal(typeof res.body.model_score, 'number');

    const stored = await waitFor(async () => {
      const got = await stack.get(`/v1/decisions/${tx['id']}`);
      return got.body?.persisted ? got.body : null;
    });
    assert.deepEqual(stored.models, res.body.models, 'the recorded decision keeps each model\'s score and reason codes');
    assert.equal(stored.model_score, res.body.model_score);
  });

  it('gives the models the transaction\'s amount: a large amount moves the score, the same amount does not', async () => {
    // A new customer at a new terminal at the same moment: every feature the same, only the amount differs.
    const scoreOf = async (amount: string) => {
      const res = await stack.post('/v1/decisions', aTransaction({ customer_id: uniqueName('c'), merchant_id: uniqueName('m'), occurred_at: '2026-11-22T10:00:00.000Z', amount }));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.model_scores.gbdt as number;
    };
    const small = await scoreOf('12.00');
    assert.equal(await scoreOf('12.00'), small, 'same input, same score');
    assert.notEqual(await scoreOf('4800.00'), small, 'amount is a model input');
  });

  it('lets a rule decide on score.gbdt', async () => {
    const name = uniqueName('scored').toLowerCase().replaceAll('_', '-');
    const document = {
      name,
      rules: [
        { name: 'Model has spoken', conditions: { all: [{ fact: 'score.gbdt', operator: 'greaterThanInclusive', value: 0 }] }, event: { type: 'review', params: { code: 'GBDT_SEEN', reason: 'score.gbdt is known' } } },
        { name: 'Model says fraud', conditions: { all: [{ fact: 'score.gbdt', operator: 'greaterThan', value: 1 }] }, event: { type: 'decline' } },
      ],
    };
    assert.equal((await stack.post('/v1/rulesets', { name, document })).status, 201);
    assert.equal((await stack.post(`/v1/rulesets/${name}/versions`, { revision: 1 })).status, 201);
    const version = await deploy(stack, { champion: { name: 'champion', rulesetVersion: `${name}@1`, modelVersions: [gbdt, anomaly] } });
    const { body } = await decidedUnder(stack, version);
    assert.deepEqual(body.rules_fired, ['Model has spoken']);
    assert.equal(body.decision, 'REVIEW');
    assert.equal(body.reasons[0].code, 'GBDT_SEEN');
  });

  it('hot-swaps models when the deployment names another version or other weights, without a restart', async () => {
    const swapped = `${gbdt}-swap`;
    const registered = await stack.post('/v1/models', upload(gbdt, swapped));
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const onlyAnomaly = await deploy(stack, { champion: { name: 'champion', rulesetVersion: 'default@1', modelVersions: [swapped, anomaly], modelWeights: { gbdt: 0, anomaly: 1 } } });
    const { body } = await decidedUnder(stack, onlyAnomaly);
    assert.deepEqual(body.model_versions, [swapped, anomaly]);
    assert.equal(body.models[0].version, swapped);
    assert.equal(body.model_score, body.model_scores.anomaly, 'the arm\'s weights decide the combined score');

    const onlyGbdt = await deploy(stack, { champion: { name: 'champion', rulesetVersion: 'default@1', modelVersions: [swapped], modelWeights: { gbdt: 1 } } });
    const next = await decidedUnder(stack, onlyGbdt);
    assert.deepEqual(next.body.model_versions, [swapped]);
    assert.deepEqual(Object.keys(next.body.model_scores), ['gbdt']);
    assert.equal(next.body.model_score, next.body.model_scores.gbdt);
  });

  it('refuses a deployment whose weights name a role none of its models has', async () => {
    const current = await stack.get('/v1/deployments/current');
    const res = await stack.post('/v1/deployments', {
      spec: { champion: { name: 'champion', rulesetVersion: 'default@1', modelVersions: [gbdt], modelWeights: { anomaly: 1 } } },
      expected_version: current.body.version,
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.fields[0].field, 'spec.champion.modelWeights.anomaly');
  });
});

describe('the models API', () => {
  let stack: TestStack;
  const { gbdt, anomaly } = committedModels();

  before(async () => { stack = await startStack({ FOUR_EYES: 'false' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('registers an uploaded model, lists it, shows it, refuses the same version twice, and audits the change', async () => {
    const version = `${anomaly}-api`;
    const res = await stack.post('/v1/models', upload(anomaly, version));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.version, version);
    assert.equal(res.body.role, 'anomaly');
    assert.equal(res.body.status, 'active');
    assert.equal(res.body.feature_names[0], 'amount');

    const list = await stack.get('/v1/models?status=active');
    assert.ok(list.body.models.some((m: { version: string }) => m.version === version));
    const one = await stack.get(`/v1/models/${version}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.metadata.version, version);
    assert.deepEqual(one.body.in_use.arms, []);
    assert.equal((await stack.get('/v1/models/nope-1')).status, 404);

    const again = await stack.post('/v1/models', upload(anomaly, version));
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'MODEL_VERSION_EXISTS');

    const { rows } = await stack.db.query<{ actor: string; after: { sha256: string } ; request: { body: unknown } }>(
      "SELECT actor, after, request FROM audit_log WHERE action = 'POST /v1/models' AND target = $1", [`model:${version}`]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.actor, 'key:key_env_admin');
    assert.equal(rows[0]?.after.sha256, res.body.sha256);
    assert.ok(JSON.stringify(rows[0]?.request.body).length < 2_000, 'the ONNX bytes are summarised in the audit entry, not copied');
  });

  it('answers a bad upload with 400 naming the field and the reason', async () => {
    const good = upload(gbdt, `${gbdt}-bad`);
    const cases: [string, unknown, string, RegExp][] = [
      ['no file', { metadata: good.metadata }, 'onnx', /required/],
      ['not base64', { ...good, onnx: 'not base64!' }, 'onnx', /base64/],
      ['not ONNX', { ...good, onnx: Buffer.from('hello').toString('base64'), metadata: { ...good.metadata, onnx: { ...(good.metadata['onnx'] as object), sha256: undefined } } }, 'onnx', /not a loadable ONNX model/],
      ['no feature names', { ...good, metadata: { ...good.metadata, featureNames: undefined } }, 'metadata.featureNames', /./],
      ['a feature the store does not compute', { ...good, metadata: { ...good.metadata, featureNames: ['amount', 'customer.shoe_size', ...(good.metadata['featureNames'] as string[]).slice(2)] } }, 'metadata.featureNames.1', /not computed by the feature store/],
      ['fewer features than the model takes', { ...good, metadata: { ...good.metadata, featureNames: (good.metadata['featureNames'] as string[]).slice(0, -1) } }, 'metadata.featureNames', /takes \d+ features but the metadata names \d+/],
      ['no tree structure for its reason codes', { onnx: good.onnx, metadata: good.metadata }, 'explainer', /tree structure/],
      ['an unknown field', { ...good, extra: 1 }, '(body)', /unknown field/],
    ];
    for (const [what, body, field, reason] of cases) {
      const res = await stack.post('/v1/models', body);
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      const issue = (res.body.error.fields as { field: string; reason: string }[]).find((f) => f.field === field);
      assert.ok(issue && reason.test(issue.reason), `${what}: expected ${field} ${reason}, got ${JSON.stringify(res.body.error.fields)}`);
    }
    assert.equal((await stack.get(`/v1/models/${gbdt}-bad`)).status, 404, 'nothing refused is registered');
  });

  it('refuses to retire a model the deployment in force uses (409, saying where), retires one it does not, and never deploys a retired one', async () => {
    const inUse = await stack.post(`/v1/models/${gbdt}/retire`, {});
    assert.equal(inUse.status, 409, JSON.stringify(inUse.body));
    assert.equal(inUse.body.error.code, 'MODEL_IN_USE');
    assert.match(inUse.body.error.message, /used by deployment \d+ \(arm champion\)/);
    assert.deepEqual(inUse.body.error.arms, ['champion']);

    const spare = `${gbdt}-spare`;
    assert.equal((await stack.post('/v1/models', upload(gbdt, spare))).status, 201);
    const retired = await stack.post(`/v1/models/${spare}/retire`, {});
    assert.equal(retired.status, 200, JSON.stringify(retired.body));
    assert.equal(retired.body.status, 'retired');
    assert.ok(retired.body.retired_at);
    assert.ok(!(await stack.get('/v1/models?status=active')).body.models.some((m: { version: string }) => m.version === spare));
    assert.equal((await stack.post('/v1/models/nope-1/retire', {})).status, 404);

    const current = await stack.get('/v1/deployments/current');
    const refused = await stack.post('/v1/deployments', {
      spec: { champion: { name: 'champion', rulesetVersion: 'default@1', modelVersions: [spare] } }, expected_version: current.body.version,
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.fields[0].reason, /is retired/);

    const { rows } = await stack.db.query("SELECT before, after FROM audit_log WHERE action = 'POST /v1/models/:version/retire' AND target = $1", [`model:${spare}`]);
    assert.equal(rows.length, 1, 'the retirement is audited, the refused one is not');
    assert.equal(rows[0].after.status, 'retired');
  });

  it('lets only those who may write models change the registry', async () => {
    const reader = await stack.post('/v1/admin/api-keys', { name: 'reader', scopes: ['read'] });
    const asReader = stack.as(reader.body.key as string);
    assert.equal((await asReader.get('/v1/models')).status, 200);
    assert.equal((await asReader.post('/v1/models', upload(gbdt, `${gbdt}-reader`))).status, 403);
    assert.equal((await asReader.post(`/v1/models/${anomaly}/retire`, {})).status, 403);
  });
});
