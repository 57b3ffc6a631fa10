import { Engine, type RuleProperties } from 'json-rules-engine';
import type { FiredRule } from '../decision.ts';
import type { LoadedRuleset } from '../decide-arm.ts';
import type { Facts } from '../facts.ts';
import type { Ruleset } from './ruleset.ts';

/** Custom operators rules may use beyond json-rules-engine's own, e.g. `inList`. */
export type CustomOperators = Record<string, (factValue: unknown, jsonValue: unknown) => boolean>;

/** Prepares a ruleset version for evaluation, once; the result is reused for every transaction. */
export function loadRuleset(version: string, doc: Ruleset, operators: CustomOperators): LoadedRuleset {
  const engine = new Engine([], { allowUndefinedFacts: true, replaceFactsInEventParams: false });
  for (const [name, fn] of Object.entries(operators)) engine.addOperator(name, fn);
  for (const [name, condition] of Object.entries(doc.conditions ?? {})) engine.setCondition(name, condition as never);
  const rules = doc.rules.filter((r) => r.enabled !== false);
  for (const rule of rules) engine.addRule({ ...rule, priority: rule.priority ?? 1 } as RuleProperties);
  return {
    version,
    policy: doc.policy,
    async evaluate(facts: Facts): Promise<FiredRule[]> {
      const { results } = await engine.run(facts);
      return results.map((r) => ({
        name: r.name as string,
        priority: r.priority ?? 1,
        event: { type: r.event?.type ?? 'tag', params: (r.event?.params ?? undefined) as Record<string, unknown> | undefined },
      }));
    },
  };
}
