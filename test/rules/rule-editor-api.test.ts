import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { featureNames } from '../../engine/features/definitions.ts';
import { TRANSACTION_FACTS } from '../../engine/facts.ts';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';

/** A ruleset where every condition is easy to predict from the amount and the customer's 1-hour count. */
const DOCUMENT = {
  name: 'editor-test',
  rules: [
    { name: 'Large', priority: 10, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 500 }] },
      event: { type: 'review', params: { code: 'LARGE' } } },
    { name: 'Burst', priority: 5, conditions: { all: [
      { fact: 'amount', operator: 'greaterThan', value: 10 },
      { fact: 'customer.tx_count_1h', operator: 'greaterThanInclusive', value: 3 },
    ] }, event: { type: 'decline', params: { code: 'BURST' } } },
    { name: 'Blocked', conditions: { any: [{ fact: 'customer_id', operator: 'inList', value: 'blocked_customers' }] }, event: { type: 'decline' } },
    { name: 'Off', enabled: false, conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] }, event: { type: 'decline' } },
  ],
};

type Leaf = { fact: string; result?: boolean; factResult?: unknown };

describe('the rule editor\'s API: facts to complete and a dry run of a draft', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('lists every fact the validation accepts, with its kind, type and description, plus operators, event types and lists', async () => {
    const res = await stack.get('/v1/facts');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const names = res.body.facts.map((f: { name: string }) => f.name);
    for (const name of [...TRANSACTION_FACTS, ...featureNames(), 'score']) assert.ok(names.includes(name), `${name} is offered`);
    for (const fact of res.body.facts) {
      assert.ok(['transaction', 'feature', 'score'].includes(fact.kind), fact.name);
      assert.ok(['number', 'string', 'object'].includes(fact.type), fact.name);
      assert.ok(fact.description.length > 5, `${fact.name} is described`);
    }
    assert.ok(res.body.operators.some((o: { name: string }) => o.name === 'inList'));
    assert.deepEqual(res.body.event_types.map((e: { name: string }) => e.name), ['decline', 'review', 'approve', 'tag', 'score']);
    assert.ok(res.body.lists.some((l: { name: string }) => l.name === 'blocked_customers'));
  });

  it('says for a pasted transaction which rules fired and which conditions held, and the decision the draft would make', async () => {
    await stack.post('/v1/lists/blocked_customers/items', { values: ['c-blocked'] });
    const res = await stack.post('/v1/rulesets/test', {
      document: DOCUMENT,
      transaction: aTransaction({ amount: '900.00', customer_id: 'c-blocked' }),
      features: { 'customer.tx_count_1h': 1 },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.decision.decision, 'DECLINE');
    assert.equal(res.body.features_source, 'given');
    const byName = Object.fromEntries(res.body.rules.map((r: { name: string }) => [r.name, r]));
    assert.equal(byName['Large'].fired, true);
    assert.equal(byName['Blocked'].fired, true, 'the list operator sees the list\'s items');
    assert.equal(byName['Burst'].fired, false);
    const [amount, burst] = byName['Burst'].conditions.all as Leaf[];
    assert.deepEqual([amount?.result, amount?.factResult], [true, 900]);
    assert.deepEqual([burst?.result, burst?.factResult], [false, 1]);
    assert.equal(byName['Off'].enabled, false);
    assert.equal(byName['Off'].fired, false, 'a disabled rule is not evaluated');
  });

  it('tests a recorded transaction with the features it was decided with', async () => {
    const tx = aTransaction({ amount: '20.00', customer_id: 'c-recorded' });
    const decided = await stack.post('/v1/decisions', tx);
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    let res = await stack.post('/v1/rulesets/test', { document: DOCUMENT, transaction_id: tx['id'] });
    for (let i = 0; i < 50 && res.status === 404; i++) {
      // The decision is persisted just after the answer.
      await new Promise((r) => setTimeout(r, 100));
      res = await stack.post('/v1/rulesets/test', { document: DOCUMENT, transaction_id: tx['id'] });
    }
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.features_source, 'recorded');
    assert.equal(res.body.recorded_decision.ruleset_version, 'default@1');
    assert.equal(res.body.decision.decision, 'APPROVE');
    const burst = res.body.rules.find((r: { name: string }) => r.name === 'Burst');
    assert.equal((burst.conditions.all as Leaf[])[1]?.factResult, 0, 'the recorded 1-hour count');
  });

  it('refuses an invalid draft with its problems at their JSON paths, and an unknown transaction with 404', async () => {
    const bad = { ...DOCUMENT, rules: [{ ...DOCUMENT.rules[0], conditions: { all: [{ fact: 'amont', operator: 'greaterThan', value: 1 }] } }] };
    const invalid = await stack.post('/v1/rulesets/test', { document: bad, transaction: aTransaction() });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.error.code, 'RULESET_INVALID');
    assert.equal(invalid.body.error.problems[0].path, '$.rules[0].conditions.all[0].fact');
    const missing = await stack.post('/v1/rulesets/test', { document: DOCUMENT, transaction_id: 'never-seen' });
    assert.equal(missing.status, 404);
    const both = await stack.post('/v1/rulesets/test', { document: DOCUMENT });
    assert.equal(both.status, 400);
  });

  it('serves the web application at / without credentials, and the API behind them', async () => {
    const page = await stack.as(null).get('/');
    assert.ok(page.status === 200 || page.status === 503, `status ${page.status}`);
    if (page.status === 200) assert.match(String(page.body), /<div id="app">/);
    else assert.equal(page.body.error.code, 'EDITOR_NOT_BUILT');
    assert.equal((await stack.as(null).get('/v1/facts')).status, 401);
  });
});
