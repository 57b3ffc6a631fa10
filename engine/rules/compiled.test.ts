import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRuleset, RulesNotFullyCompiled } from './compiled.ts';
import { createReferenceEvaluator } from './reference.ts';
import { RuleInvalid, type Condition, type CustomOperators, type Facts, type RuleInput, type RuleRun, type RulesDefinition, type TopLevelCondition } from './types.ts';

/** json-rules-engine's semantics, one at a time; each case also checks that both evaluators agree. */

const fact = (name: string, operator: string, value: unknown, extra: Partial<Condition> = {}): Condition => ({ fact: name, operator, value, ...extra } as Condition);
const rule = (name: string, conditions: TopLevelCondition, priority?: number): RuleInput =>
  ({ name, conditions, event: { type: 'tag', params: { tag: name } }, ...(priority === undefined ? {} : { priority }) });

async function evaluate(definition: RulesDefinition, facts: Facts, operators: CustomOperators = {}): Promise<RuleRun> {
  const compiled = compileRuleset(definition, { operators });
  const reference = await createReferenceEvaluator(definition, { operators }).evaluate(facts);
  const run = compiled.fallbacks.length === 0 ? compiled.evaluateSync(facts) : await compiled.evaluate(facts);
  assert.deepStrictEqual({ events: run.events, fired: run.fired, results: run.results }, reference);
  return run;
}

const names = (run: RuleRun) => run.results.map((r) => r.name);
/** The conditions directly under a rule's all / any, as plain records. */
function inner(run: RuleRun, ruleName: string): Record<string, unknown>[] {
  const root = run.results.find((r) => r.name === ruleName)?.conditions as unknown as Record<string, Record<string, unknown>[] | undefined>;
  return root['all'] ?? root['any'] ?? [];
}
const firedNames = (run: RuleRun) => run.fired.map((r) => r.name);

describe('compiled rules: order', () => {
  it('reports higher priorities first', async () => {
    const run = await evaluate({ rules: [rule('low', { all: [] }, 1), rule('high', { all: [] }, 10), rule('mid', { all: [] }, 5)] }, {});
    assert.deepEqual(names(run), ['high', 'mid', 'low']);
  });

  it('reports rules of equal priority in the order json-rules-engine settles them: fewer steps first, then as written', async () => {
    const three = rule('three conditions', { all: [fact('a', 'equal', 1), fact('b', 'equal', 1), fact('c', 'equal', 1)] });
    const one = rule('one condition', { all: [fact('a', 'equal', 1)] });
    const none = rule('no condition', { any: [] });
    const run = await evaluate({ rules: [three, one, none] }, { a: 1, b: 1, c: 1 });
    assert.deepEqual(names(run), ['no condition', 'one condition', 'three conditions']);
    assert.deepEqual(run.events.map((e) => e.params?.['tag']), ['no condition', 'one condition', 'three conditions']);
  });

  it('counts a path on a present fact as one more step', async () => {
    const withPath = rule('path', { all: [fact('o', 'equal', 1, { path: '$.x' })] });
    const plain = rule('plain', { not: fact('a', 'equal', 2) });
    assert.deepEqual(names(await evaluate({ rules: [plain, withPath] }, { a: 1, o: { x: 1 } })), ['plain', 'path']);
    assert.deepEqual(names(await evaluate({ rules: [plain, withPath] }, { a: 1 })), ['path', 'plain']);
  });
});

describe('compiled rules: conditions', () => {
  it('treats empty all and any as true', async () => {
    assert.deepEqual(firedNames(await evaluate({ rules: [rule('all', { all: [] }), rule('any', { any: [] })] }, {})), ['all', 'any']);
  });

  it('skips lower-priority conditions once an all is decided, and reports them without a result', async () => {
    const run = await evaluate({ rules: [rule('r', { all: [fact('a', 'equal', 1, { priority: 2 }), fact('b', 'equal', 1)] })] }, { a: 0, b: 1 });
    const [first, skipped] = inner(run, 'r');
    assert.equal(first?.['result'], false);
    assert.equal(first?.['factResult'], 0);
    assert.equal('result' in (skipped ?? {}), false);
  });

  it('evaluates every condition of one priority even when the first decides', async () => {
    const run = await evaluate({ rules: [rule('r', { any: [fact('a', 'equal', 1), fact('b', 'equal', 1)] })] }, { a: 1, b: 0 });
    assert.deepEqual(inner(run, 'r').map((c) => c['result']), [true, false]);
  });

  it("passes a one-condition all's raw operator result up, but counts only `true` among several", async () => {
    const operators = { one: (() => 1) as unknown as CustomOperators[string] };
    const run = await evaluate({ rules: [
      rule('alone', { all: [fact('a', 'one', null)] }),
      rule('together', { all: [fact('a', 'one', null), fact('a', 'equal', undefined)] }),
    ] }, {}, operators);
    assert.deepEqual(firedNames(run), ['alone']);
    assert.equal(run.results.find((r) => r.name === 'alone')?.result, 1);
  });

  it('reads a missing fact as undefined, and a path on a non-object as the value itself', async () => {
    const run = await evaluate({ rules: [
      rule('missing', { all: [fact('nothing', 'equal', undefined, { path: '$.a' })] }),
      rule('string', { all: [fact('s', 'equal', 'abc', { path: '$.length' })] }),
    ] }, { s: 'abc' });
    assert.deepEqual(firedNames(run), ['missing', 'string']);
  });

  it('follows JSONPath into objects, arrays and strings', async () => {
    const facts = { tx: { device: { ids: ['d1', 'd2'] }, 'card bin': '4111' }, s: 'xyz' };
    const run = await evaluate({ rules: [
      rule('dotted', { all: [fact('tx', 'equal', 'd2', { path: '$.device.ids[1]' })] }),
      rule('bracket', { all: [fact('tx', 'equal', '4111', { path: "$['card bin']" })] }),
      rule('array length', { all: [fact('tx', 'equal', 2, { path: '$.device.ids.length' })] }),
      rule('absent', { all: [fact('tx', 'equal', undefined, { path: '$.device.nothing[0]' })] }),
    ] }, facts);
    assert.deepEqual(firedNames(run), ['dotted', 'bracket', 'array length', 'absent']);
  });

  it('compares a fact with another fact, reporting both values', async () => {
    const run = await evaluate({ rules: [rule('r', { all: [fact('amount', 'greaterThan', { fact: 'limits', path: '$.daily' })] })] }, { amount: 300, limits: { daily: 250 } });
    const [condition] = inner(run, 'r');
    assert.equal(condition?.['factResult'], 300);
    assert.equal(condition?.['valueResult'], 250);
    assert.equal(condition?.['result'], true);
  });

  it('compares numbers as json-rules-engine does: numeric-looking values pass its number check, the comparison is JavaScript\'s', async () => {
    const run = await evaluate({ rules: [
      rule('numeric string', { all: [fact('a', 'greaterThan', 5)] }),
      rule('prefix only', { all: [fact('b', 'lessThan', 10)] }),
      rule('boolean', { all: [fact('c', 'greaterThanInclusive', 0)] }),
    ] }, { a: '10', b: '5abc', c: true });
    assert.deepEqual(firedNames(run), ['numeric string']);
  });

  it('applies operator decorators, innermost last in the name', async () => {
    const run = await evaluate({ rules: [
      rule('someFact', { all: [fact('tags', 'someFact:equal', 'vip')] }),
      rule('everyValue', { all: [fact('n', 'everyValue:lessThan', [5, 6])] }),
      rule('swap', { all: [fact('country', 'swap:contains', ['FR', 'DE'])] }),
      rule('not:in', { all: [fact('country', 'not:in', ['US'])] }),
      rule('not:someFact', { all: [fact('tags', 'not:someFact:equal', 'blocked')] }),
    ] }, { tags: ['new', 'vip'], n: 4, country: 'FR' });
    assert.deepEqual(firedNames(run), ['someFact', 'everyValue', 'swap', 'not:in', 'not:someFact']);
  });

  it('uses custom operators, which replace built-ins of the same name', async () => {
    const blocked = new Set(['dev-1']);
    const operators: CustomOperators = { inList: (v, list) => list === 'blocked' && blocked.has(String(v)), equal: (a, b) => a == b };
    const run = await evaluate({ rules: [
      rule('listed', { all: [fact('device_id', 'inList', 'blocked')] }),
      rule('loose equal', { all: [fact('amount', 'equal', '100')] }),
    ] }, { device_id: 'dev-1', amount: 100 }, operators);
    assert.deepEqual(firedNames(run), ['listed', 'loose equal']);
  });

  it('fails the evaluation, as json-rules-engine does, when `in` meets a value it cannot search', async () => {
    const definition = { rules: [rule('r', { all: [fact('a', 'in', 5)] })] };
    await assert.rejects(createReferenceEvaluator(definition).evaluate({ a: 1 }));
    assert.throws(() => compileRuleset(definition).evaluateSync({ a: 1 }), TypeError);
  });

  it('knows a fact named like an Object.prototype member only when it is given', async () => {
    const definition = { rules: [rule('r', { all: [fact('toString', 'equal', undefined)] })] };
    assert.deepEqual(firedNames(await evaluate(definition, {})), ['r']);
    assert.deepEqual(firedNames(await evaluate(definition, { toString: 'x' })), []);
  });
});

describe('compiled rules: shared conditions', () => {
  const conditions = { known: { all: [fact('tx_count_30d', 'greaterThanInclusive', 5)], name: 'known customer' } };

  it('replaces a reached reference by the shared tree, and leaves an unreached one as a reference', async () => {
    const run = await evaluate({ conditions, rules: [
      rule('reached', { all: [fact('amount', 'greaterThan', 100), { condition: 'known' }] }),
      rule('unreached', { all: [fact('amount', 'greaterThan', 1000, { priority: 2 }), { condition: 'known', name: 'ref' }] }),
    ] }, { amount: 500, tx_count_30d: 7 });
    const reached = inner(run, 'reached')[1];
    const unreached = inner(run, 'unreached')[1];
    assert.equal(reached?.['name'], 'known customer');
    assert.equal(reached?.['result'], true);
    assert.deepEqual(unreached, { condition: 'known', name: 'ref' });
  });

  it('refuses, when loading, a reference to a condition that does not exist or a cycle', () => {
    const missing = { rules: [rule('r', { condition: 'nope' })] };
    const cycle = { conditions: { a: { all: [{ condition: 'b' }] }, b: { any: [{ condition: 'a' }] } }, rules: [rule('r', { condition: 'a' })] };
    for (const definition of [missing, cycle] as RulesDefinition[]) {
      assert.throws(() => compileRuleset(definition), RuleInvalid);
      assert.throws(() => createReferenceEvaluator(definition), RuleInvalid);
    }
  });
});

describe('compiled rules: fallback to json-rules-engine', () => {
  const definition = { rules: [
    rule('wildcard', { all: [fact('items', 'contains', 3, { path: '$[*].qty' })] }, 2),
    rule('plain', { all: [fact('amount', 'greaterThan', 1)] }, 2),
    rule('other priority', { all: [fact('amount', 'greaterThan', 1)] }, 1),
  ] };

  it('hands a rule it does not compile to json-rules-engine, says why, and still agrees', async () => {
    const compiled = compileRuleset(definition);
    assert.deepEqual(compiled.fallbacks.map((f) => f.rule), ['wildcard']);
    assert.match(compiled.fallbacks[0]?.reason ?? '', /JSONPath/);
    const run = await evaluate(definition, { items: [{ qty: 3 }], amount: 5 });
    assert.deepEqual(firedNames(run), ['plain', 'wildcard', 'other priority']); // the path costs the wildcard rule a step
  });

  it('then answers only asynchronously', () => {
    assert.throws(() => compileRuleset(definition).evaluateSync({}), RulesNotFullyCompiled);
  });
});

describe('compiled rules: runs', () => {
  it('keeps each run\'s results to itself', () => {
    const compiled = compileRuleset({ rules: [rule('r', { all: [fact('a', 'equal', 1)] })] });
    const first = compiled.evaluateSync({ a: 1 });
    const second = compiled.evaluateSync({ a: 2 });
    assert.equal(first.results[0]?.result, true);
    assert.equal(second.results[0]?.result, false);
  });

  it('offers the same run asynchronously', async () => {
    const compiled = compileRuleset({ rules: [rule('r', { all: [fact('a', 'equal', 1)] })] });
    const facts = { a: 1 };
    const sync = compiled.evaluateSync(facts);
    const run = await compiled.evaluate(facts);
    assert.deepEqual({ ...run, results: run.results }, { events: sync.events, fired: sync.fired, results: sync.results });
  });

  it('refuses facts that are functions (json-rules-engine would call them)', () => {
    const compiled = compileRuleset({ rules: [rule('r', { all: [fact('a', 'equal', 1)] })] });
    assert.throws(() => compiled.evaluateSync({ a: () => 1 }), TypeError);
  });
});

describe('reference evaluator', () => {
  it('gives every concurrent evaluation all its rules (one json-rules-engine Engine must not run twice at once)', async () => {
    const slow = { all: [1, 2, 3, 4, 5, 6].map((p) => fact('a', 'equal', 1, { priority: p })) };
    const reference = createReferenceEvaluator({ rules: [rule('first', slow, 3), rule('second', { all: [] }, 2), rule('third', { all: [] }, 1)] });
    const [fast, long] = await Promise.all([reference.evaluate({ a: 0 }), reference.evaluate({ a: 1 })]);
    assert.deepEqual(names(fast), ['first', 'second', 'third']);
    assert.deepEqual(names(long), ['first', 'second', 'third']);
  });
});
