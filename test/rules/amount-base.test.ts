import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, uniqueName, type TestStack } from '../support/stack.ts';
import { decidedUnder, deploy } from '../support/deployments.ts';

// A PSP's traffic in several currencies, one threshold in euros: the amount_base fact, with the rates
// the server is started with.
describe('amount_base: rules on amounts in one base currency (FX_RATES)', () => {
  let stack: TestStack;
  let version = 0;
  before(async () => {
    stack = await startStack({ FOUR_EYES: 'false', FX_RATES: JSON.stringify({ EUR: 1, USD: 0.92, JPY: 0.0062 }) });
    const name = uniqueName('fx').toLowerCase().replaceAll('_', '-');
    const document = { name, rules: [
      { name: 'Over 250 EUR', conditions: { all: [{ fact: 'amount_base', operator: 'greaterThan', value: 250 }] }, event: { type: 'review', params: { code: 'LARGE_IN_EUR', reason: 'above 250 EUR' } } },
    ] };
    assert.equal((await stack.post('/v1/rulesets', { name, document })).status, 201);
    assert.equal((await stack.post(`/v1/rulesets/${name}/versions`, { revision: 1 })).status, 201);
    version = await deploy(stack, { champion: { name: 'champion', rulesetVersion: `${name}@1` } });
  });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  it('decides amounts in different currencies against one threshold', async () => {
    const decisionOf = async (amount: string, currency: string) => (await decidedUnder(stack, version, { amount, currency })).body;
    const yen = await decisionOf('50000', 'JPY'); // 310 EUR
    assert.deepEqual([yen.decision, yen.rules_fired], ['REVIEW', ['Over 250 EUR']]);
    assert.equal((await decisionOf('20000', 'JPY')).decision, 'APPROVE', '124 EUR');
    assert.equal((await decisionOf('300', 'USD')).decision, 'REVIEW', '276 EUR');
    assert.equal((await decisionOf('260', 'USD')).decision, 'APPROVE', '239.20 EUR');
    assert.equal((await decisionOf('100000', 'GBP')).decision, 'APPROVE', 'no rate for GBP: amount_base is absent and greaterThan on it is false');
  });

  it('gives the rule test the same fact, and says in GET /v1/facts which rates this server has', async () => {
    const tested = await stack.post('/v1/rulesets/test', {
      document: { name: 'probe', rules: [{ name: 'Probe', conditions: { all: [{ fact: 'amount_base', operator: 'greaterThan', value: 250 }] }, event: { type: 'review' } }] },
      transaction: aTransaction({ amount: '50000', currency: 'JPY' }), features: {},
    });
    assert.equal(tested.status, 200, JSON.stringify(tested.body));
    assert.equal(tested.body.rules[0].conditions.all[0].factResult, 310);
    const facts = await stack.get('/v1/facts');
    const fact = facts.body.facts.find((f: { name: string }) => f.name === 'amount_base');
    assert.equal(fact.description, 'Amount converted to EUR (FX_RATES: EUR, JPY, USD); absent for any other currency');
  });

  it('refuses to start with a rate table that is not one, naming the entry', async () => {
    const { loadConfig, ConfigError } = await import('../../config.ts');
    assert.throws(() => loadConfig({ FX_RATES: '{"EUR":1,"usd":0.92}' }), (err: unknown) => err instanceof ConfigError && /FX_RATES\.usd: must be a three-letter/.test(err.message));
    assert.throws(() => loadConfig({ FX_RATES: 'EUR=1' }), (err: unknown) => err instanceof ConfigError && /FX_RATES: must be JSON/.test(err.message));
  });
});
