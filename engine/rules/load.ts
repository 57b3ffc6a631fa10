import type { FiredRule } from '../decision.ts';
import type { LoadedRuleset } from '../decide-arm.ts';
import type { Facts } from '../facts.ts';
import { compileRuleset } from './compiled.ts';
import type { Ruleset } from './ruleset.ts';
import type { CustomOperators, RuleInput, RuleRun } from './types.ts';

export type { CustomOperators };

export interface LoadOptions {
  operators: CustomOperators;
  /** Attach each fired rule's condition tree (why it fired). Off in bulk replays, where nobody reads it. */
  explain?: boolean;
}

/**
 * Prepares a ruleset version for evaluation, once: compiled into closures that agree with
 * json-rules-engine (which still evaluates any rule the compiler does not cover). Reused for every transaction.
 */
export function loadRuleset(version: string, doc: Ruleset, { operators, explain = true }: LoadOptions): LoadedRuleset & { fallbacks: readonly { rule: string; reason: string }[] } {
  const evaluator = compileRuleset({ rules: rulesOf(doc), conditions: doc.conditions ?? {} }, { operators });
  const fired = explain ? withWhy : (run: RuleRun) => run.fired;
  return {
    version,
    policy: doc.policy,
    fallbacks: evaluator.fallbacks,
    evaluate: evaluator.fallbacks.length === 0
      ? (facts: Facts) => fired(evaluator.evaluateSync(facts))
      : async (facts: Facts) => fired(await evaluator.evaluate(facts)),
  };
}

/**
 * Every enabled rule's outcome over one set of facts, fired or not, with its evaluated condition tree
 * (which leaves held and which did not): the rule editor's test panel. Compiled per call; not for bulk use.
 */
export async function explainRuleset(doc: Ruleset, facts: Facts, { operators }: { operators: CustomOperators }): Promise<RuleRun> {
  return compileRuleset({ rules: rulesOf(doc), conditions: doc.conditions ?? {} }, { operators }).evaluate(facts);
}

/** The rules json-rules-engine runs: disabled ones left out, priority defaulted as it does. */
export function rulesOf(doc: Ruleset): RuleInput[] {
  return doc.rules
    .filter((r) => r.enabled !== false)
    .map((r) => ({ name: r.name, priority: r.priority ?? 1, conditions: r.conditions, event: r.event as RuleInput['event'] }));
}

function withWhy(run: RuleRun): FiredRule[] {
  return run.results.filter((r) => r.result).map((r) => ({ name: r.name, priority: r.priority, event: r.event, conditions: r.conditions }));
}

