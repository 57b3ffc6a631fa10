import type { ArmDecision, FiredRule } from './decision.ts';
import type { Arm } from './deployment.ts';
import type { Facts } from './facts.ts';
import { applyPolicy } from './policy.ts';
import type { Policy } from './rules/ruleset.ts';
import type { ArmScores } from './scoring.ts';

/** A loaded ruleset version, ready to evaluate facts (compiled once, reused for every transaction). */
export interface LoadedRuleset {
  version: string;
  policy: Policy;
  evaluate(facts: Facts): FiredRule[] | Promise<FiredRule[]>;
}

const NO_SCORES: ArmScores = { combined: null, models: [] };

/** One arm's decision: its rules over the facts, then the policy. Same code online, in simulations and in benchmarks. */
export async function decideArm(arm: Arm, ruleset: LoadedRuleset, facts: Facts, scores: ArmScores | null): Promise<ArmDecision> {
  const fired = await ruleset.evaluate(facts);
  const armScores = scores ?? NO_SCORES;
  const result = applyPolicy({ fired, modelScore: armScores.combined, policy: ruleset.policy });
  return {
    arm: arm.name,
    shadow: arm.shadow,
    decision: result.decision,
    score: result.score,
    reasons: result.reasons,
    tags: result.tags,
    firedRules: fired,
    rulesetVersion: ruleset.version,
    modelVersions: arm.modelVersions,
    scores: armScores,
  };
}
