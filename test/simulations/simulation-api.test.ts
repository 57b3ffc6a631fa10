import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aTransaction, startStack, type TestStack } from '../support/stack.ts';
import { aUser, signIn } from '../support/principals.ts';
import { temporalCli } from '../support/temporal-cli.ts';
import { waitFor } from '../support/wait.ts';
import { amountRuleset, DATA_DIR, defaultRuleset, expectedFigures, readSlice } from './fixtures.ts';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

describe('the simulations API', () => {
  let stack: TestStack;
  before(async () => { stack = await startStack({ SIMULATION_DATA_DIR: DATA_DIR }); });
  after(async () => { await stack?.stop(); await stack?.dropSchema(); });

  const startRun = async (body: unknown): Promise<string> => {
    const res = await stack.post('/v1/simulations', body);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.match(res.headers.get('location') ?? '', /^\/v1\/simulations\//);
    return res.body.id as string;
  };
  const finished = async (id: string) => waitFor(async () => {
    const res = await stack.get(`/v1/simulations/${id}`);
    return FINISHED.has(res.body.status) ? res.body : null;
  }, 240_000, `simulation ${id} finished`);
  const allChanges = async (id: string) => {
    const seen: any[] = [];
    for (let page = 1; ; page++) {
      const res = await stack.get(`/v1/simulations/${id}/changes?page=${page}&page_size=7`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...res.body.changes);
      if (res.body.next_page === null) return { total: res.body.total as number, changes: seen };
      assert.equal(res.body.next_page, page + 1);
    }
  };
  const noModels = (document: unknown) => ({ document, model_versions: [] });

  it('refuses bad input with 400, naming the field and the reason', async () => {
    const cases: [unknown, string][] = [
      [{ to: '2018-04-01', candidate: {} }, 'from'],
      [{ from: '2018-4-01', to: '2018-04-02', candidate: {} }, 'from'],
      [{ from: '2018-04-03', to: '2018-04-02', candidate: {} }, 'from'],
      [{ from: '2018-02-31', to: '2018-03-02', candidate: {} }, 'from'],
      [{ from: '2018-04-01', to: '2018-13-01', candidate: {} }, 'to'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { model_versions: ['gbdt-never-registered'] } }, 'candidate.model_versions.0'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { deployment: { champion: { name: 'champion', rulesetVersion: 'default@1', modelVersions: ['anomaly-never-registered'] } } } }, 'candidate.deployment.champion.modelVersions.0'],
      [{ from: '2018-04-01', to: '2018-04-02' }, 'candidate'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: {}, speed: 'fast' }, '(body)'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: {}, source: 'kafka' }, 'source'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: {}, chunk_days: 0 }, 'chunk_days'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { ruleset_version: 'nope' } }, 'candidate.ruleset_version'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { ruleset_version: 'missing@4' } }, 'candidate.ruleset_version'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { deployment: { champion: { name: 'champion', rulesetVersion: 'default@1' }, challengers: [{ name: 'next', rulesetVersion: 'missing@2', share: 10 }] } } }, 'candidate.deployment.challengers.0.rulesetVersion'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { ruleset_version: 'default@1', deployment: { champion: { name: 'champion', rulesetVersion: 'default@1' } } } }, 'candidate.deployment'],
      [{ from: '2018-04-01', to: '2018-04-02', candidate: { document: { ...amountRuleset(1, 'review'), rules: [{ name: 'x', conditions: { all: [{ fact: 'no_such_fact', operator: 'equal', value: 1 }] }, event: { type: 'review' } }] } } }, 'candidate.document.rules[0].conditions.all[0].fact'],
    ];
    for (const [body, field] of cases) {
      const res = await stack.post('/v1/simulations', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'INVALID_REQUEST');
      const fields = res.body.error.fields as { field: string; reason: string }[];
      assert.ok(fields.some((f) => f.field === field && f.reason.length > 0), `${JSON.stringify(body)}: ${JSON.stringify(fields)}`);
    }
    // A period the data set does not cover would complete with no transaction: refused, saying what it covers.
    const after = await stack.post('/v1/simulations', { source: 'dataset', from: '2018-09-01', to: '2018-09-08', candidate: {} });
    assert.equal(after.status, 400);
    assert.deepEqual(after.body.error.fields, [{ field: 'from', reason: 'the data set holds 2018-04-01 … 2018-08-31 (5 monthly files): 2018-09-01 … 2018-09-08 has no transaction in it' }]);
    assert.deepEqual((await stack.get('/v1/simulations?limit=0')).body.error.fields, [{ field: 'limit', reason: 'must be at least 1' }]);
    const page = await stack.get('/v1/simulations/00000000-0000-4000-8000-000000000000/changes?page=1.5&page_size=501');
    assert.equal(page.status, 400, 'the query is checked before the simulation is looked up');
    assert.deepEqual(page.body.error.fields, [{ field: 'page', reason: 'must be a whole number' }, { field: 'page_size', reason: 'must be at most 500' }]);
    assert.equal((await stack.get('/v1/simulations/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await stack.get('/v1/simulations/not-an-id')).status, 404);
  });

  it('says which days each history holds, so a client offers periods with transactions in them', async () => {
    const res = await stack.get('/v1/simulations/sources');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [dataset, postgres] = res.body.sources;
    assert.deepEqual(dataset, { name: 'dataset', available: true, from: '2018-04-01', to: '2018-08-31', files: 5 });
    assert.deepEqual(postgres, { name: 'postgres', available: false, reason: 'no transaction has been recorded yet' });
    for (const occurred_at of ['2026-11-20T23:30:00Z', '2026-11-22T01:00:00+02:00']) {
      assert.equal((await stack.post('/v1/decisions', aTransaction({ occurred_at }))).status, 200);
    }
    const after = await stack.get('/v1/simulations/sources');
    assert.deepEqual(after.body.sources[1], { name: 'postgres', available: true, from: '2026-11-20', to: '2026-11-21' });
  });

  it('lets a viewer read simulations but not run them', async () => {
    const viewer = await signIn(stack, await aUser(stack, ['viewer']));
    const refused = await stack.as(viewer).post('/v1/simulations', { from: '2018-04-01', to: '2018-04-01', candidate: {} });
    assert.equal(refused.status, 403);
    assert.equal((await stack.as(viewer).get('/v1/simulations')).status, 200);
  });

  it('gives a one-rule candidate\'s figures as computed independently from the labels, beside the baseline', async () => {
    const id = await startRun({ from: '2018-04-01', to: '2018-04-01', candidate: noModels(amountRuleset(220, 'review')), baseline: noModels(amountRuleset(1e9, 'review', 'never')) });
    const sim = await finished(id);
    assert.equal(sim.status, 'completed', JSON.stringify(sim));
    assert.equal(sim.progress, 100);
    const want = expectedFigures(readSlice('2018-04-01', '2018-04-01'), (r) => r.amount > 220);
    const c = sim.result.candidate;
    assert.equal(sim.result.transactions, want.transactions);
    assert.deepEqual(c.decisions, { APPROVE: want.transactions - want.flagged, REVIEW: want.flagged, DECLINE: 0 });
    assert.equal(c.review_workload, want.flagged);
    assert.equal(c.true_positives, want.truePositives);
    assert.equal(c.false_positives, want.falsePositives);
    assert.ok(Math.abs(c.precision - want.precision) < 1e-12 && Math.abs(c.recall - want.recall) < 1e-12 && Math.abs(c.f1 - want.f1) < 1e-12);
    assert.ok(Math.abs(c.false_positive_rate - want.falsePositiveRate) < 1e-12);
    assert.equal(c.fraud_amount_caught, want.fraudAmountCaught);
    assert.equal(c.fraud_amount_missed, want.fraudAmountMissed);
    assert.deepEqual(c.rules['Amount over 220'], { hits: want.flagged, frauds: want.truePositives, precision: want.truePositives / want.flagged });
    assert.deepEqual(c.daily['2018-04-01'], { transactions: want.transactions, decline: 0, review: want.flagged, frauds: want.frauds, caught: want.truePositives });
    assert.equal(sim.result.baseline.decisions.APPROVE, want.transactions);
    assert.equal(sim.result.changed_decisions, want.flagged);
    assert.deepEqual(sim.candidate, { label: 'draft', ruleset_version: 'draft', model_versions: [] });
    assert.deepEqual(Object.keys(sim).sort(), ['baseline', 'candidate', 'chunks_done', 'chunks_total', 'created_at', 'created_by', 'error',
      'finished_at', 'from', 'id', 'progress', 'result', 'rows_done', 'started_at', 'status', 'to'], 'snake_case, as the rest of the API');
    const list = await stack.get('/v1/simulations');
    assert.ok(list.body.simulations.some((s: { id: string }) => s.id === id));
  });

  it('changes no decision when the candidate is the champion\'s own version', async () => {
    const id = await startRun({ from: '2018-04-01', to: '2018-04-01', candidate: { ruleset_version: 'default@1' } });
    const sim = await finished(id);
    assert.equal(sim.status, 'completed', JSON.stringify(sim));
    assert.ok(sim.result.transactions > 9000);
    assert.equal(sim.result.changed_decisions, 0);
    assert.deepEqual(sim.result.candidate, sim.result.baseline);
    assert.match(sim.baseline.label, /champion/);
    assert.equal((await allChanges(id)).total, 0);
  });

  it('lists, page by page, exactly the transactions the one added rule changes, with the reasons of both sides', async () => {
    const base = defaultRuleset();
    const added = { name: 'Very large amount', priority: 5, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 200 }] },
      event: { type: 'decline', params: { code: 'VERY_LARGE', reason: 'Amount of 200 or more' } } };
    const id = await startRun({ from: '2018-04-01', to: '2018-04-01', candidate: noModels({ ...base, rules: [...base.rules, added] }), baseline: noModels(base) });
    const sim = await finished(id);
    assert.equal(sim.status, 'completed', JSON.stringify(sim));
    const expected = readSlice('2018-04-01', '2018-04-01').filter((r) => r.amount >= 200).map((r) => r.id).sort();
    assert.ok(expected.length > 0, 'the day has payments of 200 or more');
    const { total, changes } = await allChanges(id);
    assert.equal(total, expected.length);
    assert.equal(sim.result.changed_decisions, expected.length);
    assert.deepEqual(changes.map((c) => c.transaction_id).sort(), expected);
    for (const c of changes) {
      assert.equal(c.candidate.decision, 'DECLINE');
      assert.ok(c.candidate.reasons.includes('Amount of 200 or more'));
      assert.notEqual(c.baseline.decision, 'DECLINE', 'a change: the baseline did not decline it');
      assert.ok(!c.baseline.reasons.includes('Amount of 200 or more'), 'the rule is the candidate\'s only');
    }
  });

  it('replays transactions recorded in Postgres with their labels (unlabelled ones count in the mix, not in precision or recall)', async () => {
    const amounts = [300, 300, 300, 300, 300, 300, 50, 50, 50, 50, 50, 50];
    const txs = amounts.map((amount, i) => aTransaction({ amount: String(amount), customer_id: `pg-sim-${i}`, occurred_at: `2026-11-23T10:00:${String(10 + i).padStart(2, '0')}Z` }));
    const bulk = await stack.post('/v1/decisions/bulk', { transactions: txs });
    assert.equal(bulk.status, 200, JSON.stringify(bulk.body));
    const labels: [number, boolean][] = [[0, true], [1, true], [6, true], [7, false]];
    for (const [i, fraud] of labels) {
      const id = (txs[i] as { id: string }).id;
      await waitFor(async () => (await stack.get(`/v1/decisions/${id}`)).status === 200, 30_000, `${id} recorded`);
      const res = await stack.post('/v1/labels', { transaction_id: id, fraud, source: 'chargeback', known_at: '2026-11-23T12:00:00Z' });
      assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
    }
    for (const tx of txs) await waitFor(async () => (await stack.get(`/v1/decisions/${(tx as { id: string }).id}`)).status === 200, 30_000, 'recorded');
    const id = await startRun({ source: 'postgres', from: '2026-11-23', to: '2026-11-23', candidate: noModels(amountRuleset(220, 'review')), baseline: noModels(amountRuleset(1e9, 'review', 'never')) });
    const sim = await finished(id);
    assert.equal(sim.status, 'completed', JSON.stringify(sim));
    assert.equal(sim.to.slice(0, 10), '2026-11-23');
    const c = sim.result.candidate;
    assert.equal(c.transactions, 12);
    assert.deepEqual(c.decisions, { APPROVE: 6, REVIEW: 6, DECLINE: 0 });
    assert.equal(c.labelled, 4);
    assert.equal(c.frauds, 3);
    assert.deepEqual([c.true_positives, c.false_positives, c.false_negatives], [2, 0, 1]);
    assert.equal(c.fraud_amount_caught, 600);
    assert.equal(c.fraud_amount_missed, 50);
    assert.deepEqual(c.rules['Amount over 220'], { hits: 6, frauds: 2, precision: 1 });
  });

  it('cancels a running simulation', async () => {
    const id = await startRun({ from: '2018-05-01', to: '2018-08-31', candidate: { ruleset_version: 'default@1' } });
    await waitFor(async () => (await stack.get(`/v1/simulations/${id}`)).body.status === 'running', 60_000, 'running');
    const res = await stack.post(`/v1/simulations/${id}/cancel`, {});
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const sim = await finished(id);
    assert.equal(sim.status, 'cancelled');
    assert.equal(sim.result, null);
    assert.equal((await stack.post(`/v1/simulations/${id}/cancel`, {})).status, 409);
  });

  it('says a run failed when its workflow was terminated from Temporal\'s CLI, instead of running for ever', async () => {
    const id = await startRun({ from: '2018-05-01', to: '2018-08-31', candidate: { ruleset_version: 'default@1' } });
    await waitFor(async () => (await stack.get(`/v1/simulations/${id}`)).body.status === 'running', 60_000, 'running');
    const terminated = await temporalCli(['workflow', 'terminate', '--workflow-id', `simulation-${id}`, '--reason', 'operator mistake']);
    assert.equal(terminated.status, 0, terminated.stderr);
    const listed = (await stack.get('/v1/simulations')).body.simulations.find((s: { id: string }) => s.id === id);
    assert.equal(listed.status, 'failed', 'the listing says so');
    const sim = (await stack.get(`/v1/simulations/${id}`)).body;
    assert.equal(sim.status, 'failed');
    assert.equal(sim.error, `its workflow simulation-${id} was terminated outside FraudGuard`);
    assert.ok(sim.finished_at);
    assert.equal(sim.result, null);
  });
});
