import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listOperators } from '../../activities/ruleset-cache.ts';
import type { FeatureDefinition } from '../../engine/features/definitions.ts';
import { bucketOf } from '../../engine/routing.ts';
import { rulesetSchema } from '../../engine/rules/ruleset.ts';
import { figuresOf, merge } from '../../simulations/metrics.ts';
import { simulationModels, simulationScorer } from '../../simulations/model-scorer.ts';
import { createOnnxScorer } from '../../activities/onnx-scorer.ts';
import { replayRange } from '../../simulations/replay-range.ts';
import { loadSide } from '../../simulations/sides.ts';
import { dayStartMs } from '../../simulations/spec.ts';
import { amountRuleset, DATA_DIR, defaultRuleset, expectedFigures, readSlice } from './fixtures.ts';

const operators = listOperators({ has: () => false });
const scorer = simulationScorer(createOnnxScorer({ load: simulationModels({}) }));
const side = (name: string, document: unknown) => loadSide(name, { label: name, rulesetVersion: name, document: rulesetSchema.parse(document), modelVersions: [] }, operators);
const source = { kind: 'dataset' as const, dir: DATA_DIR };

describe('replaying a stretch of the data set through a candidate beside a baseline', () => {
  it('gives the figures computed independently from the labels for a one-rule candidate', async () => {
    const rows = readSlice('2018-04-01', '2018-04-02');
    const want = expectedFigures(rows, (r) => r.amount > 220);
    const { counts } = await replayRange({
      source, fromMs: dayStartMs('2018-04-01'), toMs: dayStartMs('2018-04-03'),
      candidate: side('candidate', amountRuleset(220, 'decline')), baseline: side('baseline', amountRuleset(1e9, 'review', 'never')), scorer,
    });
    const c = figuresOf(counts.candidate);
    assert.equal(c.transactions, want.transactions);
    assert.deepEqual(c.decisions, { APPROVE: want.transactions - want.flagged, REVIEW: 0, DECLINE: want.flagged });
    assert.equal(c.frauds, want.frauds);
    assert.equal(c.labelled, want.transactions);
    assert.equal(c.truePositives, want.truePositives);
    assert.equal(c.falsePositives, want.falsePositives);
    assert.equal(c.falseNegatives, want.falseNegatives);
    assert.ok(Math.abs((c.precision ?? -1) - want.precision) < 1e-12);
    assert.ok(Math.abs((c.recall ?? -1) - want.recall) < 1e-12);
    assert.ok(Math.abs((c.f1 ?? -1) - want.f1) < 1e-12);
    assert.ok(Math.abs((c.falsePositiveRate ?? -1) - want.falsePositiveRate) < 1e-12);
    assert.equal(c.fraudAmountCaught, want.fraudAmountCaught);
    assert.equal(c.fraudAmountMissed, want.fraudAmountMissed);
    assert.equal(c.reviewWorkload, 0);
    assert.deepEqual(c.rules, { 'Amount over 220': { hits: want.flagged, frauds: want.truePositives, precision: want.truePositives / want.flagged } });
    for (const [day, d] of Object.entries(want.days)) {
      assert.deepEqual(c.daily[day], { transactions: d.transactions, decline: d.flagged, review: 0, frauds: d.frauds, caught: d.caught }, day);
    }
    const b = figuresOf(counts.baseline);
    assert.equal(b.decisions.APPROVE, want.transactions);
    assert.equal(b.recall, 0);
    assert.equal(counts.changed.total, want.flagged, 'every flagged transaction is a changed decision');
  });

  it('converts amounts with the rates production decides with (amount_base)', async () => {
    const rows = readSlice('2018-04-01', '2018-04-01');
    const want = expectedFigures(rows, (r) => Math.round(r.amount * 0.5 * 100) / 100 > 100);
    const inBase = { name: 'in-base', rules: [{ name: 'Over 100 in base', conditions: { all: [{ fact: 'amount_base', operator: 'greaterThan', value: 100 }] }, event: { type: 'decline' } }] };
    const { counts } = await replayRange({
      source, fromMs: dayStartMs('2018-04-01'), toMs: dayStartMs('2018-04-02'), fxRates: { USD: 1, EUR: 0.5 },
      candidate: side('candidate', inBase), baseline: side('baseline', amountRuleset(1e9, 'review', 'never')), scorer,
    });
    assert.ok(want.flagged > 0);
    assert.deepEqual(figuresOf(counts.candidate).decisions, { APPROVE: want.transactions - want.flagged, REVIEW: 0, DECLINE: want.flagged });
  });

  it('changes no decision when the candidate is the baseline', async () => {
    const { counts } = await replayRange({
      source, fromMs: dayStartMs('2018-04-01'), toMs: dayStartMs('2018-04-02'),
      candidate: side('candidate', defaultRuleset()), baseline: side('baseline', defaultRuleset()), scorer,
    });
    assert.ok(counts.transactions > 9000);
    assert.equal(counts.changed.total, 0);
    assert.deepEqual(counts.candidate, counts.baseline);
  });

  it('changes exactly the transactions the one added rule matches', async () => {
    const base = defaultRuleset();
    const added = { name: 'Very large amount', priority: 5, conditions: { all: [{ fact: 'amount', operator: 'greaterThanInclusive', value: 200 }] },
      event: { type: 'decline', params: { code: 'VERY_LARGE', reason: 'Amount of 200 or more' } } };
    const { counts } = await replayRange({
      source, fromMs: dayStartMs('2018-04-01'), toMs: dayStartMs('2018-04-03'),
      candidate: side('candidate', { ...base, rules: [...base.rules, added] }), baseline: side('baseline', base), scorer,
    });
    // Without models and with empty block lists the default ruleset never declines: every match changes.
    const expected = readSlice('2018-04-01', '2018-04-02').filter((r) => r.amount >= 200).map((r) => r.id).sort();
    assert.ok(expected.length > 0);
    assert.equal(counts.baseline.decisions.DECLINE, 0);
    assert.equal(counts.changed.total, expected.length);
    assert.deepEqual(counts.changed.sample.map((c) => c.transactionId).sort(), expected);
    for (const change of counts.changed.sample) {
      assert.equal(change.candidate.decision, 'DECLINE');
      assert.ok(change.candidate.reasons.includes('Amount of 200 or more'), JSON.stringify(change));
      assert.notEqual(change.baseline.decision, 'DECLINE');
    }
  });

  it('decides each transaction by the arm a candidate deployment routes it to', async () => {
    const never = rulesetSchema.parse(amountRuleset(1e9, 'review', 'never'));
    const strict = rulesetSchema.parse(amountRuleset(220, 'decline', 'strict'));
    const spec = { champion: { name: 'champion', rulesetVersion: 'never@1', modelVersions: [] },
      challengers: [{ name: 'strict', rulesetVersion: 'strict@1', modelVersions: [], share: 30, shadow: false }], routingKey: 'customer_id' as const, salt: 'sim-test' };
    const candidate = loadSide('candidate', { label: 'deployment', rulesetVersion: 'never@1', document: never, modelVersions: [],
      deployment: { spec, documents: { 'never@1': never, 'strict@1': strict } } }, operators);
    const { counts } = await replayRange({
      source, fromMs: dayStartMs('2018-04-01'), toMs: dayStartMs('2018-04-02'), candidate, baseline: side('baseline', never), scorer,
    });
    const routed = (customer: string) => bucketOf(`sim-test:${customer}`) < 3000;
    const expected = readSlice('2018-04-01', '2018-04-01').filter((r) => r.amount > 220 && routed(r.customer)).map((r) => r.id).sort();
    assert.ok(expected.length > 0);
    assert.ok(expected.length < readSlice('2018-04-01', '2018-04-01').filter((r) => r.amount > 220).length, 'the champion keeps the rest');
    assert.deepEqual(counts.changed.sample.map((c) => c.transactionId).sort(), expected);
    assert.equal(counts.candidate.decisions.DECLINE, expected.length);
  });

  it('counts the same in chunks (windows warmed by replay, or the store handed on) as in one run', async () => {
    // Short windows, so the warm-up (window + delay + a day) starts well after the data set does.
    const HOUR = 3_600_000;
    const definitions: FeatureDefinition[] = [
      { name: 'customer.tx_count_6h', entity: 'customer', aggregate: 'count', windowMs: 6 * HOUR, description: '' },
      { name: 'customer.amount_mean_6h', entity: 'customer', aggregate: 'mean', windowMs: 6 * HOUR, description: '' },
      { name: 'terminal.tx_count_1h', entity: 'merchant', aggregate: 'count', windowMs: HOUR, description: '' },
      { name: 'customer.fraud_rate_6h_delay2h', entity: 'customer', aggregate: 'fraud_rate', windowMs: 6 * HOUR, delayMs: 2 * HOUR, description: '' },
    ];
    const rules = {
      name: 'windows',
      rules: [
        { name: 'Busy customer', conditions: { all: [{ fact: 'customer.tx_count_6h', operator: 'greaterThanInclusive', value: 2 }] }, event: { type: 'review', params: { reason: 'busy' } } },
        { name: 'Above mean', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: { fact: 'customer.amount_mean_6h' } }] }, event: { type: 'tag', params: { tag: 'above' } } },
        { name: 'Busy terminal', conditions: { all: [{ fact: 'terminal.tx_count_1h', operator: 'greaterThanInclusive', value: 1 }] }, event: { type: 'tag', params: { tag: 'busy' } } },
        { name: 'Risky terminal', conditions: { all: [{ fact: 'customer.fraud_rate_6h_delay2h', operator: 'greaterThan', value: 0 }] }, event: { type: 'decline', params: { reason: 'risky' } } },
      ],
    };
    const at = (hour: number) => dayStartMs('2018-04-03') + hour * HOUR;
    const run = (fromHour: number, toHour: number, store?: Awaited<ReturnType<typeof replayRange>>['store']) => replayRange({
      source, fromMs: at(fromHour), toMs: at(toHour), definitions, store,
      candidate: side('candidate', rules), baseline: side('baseline', amountRuleset(220, 'review')), scorer,
    });
    const whole = await run(0, 24);
    const firstHalf = await run(0, 13);
    const warmed = await run(13, 24);
    const handedOn = await run(13, 24, firstHalf.store);
    assert.ok(whole.counts.candidate.rules['Risky terminal']?.hits, 'the delayed fraud rate fires: labels reach the windows');
    assert.ok(whole.counts.candidate.rules['Busy customer']?.hits);
    for (const second of [warmed, handedOn]) {
      assert.equal(firstHalf.counts.transactions + second.counts.transactions, whole.counts.transactions);
      assert.deepEqual(figuresOf(merge(firstHalf.counts.candidate, second.counts.candidate)), figuresOf(whole.counts.candidate));
      assert.equal(firstHalf.counts.changed.total + second.counts.changed.total, whole.counts.changed.total);
    }
  });
});
