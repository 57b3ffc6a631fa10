import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, uniqueName, type TestStack } from '../support/stack.ts';

/** A small valid ruleset document; `rules` replaces its rules. */
function aRuleset(name: string, rules: unknown[] = [
  { name: 'Big amount', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 1000 }] }, event: { type: 'review' } },
]): Record<string, unknown> {
  return { name, rules };
}

const rulesetName = () => uniqueName('rs').toLowerCase().replaceAll('_', '-');

describe('the ruleset API', () => {
  let stack: TestStack;
  // Four-eyes is covered by publication-four-eyes.test.ts; here one key authors and publishes.
  before(async () => { stack = await startStack({ FOUR_EYES: 'false' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  async function aSavedVersion(name: string, document: unknown): Promise<number> {
    const created = await stack.post('/v1/rulesets', { name, document });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const saved = await stack.post(`/v1/rulesets/${name}/versions`, { revision: created.body.draft.revision, comment: 'first' });
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    return saved.body.version as number;
  }

  it('creates a ruleset, edits its draft revision by revision, and saves numbered versions', async () => {
    const name = rulesetName();
    const created = await stack.post('/v1/rulesets', { name, document: aRuleset(name) });
    assert.equal(created.status, 201);
    assert.equal(created.body.draft.revision, 1);
    assert.equal(created.body.draft.valid, true);
    assert.equal(created.body.created_by, 'key:key_env_admin');
    assert.equal((await stack.post('/v1/rulesets', { name })).status, 409, 'a name is taken once');

    const edited = await stack.request('PUT', `/v1/rulesets/${name}/draft`, { body: { document: aRuleset(name, []), revision: 1 } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.revision, 2);

    const v1 = await stack.post(`/v1/rulesets/${name}/versions`, { revision: 2, comment: 'empty' });
    assert.equal(v1.status, 201);
    assert.equal(v1.body.id, `${name}@1`);
    assert.equal(v1.body.valid, true);
    const v2 = await stack.post(`/v1/rulesets/${name}/versions`, { revision: 2 });
    assert.equal(v2.body.version, 2);

    const shown = await stack.get(`/v1/rulesets/${name}`);
    assert.deepEqual(shown.body.versions.map((v: { version: number }) => v.version), [2, 1]);
    assert.equal(shown.body.draft.revision, 2);
    const listed = await stack.get('/v1/rulesets');
    assert.ok(listed.body.rulesets.some((r: { name: string; versions: number }) => r.name === name && r.versions === 2));
    const read = await stack.get(`/v1/rulesets/${name}/versions/1`);
    assert.equal(read.body.comment, 'empty');
    assert.deepEqual(read.body.document.rules, []);
    assert.equal((await stack.get(`/v1/rulesets/${name}/versions/9`)).status, 404);
  });

  it('saves an invalid draft with its problems, and refuses to publish a version saved from it (422 with the problems)', async () => {
    const name = rulesetName();
    const bad = aRuleset(name, [{ name: 'Typo', conditions: { all: [{ fact: 'amout', operator: 'greaterThan', value: 1 }] }, event: { type: 'review' } }]);
    const created = await stack.post('/v1/rulesets', { name, document: bad });
    assert.equal(created.status, 201);
    assert.equal(created.body.draft.valid, false);
    assert.deepEqual(created.body.draft.problems, [{ path: '$.rules[0].conditions.all[0].fact', reason: 'unknown fact "amout"; did you mean "amount"?' }]);

    const saved = await stack.post(`/v1/rulesets/${name}/versions`, { revision: 1 });
    assert.equal(saved.status, 201);
    assert.equal(saved.body.valid, false);
    assert.equal(saved.body.problems.length, 1);

    const before = await stack.get('/v1/deployments/current');
    const refused = await stack.post(`/v1/rulesets/${name}/versions/1/publish`, {});
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'RULESET_INVALID');
    assert.deepEqual(refused.body.error.problems, saved.body.problems);
    assert.equal((await stack.get('/v1/deployments/current')).body.version, before.body.version, 'no deployment was made');

    const deploying = await stack.post('/v1/deployments', { expected_version: before.body.version, spec: { champion: { name: 'champion', rulesetVersion: `${name}@1` } } });
    assert.equal(deploying.status, 400, 'nor can a deployment name it');
    assert.match(deploying.body.error.fields[0].reason, /is invalid/);
  });

  it('never changes a saved version: the API answers 405 and the database refuses an UPDATE', async () => {
    const name = rulesetName();
    const version = await aSavedVersion(name, aRuleset(name));
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await stack.request(method, `/v1/rulesets/${name}/versions/${version}`, { body: { document: aRuleset(name, []) } });
      assert.equal(res.status, 405, method);
      assert.equal(res.body.error.code, 'VERSION_IMMUTABLE');
      assert.equal(res.headers.get('allow'), 'GET');
    }
    await assert.rejects(stack.db.query(`UPDATE ruleset_versions SET document = '{"name":"x","rules":[]}' WHERE ruleset = $1 AND version = $2`, [name, version]), /immutable/);
    await assert.rejects(stack.db.query('DELETE FROM ruleset_versions WHERE ruleset = $1', [name]), /cannot be deleted/);
    const published = await stack.post(`/v1/rulesets/${name}/versions/${version}/publish`, {});
    assert.equal(published.status, 200);
    await assert.rejects(stack.db.query('UPDATE ruleset_versions SET published_at = now() - interval \'1 day\' WHERE ruleset = $1', [name]), /immutable/,
      'the publication stamp is set once');
    const read = await stack.get(`/v1/rulesets/${name}/versions/${version}`);
    assert.equal(read.body.document.rules.length, 1);
  });

  it('lets one of two concurrent edits of the same revision win; the other gets 409 with the current revision', async () => {
    const name = rulesetName();
    await stack.post('/v1/rulesets', { name, document: aRuleset(name) });
    const edits = await Promise.all(['A', 'B', 'C'].map((who) =>
      stack.request('PUT', `/v1/rulesets/${name}/draft`, { body: { document: { ...aRuleset(name), description: who }, revision: 1 } })));
    const won = edits.filter((r) => r.status === 200);
    const lost = edits.filter((r) => r.status === 409);
    assert.equal(won.length, 1, JSON.stringify(edits.map((e) => e.status)));
    assert.equal(lost.length, 2);
    for (const l of lost) {
      assert.equal(l.body.error.code, 'REVISION_CONFLICT');
      assert.equal(l.body.error.current_revision, 2);
    }
    const draft = (await stack.get(`/v1/rulesets/${name}`)).body.draft;
    assert.equal(draft.document.description, won[0]?.body.document.description, 'the winner\'s edit is the draft');
    const stale = await stack.post(`/v1/rulesets/${name}/versions`, { revision: 1 });
    assert.equal(stale.status, 409, 'a version is saved only from the revision the author saw');
    assert.equal(stale.body.error.current_revision, 2);
  });

  it('answers 400 with field and reason for malformed requests, 404 for unknown rulesets', async () => {
    const bad = await stack.post('/v1/rulesets', { name: 'Not A Name!' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.fields[0].field, 'name');
    const noRevision = await stack.request('PUT', '/v1/rulesets/default/draft', { body: { document: {} } });
    assert.deepEqual(noRevision.body.error.fields, [{ field: 'revision', reason: 'is required' }]);
    assert.equal((await stack.request('PUT', '/v1/rulesets/nope/draft', { body: { document: {}, revision: 1 } })).status, 404);
    assert.equal((await stack.get('/v1/rulesets/nope')).status, 404);
  });

  it('reports every kind of invalid ruleset with its JSON path and reason, without saving anything', async () => {
    const leaf = (condition: unknown, event: unknown = { type: 'review' }) => aRuleset('x', [{ name: 'r', conditions: { all: [condition] }, event }]);
    const cases: [string, unknown, string, RegExp][] = [
      ['bad structure', leaf({ fact: 'amount', operator: 'equal' }), '$.rules[0].conditions.all[0].value', /is required/],
      ['bad structure: a leaf as a rule\'s conditions', aRuleset('x', [{ name: 'r', conditions: { fact: 'amount', operator: 'equal', value: 1 }, event: { type: 'review' } }]), '$.rules[0].conditions', /inside "all"/],
      ['unknown property', aRuleset('x', [{ name: 'r', conditons: {}, event: { type: 'review' } }]), '$.rules[0].conditons', /did you mean "conditions"/],
      ['unknown fact', leaf({ fact: 'customer.tx_count_2h', operator: 'greaterThan', value: 1 }), '$.rules[0].conditions.all[0].fact', /unknown fact "customer.tx_count_2h"; did you mean "customer.tx_count_1h"/],
      ['unknown operator', leaf({ fact: 'amount', operator: 'greaterThan:equal', value: 1 }), '$.rules[0].conditions.all[0].operator', /unknown operator/],
      ['unknown decorator', leaf({ fact: 'amount', operator: 'never:equal', value: 1 }), '$.rules[0].conditions.all[0].operator', /unknown operator decorator "never"/],
      ['wrong value type', leaf({ fact: 'amount', operator: 'greaterThanInclusive', value: '5' }), '$.rules[0].conditions.all[0].value', /must be a number, not the string "5"/],
      ['in without an array', leaf({ fact: 'country', operator: 'in', value: 'FR' }), '$.rules[0].conditions.all[0].value', /must be an array/],
      ['unknown list', leaf({ fact: 'device_id', operator: 'inList', value: 'blocked_phones' }), '$.rules[0].conditions.all[0].value', /no list named "blocked_phones"/],
      ['undefined shared condition', leaf({ condition: 'trusted' }), '$.rules[0].conditions.all[0].condition', /no shared condition named "trusted"/],
      ['duplicate rule name', aRuleset('x', [{ name: 'r', conditions: { all: [] }, event: { type: 'review' } }, { name: 'r', conditions: { all: [] }, event: { type: 'tag' } }]), '$.rules[1].name', /already used/],
      ['score event without delta', leaf({ fact: 'amount', operator: 'greaterThan', value: 1 }, { type: 'score', params: { reason: 'x' } }), '$.rules[0].event.params.delta', /needs params.delta/],
      ['fact-to-fact with an unknown fact', leaf({ fact: 'amount', operator: 'greaterThan', value: { fact: 'customer.amount_avg_30d' } }), '$.rules[0].conditions.all[0].value.fact', /unknown fact "customer.amount_avg_30d"/],
    ];
    const before = (await stack.get('/v1/rulesets')).body.rulesets.length;
    for (const [category, document, path, reason] of cases) {
      const res = await stack.post('/v1/rulesets/validate', { document });
      assert.equal(res.status, 200, category);
      assert.equal(res.body.valid, false, category);
      const problem = res.body.problems.find((p: { path: string }) => p.path === path);
      assert.ok(problem && reason.test(problem.reason), `${category}: expected ${path} ${reason}, got ${JSON.stringify(res.body.problems)}`);
    }
    const fine = await stack.post('/v1/rulesets/validate', { document: aRuleset('x') });
    assert.deepEqual(fine.body, { valid: true, problems: [] });
    assert.equal((await stack.get('/v1/rulesets')).body.rulesets.length, before, 'validation saves nothing');
  });

  it('accepts a list created through the API in rules', async () => {
    const list = uniqueName('proxies').toLowerCase();
    const document = aRuleset('x', [{ name: 'Proxy', conditions: { all: [{ fact: 'ip', operator: 'inList', value: list }] }, event: { type: 'review' } }]);
    assert.equal((await stack.post('/v1/rulesets/validate', { document })).body.valid, false);
    assert.equal((await stack.post('/v1/lists', { name: list, kind: 'ip' })).status, 201);
    assert.equal((await stack.post('/v1/rulesets/validate', { document })).body.valid, true);
  });

  it('shows what changed between versions and the draft, rule by rule', async () => {
    const name = rulesetName();
    const first = aRuleset(name, [
      { name: 'Keep', conditions: { all: [] }, event: { type: 'tag' } },
      { name: 'Change', conditions: { all: [] }, event: { type: 'review' } },
      { name: 'Drop', conditions: { all: [] }, event: { type: 'review' } },
    ]);
    await aSavedVersion(name, first);
    const next = aRuleset(name, [
      { name: 'Change', conditions: { all: [] }, event: { type: 'decline' } },
      { name: 'Keep', conditions: { all: [] }, event: { type: 'tag' } },
      { name: 'New', conditions: { all: [] }, event: { type: 'review' } },
    ]);
    await stack.request('PUT', `/v1/rulesets/${name}/draft`, { body: { document: { ...next, policy: { precedence: ['APPROVE', 'DECLINE', 'REVIEW'] } }, revision: 1 } });
    const diff = await stack.get(`/v1/rulesets/${name}/diff?from=1&to=draft`);
    assert.equal(diff.status, 200);
    assert.deepEqual(diff.body.changes, [
      { kind: 'rule', name: 'Change', change: 'changed' },
      { kind: 'rule', name: 'Drop', change: 'removed' },
      { kind: 'rule', name: 'New', change: 'added' },
      { kind: 'policy', name: 'policy', change: 'changed' },
    ]);
    assert.equal(diff.body.from.label, `${name}@1`);
    assert.equal(diff.body.to.label, 'draft');
    assert.equal((await stack.get(`/v1/rulesets/${name}/diff?from=7`)).status, 400);
    assert.deepEqual((await stack.get(`/v1/rulesets/${name}/diff?from=latest`)).body.error.fields,
      [{ field: 'from', reason: 'must be a version number (1, 2, …) or draft' }]);
  });
});
