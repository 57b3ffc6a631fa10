import type { Redis } from 'ioredis';
import { DEFAULT_FEATURES, featureNames } from '../engine/features/definitions.ts';
import { createMemoryFeatureStore } from '../engine/features/memory-store.ts';
import type { FeatureStore } from '../engine/features/store.ts';
import { createRedisFeatureStore } from '../activities/redis-feature-store.ts';

/**
 * Redis when configured, else the in-process store: the same definitions and results either way.
 * `timeoutMs` (FEATURE_TIMEOUT_MS) bounds Redis's round trip, so a slow Redis degrades the decision
 * at the configured budget rather than at the store's own default.
 */
export function createFeatureStores({ redis, prefix, timeoutMs }: { redis: Redis | null; prefix: string; timeoutMs?: number }): { store: FeatureStore; featureNames: string[] } {
  const store = redis
    ? createRedisFeatureStore({ redis, prefix, definitions: DEFAULT_FEATURES, ...(timeoutMs === undefined ? {} : { timeoutMs }) })
    : createMemoryFeatureStore({ definitions: DEFAULT_FEATURES });
  return { store, featureNames: featureNames(DEFAULT_FEATURES) };
}
