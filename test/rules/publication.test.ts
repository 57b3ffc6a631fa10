import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, uniqueName, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { decidedUnder, deploy } from '../support/deployments.ts';

/** A ruleset that declines every payment: easy to tell from the default one. */
const declineEverything = (name: string) => ({
  name, rules: [{ name: 'Everything', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] }, event: { type: 'decline', params: { code: 'STRICT', reason: 'Declines everything' } } }],
});

describe('publishing rulesets and changing deployments', () => {
  let stack: TestStack;
  let strict: string;
  before(async () => {
    stack = await startStack({ FOUR_EYES: 'false' });
    // strict@1: saved and valid, not yet published.
    strict = uniqueName('strict').toLowerCase().replaceAll('_', '-');
    assert.equal((await stack.post('/v1/rulesets', { name: strict, document: declineEverything(strict) })).status, 201);
    assert.equal((await stack.post(`/v1/rulesets/${strict}/versions`, { revision: 1 })).status, 201);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  const storedArms = (txId: unknown) => waitFor(async () => {
    const { rows } = await stack.db.query<{ arm: string; shadow: boolean; decision: string; ruleset_version: string }>(
      'SELECT arm, shadow, decision, ruleset_version FROM decisions WHERE transaction_id = $1 ORDER BY shadow, arm', [txId]);
    return rows.length ? rows : null;
  });

  it('decides the next transactions with a published version within seconds, challengers kept, and rolls back to the earlier one', async () => {
    const withShadow = await deploy(stack, {
      champion: { name: 'champion', rulesetVersion: 'default@1' },
      challengers: [{ name: 'watcher', rulesetVersion: 'default@1', shadow: true }],
    });
    const published = await stack.post(`/v1/rulesets/${strict}/versions/1/publish`, { comment: 'tighten' });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.deployment.version, withShadow + 1);
    assert.equal(published.body.deployment.spec.champion.rulesetVersion, `${strict}@1`);
    assert.deepEqual(published.body.deployment.spec.challengers.map((c: { name: string }) => c.name), ['watcher'], 'challengers are kept');
    assert.equal(published.body.deployment.comment, `Publish ${strict}@1: tighten`);
    assert.equal(published.body.version.published_by, 'key:key_env_admin');
    assert.ok(published.body.version.published_at);

    const strictDecision = await decidedUnder(stack, withShadow + 1);
    assert.equal(strictDecision.body.decision, 'DECLINE');
    assert.equal(strictDecision.body.ruleset_version, `${strict}@1`);
    assert.deepEqual(strictDecision.body.rules_fired, ['Everything']);

    const again = await stack.post(`/v1/rulesets/${strict}/versions/1/publish`, {});
    assert.equal(again.body.deployment_changed, false, 'publishing the champion again changes nothing');
    assert.equal(again.body.deployment.version, withShadow + 1);

    const never = await stack.post(`/v1/rulesets/${strict}/versions`, { revision: 1 });
    const refused = await stack.post(`/v1/rulesets/${strict}/rollback`, { version: never.body.version });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'NEVER_PUBLISHED');

    const rolledBack = await stack.post('/v1/rulesets/default/rollback', { version: 1, comment: 'too strict' });
    assert.equal(rolledBack.status, 200, JSON.stringify(rolledBack.body));
    assert.equal(rolledBack.body.deployment.spec.champion.rulesetVersion, 'default@1');
    assert.equal(rolledBack.body.deployment.comment, 'Roll back to default@1: too strict');
    const restored = await decidedUnder(stack, withShadow + 2);
    assert.equal(restored.body.decision, 'APPROVE');
    assert.equal(restored.body.ruleset_version, 'default@1');

    const history = await stack.get('/v1/deployments?limit=3');
    assert.deepEqual(history.body.deployments.map((d: { version: number }) => d.version), [withShadow + 2, withShadow + 1, withShadow]);
    assert.equal((await stack.get(`/v1/deployments/${withShadow + 1}`)).body.spec.champion.rulesetVersion, `${strict}@1`);
    assert.equal((await stack.get('/v1/deployments/999')).status, 404);
  });

  it('records which rules fired and why: the condition results json-rules-engine reports', async () => {
    const version = await deploy(stack, { champion: { name: 'champion', rulesetVersion: `${strict}@1` } });
    const { tx } = await decidedUnder(stack, version, { amount: '12.50' });
    const stored = await waitFor(async () => {
      const res = await stack.get(`/v1/decisions/${tx['id']}`);
      return res.body?.persisted ? res.body : null;
    });
    const [fired] = stored.fired_rules;
    assert.equal(fired.name, 'Everything');
    assert.deepEqual(fired.event, { type: 'decline', params: { code: 'STRICT', reason: 'Declines everything' } });
    const [leaf] = fired.conditions.all;
    assert.deepEqual({ fact: leaf.fact, operator: leaf.operator, value: leaf.value, factResult: leaf.factResult, result: leaf.result },
      { fact: 'amount', operator: 'greaterThan', value: 0, factResult: 12.5, result: true });
  });

  it('records shadow decisions in Postgres beside the acting one, never returns them, and reports every arm\'s figures', async () => {
    const version = await deploy(stack, {
      champion: { name: 'champion', rulesetVersion: 'default@1' },
      challengers: [{ name: 'shadow-strict', rulesetVersion: `${strict}@1`, shadow: true }],
    });
    const decided = [await decidedUnder(stack, version)];
    for (let i = 0; i < 3; i++) decided.push(await decidedUnder(stack, version));
    for (const { tx, body } of decided) {
      assert.equal(body.arm, 'champion');
      assert.equal(body.decision, 'APPROVE');
      assert.ok(!JSON.stringify(body).includes('shadow'), 'nothing of the shadow arm is returned');
      // The acting and shadow decisions are written in one transaction.
      assert.deepEqual(await storedArms(tx['id']), [
        { arm: 'champion', shadow: false, decision: 'APPROVE', ruleset_version: 'default@1' },
        { arm: 'shadow-strict', shadow: true, decision: 'DECLINE', ruleset_version: `${strict}@1` },
      ]);
      const fetched = await stack.get(`/v1/decisions/${tx['id']}`);
      assert.equal(fetched.body.arm, 'champion');
    }

    // One payment turns out fraudulent, another genuine.
    const [fraud, genuine] = decided;
    for (const [d, isFraud] of [[fraud, true], [genuine, false]] as const) {
      const labelled = await stack.post('/v1/labels', { transaction_id: d?.tx['id'], fraud: isFraud, source: 'analyst' });
      assert.ok([200, 201].includes(labelled.status), JSON.stringify(labelled.body));
    }
    const stats = await stack.get('/v1/deployments/current/stats');
    assert.equal(stats.status, 200);
    assert.equal(stats.body.deployment_version, version);
    const arm = (name: string) => stats.body.arms.find((a: { arm: string }) => a.arm === name);
    assert.deepEqual(arm('champion'), {
      arm: 'champion', shadow: false, decisions: decided.length, counts: { APPROVE: decided.length, REVIEW: 0, DECLINE: 0 },
      rates: { APPROVE: 1, REVIEW: 0, DECLINE: 0 }, labelled: 2, precision: null, recall: 0,
    });
    assert.deepEqual(arm('shadow-strict'), {
      arm: 'shadow-strict', shadow: true, decisions: decided.length, counts: { APPROVE: 0, REVIEW: 0, DECLINE: decided.length },
      rates: { APPROVE: 0, REVIEW: 0, DECLINE: 1 }, labelled: 2, precision: 0.5, recall: 1,
    });
    const future = await stack.get(`/v1/deployments/${version}/stats?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    assert.equal(future.body.arms[0].decisions, 0, 'the window bounds the figures');
    assert.equal((await stack.get('/v1/deployments/current/stats?from=yesterday')).status, 400);
    const upsideDown = await stack.get('/v1/deployments/current/stats?from=2026-12-08T00:00:00Z&to=2026-12-01T00:00:00Z');
    assert.equal(upsideDown.status, 400, 'a window ending before it starts is refused, not answered with no decisions');
    assert.deepEqual(upsideDown.body.error.fields, [{ field: 'from', reason: 'must be before to' }]);
  });

  it('refuses a deployment based on a stale version (409), with shares above 100 %, or naming versions that cannot run (400)', async () => {
    const current = (await stack.get('/v1/deployments/current')).body.version as number;
    const champion = { name: 'champion', rulesetVersion: 'default@1' };
    const stale = await stack.post('/v1/deployments', { spec: { champion }, expected_version: current - 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.current_version, current);

    const post = (spec: unknown) => stack.post('/v1/deployments', { spec, expected_version: current });
    const tooMuch = await post({ champion, challengers: [{ name: 'a', rulesetVersion: 'default@1', share: 60 }, { name: 'b', rulesetVersion: 'default@1', share: 50 }] });
    assert.equal(tooMuch.status, 400);
    assert.deepEqual(tooMuch.body.error.fields, [{ field: 'spec.challengers', reason: 'challenger shares add up to 110 %, more than 100 %' }]);
    const missing = await post({ champion: { name: 'champion', rulesetVersion: 'default@99' }, challengers: [{ name: 'c', rulesetVersion: 'nonsense', shadow: true }] });
    assert.deepEqual(missing.body.error.fields.map((f: { field: string }) => f.field), ['spec.champion.rulesetVersion', 'spec.challengers.0.rulesetVersion']);
    const noModel = await post({ champion: { ...champion, modelVersions: ['gbdt-0.0.0'] } });
    assert.deepEqual(noModel.body.error.fields, [{ field: 'spec.champion.modelVersions.0', reason: 'model version gbdt-0.0.0 is not registered' }]);
    assert.equal((await stack.get('/v1/deployments/current')).body.version, current, 'nothing was deployed');
  });

  it('blocks a device within seconds of adding it to a list, and lets it through once removed', async () => {
    const version = await deploy(stack, { champion: { name: 'champion', rulesetVersion: 'default@1' } });
    const device = uniqueName('dev');
    const before = await stack.get('/v1/lists/blocked_devices');
    const added = await stack.post('/v1/lists/blocked_devices/items', { values: [device, `${device}-2`], comment: 'case 42' });
    assert.equal(added.status, 200);
    assert.deepEqual({ added: added.body.added, already: added.body.already_present }, { added: 2, already: 0 });
    assert.equal(added.body.revision, before.body.revision + 1);
    const repeat = await stack.post('/v1/lists/blocked_devices/items', { values: [device] });
    assert.deepEqual([repeat.body.added, repeat.body.revision], [0, added.body.revision], 'nothing changed, no new revision');

    const blocked = await waitFor(async () => {
      const res = await stack.post('/v1/decisions', aTransaction({ device_id: device, customer_id: uniqueName('c') }));
      // Lists and the deployment refresh on their own clocks: wait for a decline made under this test's deployment.
      return res.body.decision === 'DECLINE' && res.body.deployment_version === version ? res.body : null;
    }, 20_000, 'a decline for the blocked device');
    assert.equal(blocked.deployment_version, version);
    assert.equal(blocked.reasons[0].code, 'BLOCKED_DEVICE');

    const removed = await stack.request('DELETE', `/v1/lists/blocked_devices/items/${encodeURIComponent(device)}`);
    assert.equal(removed.status, 200);
    assert.equal(removed.body.revision, added.body.revision + 1);
    assert.equal((await stack.request('DELETE', `/v1/lists/blocked_devices/items/${encodeURIComponent(device)}`)).status, 404);
    await waitFor(async () => (await stack.post('/v1/decisions', aTransaction({ device_id: device, customer_id: uniqueName('c') }))).body.decision === 'APPROVE', 20_000, 'an approval once removed');
  });

  it('manages lists: creation, paged items, values checked against the list\'s kind', async () => {
    const name = uniqueName('ips').toLowerCase();
    const created = await stack.post('/v1/lists', { name, kind: 'ip', description: 'Proxies' });
    assert.equal(created.status, 201);
    assert.equal((await stack.post('/v1/lists', { name, kind: 'ip' })).status, 409);
    const wrong = await stack.post(`/v1/lists/${name}/items`, { values: ['10.0.0.1', 'not-an-ip'] });
    assert.deepEqual(wrong.body.error.fields, [{ field: 'values.1', reason: 'is not an IP address' }]);
    await stack.post(`/v1/lists/${name}/items`, { values: ['10.0.0.5', '10.0.0.1', '10.0.0.3', '10.0.0.2', '10.0.0.4'] });
    const pages: string[][] = [];
    let after: string | null = null;
    do {
      const page = await stack.get(`/v1/lists/${name}?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      assert.equal(page.body.item_count, 5);
      pages.push(page.body.items.map((i: { value: string }) => i.value));
      assert.equal(page.body.items[0].added_by, 'key:key_env_admin');
      after = page.body.next_after;
    } while (after);
    assert.deepEqual(pages, [['10.0.0.1', '10.0.0.2'], ['10.0.0.3', '10.0.0.4'], ['10.0.0.5']]);
    const listed = await stack.get('/v1/lists');
    assert.ok(listed.body.lists.some((l: { name: string; kind: string; item_count: number }) => l.name === name && l.kind === 'ip' && l.item_count === 5));
    assert.equal((await stack.get('/v1/lists/nope')).status, 404);
  });

  it('blocks an e-mail address whatever its case, keeping one spelling of it on the list', async () => {
    const version = await deploy(stack, { champion: { name: 'champion', rulesetVersion: 'default@1' } });
    const local = uniqueName('Mule');
    const added = await stack.post('/v1/lists/blocked_emails/items', { values: [`${local}@Example.COM`, `${local.toLowerCase()}@example.com`] });
    assert.equal(added.body.added, 1, 'two spellings of one address');
    const again = await stack.post('/v1/lists/blocked_emails/items', { values: [`${local.toUpperCase()}@example.com`] });
    assert.deepEqual({ added: again.body.added, already: again.body.already_present }, { added: 0, already: 1 });
    const items = (await stack.get(`/v1/lists/blocked_emails?limit=1000`)).body.items.map((i: { value: string }) => i.value);
    assert.ok(items.includes(`${local.toLowerCase()}@example.com`), 'kept in lower case');

    const declined = await waitFor(async () => {
      const res = await stack.post('/v1/decisions', aTransaction({ email: `${local.toUpperCase()}@EXAMPLE.com`, customer_id: uniqueName('c') }));
      return res.body.decision === 'DECLINE' && res.body.deployment_version === version ? res.body : null;
    }, 20_000, 'a decline for the blocked address in another case');
    assert.equal(declined.reasons[0].code, 'BLOCKED_EMAIL');

    const removed = await stack.request('DELETE', `/v1/lists/blocked_emails/items/${encodeURIComponent(`${local}@EXAMPLE.com`)}`);
    assert.equal(removed.status, 200, 'removed by any spelling');
    assert.equal((await stack.get('/v1/lists/blocked_emails?limit=1000')).body.items.some((i: { value: string }) => i.value.startsWith(local.toLowerCase())), false);
  });
});
