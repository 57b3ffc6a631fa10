import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { createPool, type Db } from '../db/pool.ts';
import { seedDefaults } from '../db/seed.ts';
import { createApp } from '../api/app.ts';
import { decisionRoutes } from '../api/routes/decisions.ts';
import { healthRoutes } from '../api/routes/health.ts';
import { createDecisionActivities } from '../activities/decision-activities.ts';
import { degradingFeatureSource } from '../activities/feature-source.ts';
import { createPersistenceActivities } from '../activities/persistence-activities.ts';
import { createLabelActivities } from '../activities/label-activities.ts';
import { createLabelRepository } from '../activities/pg/label-repository.ts';
import { labelRoutes } from '../api/routes/labels.ts';
import { createDecisionRepository } from '../activities/pg/decision-repository.ts';
import { createRulesetReader } from '../activities/pg/ruleset-repository.ts';
import { createRuleCaches } from '../activities/ruleset-cache.ts';
import { createWorker } from '../workflows/worker.ts';
import type { FeatureStore } from '../engine/features/store.ts';
import { createScorer } from './scorer.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { startTemporalDevServer } from './temporal-dev-server.ts';
import { toolPath } from './tools.ts';

export interface Running {
  port: number;
  config: Config;
  db: Db;
  temporal: Client;
  log: Logger;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..');

/**
 * The composition root: reads nothing from the environment itself (config comes in), starts the
 * embedded services that are not configured, then the worker and the API as the role asks.
 */
export interface StartOptions {
  log?: Logger;
  /** Replaces the configured feature store (tests of degraded mode, benchmarks). */
  featureStore?: { store: FeatureStore; featureNames: string[] };
}

export async function start(config: Config, opts: StartOptions = {}): Promise<Running> {
  const log = opts.log ?? pino({ level: config.LOG_LEVEL, base: { service: 'fraudguard' } });
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.warn({ err }, 'error while stopping'));
  };
  try {
    const dataDir = resolve(ROOT, config.FRAUDGUARD_DATA_DIR);

    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      log.info('DATABASE_URL unset: starting the embedded PostgreSQL');
      const embedded = await startEmbeddedPostgres(dataDir, undefined, (line) => log.debug({ pg: line }));
      stops.push(embedded.stop);
      databaseUrl = embedded.url;
    }
    await migrate(databaseUrl, config.DATABASE_SCHEMA, log);
    const db = createPool(databaseUrl, config.DATABASE_SCHEMA);
    stops.push(() => db.end());

    let temporalAddress = config.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const executable = toolPath(ROOT, 'temporal');
      if (!executable) throw new Error('TEMPORAL_ADDRESS is unset and no Temporal CLI was found: run `npm run setup` (it installs one) or set TEMPORAL_ADDRESS.');
      log.info('TEMPORAL_ADDRESS unset: starting the Temporal dev server on 127.0.0.1:7233');
      const server = await startTemporalDevServer({ executable, port: 7233, dbFile: resolve(dataDir, 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE });
      stops.push(server.stop);
      temporalAddress = server.address;
    }
    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

    let redis: Redis | null = null;
    if (config.REDIS_URL) {
      redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
      await redis.connect().catch((err: unknown) => log.warn({ err }, 'Redis unreachable at start: decisions will be degraded until it answers'));
      stops.push(async () => { redis?.disconnect(); });
    } else {
      log.info('REDIS_URL unset: features live in the in-process store');
    }

    const decisions = createDecisionRepository(db);
    const reader = createRulesetReader(db);
    const scorer = await createScorer({ db, log });
    await seedDefaults(db, { modelVersions: scorer.defaultModelVersions });

    if (config.FRAUDGUARD_ROLE !== 'api') {
      const stores = opts.featureStore
        ?? (await import('./feature-stores.ts')).createFeatureStores({ redis, prefix: config.REDIS_KEY_PREFIX });
      const caches = createRuleCaches(reader);
      const activities = {
        ...createDecisionActivities({
          features: degradingFeatureSource(stores.store, { featureNames: stores.featureNames, timeoutMs: config.FEATURE_TIMEOUT_MS }, log),
          scorer, rulesets: caches.rulesets, deployments: caches.deployments,
        }),
        ...createPersistenceActivities({ decisions }),
        ...createLabelActivities({ featureStore: stores.store }),
      };
      const { worker, connection: workerConnection } = await createWorker({
        address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, activities,
      });
      const running = worker.run();
      stops.push(async () => { worker.shutdown(); await running; await workerConnection.close(); });
      log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
    }

    let port = config.PORT;
    if (config.FRAUDGUARD_ROLE !== 'worker') {
      const app = createApp({
        log,
        routers: [
          healthRoutes({
            postgres: async () => { await db.query('SELECT 1'); },
            features: async () => { if (redis) await redis.ping(); },
            temporal: async () => { await connection.healthService.check({}); },
          }),
          decisionRoutes({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, decisions }),
          labelRoutes({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, labels: createLabelRepository(db) }),
        ],
      });
      const server: Server = createServer(app);
      await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(config.PORT, config.HOST, ok); });
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : config.PORT;
      stops.push(() => new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); }));
      log.info({ port }, `FraudGuard API listening on http://127.0.0.1:${port}`);
    }

    return { port, config, db, temporal, log, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
