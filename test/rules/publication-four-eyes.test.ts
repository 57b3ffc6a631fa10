import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, uniqueName, type StackClient, type TestStack } from '../support/stack.ts';

const PASSWORD = 'quiet-harbour-81-lantern';

/** A signed-in user with `role`, made through the admin API. */
async function signedIn(stack: TestStack, role: string): Promise<{ username: string; client: StackClient }> {
  const username = uniqueName(role).toLowerCase().replaceAll('_', '-');
  const created = await stack.post('/v1/admin/users', { username, password: PASSWORD, roles: [role] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const login = await stack.as(null).post('/v1/auth/login', { username, password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return { username, client: stack.as(login.body.token as string) };
}

describe('publishing and deploying under four-eyes', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('publishes a version only once someone other than its author approved it, and records who did what', async () => {
    const author = await signedIn(stack, 'rule_author');
    const approver = await signedIn(stack, 'rule_approver');
    const name = uniqueName('fe').toLowerCase().replaceAll('_', '-');
    const document = { name, rules: [{ name: 'Big', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 5000 }] }, event: { type: 'review' } }] };
    assert.equal((await author.client.post('/v1/rulesets', { name, document })).status, 201);
    const version = await author.client.post(`/v1/rulesets/${name}/versions`, { revision: 1, comment: 'large payments' });
    assert.equal(version.body.created_by, author.username);

    const refused = await author.client.post(`/v1/rulesets/${name}/versions/1/publish`, {});
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'APPROVAL_REQUIRED');
    assert.equal(refused.body.error.subject, `${name}@1`);
    const deploymentBefore = (await stack.get('/v1/deployments/current')).body.version;

    const request = await author.client.post('/v1/approvals', { action: 'ruleset.publish', subject: `${name}@1` });
    assert.equal((await approver.client.post(`/v1/approvals/${request.body.id}/approve`, {})).status, 200);
    const published = await author.client.post(`/v1/rulesets/${name}/versions/1/publish`, {});
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.version.published_by, author.username);
    assert.equal(published.body.deployment.version, deploymentBefore + 1);
    assert.equal(published.body.deployment.created_by, author.username);

    const { rows } = await stack.db.query<{ actor: string; action: string }>(
      'SELECT actor, action FROM audit_log WHERE target = $1 ORDER BY seq', [`ruleset:${name}@1`]);
    assert.deepEqual(rows.map((r) => [r.actor, r.action]), [
      [author.username, 'POST /v1/rulesets/:name/versions'],
      [author.username, 'ruleset.published'],
    ]);
  });

  it('changes a deployment only with an approval of exactly that spec, by someone else', async () => {
    const author = await signedIn(stack, 'rule_author');
    const approver = await signedIn(stack, 'rule_approver');
    const current = (await stack.get('/v1/deployments/current')).body;
    const spec = { ...current.spec, challengers: [{ name: 'watch', rulesetVersion: 'default@1', shadow: true }] };
    const change = { spec, expected_version: current.version, comment: 'watch default beside the champion' };

    const refused = await author.client.post('/v1/deployments', change);
    assert.equal(refused.status, 403);
    const subject = refused.body.error.subject as string;
    assert.match(subject, /^sha256:[0-9a-f]{64}$/);

    const request = await author.client.post('/v1/approvals', { action: 'deployment.change', subject });
    await approver.client.post(`/v1/approvals/${request.body.id}/approve`, {});
    const other = await author.client.post('/v1/deployments', { ...change, spec: { ...spec, salt: 'different' } });
    assert.equal(other.status, 403, 'the approval is for that spec only');
    const deployed = await author.client.post('/v1/deployments', change);
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    assert.equal(deployed.body.version, current.version + 1);
    assert.equal(deployed.body.created_by, author.username);
  });
});
