import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { buildFacts } from '../../engine/facts.ts';
import type { FeatureVector } from '../../engine/features/store.ts';
import { applyPolicy } from '../../engine/policy.ts';
import type { ArmScores } from '../../engine/scoring.ts';
import { toConditionResult } from '../../engine/rules/reference.ts';
import { rulesetSchema } from '../../engine/rules/ruleset.ts';
import { parseTransaction } from '../../engine/transaction.ts';
import { aTransaction, startStack, uniqueName, type TestStack } from '../support/stack.ts';
import { waitFor } from '../support/wait.ts';

const BLOCKED_DEVICE = uniqueName('dev');
const ALLOWED_CUSTOMER = uniqueName('trusted');

/**
 * Every json-rules-engine feature the product offers authors: all / any / not nested, shared
 * condition references (one inside another's tree), `path` into a fact, fact-to-fact comparison
 * (with a path on the other side too), rule and condition priorities, operator decorators, the list
 * operators, event params, a disabled rule, and a policy putting APPROVE first.
 */
const everything = (name: string) => ({
  name,
  conditions: {
    foreignCard: { any: [
      { fact: 'country', operator: 'not:in', value: ['FR', 'BE', 'DE'] },
      { fact: 'metadata', path: '$.card_country', operator: 'notEqual', value: { fact: 'country' } },
    ] },
    newCustomer: { all: [{ fact: 'customer.tx_count_30d', operator: 'equal', value: 0 }] },
  },
  rules: [
    { name: 'Allowed customer', priority: 200, conditions: { all: [{ fact: 'customer_id', operator: 'inList', value: 'allowed_customers' }] },
      event: { type: 'approve', params: { code: 'ALLOWED', reason: 'Trusted by analysts' } } },
    { name: 'Blocked device', priority: 100, conditions: { all: [{ fact: 'device_id', operator: 'inList', value: 'blocked_devices' }] },
      event: { type: 'decline', params: { code: 'BLOCKED', reason: 'Device on the block list' } } },
    { name: 'Big foreign first payment', priority: 50, conditions: { all: [
      { condition: 'foreignCard' }, { condition: 'newCustomer', priority: 3 }, { fact: 'amount', operator: 'greaterThanInclusive', value: 500 },
    ] }, event: { type: 'review', params: { code: 'BIG_FOREIGN_NEW', reason: 'First payment, large, foreign card', owner: { team: 'risk' } } } },
    { name: 'Over declared limit', priority: 40, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: { fact: 'metadata', path: '$.limit' } }] },
      event: { type: 'score', params: { delta: 0.6, code: 'OVER_LIMIT' } } },
    { name: 'Untrusted', priority: 30, conditions: { not: { any: [
      { fact: 'customer_id', operator: 'inList', value: 'allowed_customers' },
      { all: [{ fact: 'amount', operator: 'lessThan', value: 20 }, { fact: 'channel', operator: 'equal', value: 'card_present' }] },
    ] } }, event: { type: 'tag', params: { tag: 'untrusted' } } },
    { name: 'Risky segment', priority: 10, conditions: { any: [
      { fact: 'metadata', path: '$.segment', operator: 'in', value: ['crypto', 'gambling'], priority: 5 },
      { all: [{ fact: 'mcc', operator: 'in', value: ['7995', '6051'] }, { fact: 'metadata', path: '$.segment', operator: 'not:equal', value: 'charity' }] },
      { condition: 'foreignCard' },
    ] }, event: { type: 'score', params: { delta: 0.3, code: 'RISKY_SEGMENT' } } },
    { name: 'Night', conditions: { all: [{ fact: 'local_hour', operator: 'lessThan', value: 6 }] }, event: { type: 'tag', params: { tag: 'night' } } },
    { name: 'Switched off', enabled: false, conditions: { all: [] }, event: { type: 'decline' } },
  ],
  policy: { precedence: ['APPROVE', 'DECLINE', 'REVIEW'], thresholds: { review: 0.5, decline: 0.8 } },
});

/** Payments chosen so that every rule fires for some and not for others. */
function payments(repeatCustomer: string): Record<string, unknown>[] {
  const fresh = () => uniqueName('cust');
  return [
    { customer_id: fresh(), amount: '30.00', country: 'FR', channel: 'ecommerce', metadata: { card_country: 'FR', limit: 100, segment: 'retail' } },
    { customer_id: repeatCustomer, amount: '800.00', country: 'US', metadata: { card_country: 'US', limit: 300, segment: 'crypto' } },
    { customer_id: fresh(), amount: '10.00', country: 'FR', channel: 'card_present', device_id: BLOCKED_DEVICE, metadata: { card_country: 'FR' } },
    { customer_id: ALLOWED_CUSTOMER, amount: '900.00', country: 'US', metadata: { card_country: 'US', limit: 50 } },
    { customer_id: fresh(), amount: '600.00', country: 'BE', metadata: { card_country: 'DE', limit: 1000 } },
    { customer_id: repeatCustomer, amount: '650.00', country: 'BR', metadata: { limit: 700 } },
    { customer_id: fresh(), amount: '50.00', country: 'FR', mcc: '7995', metadata: { card_country: 'FR', segment: 'retail' } },
    { customer_id: fresh(), amount: '55.00', country: 'FR', mcc: '6051', metadata: { card_country: 'FR', segment: 'charity', limit: 10 } },
    { customer_id: fresh(), amount: '12.00', country: 'DE', channel: 'card_present', occurred_at: '2026-11-22T20:30:00Z', metadata: { timezone: 'Asia/Tokyo', card_country: 'DE' } },
    { customer_id: fresh(), amount: '75.00', country: 'FR', occurred_at: '2026-11-22T03:15:00+00:00', metadata: { card_country: 'FR' } },
  ];
}

/** json-rules-engine itself, set up as the product describes its semantics: missing facts are undefined. */
async function runJsonRulesEngine(document: ReturnType<typeof everything>, facts: Record<string, unknown>, lists: Record<string, Set<string>>) {
  const engine = new Engine([], { allowUndefinedFacts: true });
  const listed = (value: unknown, list: unknown) => typeof list === 'string' && value !== undefined && value !== null && (lists[list]?.has(String(value)) ?? false);
  engine.addOperator('inList', listed);
  engine.addOperator('notInList', (value, list) => typeof list === 'string' && !listed(value, list));
  for (const [name, condition] of Object.entries(document.conditions)) engine.setCondition(name, structuredClone(condition) as TopLevelCondition);
  for (const rule of document.rules.filter((r) => r.enabled !== false)) {
    engine.addRule({ name: rule.name, priority: rule.priority ?? 1, conditions: structuredClone(rule.conditions), event: rule.event } as RuleProperties);
  }
  const { results } = await engine.run(facts);
  return results.map((r) => ({ name: r.name, priority: r.priority ?? 1, event: r.event as { type: string; params?: Record<string, unknown> }, conditions: toConditionResult(r.conditions) }));
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('a published ruleset using every json-rules-engine feature', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack({ FOUR_EYES: 'false' }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('decides each payment as json-rules-engine run directly on the same facts does: same rules, order, events, why, and decision', async () => {
    const name = uniqueName('all').toLowerCase().replaceAll('_', '-');
    const document = everything(name);
    assert.equal((await stack.post('/v1/lists/blocked_devices/items', { values: [BLOCKED_DEVICE] })).status, 200);
    assert.equal((await stack.post('/v1/lists/allowed_customers/items', { values: [ALLOWED_CUSTOMER] })).status, 200);
    const lists = { blocked_devices: new Set([BLOCKED_DEVICE]), allowed_customers: new Set([ALLOWED_CUSTOMER]) };
    const created = await stack.post('/v1/rulesets', { name, document });
    assert.equal(created.body.draft.valid, true, JSON.stringify(created.body.draft.problems));
    await stack.post(`/v1/rulesets/${name}/versions`, { revision: 1 });
    const published = await stack.post(`/v1/rulesets/${name}/versions/1/publish`, {});
    assert.equal(published.status, 200, JSON.stringify(published.body));
    // Workers follow the deployment within seconds; the payments below start once they do.
    await waitFor(async () => (await stack.post('/v1/decisions', aTransaction({ customer_id: uniqueName('warm') }))).body.ruleset_version === `${name}@1`, 20_000);

    const policy = rulesetSchema.parse(document).policy;
    const fired = new Map<string, number>();
    const cases = payments(uniqueName('repeat'));
    for (const overrides of cases) {
      const input = aTransaction(overrides);
      const answer = await stack.post('/v1/decisions', input);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.ruleset_version, `${name}@1`);
      const stored = await waitFor(async () => {
        const res = await stack.get(`/v1/decisions/${input['id']}`);
        return res.body?.persisted ? res.body : null;
      });
      const tx = parseTransaction(input);
      assert.ok(tx.ok);
      // The champion arm scores with its models: the rules saw the same scores the decision recorded.
      const scores: ArmScores = {
        combined: stored.model_score,
        models: stored.models.map((m: { role: string; version: string; score: number }) => ({ role: m.role, modelVersion: m.version, score: m.score, topContributions: [] })),
      };
      const facts = buildFacts(tx.value, stored.features as FeatureVector, scores);
      const expected = await runJsonRulesEngine(document, facts, lists);
      const label = `payment ${JSON.stringify(overrides)}`;

      assert.deepEqual(stored.fired_rules.map((r: { name: string }) => r.name), expected.map((r) => r.name), label);
      assert.deepEqual(json(stored.fired_rules), json(expected), `${label}: events, priorities and condition results`);
      const outcome = applyPolicy({ fired: expected, modelScore: scores.combined, policy });
      assert.deepEqual(
        { decision: answer.body.decision, score: answer.body.score, reasons: answer.body.reasons, tags: answer.body.tags },
        json({ decision: outcome.decision, score: outcome.score, reasons: outcome.reasons, tags: outcome.tags }), label);
      for (const r of expected) fired.set(r.name, (fired.get(r.name) ?? 0) + 1);
    }

    // The payments exercise every enabled rule both ways.
    for (const rule of document.rules.filter((r) => r.enabled !== false)) {
      const n = fired.get(rule.name) ?? 0;
      assert.ok(n > 0 && n < cases.length, `"${rule.name}" fired for ${n} of ${cases.length} payments`);
    }
    assert.equal(fired.get('Switched off'), undefined);
  });
});
