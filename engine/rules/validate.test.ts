import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KNOWN_OPERATORS, productFacts, validateRuleset, type KnownNames } from './validate.ts';

const known: KnownNames = {
  facts: productFacts(),
  operators: KNOWN_OPERATORS,
  lists: new Set(['blocked_devices', 'blocked_emails', 'blocked_customers', 'allowed_customers']),
};

/** A one-rule ruleset around `condition` (inside "all"), with a review event unless told otherwise. */
function withCondition(condition: unknown, event: unknown = { type: 'review' }): Record<string, unknown> {
  return { name: 'test', rules: [{ name: 'r', conditions: { all: [condition] }, event }] };
}

/** The problems as "path: reason" lines. */
function problems(doc: unknown, names: KnownNames = known): string[] {
  const result = validateRuleset(doc, names);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.reason}`);
}

function assertProblem(doc: unknown, path: string, reason: RegExp): void {
  const found = problems(doc);
  assert.ok(found.some((line) => line.startsWith(`${path}: `) && reason.test(line.slice(path.length + 2))),
    `expected ${path}: ${reason}, got:\n${found.join('\n')}`);
}

describe('validateRuleset', () => {
  it('accepts the default ruleset and returns it parsed, with the policy defaults filled in', () => {
    const doc = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../rules/default.json'), 'utf8'));
    const result = validateRuleset(doc, known);
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.problems));
    const bare = validateRuleset({ name: 'bare', rules: [] }, known);
    assert.ok(bare.ok);
    assert.deepEqual(bare.ruleset.policy.precedence, ['DECLINE', 'REVIEW', 'APPROVE']);
  });

  it('accepts every json-rules-engine construct: all / any / not, shared conditions, path, fact-to-fact, decorators, priorities, params', () => {
    const doc = {
      name: 'everything',
      conditions: { big: { any: [{ fact: 'amount', operator: 'greaterThan', value: 1000 }, { fact: 'score.gbdt', operator: 'greaterThanInclusive', value: 0.8 }] } },
      rules: [{
        name: 'all of it', priority: 10,
        conditions: { all: [
          { condition: 'big' },
          { not: { fact: 'country', operator: 'in', value: ['FR', 'DE'] } },
          { fact: 'metadata', path: '$.account.age_days', operator: 'lessThan', value: 30, priority: 2 },
          { fact: 'amount', operator: 'greaterThan', value: { fact: 'customer.amount_mean_30d' } },
          { fact: 'device_id', operator: 'notInList', value: 'blocked_devices' },
          { fact: 'metadata', path: '$.tags', operator: 'everyFact:notEqual', value: 'test' },
          { fact: 'amount', operator: 'not:equal', value: 0 },
          { fact: 'amount', operator: 'someValue:greaterThan', value: [10, 20] },
          { fact: 'country', operator: 'swap:contains', value: ['FR', 'DE'] },
          { fact: 'score', operator: 'greaterThan', value: 0.5 },
        ] },
        event: { type: 'score', params: { delta: 0.25, code: 'EVERYTHING', anything: { nested: true } } },
      }],
    };
    assert.deepEqual(problems(doc), []);
  });

  describe('reports bad structure at its JSON path', () => {
    it('a comparison without a value', () => {
      assertProblem(withCondition({ fact: 'amount', operator: 'equal' }), '$.rules[0].conditions.all[0].value', /^is required$/);
    });
    it('a wrongly typed field', () => {
      assertProblem(withCondition({ fact: 'amount', operator: 5, value: 1 }), '$.rules[0].conditions.all[0].operator', /must be a string, not the number 5/);
    });
    it('a misspelt property, with the likely one', () => {
      assertProblem({ name: 'x', rules: [{ name: 'r', priorty: 2, conditions: { all: [] }, event: { type: 'review' } }] },
        '$.rules[0].priorty', /not a property here; did you mean "priority"\?/);
    });
    it('a single comparison used as a rule\'s whole conditions', () => {
      assertProblem({ name: 'x', rules: [{ name: 'r', conditions: { fact: 'amount', operator: 'equal', value: 1 }, event: { type: 'review' } }] },
        '$.rules[0].conditions', /put a single comparison inside "all"/);
    });
    it('an object that is no kind of condition', () => {
      assertProblem(withCondition({ any: [{ feet: 'amount' }] }), '$.rules[0].conditions.all[0].any[0]', /must be a condition/);
    });
    it('an unknown event type', () => {
      assertProblem(withCondition({ fact: 'amount', operator: 'equal', value: 1 }, { type: 'block' }), '$.rules[0].event.type', /must be one of: "decline", "review"/);
    });
    it('a document that is not an object, or lacks its name', () => {
      assert.deepEqual(problems([]), ['$: must be an object, not an array']);
      assert.deepEqual(problems({ rules: [] }), ['$.name: is required']);
    });
    it('thresholds in the wrong order', () => {
      assertProblem({ name: 'x', rules: [], policy: { thresholds: { review: 0.9, decline: 0.5 } } }, '$.policy.thresholds.review', /must not exceed decline/);
    });
  });

  it('reports an unknown fact, suggesting the likely one', () => {
    assertProblem(withCondition({ fact: 'amout', operator: 'greaterThan', value: 1 }), '$.rules[0].conditions.all[0].fact', /^unknown fact "amout"; did you mean "amount"\?$/);
    assertProblem(withCondition({ fact: 'customer.tx_count_1', operator: 'greaterThan', value: 1 }), '$.rules[0].conditions.all[0].fact', /did you mean "customer.tx_count_1h"/);
  });

  it('takes the known facts as a predicate too', () => {
    const names = { ...known, facts: (name: string) => name.startsWith('x.') };
    assert.deepEqual(problems(withCondition({ fact: 'x.anything', operator: 'equal', value: 1 }), names), []);
    assert.deepEqual(problems(withCondition({ fact: 'amount', operator: 'equal', value: 1 }), names), ['$.rules[0].conditions.all[0].fact: unknown fact "amount"']);
  });

  it('knows every model score as score.<role>', () => {
    assert.deepEqual(problems(withCondition({ fact: 'score.anomaly', operator: 'greaterThan', value: 0.9 })), []);
    assertProblem(withCondition({ fact: 'score.Bad-Role', operator: 'greaterThan', value: 0.9 }), '$.rules[0].conditions.all[0].fact', /unknown fact/);
  });

  it('reports an unknown operator or decorator, suggesting the likely one', () => {
    assertProblem(withCondition({ fact: 'amount', operator: 'greaterThen', value: 1 }), '$.rules[0].conditions.all[0].operator', /unknown operator "greaterThen"; did you mean "greaterThan"\?/);
    assertProblem(withCondition({ fact: 'amount', operator: 'nto:equal', value: 1 }), '$.rules[0].conditions.all[0].operator', /unknown operator decorator "nto" in "nto:equal"; did you mean "not"\?/);
    assertProblem(withCondition({ fact: 'amount', operator: 'not:equals', value: 1 }), '$.rules[0].conditions.all[0].operator', /unknown operator "equals" after the decorator in "not:equals"; did you mean "equal"\?/);
  });

  describe('reports a value of the wrong type for its operator', () => {
    const at = '$.rules[0].conditions.all[0].value';
    it('a number comparison with a string', () => {
      assertProblem(withCondition({ fact: 'amount', operator: 'greaterThan', value: '100' }), at, /greaterThan compares numbers: value must be a number, not the string "100"/);
    });
    it('in / notIn without an array', () => {
      assertProblem(withCondition({ fact: 'country', operator: 'in', value: 'FR' }), at, /in looks the fact up in a list of values: value must be an array/);
      assertProblem(withCondition({ fact: 'country', operator: 'not:notIn', value: 3 }), at, /notIn .*must be an array, not the number 3/);
    });
    it('equal with an object, which === never matches', () => {
      assertProblem(withCondition({ fact: 'country', operator: 'equal', value: ['FR'] }), at, /equal compares with ===/);
    });
    it('inList naming a list that does not exist, or not naming one', () => {
      assertProblem(withCondition({ fact: 'device_id', operator: 'inList', value: 'blocked_device' }), at, /no list named "blocked_device"; did you mean "blocked_devices"\? \(known lists: /);
      assertProblem(withCondition({ fact: 'device_id', operator: 'inList', value: ['blocked_devices'] }), at, /inList needs the name of a list: value must be a string, not an array/);
    });
    it('a decorator spreading over a value that is not an array, with the element at fault', () => {
      assertProblem(withCondition({ fact: 'amount', operator: 'everyValue:greaterThan', value: 5 }), at, /"everyValue" decorator .* must be an array/);
      assertProblem(withCondition({ fact: 'amount', operator: 'someValue:greaterThan', value: [1, 'two'] }), `${at}[1]`, /greaterThan compares numbers/);
    });
    it('swap moving the value to the fact\'s side', () => {
      assertProblem(withCondition({ fact: 'country', operator: 'swap:contains', value: 'FR' }), at, /swap:contains looks for the fact in value: value must be an array/);
    });
  });

  it('reports a reference to a shared condition that does not exist, and shared conditions in a cycle', () => {
    assertProblem({ name: 'x', conditions: { knownCustomer: { all: [] } }, rules: [{ name: 'r', conditions: { all: [{ condition: 'knownCustomr' }] }, event: { type: 'review' } }] },
      '$.rules[0].conditions.all[0].condition', /no shared condition named "knownCustomr"; did you mean "knownCustomer"\?/);
    assertProblem(withCondition({ condition: 'nothing' }), '$.rules[0].conditions.all[0].condition', /defines none under \$.conditions/);
    const cyclic = { name: 'x', conditions: { a: { all: [{ condition: 'b' }] }, b: { not: { condition: 'a' } } }, rules: [] };
    assertProblem(cyclic, '$.conditions.b.not.condition', /cycle: a → b → a/);
  });

  it('reports a rule name used twice, at the second use', () => {
    const rule = { name: 'Same', conditions: { all: [] }, event: { type: 'review' } };
    assertProblem({ name: 'x', rules: [rule, { ...rule }] }, '$.rules[1].name', /"Same" is already used by \$.rules\[0\]/);
  });

  it('reports a score event without a numeric delta', () => {
    assertProblem(withCondition({ fact: 'amount', operator: 'greaterThan', value: 1 }, { type: 'score' }), '$.rules[0].event.params.delta', /needs params.delta/);
    assertProblem(withCondition({ fact: 'amount', operator: 'greaterThan', value: 1 }, { type: 'score', params: { delta: '0.5' } }), '$.rules[0].event.params.delta', /must be a number/);
  });

  it('reports a fact-to-fact comparison naming an unknown fact', () => {
    assertProblem(withCondition({ fact: 'amount', operator: 'greaterThan', value: { fact: 'customer.amount_mean_7', path: '$' } }),
      '$.rules[0].conditions.all[0].value.fact', /unknown fact "customer.amount_mean_7"; did you mean "customer.amount_mean_7d"\?/);
  });

  it('reports every fault at once, paths quoting names that are not identifiers', () => {
    const doc = { name: 'x', conditions: { 'late-night': { all: [{ fact: 'hour', operator: 'equal', value: 1 }] } }, rules: [
      { name: 'r', conditions: { all: [{ fact: 'amout', operator: 'greaterThan', value: 'x' }] }, event: { type: 'score' } }] };
    assert.deepEqual(problems(doc), [
      "$.conditions['late-night'].all[0].fact: unknown fact \"hour\"",
      '$.rules[0].conditions.all[0].fact: unknown fact "amout"; did you mean "amount"?',
      '$.rules[0].conditions.all[0].value: greaterThan compares numbers: value must be a number, not the string "x"',
      '$.rules[0].event.params.delta: a "score" event needs params.delta: the number (from -1 to 1) it adds to the score',
    ]);
  });
});
