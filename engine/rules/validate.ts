import { TRANSACTION_FACTS } from '../facts.ts';
import { featureNames } from '../features/definitions.ts';
import { BUILT_IN_OPERATORS, OPERATOR_DECORATORS } from './operators.ts';
import { rulesetSchema, type Ruleset } from './ruleset.ts';
import { describe, isObject, jsonPath, problemsFromIssues, type PathSegment, type RulesetProblem } from './schema-problems.ts';
import { closest, didYouMean } from './suggest.ts';

export type { RulesetProblem };

/** Operators whose value names a list (stored in Postgres, managed through /v1/lists). */
export const LIST_OPERATORS = ['inList', 'notInList'] as const;

/** Every operator a ruleset may name undecorated: json-rules-engine's built-ins and ours. */
export const KNOWN_OPERATORS: ReadonlySet<string> = new Set([...BUILT_IN_OPERATORS, ...LIST_OPERATORS]);

/** Facts a rule may name: a set of names, or anything with `has` that lists the names worth suggesting, or a predicate. */
export type KnownFacts = ({ has(name: string): boolean } & Iterable<string>) | ((name: string) => boolean);

export interface KnownNames {
  facts: KnownFacts;
  operators: ReadonlySet<string>;
  lists: ReadonlySet<string>;
}

export type ValidationResult = { ok: true; ruleset: Ruleset } | { ok: false; problems: RulesetProblem[] };

const SCORE_FACT = /^score\.[a-z][a-z0-9_]{0,31}$/;

/**
 * The facts engine/facts.ts provides: the transaction's fields and helpers, every feature by name,
 * the arm's combined `score` and each model's `score.<role>` (any role a model can be registered with).
 */
export function productFacts(features: readonly string[] = featureNames()): KnownFacts {
  const names = [...TRANSACTION_FACTS, ...features, 'score'];
  const set = new Set(names);
  return { has: (name) => set.has(name) || SCORE_FACT.test(name), [Symbol.iterator]: () => names[Symbol.iterator]() };
}

/**
 * Checks a ruleset document as the API, the CLI and the editor need it checked: its structure (the
 * zod schema, which also generates rules/ruleset.schema.json), then what a schema cannot say —
 * facts, operators and lists that exist, values of the type their operator compares, shared
 * conditions that exist and do not refer to each other in a cycle, rule names used once, score
 * events with a delta. Every fault is reported (not only the first), each with its JSON path.
 */
export function validateRuleset(input: unknown, known: KnownNames): ValidationResult {
  const parsed = rulesetSchema.safeParse(input);
  const problems = parsed.success ? [] : problemsFromIssues(parsed.error.issues, input);
  problems.push(...semanticProblems(input, known));
  if (parsed.success && problems.length === 0) return { ok: true, ruleset: parsed.data };
  return { ok: false, problems: dedupe(problems) };
}

function semanticProblems(doc: unknown, known: KnownNames): RulesetProblem[] {
  if (!isObject(doc)) return [];
  const problems: RulesetProblem[] = [];
  const report = (path: readonly PathSegment[], reason: string) => problems.push({ path: jsonPath(path), reason });
  const shared = isObject(doc['conditions']) ? doc['conditions'] : {};
  // Which shared conditions each shared condition refers to, and where (for cycles).
  const references = new Map<string, { name: string; path: PathSegment[] }[]>();

  const walk = (node: unknown, path: PathSegment[], owner: string | null): void => {
    if (!isObject(node)) return;
    for (const key of ['all', 'any'] as const) {
      const children = node[key];
      if (Array.isArray(children)) children.forEach((child, i) => walk(child, [...path, key, i], owner));
    }
    if (Object.hasOwn(node, 'not')) walk(node['not'], [...path, 'not'], owner);
    const ref = node['condition'];
    if (typeof ref === 'string') {
      if (!Object.hasOwn(shared, ref)) {
        const defined = Object.keys(shared);
        report([...path, 'condition'], `no shared condition named ${JSON.stringify(ref)}${defined.length
          ? didYouMean(ref, defined) : ' (the ruleset defines none under $.conditions)'}`);
      } else if (owner !== null) {
        references.get(owner)?.push({ name: ref, path: [...path, 'condition'] });
      }
    }
    if (typeof node['fact'] === 'string') checkComparison(node, path, known, report);
  };

  for (const [name, condition] of Object.entries(shared)) {
    references.set(name, []);
    walk(condition, ['conditions', name], name);
  }
  const rules = Array.isArray(doc['rules']) ? doc['rules'] : [];
  const firstUse = new Map<string, number>();
  rules.forEach((rule, i) => {
    if (!isObject(rule)) return;
    const name = rule['name'];
    if (typeof name === 'string') {
      const first = firstUse.get(name);
      if (first === undefined) firstUse.set(name, i);
      else report(['rules', i, 'name'], `rule name ${JSON.stringify(name)} is already used by ${jsonPath(['rules', first])}; names must be unique (they are the reasons analysts see)`);
    }
    walk(rule['conditions'], ['rules', i, 'conditions'], null);
    checkEvent(rule['event'], ['rules', i, 'event'], report);
  });
  reportCycles(references, report);
  return problems;
}

type Report = (path: readonly PathSegment[], reason: string) => void;

function checkComparison(node: Record<string, unknown>, path: PathSegment[], known: KnownNames, report: Report): void {
  checkFact(node['fact'] as string, [...path, 'fact'], known.facts, report);
  const value = node['value'];
  const factRef = isObject(value) && Object.hasOwn(value, 'fact');
  if (factRef && typeof value['fact'] === 'string') checkFact(value['fact'], [...path, 'value', 'fact'], known.facts, report);

  const operator = node['operator'];
  if (typeof operator !== 'string' || operator === '') return;
  const parsed = parseOperator(operator, known.operators);
  if ('unknown' in parsed) { report([...path, 'operator'], parsed.unknown); return; }
  if (factRef || !Object.hasOwn(node, 'value')) return;
  checkValue(parsed, value, [...path, 'value'], known, report);
}

function checkFact(name: string, path: PathSegment[], facts: KnownFacts, report: Report): void {
  const isKnown = typeof facts === 'function' ? facts(name) : facts.has(name);
  if (!isKnown) report(path, `unknown fact ${JSON.stringify(name)}${typeof facts === 'function' ? '' : didYouMean(name, facts)}`);
}

interface ParsedOperator { decorators: string[]; base: string }

/** As json-rules-engine resolves a name: a known operator whole, else `decorator:rest` (e.g. `not:someFact:equal`). */
function parseOperator(name: string, operators: ReadonlySet<string>): ParsedOperator | { unknown: string } {
  const decorators: string[] = [];
  let rest = name;
  while (!operators.has(rest)) {
    const colon = rest.indexOf(':');
    if (colon <= 0) {
      const hint = closest(rest, operators);
      return { unknown: rest === name
        ? `unknown operator ${JSON.stringify(name)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}`
        : `unknown operator ${JSON.stringify(rest)} after the decorator${decorators.length > 1 ? 's' : ''} in ${JSON.stringify(name)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}` };
    }
    const decorator = rest.slice(0, colon);
    if (!OPERATOR_DECORATORS.includes(decorator)) {
      return { unknown: `unknown operator decorator ${JSON.stringify(decorator)} in ${JSON.stringify(name)}${didYouMean(decorator, OPERATOR_DECORATORS)} (decorators: ${OPERATOR_DECORATORS.join(', ')})` };
    }
    decorators.push(decorator);
    rest = rest.slice(colon + 1);
  }
  return { decorators, base: rest };
}

const NUMERIC = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const SCALAR = new Set(['equal', 'notEqual', 'contains', 'doesNotContain']);

/**
 * Checks a literal value against what its operator compares. Decorators move the literal: `swap`
 * puts it on the fact's side, `someValue` / `everyValue` apply the operator to each of its elements.
 */
function checkValue({ decorators, base }: ParsedOperator, value: unknown, path: PathSegment[], known: KnownNames, report: Report): void {
  let side: 'value' | 'fact' = 'value';
  let candidates: { value: unknown; path: PathSegment[] }[] = [{ value, path }];
  for (const decorator of decorators) {
    if (decorator === 'swap') side = side === 'value' ? 'fact' : 'value';
    const spreads = (side === 'value' && (decorator === 'someValue' || decorator === 'everyValue'))
      || (side === 'fact' && (decorator === 'someFact' || decorator === 'everyFact'));
    if (!spreads) continue;
    const next: typeof candidates = [];
    for (const c of candidates) {
      if (Array.isArray(c.value)) c.value.forEach((v, i) => next.push({ value: v, path: [...c.path, i] }));
      else report(c.path, `the "${decorator}" decorator applies the operator to each element: value must be an array, not ${describe(c.value)}`);
    }
    candidates = next;
  }
  for (const c of candidates) {
    const reason = side === 'value' ? valueProblem(base, c.value, known.lists) : factSideProblem(base, c.value);
    if (reason) report(c.path, reason);
  }
}

function valueProblem(operator: string, value: unknown, lists: ReadonlySet<string>): string | null {
  if (NUMERIC.has(operator) && !(typeof value === 'number' && Number.isFinite(value))) {
    return `${operator} compares numbers: value must be a number, not ${describe(value)}`;
  }
  if ((operator === 'in' || operator === 'notIn') && !Array.isArray(value)) {
    return `${operator} looks the fact up in a list of values: value must be an array, not ${describe(value)}`;
  }
  if (SCALAR.has(operator) && typeof value === 'object' && value !== null) {
    return operator === 'equal' || operator === 'notEqual'
      ? `${operator} compares with ===, which an array or object never satisfies: value must be a string, number, boolean or null (use "in" for a set of values)`
      : `${operator} looks for one element in the fact's array: value must be a string, number, boolean or null (use "someValue:${operator}" for several)`;
  }
  if ((LIST_OPERATORS as readonly string[]).includes(operator)) {
    if (typeof value !== 'string') return `${operator} needs the name of a list: value must be a string, not ${describe(value)}`;
    if (!lists.has(value)) {
      const names = [...lists].sort();
      return `no list named ${JSON.stringify(value)}${didYouMean(value, names)} (known lists: ${names.length ? names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : '') : 'none'})`;
    }
  }
  return null;
}

/** After `swap` the literal is the first operand, which the operator validates as it would a fact's value. */
function factSideProblem(operator: string, value: unknown): string | null {
  if (NUMERIC.has(operator) && !(typeof value === 'number' && Number.isFinite(value))) {
    return `swap:${operator} compares numbers: value must be a number, not ${describe(value)}`;
  }
  if ((operator === 'contains' || operator === 'doesNotContain') && !Array.isArray(value)) {
    return `swap:${operator} looks for the fact in value: value must be an array, not ${describe(value)}`;
  }
  if ((LIST_OPERATORS as readonly string[]).includes(operator)) return `${operator} takes the list's name as its value: it cannot be swapped`;
  return null;
}

function checkEvent(event: unknown, path: PathSegment[], report: Report): void {
  if (!isObject(event) || event['type'] !== 'score') return;
  const params = event['params'];
  const delta = isObject(params) ? params['delta'] : undefined;
  if (delta === undefined) report([...path, 'params', 'delta'], 'a "score" event needs params.delta: the number (from -1 to 1) it adds to the score');
  // Any other type is the schema's to report (it knows the bounds too).
}

function reportCycles(references: Map<string, { name: string; path: PathSegment[] }[]>, report: Report): void {
  const done = new Set<string>();
  const walk = (name: string, trail: string[]): void => {
    if (done.has(name)) return;
    for (const ref of references.get(name) ?? []) {
      if (ref.name === name || trail.includes(ref.name)) {
        const loop = [...trail.slice(trail.indexOf(ref.name)), name, ref.name];
        report(ref.path, `shared conditions refer to each other in a cycle: ${(ref.name === name ? [name, name] : loop).join(' → ')}`);
      } else {
        walk(ref.name, [...trail, name]);
      }
    }
    done.add(name);
  };
  for (const name of references.keys()) walk(name, []);
}

function dedupe(problems: RulesetProblem[]): RulesetProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
