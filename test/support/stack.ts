import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { unlinkKeys } from './redis-keys.ts';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../config.ts';
import { start, type Running, type StartOptions } from '../../runtime/start.ts';
import { createLogger } from '../../observability/logger.ts';
import { startTemporalDevServer, freePort } from '../../runtime/temporal-dev-server.ts';
import { toolPath } from '../../runtime/tools.ts';
import { resolve } from 'node:path';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const ROOT = resolve(import.meta.dirname, '../..');

/** A fresh, unique name for a schema / key prefix / task queue, so test files never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

let ownTemporal: Promise<string> | null = null;
/** The run's Temporal dev server (scripts/test.mjs starts one), or one of our own when a file runs alone. */
export async function testTemporalAddress(): Promise<string> {
  if (process.env.FRAUDGUARD_TEST_TEMPORAL) return process.env.FRAUDGUARD_TEST_TEMPORAL;
  ownTemporal ??= (async () => {
    // Unreferenced, so a test file run alone exits when its tests end (and the server with it).
    const server = await startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port: await freePort(), unref: true });
    return server.address;
  })();
  return ownTemporal;
}

export interface HttpReply { status: number; body: any; headers: Headers }

/** Requests with one credential: the stack's admin key by default, `as(x)` for another, `as(null)` for none. */
export interface StackClient {
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<HttpReply>;
  get(path: string, headers?: Record<string, string>): Promise<HttpReply>;
  request(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<HttpReply>;
}

export interface TestStack extends Running, StackClient {
  url: string;
  schema: string;
  taskQueue: string;
  /** The admin API key provisioned through FRAUDGUARD_ADMIN_API_KEY; post/get send it unless told otherwise. */
  adminKey: string;
  /** A client sending `Authorization: Bearer <credential>` (an API key or session token), or nothing for null. */
  as(credential: string | null): StackClient;
  /** Every log line of this stack, when started with `captureLogs` (otherwise empty). */
  logs: string[];
  /** What start() showed the operator (the one-time bootstrap key). */
  announced: string[];
  dropSchema(): Promise<void>;
}

export interface StackOptions extends StartOptions {
  /** Keep the log lines in `stack.logs` (at LOG_LEVEL) instead of writing them to stdout. */
  captureLogs?: boolean;
}

export function clientFor(url: string, credential: string | null): StackClient {
  const request: StackClient['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...opts.headers };
    const init: RequestInit = { method, headers };
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      init.body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(url + path, init);
    const text = await res.text();
    let body: unknown = null;
    try { body = JSON.parse(text); } catch { body = text || null; }
    return { status: res.status, body, headers: res.headers };
  };
  return {
    request,
    post: (path, body, headers) => request('POST', path, { body, headers }),
    get: (path, headers) => request('GET', path, { headers }),
  };
}

/**
 * The whole product (API + worker) on the real Postgres, Redis and Temporal, isolated by schema, prefix and task queue.
 * Pass DATABASE_SCHEMA and TEMPORAL_TASK_QUEUE in `overrides` to start a stack on an earlier one's (a restart).
 */
export async function startStack(overrides: Record<string, string> = {}, options: StackOptions = {}): Promise<TestStack> {
  const schema = overrides['DATABASE_SCHEMA'] ?? uniqueName('t');
  const taskQueue = overrides['TEMPORAL_TASK_QUEUE'] ?? uniqueName('q');
  const adminKey = overrides['FRAUDGUARD_ADMIN_API_KEY'] ?? `fgk_test_${randomBytes(24).toString('base64url')}`;
  const config: Config = loadConfig({
    // Tests and benchmarks send many decisions with one key: no decision quota unless a test sets one.
    FRAUDGUARD_ADMIN_API_KEY: adminKey, DECISION_RATE_LIMIT: '0',
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `${schema}:`, TEMPORAL_ADDRESS: overrides['TEMPORAL_ADDRESS'] ?? await testTemporalAddress(), TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...overrides,
  });
  const logs: string[] = [];
  const announced: string[] = [];
  const destination = options.captureLogs
    ? new Writable({ write(chunk: Buffer, _enc, done) { logs.push(...chunk.toString().split('\n').filter(Boolean)); done(); } })
    : undefined;
  const running = await start(config, {
    log: createLogger({ level: config.LOG_LEVEL, destination }),
    announce: (text) => { announced.push(text); },
    ...options,
  });
  const url = `http://127.0.0.1:${running.port}`;
  const asAdmin = clientFor(url, config.FRAUDGUARD_ADMIN_API_KEY ? adminKey : null);
  return {
    ...running, ...asAdmin, url, schema, taskQueue, adminKey, logs, announced,
    as: (credential) => clientFor(url, credential),
    async dropSchema() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      await dropFeatureKeys(config.REDIS_KEY_PREFIX);
    },
  };
}

/**
 * Deletes a stack's feature keys (those under its REDIS_KEY_PREFIX) from the test Redis. They live for
 * the features' retention plus a day, and a test machine's Redis otherwise gathers every run's
 * (1.6 million keys after a day of runs here).
 */
export async function dropFeatureKeys(prefix: string): Promise<void> {
  // An empty prefix would match every key of the machine's Redis.
  if (!prefix) throw new Error('dropFeatureKeys needs the stack\'s key prefix');
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try { await unlinkKeys(redis, `${prefix}*`); } finally { redis.disconnect(); }
}

let seq = 0;
/** A valid transaction; override any field. */
export function aTransaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq += 1;
  return {
    id: uniqueName(`tx${seq}`),
    occurred_at: new Date(Date.UTC(2026, 10, 22, 10, 0, seq % 60)).toISOString(),
    amount: '42.50',
    currency: 'EUR',
    customer_id: 'c-1',
    merchant_id: 'm-1',
    ...overrides,
  };
}
