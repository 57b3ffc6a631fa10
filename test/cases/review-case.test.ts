import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../support/stack.ts';
import { temporalCli } from '../support/temporal-cli.ts';
import { waitFor } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { act, caseRow, deployCaseRuleset, openCase } from './case-fixtures.ts';

const SECRET = 'case-tests-shared-secret';

describe('review cases: a REVIEW decision opens a case that analysts work through the API', () => {
  let stack: TestStack;
  let hooks: WebhookReceiver;
  before(async () => {
    hooks = await startWebhookReceiver(SECRET);
    stack = await startStack({ WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: SECRET });
    await deployCaseRuleset(stack);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await hooks?.close(); });

  it('opens a case in the L1 queue whose screen shows the transaction, features, scores, fired rules, history and timeline', async () => {
    const earlier = await stack.post('/v1/decisions', { id: `hist-${Date.now()}`, occurred_at: '2026-11-22T08:00:00Z', amount: '12.00', currency: 'EUR', customer_id: 'c-screen', merchant_id: 'm-1' });
    assert.equal(earlier.body.decision, 'APPROVE');
    const { caseId, txId, detail } = await openCase(stack, { customer_id: 'c-screen' });

    assert.equal(detail.case.id, caseId);
    assert.equal(detail.case.status, 'open');
    assert.equal(detail.case.queue, 'L1');
    assert.equal(detail.case.claimed_by, null);
    const slaHours = (Date.parse(detail.case.sla_due_at) - Date.parse(detail.case.opened_at)) / 3_600_000;
    assert.equal(slaHours, 4, 'the default L1 SLA');
    assert.equal(detail.transaction.id, txId);
    assert.equal(detail.decision.decision, 'REVIEW');
    assert.equal(detail.decision.score, 0.2);
    assert.deepEqual(detail.decision.fired_rules.map((r: { name: string }) => r.name).sort(), ['Base risk', 'Large amount']);
    assert.equal(typeof detail.decision.features, 'object');
    const shown = (await stack.get(`/v1/decisions/${txId}`)).body;
    for (const field of ['transaction_id', 'model_score', 'model_scores', 'models', 'top_features', 'arm', 'ruleset_version', 'decided_at']) {
      assert.deepEqual(detail.decision[field], shown[field], `${field}: one shape of a decision wherever the API shows one`);
    }
    assert.deepEqual(detail.customer_history.map((h: { transaction_id: string }) => h.transaction_id), [earlier.body.transaction_id]);
    assert.deepEqual(detail.timeline.map((e: { type: string }) => e.type), ['OPENED']);
    assert.equal(detail.timeline[0].reasons[0], 'TEST_REVIEW', 'the opening records why');

    const queue = await stack.get('/v1/cases?queue=L1');
    assert.ok(queue.body.cases.some((c: { id: string }) => c.id === caseId));
    const opened = await waitFor(async () => hooks.about(txId, 'case.opened')[0], 15_000, 'case.opened webhook');
    assert.equal(opened.signatureValid, true, 'the receiver verifies the HMAC signature of the raw body');
    assert.equal(opened.body?.data['case_id'], caseId);
  });

  it('claim → approve resolves the case, records who and when, labels the transaction legitimate and notifies once', async () => {
    const { caseId, txId } = await openCase(stack);
    const claimed = await act(stack, caseId, 'claim', 'ann');
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
    assert.equal(claimed.body.status, 'claimed');
    assert.equal(claimed.body.claimed_by, 'ann');

    const approved = await act(stack, caseId, 'approve', 'ann');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'resolved_approved');
    assert.equal(approved.body.resolved_by, 'ann');
    assert.ok(approved.body.resolved_at);

    const label = await waitFor(async () => (await stack.db.query('SELECT * FROM labels WHERE transaction_id = $1', [txId])).rows[0], 15_000, 'label');
    assert.equal(label.fraud, false);
    assert.equal(label.source, 'analyst');
    assert.equal(label.created_by, 'ann');
    assert.equal(label.known_at.toISOString(), approved.body.resolved_at, 'the label is known from the resolution on');

    const detail = await stack.get(`/v1/cases/${caseId}`);
    assert.deepEqual(detail.body.timeline.map((e: { type: string; actor: string }) => `${e.type}:${e.actor}`), ['OPENED:system', 'CLAIM:ann', 'APPROVE:ann']);
    const resolved = await waitFor(async () => hooks.about(txId, 'case.resolved')[0], 15_000, 'case.resolved webhook');
    assert.equal(resolved.signatureValid, true);
    assert.equal(resolved.body?.data['outcome'], 'approved');
    // The workflow ends once everything is done; nothing is sent twice.
    await stack.temporal.workflow.getHandle(`tx-${txId}`).result();
    assert.equal(hooks.about(txId, 'case.resolved').length, 1);
    const { rows: events } = await stack.db.query("SELECT type FROM decision_events WHERE transaction_id = $1 ORDER BY id", [txId]);
    assert.deepEqual(events.map((e) => e.type), ['decided', 'case.opened', 'case.claim', 'case.approve']);
  });

  it('declines with a reason code, and the label says fraud', async () => {
    const { caseId, txId } = await openCase(stack);
    await act(stack, caseId, 'claim', 'bob');
    const missing = await act(stack, caseId, 'decline', 'bob', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.fields[0].field, 'reason_code');
    const declined = await act(stack, caseId, 'decline', 'bob', { reason_code: 'ACCOUNT_TAKEOVER' });
    assert.equal(declined.status, 200, JSON.stringify(declined.body));
    assert.equal(declined.body.status, 'resolved_declined');
    assert.equal(declined.body.reason_code, 'ACCOUNT_TAKEOVER');
    const label = await waitFor(async () => (await stack.db.query('SELECT * FROM labels WHERE transaction_id = $1', [txId])).rows[0], 15_000, 'label');
    assert.equal(label.fraud, true);
    assert.equal(label.reason, 'ACCOUNT_TAKEOVER');
  });

  it('refuses invalid transitions with 409 and the reason, and records none of them', async () => {
    const { caseId } = await openCase(stack);
    const unclaimed = await act(stack, caseId, 'approve', 'ann');
    assert.equal(unclaimed.status, 409);
    assert.match(unclaimed.body.error.message, /not claimed: claim it before resolving it/);
    assert.equal((await act(stack, caseId, 'release', 'ann')).status, 409);

    assert.equal((await act(stack, caseId, 'claim', 'ann')).status, 200);
    const stolen = await act(stack, caseId, 'claim', 'bob');
    assert.equal(stolen.status, 409);
    assert.match(stolen.body.error.message, /already claimed by ann/);
    const notClaimant = await act(stack, caseId, 'approve', 'bob');
    assert.equal(notClaimant.status, 409);
    assert.match(notClaimant.body.error.message, /only the claimant may resolve it/);
    const anonymous = await act(stack, caseId, 'approve', null);
    assert.equal(anonymous.status, 401, 'an action needs a signed-in analyst');

    assert.equal((await act(stack, caseId, 'approve', 'ann')).status, 200);
    const twice = await act(stack, caseId, 'approve', 'ann');
    assert.equal(twice.status, 409);
    assert.match(twice.body.error.message, /already resolved/);
    const declineAfter = await act(stack, caseId, 'decline', 'ann', { reason_code: 'X' });
    assert.equal(declineAfter.status, 409);

    const row = await caseRow(stack, caseId);
    assert.equal(row.status, 'resolved_approved');
    const { rows } = await stack.db.query('SELECT type FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
    assert.deepEqual(rows.map((r) => r.type), ['OPENED', 'CLAIM', 'APPROVE']);
    assert.equal((await act(stack, 'case-nope', 'claim', 'ann')).status, 404);
  });

  it('says when its workflow was ended from Temporal\'s CLI with the case open, and carries on after `temporal workflow reset`', async () => {
    const { caseId, txId } = await openCase(stack);
    assert.equal((await act(stack, caseId, 'claim', 'ann')).status, 200);
    const workflowId = `tx-${txId}`;
    const terminated = await temporalCli(['workflow', 'terminate', '--workflow-id', workflowId, '--reason', 'operator mistake']);
    assert.equal(terminated.status, 0, terminated.stderr);

    const refused = await act(stack, caseId, 'approve', 'ann');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'CASE_WORKFLOW_ENDED');
    assert.equal(refused.body.error.workflow_status, 'terminated');
    assert.match(refused.body.error.message, new RegExp(`The case is claimed, but its workflow ${workflowId} was terminated outside FraudGuard`));
    assert.equal(refused.body.error.reset, `temporal workflow reset --workflow-id ${workflowId} --type LastWorkflowTask --reason "carry on with case ${caseId}"`);
    assert.equal((await caseRow(stack, caseId)).status, 'claimed', 'the case is as it was');

    // The command the refusal gives, as an operator would run it.
    const reset = await temporalCli(['workflow', 'reset', '--workflow-id', workflowId, '--type', 'LastWorkflowTask', '--reason', `carry on with case ${caseId}`]);
    assert.equal(reset.status, 0, reset.stderr);
    const approved = await act(stack, caseId, 'approve', 'ann');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'resolved_approved');
    const { rows } = await stack.db.query('SELECT type FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
    assert.deepEqual(rows.map((r) => r.type), ['OPENED', 'CLAIM', 'APPROVE'], 'the claim kept, nothing recorded twice');
  });

  it('answers an update sent with Temporal\'s CLI by the field at fault, and takes a well-formed one', async () => {
    const { caseId, txId } = await openCase(stack);
    const workflowId = `tx-${txId}`;
    const update = (name: string, ...input: string[]) =>
      temporalCli(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', name, ...input.flatMap((i) => ['--input', i])]);

    const cases: [string, string[], RegExp][] = [
      ['claimCase', [], /claimCase takes one argument, an object \{"actor": …\}/],
      ['claimCase', ['"ann"'], /claimCase takes one argument, an object/],
      ['claimCase', ['{"actor": 42}'], /actor: must name the analyst acting/],
      ['claimCase', ['{"actor": "ann", "note": "x"}'], /"note": not a field of claimCase/],
      ['declineCase', ['{"actor": "ann"}'], /reasonCode: must be a code/],
      ['escalateCase', ['{"actor": "ann", "reason": "  "}'], /reason: must say why/],
    ];
    for (const [name, input, reason] of cases) {
      const refused = await update(name, ...input);
      assert.notEqual(refused.status, 0, `${name} ${input.join(' ')} was taken`);
      assert.match(refused.stderr, reason);
      assert.doesNotMatch(refused.stderr, /TypeError|Cannot read properties/);
    }
    assert.equal((await caseRow(stack, caseId)).status, 'open', 'nothing refused moved the case');

    const claimed = await update('claimCase', '{"actor": "ops.cli"}');
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.equal((await waitFor(async () => { const r = await caseRow(stack, caseId); return r.status === 'claimed' ? r : null; })).claimed_by, 'ops.cli');
    const history = await temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json']);
    assert.equal((history.stdout.match(/WORKFLOW_EXECUTION_UPDATE_ACCEPTED|WorkflowExecutionUpdateAccepted/g) ?? []).length, 1, 'only the well-formed update is in the history');
  });

  it('lets an analyst release a claim and escalate by hand with a reason, into the L2 queue', async () => {
    const { caseId } = await openCase(stack);
    await act(stack, caseId, 'claim', 'ann');
    const released = await act(stack, caseId, 'release', 'ann');
    assert.equal(released.body.status, 'open');
    assert.equal(released.body.claimed_by, null);
    assert.equal((await act(stack, caseId, 'escalate', 'ann', {})).status, 400, 'an escalation needs a reason');
    const escalated = await act(stack, caseId, 'escalate', 'ann', { reason: 'possible mule account' });
    assert.equal(escalated.status, 200, JSON.stringify(escalated.body));
    assert.equal(escalated.body.status, 'escalated');
    assert.equal(escalated.body.queue, 'L2');
    const slaHours = (Date.parse(escalated.body.sla_due_at) - Date.now()) / 3_600_000;
    assert.ok(slaHours > 7.9 && slaHours <= 8, 'the L2 SLA starts with the escalation');
    const l2 = await stack.get('/v1/cases?queue=L2');
    assert.deepEqual(l2.body.cases.map((c: { id: string }) => c.id), [caseId]);
    const l1 = await stack.get('/v1/cases?queue=L1');
    assert.ok(!l1.body.cases.some((c: { id: string }) => c.id === caseId));
  });

  it('lists the queue by priority (SLA due first, then score) and filters by status, amount, score and age', async () => {
    const small = await openCase(stack, { amount: '1200.00', customer_id: 'c-q1' });
    const large = await openCase(stack, { amount: '3500.00', customer_id: 'c-q2' });
    const open = await stack.get('/v1/cases?queue=L1&status=open');
    const ids = open.body.cases.map((c: { id: string }) => c.id);
    assert.ok(ids.indexOf(small.caseId) < ids.indexOf(large.caseId), 'the case due first comes first');
    const dues = open.body.cases.map((c: { sla_due_at: string }) => Date.parse(c.sla_due_at));
    assert.deepEqual(dues, [...dues].sort((a, b) => a - b));

    const risky = await stack.get('/v1/cases?score_min=0.4');
    assert.deepEqual(risky.body.cases.map((c: { id: string }) => c.id), [large.caseId]);
    const byAmount = await stack.get('/v1/cases?amount_min=1100&amount_max=1300');
    assert.deepEqual(byAmount.body.cases.map((c: { id: string }) => c.id), [small.caseId]);
    assert.equal(byAmount.body.cases[0].amount, '1200.00', 'the amount as sent, not as the NUMERIC column prints it');
    assert.equal((await stack.get(`/v1/cases/${small.caseId}`)).body.case.amount, '1200.00');
    assert.deepEqual((await stack.get('/v1/cases?min_age=1h')).body.cases, [], 'no case is an hour old yet');
    const resolved = await stack.get('/v1/cases?status=resolved');
    assert.ok(resolved.body.cases.every((c: { status: string }) => c.status.startsWith('resolved_')));
    assert.ok(resolved.body.cases.length >= 2);
    const bad = await stack.get('/v1/cases?status=lost&score_min=2&limit=ten');
    assert.equal(bad.status, 400);
    const reasons = Object.fromEntries(bad.body.error.fields.map((f: { field: string; reason: string }) => [f.field, f.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ['limit', 'score_min', 'status.0']);
    assert.equal(reasons['status.0'], 'must be one of: "open", "claimed", "escalated", "resolved_approved", "resolved_declined", "active", "resolved", "all"');
    assert.equal(reasons['limit'], 'must be a number');
    assert.equal(reasons['score_min'], 'must be at most 1');

    // A range given upside down is a mistake to say, not an empty queue to show.
    const inverted = await stack.get('/v1/cases?amount_min=1300&amount_max=1100&score_min=0.9&score_max=0.1&min_age=soon');
    assert.equal(inverted.status, 400);
    assert.deepEqual(inverted.body.error.fields, [
      { field: 'min_age', reason: 'must be a number of seconds or a duration such as 15m, 2h or 1d' },
    ], 'the ranges are checked once every field parses');
    const upsideDown = await stack.get('/v1/cases?amount_min=1300&amount_max=1100&score_min=0.9&score_max=0.1');
    assert.deepEqual(upsideDown.body.error.fields, [
      { field: 'amount_min', reason: 'must not be above amount_max' },
      { field: 'score_min', reason: 'must not be above score_max' },
    ]);
  });
});
