import type { Step } from './conditions.ts';
import type { SimpleCondition } from './fact-condition.ts';
import type { ConditionResult, CustomOperators, Facts } from './types.ts';

/**
 * What compiled conditions share. An evaluation writes what json-rules-engine would record on its
 * condition objects (result, factResult, valueResult) into a flat array of slots; the condition trees
 * of the results are built from it only when someone reads them.
 */

/** A slot json-rules-engine would have left unset: the condition was not evaluated. */
export const NOT_EVALUATED: unique symbol = Symbol('not evaluated');

/** A fact not read yet in this evaluation. */
export const UNREAD: unique symbol = Symbol('unread');

/** What an evaluation leaves for its results to be built from. */
export interface Trace {
  readonly values: readonly unknown[];
  readonly slots: readonly unknown[];
}

/** One evaluation's scratch state. */
export interface Run extends Trace {
  facts: Facts;
  /**
   * The facts the ruleset names (CompileContext.factIndex), each read from `facts` the first time a
   * condition needs it: a ruleset names a few facts in many conditions, and a property lookup by a
   * name known only at run time is the dearest step of a condition.
   */
  values: unknown[];
  slots: unknown[];
  /**
   * Microtask turns the node just run would have taken inside json-rules-engine. Rules of equal
   * priority run concurrently there and are reported in the order their promises settle, so the
   * compiled evaluator reproduces that order from these counts (ties keep the rules' order).
   */
  t: number;
}

/** A compiled condition, evaluated as json-rules-engine's evaluateCondition evaluates it. */
export interface Node {
  /** The raw priority json-rules-engine groups this condition by among its siblings. */
  priorityKey: unknown;
  /** The node's turns when they never vary with the facts. */
  turns: number | undefined;
  /** Evaluates; returns json-rules-engine's result for the node and leaves its turns in `r.t`. */
  run(r: Run): unknown;
  evaluated(slots: readonly unknown[]): boolean;
  /** The node as reported when it was not evaluated (shared, frozen). */
  unevaluated(): ConditionResult;
  materialize(trace: Trace): ConditionResult;
  /** Set on the common fact condition, which a parent may evaluate in its own loop (runSimple). */
  simple?: SimpleCondition;
  /** Set on an all / any of such conditions, likewise. */
  step?: Step;
}

export interface CompileContext {
  rule: string;
  operators: CustomOperators;
  shared: Readonly<Record<string, unknown>>;
  /** Shared conditions being expanded, outermost first (a cycle would never finish in json-rules-engine). */
  expanding: string[];
  /** Reserves `n` consecutive slots; returns the first. */
  allocate(n: number): number;
  /** Where the fact `name` is cached in Run.values. */
  factIndex(name: string): number;
}

/** A construct the compiled evaluator does not follow; the rule falls back to json-rules-engine. */
export class Unsupported extends Error {}

/**
 * json-rules-engine's grouping by priority (Rule.prioritizeConditions, Engine.prioritizeRules), kept
 * to the letter — keys of a plain object, sorted by a comparator that never answers 0 — so that odd
 * priorities (2.5, "3", NaN) come out in the order it produces.
 */
export function prioritize<T>(items: readonly T[], keyOf: (item: T) => unknown): T[][] {
  const sets: Record<string, T[]> = {};
  for (const item of items) {
    const key = String(keyOf(item));
    if (!sets[key]) sets[key] = [];
    sets[key].push(item);
  }
  return Object.keys(sets).sort((a, b) => (Number(a) > Number(b) ? -1 : 1)).map((key) => sets[key] ?? []);
}

/** The fact `name` (at `index` in Run.values), read once per evaluation. */
export function readFact(r: Run, index: number, name: string): unknown {
  const cached = r.values[index];
  if (cached !== UNREAD) return cached;
  const value = r.facts[name];
  // json-rules-engine would call a function as a dynamic fact; facts here are data.
  if (typeof value === 'function') throw new TypeError(`fact "${name}" is a function: facts must be data`);
  r.values[index] = value;
  return value;
}
