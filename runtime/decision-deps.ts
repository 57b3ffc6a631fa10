import type { Logger } from 'pino';
import type { DecisionActivityDeps, DecisionObserver } from '../activities/decision-activities.ts';
import { degradingFeatureSource } from '../activities/feature-source.ts';
import type { RulesetReader } from '../activities/pg/ruleset-repository.ts';
import { createRuleCaches } from '../activities/ruleset-cache.ts';
import type { FeatureStore } from '../engine/features/store.ts';
import type { Scorer } from '../engine/scoring.ts';
import type { FxRates } from '../engine/fx-rates.ts';

/**
 * What steps 1–4 decide with, wired one way for every caller (the worker, the API's bulk path, the
 * bench's inline path): the feature store behind its degrade budget, the scorer, and the cached
 * compiled rulesets and deployment of the database.
 */
export function decisionDeps(parts: {
  stores: { store: FeatureStore; featureNames: readonly string[] };
  scorer: Scorer;
  reader: RulesetReader;
  featureTimeoutMs: number;
  log: Logger;
  observer?: DecisionObserver;
  fxRates?: FxRates | undefined;
}): DecisionActivityDeps {
  const caches = createRuleCaches(parts.reader);
  return {
    features: degradingFeatureSource(parts.stores.store, { featureNames: parts.stores.featureNames, timeoutMs: parts.featureTimeoutMs }, parts.log),
    scorer: parts.scorer, rulesets: caches.rulesets, deployments: caches.deployments, log: parts.log, fxRates: parts.fxRates,
    ...(parts.observer ? { observer: parts.observer } : {}),
  };
}
