import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { deliveries, deployCaseRuleset, metric } from './case-fixtures.ts';

const SECRET = 'webhook-delivery-tests-secret';
const MAX_ATTEMPTS = 4;

describe('webhook delivery of DECLINE decisions: signed, retried with back-off, idempotent, dead-lettered', () => {
  let stack: TestStack;
  let hooks: WebhookReceiver;
  before(async () => {
    hooks = await startWebhookReceiver(SECRET);
    // What each integrator endpoint does, by customer: fail twice then accept, always fail, or refuse outright.
    hooks.respondWith((hook, previousTries) => {
      const customer = hook.body?.data['customer_id'];
      if (customer === 'c-flaky') return previousTries < 2 ? 500 : 200;
      if (customer === 'c-down') return 503;
      if (customer === 'c-gone') return 410;
      return 200;
    });
    stack = await startStack({
      WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: SECRET,
      NOTIFY_RETRY_INITIAL: '100ms', NOTIFY_RETRY_MAX_INTERVAL: '400ms', NOTIFY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    });
    await deployCaseRuleset(stack, { shadowDeclinesAll: true });
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); await hooks?.close(); });

  /** Decides a transaction and waits for its workflow to end: by then every notification it sends has been tried to the end. */
  async function decideAndFinish(overrides: Record<string, unknown>) {
    const tx = aTransaction(overrides);
    const res = await stack.post('/v1/decisions', tx);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await stack.temporal.workflow.getHandle(`tx-${tx['id']}`).result();
    return { txId: tx['id'] as string, decision: res.body };
  }

  it('sends a DECLINE as one signed JSON webhook with a timestamp and a stable idempotency key', async () => {
    const before = Date.now();
    const { txId, decision } = await decideAndFinish({ amount: '9500.00', customer_id: 'c-ok' });
    assert.equal(decision.decision, 'DECLINE');
    const [hook, ...more] = hooks.about(txId);
    assert.ok(hook, 'the webhook was received');
    assert.equal(more.length, 0, 'only the acting arm notifies: the shadow arm\'s DECLINE is not sent');
    assert.equal(hook.signatureValid, true, 'X-FraudGuard-Signature = sha256=<hex HMAC-SHA256 of the raw body>');
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.headers['idempotency-key'], `tx-${txId}:decision.declined`);
    const ts = Number(hook.headers['x-fraudguard-timestamp']);
    assert.ok(Number.isInteger(ts) && ts * 1000 >= before - 1_000, 'a Unix timestamp in seconds');
    assert.equal(hook.body?.type, 'decision.declined');
    assert.equal(hook.body?.id, `tx-${txId}:decision.declined`);
    assert.equal(hook.body?.data['transaction_id'], txId);
    // The decision's reasons, the winning one first (engine/policy.ts), then the other rules that fired.
    assert.equal(String(hook.body?.data['reasons']).split(', ')[0], 'TEST_DECLINE');
    const [row] = await deliveries(stack, txId);
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 1);
  });

  it('never notifies for an APPROVE, even when a shadow arm declines it', async () => {
    const { txId, decision } = await decideAndFinish({ amount: '10.00', customer_id: 'c-ok' });
    assert.equal(decision.decision, 'APPROVE');
    const { rows } = await stack.db.query('SELECT decision FROM decisions WHERE transaction_id = $1 AND shadow', [txId]);
    assert.deepEqual(rows.map((r) => r.decision), ['DECLINE'], 'the shadow arm did decline');
    assert.equal(hooks.about(txId).length, 0);
    assert.equal((await deliveries(stack, txId)).length, 0);
  });

  it('delivers exactly once to a receiver that fails twice then succeeds: same body and key on every try', async () => {
    const { txId } = await decideAndFinish({ amount: '9500.00', customer_id: 'c-flaky' });
    const tries = hooks.about(txId);
    assert.deepEqual(tries.map((t) => t.status), [500, 500, 200]);
    assert.equal(tries.filter((t) => t.status === 200).length, 1, 'one accepted delivery');
    assert.equal(new Set(tries.map((t) => t.rawBody)).size, 1, 'the same bytes each time');
    assert.equal(new Set(tries.map((t) => t.headers['idempotency-key'])).size, 1);
    assert.ok(tries.every((t) => t.signatureValid));
    const [row] = await deliveries(stack, txId);
    assert.equal(row.status, 'delivered');
    assert.equal(row.attempts, 3);
  });

  it('ends in the dead-letter record after the last try to a receiver that always fails; the decision stands', async () => {
    const failuresBefore = await metric(stack, 'fraudguard_notification_failures_total', { channel: 'webhook', dead: 'false' });
    const deadBefore = await metric(stack, 'fraudguard_notification_failures_total', { channel: 'webhook', dead: 'true' });
    const { txId, decision } = await decideAndFinish({ amount: '9500.00', customer_id: 'c-down' });
    assert.equal(hooks.about(txId).length, MAX_ATTEMPTS);
    const [row] = await deliveries(stack, txId);
    assert.equal(row.status, 'dead_letter');
    assert.equal(row.attempts, MAX_ATTEMPTS);
    assert.match(row.last_error, /answered 503/);
    assert.equal(row.payload.data.transaction_id, txId, 'the dead letter keeps what was to be sent');
    const { rows } = await stack.db.query('SELECT decision FROM decisions WHERE transaction_id = $1 AND NOT shadow', [txId]);
    assert.equal(rows[0].decision, decision.decision);
    assert.equal(await metric(stack, 'fraudguard_notification_failures_total', { channel: 'webhook', dead: 'false' }) - failuresBefore, MAX_ATTEMPTS, 'every failed try counted');
    assert.equal(await metric(stack, 'fraudguard_notification_failures_total', { channel: 'webhook', dead: 'true' }) - deadBefore, 1, 'one dead letter counted');
  });

  it('dead-letters at once when the receiver refuses the notification for good (4xx)', async () => {
    const { txId } = await decideAndFinish({ amount: '9500.00', customer_id: 'c-gone' });
    assert.equal(hooks.about(txId).length, 1, 'a 410 is not retried');
    const [row] = await deliveries(stack, txId);
    assert.equal(row.status, 'dead_letter');
    assert.equal(row.attempts, 1);
  });

  it('sends nothing more when the same transaction is submitted again', async () => {
    const tx = aTransaction({ amount: '9500.00', customer_id: 'c-ok' });
    await stack.post('/v1/decisions', tx);
    await stack.temporal.workflow.getHandle(`tx-${tx['id']}`).result();
    const again = await stack.post('/v1/decisions', tx);
    assert.equal(again.body.decision, 'DECLINE');
    await stack.temporal.workflow.getHandle(`tx-${tx['id']}`).result();
    assert.equal(hooks.about(tx['id'] as string).length, 1);
    const [row] = await deliveries(stack, tx['id'] as string);
    assert.equal(row.attempts, 1);
  });
});
