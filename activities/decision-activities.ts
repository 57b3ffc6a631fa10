import type { Decision } from '../engine/decision.ts';
import { decideArm, type LoadedRuleset } from '../engine/decide-arm.ts';
import type { Arm, Deployment } from '../engine/deployment.ts';
import type { FxRates } from '../engine/fx-rates.ts';
import { buildFacts } from '../engine/facts.ts';
import { routeToArm } from '../engine/routing.ts';
import type { FeatureVector } from '../engine/features/store.ts';
import { modelInput, type ArmScores, type ModelWeights, type Scorer } from '../engine/scoring.ts';
import { paymentOf, type Transaction } from '../engine/transaction.ts';
import type { Logger } from 'pino';
import { transactionLog } from '../observability/transaction-log.ts';
import { inSpan } from '../observability/tracing.ts';
import type { DecisionLedger } from './decision-ledger.ts';
import type { LocalAnswers } from './local-answers.ts';

/** Feature lookup as the decision path sees it: never throws, says when it had to degrade. */
export interface FeatureSource {
  /** `log`: makes the transaction's logger, for what the lookup has to say about it (rarely: made only then). */
  read(tx: Transaction, log?: () => Logger): Promise<{ features: FeatureVector; degraded: boolean }>;
}

/** What the decision path reports as it goes (metrics: observability/metrics.ts). */
export interface DecisionObserver {
  featuresRead(seconds: number, degraded: boolean): void;
  scored(seconds: number): void;
  decided(decision: Decision): void;
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
  fxRates?: FxRates | undefined;
  /** Wall clock; injectable so tests can pin it. */
  now?: () => number;
  observer?: DecisionObserver;
  /** Lines about a transaction go to a child of this logger with its transaction id, workflow id and arm. */
  log?: Logger;
  /**
   * Where `decideTransaction` commits its decision before answering (the first recorded for an id is
   * the answer, see decision-ledger.ts). Without one (the inline bench path, bulk requests that commit
   * a whole batch at once) decisions are returned as made.
   */
  ledger?: DecisionLedger;
  /** Where a decision is handed to this process's decision route when the route started its workflow eagerly (local-answers.ts). */
  answers?: Pick<LocalAnswers, 'publish'>;
}

/** What scoring needs of an arm: its model versions and how it combines them. */
export interface ArmModels {
  modelVersions: string[];
  modelWeights?: ModelWeights | undefined;
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

/** What the transaction workflow hands its one decision activity. */
export interface DecideTransactionInput {
  tx: Transaction;
  receivedAtMs: number;
  workflowId: string;
}

/** Steps 1–4 of a decision, run by the transaction workflow as local activities. */
export function createDecisionActivities(deps: DecisionActivityDeps) {
  const now = deps.now ?? Date.now;
  const steps = {
    async currentDeployment(): Promise<Deployment> {
      return deps.deployments.current();
    },

    async lookupFeatures(tx: Transaction, arm?: string): Promise<{ features: FeatureVector; degraded: boolean }> {
      const started = performance.now();
      const read = await deps.features.read(tx, deps.log && (() => transactionLog(deps.log as Logger, tx.id, arm)));
      deps.observer?.featuresRead((performance.now() - started) / 1000, read.degraded);
      return read;
    },

    /** Each arm's models on the transaction's model input (its features and its amount), combined as the arm says (`modelWeights`). */
    async scoreArms(arms: ArmModels[], features: FeatureVector, amount: number): Promise<ArmScores[]> {
      // Arms usually share models (a shadow often differs only in rules): score each distinct set once.
      const started = performance.now();
      const input = modelInput(amount, features);
      const cache = new Map<string, Promise<ArmScores>>();
      const scores = await Promise.all(arms.map(({ modelVersions, modelWeights }) => {
        const key = JSON.stringify([modelVersions, modelWeights ?? null]);
        let scored = cache.get(key);
        if (!scored) {
          scored = deps.scorer.score(modelVersions, input, modelWeights);
          cache.set(key, scored);
        }
        return scored;
      }));
      deps.observer?.scored((performance.now() - started) / 1000);
      return scores;
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
      const decision: Decision = {
        ...acting,
        transactionId: input.tx.id,
        workflowId: input.workflowId,
        deploymentVersion: input.deploymentVersion,
        features: input.features,
        degraded: input.degraded,
        latencyMs: Math.max(0, decidedAt - input.receivedAtMs),
        decidedAt: new Date(decidedAt).toISOString(),
        shadows,
        payment: paymentOf(input.tx),
      };
      deps.observer?.decided(decision);
      if (deps.log?.isLevelEnabled('debug')) {
        transactionLog(deps.log, decision.transactionId, decision.arm)
          .debug({ decision: decision.decision, score: decision.score, degraded: decision.degraded, rulesetVersion: decision.rulesetVersion }, 'transaction decided');
      }
      return decision;
    },
  };
  return {
    ...steps,

    /**
     * Steps 1–4 in one local activity. Each local activity costs the workflow an activation round trip
     * (Core → workflow thread → Core), about 15–25 ms apiece on a small shared machine, more than the
     * steps themselves; the steps stay separate functions, and one marker records the whole decision.
     * The decision is committed to the ledger before it is answered; `recorded` says it is on record,
     * so the workflow skips its own persistence step (an activity task and a workflow task fewer).
     */
    decideAndRecord,

    /** Steps 1–4 as histories recorded before `decideAndRecord` ran them (and the in-process paths, which record in bulk or never). */
    async decideTransaction(input: DecideTransactionInput): Promise<Decision> {
      return (await decideAndRecord(input)).decision;
    },
  };

  async function decideAndRecord({ tx, receivedAtMs, workflowId }: DecideTransactionInput): Promise<{ decision: Decision; recorded: boolean }> {
    const deployment = await steps.currentDeployment();
    const route = routeToArm(deployment, tx);
    const arms = [route.acting, ...route.shadows];
    const { features, degraded } = await inSpan('lookupFeatures', () => steps.lookupFeatures(tx, route.acting.name));
    const scores = await inSpan('scoreArms', () => steps.scoreArms(arms, features, tx.amountValue));
    const decision = await inSpan('decideArms', () => steps.decideArms({ tx, features, degraded, arms, scores, deploymentVersion: deployment.version, receivedAtMs, workflowId }));
    const made = deps.ledger ? await inSpan('commitDecision', () => (deps.ledger as DecisionLedger).commit(tx, decision)) : { decision, recorded: false };
    deps.answers?.publish(workflowId, made.recorded ? made.decision : null);
    return made;
  }
}
