import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type TestStack } from '../support/stack.ts';
import { spawnWorker, type ChildService } from '../support/processes.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { assertEveryReviewHasItsCase, assertRecordedExactlyOnce, failures, steadyLoad, type Sent } from './steady-load.ts';

const SECRET = 'reliability-webhook-secret-0123456789';

describe('a worker SIGKILLed under load, then restarted', () => {
  let api: TestStack;
  let hooks: WebhookReceiver;
  let worker: ChildService | undefined;
  let sent: Sent[];
  const workerEnv = () => ({ WEBHOOK_URL: `${hooks.url}/hooks`, WEBHOOK_SECRET: SECRET, NOTIFY_RETRY_INITIAL: '100ms', NOTIFY_RETRY_MAX_INTERVAL: '1s' });

  before(async () => {
    hooks = await startWebhookReceiver(SECRET);
    api = await startStack({ FRAUDGUARD_ROLE: 'api' });
    worker = await spawnWorker(api, workerEnv());
    const load = steadyLoad(api, { count: 60, perSecond: 4, prefix: 'kill' });
    // Kill the worker a few seconds into the load, leave it dead while requests keep arriving, restart it.
    await new Promise((r) => setTimeout(r, 4_000));
    await worker.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000));
    worker = await spawnWorker(api, workerEnv());
    sent = await load.done;
  });
  after(async () => { await worker?.kill('SIGKILL'); await api?.stop(); await api?.dropSchema(); await hooks?.close(); });

  it('answers every request, those sent while no worker ran included', () => {
    assert.deepEqual(failures(sent), []);
  });

  it('loses no workflow and duplicates no decision', async () => {
    await assertRecordedExactlyOnce(api.db, sent);
    for (const s of sent) {
      const runs = [];
      for await (const wf of api.temporal.workflow.list({ query: `WorkflowId = 'tx-${s.id}'` })) runs.push(wf);
      assert.equal(runs.length, 1, `one workflow execution for ${s.id}`);
    }
  });

  it('opens one case per REVIEW', async () => {
    await assertEveryReviewHasItsCase(api.db, sent);
  });

  it('sends no notification twice', (t) => {
    const accepted = hooks.received.filter((h) => h.status < 300).map((h) => `${h.path} ${String(h.headers['idempotency-key'])}`);
    const repeated = accepted.filter((k, i) => accepted.indexOf(k) !== i);
    t.diagnostic(`${accepted.length} notifications accepted`);
    assert.deepEqual(repeated, []);
  });
});
