import { followPath, parsePath } from './json-path.ts';
import { applyBuiltIn, builtInOpcode, resolveOperator, type OperatorFn } from './operators.ts';
import { NOT_EVALUATED, Unsupported, readFact, type CompileContext, type Node, type Run } from './trace.ts';
import { RuleInvalid, type ConditionResult } from './types.ts';

/** How one side of a comparison reads its fact, as json-rules-engine's Almanac.factValue does. */
interface FactReader {
  read(r: Run): unknown;
  /** True when the read costs json-rules-engine an extra microtask turn (a `path` on a fact that is present). */
  slow(r: Run): boolean;
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
  const left = factReader(json['fact'], json['path'], ctx);
  const literal = json['value'];
  const right = isFactReference(literal) ? factReader(literal.fact, literal.path, ctx) : null;
  const operator = compileOperator(json['operator'], ctx);
  const name = json['fact'];
  // The usual condition — a named fact, no path, against a literal — is evaluated by runSimple,
  // which parents with several such conditions call directly; its fact's value is in Run.values.
  const simple = !right && !json['path'] && typeof name === 'string' && name !== '' && !(name in Object.prototype);
  const index = simple ? ctx.factIndex(name) : -1;
  // Slots: the operator's result, the fact's value (unless in Run.values), and (against another
  // fact) that fact's value.
  const slot = ctx.allocate(simple ? 1 : right ? 3 : 2);
  const template = Object.freeze(factMeta(json));
  const fixedTurns = left.timed || right?.timed ? undefined : 3;
  const bare = Object.keys(template).length === 3;

  const node: Node = {
    priorityKey: json['priority'],
    turns: fixedTurns,
    run(r: Run): unknown {
      const valueResult = right ? right.read(r) : literal;
      const factResult = left.read(r);
      const result = operator(factResult, valueResult);
      const slots = r.slots;
      slots[slot] = result;
      slots[slot + 1] = factResult;
      if (right) slots[slot + 2] = valueResult;
      // Condition.evaluate: Promise.all over both reads (+1 when either went through a path), a
      // `then` for the operator, and evaluateCondition's own `then`.
      r.t = fixedTurns ?? (left.slow(r) || (right !== null && right.slow(r)) ? 4 : 3);
      return result;
    },
    evaluated: (slots) => slots[slot] !== NOT_EVALUATED,
    unevaluated: () => template,
    materialize(trace): ConditionResult {
      const slots = trace.slots;
      const result = slots[slot];
      if (result === NOT_EVALUATED) return template;
      const valueResult = right ? slots[slot + 2] : literal;
      const factResult = simple ? trace.values[index] : slots[slot + 1];
      // A literal of fixed shape for the usual condition; spread (slower) when it carries optional keys.
      return bare
        ? { fact: name as string, operator: json['operator'] as string, value: literal, factResult, valueResult, result: result as boolean }
        : { ...template, factResult, valueResult, result: result as boolean };
    },
  };
  if (simple) {
    const code = typeof json['operator'] === 'string' ? builtInOpcode(json['operator'], ctx.operators) : -1;
    const condition = new SimpleCondition(name, index, code, operator, literal, slot);
    node.simple = condition;
    node.run = (r) => {
      const result = runSimple(r, condition);
      r.t = 3;
      return result;
    };
  }
  return node;
}

/** A fact condition without path against a literal, as plain data (see compileFactCondition). */
export class SimpleCondition {
  constructor(
    readonly name: string,
    readonly index: number,
    /** applyBuiltIn's opcode, or -1 to call `operator`. */
    readonly code: number,
    readonly operator: OperatorFn,
    readonly literal: unknown,
    readonly slot: number,
  ) {}
}

/**
 * An all / any of SimpleConditions of one priority: every one is evaluated (json-rules-engine
 * short-circuits only between priorities); the value is what a one-condition all / any passes up —
 * the raw result — or, over several, whether all / any are `=== true`.
 */
export function runSimpleGroup(r: Run, conditions: readonly SimpleCondition[], all: boolean): unknown {
  if (conditions.length === 1) return runSimple(r, conditions[0] as SimpleCondition);
  let outcome = all;
  for (let i = 0; i < conditions.length; i++) {
    if ((runSimple(r, conditions[i] as SimpleCondition) === true) !== all) outcome = !all;
  }
  return outcome;
}

/** Evaluates a SimpleCondition and records it; it takes 3 turns in json-rules-engine. */
export function runSimple(r: Run, c: SimpleCondition): unknown {
  const factResult = readFact(r, c.index, c.name);
  const result = c.code >= 0 ? applyBuiltIn(c.code, factResult, c.literal) : c.operator(factResult, c.literal);
  r.slots[c.slot] = result;
  return result;
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

function notData(name: string): never {
  throw new TypeError(`fact "${name}" is a function: facts must be data`);
}

function factReader(name: unknown, path: unknown, ctx: CompileContext): FactReader {
  let keys: string[] | null = null;
  if (path) {
    keys = typeof path === 'string' ? parsePath(path) : null;
    if (!keys) throw new Unsupported(`path ${JSON.stringify(path)} is outside the compiled JSONPath subset ($, .name, ['name'], [index])`);
  }
  // The almanac only holds facts named by a non-empty string; any other name reads as missing.
  if (typeof name !== 'string' || name === '') return MISSING;
  // Facts are an almanac keyed by own property: one named like an Object.prototype member
  // ("toString") exists only when given.
  const inherited = name in Object.prototype;
  const index = ctx.factIndex(name);
  const lookup = (r: Run): unknown => {
    if (!inherited) return readFact(r, index, name);
    const value = Object.hasOwn(r.facts, name) ? r.facts[name] : undefined;
    if (typeof value === 'function') notData(name);
    return value;
  };
  if (!keys) return { read: lookup, slow: () => false, timed: false };
  const steps = keys;
  return {
    // A missing fact answers undefined before any path handling; a present one that is not an
    // object is returned as it is (json-rules-engine applies paths to objects only).
    read(r) {
      const value = lookup(r);
      return value !== null && typeof value === 'object' ? followPath(value, steps) : value;
    },
    slow: (r) => Object.hasOwn(r.facts, name),
    timed: true,
  };
}
