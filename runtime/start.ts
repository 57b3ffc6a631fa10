import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { Client, Connection, type ConnectionLike } from '@temporalio/client';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Express } from 'express';
import type { Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { databaseUnreachable, temporalUnreachable } from './unreachable-services.ts';
import { closePool, createPool, type Db } from '../db/pool.ts';
import { seedDefaults } from '../db/seed.ts';
import { createApp } from '../api/app.ts';
import { decisionRoutes } from '../api/routes/decisions.ts';
import { inProcessBulk } from '../api/bulk-in-process.ts';
import { healthRoutes } from '../api/routes/health.ts';
import { createDecisionActivities } from '../activities/decision-activities.ts';
import { pgDecisionLedger } from '../activities/decision-ledger.ts';
import { createLocalAnswers, type LocalAnswers } from '../activities/local-answers.ts';
import { degradingFeatureSource } from '../activities/feature-source.ts';
import { createPersistenceActivities } from '../activities/persistence-activities.ts';
import { createLabelActivities } from '../activities/label-activities.ts';
import { createBranchActivities } from '../activities/branch-activities.ts';
import { createCaseQueue } from '../activities/pg/case-queue.ts';
import { createCaseRepository } from '../activities/pg/case-repository.ts';
import { createDeliveryRepository } from '../activities/pg/delivery-repository.ts';
import { caseRoutes } from '../api/routes/cases.ts';
import { createSimulationActivities } from '../activities/simulation-activities.ts';
import { simulationRoutes } from '../api/routes/simulations.ts';
import { createLabelRepository } from '../activities/pg/label-repository.ts';
import { labelRoutes } from '../api/routes/labels.ts';
import { rulesetRoutes } from '../api/routes/rulesets.ts';
import { deploymentRoutes } from '../api/routes/deployments.ts';
import { listRoutes } from '../api/routes/lists.ts';
import { factRoutes } from '../api/routes/facts.ts';
import { ruleTestRoutes } from '../api/routes/rule-test.ts';
import { editorRoutes } from '../api/routes/editor.ts';
import { modelRoutes } from '../api/routes/models.ts';
import { createDecisionRepository } from '../activities/pg/decision-repository.ts';
import { createRulesetReader } from '../activities/pg/ruleset-repository.ts';
import { createWorker } from '../workflows/worker.ts';
import type { FeatureStore } from '../engine/features/store.ts';
import { createScorer } from './scorer.ts';
import { decisionDeps } from './decision-deps.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { closeServer } from './close-server.ts';
import { EMBEDDED_TEMPORAL_PORT, startTemporalDevServer } from './temporal-dev-server.ts';
import { toolPath } from './tools.ts';
import { createSecurity, type Security } from './security.ts';
import { metricsRoutes } from '../api/routes/metrics.ts';
import { openApiRoutes } from '../api/openapi.ts';
import { routeKeyOf } from '../api/auth/guard.ts';
import { actorOf } from '../api/actor.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { httpMetrics } from '../observability/http-metrics.ts';
import { startTracing } from '../observability/tracing.ts';

/**
 * How long a decision waits for its commit to the decision record before it is answered anyway (and
 * recorded later by its workflow): Postgres answers in milliseconds, and a refused connection fails at
 * once; past this it is hung. Below the decision activity's own 2 s timeout.
 */
const DECISION_COMMIT_TIMEOUT_MS = 1_500;
/**
 * A bulk request's decisions in flight at once, and their feature timeout: 256 decisions' Redis
 * scripts queue for some 25–50 ms on a small machine, past the single route's budget but not a sign
 * of Redis failing; a Redis that is down still fails them at once.
 */
const BULK_IN_FLIGHT = 256;
const BULK_FEATURE_TIMEOUT_MS = 2_000;

export interface Running {
  port: number;
  config: Config;
  db: Db;
  temporal: Client;
  log: Logger;
  metrics: Metrics;
  /** The express app (API roles): tests walk its router stack. */
  app?: Express;
  /** Four-eyes, the audit trail and the auth routes (API roles). */
  security?: Security;
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
  /** Shows the one-time bootstrap admin key to the operator: stdout unless a test captures it. Never the log. */
  announce?: (text: string) => void;
}

export async function start(config: Config, opts: StartOptions = {}): Promise<Running> {
  const log = opts.log ?? createLogger({ level: config.LOG_LEVEL });
  const tracing = startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME });
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.warn({ err }, 'error while stopping'));
  };
  if (tracing) stops.push(() => tracing.shutdown());
  try {
    const dataDir = resolve(ROOT, config.FRAUDGUARD_DATA_DIR);

    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      log.info('DATABASE_URL unset: starting the embedded PostgreSQL');
      const embedded = await startEmbeddedPostgres(dataDir, (line) => log.debug({ pg: line }));
      stops.push(embedded.stop);
      databaseUrl = embedded.url;
    }
    await migrate(databaseUrl, config.DATABASE_SCHEMA, log).catch((err: unknown) => {
      throw (config.DATABASE_URL && databaseUnreachable(err, config.DATABASE_URL)) || err;
    });
    const db = createPool(databaseUrl, config.DATABASE_SCHEMA);
    // An idle connection that Postgres closes (a restart, an outage) is replaced on next use; unhandled,
    // its error would end the process. Our own stop closes this pool before an embedded server.
    db.on('error', (err) => log.warn({ err: err.message }, 'an idle Postgres connection was closed'));
    stops.push(() => closePool(db));
    // The case queue gauge is read from the cases mirror at each scrape, so every process reports the same figure;
    // with Postgres down the gauge is empty for that scrape rather than failing every other metric with it.
    const caseMirror = createCaseRepository(db);
    const metrics = createMetrics({
      caseQueueSizes: () => caseMirror.queueSizes().catch((err: unknown) => { log.warn({ err }, 'case queue sizes unavailable'); return []; }),
    });

    let temporalAddress = config.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const executable = toolPath(ROOT, 'temporal');
      if (!executable) throw new Error('TEMPORAL_ADDRESS is unset and no Temporal CLI was found: run `npm run setup` (it installs one) or set TEMPORAL_ADDRESS.');
      log.info(`TEMPORAL_ADDRESS unset: starting the Temporal dev server on 127.0.0.1:${EMBEDDED_TEMPORAL_PORT}`);
      const uiPort = config.TEMPORAL_UI_PORT === 'off' ? undefined : config.TEMPORAL_UI_PORT;
      const server = await startTemporalDevServer({ executable, port: EMBEDDED_TEMPORAL_PORT, dbFile: resolve(dataDir, 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE, uiPort, ownProcessGroup: true });
      stops.push(server.stop);
      const indexes = server.visibilityIndexes;
      if (indexes && 'skipped' in indexes) log.info({ reason: indexes.skipped }, 'the embedded Temporal server keeps its unused visibility indexes (dropping them needs Python\'s sqlite3): about a quarter fewer workflows a second');
      else if (indexes && indexes.dropped > 0) log.info({ dropped: indexes.dropped }, 'unused visibility indexes dropped from the embedded Temporal server\'s file');
      if (uiPort !== undefined) log.info({ url: `http://127.0.0.1:${uiPort}` }, `Temporal's web UI: http://127.0.0.1:${uiPort} (every transaction's workflow history)`);
      temporalAddress = server.address;
    }
    const connection = await Connection.connect({ address: temporalAddress }).catch((err: unknown) => {
      throw config.TEMPORAL_ADDRESS ? temporalUnreachable(err, config.TEMPORAL_ADDRESS) : err;
    });
    stops.push(() => connection.close());
    // The API's client, and (eager start) one on the worker's connection: same namespace, same tracing.
    const clientOn = (on: ConnectionLike) => new Client({ connection: on, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: tracing?.clientInterceptors ?? [] } });
    const temporal = clientOn(connection);

    let redis: Redis | null = null;
    if (config.REDIS_URL) {
      // No auto-pipelining: the feature store batches its own calls (activities/redis-tick-pipeline.ts),
      // and ioredis's single pipeline in flight per connection made concurrent decisions wait in convoys.
      redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
      // While Redis is down the client reports each failed reconnection: logged once per outage, not
      // printed as an unhandled error event every few seconds (decisions are marked degraded meanwhile).
      let redisDown = false;
      redis.on('error', (err: Error) => { if (!redisDown) log.warn({ err: err.message }, 'Redis unreachable: decisions are degraded until it answers'); redisDown = true; });
      redis.on('ready', () => { if (redisDown) log.info('Redis answers again'); redisDown = false; });
      await redis.connect().catch((err: unknown) => log.warn({ err }, 'Redis unreachable at start: decisions will be degraded until it answers'));
      stops.push(async () => { redis?.disconnect(); });
    } else {
      log.info('REDIS_URL unset: features live in the in-process store');
    }

    const decisions = createDecisionRepository(db);
    const labels = createLabelRepository(db);
    const reader = createRulesetReader(db);
    const scorer = await createScorer({ db, log });
    stops.push(() => scorer.close());
    await seedDefaults(db, { modelVersions: scorer.defaultModelVersions, modelWeights: scorer.defaultModelWeights });

    // Steps 1–4: the worker's decision activity, and the API's for bulk requests decided in process.
    // One store; each caller's budget is its feature source's (below), so the store's own bound is the widest of them.
    const stores = opts.featureStore
      ?? (await import('./feature-stores.ts')).createFeatureStores({ redis, prefix: config.REDIS_KEY_PREFIX, timeoutMs: Math.max(config.FEATURE_TIMEOUT_MS, BULK_FEATURE_TIMEOUT_MS) });
    const unfollow = scorer.follow(() => reader.currentDeployment());
    stops.push(async () => unfollow());
    const ledger = pgDecisionLedger(decisions, { timeoutMs: DECISION_COMMIT_TIMEOUT_MS, log });
    const decideWith = decisionDeps({ stores, scorer, reader, featureTimeoutMs: config.FEATURE_TIMEOUT_MS, log, observer: metrics, fxRates: config.FX_RATES });

    // With the API and the worker in one process, the API starts transactions' workflows eagerly on the
    // worker's connection and takes each decision from its local activity here (api/routes/decisions.ts).
    let eager: { temporal: Client; answers: LocalAnswers } | undefined;
    const answers = config.FRAUDGUARD_ROLE === 'all' && config.TEMPORAL_EAGER_START ? createLocalAnswers() : undefined;
    if (config.FRAUDGUARD_ROLE !== 'api') {
      const activities = {
        ...createDecisionActivities({ ...decideWith, ledger, answers }),
        ...createPersistenceActivities({ decisions }),
        ...createLabelActivities({ featureStore: stores.store }),
        ...createBranchActivities({ db, featureStore: stores.store, config, observer: metrics }),
        ...createSimulationActivities({ db, scorer, log, fxRates: config.FX_RATES }),
      };
      const { worker, connection: workerConnection } = await createWorker({
        address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, activities, tracing: tracing?.worker,
        stackTraces: config.TEMPORAL_WORKFLOW_STACK_TRACES,
      });
      const running = worker.run();
      if (answers) eager = { temporal: clientOn(workerConnection), answers };
      stops.push(async () => {
        // The SDK drains the worker by itself on SIGINT/SIGTERM: shut it down only if it is not already.
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await workerConnection.close();
      });
      log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
    }

    let port = config.PORT;
    let app: Express | undefined;
    let security: Security | undefined;
    if (config.FRAUDGUARD_ROLE !== 'worker') {
      security = await createSecurity({ db, redis, config, log, metrics, announce: opts.announce ?? ((text) => process.stdout.write(`${text}\n`)) });
      const guard = security.guard;
      // A bulk request's features come from the same store, with a budget allowing for its own batch's
      // Redis scripts queueing behind each other (about 100 µs apiece on the server).
      const bulkFeatures = degradingFeatureSource(stores.store, { featureNames: stores.featureNames, timeoutMs: BULK_FEATURE_TIMEOUT_MS }, log);
      const bulkInProcess = inProcessBulk({
        decide: createDecisionActivities({ ...decideWith, features: bulkFeatures }).decideTransaction, decisions, ledger,
        temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, log, inFlight: BULK_IN_FLIGHT,
      });
      app = createApp({
        log,
        guard: (routes) => [...(tracing ? [tracing.httpSpans(routeKeyOf)] : []), httpMetrics(metrics, routeKeyOf), ...guard(routes)],
        beforeRoutes: [security.auditTrail],
        routers: [
          healthRoutes({
            postgres: async () => { await db.query('SELECT 1'); },
            features: async () => { if (redis) await redis.ping(); },
            temporal: async () => { await connection.healthService.check({}); },
          }),
          decisionRoutes({
            temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, decisions, labels, log, bulkInProcess, eager, maxAheadMs: config.OCCURRED_AT_MAX_AHEAD,
            onAnswered: (d, seconds) => metrics.decisionAnswered(d, seconds),
          }),
          labelRoutes({ temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, labels, actorOf, maxAheadMs: config.OCCURRED_AT_MAX_AHEAD }),
          rulesetRoutes({ db, fourEyes: security.fourEyes }),
          deploymentRoutes({ db, fourEyes: security.fourEyes }),
          listRoutes({ db }),
          factRoutes({ db, fxRates: config.FX_RATES }),
          ruleTestRoutes({ db, decisions, fxRates: config.FX_RATES }),
          modelRoutes({ db, registry: scorer.registry }),
          simulationRoutes({ db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, datasetDir: resolve(ROOT, config.SIMULATION_DATA_DIR), actorOf }),
          caseRoutes({ temporal, decisions, queue: createCaseQueue(db), cases: caseMirror, deliveries: createDeliveryRepository(db) }),
          ...security.routers,
          metricsRoutes(metrics.registry),
          openApiRoutes(),
          editorRoutes({ distDir: resolve(ROOT, 'editor/dist') }),
        ],
      });
      app.set('trust proxy', config.TRUST_PROXY);
      const server: Server = createServer(app);
      await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(config.PORT, config.HOST, ok); });
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : config.PORT;
      stops.push(() => closeServer(server));
      log.info({ port }, `FraudGuard API listening on http://127.0.0.1:${port}`);
    }
    if (config.METRICS_PORT !== undefined) {
      // Metrics on a port of their own, without credentials, for Prometheus on the private network (never
      // publish it): a worker-only process has no API, and a scraper needs no API key. /metrics on the API
      // port still asks for the "read" permission.
      const metricsServer = createServer((req, res) => {
        if (req.method !== 'GET' || req.url !== '/metrics') { res.writeHead(404).end(); return; }
        metrics.registry.metrics().then((text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text), () => res.writeHead(500).end());
      });
      await new Promise<void>((ok, fail) => { metricsServer.once('error', fail); metricsServer.listen(config.METRICS_PORT, config.HOST, ok); });
      stops.push(() => closeServer(metricsServer));
      log.info({ metricsPort: config.METRICS_PORT }, 'metrics served without credentials on the metrics port');
    }

    return { port, config, db, temporal, log, metrics, app, security, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
