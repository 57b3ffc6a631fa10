import assert from 'node:assert/strict';
import { aTransaction, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';
import { decidedUnder } from '../support/deployments.ts';
import { aUser, signIn } from '../support/principals.ts';
import { caseIdOf } from '../../workflows/case-actions.ts';

/**
 * A ruleset that decides by amount alone, so the case tests do not depend on feature history:
 *   amount ≥ 9000 → DECLINE · amount ≥ 1000 → REVIEW (score 0.2, 0.5 from 3000) · otherwise APPROVE.
 */
export const CASE_TEST_RULESET = {
  name: 'cases',
  rules: [
    { name: 'Huge amount', priority: 100, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 9000 }] },
      event: { type: 'decline', params: { code: 'TEST_DECLINE', reason: 'Amount of 9,000 or more' } } },
    { name: 'Large amount', priority: 50, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 1000 }] },
      event: { type: 'review', params: { code: 'TEST_REVIEW', reason: 'Amount of 1,000 or more' } } },
    { name: 'Base risk', priority: 40, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 1000 }] },
      event: { type: 'score', params: { code: 'BASE_RISK', delta: 0.2 } } },
    { name: 'Larger risk', priority: 40, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 3000 }] },
      event: { type: 'score', params: { code: 'LARGER_RISK', delta: 0.3 } } },
  ],
  policy: { precedence: ['DECLINE', 'REVIEW', 'APPROVE'], thresholds: { review: 0.95, decline: 0.99 } },
};

const DECLINE_ALL = {
  name: 'declineall',
  rules: [{ name: 'Everything', priority: 1, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] },
    event: { type: 'decline', params: { code: 'SHADOW_DECLINE', reason: 'Shadow arm declines everything' } } }],
  policy: { precedence: ['DECLINE', 'REVIEW', 'APPROVE'] },
};

/**
 * Publishes CASE_TEST_RULESET as cases@1 and deploys it as the champion; with `shadowDeclinesAll`, beside a
 * shadow arm that declines every transaction. Returns once the stack's worker decides with it: a worker
 * trusts the deployment it read for a moment (activities/ruleset-cache.ts), and may have read it at start.
 * `awaitWorker: false` when no worker runs yet (one started later reads the new deployment first).
 */
export async function deployCaseRuleset(stack: TestStack, opts: { shadowDeclinesAll?: boolean; awaitWorker?: boolean } = {}): Promise<void> {
  for (const doc of [CASE_TEST_RULESET, DECLINE_ALL]) {
    await stack.db.query('INSERT INTO rulesets (name, draft) VALUES ($1, $2) ON CONFLICT DO NOTHING', [doc.name, doc]);
    await stack.db.query(
      `INSERT INTO ruleset_versions (ruleset, version, document, valid, published_at, published_by) VALUES ($1, 1, $2, true, now(), 'test')
       ON CONFLICT DO NOTHING`, [doc.name, doc]);
  }
  const spec = {
    champion: { name: 'champion', rulesetVersion: 'cases@1', modelVersions: [] },
    challengers: opts.shadowDeclinesAll ? [{ name: 'shadow', rulesetVersion: 'declineall@1', modelVersions: [], shadow: true }] : [],
    routingKey: 'customer_id', salt: 'fraudguard',
  };
  await stack.db.query(`INSERT INTO deployments (version, spec, comment) VALUES (2, $1, 'case tests') ON CONFLICT DO NOTHING`, [spec]);
  if (opts.awaitWorker === false) return;
  // Probes by fresh customers: repeated ones from one customer would trip deployment 1's velocity rule and open stray cases.
  await decidedUnder(stack, 2, { amount: '1.00' }, 30_000);
}

/** Submits a transaction the test ruleset reviews and waits for its case to be listed; returns the case. */
export async function openCase(stack: TestStack, overrides: Record<string, unknown> = {}) {
  const tx = aTransaction({ amount: '1500.00', ...overrides });
  const res = await stack.post('/v1/decisions', tx);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.decision, 'REVIEW', JSON.stringify(res.body));
  const caseId = caseIdOf(tx['id'] as string);
  const detail = await waitFor(async () => {
    const r = await stack.get(`/v1/cases/${caseId}`);
    return r.status === 200 ? r.body : null;
  }, 30_000, `case ${caseId} opened`);
  return { tx, txId: tx['id'] as string, caseId, decision: res.body, detail };
}

const analystSessions = new WeakMap<TestStack, Map<string, Promise<string>>>();

/** A session of the analyst `username` on this stack (the user is created on first use). */
export function analystSession(stack: TestStack, username: string): Promise<string> {
  let sessions = analystSessions.get(stack);
  if (!sessions) analystSessions.set(stack, sessions = new Map());
  let session = sessions.get(username);
  if (!session) {
    session = aUser(stack, ['analyst'], { username }).then((user) => signIn(stack, user));
    sessions.set(username, session);
  }
  return session;
}

/** POSTs an analyst action as `actor`, signed in as that analyst; null sends no credentials. */
export async function act(stack: TestStack, caseId: string, action: string, actor: string | null, body: unknown = {}) {
  const client = stack.as(actor === null ? null : await analystSession(stack, actor));
  return client.post(`/v1/cases/${caseId}/${action}`, body);
}

export async function caseRow(stack: TestStack, caseId: string) {
  const { rows } = await stack.db.query('SELECT * FROM cases WHERE id = $1', [caseId]);
  return rows[0];
}

export async function deliveries(stack: TestStack, transactionId: string, eventType?: string) {
  const { rows } = await stack.db.query(
    'SELECT * FROM notification_deliveries WHERE transaction_id = $1 AND ($2::text IS NULL OR event_type = $2) ORDER BY id', [transactionId, eventType ?? null]);
  return rows;
}

/** The value of one Prometheus sample in GET /metrics (0 when the series is absent), e.g. `metric(stack, 'x_total', { tier: 'L1' })`. */
export async function metric(stack: TestStack, name: string, labels: Record<string, string>): Promise<number> {
  const text = (await stack.get('/metrics')).body as string;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(m[3]);
  }
  return 0;
}
