import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../config.ts';
import { start, type Running, type StartOptions } from '../../runtime/start.ts';
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
    const server = await startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port: await freePort() });
    process.once('exit', () => void server.stop());
    return server.address;
  })();
  return ownTemporal;
}

export interface TestStack extends Running {
  url: string;
  schema: string;
  taskQueue: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  dropSchema(): Promise<void>;
}

/** The whole product (API + worker) on the real Postgres, Redis and Temporal, isolated by schema, prefix and task queue. */
export async function startStack(overrides: Record<string, string> = {}, options: StartOptions = {}): Promise<TestStack> {
  const schema = uniqueName('t');
  const taskQueue = uniqueName('q');
  const config: Config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `${schema}:`, TEMPORAL_ADDRESS: await testTemporalAddress(), TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...overrides,
  });
  const running = await start(config, { log: pino({ level: config.LOG_LEVEL }), ...options });
  const url = `http://127.0.0.1:${running.port}`;
  return {
    ...running, url, schema, taskQueue,
    async post(path, body, headers = {}) {
      const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async get(path) {
      const res = await fetch(url + path);
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async dropSchema() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
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
