import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../support/stack.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.ts';
import { waitFor } from '../support/wait.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { act, caseRow, deliveries, deployCaseRuleset, metric, openCase } from './case-fixtures.ts';

const SECRET = 'escalation-tests-secret';

describe('SLA breach: an unresolved case escalates to the next tier and notifies once', () => {
  let stack: TestStack;
  let hooks: WebhookReceiver;
  let smtp: SmtpReceiver;
  before(async () => {
    hooks = await startWebhookReceiver(SECRET);
    smtp = await startSmtpReceiver();
    stack = await startStack({
      CASE_SLA_L1: '2s', CASE_SLA_L2: '1h',
      WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: SECRET,
      SMTP_URL: smtp.url, EMAIL_TO: 'fraud-l2@bank.example', SLACK_WEBHOOK_URL: `${hooks.url}/slack/T000/B000/XXXX`,
      // Per event type: resolutions also go by e-mail, to other recipients, with their own subject.
      NOTIFICATIONS: JSON.stringify({ 'case.resolved': { channels: ['webhook', 'email'], email_to: ['leads@bank.example'], email_subject: 'Resolved {{case_id}}: {{outcome}} by {{by}}' } }),
    });
    await deployCaseRuleset(stack);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await hooks?.close(); await smtp?.close(); });

  it('moves the case to the L2 queue with the L2 SLA, by the system, and notifies webhook, e-mail and Slack exactly once', async () => {
    const { caseId, txId } = await openCase(stack);
    const row = await waitFor(async () => { const r = await caseRow(stack, caseId); return r?.tier === 'L2' ? r : null; }, 30_000, 'escalation to L2');
    assert.equal(row.status, 'escalated');
    assert.equal(row.escalations, 1);
    const detail = (await stack.get(`/v1/cases/${caseId}`)).body;
    const breach = detail.timeline.find((e: { type: string }) => e.type === 'SLA_BREACHED');
    assert.equal(breach.actor, 'system');
    assert.ok(Date.parse(breach.at) >= Date.parse(detail.case.opened_at) + 2_000, 'not before the L1 SLA');
    assert.equal(Date.parse(detail.case.sla_due_at) - Date.parse(breach.at), 3_600_000, 'the L2 SLA runs from the escalation');
    // The counter moves once the mirror's write returns, a moment after the row is visible.
    await waitFor(async () => (await metric(stack, 'fraudguard_case_sla_breaches_total', { tier: 'L1' })) > 0 || null, 10_000, 'the L1 breach counted');
    assert.equal(await metric(stack, 'fraudguard_case_sla_breaches_total', { tier: 'L1' }), 1, 'one L1 breach counted');
    assert.equal(await metric(stack, 'fraudguard_case_queue_size', { queue: 'L2', state: 'escalated' }), 1, 'the L2 queue holds it');
    assert.equal(await metric(stack, 'fraudguard_case_queue_size', { queue: 'L1', state: 'open' }), 0);

    // Resolving the case ends its workflow; once it has ended, every notification it will ever send has been sent.
    await act(stack, caseId, 'claim', 'lena');
    assert.equal((await act(stack, caseId, 'approve', 'lena')).status, 200);
    await stack.temporal.workflow.getHandle(`tx-${txId}`).result();

    const webhooks = hooks.about(txId, 'case.escalated', '/hooks');
    assert.equal(webhooks.length, 1, 'one escalation webhook');
    assert.equal(webhooks[0]?.signatureValid, true);
    assert.equal(webhooks[0]?.body?.data['tier'], 'L2');
    assert.equal(webhooks[0]?.body?.data['from_tier'], 'L1');
    assert.equal(webhooks[0]?.body?.data['automatic'], true);
    const slack = hooks.received.filter((r) => r.path.startsWith('/slack/') && r.rawBody.includes(caseId));
    assert.equal(slack.length, 1, 'one Slack message (escalations only go to Slack by default)');
    assert.match(JSON.parse(slack[0]?.rawBody ?? '{}').text, /escalated L1 → L2 \(SLA breached\)/);
    const mails = smtp.mails.filter((m) => m.data.includes(caseId) && /Subject: Case \S+ escalated/.test(m.data));
    assert.equal(mails.length, 1, 'one e-mail');
    assert.deepEqual(mails[0]?.to, ['fraud-l2@bank.example']);
    assert.match(mails[0]?.data ?? '', /Subject: Case case-\S+ escalated to L2/);
    const resolvedMails = smtp.mails.filter((m) => m.data.includes(`Subject: Resolved ${caseId}`));
    assert.equal(resolvedMails.length, 1, 'the resolution by e-mail, as configured for its event type');
    assert.deepEqual(resolvedMails[0]?.to, ['leads@bank.example']);
    assert.match(resolvedMails[0]?.data ?? '', /Subject: Resolved \S+: approved by lena/);
    const rows = await deliveries(stack, txId, 'case.escalated');
    assert.deepEqual(rows.map((r) => `${r.channel}:${r.status}:${r.attempts}`).sort(), ['email:delivered:1', 'slack:delivered:1', 'webhook:delivered:1']);
    assert.ok(!rows.some((r) => r.recipient.includes('XXXX')), 'the Slack webhook\'s secret path is not stored');
  });
});

describe('SLA breach at every tier: L1 → L2 → lead, then overdue once', () => {
  let stack: TestStack;
  let hooks: WebhookReceiver;
  before(async () => {
    hooks = await startWebhookReceiver(SECRET);
    stack = await startStack({ CASE_SLA_L1: '1s', CASE_SLA_L2: '1s', CASE_SLA_LEAD: '1s', WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: SECRET });
    await deployCaseRuleset(stack);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await hooks?.close(); });

  it('escalates twice and reports the lead tier overdue once, each with its own notification', async () => {
    const { caseId, txId } = await openCase(stack);
    const row = await waitFor(async () => { const r = await caseRow(stack, caseId); return r?.overdue ? r : null; }, 30_000, 'overdue at lead');
    assert.equal(row.tier, 'lead');
    assert.equal(row.escalations, 2);
    assert.equal(row.sla_due_at, null, 'no SLA left to breach');
    const { rows } = await stack.db.query('SELECT type, to_state, payload FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
    assert.deepEqual(rows.map((r) => r.type), ['OPENED', 'SLA_BREACHED', 'SLA_BREACHED', 'SLA_BREACHED']);
    for (const tier of ['L1', 'L2', 'lead']) {
      await waitFor(async () => (await metric(stack, 'fraudguard_case_sla_breaches_total', { tier })) > 0 || null, 10_000, `the ${tier} breach counted`);
      assert.equal(await metric(stack, 'fraudguard_case_sla_breaches_total', { tier }), 1, `${tier} breach counted once`);
    }
    // The lead tier still works the case after it is overdue.
    assert.equal((await act(stack, caseId, 'claim', 'lead-lee')).status, 200);
    assert.equal((await act(stack, caseId, 'decline', 'lead-lee', { reason_code: 'FRAUD_RING' })).status, 200);
    await stack.temporal.workflow.getHandle(`tx-${txId}`).result();
    const counts: Record<string, { body: { data: Record<string, unknown> } | null }[]> = {};
    for (const h of hooks.about(txId)) (counts[h.body?.type ?? '?'] ??= []).push(h);
    assert.equal(counts['case.opened']?.length, 1);
    assert.equal(counts['case.escalated']?.length, 2);
    assert.equal(counts['case.overdue']?.length, 1);
    assert.equal(counts['case.resolved']?.length, 1);
    assert.deepEqual(counts['case.escalated']?.map((h) => h.body?.data['tier']).sort(), ['L2', 'lead']);
  });
});

describe('idle claims', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startStack({ CASE_IDLE_RELEASE: '1s' });
    await deployCaseRuleset(stack);
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('releases a claim left idle back to its queue, by the system', async () => {
    const { caseId } = await openCase(stack);
    const claimed = await act(stack, caseId, 'claim', 'ann');
    assert.equal(claimed.body.status, 'claimed');
    const row = await waitFor(async () => { const r = await caseRow(stack, caseId); return r?.status === 'open' ? r : null; }, 30_000, 'idle release');
    assert.equal(row.claimed_by, null);
    assert.equal(row.tier, 'L1');
    const { rows } = await stack.db.query('SELECT type, actor FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
    assert.deepEqual(rows.map((r) => `${r.type}:${r.actor}`), ['OPENED:system', 'CLAIM:ann', 'IDLE_TIMEOUT:system']);
    // Back in the queue: anyone may claim it again.
    assert.equal((await act(stack, caseId, 'claim', 'bob')).body.claimed_by, 'bob');
  });
});
