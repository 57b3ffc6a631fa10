import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createFeatureStores } from '../../runtime/feature-stores.ts';
import { createLogger } from '../../observability/logger.ts';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { aUser, anApiKey, signIn } from '../support/principals.ts';
import { waitFor } from '../support/wait.ts';

/** The value of one series in Prometheus' text format (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics and logs', () => {
  let stack: TestStack;
  before(async () => {
    // The in-process store, failing for one customer: a degraded decision on demand.
    const real = createFeatureStores({ redis: null, prefix: '' });
    stack = await startStack({ LOG_LEVEL: 'trace' }, {
      captureLogs: true,
      featureStore: { featureNames: real.featureNames, store: {
        observe: async (tx) => { if (tx.customer_id === 'c-down') throw new Error('store unreachable'); return real.store.observe(tx); },
        label: (l) => real.store.label(l),
      } },
    });
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('serves Prometheus metrics to holders of "read" only', async () => {
    assert.equal((await stack.as(null).get('/metrics')).status, 401);
    const res = await stack.get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    for (const name of ['fraudguard_decisions_total', 'fraudguard_decision_latency_seconds', 'fraudguard_feature_store_latency_seconds',
      'fraudguard_scoring_latency_seconds', 'fraudguard_rule_hits_total', 'fraudguard_model_score', 'fraudguard_degraded_decisions_total',
      'fraudguard_case_queue_size', 'fraudguard_case_sla_breaches_total', 'fraudguard_notification_failures_total', 'process_cpu_seconds_total']) {
      assert.match(res.body, new RegExp(`# TYPE ${name} `), name);
    }
  });

  it('counts a decision by outcome and arm, times it, and counts a degraded one', async () => {
    const before = (await stack.get('/metrics')).body as string;
    const decided = await stack.post('/v1/decisions', aTransaction({ customer_id: 'c-metrics' }));
    assert.equal(decided.status, 200);
    const degraded = await stack.post('/v1/decisions', aTransaction({ customer_id: 'c-down' }));
    assert.equal(degraded.body.degraded, true);
    const after = (await stack.get('/metrics')).body as string;
    const outcome = { outcome: decided.body.decision, arm: 'champion', shadow: 'false' };
    const extra = decided.body.decision === degraded.body.decision ? 2 : 1;
    assert.equal(sample(after, 'fraudguard_decisions_total', outcome) - sample(before, 'fraudguard_decisions_total', outcome), extra);
    assert.equal(sample(after, 'fraudguard_decision_latency_seconds_count') - sample(before, 'fraudguard_decision_latency_seconds_count'), 2);
    assert.equal(sample(after, 'fraudguard_feature_store_latency_seconds_count', { result: 'degraded' }) - sample(before, 'fraudguard_feature_store_latency_seconds_count', { result: 'degraded' }), 1);
    assert.equal(sample(after, 'fraudguard_scoring_latency_seconds_count') - sample(before, 'fraudguard_scoring_latency_seconds_count'), 2);
    assert.equal(sample(after, 'fraudguard_degraded_decisions_total') - sample(before, 'fraudguard_degraded_decisions_total'), 1);
    assert.ok(sample(after, 'fraudguard_http_request_duration_seconds_count', { route: '/v1/decisions', status: '200' }) >= 2);
  });

  it('writes every line about a transaction with its transaction id, workflow id and arm', async () => {
    const tx = aTransaction({ customer_id: 'c-down' });
    await stack.post('/v1/decisions', tx);
    const lines = await waitFor(async () => {
      const found = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['transactionId'] === tx['id']);
      return found.length >= 3 ? found : null;
    });
    assert.deepEqual(new Set(lines.map((l) => l['msg'])), new Set(['feature store unavailable: decision degraded', 'transaction decided', 'decision answered']));
    for (const line of lines) {
      assert.equal(line['workflowId'], `tx-${tx['id']}`, JSON.stringify(line));
      assert.equal(line['arm'], 'champion', JSON.stringify(line));
    }
  });

  it('never logs a password, API key, session token, TOTP secret or Authorization header', async () => {
    const user = await aUser(stack, ['admin']);
    const token = await signIn(stack, user);
    const { key } = await anApiKey(stack, ['decide']);
    const enrol = await stack.as(token).post('/v1/auth/totp/enrol', { password: user.password });
    await stack.as(null).post('/v1/auth/login', { username: user.username, password: 'a-wrong-password-77' });
    await stack.as(key).post('/v1/decisions', aTransaction());
    await stack.as('fgk_not_a_real_key_but_secret_looking').get('/v1/auth/me');
    const all = stack.logs.join('\n');
    assert.ok(stack.logs.length > 10, 'the run logged');
    for (const secret of [user.password, 'a-wrong-password-77', token, key, stack.adminKey, enrol.body.secret, 'fgk_not_a_real_key_but_secret_looking']) {
      assert.ok(!all.includes(secret), `a secret (${secret.slice(0, 6)}…) appears in the logs`);
    }
  });

  it('censors secret fields whatever code logs them', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: new Writable({ write(c: Buffer, _e, done) { lines.push(c.toString()); done(); } }) });
    log.info({ password: 'p1', user: { password: 'p2', totp: '123456' }, req: { headers: { authorization: 'Bearer fgk_x', cookie: 'fg_session=fgs_y' } }, apiKey: 'fgk_z', token: 'fgs_t' }, 'careless');
    const text = lines.join('');
    for (const secret of ['p1', 'p2', '123456', 'fgk_x', 'fgs_y', 'fgk_z', 'fgs_t']) assert.ok(!text.includes(`"${secret}`) && !text.includes(` ${secret}`), secret);
    assert.match(text, /\[REDACTED\]/);
  });
});
