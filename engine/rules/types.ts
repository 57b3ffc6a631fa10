import type { FiredRule } from '../decision.ts';
import type { Facts } from '../facts.ts';
import type { TopLevelCondition } from './ruleset.ts';

export type { Facts, FiredRule };
export type { Condition, LeafCondition, TopLevelCondition } from './ruleset.ts';

/**
 * Operators rules may use beyond json-rules-engine's own, e.g. `inList: (value, listName) => …`
 * closing over the lists' contents. They must be pure: the compiled evaluator and the reference may
 * call them in a different order (never a different set of calls' results).
 */
export type CustomOperators = Readonly<Record<string, (factValue: unknown, jsonValue: unknown) => boolean>>;

/** A rule as authors write it (json-rules-engine's format). */
export interface RuleInput {
  name: string;
  /** Higher runs first; default 1. Rules of equal priority report in json-rules-engine's order. */
  priority?: number;
  conditions: TopLevelCondition;
  event: RuleEvent;
}

/** What an evaluator is built from, once per ruleset version. */
export interface RulesDefinition {
  rules: readonly RuleInput[];
  /** Shared conditions, referenced from rules as `{ "condition": name }`. */
  conditions?: Readonly<Record<string, TopLevelCondition>>;
}

export interface EvaluatorOptions {
  operators?: CustomOperators;
}

export interface RuleEvent {
  type: string;
  params?: Record<string, unknown>;
}

/**
 * A condition as json-rules-engine reports it after a run. A condition it evaluated carries
 * `result` (leaves also `factResult`, the fact's value after `path`, and `valueResult`, what it was
 * compared with); one it skipped (short-circuit across condition priorities) carries neither, and a
 * shared condition it never reached stays an unresolved `{ condition: name }`.
 */
export type ConditionResult =
  | FactConditionResult
  | AllConditionResult
  | AnyConditionResult
  | NotConditionResult
  | ConditionReferenceResult;

export interface FactConditionResult {
  fact: string;
  operator: string;
  value: unknown;
  path?: string;
  params?: Record<string, unknown>;
  priority?: number;
  name?: string;
  result?: boolean;
  factResult?: unknown;
  valueResult?: unknown;
}

interface BooleanMeta {
  /** Always present on all / any / not (json-rules-engine defaults it to 1). */
  priority: number;
  name?: string;
  /** Absent on a rule's own top-level node, which json-rules-engine does not mark. */
  result?: boolean;
}

export interface AllConditionResult extends BooleanMeta { all: ConditionResult[] }
export interface AnyConditionResult extends BooleanMeta { any: ConditionResult[] }
export interface NotConditionResult extends BooleanMeta { not: ConditionResult }
export interface ConditionReferenceResult { condition: string; priority?: number; name?: string }

/** One rule's outcome: why it fired or not. */
export interface RuleResult {
  name: string;
  priority: number;
  event: RuleEvent;
  result: boolean;
  conditions: ConditionResult;
}

/** The outcome of one evaluation, in json-rules-engine's order. */
export interface RuleRun {
  /** Events of the rules that fired. */
  events: RuleEvent[];
  /** The rules that fired with their events (what the decision policy consumes). */
  fired: FiredRule[];
  /** Every rule, fired or not, with its evaluated condition tree. */
  results: RuleResult[];
}

/** The one shape callers use: json-rules-engine is asynchronous, so this is too. */
export interface RuleEvaluator {
  evaluate(facts: Facts): Promise<RuleRun>;
}

/** An evaluator that can also answer synchronously (the compiled one). */
export interface SyncRuleEvaluator extends RuleEvaluator {
  evaluateSync(facts: Facts): RuleRun;
}

/** A rule the compiled evaluator hands to json-rules-engine, and why. */
export interface RuleFallback {
  rule: string;
  reason: string;
}

/** Raised when building an evaluator from a ruleset json-rules-engine would also refuse (or could not finish). */
export class RuleInvalid extends Error {
  readonly code = 'RULE_INVALID';
  constructor(readonly rule: string, readonly reason: string) {
    super(`rule ${JSON.stringify(rule)}: ${reason}`);
  }
}
