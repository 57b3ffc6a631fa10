import { followPath, parsePath } from './json-path.ts';
import { resolveOperator, type OperatorFn } from './operators.ts';
import { NOT_EVALUATED, Unsupported, type CompileContext, type Node, type Run } from './trace.ts';
import { RuleInvalid, type ConditionResult, type Facts } from './types.ts';

/** How one side of a comparison reads its fact, as json-rules-engine's Almanac.factValue does. */
interface FactReader {
  read(facts: Facts): unknown;
  /** True when the read costs json-rules-engine an extra microtask turn (a `path` on a fact that is present). */
  slow(facts: Facts): boolean;
  /** Whether `slow` can ever be true. */
  timed: boolean;
}

const MISSING: FactReader = { read: () => undefined, slow: () => false, timed: false };

/**
 * A fact condition `{ fact, operator, value, path?, params? }`, evaluated as json-rules-engine's
 * Condition.evaluate: the compared value (a literal, or another fact with its own path) and the fact
 * are read, then the operator decides. Both are reported, with the operator's raw result.
 */
export function compileFactCondition(json: Record<string, unknown>, ctx: CompileContext): Node {
  for (const key of ['fact', 'operator', 'value']) {
    if (!Object.hasOwn(json, key)) throw new RuleInvalid(ctx.rule, `a fact condition needs "${key}"`);
  }
  const left = factReader(json['fact'], json['path']);
  const literal = json['value'];
  const right = isFactReference(literal) ? factReader(literal.fact, literal.path) : null;
  const operator = compileOperator(json['operator'], ctx);
  const slot = ctx.allocate(3);
  const template = Object.freeze(factMeta(json));
  const fixedTurns = left.timed || right?.timed ? undefined : 3;

  return {
    priorityKey: json['priority'],
    turns: fixedTurns,
    run(r: Run): unknown {
      const facts = r.facts;
      const valueResult = right ? right.read(facts) : literal;
      const factResult = left.read(facts);
      const result = operator(factResult, valueResult);
      const slots = r.slots;
      slots[slot] = result;
      slots[slot + 1] = factResult;
      slots[slot + 2] = valueResult;
      // Condition.evaluate: Promise.all over both reads (+1 when either went through a path), a
      // `then` for the operator, and evaluateCondition's own `then`.
      r.t = fixedTurns ?? (left.slow(facts) || (right !== null && right.slow(facts)) ? 4 : 3);
      return result;
    },
    evaluated: (slots) => slots[slot] !== NOT_EVALUATED,
    unevaluated: () => template,
    materialize(slots): ConditionResult {
      if (slots[slot] === NOT_EVALUATED) return template;
      return { ...template, factResult: slots[slot + 1], valueResult: slots[slot + 2], result: slots[slot] as boolean };
    },
  };
}

/** The keys json-rules-engine carries over from the condition into its result (undefined ones omitted). */
function factMeta(json: Record<string, unknown>): ConditionResult {
  const meta: Record<string, unknown> = { fact: json['fact'], operator: json['operator'], value: json['value'] };
  for (const key of ['path', 'params', 'priority', 'name']) {
    if (Object.hasOwn(json, key) && json[key] !== undefined) meta[key] = json[key];
  }
  return meta as unknown as ConditionResult;
}

function isFactReference(value: unknown): value is { fact: unknown; path?: unknown } {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, 'fact');
}

function compileOperator(name: unknown, ctx: CompileContext): OperatorFn {
  const op = typeof name === 'string' ? resolveOperator(name, ctx.operators) : null;
  // json-rules-engine accepts the rule and fails the run that reaches the condition.
  return op ?? (() => { throw new Error(`Unknown operator: ${String(name)}`); });
}

function factReader(name: unknown, path: unknown): FactReader {
  let keys: string[] | null = null;
  if (path) {
    keys = typeof path === 'string' ? parsePath(path) : null;
    if (!keys) throw new Unsupported(`path ${JSON.stringify(path)} is outside the compiled JSONPath subset ($, .name, ['name'], [index])`);
  }
  // The almanac only holds facts named by a non-empty string; any other name reads as missing.
  if (typeof name !== 'string' || name === '') return MISSING;
  const own = name in Object.prototype;
  const lookup = (facts: Facts): unknown => {
    const value = own ? (Object.hasOwn(facts, name) ? facts[name] : undefined) : facts[name];
    if (typeof value === 'function') throw new TypeError(`fact "${name}" is a function: facts must be data`);
    return value;
  };
  if (!keys) return { read: lookup, slow: () => false, timed: false };
  const steps = keys;
  return {
    // A missing fact answers undefined before any path handling; a present one that is not an
    // object is returned as it is (json-rules-engine applies paths to objects only).
    read(facts) {
      const value = lookup(facts);
      return value !== null && typeof value === 'object' ? followPath(value, steps) : value;
    },
    slow: (facts) => Object.hasOwn(facts, name),
    timed: true,
  };
}
