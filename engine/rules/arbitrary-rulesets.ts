import fc from 'fast-check';
import type { Condition, CustomOperators, Facts, RuleInput, RulesDefinition, TopLevelCondition } from './types.ts';

/**
 * fast-check arbitraries for the differential tests: rulesets over a small vocabulary (so that
 * comparisons often hold and short-circuits happen) and facts of mixed types, including the odd
 * corners json-rules-engine has an answer for — missing, undefined and null facts, numeric strings,
 * NaN and -0, facts named like Object.prototype members, paths into strings and arrays.
 */

export const FACT_NAMES = [
  'amount', 'customer.tx_count_1d', 'score.gbdt', 'device_id', 'tags', 'profile', 'items', 'flag', 'note', 'missing', 'toString', '__proto__',
] as const;

const LISTS: Record<string, Set<string>> = { blocked: new Set(['d1', 'a', '5', 'true']), vip: new Set(['c7', '1']) };

/** Custom operators of three kinds: a list lookup, one whose name has a colon, one returning non-booleans. */
export const CUSTOM_OPERATORS: CustomOperators = {
  inList: (value, list) => typeof list === 'string' && value !== undefined && value !== null && (LISTS[list]?.has(String(value)) ?? false),
  'is:set': (value) => value !== undefined && value !== null,
  // json-rules-engine passes an operator's raw return value through; the compiled evaluator must too.
  raw: ((value: unknown, other: unknown) => (Array.isArray(value) ? value.length : value === other ? 'yes' : 0)) as unknown as (a: unknown, b: unknown) => boolean,
};

/** The same, with a built-in replaced (custom operators win over built-ins of the same name). */
export const OVERRIDING_OPERATORS: CustomOperators = { ...CUSTOM_OPERATORS, notEqual: (a, b) => a != b };

const scalar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -1, max: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 2.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21) },
  { weight: 3, arbitrary: fc.constantFrom('', '5', '5abc', 'abc', 'a', 'd1', 'c7', '1', 'true') },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined) },
);
const list = fc.array(scalar, { maxLength: 4 });
const record = fc.record({ a: fc.oneof(scalar, list), b: fc.oneof(scalar, fc.record({ c: scalar }, { noNullPrototype: true })), 0: scalar }, { requiredKeys: [], noNullPrototype: true });
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: list },
  { weight: 2, arbitrary: record },
  { weight: 1, arbitrary: fc.array(record, { maxLength: 3 }) },
);

/** Facts: a plain object naming some of FACT_NAMES (present-but-undefined included). */
export const factsArb: fc.Arbitrary<Facts> = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...FACT_NAMES.filter((n) => n !== 'missing')), value), { selector: ([name]) => name, maxLength: 10 })
  .map((entries) => Object.fromEntries(entries));

const COMPILED_PATHS = ['$', '$.a', '$.b.c', '$[0]', '$.a[1]', "$['a']", '$["b"].c', '$.0', '$.a.length', '$[1].a', '$.length', "$['b']['c']"];
/** Paths the compiled evaluator leaves to json-rules-engine (their rules fall back). */
const FALLBACK_PATHS = ['$.*', '$..c', '$.a[-1:]', '$[0,1]'];
const path = fc.oneof({ weight: 150, arbitrary: fc.constantFrom(...COMPILED_PATHS) }, { weight: 1, arbitrary: fc.constantFrom(...FALLBACK_PATHS) });

const BASE_OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain', 'inList', 'is:set', 'raw'];
const DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];
/**
 * Operators with 0–2 decorators. json-rules-engine throws when `in` / `notIn` meet a value without
 * indexOf or someValue / everyValue a value that is not an array, and one throw fails the whole run;
 * combinations that would make that the usual case are left out so that most runs succeed (those
 * that fail must fail in both evaluators, and do).
 */
const decorated = fc.tuple(fc.array(fc.constantFrom(...DECORATORS), { maxLength: 2 }), fc.constantFrom(...BASE_OPERATORS)).map(([ds, op]) => {
  const overValues = (d: string): boolean => d === 'someValue' || d === 'everyValue';
  const onValues = ds.some(overValues);
  const listOp = op === 'in' || op === 'notIn';
  // One someValue / everyValue at most: a second would iterate over the first's elements.
  const kept = ds.filter((d, i) => !(d === 'swap' && (onValues || listOp)) && !(overValues(d) && (listOp || ds.findIndex(overValues) < i)));
  return [...kept, op].join(':');
});
const operator = fc.oneof(
  { weight: 400, arbitrary: decorated },
  { weight: 1, arbitrary: fc.constantFrom('nope', 'bogus:equal', ':equal', 'not:') },
);

/** A literal suited to the operator most of the time (arrays where json-rules-engine calls indexOf / some / every on it). */
function literalFor(op: string): fc.Arbitrary<unknown> {
  const overValues = /(^|:)(someValue|everyValue)(:|$)/.test(op);
  const listName = fc.constantFrom('blocked', 'vip', 'nolist');
  if (op.endsWith('inList')) return overValues ? fc.array(listName, { maxLength: 3 }) : listName;
  const wantsArray = /(^|:)(in|notIn)$/.test(op) || overValues;
  return wantsArray ? fc.oneof({ weight: 1000, arbitrary: list }, { weight: 1, arbitrary: value }) : value;
}

function comparedArb(op: string): fc.Arbitrary<unknown> {
  const otherFact = fc.record({ fact: fc.constantFrom(...FACT_NAMES), path: fc.option(path, { nil: undefined, freq: 2 }) });
  // Another fact is rarely an array: keep fact-to-fact comparisons for operators that accept any value.
  const risky = /(^|:)(in|notIn|someValue|everyValue)(:|$)/.test(op);
  return fc.oneof({ weight: risky ? 1000 : 5, arbitrary: literalFor(op) }, { weight: 1, arbitrary: otherFact });
}

const priority = fc.option(fc.constantFrom(1, 2, 3, 2.5), { nil: undefined, freq: 2 });
const name = fc.option(fc.constantFrom('x', 'y'), { nil: undefined, freq: 4 });

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (base as Record<string, unknown>)[k] = v;
  return base;
}

const factCondition: fc.Arbitrary<Condition> = operator.chain((op) => fc.record({
  fact: fc.constantFrom(...FACT_NAMES),
  path: fc.option(path, { nil: undefined, freq: 3 }),
  value: comparedArb(op),
  priority, name,
}).map(({ fact, path: p, value: v, priority: pr, name: n }) => {
  const compared = v !== null && typeof v === 'object' && 'fact' in v ? withOptional({ fact: v.fact }, { path: (v as { path?: string }).path }) : v;
  return withOptional({ fact, operator: op, value: compared }, { path: p, priority: pr, name: n }) as Condition;
}));

function conditionArb(depth: number, refs: readonly string[]): fc.Arbitrary<Condition> {
  if (depth === 0) return factCondition;
  const options: fc.WeightedArbitrary<Condition>[] = [
    { weight: 4, arbitrary: factCondition },
    { weight: 3, arbitrary: topLevelArb(depth, refs) },
  ];
  return fc.oneof(...options);
}

/** all / any / not / a shared-condition reference, `depth` levels deep at most. */
export function topLevelArb(depth: number, refs: readonly string[]): fc.Arbitrary<TopLevelCondition> {
  const child = conditionArb(depth - 1, refs);
  const meta = fc.record({ priority, name });
  const choices: fc.WeightedArbitrary<TopLevelCondition>[] = [
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('all', 'any'), fc.array(child, { maxLength: 4 }), meta).map(([k, cs, m]) => withOptional({ [k]: cs } as unknown as TopLevelCondition, m)) },
    { weight: 1, arbitrary: fc.tuple(child, meta).map(([c, m]) => withOptional({ not: c } as TopLevelCondition, m)) },
  ];
  if (refs.length > 0) {
    choices.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...refs), meta).map(([c, m]) => withOptional({ condition: c } as TopLevelCondition, m)) });
  }
  return fc.oneof(...choices);
}

const SHARED = ['knownCustomer', 'riskyDevice', 'highValue'];

/** A ruleset: up to 8 rules over three shared conditions (each may use the ones before it), with custom operators. */
export const rulesetArb: fc.Arbitrary<{ definition: RulesDefinition; operators: CustomOperators }> = fc.record({
  shared: fc.tuple(topLevelArb(2, []), topLevelArb(2, SHARED.slice(0, 1)), topLevelArb(2, SHARED.slice(0, 2))),
  rules: fc.array(fc.record({
    priority: fc.option(fc.constantFrom(1, 2, 3, 10, 2.5), { nil: undefined, freq: 3 }),
    conditions: topLevelArb(3, SHARED),
    params: fc.option(fc.record({ code: fc.constantFrom('A', 'B'), delta: fc.constantFrom(0.1, 0.5) }), { nil: undefined }),
    type: fc.constantFrom('decline', 'review', 'tag'),
  }), { minLength: 1, maxLength: 8 }),
  overriding: fc.boolean(),
}).map(({ shared, rules, overriding }) => ({
  definition: {
    conditions: Object.fromEntries(SHARED.map((n, i) => [n, shared[i] as TopLevelCondition])),
    rules: rules.map((r, i): RuleInput => withOptional(
      { name: `rule ${i}`, conditions: r.conditions, event: withOptional({ type: r.type }, { params: r.params }) },
      { priority: r.priority },
    )),
  },
  operators: overriding ? OVERRIDING_OPERATORS : CUSTOM_OPERATORS,
}));
