import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnWorker, type ChildService } from '../support/processes.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { act, caseRow, deliveries, deployCaseRuleset, openCase } from './case-fixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = 'restart-tests-secret';

describe('a worker killed in the middle of review cases', () => {
  let api: TestStack;
  let hooks: WebhookReceiver;
  let worker: ChildService | undefined;
  const workerEnv = () => ({ CASE_SLA_L1: '8s', CASE_SLA_L2: '1h', WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: SECRET });

  before(async () => {
    hooks = await startWebhookReceiver(SECRET);
    api = await startStack({ FRAUDGUARD_ROLE: 'api' });
    await deployCaseRuleset(api, { awaitWorker: false });
    worker = await spawnWorker(api, workerEnv());
  });
  after(async () => { await worker?.kill('SIGKILL'); await api?.stop(); await api?.dropSchema(); await hooks?.close(); });

  it('continues each case where it was: claims, tiers and SLA timers survive, nothing is sent twice', async () => {
    // Case A: escalated by hand and claimed at L2 (its L2 SLA is an hour away).
    const a = await openCase(api, { customer_id: 'restart-a' });
    assert.equal((await act(api, a.caseId, 'escalate', 'ann', { reason: 'needs L2' })).status, 200);
    assert.equal((await act(api, a.caseId, 'claim', 'lena')).body.claimed_by, 'lena');
    // Case B: untouched, its 8 s L1 SLA running.
    const b = await openCase(api, { customer_id: 'restart-b' });
    await waitFor(async () => hooks.about(a.txId, 'case.escalated').length && hooks.about(b.txId, 'case.opened').length, 15_000, 'notifications sent');

    await worker?.kill('SIGKILL');
    // Let B's SLA pass while no worker runs: its timer lives in Temporal, not in the dead process.
    const due = Date.parse((await caseRow(api, b.caseId)).sla_due_at.toISOString());
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 500));
    assert.equal((await caseRow(api, b.caseId)).tier, 'L1', 'nothing escalates without a worker');

    worker = await spawnWorker(api, workerEnv());
    const bRow = await waitFor(async () => { const r = await caseRow(api, b.caseId); return r.tier === 'L2' ? r : null; }, 60_000, 'B escalated after the restart');
    assert.equal(bRow.status, 'escalated');

    // A was rebuilt by replay: still L2, still lena's.
    const stolen = await act(api, a.caseId, 'claim', 'bob');
    assert.equal(stolen.status, 409, JSON.stringify(stolen.body));
    assert.match(stolen.body.error.message, /already claimed by lena/);
    const approved = await act(api, a.caseId, 'approve', 'lena');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'resolved_approved');
    assert.equal(approved.body.queue, 'L2');
    await api.temporal.workflow.getHandle(`tx-${a.txId}`).result();

    const { rows: timeline } = await api.db.query('SELECT type, actor FROM case_events WHERE case_id = $1 ORDER BY seq', [a.caseId]);
    assert.deepEqual(timeline.map((e) => `${e.type}:${e.actor}`), ['OPENED:system', 'ESCALATE:ann', 'CLAIM:lena', 'APPROVE:lena']);
    const { rows: labels } = await api.db.query('SELECT fraud, created_by FROM labels WHERE transaction_id = $1', [a.txId]);
    assert.deepEqual(labels, [{ fraud: false, created_by: 'lena' }]);
    for (const type of ['case.opened', 'case.escalated', 'case.resolved']) {
      assert.equal(hooks.about(a.txId, type).filter((h) => h.status === 200).length, 1, `${type} sent once`);
    }
    const rows = await deliveries(api, a.txId);
    assert.deepEqual(rows.map((r) => `${r.event_type}:${r.channel}:${r.status}:${r.attempts}`).sort(),
      ['case.escalated:webhook:delivered:1', 'case.opened:webhook:delivered:1', 'case.resolved:webhook:delivered:1']);
  });
});
