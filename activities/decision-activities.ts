import type { Decision } from '../engine/decision.ts';
import { decideArm, type LoadedRuleset } from '../engine/decide-arm.ts';
import type { Arm, Deployment } from '../engine/deployment.ts';
import { buildFacts } from '../engine/facts.ts';
import type { FeatureVector } from '../engine/features/store.ts';
import type { ArmScores, Scorer } from '../engine/scoring.ts';
import type { Transaction } from '../engine/transaction.ts';

/** Feature lookup as the decision path sees it: never throws, says when it had to degrade. */
export interface FeatureSource {
  read(tx: Transaction): Promise<{ features: FeatureVector; degraded: boolean }>;
}

export interface RulesetSource {
  /** A loaded (compiled, cached) ruleset version, e.g. "default@3". */
  get(version: string): Promise<LoadedRuleset>;
}

export interface DeploymentSource {
  /** The deployment in force now (cached for a few seconds: changes take effect without a restart). */
  current(): Promise<Deployment>;
}

export interface DecisionActivityDeps {
  features: FeatureSource;
  scorer: Scorer;
  rulesets: RulesetSource;
  deployments: DeploymentSource;
  fxRates?: Record<string, number>;
  /** Wall clock; injectable so tests can pin it. */
  now?: () => number;
}

export interface DecideArmsInput {
  tx: Transaction;
  features: FeatureVector;
  degraded: boolean;
  arms: Arm[];
  scores: ArmScores[];
  deploymentVersion: number;
  receivedAtMs: number;
  workflowId: string;
}

/** Steps 1–4 of a decision, run by the transaction workflow as local activities. */
export function createDecisionActivities(deps: DecisionActivityDeps) {
  const now = deps.now ?? Date.now;
  return {
    async currentDeployment(): Promise<Deployment> {
      return deps.deployments.current();
    },

    async lookupFeatures(tx: Transaction): Promise<{ features: FeatureVector; degraded: boolean }> {
      return deps.features.read(tx);
    },

    async scoreArms(modelVersionsByArm: string[][], features: FeatureVector): Promise<ArmScores[]> {
      // Arms usually share models (a shadow often differs only in rules): score each distinct set once.
      const cache = new Map<string, Promise<ArmScores>>();
      return Promise.all(modelVersionsByArm.map((versions) => {
        const key = versions.join('\u0000');
        let scored = cache.get(key);
        if (!scored) {
          scored = deps.scorer.score(versions, features);
          cache.set(key, scored);
        }
        return scored;
      }));
    },

    async decideArms(input: DecideArmsInput): Promise<Decision> {
      const decided = await Promise.all(input.arms.map(async (arm, i) => {
        const scores = input.scores[i] ?? null;
        const ruleset = await deps.rulesets.get(arm.rulesetVersion);
        return decideArm(arm, ruleset, buildFacts(input.tx, input.features, scores, { fxRates: deps.fxRates }), scores);
      }));
      const [acting, ...shadows] = decided;
      if (!acting) throw new Error('a deployment always has an acting arm');
      const decidedAt = now();
      return {
        ...acting,
        transactionId: input.tx.id,
        workflowId: input.workflowId,
        deploymentVersion: input.deploymentVersion,
        features: input.features,
        degraded: input.degraded,
        latencyMs: Math.max(0, decidedAt - input.receivedAtMs),
        decidedAt: new Date(decidedAt).toISOString(),
        shadows,
      };
    },
  };
}
